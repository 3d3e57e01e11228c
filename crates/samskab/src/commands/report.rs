//! `samskab report …`: reports printed for scripts (JSON) or spreadsheets (CSV).

use std::process::ExitCode;

use app::organisation::{routes as org_routes, store};
use app::platform::site;

use crate::cli::ReportFormat;
use crate::open;

pub async fn span_of_control(url: &str, format: ReportFormat) -> anyhow::Result<ExitCode> {
    let db = open(url).await?;
    let m = site::store::ensure(&db, "Kommune").await?;
    let rows = store::span_rows(&db, m.id, &store::SpanFilter::within(app::platform::permissions::Reach::Municipality))
        .await?;
    match format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        ReportFormat::Csv => {
            use std::io::Write;
            std::io::stdout().write_all(&org_routes::span_csv_bytes(&rows, None)?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
