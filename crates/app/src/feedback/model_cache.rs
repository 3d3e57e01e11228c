//! The expected-response model of each outcome instrument, fitted on the municipality's own
//! series and kept: a new answer queues a refit job (one per instrument at a time, a few
//! minutes later, so a day's sessions make one refit), and a kept fit older than
//! [`REFIT_AFTER`] is fitted again on the next read (another instance's answers, a restart).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use analysis::measures::{Model, SeriesPoints, fit, usable};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::store;
use crate::AppState;
use crate::platform::jobs::model::NewJob;
use crate::platform::jobs::{JobContext, JobKind};
use crate::platform::module::BoxFuture;
use crate::platform::web::Result;

/// How long a fitted model is used before a read fits it again.
const REFIT_AFTER: Duration = Duration::from_secs(60 * 60);
/// How long after an answer its refit job runs.
const REFIT_DELAY: chrono::Duration = chrono::Duration::minutes(5);

/// The refit of one instrument's model.
pub static REFITS: JobKind = JobKind { kind: "feedback.refit", run: run_refit };

/// A fit and what it was made from.
#[derive(Debug)]
pub struct Fitted {
    /// None while the own data is too little.
    pub model: Option<Model>,
    /// Series with an intake and a later score, and the later scores in all.
    pub series: usize,
    pub points: usize,
    pub fitted_at: DateTime<Utc>,
}

type Kept = (Instant, Arc<Fitted>);

static MODELS: Mutex<Option<HashMap<Uuid, Kept>>> = Mutex::new(None);

/// The instrument's fit as kept (fitted now if none is kept or it is old).
pub async fn fitted(state: &AppState, instrument: Uuid) -> Result<Arc<Fitted>> {
    let kept = MODELS.lock().ok().and_then(|m| m.as_ref().and_then(|m| m.get(&instrument).cloned()));
    if let Some((at, fitted)) = kept
        && at.elapsed() < REFIT_AFTER
    {
        return Ok(fitted);
    }
    refit(state, instrument).await
}

/// The instrument's model, or None while its own data is too little to fit one.
pub async fn model(state: &AppState, instrument: Uuid) -> Result<Option<Model>> {
    Ok(fitted(state, instrument).await?.model.clone())
}

/// Fits the model now from every series of the instrument, and keeps it.
pub async fn refit(state: &AppState, instrument: Uuid) -> Result<Arc<Fitted>> {
    let points = store::instrument_points(&state.db, instrument).await?;
    let mut series: Vec<SeriesPoints> = Vec::new();
    let mut current: Option<Uuid> = None;
    for (id, session, score) in points {
        if current != Some(id) {
            series.push(SeriesPoints { points: Vec::new() });
            current = Some(id);
        }
        if let (Some(s), Ok(n)) = (series.last_mut(), u32::try_from(session)) {
            s.points.push((n, score));
        }
    }
    let (used, later) = usable(&series);
    let fitted = Arc::new(Fitted { model: fit(&series), series: used, points: later, fitted_at: Utc::now() });
    if let Ok(mut guard) = MODELS.lock() {
        guard.get_or_insert_with(HashMap::new).insert(instrument, (Instant::now(), fitted.clone()));
    }
    Ok(fitted)
}

/// Queues the instrument's refit a few minutes from now (none if one is waiting).
pub async fn schedule_refit(state: &AppState, instrument: Uuid) -> Result<()> {
    let mut job = NewJob::new(REFITS.kind, serde_json::json!({ "instrument": instrument }));
    job.run_after = Some(Utc::now() + REFIT_DELAY);
    job.dedupe_key = Some(format!("refit:{instrument}"));
    crate::platform::jobs::store::enqueue(&state.db, state.municipality, &job).await?;
    Ok(())
}

fn run_refit(ctx: JobContext) -> BoxFuture<'static, std::result::Result<serde_json::Value, String>> {
    Box::pin(async move {
        let Some(instrument) = ctx.job.payload["instrument"].as_str().and_then(|s| Uuid::parse_str(s).ok()) else {
            return Err("the job names no instrument".to_string());
        };
        let fitted = refit(&ctx.state, instrument).await.map_err(|e| format!("{e:?}"))?;
        Ok(serde_json::json!({ "fitted": fitted.model.is_some(), "series": fitted.series, "points": fitted.points }))
    })
}
