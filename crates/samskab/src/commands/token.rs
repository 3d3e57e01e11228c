//! `samskab token …`: API tokens (bearer tokens for /api/v1/) from the command line.

use std::process::ExitCode;

use app::platform::audit::AuditEntry;
use app::platform::{accounts, site};

use crate::cli::TokenAction;
use crate::{open, say};

pub async fn run(url: &str, action: TokenAction) -> anyhow::Result<ExitCode> {
    use app::platform::tokens::store as tokens;
    let db = open(url).await?;
    let m = site::store::ensure(&db, "Kommune").await?;
    match action {
        TokenAction::Add { user, name } => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                eprintln!("{}", say("Navnet skal være på 1 til 200 tegn.", "The name must be 1 to 200 characters."));
                return Ok(ExitCode::from(2));
            }
            let Some((account, _)) =
                accounts::account_for_login(&db, &user).await?.filter(|(a, _)| a.municipality_id == m.id)
            else {
                eprintln!("{}", say(&format!("Brugeren {user} findes ikke."), &format!("There is no user {user}.")));
                return Ok(ExitCode::from(2));
            };
            let issued = tokens::issue(&db, m.id, &account, name, AuditEntry::system("token.created", "cli")).await?;
            println!("{}", issued.token);
            eprintln!(
                "{}",
                say(
                    &format!("API-nøgle {} for {} (vises kun denne ene gang).", issued.id, account.username),
                    &format!("API token {} for {} (shown this once only).", issued.id, account.username)
                )
            );
        }
        TokenAction::List => {
            for t in tokens::list(&db, m.id).await? {
                let state = match t.revoked_at {
                    Some(at) => format!("{} {}", say("tilbagekaldt", "revoked"), at.to_rfc3339()),
                    None => say("aktiv", "active").to_string(),
                };
                let used = t.last_used_at.map(|at| at.to_rfc3339()).unwrap_or_else(|| "-".into());
                println!("{}\t{}\t{}\t{}\t{}\t{}", t.id, t.username, t.name, t.created_at.to_rfc3339(), used, state);
            }
        }
        TokenAction::Revoke { id } => {
            let Ok(id) = uuid::Uuid::parse_str(id.trim()) else {
                eprintln!(
                    "{}",
                    say("Skriv nøglens id fra `samskab token list`.", "Give the token's id from `samskab token list`.")
                );
                return Ok(ExitCode::from(2));
            };
            if !tokens::revoke(&db, m.id, id, AuditEntry::system("token.revoked", "cli")).await? {
                eprintln!("{}", say("Der er ingen aktiv nøgle med det id.", "There is no active token with that id."));
                return Ok(ExitCode::from(2));
            }
            println!("{}", say("Nøglen er tilbagekaldt.", "The token is revoked."));
        }
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}
