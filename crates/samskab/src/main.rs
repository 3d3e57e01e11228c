//! The `samskab` command: serve the web application, migrate, import the organisation,
//! generate the demo municipality, print reports, manage accounts and run the analysis
//! engines on exported files.

mod analyse;
mod cli;
mod commands;
mod server;

use std::process::ExitCode;

use app::platform::db::{Db, redact_url};
use clap::Parser;

use cli::{Cli, Command, ImportWhat, Report, UserAction};

/// Messages in the operator's language: English if LANG says so, else Danish.
fn english() -> bool {
    std::env::var("LANG").map(|l| l.starts_with("en")).unwrap_or(false)
}

fn say(da: &str, en: &str) -> String {
    if english() { en.to_string() } else { da.to_string() }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The analyses are plain computations on files: no runtime, no log, so a small export
    // is answered in the time it takes to read it.
    let result = match cli.command {
        Command::Analyse { what } => analyse::run(what, english()),
        command => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_env("SAMSKAB_LOG").unwrap_or_else(|_| "info".into()),
                )
                .with_writer(std::io::stderr)
                .init();
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|runtime| runtime.block_on(run(Cli { command, ..cli })))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e:#}", say("fejl", "error"));
            ExitCode::FAILURE
        }
    }
}

async fn open(url: &str) -> anyhow::Result<Db> {
    Db::open(url).await.map_err(|e| anyhow::anyhow!("{} ({})", e, redact_url(url)))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let db = cli.db.as_str();
    match cli.command {
        Command::Serve(args) => commands::serve::run(db, args).await,
        Command::Analyse { what } => analyse::run(what, english()),
        Command::Migrate => commands::database::migrate(db).await,
        Command::Demo { size, seed, answers } => commands::database::demo(db, size, seed, answers).await,
        Command::Import { what: ImportWhat::Org { format, path } } => commands::import::org(db, format, &path).await,
        Command::Import { what: ImportWhat::Polis { votes, comments, title } } => {
            commands::import::polis(db, &votes, &comments, title).await
        }
        Command::Report { which: Report::SpanOfControl { format } } => {
            commands::report::span_of_control(db, format).await
        }
        Command::Token { action } => commands::token::run(db, action).await,
        Command::User { action: UserAction::Add { username, role, name, person_email } } => {
            commands::user::add(db, username, role, name, person_email).await
        }
    }
}
