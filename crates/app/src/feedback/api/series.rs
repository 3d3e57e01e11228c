//! Series of a subject's answers: made, answered (by the subject, a collateral rater or from
//! paper), read with change, flags and the expected band; the model behind the band.

use super::*;

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
pub(super) fn looks_like_cpr(s: &str) -> bool {
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
    // Any instrument may follow one subject: a jobcentre follows a citizen's well-being with
    // WHO-5 as a family team follows its outcome scale.
    let instrument = instrument_of(state, &tr, &body.instrument).await?;
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
pub(super) fn answers_of(
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

pub(super) fn answer_error(tr: &Tr, e: &AnswerError) -> String {
    match e {
        AnswerError::UnknownItem(item) => tr.t1("feedback-error-unknown-item", "item", item),
        AnswerError::OutOfRange { item, min, max } => {
            tr.ta("feedback-error-range", &[("item", item), ("min", &fmt_number(*min)), ("max", &fmt_number(*max))])
        }
        AnswerError::NotANumber(item) => tr.t1("feedback-error-value", "item", item),
        AnswerError::Missing(item) => tr.t1("feedback-error-missing", "item", item),
    }
}

pub(super) fn fmt_number(x: f64) -> String {
    if x.fract() == 0.0 { format!("{x:.0}") } else { format!("{x}") }
}

pub(super) fn answers_json(answers: &[(String, Value)]) -> String {
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
    let f = crate::feedback::model_cache::fitted(state, instrument.id).await?;
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
    crate::feedback::model_cache::schedule_refit(state, instrument.id).await?;
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
    /// `on_track`, `not_on_track` (an alert below), `no_band` (too little own data, or too
    /// few sessions) or `no_scores`.
    pub status: String,
    /// Why the series is not on track: `below_band` (an outcome scale's latest score under
    /// the expected band), `session_below_cutoff` and `session_falling` (a session scale's
    /// latest score under its cut-off, or lower than the session before).
    pub alerts: Vec<String>,
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
    let worse = |a: f64, b: f64| if d.higher_is_better { a < b } else { a > b };
    let mut alerts = Vec::new();
    // A session scale has no band: it raises its alert on its own latest answer.
    let (status, expected) = if instrument.purpose == Purpose::Session {
        if let Some(last) = own.last() {
            if cutoff.is_some_and(|c| worse(last.score, c)) {
                alerts.push("session_below_cutoff".to_string());
            }
            if own.len() >= 2 && worse(last.score, own[own.len() - 2].score) {
                alerts.push("session_falling".to_string());
            }
        }
        let status = match (own.is_empty(), alerts.is_empty()) {
            (true, _) => "no_scores",
            (false, true) => "on_track",
            (false, false) => "not_on_track",
        };
        (status, Vec::new())
    } else {
        outcome_status(state, instrument, &own, &mut alerts).await?
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
        alerts,
        expected,
    })
}

/// An outcome scale's status against the band the municipality's own series expect for its
/// intake, and the band.
async fn outcome_status(
    state: &AppState,
    instrument: &Instrument,
    own: &[&SeriesResponse],
    alerts: &mut Vec<String>,
) -> Result<(&'static str, Vec<BandPoint>)> {
    let d = &instrument.definition;
    let model = crate::feedback::model_cache::model(state, instrument.id).await?;
    Ok(match (own.iter().find(|r| r.session == 1), &model) {
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
            if off {
                alerts.push("below_band".to_string());
            }
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
    })
}

pub(super) fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}
