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

/// From this size on (current votes, or inputs for themes) a page does not wait for a new
/// run: it shows the kept result, and the analysis job brings it up to date. Below it a run
/// takes well under a second and is done at once.
pub const LAG_FROM_VOTES: i64 = 100_000;
pub const LAG_FROM_INPUTS: i64 = 5_000;
/// How long a large process's kept result is shown before the next look whether it is behind.
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// A result as pages read it: parsed once, shared.
struct Shown<T> {
    at: std::time::Instant,
    generation: u64,
    value: std::sync::Arc<T>,
    /// What the kept result shown was computed from: a look that finds the same keeps
    /// showing the same shared value (and the page parts worked out from it).
    kept: String,
    /// Set when a reader went to look again; the others keep showing this one meanwhile.
    looking: bool,
}

type ShownMap<T> = std::sync::LazyLock<std::sync::Mutex<HashMap<Uuid, Shown<T>>>>;
static SHOWN_OPINIONS: ShownMap<(String, serde_json::Value)> = std::sync::LazyLock::new(Default::default);
static SHOWN_THEMES: ShownMap<ThemesResult> = std::sync::LazyLock::new(Default::default);

/// Held while a large process's shown result is worked out.
static LOADING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The shown result while it is current; past [`LOOK_EVERY`] the first reader gets none
/// (and looks again) while the others go on showing it.
fn shown<T>(map: &ShownMap<T>, process: Uuid) -> Option<std::sync::Arc<T>> {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    let s = map.get_mut(&process)?;
    if s.generation != super::cache::generation() {
        return None;
    }
    if s.at.elapsed() < LOOK_EVERY || (s.looking && s.at.elapsed() < LOOK_EVERY * 4) {
        return Some(s.value.clone());
    }
    s.looking = true;
    None
}

/// The shown result if another reader has just worked it out (while this one waited).
fn just_shown<T>(map: &ShownMap<T>, process: Uuid) -> Option<std::sync::Arc<T>> {
    let map = map.lock().unwrap_or_else(|p| p.into_inner());
    let s = map.get(&process)?;
    (s.generation == super::cache::generation() && s.at.elapsed() < LOOK_EVERY).then(|| s.value.clone())
}

fn remember<T>(map: &ShownMap<T>, process: Uuid, generation: u64, value: std::sync::Arc<T>, kept: String) {
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    map.insert(process, Shown { at: std::time::Instant::now(), generation, value, kept, looking: false });
}

/// The value shown before for the kept result computed from `kept`, if it is that one.
fn shown_for<T>(map: &ShownMap<T>, process: Uuid, kept: &str) -> Option<std::sync::Arc<T>> {
    let map = map.lock().unwrap_or_else(|p| p.into_inner());
    map.get(&process).filter(|s| s.kept == kept).map(|s| s.value.clone())
}

/// Queues the analysis job of a process (once: a queued or running one is not doubled).
async fn catch_up(state: &AppState, process: &Process) -> Result<()> {
    let mut job =
        crate::platform::jobs::NewJob::new(ANALYSE.kind, serde_json::json!({ "process": process.id.to_string() }));
    job.dedupe_key = Some(format!("involvement.analyse:{}", process.id));
    crate::platform::jobs::store::enqueue(&state.db, state.municipality, &job).await?;
    Ok(())
}

/// The opinion groups for pages and the API: the JSON text and its parsed form. A small
/// process's are current ([`opinions`]); a large one's are the kept result, looked at
/// again every half minute and brought up to date by the analysis job when behind.
pub async fn shown_opinions(
    state: &AppState,
    process: &Process,
    entry: AuditEntry,
) -> Result<std::sync::Arc<(String, serde_json::Value)>> {
    if let Some(s) = shown(&SHOWN_OPINIONS, process.id) {
        return Ok(s);
    }
    // One reader works it out while the others wait for its result, not beside it.
    let _one = LOADING.lock().await;
    if let Some(s) = just_shown(&SHOWN_OPINIONS, process.id) {
        return Ok(s);
    }
    let generation = super::cache::generation();
    if store::current_votes(&state.db, process.id).await? >= LAG_FROM_VOTES
        && let Some(kept) = store::latest_basis(&state.db, process.id, OPINIONS).await?
    {
        if kept != store::analysis_basis(&state.db, process.id, OPINIONS).await? {
            catch_up(state, process).await?;
        }
        let value = match shown_for(&SHOWN_OPINIONS, process.id, &kept) {
            Some(v) => v,
            None => {
                let (_, text) =
                    store::latest_result(&state.db, process.id, OPINIONS).await?.ok_or(AppError::NotFound)?;
                let parsed: serde_json::Value =
                    serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("opinions JSON: {e}")))?;
                std::sync::Arc::new((text, parsed))
            }
        };
        remember(&SHOWN_OPINIONS, process.id, generation, value.clone(), kept);
        return Ok(value);
    }
    let text = opinions(state, process, entry).await?;
    let parsed: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("opinions JSON: {e}")))?;
    Ok(std::sync::Arc::new((text, parsed)))
}

/// The themes for pages and the API, as [`shown_opinions`] does for opinions.
pub async fn shown_themes(
    state: &AppState,
    process: &Process,
    entry: AuditEntry,
) -> Result<std::sync::Arc<ThemesResult>> {
    if let Some(s) = shown(&SHOWN_THEMES, process.id) {
        return Ok(s);
    }
    let _one = LOADING.lock().await;
    if let Some(s) = just_shown(&SHOWN_THEMES, process.id) {
        return Ok(s);
    }
    let generation = super::cache::generation();
    if store::counts(&state.db, process.id).await?.1 >= LAG_FROM_INPUTS
        && let Some(kept) = store::latest_basis(&state.db, process.id, THEMES).await?
    {
        let now = format!(
            "{} {}",
            store::analysis_basis(&state.db, process.id, THEMES).await?,
            store::pins_basis(&state.db, process.id).await?
        );
        if kept != now {
            catch_up(state, process).await?;
        }
        let value = match shown_for(&SHOWN_THEMES, process.id, &kept) {
            Some(v) => v,
            None => {
                let (_, text) = store::latest_result(&state.db, process.id, THEMES).await?.ok_or(AppError::NotFound)?;
                std::sync::Arc::new(
                    serde_json::from_str::<ThemesResult>(&text)
                        .map_err(|e| AppError::Internal(format!("themes JSON: {e}")))?,
                )
            }
        };
        remember(&SHOWN_THEMES, process.id, generation, value.clone(), kept);
        return Ok(value);
    }
    Ok(std::sync::Arc::new(themes(state, process, entry).await?))
}

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
        let started = std::time::Instant::now();
        opinions(state, &process, entry()).await.map_err(|e| format!("{e:?}"))?;
        let opinions_seconds = started.elapsed().as_secs_f64();
        ctx.progress(0.6, "themes");
        let started = std::time::Instant::now();
        let themes = themes(state, &process, entry()).await.map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::json!({
            "href": format!("/processer/{id}/meninger"),
            "themes": themes.themes.len(),
            // How long each part took, reading and keeping included (operators and the benchmark).
            "opinions_seconds": opinions_seconds,
            "themes_seconds": started.elapsed().as_secs_f64(),
        }))
    })
}
