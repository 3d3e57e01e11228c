//! Involvement's pages: the processes, making one, a process with its timeline where people
//! write input and vote, its facilitation (statements, moderation, links), its settings,
//! and the page a personal link opens.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::api::{ProcessChange, StepChange, apply_change, by_link, facilitated, issue_links, next_for, visible};
use super::model::{
    NewProcess, Process, REASON_MAX_CHARS, Scope, StatementState, Taker, Template, step_field, valid_vote,
};
use super::store::{self, InputsOf};
use super::views::*;
use super::{
    CreateProcesses, Doing, TakePart, account_taker, actions, check_input, check_new, check_statement, facilitates,
    invited, refusal,
};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render};
use crate::platform::module::{BoxFuture, Guard, Routes};
use crate::platform::participants::{self, Actor};
use crate::platform::permissions::can;
use crate::platform::site::store::core_tasks;
use crate::platform::web::{AppError, CsrfForm, Ctx, Permit, Result, page_number};

mod doors;
mod facilitation;
mod moderation;
mod results;
mod settings;

pub use doors::code_door;
pub use results::{ResultSummary, result_summary};

use doors::*;
use facilitation::*;
use moderation::*;
use results::*;
pub(crate) use results::{across_for, level};
use settings::*;

pub fn routes() -> Routes {
    let take_part = Guard::Action(&actions::TAKE_PART);
    Routes::new()
        .get("/processer", take_part, list)
        .get("/processer/ny", Guard::Action(&actions::CREATE), new_form)
        .post("/processer/ny", Guard::Action(&actions::CREATE), create)
        .get("/processer/{id}", take_part, process_page)
        .post("/processer/{id}/input", take_part, give_input)
        .post("/processer/{id}/stem", take_part, vote)
        .post("/processer/{id}/udsagn", take_part, add_statement)
        .get("/processer/{id}/facilitering", take_part, facilitate)
        .post("/processer/{id}/udsagn/{number}/status", take_part, moderate_statement)
        .post("/processer/{id}/input/{input}/skjul", take_part, hide_input)
        .get("/processer/{id}/indstillinger", take_part, settings_form)
        .post("/processer/{id}/indstillinger", take_part, save_settings)
        .post("/processer/{id}/links", take_part, make_links)
        .post("/processer/{id}/kopi", Guard::Action(&actions::CREATE), copy_process)
        .post("/processer/{id}/facilitatorer", take_part, add_facilitator)
        .post("/processer/{id}/facilitatorer/fjern", take_part, remove_facilitator)
        .post("/processer/{id}/inviter", take_part, invite)
        .get("/processer/{id}/meninger", take_part, opinions_page)
        .get("/processer/{id}/temaer", take_part, themes_page)
        .get("/processer/{id}/temaer/{theme}", take_part, theme_page)
        .post("/processer/{id}/temaer/{theme}/navn", take_part, rename_theme)
        .post("/processer/{id}/temaer/{theme}/flet", take_part, merge_theme)
        .post("/processer/{id}/temaer/{theme}/flyt", take_part, move_inputs)
        .post("/processer/{id}/temaer/{theme}/frigiv", take_part, release_theme)
        .post("/processer/{id}/analyse", take_part, analyse)
        .get("/processer/{id}/eksport/{file}", take_part, export)
        .get("/deltag/{token}", Guard::Public, link_page)
        .post("/deltag/{token}/input", Guard::Public, link_input)
        .post("/deltag/{token}/stem", Guard::Public, link_vote)
        .get("/p/{id}", Guard::Public, public_page)
        .post("/p/{id}/input", Guard::Public, public_input)
        .post("/p/{id}/stem", Guard::Public, public_vote)
        .post("/processer/{id}/kode", take_part, make_code)
        .get("/processer/{id}/qr/{code}", take_part, code_png)
        .get("/workshop", Guard::Public, workshop_page)
        .post("/workshop/input", Guard::Public, workshop_input)
        .post("/workshop/stem", Guard::Public, workshop_vote)
}

/// The timeline of a process's steps, the active one marked and the earlier ones done.
fn timeline(tr: &Tr, process: &Process) -> Vec<TimelineStep> {
    let active = process.active().map(|s| s.position);
    process
        .steps
        .iter()
        .map(|s| TimelineStep {
            label: tr.t(s.label_id()),
            dates: match (s.starts_on, s.ends_on) {
                (Some(a), Some(b)) => format!("{} – {}", tr.date(&a), tr.date(&b)),
                (Some(a), None) => tr.t1("process-from", "date", tr.date(&a)),
                (None, Some(b)) => tr.t1("process-until", "date", tr.date(&b)),
                (None, None) => String::new(),
            },
            active: active == Some(s.position),
            done: active.is_some_and(|a| s.position < a),
        })
        .collect()
}

async fn list(State(state): State<AppState>, permit: Permit<TakePart>) -> Result<Response> {
    let tr = permit.tr();
    let mut rows = Vec::new();
    for process in store::all(&state.db, state.municipality).await? {
        if invited(&state, &permit.user, &process).await? {
            let step_label = process.active().map(|s| tr.t(s.label_id())).unwrap_or_else(|| tr.t("process-not-active"));
            rows.push(ProcessRow { facilitator: facilitates(&permit.user, process.id), step_label, process });
        }
    }
    Ok(render(&ListTemplate {
        page: permit.ctx.page(&state, tr.t("processes-title"), "processes"),
        rows,
        may_create: can(&permit.user.grants, actions::CREATE.anywhere()),
    }))
}

/// The units a process can be for: the top four levels.
async fn unit_choices(state: &AppState) -> Result<Vec<(String, String)>> {
    let view = crate::organisation::org_cache(state).get(&state.db).await?;
    Ok(view
        .all_units()
        .filter(|u| u.depth <= 4)
        .map(|u| (u.id.to_string(), format!("{}{}", "– ".repeat((u.depth - 1).max(0) as usize), u.name)))
        .collect())
}

async fn form(state: &AppState, ctx: &Ctx, new: &NewProcess, errors: FormErrors) -> Result<Response> {
    let bad = !errors.is_empty();
    let mut r = render(&FormTemplate {
        page: ctx.page(state, ctx.tr().t("process-new-title"), "processes"),
        title: new.title.clone(),
        description: new.description.clone(),
        template: new.template.key().to_string(),
        scope: new.scope.key().to_string(),
        chosen_units: new.units.iter().map(Uuid::to_string).collect(),
        units: unit_choices(state).await?,
        keep_unit_role: new.keep_unit_role,
        errors,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, permit: Permit<CreateProcesses>) -> Result<Response> {
    let new = NewProcess {
        title: String::new(),
        description: String::new(),
        template: Template::Clarification,
        scope: Scope::Organisation,
        units: Vec::new(),
        keep_unit_role: false,
    };
    form(&state, &permit.ctx, &new, FormErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    permit: Permit<CreateProcesses>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let tr = permit.tr();
    let mut errors = FormErrors::default();
    let mut new = NewProcess {
        title: String::new(),
        description: String::new(),
        template: Template::Clarification,
        scope: Scope::Organisation,
        units: Vec::new(),
        keep_unit_role: false,
    };
    for (k, v) in &fields {
        match k.as_str() {
            "title" => new.title = v.trim().to_string(),
            "description" => new.description = v.trim().to_string(),
            "template" => match Template::parse(v) {
                Some(t) => new.template = t,
                None => errors.push("template", tr.t("process-error-template")),
            },
            "scope" => match Scope::parse(v) {
                Some(s) => new.scope = s,
                None => errors.push("scope", tr.t("process-error-scope")),
            },
            "unit" => match Uuid::parse_str(v.trim()) {
                Ok(u) => new.units.push(u),
                Err(_) => errors.push("units", tr.t("process-error-unit-unknown")),
            },
            "keep_unit_role" => new.keep_unit_role = true,
            _ => {}
        }
    }
    if new.scope != Scope::Units {
        new.units.clear();
    }
    if let Err(more) = check_new(&state, &tr, &new).await {
        errors.0.extend(more.0);
    }
    if !errors.is_empty() {
        return form(&state, &permit.ctx, &new, errors).await;
    }
    let id =
        store::create(&state.db, state.municipality, &new, permit.user.account.id, permit.ctx.audit("process.created"))
            .await?;
    // The maker's grant on the process counts from their next request.
    state.sessions.forget_account(permit.user.account.id);
    Ok(Redirect::to(&format!("/processer/{id}/indstillinger")).into_response())
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    gemt: Option<String>,
}

/// The confirmation for `?gemt=…` after a write.
fn notice(tr: &Tr, saved: Option<&str>) -> Option<String> {
    match saved? {
        "input" => Some(tr.t("process-saved-input")),
        "stemme" => Some(tr.t("process-saved-vote")),
        "udsagn" => Some(tr.t("process-saved-statement")),
        "indstillinger" => Some(tr.t("process-saved-settings")),
        "temaer" => Some(tr.t("process-saved-themes")),
        _ => None,
    }
}

/// What a taker sees and may do in a process.
#[allow(clippy::too_many_arguments)]
async fn taking(
    state: &AppState,
    tr: &Tr,
    process: &Process,
    taker: &Taker,
    base: String,
    facilitator: bool,
    (text, core_task, statement_text): (String, String, String),
    saved: Option<&str>,
) -> Result<Taking> {
    let anonymous = taker.is_anonymous();
    let may_give_input = refusal(process, Doing::Input, anonymous).is_none();
    let may_vote = refusal(process, Doing::Vote, anonymous).is_none();
    let may_propose = !facilitator && refusal(process, Doing::Statement, anonymous).is_none();
    let own_inputs = match store::find_participant(&state.db, process.id, taker).await? {
        Some(p) => store::inputs(&state.db, process.id, InputsOf::Participant(p.id), 100, 0).await?.0,
        None => Vec::new(),
    };
    let closed_note =
        (!may_give_input && !may_vote).then(|| refusal(process, Doing::Input, anonymous).map(|id| tr.t(id))).flatten();
    Ok(Taking {
        base,
        may_give_input,
        may_propose,
        may_vote,
        closed_note,
        next: next_for(state, process, taker).await?,
        own_inputs,
        core_tasks: core_tasks(&state.db, state.municipality).await?,
        text,
        core_task,
        statement_text,
        notice: notice(tr, saved),
        public: false,
    })
}

async fn process_view(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: Process,
    fields: (String, String, String),
    errors: FormErrors,
    saved: Option<&str>,
) -> Result<Response> {
    let tr = permit.tr();
    let taker = account_taker(state, &permit.user).await?;
    let facilitator = facilitates(&permit.user, process.id);
    let bad = !errors.is_empty();
    let taking =
        taking(state, &tr, &process, &taker, format!("/processer/{}", process.id), facilitator, fields, saved).await?;
    let results = super::sees_results(&permit.user, &process);
    let mut r = render(&ProcessTemplate {
        page: permit.ctx.page(state, process.title.clone(), "processes"),
        timeline: timeline(&tr, &process),
        process,
        taking,
        errors,
        facilitator,
        results,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn process_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    process_view(&state, &permit, process, Default::default(), FormErrors::default(), q.gemt.as_deref()).await
}

#[derive(Deserialize, Default)]
struct InputForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    core_task: String,
}

/// Checks an input from a form; the errors, or the checked (text, core task).
async fn input_from_form(state: &AppState, tr: &Tr, form: &InputForm) -> (String, Option<String>, FormErrors) {
    let text = form.text.trim().to_string();
    let core_task = Some(form.core_task.trim().to_string()).filter(|c| !c.is_empty());
    let errors = check_input(state, tr, &text, core_task.as_deref()).await.err().unwrap_or_default();
    (text, core_task, errors)
}

async fn give_input(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<InputForm>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    if let Some(why) = refusal(&process, Doing::Input, false) {
        return Err(AppError::Conflict(tr.t(why)));
    }
    let (text, core_task, errors) = input_from_form(&state, &tr, &form).await;
    if !errors.is_empty() {
        let fields = (form.text.clone(), form.core_task.clone(), String::new());
        return process_view(&state, &permit, process, fields, errors, None).await;
    }
    let taker = account_taker(&state, &permit.user).await?;
    let draft = store::InputDraft { text, core_task, ..Default::default() };
    store::add_input(
        &state.db,
        state.municipality,
        &process,
        &taker,
        &draft,
        None,
        permit.ctx.audit("process.input_added"),
    )
    .await?
    .map_err(|_| super::api::over_quota(&permit.ctx))?;
    Ok(Redirect::to(&format!("/processer/{}?gemt=input#input", process.id)).into_response())
}

#[derive(Deserialize, Default)]
struct VoteForm {
    #[serde(default)]
    statement: String,
    #[serde(default)]
    vote: String,
}

/// The statement number and vote of a vote form, checked against the process.
async fn vote_from_form(state: &AppState, tr: &Tr, process: &Process, form: &VoteForm) -> Result<(i32, i16)> {
    let value = form.vote.trim().parse::<i64>().ok().and_then(valid_vote);
    let value = value.ok_or_else(|| AppError::BadRequest(tr.t("process-error-vote")))?;
    let number =
        form.statement.trim().parse::<i32>().map_err(|_| AppError::BadRequest(tr.t("process-error-statement")))?;
    store::statement_by_number(&state.db, process.id, number)
        .await?
        .filter(|s| s.state == StatementState::Accepted)
        .ok_or_else(|| AppError::BadRequest(tr.t("process-error-statement")))?;
    Ok((number, value))
}

async fn vote(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    if let Some(why) = refusal(&process, Doing::Vote, false) {
        return Err(AppError::Conflict(tr.t(why)));
    }
    let (number, value) = vote_from_form(&state, &tr, &process, &form).await?;
    let taker = account_taker(&state, &permit.user).await?;
    store::vote(
        &state.db,
        state.municipality,
        &process,
        &taker,
        (number, value),
        None,
        permit.ctx.audit("process.voted"),
    )
    .await?
    .map_err(|_| super::api::over_quota(&permit.ctx))?;
    Ok(Redirect::to(&format!("/processer/{}?gemt=stemme#stem", process.id)).into_response())
}
