//! Involvement's JSON API (`/api/v1/processes`, `/api/v1/participate/{token}`), with the
//! same rules as the pages.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{
    Channel, Input, LINKS_MAX, NewProcess, Process, REASON_MAX_CHARS, Scope, StatementState, Step, Taker, Tally,
    Template, valid_vote,
};
use super::store::{self, InputsOf};
use super::{CreateProcesses, Doing, TakePart, account_taker, actions, facilitates, invited, object, refusal};
use crate::AppState;
use crate::platform::api::{ApiJson, Paging, Problem, created, invalid, json};
use crate::platform::layout::FormErrors;
use crate::platform::module::{Guard, Routes};
use crate::platform::participants::{self, Actor, Pass, PassKind, Quota};
use crate::platform::web::{AppError, Ctx, Permit, Result};

mod facilitators;
mod inputs;
mod participate;
mod results;
mod statements;

pub use facilitators::*;
pub use inputs::*;
pub use participate::*;
pub use results::*;
pub use statements::*;

pub fn routes() -> Routes {
    let take_part = Guard::Action(&actions::TAKE_PART);
    Routes::new()
        .get("/api/v1/processes", take_part, list)
        .post("/api/v1/processes", Guard::Action(&actions::CREATE), create)
        .get("/api/v1/processes/{id}", take_part, get)
        .patch("/api/v1/processes/{id}", take_part, patch)
        .post("/api/v1/processes/{id}/links", take_part, links)
        .post("/api/v1/processes/{id}/copy", Guard::Action(&actions::CREATE), copy)
        .get("/api/v1/processes/{id}/facilitators", take_part, facilitators)
        .post("/api/v1/processes/{id}/facilitators", take_part, add_facilitator)
        .delete("/api/v1/processes/{id}/facilitators/{username}", take_part, remove_facilitator)
        .post("/api/v1/processes/{id}/invitations", take_part, invite)
        .get("/api/v1/processes/{id}/invitations", take_part, invitations)
        .get("/api/v1/processes/{id}/statements", take_part, statements)
        .post("/api/v1/processes/{id}/statements", take_part, add_statement)
        .patch("/api/v1/processes/{id}/statements/{number}", take_part, moderate_statement)
        .get("/api/v1/processes/{id}/inputs", take_part, inputs)
        .post("/api/v1/processes/{id}/inputs", take_part, add_input)
        .patch("/api/v1/processes/{id}/inputs/{input}", take_part, change_input)
        .post("/api/v1/processes/{id}/votes", take_part, vote)
        .get("/api/v1/processes/{id}/next-statement", take_part, next_statement)
        .get("/api/v1/processes/{id}/opinions", take_part, opinions)
        .get("/api/v1/processes/{id}/themes", take_part, themes)
        .get("/api/v1/processes/{id}/themes/across", take_part, themes_across)
        .get("/api/v1/processes/{id}/themes/pins", take_part, list_pins)
        .post("/api/v1/processes/{id}/themes/pins", take_part, add_pin)
        .delete("/api/v1/processes/{id}/themes/pins/{pin}", take_part, remove_pin)
        .post("/api/v1/processes/{id}/analyse", take_part, analyse)
        .get("/api/v1/processes/{id}/export/{file}", take_part, export)
        .get("/api/v1/participate/{token}", Guard::Public, participate)
        .post("/api/v1/participate/{token}/inputs", Guard::Public, participate_input)
        .post("/api/v1/participate/{token}/votes", Guard::Public, participate_vote)
}

#[derive(OpenApi)]
#[openapi(
    paths(
        list,
        create,
        get,
        patch,
        links,
        copy,
        facilitators,
        add_facilitator,
        remove_facilitator,
        invite,
        invitations,
        statements,
        add_statement,
        moderate_statement,
        inputs,
        add_input,
        change_input,
        vote,
        next_statement,
        opinions,
        themes,
        themes_across,
        list_pins,
        add_pin,
        remove_pin,
        analyse,
        export,
        participate,
        participate_input,
        participate_vote
    ),
    components(schemas(
        ProcessJson,
        ProcessList,
        NewProcessJson,
        ProcessChange,
        StepChange,
        Step,
        Template,
        Scope,
        Channel,
        LinksRequest,
        LinksJson,
        StatementJson,
        StatementList,
        NewStatement,
        StatementChange,
        StatementState,
        Tally,
        InputJson,
        InputList,
        NewInput,
        InputChange,
        NewVote,
        Created,
        CreatedNumber,
        NextStatement,
        Participation,
        ThemesJson,
        super::analysis::ThemeJson,
        JobStarted,
        super::across::Across,
        super::across::Table,
        super::across::Row,
        super::across::Column,
        super::analysis::PinnedTheme,
        PinJson,
        NewPin,
        CopyRequest,
        FacilitatorJson,
        NewFacilitator
    ))
)]
pub struct Api;

/// A process.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProcessJson {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub template: Template,
    pub scope: Scope,
    /// Whether anyone may take part through the public link.
    pub public: bool,
    /// The units a process for chosen units is for (each with its subtree).
    pub units: Vec<Uuid>,
    /// The step under way, or none.
    pub active_step: Option<String>,
    /// Whether answers through personal links keep the invited unit and role.
    pub keep_unit_role: bool,
    pub steps: Vec<Step>,
    /// Whether the caller runs this process.
    pub facilitator: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProcessJson {
    fn from(p: Process, facilitator: bool) -> ProcessJson {
        ProcessJson {
            id: p.id,
            public: p.scope == Scope::Public,
            title: p.title,
            description: p.description,
            template: p.template,
            scope: p.scope,
            units: p.units,
            active_step: p.active_step,
            keep_unit_role: p.keep_unit_role,
            steps: p.steps,
            facilitator,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProcessList {
    pub items: Vec<ProcessJson>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The process with this id if the caller is invited to it or runs it; otherwise it does
/// not exist for them.
pub async fn visible(state: &AppState, permit: &Permit<TakePart>, id: &str) -> Result<Process> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let process = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    if invited(state, &permit.user, &process).await? { Ok(process) } else { Err(AppError::NotFound) }
}

/// The process, for its facilitators only (others who may see it get a 403).
pub async fn facilitated(state: &AppState, permit: &Permit<TakePart>, id: &str) -> Result<Process> {
    let process = visible(state, permit, id).await?;
    permit.require(actions::FACILITATE.on_object(object(process.id)))?;
    Ok(process)
}

/// The processes the caller is invited to or runs, newest first.
#[utoipa::path(get, path = "/api/v1/processes", tag = "involvement", params(Paging),
    responses((status = 200, body = ProcessList), (status = 401, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Query(paging): Query<Paging>,
) -> Result<Response> {
    let (limit, offset) = paging.parse(&permit.tr())?;
    let mut items = Vec::new();
    for p in store::all(&state.db, state.municipality).await? {
        if invited(&state, &permit.user, &p).await? {
            let facilitator = facilitates(&permit.user, p.id);
            items.push(ProcessJson::from(p, facilitator));
        }
    }
    let total = items.len() as i64;
    let items = items.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(json(&ProcessList { items, total, limit, offset }))
}

/// A new process.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewProcessJson {
    pub title: String,
    /// `clarification` (design, collect, process, decide) or `proposals` (collect, decide).
    pub template: Template,
    /// Open to anyone through the public link (citizens, partners).
    #[serde(default)]
    pub public: bool,
    #[serde(default)]
    pub description: String,
    /// For chosen units only (with their subtrees); ignored for a public process.
    #[serde(default)]
    pub units: Vec<Uuid>,
    #[serde(default)]
    pub keep_unit_role: bool,
}

/// Makes a process from a template; the caller becomes its facilitator.
#[utoipa::path(post, path = "/api/v1/processes", tag = "involvement", request_body = NewProcessJson,
    responses((status = 201, body = ProcessJson), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    permit: Permit<CreateProcesses>,
    ApiJson(body): ApiJson<NewProcessJson>,
) -> Result<Response> {
    let scope = if body.public {
        Scope::Public
    } else if body.units.is_empty() {
        Scope::Organisation
    } else {
        Scope::Units
    };
    let new = NewProcess {
        title: body.title.trim().to_string(),
        description: body.description.trim().to_string(),
        template: body.template,
        scope,
        units: if scope == Scope::Units { body.units } else { Vec::new() },
        keep_unit_role: body.keep_unit_role,
    };
    super::check_new(&state, &permit.tr(), &new).await.map_err(invalid)?;
    let id =
        store::create(&state.db, state.municipality, &new, permit.user.account.id, permit.ctx.audit("process.created"))
            .await?;
    // The maker's grant on the process counts from their next request.
    state.sessions.forget_account(permit.user.account.id);
    let process = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    Ok(created(&ProcessJson::from(process, true)))
}

/// One process.
#[utoipa::path(get, path = "/api/v1/processes/{id}", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = ProcessJson), (status = 404, body = Problem)))]
async fn get(State(state): State<AppState>, permit: Permit<TakePart>, Path(id): Path<String>) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let facilitator = facilitates(&permit.user, process.id);
    Ok(json(&ProcessJson::from(process, facilitator)))
}

/// Changes to one step; what is left out stays.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct StepChange {
    pub key: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub allow_inputs: Option<bool>,
    pub allow_statements: Option<bool>,
    pub allow_votes: Option<bool>,
    pub show_results: Option<bool>,
    pub allow_anonymous: Option<bool>,
}

/// Changes to a process; what is left out stays. `active_step` may be a step's key, or
/// an empty string to close the process for taking part.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct ProcessChange {
    pub title: Option<String>,
    pub description: Option<String>,
    pub active_step: Option<String>,
    pub keep_unit_role: Option<bool>,
    pub steps: Option<Vec<StepChange>>,
}

/// Applies a change to a process (checked), or the errors.
pub fn apply_change(tr: &crate::platform::i18n::Tr, mut p: Process, change: ProcessChange) -> Result<Process> {
    if let Some(t) = change.title {
        p.title = t.trim().to_string();
    }
    if let Some(d) = change.description {
        p.description = d.trim().to_string();
    }
    if let Some(k) = change.keep_unit_role {
        p.keep_unit_role = k;
    }
    if let Some(step) = change.active_step {
        let step = step.trim().to_string();
        if step.is_empty() {
            p.active_step = None;
        } else if p.steps.iter().any(|s| s.key == step) {
            p.active_step = Some(step);
        } else {
            return Err(AppError::BadRequest(tr.t1("process-error-step", "key", step)));
        }
    }
    for c in change.steps.unwrap_or_default() {
        let Some(s) = p.steps.iter_mut().find(|s| s.key == c.key) else {
            return Err(AppError::BadRequest(tr.t1("process-error-step", "key", c.key)));
        };
        s.starts_on = c.starts_on.or(s.starts_on);
        s.ends_on = c.ends_on.or(s.ends_on);
        s.allow_inputs = c.allow_inputs.unwrap_or(s.allow_inputs);
        s.allow_statements = c.allow_statements.unwrap_or(s.allow_statements);
        s.allow_votes = c.allow_votes.unwrap_or(s.allow_votes);
        s.show_results = c.show_results.unwrap_or(s.show_results);
        s.allow_anonymous = c.allow_anonymous.unwrap_or(s.allow_anonymous);
    }
    let mut errors = FormErrors::default();
    super::check_text(&mut errors, tr, "title", &p.title, super::model::TITLE_MAX_CHARS, "process-error-title");
    if p.description.chars().count() > super::model::DESCRIPTION_MAX_CHARS {
        errors.push(
            "description",
            tr.t1("process-error-too-long", "max", tr.num(super::model::DESCRIPTION_MAX_CHARS as i64)),
        );
    }
    if let Err(more) = super::check_steps(tr, &p.steps) {
        errors.0.extend(more.0);
    }
    if errors.is_empty() { Ok(p) } else { Err(invalid(errors)) }
}

/// Changes a process: the active step, title, description, step dates and permissions.
/// For its facilitators.
#[utoipa::path(patch, path = "/api/v1/processes/{id}", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = ProcessChange,
    responses((status = 200, body = ProcessJson), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<ProcessChange>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let changed = apply_change(&permit.tr(), process, change)?;
    store::update(&state.db, state.municipality, &changed, permit.ctx.audit("process.updated")).await?;
    let process = store::get(&state.db, state.municipality, changed.id).await?.ok_or(AppError::NotFound)?;
    Ok(json(&ProcessJson::from(process, true)))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct LinksRequest {
    /// How many personal links (1–5,000).
    pub count: i64,
}

/// Personal anonymous links: each token is shown once; the link is `/deltag/{token}`.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct LinksJson {
    pub tokens: Vec<String>,
    /// The page each token opens, relative to the site.
    pub paths: Vec<String>,
}

/// Makes personal anonymous links for a process: one per invited person, to be handed
/// out or printed. An answer through one is stored without identity.
#[utoipa::path(post, path = "/api/v1/processes/{id}/links", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = LinksRequest,
    responses((status = 201, body = LinksJson), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn links(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LinksRequest>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tokens = issue_links(&state, &permit, &process, body.count).await?;
    let paths = tokens.iter().map(|t| format!("/deltag/{t}")).collect();
    Ok(created(&LinksJson { tokens, paths }))
}

/// Issues `count` personal links for a process (1 to [`LINKS_MAX`]).
pub async fn issue_links(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    count: i64,
) -> Result<Vec<String>> {
    let tr = permit.tr();
    if !(1..=LINKS_MAX as i64).contains(&count) {
        return Err(AppError::BadRequest(tr.t1("process-error-links", "max", tr.num(LINKS_MAX as i64))));
    }
    let mut tokens = Vec::with_capacity(count as usize);
    for _ in 0..count {
        tokens.push(participants::issue_link(&state.db, state.municipality, object(process.id), None).await?);
    }
    store::record_links(&state.db, state.municipality, process, tokens.len(), permit.ctx.audit("process.links_issued"))
        .await?;
    Ok(tokens)
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct CopyRequest {
    /// The copy's title (default: the original's with "(kopi)").
    pub title: Option<String>,
}

/// Copies a process's settings (template, steps with dates and permissions, scope, units)
/// into a new process that is not started; the caller facilitates it. For those who make
/// processes and facilitate this one.
#[utoipa::path(post, path = "/api/v1/processes/{id}/copy", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = CopyRequest,
    responses((status = 201, body = ProcessJson), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn copy(
    State(state): State<AppState>,
    permit: Permit<CreateProcesses>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CopyRequest>,
) -> Result<Response> {
    let process = copyable(&state, &permit, &id).await?;
    let copied = copy_checked(&state, &permit, &process, body.title.as_deref()).await?;
    Ok(created(&ProcessJson::from(copied, true)))
}

/// The process to copy: one the maker of processes facilitates (a 404 for another id,
/// a 403 for one they do not facilitate).
pub async fn copyable(state: &AppState, permit: &Permit<CreateProcesses>, id: &str) -> Result<Process> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let process = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    permit.require(actions::FACILITATE.on_object(object(process.id)))?;
    Ok(process)
}

/// Checks and makes a copy (see [`copy`]).
pub async fn copy_checked(
    state: &AppState,
    permit: &Permit<CreateProcesses>,
    process: &Process,
    title: Option<&str>,
) -> Result<Process> {
    let tr = permit.tr();
    let title = match title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => tr.t1("process-copy-title", "title", &process.title),
    };
    let mut errors = FormErrors::default();
    super::check_text(&mut errors, &tr, "title", &title, super::model::TITLE_MAX_CHARS, "process-error-title");
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let id = store::copy(
        &state.db,
        state.municipality,
        process,
        &title,
        permit.user.account.id,
        permit.ctx.audit("process.created"),
    )
    .await?;
    state.sessions.forget_account(permit.user.account.id);
    store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)
}
