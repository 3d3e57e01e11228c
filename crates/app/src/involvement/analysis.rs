//! Processing a process's input with the analysis engines: opinion groups from the votes
//! (`analysis::opinions`, as `samskab analyse opinions`) and themes in the inputs
//! (`analysis::themes`, as `samskab analyse themes`). Each run continues from the previous
//! one's state, so groups and themes keep their numbers as votes and inputs arrive. A
//! result is kept with what it was computed from, and computed again only when that changed.

use std::collections::HashMap;

use analysis::opinions::{self, Options, Votes};
use analysis::themes::{self, Request};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{Process, StatementState};
use super::store::{self, AnalysisRun};
use crate::AppState;
use crate::platform::audit::AuditEntry;
use crate::platform::jobs::{JobContext, JobKind};
use crate::platform::module::BoxFuture;
use crate::platform::web::{AppError, Result};

pub const OPINIONS: &str = "opinions";
pub const THEMES: &str = "themes";

/// Themes as `samskab analyse themes` prints them (rows are the process's shown inputs, in
/// the order of `inputs`), with the input ids.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ThemesResult {
    pub themes: Vec<ThemeJson>,
    pub assignments: Vec<i64>,
    /// The input id of each row.
    pub inputs: Vec<Uuid>,
    /// The facilitators' pins and the theme each became.
    #[serde(default)]
    pub pins: Vec<PinnedTheme>,
}

/// A pin and its theme.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PinnedTheme {
    pub pin: Uuid,
    pub theme: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ThemeJson {
    pub id: usize,
    pub label: String,
    pub terms: Vec<String>,
    pub size: usize,
    pub examples: Vec<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Vec<usize>>,
}

/// What a themes run hands to the next: each input's theme.
#[derive(Default, Serialize, Deserialize)]
struct ThemesState {
    assignments: HashMap<Uuid, i64>,
}

/// The votes of a process as the engine reads them: participant and statement numbers,
/// agree 1 / disagree −1 / pass 0, in the order cast.
pub async fn votes(state: &AppState, process: Uuid) -> Result<Votes> {
    let rows = store::all_votes(&state.db, process).await?;
    let mut votes = Votes::with_capacity(rows.len());
    for v in rows {
        votes.push(&v.participant.to_string(), &v.statement.to_string(), v.vote as i8, v.at.timestamp_millis());
    }
    Ok(votes)
}

/// The current opinion groups of a process (JSON as `samskab analyse opinions`): the kept
/// result when nothing changed since, else a new run from the previous state.
pub async fn opinions(state: &AppState, process: &Process, entry: AuditEntry) -> Result<String> {
    let basis = store::analysis_basis(&state.db, process.id, OPINIONS).await?;
    let previous = store::latest_analysis(&state.db, process.id, OPINIONS).await?;
    if let Some((b, result, _, _)) = &previous
        && *b == basis
    {
        return Ok(result.clone());
    }
    let votes = votes(state, process.id).await?;
    let mut options = Options::default();
    for s in store::statements(&state.db, process.id).await? {
        if s.state != StatementState::Accepted {
            options.moderated_out.insert(s.number.to_string());
        }
    }
    let previous_state: Option<opinions::State> =
        previous.as_ref().and_then(|(_, _, state, _)| serde_json::from_str(state).ok());
    let (result, next) = tokio::task::spawn_blocking(move || {
        let (analysis, next) = opinions::analyse(&votes, &options, previous_state.as_ref());
        (serde_json::to_string(&analysis), serde_json::to_string(&next))
    })
    .await
    .map_err(|e| AppError::Internal(format!("opinion analysis: {e}")))?;
    let result = result.map_err(|e| AppError::Internal(format!("opinion analysis JSON: {e}")))?;
    let next = next.map_err(|e| AppError::Internal(format!("opinion state JSON: {e}")))?;
    let run = AnalysisRun { kind: OPINIONS, basis: &basis, result: &result, state: &next };
    store::save_analysis(&state.db, state.municipality, process, run, entry).await?;
    Ok(result)
}

/// The current themes of a process's shown inputs, continuing from the previous run.
pub async fn themes(state: &AppState, process: &Process, entry: AuditEntry) -> Result<ThemesResult> {
    let basis = format!(
        "{} {}",
        store::analysis_basis(&state.db, process.id, THEMES).await?,
        store::pins_basis(&state.db, process.id).await?
    );
    let previous = store::latest_analysis(&state.db, process.id, THEMES).await?;
    if let Some((b, result, _, _)) = &previous
        && *b == basis
        && let Ok(kept) = serde_json::from_str::<ThemesResult>(result)
    {
        return Ok(kept);
    }
    let earlier: ThemesState =
        previous.as_ref().and_then(|(_, _, state, _)| serde_json::from_str(state).ok()).unwrap_or_default();
    let inputs = store::visible_texts(&state.db, process.id).await?;
    let ids: Vec<Uuid> = inputs.iter().map(|(id, _)| *id).collect();
    let row_of: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(r, id)| (*id, r)).collect();
    let pins = store::theme_pins(&state.db, process.id).await?;
    let request = Request {
        previous: ids.iter().map(|id| earlier.assignments.get(id).copied().unwrap_or(-1)).collect(),
        texts: inputs.into_iter().map(|(_, text)| text).collect(),
        k: None,
        pins: pins
            .iter()
            .map(|p| themes::Pin {
                rows: p.inputs.iter().filter_map(|i| row_of.get(i).copied()).collect(),
                name: p.name.clone(),
            })
            .collect(),
    };
    let outcome = tokio::task::spawn_blocking(move || themes::themes(&request))
        .await
        .map_err(|e| AppError::Internal(format!("themes: {e}")))?;
    let result = ThemesResult {
        themes: outcome
            .themes
            .into_iter()
            .map(|t| ThemeJson {
                id: t.id,
                label: t.label,
                terms: t.terms,
                size: t.size,
                examples: t.examples,
                duplicates: t.duplicates,
            })
            .collect(),
        pins: pins
            .iter()
            .filter_map(|p| {
                let row = p.inputs.iter().find_map(|i| row_of.get(i))?;
                Some(PinnedTheme { pin: p.id, theme: *outcome.assignments.get(*row)? })
            })
            .collect(),
        assignments: outcome.assignments,
        inputs: ids,
    };
    let next =
        ThemesState { assignments: result.inputs.iter().copied().zip(result.assignments.iter().copied()).collect() };
    let json = serde_json::to_string(&result).map_err(|e| AppError::Internal(format!("themes JSON: {e}")))?;
    let next = serde_json::to_string(&next).map_err(|e| AppError::Internal(format!("themes state JSON: {e}")))?;
    let run = AnalysisRun { kind: THEMES, basis: &basis, result: &json, state: &next };
    store::save_analysis(&state.db, state.municipality, process, run, entry).await?;
    Ok(result)
}

/// Analyses a process in the background: opinion groups, then themes. Payload:
/// `{"process": id}`; the result links to the opinion page.
pub static ANALYSE: JobKind = JobKind { kind: "involvement.analyse", run: run_analysis };

fn run_analysis(ctx: JobContext) -> BoxFuture<'static, std::result::Result<serde_json::Value, String>> {
    Box::pin(async move {
        let state = &ctx.state;
        let id = ctx
            .job
            .payload
            .get("process")
            .and_then(|v| v.as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or("the job names no process")?;
        let process = store::get(&state.db, ctx.job.municipality_id, id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the process no longer exists")?;
        let entry = || AuditEntry::system("process.analysed", "job");
        ctx.progress(0.1, "opinions");
        opinions(state, &process, entry()).await.map_err(|e| format!("{e:?}"))?;
        ctx.progress(0.6, "themes");
        let themes = themes(state, &process, entry()).await.map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::json!({
            "href": format!("/processer/{id}/meninger"),
            "themes": themes.themes.len(),
        }))
    })
}
