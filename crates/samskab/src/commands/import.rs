//! `samskab import …`: the organisation from OS2mo or CSV, and a Pol.is conversation as an
//! involvement process. The input is read and checked whole before the database is touched.

use std::path::Path;
use std::process::ExitCode;

use app::organisation::{import, store};
use app::platform::audit::AuditEntry;
use app::platform::site;

use crate::cli::OrgFormat;
use crate::{english, open, say};

pub async fn org(url: &str, format: OrgFormat, path: &Path) -> anyhow::Result<ExitCode> {
    let format = match format {
        OrgFormat::KoldingCsv => import::Format::KoldingCsv,
        OrgFormat::Os2moJson => import::Format::Os2moJson,
        OrgFormat::SamskabCsv => import::Format::SamskabCsv,
    };
    // Read and validate everything before touching the database.
    let snapshot = match import::read(format, path) {
        Ok(s) => s,
        Err(errors) => {
            let lang = if english() { "en" } else { "da" };
            for e in &errors {
                eprintln!("{}", e.render(lang));
            }
            eprintln!("{}", say("Intet er indlæst.", "Nothing was imported."));
            return Ok(ExitCode::from(2));
        }
    };
    let db = open(url).await?;
    let m = site::store::ensure(&db, "Kommune").await?;
    let entry = AuditEntry::system("organisation.import", "samskab import").subject("file", path.display(), "");
    let summary = match store::apply_snapshot(&db, m.id, &snapshot, entry).await {
        Ok(summary) => summary,
        Err(store::ApplyError::Running { since }) => {
            let since = since.format("%Y-%m-%d %H:%M:%S UTC");
            eprintln!(
                "{}",
                say(
                    &format!(
                        "En anden import af organisationen er i gang (startet {since}). Intet er indlæst; \
                         prøv igen, når den er færdig."
                    ),
                    &format!(
                        "Another import of the organisation is running (started {since}). Nothing was \
                         imported; try again when it has finished."
                    )
                )
            );
            return Ok(ExitCode::from(1));
        }
        Err(store::ApplyError::Db(e)) if app::platform::db::is_busy(&e) => {
            eprintln!(
                "{}",
                say(
                    "Databasen er optaget af en anden skrivning (fx en anden import) og svarede ikke inden for \
                     10 sekunder. Intet er indlæst; prøv igen, når den er færdig.",
                    "The database is busy with another write (such as another import) and did not answer \
                     within 10 seconds. Nothing was imported; try again when it has finished."
                )
            );
            return Ok(ExitCode::from(1));
        }
        Err(store::ApplyError::Interrupted(e)) => {
            eprintln!(
                "{}",
                say(
                    &format!(
                        "Importen stoppede undervejs, og en del af organisationen kan være skrevet ({e}). \
                         Kør importen igen: den gør organisationen færdig."
                    ),
                    &format!(
                        "The import stopped part-way and part of the organisation may be written ({e}). \
                         Run the import again: it completes the organisation."
                    )
                )
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(ExitCode::SUCCESS)
}

pub async fn polis(url: &str, votes: &Path, comments: &Path, title: Option<String>) -> anyhow::Result<ExitCode> {
    let title = title.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    let title = title.unwrap_or_else(|| "Pol.is-samtale".to_string());
    if title.chars().count() > app::involvement::model::TITLE_MAX_CHARS {
        eprintln!("{}", say("Titlen er for lang (højst 200 tegn).", "The title is too long (at most 200 characters)."));
        return Ok(ExitCode::from(2));
    }
    let export = match app::involvement::import::read_polis(votes, comments, &title) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{}", e.render(if english() { "en" } else { "da" }));
            eprintln!("{}", say("Intet er indlæst.", "Nothing was imported."));
            return Ok(ExitCode::from(2));
        }
    };
    let db = open(url).await?;
    let m = site::store::ensure(&db, "Kommune").await?;
    let entry = AuditEntry::system("process.imported", "samskab import");
    let id = app::involvement::store::write_bulk(&db, m.id, &export, entry).await?;
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}
