//! Aggregates along the organisation: a unit, the tree and the trend, each figure shown or
//! suppressed as the round's table decides.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::*;

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

/// The round asked for, or the instrument's latest closed one; and the item (a rated one).
pub async fn round_for(state: &AppState, tr: &Tr, q: &AggregateQuery) -> Result<(Instrument, Round, String)> {
    let (instrument, round) = round_of_query(state, tr, q).await?;
    let item = q.item.clone().unwrap_or_default();
    if !item.is_empty() && !instrument.definition.items.iter().any(|i| i.key == item && i.scale.bounds().is_some()) {
        return Err(AppError::BadRequest(tr.t1("feedback-error-unknown-item", "item", &item)));
    }
    Ok((instrument, round, item))
}

type ClosedRoundKey = (Uuid, Uuid, String);

/// Closed rounds with their instruments as the aggregates ask for them (municipality, round,
/// the instrument as asked): a closed round no longer changes, and its instrument only when
/// one is saved, which empties this in this process (another process's save shows within
/// [`CLOSED_ROUND_TTL`]). It saves a query on every aggregate request (one round-trip each on
/// PostgreSQL).
static CLOSED_ROUNDS: Mutex<Option<HashMap<ClosedRoundKey, (Instant, Instrument, Round)>>> = Mutex::new(None);
const CLOSED_ROUND_TTL: Duration = Duration::from_secs(10);
const CLOSED_ROUNDS_KEPT: usize = 1_024;

/// Forgets the closed rounds kept (an instrument was saved).
pub fn forget_closed_rounds() {
    if let Ok(mut kept) = CLOSED_ROUNDS.lock() {
        *kept = None;
    }
}

fn kept_closed_round(key: &ClosedRoundKey) -> Option<(Instrument, Round)> {
    let kept = CLOSED_ROUNDS.lock().ok()?;
    let (at, instrument, round) = kept.as_ref()?.get(key)?;
    (at.elapsed() < CLOSED_ROUND_TTL).then(|| (instrument.clone(), round.clone()))
}

fn keep_closed_round(key: ClosedRoundKey, instrument: &Instrument, round: &Round) {
    if let Ok(mut kept) = CLOSED_ROUNDS.lock() {
        let map = kept.get_or_insert_with(HashMap::new);
        if map.len() >= CLOSED_ROUNDS_KEPT {
            map.clear();
        }
        map.insert(key, (Instant::now(), instrument.clone(), round.clone()));
    }
}

/// The round asked for, or the instrument's latest closed one.
async fn round_of_query(state: &AppState, tr: &Tr, q: &AggregateQuery) -> Result<(Instrument, Round)> {
    Ok(match q.round.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(raw) => {
            let id = Uuid::parse_str(raw).map_err(|_| AppError::BadRequest(tr.t("feedback-error-round")))?;
            let key = (state.municipality, id, q.instrument.trim().to_string());
            if let Some(found) = kept_closed_round(&key) {
                return Ok(found);
            }
            ensure_library(state).await?;
            // The round and its instrument in one read; on a miss, which of the two is wrong.
            match store::round_with_instrument(&state.db, state.municipality, id, q.instrument.trim()).await? {
                Some((instrument, round)) => {
                    if round.is_closed(today()) {
                        keep_closed_round(key, &instrument, &round);
                    }
                    (instrument, round)
                }
                None => {
                    instrument_of(state, tr, &q.instrument).await?;
                    return Err(AppError::BadRequest(tr.t("feedback-error-round")));
                }
            }
        }
        None => {
            let instrument = instrument_of(state, tr, &q.instrument).await?;
            let round = store::rounds(&state.db, instrument.id)
                .await?
                .into_iter()
                .find(|r| r.is_closed(today()))
                .ok_or_else(|| AppError::BadRequest(tr.t("feedback-error-no-closed-round")))?;
            (instrument, round)
        }
    })
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

#[derive(Serialize, Deserialize, ToSchema)]
pub struct QuestionFigure {
    /// The question's key ('' for the score).
    pub item: String,
    pub text: String,
    pub figure: Figure,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RoundResults {
    pub round: Uuid,
    pub title: String,
    pub instrument: String,
    /// The programme the round was sent to, if it was sent to one instead of units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    pub closed: bool,
    /// The score, then each rated question, for everyone the round was sent to; hidden like
    /// every figure (and all of them while the round is open).
    pub figures: Vec<QuestionFigure>,
}

/// A round's results for everyone it was sent to (a programme's participants, or the units
/// chosen): the score and each question, from the same tables as the aggregates.
pub async fn round_results(state: &AppState, tr: &Tr, id: Uuid) -> Result<RoundResults> {
    let (instrument, round) =
        store::round_as_asked(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    if instrument.purpose != Purpose::Survey {
        return Err(AppError::NotFound);
    }
    let closed = round.is_closed(today());
    let text_of = |key: &str| match key {
        "" => tr.t("feedback-results-score"),
        key => instrument.definition.items.iter().find(|i| i.key == key).map(|i| i.text.clone()).unwrap_or_default(),
    };
    let figures = if closed {
        aggregates::whole_round(state, &instrument, &round)
            .await?
            .into_iter()
            .map(|(item, figure)| QuestionFigure { text: text_of(&item), item, figure })
            .collect()
    } else {
        let rated = instrument.definition.items.iter().filter(|i| i.scale.bounds().is_some()).map(|i| i.key.as_str());
        std::iter::once("")
            .chain(rated)
            .map(|item| QuestionFigure {
                item: item.to_string(),
                text: text_of(item),
                figure: Figure::Suppressed { suppressed: true, reason: "open".into() },
            })
            .collect()
    };
    let programme = store::round_cohort(&state.db, round.id).await?.map(|c| c.name);
    Ok(RoundResults { round: round.id, title: round.title, instrument: instrument.key, programme, closed, figures })
}

/// A survey round's results for everyone it was sent to — for a round sent to a programme's
/// participants, the programme's results.
#[utoipa::path(get, path = "/api/v1/rounds/{id}/results", tag = "feedback",
    responses((status = 200, body = RoundResults), (status = 404, body = Problem)))]
pub async fn get_round_results(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    Ok(json(&round_results(&state, &permit.tr(), id).await?))
}

/// A unit's comments to a free-text question, or hidden.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum TextFigure {
    Shown {
        /// How many comments.
        n: usize,
        /// The comments, sorted (their order tells nothing about who wrote them).
        answers: Vec<String>,
    },
    Suppressed {
        suppressed: bool,
        /// `threshold` (fewer comments than the instrument's text threshold, or could be had
        /// from lists that are shown), `open`.
        reason: String,
    },
}

/// A unit's comments to a free-text question of a round (`item`; default the instrument's
/// first), with the instrument's higher threshold for free text (`min_text_answers`) and the
/// same secondary suppression as the figures.
#[utoipa::path(get, path = "/api/v1/aggregates/texts", tag = "feedback", params(AggregateQuery),
    responses((status = 200, body = TextFigure), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn aggregate_texts(
    State(state): State<AppState>,
    permit: Permit<SeeResults>,
    Query(q): Query<AggregateQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let unit = unit_in_reach(&state, &permit, &tr, &q).await?;
    let (instrument, round) = round_of_query(&state, &tr, &q).await?;
    let is_text = |i: &&measures::Item| i.scale.bounds().is_none();
    let item = match q.item.as_deref().map(str::trim).filter(|i| !i.is_empty()) {
        Some(key) => instrument.definition.items.iter().filter(is_text).find(|i| i.key == key),
        None => instrument.definition.items.iter().find(is_text),
    }
    .ok_or_else(|| {
        AppError::BadRequest(tr.t1("feedback-error-unknown-item", "item", q.item.as_deref().unwrap_or("")))
    })?;
    if !round.is_closed(today()) {
        return Ok(json(&TextFigure::Suppressed { suppressed: true, reason: "open".into() }));
    }
    let texts = aggregates::texts(&state, &round, &item.key, i64::from(instrument.min_text_answers)).await?;
    let org = crate::organisation::org_cache(&state).get(&state.db).await?;
    Ok(json(&match texts.of(&org, &unit, q.subtree.unwrap_or(true)) {
        Some(answers) => TextFigure::Shown { n: answers.len(), answers },
        None => TextFigure::Suppressed { suppressed: true, reason: "threshold".into() },
    }))
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
    let table = if round.is_closed(today()) {
        Some(aggregates::table(&state, &round, &item, i64::from(instrument.min_answers)).await?)
    } else {
        None
    };
    Ok(json(&rows_in_reach(&state, &permit, table.as_deref()).await?))
}

/// Every unit in the reader's part with its figures from `table`; all hidden as `open`
/// without one (a round still open).
async fn rows_in_reach(
    state: &AppState,
    permit: &Permit<SeeResults>,
    table: Option<&aggregates::Table>,
) -> Result<Vec<TreeRow>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let reach = permit.reach();
    Ok(org
        .all_units()
        .filter(|u| reach.covers(u.tree_left, u.depth))
        .map(|u| {
            let hidden = || Figure::Suppressed { suppressed: true, reason: "open".into() };
            let figures = table.and_then(|t| t.units.get(&u.id));
            TreeRow {
                unit: u.id,
                name: u.name.clone(),
                parent: u.parent_id,
                own: figures.map(|f| f.own.clone()).unwrap_or_else(hidden),
                subtree: figures.map(|f| f.subtree.clone()).unwrap_or_else(hidden),
            }
        })
        .collect())
}

/// A funnel plot of a round: each unit in the caller's part whose own people's figure is
/// shown, against the organisation's mean with 95 % and 99.8 % control limits for its size.
#[utoipa::path(get, path = "/api/v1/aggregates/funnel", tag = "feedback", params(AggregateQuery),
    responses((status = 200, body = aggregates::Funnel), (status = 400, body = Problem)))]
pub async fn aggregate_funnel(
    State(state): State<AppState>,
    permit: Permit<SeeResults>,
    Query(q): Query<AggregateQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let (instrument, round, item) = round_for(&state, &tr, &q).await?;
    if !round.is_closed(today()) {
        return Ok(json(&aggregates::Funnel::empty()));
    }
    let table = aggregates::table(&state, &round, &item, i64::from(instrument.min_answers)).await?;
    let org = crate::organisation::org_cache(&state).get(&state.db).await?;
    let reach = permit.reach();
    Ok(json(&aggregates::funnel(&table, &org, |u| reach.covers(u.tree_left, u.depth))))
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct EffectQuery {
    /// An outcome instrument's key or id.
    pub instrument: String,
    /// Only the series with this label (a team, a programme, an offer).
    #[serde(default)]
    pub label: Option<String>,
}

/// The effect of an outcome instrument in the caller's part of the organisation: every unit
/// with its own and its subtree's series that have a later answer, `mean` being the share
/// reliably improved (0–1); hidden like any aggregate below the instrument's threshold.
#[utoipa::path(get, path = "/api/v1/aggregates/effect", tag = "feedback", params(EffectQuery),
    responses((status = 200, body = [TreeRow]), (status = 400, body = Problem)))]
pub async fn aggregate_effect(
    State(state): State<AppState>,
    permit: Permit<SeeResults>,
    Query(q): Query<EffectQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let instrument = instrument_of(&state, &tr, &q.instrument).await?;
    if instrument.purpose != Purpose::Outcome {
        return Err(AppError::BadRequest(tr.t("feedback-error-effect-purpose")));
    }
    let label = q.label.as_deref().map(str::trim).filter(|l| !l.is_empty());
    let table = aggregates::effect(&state, &instrument, label).await?;
    Ok(json(&rows_in_reach(&state, &permit, Some(&table)).await?))
}
