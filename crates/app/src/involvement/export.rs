//! A process's data as files: votes and statements in the Pol.is export format (so
//! `samskab analyse opinions` or Pol.is tools read them), and the inputs for spreadsheets.
//! Text cells go through the platform's formula neutralising (a cell beginning with `=`
//! gets an apostrophe).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{Process, StatementState};
use super::store::{self, InputsOf};
use crate::AppState;
use crate::platform::exports::{self, Cell, CsvDialect};
use crate::platform::i18n::Tr;
use crate::platform::web::Result;

fn datetime(at: DateTime<Utc>) -> String {
    at.format("%a %b %d %H:%M:%S UTC %Y").to_string()
}

/// votes.csv as Pol.is exports it: the current vote of each participant on each statement,
/// oldest first.
pub async fn votes_csv(state: &AppState, process: &Process) -> Result<Vec<u8>> {
    let mut latest: HashMap<(i32, i32), (i16, DateTime<Utc>)> = HashMap::new();
    for v in store::all_votes(&state.db, process.id).await? {
        latest.insert((v.participant, v.statement), (v.vote, v.at));
    }
    let mut rows: Vec<((i32, i32), (i16, DateTime<Utc>))> = latest.into_iter().collect();
    rows.sort_by_key(|((p, s), (_, at))| (*at, *p, *s));
    let cells: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|((participant, statement), (vote, at))| {
            vec![
                Cell::Number(at.timestamp_millis()),
                Cell::Text(datetime(at)),
                Cell::Number(statement.into()),
                Cell::Number(participant.into()),
                Cell::Number(vote.into()),
            ]
        })
        .collect();
    let headings = ["timestamp", "datetime", "comment-id", "voter-id", "vote"].map(String::from);
    Ok(exports::csv(&headings, &cells, CsvDialect::Plain)?)
}

/// comments.csv as Pol.is exports it: each statement with its current agrees and
/// disagrees, moderation (1 shown, 0 waiting, −1 rejected) and text.
pub async fn comments_csv(state: &AppState, process: &Process) -> Result<Vec<u8>> {
    let tallies = store::tallies(&state.db, process.id).await?;
    let cells: Vec<Vec<Cell>> = store::statements(&state.db, process.id)
        .await?
        .into_iter()
        .map(|s| {
            let t = tallies.get(&s.number).copied().unwrap_or_default();
            vec![
                Cell::Number(s.created_at.timestamp_millis()),
                Cell::Text(datetime(s.created_at)),
                Cell::Number(s.number.into()),
                s.proposed_by.map_or(Cell::Text(String::new()), |p| Cell::Number(p.into())),
                Cell::Number(t.agree),
                Cell::Number(t.disagree),
                Cell::Number(match s.state {
                    StatementState::Accepted => 1,
                    StatementState::Pending => 0,
                    StatementState::Rejected => -1,
                }),
                Cell::Text(s.text),
            ]
        })
        .collect();
    let headings =
        ["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees", "moderated", "comment-body"]
            .map(String::from);
    Ok(exports::csv(&headings, &cells, CsvDialect::Plain)?)
}

/// The inputs as a table in the reader's language: when, text, core task, category, how
/// given, participant number, unit, role, hidden and why.
pub async fn inputs_table(state: &AppState, tr: &Tr, process: &Process) -> Result<(Vec<String>, Vec<Vec<Cell>>)> {
    let (inputs, _) = store::inputs(&state.db, process.id, InputsOf::All, i64::from(i32::MAX), 0).await?;
    let view = crate::organisation::org_cache(state).get(&state.db).await?;
    let unit = |u: Option<Uuid>| u.and_then(|u| view.unit(u)).map(|u| u.name.clone()).unwrap_or_default();
    let headings = [
        "export-created",
        "export-text",
        "export-core-task",
        "export-category",
        "export-channel",
        "export-participant",
        "export-unit",
        "export-role",
        "export-hidden",
    ]
    .map(|id| tr.t(&format!("process-{id}")))
    .to_vec();
    let rows = inputs
        .into_iter()
        .rev()
        .map(|i| {
            vec![
                Cell::Text(i.created_at.to_rfc3339()),
                Cell::Text(i.text),
                Cell::Text(i.core_task.unwrap_or_default()),
                Cell::Text(i.category.unwrap_or_default()),
                Cell::Text(i.channel.key().to_string()),
                Cell::Number(i.participant_number.into()),
                Cell::Text(unit(i.unit_id)),
                Cell::Text(i.role.unwrap_or_default()),
                Cell::Text(i.hidden_reason.unwrap_or_default()),
            ]
        })
        .collect();
    Ok((headings, rows))
}

/// The inputs as CSV for a Danish spreadsheet, or as XLSX.
pub async fn inputs_file(state: &AppState, tr: &Tr, process: &Process, xlsx: bool) -> Result<Vec<u8>> {
    let (headings, rows) = inputs_table(state, tr, process).await?;
    Ok(if xlsx {
        exports::xlsx(&tr.t("process-inputs"), &headings, &rows, &[22.0, 80.0])?
    } else {
        exports::csv(&headings, &rows, CsvDialect::DanishSpreadsheet)?
    })
}

/// The files a process can be exported as, by their names in the URL.
pub const FILES: [&str; 4] = ["votes.csv", "comments.csv", "inputs.csv", "inputs.xlsx"];

/// One export file of a process as a download, recorded in the audit log.
pub async fn download(
    state: &AppState,
    ctx: &crate::platform::web::Ctx,
    process: &Process,
    file: &str,
) -> Result<axum::response::Response> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let tr = ctx.tr();
    let (bytes, kind) = match file {
        "votes.csv" => (votes_csv(state, process).await?, "text/csv; charset=utf-8"),
        "comments.csv" => (comments_csv(state, process).await?, "text/csv; charset=utf-8"),
        "inputs.csv" => (inputs_file(state, &tr, process, false).await?, "text/csv; charset=utf-8"),
        "inputs.xlsx" => (
            inputs_file(state, &tr, process, true).await?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        _ => return Err(crate::platform::web::AppError::NotFound),
    };
    let entry = ctx.audit("process.exported").subject(store::AUDIT_KIND, process.id, &process.title).detail(file);
    crate::platform::audit::record(&state.db, Some(state.municipality), &entry).await?;
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        bytes,
    )
        .into_response())
}
