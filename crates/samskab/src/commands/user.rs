//! `samskab user add`: a local account, for the first administrator or where there is no
//! OIDC provider. The password comes from the environment, never from the command line.

use std::process::ExitCode;

use app::organisation::store;
use app::platform::audit::AuditEntry;
use app::platform::{accounts, permissions::Role, site};

use crate::{open, say};

pub async fn add(
    url: &str,
    username: String,
    role: String,
    name: Option<String>,
    person_email: Option<String>,
) -> anyhow::Result<ExitCode> {
    let Some(role) = Role::parse(&role) else {
        eprintln!(
            "{}",
            say(
                "Ukendt rolle; brug administrator, executive, leader, facilitator eller employee.",
                "Unknown role; use administrator, executive, leader, facilitator or employee."
            )
        );
        return Ok(ExitCode::from(2));
    };
    let password = std::env::var("SAMSKAB_PASSWORD").unwrap_or_default();
    if password.chars().count() < accounts::MIN_PASSWORD_LEN {
        eprintln!(
            "{}",
            say(
                &format!("Sæt SAMSKAB_PASSWORD til en adgangskode på mindst {} tegn.", accounts::MIN_PASSWORD_LEN),
                &format!("Set SAMSKAB_PASSWORD to a password of at least {} characters.", accounts::MIN_PASSWORD_LEN),
            )
        );
        return Ok(ExitCode::from(2));
    }
    let db = open(url).await?;
    let m = site::store::ensure(&db, "Kommune").await?;
    let person = match &person_email {
        Some(email) => match store::person_by_email(&db, m.id, email).await? {
            Some(p) => Some(p),
            None => {
                eprintln!(
                    "{}",
                    say(&format!("Ingen person har e-mailen {email}."), &format!("No person has the e-mail {email}."))
                );
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    if accounts::account_for_login(&db, &username).await?.is_some() {
        eprintln!(
            "{}",
            say(
                &format!("Brugernavnet {username} findes allerede."),
                &format!("The username {username} already exists.")
            )
        );
        return Ok(ExitCode::from(2));
    }
    let display = name.or_else(|| person.as_ref().map(|p| p.name.clone())).unwrap_or_else(|| username.clone());
    accounts::create_account(&db, m.id, &username, &display, &password, person.map(|p| p.id), &[role]).await?;
    app::platform::audit::record(
        &db,
        Some(m.id),
        &AuditEntry::system("account.created", "samskab user add").subject("account", &username, &username),
    )
    .await?;
    println!(
        "{}",
        say(&format!("Kontoen {username} er oprettet."), &format!("The account {username} has been created."))
    );
    Ok(ExitCode::SUCCESS)
}
