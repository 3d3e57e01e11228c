//! Feedback's JSON API: the instrument library (here), series and their answers with the
//! expected-response model (`series.rs`), survey rounds and answering by personal link
//! (`surveys.rs`), 360° reports (`evaluations.rs`) and aggregates along the organisation
//! (`results.rs`).

mod evaluations;
mod results;
mod series;
mod surveys;

pub use evaluations::*;
pub use results::*;
pub use series::*;
pub use surveys::*;

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use analysis::measures::{self, AnswerError, Change, Definition, Flag, Value};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::aggregates::{self, Figure};
use super::model::*;
use super::{FollowSeries, ManageFeedback, ReadFeedback, SeeResults, actions, library, store};
use crate::AppState;
use crate::platform::api::{ApiJson, Problem, created, json};
use crate::platform::i18n::{Tr, today};
use crate::platform::module::{Guard, Routes};
use crate::platform::participants::{self, CODE_LENGTH};
use crate::platform::permissions::reach;
use crate::platform::web::{AppError, Ctx, Permit, Result, site_url};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    let follow = Guard::Action(&actions::FOLLOW);
    let results = Guard::Action(&actions::RESULTS);
    Routes::new()
        .get("/api/v1/instruments", read, list_instruments)
        .post("/api/v1/instruments", manage, add_instrument)
        .get("/api/v1/instruments/{key}", read, get_instrument)
        .get("/api/v1/instruments/{key}/model", read, get_model)
        .post("/api/v1/series", follow, create_series)
        .get("/api/v1/series/{id}", follow, get_series)
        .post("/api/v1/series/{id}/responses", follow, add_response)
        .post("/api/v1/rounds", manage, create_round)
        .get("/api/v1/rounds", manage, list_rounds)
        .post("/api/v1/rounds/{id}/codes", manage, create_code)
        .get("/api/v1/rounds/{id}/evaluations", manage, list_evaluated)
        .get("/api/v1/rounds/{id}/results", manage, get_round_results)
        .get("/api/v1/rounds/{id}/evaluations/{subject}", read, get_evaluation)
        .get("/api/v1/evaluations", read, own_evaluations)
        .get("/api/v1/participate/{token}/survey", Guard::Public, participate_form)
        .post("/api/v1/participate/{token}/responses", Guard::Public, participate)
        .get("/api/v1/aggregates", results, aggregate)
        .get("/api/v1/aggregates/tree", results, aggregate_tree)
        .get("/api/v1/aggregates/trend", results, aggregate_trend)
        .get("/api/v1/aggregates/funnel", results, aggregate_funnel)
        .get("/api/v1/aggregates/effect", results, aggregate_effect)
        .get("/api/v1/aggregates/texts", results, aggregate_texts)
}

#[derive(OpenApi)]
#[openapi(paths(
    list_instruments,
    add_instrument,
    get_instrument,
    get_model,
    create_series,
    get_series,
    add_response,
    create_round,
    list_rounds,
    create_code,
    list_evaluated,
    get_round_results,
    get_evaluation,
    own_evaluations,
    participate_form,
    participate,
    aggregate,
    aggregate_tree,
    aggregate_trend,
    aggregate_funnel,
    aggregate_effect,
    aggregate_texts
))]
pub struct Api;

/// The municipalities whose library this process has checked for the shipped instruments.
static LIBRARY_READY: Mutex<Option<HashSet<Uuid>>> = Mutex::new(None);

/// The library, with the shipped instruments added the first time it is read.
pub async fn ensure_library(state: &AppState) -> Result<()> {
    let ready = |m: Uuid| LIBRARY_READY.lock().is_ok_and(|r| r.as_ref().is_some_and(|r| r.contains(&m)));
    if !ready(state.municipality) {
        library::ensure(&state.db, state.municipality).await?;
        forget_closed_rounds();
        if let Ok(mut r) = LIBRARY_READY.lock() {
            r.get_or_insert_with(HashSet::new).insert(state.municipality);
        }
    }
    Ok(())
}

pub async fn instrument_of(state: &AppState, tr: &Tr, key: &str) -> Result<Instrument> {
    ensure_library(state).await?;
    store::instrument_by(&state.db, state.municipality, key.trim())
        .await?
        .ok_or_else(|| AppError::BadRequest(tr.t1("feedback-error-instrument", "instrument", key)))
}

/// The instrument library.
#[utoipa::path(get, path = "/api/v1/instruments", tag = "feedback", responses((status = 200, body = [Instrument])))]
pub async fn list_instruments(State(state): State<AppState>, _permit: Permit<ReadFeedback>) -> Result<Response> {
    ensure_library(&state).await?;
    Ok(json(&store::instruments(&state.db, state.municipality).await?))
}

/// One instrument by key or id.
#[utoipa::path(get, path = "/api/v1/instruments/{key}", tag = "feedback",
    responses((status = 200, body = Instrument), (status = 404, body = Problem)))]
pub async fn get_instrument(
    State(state): State<AppState>,
    _permit: Permit<ReadFeedback>,
    Path(key): Path<String>,
) -> Result<Response> {
    ensure_library(&state).await?;
    let found = store::instrument_by(&state.db, state.municipality, &key).await?.ok_or(AppError::NotFound)?;
    Ok(json(&found))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Saved {
    pub id: Uuid,
    pub key: String,
    pub version: i32,
}

/// Checks an instrument as sent: a key of small letters, digits and hyphens, a name, a
/// definition that scores, and thresholds of at least 3.
pub(super) fn check_instrument(tr: &Tr, input: &InstrumentInput) -> Result<()> {
    let key_ok = (1..=40).contains(&input.key.len())
        && input.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let bad = |id: &str| Err(AppError::BadRequest(tr.t(id)));
    if !key_ok {
        return bad("feedback-error-key");
    }
    if input.name.trim().is_empty() || input.name.chars().count() > NAME_MAX_CHARS {
        return bad("feedback-error-name");
    }
    if input.definition.items.len() > ITEMS_MAX {
        return Err(AppError::BadRequest(tr.t1("feedback-error-items", "max", ITEMS_MAX)));
    }
    if input.min_answers < 3 || input.min_text_answers < input.min_answers {
        return bad("feedback-error-threshold");
    }
    input.definition.check().map_err(|why| AppError::BadRequest(tr.t1("feedback-error-definition", "why", why)))
}

/// Adds an instrument to the library, or a new version of one (same key). Answers already
/// given keep their version.
#[utoipa::path(post, path = "/api/v1/instruments", tag = "feedback", request_body = InstrumentInput,
    responses((status = 201, body = Saved), (status = 400, body = Problem)))]
pub async fn add_instrument(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    ApiJson(input): ApiJson<InstrumentInput>,
) -> Result<Response> {
    ensure_library(&state).await?;
    check_instrument(&permit.tr(), &input)?;
    let entry = permit.ctx.audit("instrument.saved");
    let (id, version) = store::save_instrument(&state.db, state.municipality, &input, entry).await?;
    forget_closed_rounds();
    Ok(created(&Saved { id, key: input.key, version }))
}
