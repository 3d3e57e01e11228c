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
mod participate;
mod results;

pub use facilitators::*;
pub use participate::*;
pub use results::*;

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

/// A statement with its current votes (tallies for facilitators, and for everyone once
/// the step shows results).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct StatementJson {
    /// The statement's number in the process (its Pol.is comment id).
    pub id: i32,
    pub text: String,
    pub state: StatementState,
    /// The input it was made from.
    pub input: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub votes: Option<Tally>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StatementList {
    pub items: Vec<StatementJson>,
}

/// The statements of a process: facilitators see all, with votes; others the accepted ones.
#[utoipa::path(get, path = "/api/v1/processes/{id}/statements", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatementList), (status = 404, body = Problem)))]
async fn statements(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let facilitator = facilitates(&permit.user, process.id);
    let results = facilitator || process.active().is_some_and(|s| s.show_results);
    let tallies = if results { super::cache::tallies(&state.db, process.id).await? } else { Default::default() };
    let items = super::cache::statements(&state.db, process.id)
        .await?
        .iter()
        .filter(|s| facilitator || s.state == StatementState::Accepted)
        .map(|s| StatementJson {
            id: s.number,
            votes: results.then(|| tallies.get(&s.number).copied().unwrap_or_default()),
            text: s.text.clone(),
            state: s.state,
            input: s.input_id,
            created_at: s.created_at,
        })
        .collect();
    Ok(json(&StatementList { items }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewStatement {
    pub text: String,
    /// Make it from this input (facilitators).
    pub input: Option<Uuid>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CreatedNumber {
    pub id: i32,
    pub state: StatementState,
}

/// Adds a statement: a facilitator's is shown at once; a participant proposes one where
/// the step allows it, and it waits for moderation.
#[utoipa::path(post, path = "/api/v1/processes/{id}/statements", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = NewStatement,
    responses((status = 201, body = CreatedNumber), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
async fn add_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewStatement>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    let text = body.text.trim().to_string();
    super::check_statement(&tr, &text).map_err(invalid)?;
    let facilitator = facilitates(&permit.user, process.id);
    if let Some(input) = body.input {
        if !facilitator {
            return Err(AppError::Forbidden);
        }
        store::input_by_id(&state.db, process.id, input)
            .await?
            .ok_or_else(|| AppError::BadRequest(tr.t("process-error-input-unknown")))?;
    }
    let (state_of, proposer) = if facilitator {
        (StatementState::Accepted, None)
    } else {
        if let Some(why) = refusal(&process, Doing::Statement, false) {
            return Err(AppError::Conflict(tr.t(why)));
        }
        (StatementState::Pending, Some(account_taker(&state, &permit.user).await?))
    };
    let number = store::add_statement(
        &state.db,
        state.municipality,
        &process,
        &text,
        proposer.as_ref(),
        body.input,
        state_of,
        permit.ctx.audit("process.statement_added"),
    )
    .await?;
    Ok(created(&CreatedNumber { id: number, state: state_of }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StatementChange {
    pub state: StatementState,
}

/// Moderates a statement: accept (shown for voting) or reject. For facilitators.
#[utoipa::path(patch, path = "/api/v1/processes/{id}/statements/{number}", tag = "involvement",
    params(("id" = Uuid, Path), ("number" = i32, Path)), request_body = StatementChange,
    responses((status = 200, body = CreatedNumber), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn moderate_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, number)): Path<(String, String)>,
    ApiJson(body): ApiJson<StatementChange>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let number: i32 = number.trim().parse().map_err(|_| AppError::NotFound)?;
    if !store::set_statement_state(
        &state.db,
        state.municipality,
        process.id,
        number,
        body.state,
        permit.ctx.audit("process.statement_moderated"),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(json(&CreatedNumber { id: number, state: body.state }))
}

/// An input. Who wrote it is never shown; the participant number groups one person's
/// inputs and votes.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct InputJson {
    pub id: Uuid,
    pub text: String,
    pub core_task: Option<String>,
    pub category: Option<String>,
    pub channel: Channel,
    pub participant: i32,
    pub unit_id: Option<Uuid>,
    /// `leader` or `employee`, where kept.
    pub role: Option<String>,
    pub hidden: bool,
    /// Why a facilitator hid it.
    pub hidden_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl InputJson {
    pub fn from(i: Input) -> InputJson {
        InputJson {
            id: i.id,
            text: i.text,
            core_task: i.core_task,
            category: i.category,
            channel: i.channel,
            participant: i.participant_number,
            unit_id: i.unit_id,
            role: i.role,
            hidden: i.hidden_at.is_some(),
            hidden_reason: i.hidden_reason,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct InputList {
    pub items: Vec<InputJson>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Inputs of a process, newest first: all of them for facilitators, one's own for others.
#[utoipa::path(get, path = "/api/v1/processes/{id}/inputs", tag = "involvement", params(("id" = Uuid, Path), Paging),
    responses((status = 200, body = InputList), (status = 404, body = Problem)))]
async fn inputs(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(paging): Query<Paging>,
) -> Result<Response> {
    let (limit, offset) = paging.parse(&permit.tr())?;
    let process = visible(&state, &permit, &id).await?;
    let of = if facilitates(&permit.user, process.id) {
        InputsOf::All
    } else {
        let taker = account_taker(&state, &permit.user).await?;
        match store::find_participant(&state.db, process.id, &taker).await? {
            Some(p) => InputsOf::Participant(p.id),
            None => return Ok(json(&InputList { items: Vec::new(), total: 0, limit, offset })),
        }
    };
    let (items, total) = store::inputs(&state.db, process.id, of, limit, offset).await?;
    Ok(json(&InputList { items: items.into_iter().map(InputJson::from).collect(), total, limit, offset }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewInput {
    /// 1–5,000 characters.
    pub text: String,
    /// A core task key (`laering`, …).
    pub core_task: Option<String>,
    pub category: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Checks and writes an input as `taker`. A 201 means it is stored.
async fn write_input(
    state: &AppState,
    ctx: &Ctx,
    process: &Process,
    taker: &Taker,
    body: NewInput,
    quota: Option<&Quota>,
) -> Result<Response> {
    let tr = ctx.tr();
    let anonymous = taker.is_anonymous();
    if let Some(why) = refusal(process, Doing::Input, anonymous) {
        return Err(AppError::Conflict(tr.t(why)));
    }
    let text = body.text.trim().to_string();
    let core_task = body.core_task.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    let category = body.category.map(|c| c.trim().chars().take(100).collect::<String>()).filter(|c| !c.is_empty());
    super::check_input(state, &tr, &text, core_task.as_deref()).await.map_err(invalid)?;
    let draft = store::InputDraft { text, core_task, category, ..Default::default() };
    let id = store::add_input(
        &state.db,
        state.municipality,
        process,
        taker,
        &draft,
        quota,
        ctx.audit("process.input_added"),
    )
    .await?
    .map_err(|_| over_quota(ctx))?;
    Ok(created(&Created { id }))
}

/// Gives an input as the token's account.
#[utoipa::path(post, path = "/api/v1/processes/{id}/inputs", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = NewInput,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn add_input(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewInput>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let taker = account_taker(&state, &permit.user).await?;
    write_input(&state, &permit.ctx, &process, &taker, body, None).await
}

/// Changes to an input: its author changes the text while the step is open; a
/// facilitator hides it with a reason (the author sees it) or shows it again.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct InputChange {
    pub text: Option<String>,
    pub core_task: Option<String>,
    pub hidden: Option<bool>,
    pub hidden_reason: Option<String>,
}

/// Edits or moderates an input.
#[utoipa::path(patch, path = "/api/v1/processes/{id}/inputs/{input}", tag = "involvement",
    params(("id" = Uuid, Path), ("input" = Uuid, Path)), request_body = InputChange,
    responses((status = 200, body = InputJson), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn change_input(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, input)): Path<(String, String)>,
    ApiJson(change): ApiJson<InputChange>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    let input_id = Uuid::parse_str(input.trim()).map_err(|_| AppError::NotFound)?;
    let input = store::input_by_id(&state.db, process.id, input_id).await?.ok_or(AppError::NotFound)?;
    let facilitator = facilitates(&permit.user, process.id);
    if let Some(hidden) = change.hidden {
        if !facilitator {
            return Err(AppError::Forbidden);
        }
        let reason = change.hidden_reason.as_deref().map(str::trim).unwrap_or("").to_string();
        let reason = if hidden {
            let mut errors = FormErrors::default();
            super::check_text(&mut errors, &tr, "hidden_reason", &reason, REASON_MAX_CHARS, "process-error-reason");
            if !errors.is_empty() {
                return Err(invalid(errors));
            }
            Some(reason.as_str())
        } else {
            None
        };
        store::set_hidden(&state.db, state.municipality, input.id, reason, permit.ctx.audit("process.input_moderated"))
            .await?;
    }
    if change.text.is_some() || change.core_task.is_some() {
        let taker = account_taker(&state, &permit.user).await?;
        let own = store::find_participant(&state.db, process.id, &taker)
            .await?
            .is_some_and(|p| p.number == input.participant_number);
        if !own {
            return Err(AppError::Forbidden);
        }
        if let Some(why) = refusal(&process, Doing::Input, false) {
            return Err(AppError::Conflict(tr.t(why)));
        }
        let text = change.text.as_deref().map(str::trim).unwrap_or(&input.text).to_string();
        let core_task = match &change.core_task {
            Some(c) if c.trim().is_empty() => None,
            Some(c) => Some(c.trim().to_string()),
            None => input.core_task.clone(),
        };
        super::check_input(&state, &tr, &text, core_task.as_deref()).await.map_err(invalid)?;
        store::edit_input(
            &state.db,
            state.municipality,
            &input,
            &text,
            core_task.as_deref(),
            permit.ctx.audit("process.input_edited"),
        )
        .await?;
    }
    let input = store::input_by_id(&state.db, process.id, input.id).await?.ok_or(AppError::NotFound)?;
    Ok(json(&InputJson::from(input)))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewVote {
    /// The statement's number.
    pub statement: i64,
    /// Agree 1, disagree −1, pass 0.
    pub vote: i64,
}

/// Checks and records a vote as `taker`. A 201 means it is stored.
async fn write_vote(
    state: &AppState,
    ctx: &Ctx,
    process: &Process,
    taker: &Taker,
    body: NewVote,
    quota: Option<&Quota>,
) -> Result<Response> {
    let tr = ctx.tr();
    let anonymous = taker.is_anonymous();
    if let Some(why) = refusal(process, Doing::Vote, anonymous) {
        return Err(AppError::Conflict(tr.t(why)));
    }
    let value = valid_vote(body.vote).ok_or_else(|| AppError::BadRequest(tr.t("process-error-vote")))?;
    let number = i32::try_from(body.statement).map_err(|_| AppError::BadRequest(tr.t("process-error-statement")))?;
    // Which statements take votes changes seldom; it is read from a copy at most a second old.
    let accepted =
        super::cache::statement_state(&state.db, process.id, number).await? == Some(StatementState::Accepted);
    if !accepted {
        return Err(AppError::BadRequest(tr.t("process-error-statement")));
    }
    store::vote(&state.db, state.municipality, process, taker, (number, value), quota, ctx.audit("process.voted"))
        .await?
        .map_err(|_| over_quota(ctx))?;
    Ok(created(&serde_json::json!({ "statement": number, "vote": value })))
}

/// Votes on a statement as the token's account; the latest vote counts.
#[utoipa::path(post, path = "/api/v1/processes/{id}/votes", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = NewVote,
    responses((status = 201), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn vote(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewVote>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let taker = account_taker(&state, &permit.user).await?;
    write_vote(&state, &permit.ctx, &process, &taker, body, None).await
}

/// The next statement to vote on, or none when all are voted on.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NextStatement {
    pub statement: Option<StatementJson>,
    /// Statements voted on and in all.
    pub voted: usize,
    pub total: usize,
}

/// The next statement for a participant, among the accepted ones not yet voted on: drawn
/// at random weighted by the engine's statement priorities (Pol.is comment priorities) of the
/// kept opinion analysis, so statements that would tell the groups apart, and new ones, come
/// up more often; a statement newer than the analysis weighs as much as the heaviest. Before
/// the first analysis: the one with the fewest votes (ties by number). The draw is fixed by
/// the participant and how far they are, so a page reloaded shows the same statement.
pub async fn next_for(state: &AppState, process: &Process, taker: &Taker) -> Result<NextStatement> {
    let all = super::cache::statements(&state.db, process.id).await?;
    let accepted: Vec<_> = all.iter().filter(|s| s.state == StatementState::Accepted).collect();
    let voted: Vec<i32> = match store::find_participant(&state.db, process.id, taker).await? {
        Some(p) => store::votes_of(&state.db, process.id, p.number).await?.into_iter().map(|(s, _)| s).collect(),
        None => Vec::new(),
    };
    let open: Vec<_> = accepted.iter().copied().filter(|s| !voted.contains(&s.number)).collect();
    let priorities = super::cache::priorities(&state.db, process.id).await?;
    let chosen = if priorities.is_empty() {
        let tallies = super::cache::tallies(&state.db, process.id).await?;
        let count = |n: i32| tallies.get(&n).map(|t| t.agree + t.disagree + t.pass).unwrap_or(0);
        open.iter().min_by_key(|s| (count(s.number), s.number)).copied()
    } else {
        let heaviest = priorities.values().copied().fold(0.0_f64, f64::max).max(1e-9);
        let weights: Vec<f64> =
            open.iter().map(|s| priorities.get(&s.number).copied().unwrap_or(heaviest).max(1e-9)).collect();
        let draw = super::model::unit_draw(&(taker_key(taker), voted.len())) * weights.iter().sum::<f64>();
        let mut acc = 0.0;
        open.iter()
            .zip(&weights)
            .find(|(_, w)| {
                acc += **w;
                acc >= draw
            })
            .map(|(s, _)| *s)
            .or(open.last().copied())
    };
    let next = chosen.map(|s| StatementJson {
        id: s.number,
        text: s.text.clone(),
        state: s.state,
        input: None,
        votes: None,
        created_at: s.created_at,
    });
    let done = accepted.len() - open.len();
    Ok(NextStatement { statement: next, voted: done, total: accepted.len() })
}

/// What tells one taker from another, for their draws.
fn taker_key(taker: &Taker) -> Uuid {
    match taker {
        Taker::Account { account, .. } => *account,
        Taker::Link { pass, .. } => *pass,
        Taker::Browser { browser, .. } => *browser,
    }
}

#[utoipa::path(get, path = "/api/v1/processes/{id}/next-statement", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = NextStatement), (status = 404, body = Problem)))]
async fn next_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let taker = account_taker(&state, &permit.user).await?;
    Ok(json(&next_for(&state, &process, &taker).await?))
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
