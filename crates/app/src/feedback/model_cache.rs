//! The expected-response model of each outcome instrument, fitted on the municipality's own
//! series and kept for a while: a new series changes it little, and fitting reads every
//! answer of the instrument.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use analysis::measures::{Model, SeriesPoints, fit};
use uuid::Uuid;

use super::store;
use crate::AppState;
use crate::platform::web::Result;

/// How long a fitted model is used before it is fitted again.
const REFIT_AFTER: Duration = Duration::from_secs(15 * 60);

type Fitted = (Instant, Option<Arc<Model>>);

static MODELS: Mutex<Option<HashMap<Uuid, Fitted>>> = Mutex::new(None);

/// The instrument's model, or None while its own data is too little to fit one.
pub async fn model(state: &AppState, instrument: Uuid) -> Result<Option<Arc<Model>>> {
    let kept = MODELS.lock().ok().and_then(|m| m.as_ref().and_then(|m| m.get(&instrument).cloned()));
    if let Some((at, model)) = kept
        && at.elapsed() < REFIT_AFTER
    {
        return Ok(model);
    }
    refit(state, instrument).await
}

/// Fits the model now from every series of the instrument, and keeps it.
pub async fn refit(state: &AppState, instrument: Uuid) -> Result<Option<Arc<Model>>> {
    let fitted = fitted(state, instrument).await?;
    if let Ok(mut guard) = MODELS.lock() {
        guard.get_or_insert_with(HashMap::new).insert(instrument, (Instant::now(), fitted.clone()));
    }
    Ok(fitted)
}

async fn fitted(state: &AppState, instrument: Uuid) -> Result<Option<Arc<Model>>> {
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
    Ok(fit(&series).map(Arc::new))
}
