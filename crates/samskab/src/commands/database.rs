//! `samskab migrate` and `samskab demo`: a database brought up to date, or filled with the
//! demo municipality without serving it.

use std::process::ExitCode;

use app::demo;
use app::platform::site;

use crate::{open, say};

pub async fn migrate(url: &str) -> anyhow::Result<ExitCode> {
    open(url).await?;
    println!("{}", say("Databasen er opdateret.", "The database is up to date."));
    Ok(ExitCode::SUCCESS)
}

pub async fn demo(url: &str, size: u32, seed: u64, answers: Option<u32>) -> anyhow::Result<ExitCode> {
    let db = open(url).await?;
    let m = site::store::ensure(&db, "Kommune").await?;
    if demo::install_with_answers(&db, m.id, size as usize, seed, answers.map(|a| a as usize)).await? {
        println!("{}", say("Samby Kommune er oprettet.", "Samby Kommune has been created."));
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "{}",
            say(
                "Databasen er ikke tom; demokommunen blev ikke oprettet.",
                "The database is not empty; the demo was not created."
            )
        );
        Ok(ExitCode::from(2))
    }
}
