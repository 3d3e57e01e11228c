//! Decisions' JSON API: proposals made from a process's input, and their decisions.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{
    Decision, DecisionEvent, INPUTS_MAX, NewProposal, Proposal, ProposalState, REASON_MAX_CHARS, TEXT_MAX_CHARS,
    TITLE_MAX_CHARS,
};
use super::{DecideProposals, actions, store};
use crate::AppState;
use crate::involvement::TakePart;
use crate::involvement::api::{facilitated, visible};
use crate::platform::api::{ApiJson, Problem, invalid, json};
use crate::platform::layout::FormErrors;
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, Permit, Result};

pub fn routes() -> Routes {
    let take_part = Guard::Action(&crate::involvement::actions::TAKE_PART);
    Routes::new()
        .get("/api/v1/processes/{id}/proposals", take_part, list)
        .post("/api/v1/processes/{id}/proposals", take_part, create)
        .post("/api/v1/proposals/{id}/decision", Guard::Action(&actions::DECIDE), decide)
}

#[derive(OpenApi)]
#[openapi(paths(list, create, decide))]
pub struct Api;

/// A proposal with its current decision.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProposalJson {
    pub id: Uuid,
    pub process: Uuid,
    /// Its number in the process.
    pub number: i32,
    pub title: String,
    pub text: String,
    pub state: ProposalState,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    pub deadline: Option<NaiveDate>,
    /// The inputs it was made from (on the proposal itself; empty in lists).
    pub inputs: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Proposal> for ProposalJson {
    fn from(p: Proposal) -> ProposalJson {
        ProposalJson {
            id: p.id,
            process: p.process_id,
            number: p.number,
            title: p.title,
            text: p.text,
            state: p.state,
            reason: p.reason,
            responsible_unit: p.responsible_unit,
            deadline: p.deadline,
            inputs: p.inputs,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A process's proposals and how far deciding them has come.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProposalList {
    pub items: Vec<ProposalJson>,
    /// Proposals decided (accepted, partly accepted, rejected or implemented)…
    pub decided: usize,
    /// …of all the process's proposals.
    pub total: usize,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only proposals in this state.
    pub state: Option<String>,
}

/// The proposals of a process, by number, for everyone who sees the process.
#[utoipa::path(get, path = "/api/v1/processes/{id}/proposals", tag = "decisions",
    params(("id" = Uuid, Path), ListQuery),
    responses((status = 200, body = ProposalList), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    let filter = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ProposalState::parse(s).ok_or_else(|| AppError::BadRequest(tr.t("proposal-error-state")))?),
    };
    let all = store::list(&state.db, process.id, None).await?;
    let decided = all.iter().filter(|p| p.state.decided()).count();
    let total = all.len();
    let items = all.into_iter().filter(|p| filter.is_none_or(|f| p.state == f)).map(ProposalJson::from).collect();
    Ok(json(&ProposalList { items, decided, total }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewProposalJson {
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// The process's inputs it is made from.
    #[serde(default)]
    pub inputs: Vec<Uuid>,
}

/// Makes a proposal (state `new`) from a process's inputs, or written directly; for the
/// process's facilitators.
#[utoipa::path(post, path = "/api/v1/processes/{id}/proposals", tag = "decisions", params(("id" = Uuid, Path)),
    request_body = NewProposalJson,
    responses((status = 201, body = ProposalJson), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewProposalJson>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let new =
        NewProposal { title: body.title.trim().to_string(), text: body.text.trim().to_string(), inputs: body.inputs };
    let mut errors = FormErrors::default();
    let title_chars = new.title.chars().count();
    if title_chars == 0 || title_chars > TITLE_MAX_CHARS {
        errors.push("title", tr.t1("proposal-error-title", "max", TITLE_MAX_CHARS));
    }
    if new.text.chars().count() > TEXT_MAX_CHARS {
        errors.push("text", tr.t1("proposal-error-text", "max", TEXT_MAX_CHARS));
    }
    if new.inputs.len() > INPUTS_MAX {
        errors.push("inputs", tr.t1("proposal-error-inputs-many", "max", INPUTS_MAX));
    } else {
        let mut distinct = new.inputs.clone();
        distinct.sort();
        distinct.dedup();
        // The inputs are involvement's: asked through its store, not read from its tables.
        for input in &distinct {
            if crate::involvement::store::input_by_id(&state.db, process.id, *input).await?.is_none() {
                errors.push("inputs", tr.t("proposal-error-inputs"));
                break;
            }
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let made =
        store::create(&state.db, state.municipality, process.id, &new, permit.ctx.audit("proposal.created")).await?;
    let mut r = json(&ProposalJson::from(made));
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DecisionJson {
    pub state: String,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    pub deadline: Option<NaiveDate>,
}

/// A decision on a proposal as it was recorded, with the proposal's history.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Decided {
    pub proposal: ProposalJson,
    pub history: Vec<DecisionEvent>,
}

/// Decides a proposal: a state, always with a reason, and where it applies a responsible
/// unit and a deadline. Every decision is kept in the proposal's history and the audit log.
/// For the executive board, administrators and the process's facilitators.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/decision", tag = "decisions", params(("id" = Uuid, Path)),
    request_body = DecisionJson,
    responses((status = 201, body = Decided), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionJson>,
) -> Result<Response> {
    let tr = permit.tr();
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let proposal = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    permit.require(actions::DECIDE.on_object(crate::involvement::object(proposal.process_id)))?;
    let mut errors = FormErrors::default();
    let new_state = ProposalState::parse(body.state.trim());
    if new_state.is_none_or(|s| s == ProposalState::New) {
        errors.push("state", tr.t("proposal-error-state"));
    }
    let reason = body.reason.trim().to_string();
    let reason_chars = reason.chars().count();
    if reason_chars == 0 || reason_chars > REASON_MAX_CHARS {
        errors.push("reason", tr.t1("proposal-error-reason", "max", REASON_MAX_CHARS));
    }
    if let Some(unit) = body.responsible_unit
        && crate::organisation::org_cache(&state).get(&state.db).await?.unit(unit).is_none()
    {
        errors.push("responsible_unit", tr.t("proposal-error-unit"));
    }
    let Some(new_state) = new_state.filter(|_| errors.is_empty()) else {
        return Err(invalid(errors));
    };
    let decision =
        Decision { state: new_state, reason, responsible_unit: body.responsible_unit, deadline: body.deadline };
    store::decide(&state.db, state.municipality, &proposal, &decision, permit.ctx.audit("proposal.decided")).await?;
    let proposal = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let history = store::history(&state.db, id).await?;
    let mut r = json(&Decided { proposal: ProposalJson::from(proposal), history });
    *r.status_mut() = StatusCode::CREATED;
    Ok(r.into_response())
}
