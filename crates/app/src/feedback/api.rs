//! Feedback's JSON API: the instrument library, series and their answers, survey rounds with
//! answering by personal link, and aggregates along the organisation.

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
use crate::platform::permissions::reach;
use crate::platform::web::{AppError, Permit, Result, site_url};

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
        .get("/api/v1/participate/{token}/survey", Guard::Public, participate_form)
        .post("/api/v1/participate/{token}/responses", Guard::Public, participate)
        .get("/api/v1/aggregates", results, aggregate)
        .get("/api/v1/aggregates/tree", results, aggregate_tree)
        .get("/api/v1/aggregates/trend", results, aggregate_trend)
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
    participate_form,
    participate,
    aggregate,
    aggregate_tree,
    aggregate_trend
))]
pub struct Api;

/// The municipalities whose library this process has checked for the shipped instruments.
static LIBRARY_READY: Mutex<Option<HashSet<Uuid>>> = Mutex::new(None);

/// The library, with the shipped instruments added the first time it is read.
pub async fn ensure_library(state: &AppState) -> Result<()> {
    let ready = |m: Uuid| LIBRARY_READY.lock().is_ok_and(|r| r.as_ref().is_some_and(|r| r.contains(&m)));
    if !ready(state.municipality) {
        library::ensure(&state.db, state.municipality).await?;
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
fn check_instrument(tr: &Tr, input: &InstrumentInput) -> Result<()> {
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
    Ok(created(&Saved { id, key: input.key, version }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SubjectJson {
    /// citizen, family, person, unit or programme
    pub kind: String,
    /// A case reference for a citizen or family (never a CPR number), else an id.
    pub id: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewSeriesJson {
    /// The instrument's key or id.
    pub instrument: String,
    pub subject: SubjectJson,
    /// The team that follows it; default the professional's own unit.
    #[serde(default)]
    pub unit: Option<Uuid>,
    #[serde(default)]
    pub age: Option<i32>,
    #[serde(default)]
    pub label: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Ten digits, with or without a hyphen after six: what a CPR number looks like.
fn looks_like_cpr(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    digits.len() == 10 && digits.chars().all(|c| c.is_ascii_digit())
}

/// Starts a series for a subject.
#[utoipa::path(post, path = "/api/v1/series", tag = "feedback", request_body = NewSeriesJson,
    responses((status = 201, body = Created), (status = 400, body = Problem)))]
pub async fn create_series(
    State(state): State<AppState>,
    permit: Permit<FollowSeries>,
    ApiJson(body): ApiJson<NewSeriesJson>,
) -> Result<Response> {
    let id = start_series(&state, &permit, body).await?;
    Ok(created(&Created { id }))
}

/// Checks and starts a series (the API's and the page's way).
pub async fn start_series(state: &AppState, permit: &Permit<FollowSeries>, body: NewSeriesJson) -> Result<Uuid> {
    let tr = permit.tr();
    let instrument = instrument_of(state, &tr, &body.instrument).await?;
    if instrument.purpose == Purpose::Survey {
        return Err(AppError::BadRequest(tr.t("feedback-error-series-survey")));
    }
    let kind = SubjectKind::parse(body.subject.kind.trim())
        .ok_or_else(|| AppError::BadRequest(tr.t("feedback-error-subject-kind")))?;
    let subject = body.subject.id.trim().to_string();
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let valid = match kind {
        SubjectKind::Citizen | SubjectKind::Family => {
            !subject.is_empty() && subject.chars().count() <= NAME_MAX_CHARS && !looks_like_cpr(&subject)
        }
        SubjectKind::Person => Uuid::parse_str(&subject).ok().is_some_and(|p| org.person(p).is_some()),
        SubjectKind::Unit => Uuid::parse_str(&subject).ok().is_some_and(|u| org.unit(u).is_some()),
        SubjectKind::Programme => Uuid::parse_str(&subject).is_ok(),
    };
    if !valid {
        return Err(AppError::BadRequest(tr.t1("feedback-error-subject", "kind", kind.key())));
    }
    let own_unit = permit.user.account.person_id.and_then(|p| org.person(p)).map(|p| p.unit);
    let unit = body.unit.or(own_unit);
    if let Some(u) = unit
        && org.unit(u).is_none()
    {
        return Err(AppError::BadRequest(tr.t("feedback-error-unit")));
    }
    if body.age.is_some_and(|a| !(0..=130).contains(&a)) {
        return Err(AppError::BadRequest(tr.t("feedback-error-age")));
    }
    let label = body.label.unwrap_or_default();
    if label.chars().count() > NAME_MAX_CHARS || looks_like_cpr(&label) {
        return Err(AppError::BadRequest(tr.t("feedback-error-label")));
    }
    let new = store::NewSeries {
        instrument: instrument.id,
        subject_kind: kind,
        subject: &subject,
        unit,
        owner: Some(permit.user.account.id),
        age: body.age,
        label: &label,
    };
    Ok(store::create_series(&state.db, state.municipality, &new, permit.ctx.audit("series.created")).await?)
}

/// A series the user may follow: their own, or one of a unit in their part of the
/// organisation when they supervise there. Others' series are a 404, not a 403: that a
/// citizen has a series is itself personal.
pub async fn series_of(state: &AppState, permit: &Permit<FollowSeries>, id: &str) -> Result<Series> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let series = store::series(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    if series.owner_account_id == Some(permit.user.account.id) {
        return Ok(series);
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let supervised = series
        .unit_id
        .and_then(|u| org.unit(u))
        .is_some_and(|u| reach(&permit.user.grants, &actions::SUPERVISE).covers(u.tree_left, u.depth));
    if supervised { Ok(series) } else { Err(AppError::NotFound) }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ResponseJson {
    /// Item key → value (a number, or text for a free-text item).
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
    /// The session number; default the next of this rater's.
    #[serde(default)]
    pub session: Option<i32>,
    /// `self` (default), a collateral rater (`family`, `teacher`, …) or a 360° rater group.
    #[serde(default)]
    pub rater: Option<String>,
}

/// The answers as the engine takes them, or a message naming what is wrong.
fn answers_of(
    tr: &Tr,
    definition: &Definition,
    raw: &BTreeMap<String, serde_json::Value>,
) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for (key, value) in raw {
        let v = match value {
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) if s.chars().count() <= TEXT_MAX_CHARS => Value::Text(s.clone()),
            serde_json::Value::Null => continue,
            _ => return Err(AppError::BadRequest(tr.t1("feedback-error-value", "item", key))),
        };
        out.push((key.clone(), v));
    }
    definition.score(&out).map_err(|e| AppError::BadRequest(answer_error(tr, &e)))?;
    Ok(out)
}

fn answer_error(tr: &Tr, e: &AnswerError) -> String {
    match e {
        AnswerError::UnknownItem(item) => tr.t1("feedback-error-unknown-item", "item", item),
        AnswerError::OutOfRange { item, min, max } => {
            tr.ta("feedback-error-range", &[("item", item), ("min", &fmt_number(*min)), ("max", &fmt_number(*max))])
        }
        AnswerError::NotANumber(item) => tr.t1("feedback-error-value", "item", item),
        AnswerError::Missing(item) => tr.t1("feedback-error-missing", "item", item),
    }
}

fn fmt_number(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x}") }
}

fn answers_json(answers: &[(String, Value)]) -> String {
    let map: BTreeMap<&str, &Value> = answers.iter().map(|(k, v)| (k.as_str(), v)).collect();
    serde_json::to_string(&map).unwrap_or_default()
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ScoredJson {
    pub id: Uuid,
    pub session: i32,
    pub score: f64,
    /// Each subscale's score.
    #[schema(value_type = Object)]
    pub subscales: BTreeMap<String, f64>,
}

/// The expected-response model of an outcome instrument, as fitted on the municipality's own
/// series: change = ln(session) · (a + b · (intake − centre)), the band ± sigma.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ModelJson {
    pub instrument: String,
    /// Whether there was enough own data to fit it.
    pub fitted: bool,
    pub a: Option<f64>,
    pub b: Option<f64>,
    pub centre: Option<f64>,
    pub sigma: Option<f64>,
    pub r_squared: Option<f64>,
    /// Series with an intake and a later score, and the later scores in all.
    pub series: usize,
    pub points: usize,
    /// The least of each it is fitted on.
    pub min_series: usize,
    pub min_points: usize,
    pub fitted_at: chrono::DateTime<chrono::Utc>,
}

/// The model of an instrument and what it was fitted on.
pub async fn model_of(state: &AppState, instrument: &Instrument) -> Result<ModelJson> {
    let f = super::model_cache::fitted(state, instrument.id).await?;
    let m = f.model.as_ref();
    Ok(ModelJson {
        instrument: instrument.key.clone(),
        fitted: m.is_some(),
        a: m.map(|m| m.a),
        b: m.map(|m| m.b),
        centre: m.map(|m| m.centre),
        sigma: m.map(|m| m.sigma),
        r_squared: m.map(|m| m.r_squared),
        series: f.series,
        points: f.points,
        min_series: measures::MODEL_MIN_SERIES,
        min_points: measures::MODEL_MIN_POINTS,
        fitted_at: f.fitted_at,
    })
}

#[utoipa::path(get, path = "/api/v1/instruments/{key}/model", tag = "feedback",
    params(("key" = String, Path, description = "The instrument's key or id")),
    responses((status = 200, body = ModelJson), (status = 404, body = Problem)))]
pub async fn get_model(
    State(state): State<AppState>,
    permit: Permit<ReadFeedback>,
    Path(key): Path<String>,
) -> Result<Response> {
    let instrument = instrument_of(&state, &permit.tr(), &key).await?;
    if instrument.purpose == Purpose::Survey {
        return Err(AppError::NotFound);
    }
    Ok(json(&model_of(&state, &instrument).await?))
}

/// Adds an answer to a series: given by the subject, a collateral rater, or entered by the
/// professional (paper scores afterwards with their session number).
#[utoipa::path(post, path = "/api/v1/series/{id}/responses", tag = "feedback", request_body = ResponseJson,
    responses((status = 201, body = ScoredJson), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn add_response(
    State(state): State<AppState>,
    permit: Permit<FollowSeries>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResponseJson>,
) -> Result<Response> {
    Ok(created(&answer_series(&state, &permit, &id, body).await?))
}

/// Checks, scores and keeps an answer in a series (the API's and the page's way).
pub async fn answer_series(
    state: &AppState,
    permit: &Permit<FollowSeries>,
    id: &str,
    body: ResponseJson,
) -> Result<ScoredJson> {
    let tr = permit.tr();
    let series = series_of(state, permit, id).await?;
    let instrument = instrument_of(state, &tr, &series.instrument_id.to_string()).await?;
    let rater = body.rater.as_deref().map(str::trim).filter(|r| !r.is_empty()).unwrap_or("self").to_string();
    let rater_ok = (1..=30).contains(&rater.len())
        && rater.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && (instrument.definition.raters.is_empty() || instrument.definition.raters.iter().any(|g| g.key == rater));
    if !rater_ok {
        return Err(AppError::BadRequest(tr.t("feedback-error-rater")));
    }
    if body.session.is_some_and(|s| !(1..=1000).contains(&s)) {
        return Err(AppError::BadRequest(tr.t("feedback-error-session")));
    }
    let answers = answers_of(&tr, &instrument.definition, &body.answers)?;
    let scored = instrument.definition.score(&answers).map_err(|e| AppError::BadRequest(answer_error(&tr, &e)))?;
    let raw = answers_json(&answers);
    let new = store::NewResponse {
        instrument: instrument.id,
        version: instrument.version,
        session: body.session,
        rater: &rater,
        answers: &raw,
        score: scored.score,
        answered_on: today(),
    };
    let entry = permit.ctx.audit("series.answered");
    let (id, session) = store::add_series_response(&state.db, state.municipality, &series, &new, entry)
        .await?
        .ok_or_else(|| AppError::Conflict(tr.t("feedback-error-session-taken")))?;
    super::model_cache::schedule_refit(state, instrument.id).await?;
    Ok(ScoredJson { id, session, score: scored.score, subscales: scored.subscales.into_iter().collect() })
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BandPoint {
    pub session: i32,
    pub low: f64,
    pub expected: f64,
    pub high: f64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SeriesJson {
    pub series: Series,
    pub instrument: String,
    pub cutoff: Option<f64>,
    pub rci: Option<f64>,
    /// Every answer, each rater's in session order.
    pub scores: Vec<SeriesResponse>,
    /// The subject's own change from the first session to the last (Jacobson & Truax).
    #[schema(value_type = String)]
    pub change: Change,
    #[schema(value_type = Vec<String>)]
    pub flags: Vec<Flag>,
    /// `on_track`, `not_on_track` (below the expected band), `no_band` (too little own data,
    /// or too few sessions) or `no_scores`.
    pub status: String,
    /// The expected band for the subject's intake, session by session, from the
    /// municipality's own series; empty when there is too little data to draw one.
    pub expected: Vec<BandPoint>,
}

/// A series with its scores, reliable change, validity flags, status and expected band.
#[utoipa::path(get, path = "/api/v1/series/{id}", tag = "feedback",
    responses((status = 200, body = SeriesJson), (status = 404, body = Problem)))]
pub async fn get_series(
    State(state): State<AppState>,
    permit: Permit<FollowSeries>,
    Path(id): Path<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let series = series_of(&state, &permit, &id).await?;
    let instrument = instrument_of(&state, &tr, &series.instrument_id.to_string()).await?;
    Ok(json(&series_view(&state, series, &instrument).await?))
}

/// A series with what its scores say: change, flags, status and the expected band.
pub async fn series_view(state: &AppState, series: Series, instrument: &Instrument) -> Result<SeriesJson> {
    let d = &instrument.definition;
    let (cutoff, rci) = d.thresholds(series.age.and_then(|a| u32::try_from(a).ok()));
    let scores = store::series_responses(&state.db, series.id).await?;
    let own: Vec<&SeriesResponse> = scores.iter().filter(|r| r.rater == "self").collect();
    let change = match (own.first(), own.last()) {
        (Some(first), Some(last)) if own.len() >= 2 => {
            measures::change(first.score, last.score, cutoff, rci, d.higher_is_better)
        }
        _ => Change::Unknown,
    };
    let values: Vec<f64> = own.iter().map(|r| r.score).collect();
    let flags = measures::flags(&values, cutoff, rci, d.higher_is_better);
    let model = super::model_cache::model(state, instrument.id).await?;
    let (status, expected) = match (own.iter().find(|r| r.session == 1), &model) {
        (None, _) if own.is_empty() => ("no_scores", Vec::new()),
        (Some(intake), Some(m)) => {
            let last_session = own.last().map_or(1, |r| r.session).max(6);
            let band = (1..=last_session)
                .map(|s| {
                    let (mid, low, high) = m.expected(intake.score, s as u32);
                    BandPoint { session: s, low: round1(low), expected: round1(mid), high: round1(high) }
                })
                .collect();
            let latest = own.last().filter(|r| r.session > 1);
            let off = latest.is_some_and(|r| m.off_track(intake.score, r.session as u32, r.score, d.higher_is_better));
            (
                if latest.is_none() {
                    "no_band"
                } else if off {
                    "not_on_track"
                } else {
                    "on_track"
                },
                band,
            )
        }
        _ => ("no_band", Vec::new()),
    };
    Ok(SeriesJson {
        series,
        instrument: instrument.key.clone(),
        cutoff,
        rci,
        scores,
        change,
        flags,
        status: status.into(),
        expected,
    })
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewRoundJson {
    /// The instrument's key or id (a survey: WHO-5, a pulse).
    pub instrument: String,
    /// The units sent to; everyone engaged in them and the units below gets a personal link.
    pub units: Vec<Uuid>,
    /// First and last day (YYYY-MM-DD, both included).
    pub opens: String,
    pub closes: String,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundLink {
    pub person: Uuid,
    pub unit: Uuid,
    /// The secret of the personal link `/api/v1/participate/{token}` (shown once).
    pub token: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundCreated {
    pub id: Uuid,
    /// How many personal links were made.
    pub links: usize,
    /// How many of them went out by e-mail (the rest have no usable address).
    pub mailed: usize,
    /// The personal links, to hand out (shown this once).
    pub tokens: Vec<RoundLink>,
}

/// Sends a survey round to units: a personal link per person engaged in them or below, by
/// e-mail to those with an address, and all of them in the answer (shown this once).
#[utoipa::path(post, path = "/api/v1/rounds", tag = "feedback", request_body = NewRoundJson,
    responses((status = 201, body = RoundCreated), (status = 400, body = Problem)))]
pub async fn create_round(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewRoundJson>,
) -> Result<Response> {
    let site = site_url(&state, &headers);
    Ok(created(&super::rounds::start(&state, &permit, body, &site).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundList {
    pub items: Vec<super::rounds::RoundSummary>,
}

/// The survey rounds, the latest first; how many answered only once a round has closed.
#[utoipa::path(get, path = "/api/v1/rounds", tag = "feedback", responses((status = 200, body = RoundList)))]
pub async fn list_rounds(State(state): State<AppState>, _permit: Permit<ManageFeedback>) -> Result<Response> {
    Ok(json(&RoundList { items: super::rounds::summaries(&state).await? }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ParticipateJson {
    pub round: String,
    pub instrument: String,
    pub licence: String,
    #[schema(value_type = Object)]
    pub definition: Definition,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub answered: bool,
}

/// What a personal link's holder is asked (no sign-in; the link is the pass).
#[utoipa::path(get, path = "/api/v1/participate/{token}/survey", tag = "feedback",
    responses((status = 200, body = ParticipateJson), (status = 404, body = Problem)))]
pub async fn participate_form(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let hash = crate::platform::accounts::hash_token(token.trim());
    let (round, _, answered) = store::link(&state.db, state.municipality, &hash).await?.ok_or(AppError::NotFound)?;
    let definition =
        store::definition_at(&state.db, round.instrument_id, round.version).await?.ok_or(AppError::NotFound)?;
    let instrument = store::instrument_by(&state.db, state.municipality, &round.instrument_id.to_string())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(json(&ParticipateJson {
        round: round.title,
        instrument: instrument.name,
        licence: instrument.licence,
        definition,
        opens: round.opens,
        closes: round.closes,
        answered,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AnswerJson {
    /// Item key → value.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Answered {
    pub score: f64,
}

/// Answers a round through a personal link: once, while the round is open. The answer is
/// kept with the unit and the day, never with the person.
#[utoipa::path(post, path = "/api/v1/participate/{token}/responses", tag = "feedback", request_body = AnswerJson,
    responses((status = 201, body = Answered), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn participate(
    State(state): State<AppState>,
    ctx: crate::platform::web::Ctx,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<AnswerJson>,
) -> Result<Response> {
    let tr = ctx.tr();
    let link = link_of(&state, &tr, &token).await?;
    let answers = answers_of(&tr, &link.definition, &body.answers)?;
    let score = answer_by_link(&state, &tr, &link, &answers).await?;
    Ok(created(&Answered { score }))
}

/// A personal link to a round that may still answer: its round, unit and definition.
pub struct OpenLink {
    pub hash: String,
    pub round: Round,
    pub unit: Uuid,
    pub definition: Definition,
}

/// The link behind a token: 404 unknown; 409 already answered or the round not open.
pub async fn link_of(state: &AppState, tr: &Tr, token: &str) -> Result<OpenLink> {
    link_by_hash(state, tr, crate::platform::accounts::hash_token(token.trim())).await
}

/// The link behind a token's hash (the signed-in door finds it by the person).
pub async fn link_by_hash(state: &AppState, tr: &Tr, hash: String) -> Result<OpenLink> {
    let (round, unit, answered) = store::link(&state.db, state.municipality, &hash).await?.ok_or(AppError::NotFound)?;
    if answered {
        return Err(AppError::Conflict(tr.t("feedback-error-answered")));
    }
    if !round.is_open(today()) {
        return Err(AppError::Conflict(tr.t("feedback-error-round-closed")));
    }
    let definition =
        store::definition_at(&state.db, round.instrument_id, round.version).await?.ok_or(AppError::NotFound)?;
    Ok(OpenLink { hash, round, unit, definition })
}

/// Scores and keeps an answer given through a link (the API's and the page's way). Returns
/// the score; a 400 naming the item for a bad answer, a 409 when the link has answered.
pub async fn answer_by_link(state: &AppState, tr: &Tr, link: &OpenLink, answers: &[(String, Value)]) -> Result<f64> {
    let definition = &link.definition;
    let scored = definition.score(answers).map_err(|e| AppError::BadRequest(answer_error(tr, &e)))?;
    let items: Vec<(String, f64)> = answers
        .iter()
        .filter_map(|(k, v)| {
            let x = match v {
                Value::Number(x) => *x,
                Value::Text(t) => t.trim().replace(',', ".").parse().ok()?,
            };
            definition.items.iter().any(|i| &i.key == k && i.scale.bounds().is_some()).then(|| (k.clone(), x))
        })
        .collect();
    let raw = answers_json(answers);
    let new = store::NewResponse {
        instrument: link.round.instrument_id,
        version: link.round.version,
        session: None,
        rater: "self",
        answers: &raw,
        score: scored.score,
        answered_on: today(),
    };
    if !store::answer_round(&state.db, &link.hash, &link.round, link.unit, &new, &items).await? {
        return Err(AppError::Conflict(tr.t("feedback-error-answered")));
    }
    Ok(scored.score)
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct AggregateQuery {
    /// The instrument's key or id.
    pub instrument: String,
    /// The unit (for `/api/v1/aggregates`).
    #[serde(default)]
    pub unit: Option<String>,
    /// Whether the unit's whole subtree counts (default true) or only its own people.
    #[serde(default)]
    pub subtree: Option<bool>,
    /// The round; default the latest that has closed.
    #[serde(default)]
    pub round: Option<String>,
    /// An item's key; default the score.
    #[serde(default)]
    pub item: Option<String>,
}

/// The round asked for, or the instrument's latest closed one; and the item.
pub async fn round_for(state: &AppState, tr: &Tr, q: &AggregateQuery) -> Result<(Instrument, Round, String)> {
    let instrument = instrument_of(state, tr, &q.instrument).await?;
    let round = match q.round.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(raw) => {
            let id = Uuid::parse_str(raw).map_err(|_| AppError::BadRequest(tr.t("feedback-error-round")))?;
            store::round(&state.db, state.municipality, id)
                .await?
                .filter(|r| r.instrument_id == instrument.id)
                .ok_or_else(|| AppError::BadRequest(tr.t("feedback-error-round")))?
        }
        None => store::rounds(&state.db, instrument.id)
            .await?
            .into_iter()
            .find(|r| r.is_closed(today()))
            .ok_or_else(|| AppError::BadRequest(tr.t("feedback-error-no-closed-round")))?,
    };
    let item = q.item.clone().unwrap_or_default();
    if !item.is_empty() && !instrument.definition.items.iter().any(|i| i.key == item && i.scale.bounds().is_some()) {
        return Err(AppError::BadRequest(tr.t1("feedback-error-unknown-item", "item", &item)));
    }
    Ok((instrument, round, item))
}

/// The query's unit, if the reader's part covers it: 400 unknown, 403 outside.
async fn unit_in_reach(
    state: &AppState,
    permit: &Permit<SeeResults>,
    tr: &Tr,
    q: &AggregateQuery,
) -> Result<crate::organisation::model::Unit> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let unit = q
        .unit
        .as_deref()
        .and_then(|u| Uuid::parse_str(u.trim()).ok())
        .and_then(|u| org.unit(u).cloned())
        .ok_or_else(|| AppError::BadRequest(tr.t("feedback-error-unit")))?;
    if !permit.reach().covers(unit.tree_left, unit.depth) {
        return Err(AppError::Forbidden);
    }
    Ok(unit)
}

/// A unit's figure for a round: its subtree's or only its own people's; `{"suppressed":
/// true}` when it covers fewer than the instrument's threshold or could be worked out from
/// figures that are shown, and while the round is open.
#[utoipa::path(get, path = "/api/v1/aggregates", tag = "feedback", params(AggregateQuery),
    responses((status = 200, body = Figure), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn aggregate(
    State(state): State<AppState>,
    permit: Permit<SeeResults>,
    Query(q): Query<AggregateQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let unit = unit_in_reach(&state, &permit, &tr, &q).await?;
    let (instrument, round, item) = round_for(&state, &tr, &q).await?;
    if !round.is_closed(today()) {
        return Ok(json(&Figure::Suppressed { suppressed: true, reason: "open".into() }));
    }
    let table = aggregates::table(&state, &round, &item, i64::from(instrument.min_answers)).await?;
    let figures = table.units.get(&unit.id).ok_or(AppError::NotFound)?;
    Ok(json(if q.subtree.unwrap_or(true) { &figures.subtree } else { &figures.own }))
}

/// A unit's figure over the instrument's closed rounds, oldest first (`round` is ignored).
#[utoipa::path(get, path = "/api/v1/aggregates/trend", tag = "feedback", params(AggregateQuery),
    responses((status = 200, body = [aggregates::Wave]), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn aggregate_trend(
    State(state): State<AppState>,
    permit: Permit<SeeResults>,
    Query(q): Query<AggregateQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let unit = unit_in_reach(&state, &permit, &tr, &q).await?;
    let instrument = instrument_of(&state, &tr, &q.instrument).await?;
    let item = q.item.clone().unwrap_or_default();
    if !item.is_empty() && !instrument.definition.items.iter().any(|i| i.key == item && i.scale.bounds().is_some()) {
        return Err(AppError::BadRequest(tr.t1("feedback-error-unknown-item", "item", &item)));
    }
    Ok(json(&aggregates::trend(&state, &instrument, unit.id, q.subtree.unwrap_or(true), &item).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct TreeRow {
    pub unit: Uuid,
    pub name: String,
    pub parent: Option<Uuid>,
    /// The unit's own people.
    #[serde(rename = "self")]
    pub own: Figure,
    /// The unit and every unit below it.
    pub subtree: Figure,
}

/// Every unit in the caller's part of the organisation with its own and its subtree's figure.
#[utoipa::path(get, path = "/api/v1/aggregates/tree", tag = "feedback", params(AggregateQuery),
    responses((status = 200, body = [TreeRow]), (status = 400, body = Problem)))]
pub async fn aggregate_tree(
    State(state): State<AppState>,
    permit: Permit<SeeResults>,
    Query(q): Query<AggregateQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let (instrument, round, item) = round_for(&state, &tr, &q).await?;
    let org = crate::organisation::org_cache(&state).get(&state.db).await?;
    let reach = permit.reach();
    let open = !round.is_closed(today());
    let table = if open {
        None
    } else {
        Some(aggregates::table(&state, &round, &item, i64::from(instrument.min_answers)).await?)
    };
    let rows: Vec<TreeRow> = org
        .all_units()
        .filter(|u| reach.covers(u.tree_left, u.depth))
        .map(|u| {
            let hidden = || Figure::Suppressed { suppressed: true, reason: "open".into() };
            let figures = table.as_ref().and_then(|t| t.units.get(&u.id));
            TreeRow {
                unit: u.id,
                name: u.name.clone(),
                parent: u.parent_id,
                own: figures.map(|f| f.own.clone()).unwrap_or_else(hidden),
                subtree: figures.map(|f| f.subtree.clone()).unwrap_or_else(hidden),
            }
        })
        .collect();
    Ok(json(&rows))
}
