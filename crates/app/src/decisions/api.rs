//! Decisions' JSON API: proposals made from a process's input, their decisions (one by one
//! or in bulk), and publishing them.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{BULK_MAX, DecisionEvent, INPUTS_MAX, NewProposal, Proposal, ProposalFilter, ProposalState};
use super::{DecideProposals, DecisionInput, actions, check_decision, check_proposal_text, store};
use crate::AppState;
use crate::involvement::TakePart;
use crate::involvement::api::{facilitated, visible};
use crate::involvement::model::Process;
use crate::platform::api::{ApiJson, Paging, Problem, created, invalid, json};
use crate::platform::layout::FormErrors;
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, Permit, Result};

pub fn routes() -> Routes {
    let take_part = Guard::Action(&crate::involvement::actions::TAKE_PART);
    let decide = Guard::Action(&actions::DECIDE);
    Routes::new()
        .get("/api/v1/processes/{id}/proposals", take_part, list)
        .post("/api/v1/processes/{id}/proposals", take_part, create)
        .get("/api/v1/proposals/{id}", take_part, get_one)
        .post("/api/v1/proposals/{id}/decision", decide, decide_one)
        .post("/api/v1/processes/{id}/decisions", decide, decide_bulk)
        .post("/api/v1/processes/{id}/publish-decisions", decide, publish)
        .get("/api/v1/processes/{id}/decision-document.pdf", decide, document_pdf)
        .get("/api/v1/processes/{id}/decision-document.xlsx", decide, document_xlsx)
        .post("/api/v1/processes/{id}/decision-document", decide, make_document)
}

#[derive(OpenApi)]
#[openapi(paths(list, create, get_one, decide_one, decide_bulk, publish, document_pdf, document_xlsx, make_document))]
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
    /// The person responsible, or empty.
    #[serde(default)]
    pub responsible: String,
    pub deadline: Option<NaiveDate>,
    /// The theme it was made from (its label then), or empty.
    #[serde(default)]
    pub theme: String,
    /// The statement it was made from (its number in the process).
    #[serde(default)]
    pub statement: Option<i32>,
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
            responsible: p.responsible,
            deadline: p.deadline,
            theme: p.theme,
            statement: p.statement_number,
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
    pub decided: i64,
    /// …of all the process's proposals.
    pub total: i64,
    /// Proposals that match the filter (`items` is one page of them).
    pub matching: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only proposals in this state (a state key), or `undecided` for new and under consideration.
    pub state: Option<String>,
    /// Only proposals made from this theme (its label).
    pub theme: Option<String>,
    /// Only proposals whose responsible unit is this unit or below it.
    pub unit: Option<String>,
    /// Only proposals with this person responsible.
    pub responsible: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
}

/// The filter a query asks for, or a 400 naming what is wrong.
pub async fn parse_filter(state: &AppState, tr: &crate::platform::i18n::Tr, q: &ListQuery) -> Result<ProposalFilter> {
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let mut filter =
        ProposalFilter { theme: given(&q.theme), responsible: given(&q.responsible), ..Default::default() };
    match given(&q.state).as_deref() {
        None => {}
        Some("undecided") => filter.undecided = true,
        Some(s) => {
            filter.state =
                Some(ProposalState::parse(s).ok_or_else(|| AppError::BadRequest(tr.t("proposal-error-state-filter")))?)
        }
    }
    if let Some(unit) = given(&q.unit) {
        let org = crate::organisation::org_cache(state).get(&state.db).await?;
        let top = Uuid::parse_str(&unit)
            .ok()
            .and_then(|u| org.unit(u).cloned())
            .ok_or_else(|| AppError::BadRequest(tr.t("proposal-error-unit")))?;
        filter.units = Some(
            org.all_units()
                .filter(|u| u.tree_left >= top.tree_left && u.tree_left < top.tree_right)
                .map(|u| u.id)
                .collect(),
        );
    }
    Ok(filter)
}

/// The proposals of a process by number, filtered and paged, for everyone who sees the process.
#[utoipa::path(get, path = "/api/v1/processes/{id}/proposals", tag = "decisions",
    params(("id" = Uuid, Path), ListQuery),
    responses((status = 200, body = ProposalList), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let (process, _) = super::routes::readable(&state, &permit, &id).await?;
    let tr = permit.tr();
    let filter = parse_filter(&state, &tr, &q).await?;
    let (limit, offset) = Paging { limit: q.limit.clone(), offset: q.offset.clone() }.parse(&tr)?;
    let progress = store::progress(&state.db, process.id).await?;
    let (items, matching) = store::list(&state.db, process.id, &filter, limit, offset).await?;
    Ok(json(&ProposalList {
        items: items.into_iter().map(ProposalJson::from).collect(),
        decided: progress.decided,
        total: progress.total,
        matching,
        limit,
        offset,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewProposalJson {
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// The process's inputs it is made from.
    #[serde(default)]
    pub inputs: Vec<Uuid>,
    /// Made from this theme (its number among the process's current themes): the theme's
    /// inputs are linked and its label kept.
    #[serde(default)]
    pub theme: Option<usize>,
    /// Made from this statement (its number in the process); its input is linked if it came from one.
    #[serde(default)]
    pub statement: Option<i32>,
}

/// Where a proposal comes from: a theme's label and inputs, a statement and its input.
pub struct Source {
    pub theme: String,
    pub statement: Option<i32>,
    pub inputs: Vec<Uuid>,
    /// A title to start from (the theme's label, the statement's text).
    pub title: String,
}

/// Resolves a theme and a statement of the process into what a proposal keeps of them; a
/// number that does not exist is an error on that field.
pub async fn source(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    theme: Option<usize>,
    statement: Option<i32>,
    errors: &mut FormErrors,
) -> Result<Source> {
    let tr = permit.tr();
    let mut src = Source { theme: String::new(), statement: None, inputs: Vec::new(), title: String::new() };
    if let Some(theme) = theme {
        let result =
            crate::involvement::analysis::shown_themes(state, process, permit.ctx.audit("process.analysed")).await?;
        match result.themes.iter().find(|t| t.id == theme) {
            None => errors.push("theme", tr.t("proposal-error-theme")),
            Some(t) => {
                src.theme = t.label.clone();
                src.title = t.label.clone();
                src.inputs.extend(
                    result.assignments.iter().zip(&result.inputs).filter(|(a, _)| **a == theme as i64).map(|(_, i)| *i),
                );
            }
        }
    }
    if let Some(number) = statement {
        match crate::involvement::store::statement_by_number(&state.db, process.id, number).await? {
            None => errors.push("statement", tr.t("proposal-error-statement")),
            Some(s) => {
                src.statement = Some(number);
                if src.title.is_empty() {
                    src.title = s.text.chars().take(super::model::TITLE_MAX_CHARS).collect();
                }
                src.inputs.extend(s.input_id);
            }
        }
    }
    Ok(src)
}

/// Checks a new proposal and makes it; the errors name the field.
pub async fn create_checked(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    body: NewProposalJson,
) -> Result<std::result::Result<Proposal, FormErrors>> {
    let tr = permit.tr();
    let mut errors = FormErrors::default();
    check_proposal_text(&tr, &body.title, &body.text, &mut errors);
    let src = source(state, permit, process, body.theme, body.statement, &mut errors).await?;
    let mut inputs = body.inputs;
    inputs.extend(src.inputs);
    inputs.sort();
    inputs.dedup();
    if inputs.len() > INPUTS_MAX {
        errors.push("inputs", tr.t1("proposal-error-inputs-many", "max", INPUTS_MAX));
    } else {
        // The inputs are involvement's: asked through its store, not read from its tables.
        for input in &inputs {
            if crate::involvement::store::input_by_id(&state.db, process.id, *input).await?.is_none() {
                errors.push("inputs", tr.t("proposal-error-inputs"));
                break;
            }
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let new = NewProposal {
        title: body.title.trim().to_string(),
        text: body.text.trim().to_string(),
        inputs,
        theme: src.theme,
        statement_number: src.statement,
    };
    Ok(Ok(store::create(&state.db, state.municipality, process.id, &new, permit.ctx.audit("proposal.created")).await?))
}

/// Makes a proposal (state `new`) from a process's inputs, a theme or a statement, or
/// written directly; for the process's facilitators.
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
    let made = create_checked(&state, &permit, &process, body).await?.map_err(invalid)?;
    Ok(created(&ProposalJson::from(made)))
}

/// A proposal and the process it belongs to, if the caller sees that process.
pub async fn proposal_of(state: &AppState, permit: &Permit<TakePart>, id: &str) -> Result<(Proposal, Process)> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let proposal = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let process = visible(state, permit, &proposal.process_id.to_string()).await?;
    Ok((proposal, process))
}

/// A proposal with its inputs and its history.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Decided {
    pub proposal: ProposalJson,
    pub history: Vec<DecisionEvent>,
}

/// One proposal with the inputs it was made from and every decision on it.
#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "decisions", params(("id" = Uuid, Path)),
    responses((status = 200, body = Decided), (status = 404, body = Problem)))]
async fn get_one(State(state): State<AppState>, permit: Permit<TakePart>, Path(id): Path<String>) -> Result<Response> {
    let (proposal, _) = proposal_of(&state, &permit, &id).await?;
    let history = store::history(&state.db, proposal.id).await?;
    Ok(json(&Decided { proposal: ProposalJson::from(proposal), history }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct DecisionJson {
    pub state: String,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    /// The person responsible.
    #[serde(default)]
    pub responsible: String,
    pub deadline: Option<NaiveDate>,
}

impl From<DecisionJson> for DecisionInput {
    fn from(d: DecisionJson) -> DecisionInput {
        DecisionInput {
            state: d.state,
            reason: d.reason,
            responsible_unit: d.responsible_unit,
            responsible: d.responsible,
            deadline: d.deadline,
        }
    }
}

/// The proposal, for those who may decide on its process (others who see it get a 403).
pub async fn decidable(state: &AppState, permit: &Permit<DecideProposals>, id: &str) -> Result<Proposal> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let proposal = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    permit.require(actions::DECIDE.on_object(crate::involvement::object(proposal.process_id)))?;
    Ok(proposal)
}

/// Decides a proposal: a state, always with a reason, and where it applies a responsible
/// unit, a person responsible and a deadline. Every decision is kept in the proposal's
/// history and the audit log. For the executive board, administrators and the process's
/// facilitators.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/decision", tag = "decisions", params(("id" = Uuid, Path)),
    request_body = DecisionJson,
    responses((status = 201, body = Decided), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn decide_one(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionJson>,
) -> Result<Response> {
    let proposal = decidable(&state, &permit, &id).await?;
    let decision = check_decision(&state, &permit.tr(), &body.into()).await.map_err(invalid)?;
    store::decide(&state.db, state.municipality, &proposal, &decision, permit.ctx.audit("proposal.decided")).await?;
    let proposal = store::get(&state.db, state.municipality, proposal.id).await?.ok_or(AppError::NotFound)?;
    let history = store::history(&state.db, proposal.id).await?;
    Ok(created(&Decided { proposal: ProposalJson::from(proposal), history }))
}

/// One decision for several proposals of a process.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct BulkDecisionJson {
    pub proposals: Vec<Uuid>,
    #[serde(flatten)]
    pub decision: DecisionJson,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct BulkDecided {
    /// How many proposals were decided.
    pub decided: usize,
}

/// The process's proposals among `ids`; an error on `proposals` if any is not one of them.
pub async fn bulk_targets(
    state: &AppState,
    tr: &crate::platform::i18n::Tr,
    process: Uuid,
    ids: &[Uuid],
    errors: &mut FormErrors,
) -> Result<Vec<Proposal>> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > BULK_MAX {
        errors.push("proposals", tr.t1("proposal-error-bulk", "max", BULK_MAX));
        return Ok(Vec::new());
    }
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        match store::get(&state.db, state.municipality, id).await? {
            Some(p) if p.process_id == process => found.push(p),
            _ => {
                errors.push("proposals", tr.t("proposal-error-bulk-unknown"));
                return Ok(Vec::new());
            }
        }
    }
    Ok(found)
}

/// Decides several proposals of a process at once with one reason (each gets its own
/// history and audit entry); all or nothing.
#[utoipa::path(post, path = "/api/v1/processes/{id}/decisions", tag = "decisions", params(("id" = Uuid, Path)),
    request_body = BulkDecisionJson,
    responses((status = 201, body = BulkDecided), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn decide_bulk(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BulkDecisionJson>,
) -> Result<Response> {
    let process = decided_process(&state, &permit, &id).await?;
    let tr = permit.tr();
    let mut errors = FormErrors::default();
    let targets = bulk_targets(&state, &tr, process.id, &body.proposals, &mut errors).await?;
    let decision = match check_decision(&state, &tr, &body.decision.into()).await {
        Ok(d) if errors.is_empty() => d,
        Ok(_) => return Err(invalid(errors)),
        Err(more) => {
            errors.extend(more);
            return Err(invalid(errors));
        }
    };
    store::decide_many(&state.db, state.municipality, &targets, &decision, permit.ctx.audit("proposal.decided"))
        .await?;
    Ok(created(&BulkDecided { decided: targets.len() }))
}

/// The process, for those who may decide on it; a 404 for a process that does not exist.
pub async fn decided_process(state: &AppState, permit: &Permit<DecideProposals>, id: &str) -> Result<Process> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let process = crate::involvement::store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    permit.require(actions::DECIDE.on_object(crate::involvement::object(process.id)))?;
    Ok(process)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Published {
    pub published_at: DateTime<Utc>,
    /// E-mails queued to participants whose address is known.
    pub notified: usize,
}

/// Publishes the process's decisions: from now on every participant sees what became of
/// their input, and those with a known e-mail address are told. Publishing again shows
/// later decisions and tells only about inputs whose proposals changed since.
#[utoipa::path(post, path = "/api/v1/processes/{id}/publish-decisions", tag = "decisions", params(("id" = Uuid, Path)),
    responses((status = 201, body = Published), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn publish(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = decided_process(&state, &permit, &id).await?;
    let (published_at, notified) = super::answers::publish(&state, &permit, &headers, &process).await?;
    Ok(created(&Published { published_at, notified }))
}

/// Starts the job that makes a process's decision document; its id.
pub async fn start_document(state: &AppState, permit: &Permit<DecideProposals>, process: &Process) -> Result<Uuid> {
    let lang = if permit.tr().lang == crate::platform::i18n::Lang::En { "en" } else { "da" };
    let mut job = crate::platform::jobs::NewJob::new(
        super::document::MAKE_DOCUMENT.kind,
        serde_json::json!({ "process": process.id.to_string(), "lang": lang }),
    );
    job.created_by = Some(permit.user.account.id);
    job.dedupe_key = Some(format!("decisions.document:{}", process.id));
    Ok(crate::platform::jobs::store::enqueue(&state.db, state.municipality, &job).await?)
}

/// A decision document file: `beslutningsdokument.pdf` / `.xlsx` (or the API's names).
pub async fn document_download(
    state: &AppState,
    permit: &Permit<DecideProposals>,
    process: &Process,
    file: &str,
) -> Result<Response> {
    use axum::http::header;
    let pdf = match file.rsplit('.').next() {
        Some("pdf") => true,
        Some("xlsx") => false,
        _ => return Err(AppError::NotFound),
    };
    let (pdf_bytes, xlsx_bytes) = super::document::files(state, &permit.tr(), process).await?;
    let (kind, body, name) = if pdf {
        ("application/pdf", pdf_bytes, "beslutningsdokument.pdf")
    } else {
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_bytes, "beslutningsdokument.xlsx")
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

/// The decision document as PDF: the process, participation per unit, themes, opinion
/// groups with their map, consensus and bridging statements, and the proposals with their
/// decisions. Made when the data has changed since it was last made, else served as kept.
#[utoipa::path(get, path = "/api/v1/processes/{id}/decision-document.pdf", tag = "decisions", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The PDF", content_type = "application/pdf"), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn document_pdf(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = decided_process(&state, &permit, &id).await?;
    document_download(&state, &permit, &process, "decision-document.pdf").await
}

/// The decision document's proposals, participation and themes as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/processes/{id}/decision-document.xlsx", tag = "decisions", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The workbook"), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn document_xlsx(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = decided_process(&state, &permit, &id).await?;
    document_download(&state, &permit, &process, "decision-document.xlsx").await
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct JobStarted {
    pub job: Uuid,
}

/// Starts making the decision document as a job (`GET /api/v1/jobs/{job}` follows it).
#[utoipa::path(post, path = "/api/v1/processes/{id}/decision-document", tag = "decisions", params(("id" = Uuid, Path)),
    responses((status = 202, body = JobStarted), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn make_document(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = decided_process(&state, &permit, &id).await?;
    let job = start_document(&state, &permit, &process).await?;
    let mut r = json(&JobStarted { job });
    *r.status_mut() = StatusCode::ACCEPTED;
    Ok(r)
}
