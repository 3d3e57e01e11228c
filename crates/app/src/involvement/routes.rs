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
use crate::platform::module::{Guard, Routes};
use crate::platform::participants::{self, Actor};
use crate::platform::permissions::can;
use crate::platform::site::store::core_tasks;
use crate::platform::web::{AppError, CsrfForm, Ctx, Permit, Result, page_number};

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
        .get("/kode", Guard::Public, code_form)
        .post("/kode", Guard::Public, enter_code)
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

#[derive(Deserialize, Default)]
struct StatementForm {
    #[serde(default)]
    text: String,
    /// Where a facilitator wrote it: back to the facilitation page.
    #[serde(default)]
    from: String,
    /// The input a facilitator made it from.
    #[serde(default)]
    input: String,
}

/// A facilitator adds a statement (shown at once); a participant proposes one where the
/// step allows it (it waits for moderation).
async fn add_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatementForm>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    let facilitator = facilitates(&permit.user, process.id);
    let text = form.text.trim().to_string();
    if !facilitator && let Some(why) = refusal(&process, Doing::Statement, false) {
        return Err(AppError::Conflict(tr.t(why)));
    }
    // Made from an input: for facilitators, from an input of this process.
    let from_input = match Uuid::parse_str(form.input.trim()) {
        Ok(i) if facilitator => Some(
            store::input_by_id(&state.db, process.id, i)
                .await?
                .ok_or_else(|| AppError::BadRequest(tr.t("process-error-input-unknown")))?
                .id,
        ),
        _ => None,
    };
    if let Err(errors) = check_statement(&tr, &text) {
        if facilitator && form.from == "facilitering" {
            let draft = StatementDraft { text: form.text.clone(), input: from_input };
            return facilitate_view(&state, &permit, process, 1, draft, errors, None).await;
        }
        let fields = (String::new(), String::new(), form.text.clone());
        return process_view(&state, &permit, process, fields, errors, None).await;
    }
    let (state_of, proposer) = if facilitator {
        (StatementState::Accepted, None)
    } else {
        (StatementState::Pending, Some(account_taker(&state, &permit.user).await?))
    };
    store::add_statement(
        &state.db,
        state.municipality,
        &process,
        &text,
        proposer.as_ref(),
        from_input,
        state_of,
        permit.ctx.audit("process.statement_added"),
    )
    .await?;
    let back = if facilitator && form.from == "facilitering" { "facilitering" } else { "" };
    let path = if back.is_empty() {
        format!("/processer/{}?gemt=udsagn#udsagn", process.id)
    } else {
        format!("/processer/{}/facilitering?gemt=udsagn#udsagn", process.id)
    };
    Ok(Redirect::to(&path).into_response())
}

const INPUT_PAGE: i64 = 50;

/// A statement being written on the facilitation page, and the input it is made from.
#[derive(Default)]
struct StatementDraft {
    text: String,
    input: Option<Uuid>,
}

#[derive(Deserialize, Default)]
struct FacilitateQuery {
    side: Option<String>,
    gemt: Option<String>,
    /// An input to make a statement from: its text fills the statement field.
    fra: Option<String>,
}

async fn facilitate_view(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: Process,
    page_no: i64,
    draft: StatementDraft,
    errors: FormErrors,
    saved: Option<&str>,
) -> Result<Response> {
    let tr = permit.tr();
    let (participants, input_count, votes) = store::counts(&state.db, process.id).await?;
    let tallies = store::tallies(&state.db, process.id).await?;
    let statements = store::statements(&state.db, process.id)
        .await?
        .into_iter()
        .map(|s| StatementRow { tally: tallies.get(&s.number).copied().unwrap_or_default(), statement: s })
        .collect();
    let (inputs, total) =
        store::inputs(&state.db, process.id, InputsOf::All, INPUT_PAGE, (page_no - 1) * INPUT_PAGE).await?;
    let view = crate::organisation::org_cache(state).get(&state.db).await?;
    let unit_names: HashMap<Uuid, String> = inputs
        .iter()
        .filter_map(|i| i.unit_id)
        .filter_map(|u| view.unit(u).map(|unit| (u, unit.name.clone())))
        .collect();
    let bad = !errors.is_empty();
    let mut r = render(&FacilitateTemplate {
        page: permit.ctx.page(state, tr.t1("process-facilitate-title", "title", &process.title), "processes"),
        page_link: format!("/processer/{}/facilitering?side=", process.id),
        process,
        participants,
        input_count,
        votes,
        statements,
        inputs,
        unit_names,
        statement_text: draft.text,
        statement_input: draft.input.map(|i| i.to_string()).unwrap_or_default(),
        errors,
        notice: notice(&tr, saved),
        page_number: page_no,
        pages: ((total + INPUT_PAGE - 1) / INPUT_PAGE).max(1),
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn facilitate(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<FacilitateQuery>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let page_no = page_number(&permit.tr(), q.side.as_deref())?;
    let mut draft = StatementDraft::default();
    if let Some(input) = q.fra.as_deref().and_then(|f| Uuid::parse_str(f.trim()).ok()) {
        let input = store::input_by_id(&state.db, process.id, input).await?.ok_or(AppError::NotFound)?;
        draft = StatementDraft {
            text: input.text.chars().take(super::model::STATEMENT_MAX_CHARS).collect(),
            input: Some(input.id),
        };
    }
    facilitate_view(&state, &permit, process, page_no, draft, FormErrors::default(), q.gemt.as_deref()).await
}

#[derive(Deserialize, Default)]
struct StateForm {
    #[serde(default)]
    state: String,
}

async fn moderate_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, number)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<StateForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let number: i32 = number.trim().parse().map_err(|_| AppError::NotFound)?;
    let new = StatementState::parse(form.state.trim())
        .filter(|s| *s != StatementState::Pending)
        .ok_or_else(|| AppError::BadRequest(tr.t("process-error-statement-state")))?;
    if !store::set_statement_state(
        &state.db,
        state.municipality,
        process.id,
        number,
        new,
        permit.ctx.audit("process.statement_moderated"),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/processer/{}/facilitering#udsagn", process.id)).into_response())
}

#[derive(Deserialize, Default)]
struct HideForm {
    #[serde(default)]
    reason: String,
    /// Set to show a hidden input again.
    #[serde(default)]
    show: String,
}

async fn hide_input(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, input)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<HideForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let input_id = Uuid::parse_str(input.trim()).map_err(|_| AppError::NotFound)?;
    let input = store::input_by_id(&state.db, process.id, input_id).await?.ok_or(AppError::NotFound)?;
    let reason = form.reason.trim().to_string();
    let reason = if form.show.is_empty() {
        let mut errors = FormErrors::default();
        super::check_text(&mut errors, &tr, "reason", &reason, REASON_MAX_CHARS, "process-error-reason");
        if let Some(e) = errors.all().first() {
            return Err(AppError::BadRequest(e.message.clone()));
        }
        Some(reason.as_str())
    } else {
        None
    };
    store::set_hidden(&state.db, state.municipality, input.id, reason, permit.ctx.audit("process.input_moderated"))
        .await?;
    Ok(Redirect::to(&format!("/processer/{}/facilitering#input", process.id)).into_response())
}

async fn settings_view(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: Process,
    errors: FormErrors,
) -> Result<Response> {
    let bad = !errors.is_empty();
    let tr = permit.tr();
    let facilitators =
        crate::platform::accounts::store::object_grantees(&state.db, super::object(process.id), super::FACILITATOR_OF)
            .await?;
    let may_copy = permit.may(actions::CREATE.anywhere());
    let mut r = render(&SettingsTemplate {
        page: permit.ctx.page(state, tr.t1("process-settings-title", "title", &process.title), "processes"),
        steps: process.steps.clone(),
        process,
        errors,
        facilitators,
        may_copy,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn settings_form(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    settings_view(&state, &permit, process, FormErrors::default()).await
}

/// A date field: empty for none, else YYYY-MM-DD.
fn date_field(tr: &Tr, errors: &mut FormErrors, field: &'static str, value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(field, tr.t("process-error-date"));
            None
        }
    }
}

async fn save_settings(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut errors = FormErrors::default();
    let steps: Vec<StepChange> = process
        .steps
        .iter()
        .map(|s| {
            let flag = |what: &str| Some(field(&format!("{}_{what}", s.key)).is_some());
            StepChange {
                key: s.key.clone(),
                starts_on: date_field(
                    &tr,
                    &mut errors,
                    step_field(&s.key, "starts_on"),
                    &field(&format!("{}_starts_on", s.key)).unwrap_or_default(),
                ),
                ends_on: date_field(
                    &tr,
                    &mut errors,
                    step_field(&s.key, "ends_on"),
                    &field(&format!("{}_ends_on", s.key)).unwrap_or_default(),
                ),
                allow_inputs: flag("allow_inputs"),
                allow_statements: flag("allow_statements"),
                allow_votes: flag("allow_votes"),
                show_results: flag("show_results"),
                allow_anonymous: flag("allow_anonymous"),
            }
        })
        .collect();
    // A cleared date is cleared (the API's "left out stays" does not apply to a form).
    let mut cleared = process.clone();
    for s in &mut cleared.steps {
        s.starts_on = None;
        s.ends_on = None;
    }
    let change = ProcessChange {
        title: field("title"),
        description: field("description"),
        active_step: Some(field("active_step").unwrap_or_default()),
        keep_unit_role: Some(field("keep_unit_role").is_some()),
        steps: Some(steps),
    };
    if !errors.is_empty() {
        return settings_view(&state, &permit, process, errors).await;
    }
    let changed = match apply_change(&tr, cleared, change) {
        Ok(p) => p,
        Err(AppError::BadRequest(msg)) => {
            return settings_view(&state, &permit, process, FormErrors::one("steps", msg)).await;
        }
        Err(e) => return Err(e),
    };
    store::update(&state.db, state.municipality, &changed, permit.ctx.audit("process.updated")).await?;
    Ok(Redirect::to(&format!("/processer/{}?gemt=indstillinger", changed.id)).into_response())
}

#[derive(Deserialize, Default)]
struct LinksForm {
    #[serde(default)]
    count: String,
}

/// The site's address as the browser used it, for links to print.
fn site(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if host.is_empty() { String::new() } else { format!("//{host}") }
}

async fn make_links(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<LinksForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let count = form.count.trim().parse::<i64>().map_err(|_| {
        AppError::BadRequest(tr.t1("process-error-links", "max", tr.num(super::model::LINKS_MAX as i64)))
    })?;
    let tokens = issue_links(&state, &permit, &process, count).await?;
    let base = site(&headers);
    Ok(render(&LinksTemplate {
        page: permit.ctx.page(&state, tr.t1("process-links-title", "title", &process.title), "processes"),
        links: tokens.iter().map(|t| format!("{base}/deltag/{t}")).collect(),
        process,
    }))
}

/// The process if the reader may see its results; a 403 otherwise.
async fn with_results(state: &AppState, permit: &Permit<TakePart>, id: &str) -> Result<Process> {
    let process = visible(state, permit, id).await?;
    if super::sees_results(&permit.user, &process) { Ok(process) } else { Err(AppError::Forbidden) }
}

/// Statement texts by number, for the results.
async fn statement_texts(state: &AppState, process: Uuid) -> Result<HashMap<String, String>> {
    Ok(store::statements(&state.db, process).await?.into_iter().map(|s| (s.number.to_string(), s.text)).collect())
}

/// Places points on a 600 × 400 map with a margin, keeping the aspect of the data.
fn scale(points: &[[f64; 2]]) -> impl Fn([f64; 2]) -> (f64, f64) + use<> {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in points {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    let span = (x1 - x0).max((y1 - y0) * 1.5).max(1e-9);
    let unit = 560.0 / span;
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    move |p: [f64; 2]| {
        let x = 300.0 + (p[0] - cx) * unit;
        let y = 200.0 - (p[1] - cy) * unit;
        ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
    }
}

fn id_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn opinions_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = with_results(&state, &permit, &id).await?;
    let tr = permit.tr();
    let json = super::analysis::opinions(&state, &process, permit.ctx.audit("process.analysed")).await?;
    let a: serde_json::Value =
        serde_json::from_str(&json).map_err(|e| AppError::Internal(format!("opinions JSON: {e}")))?;
    let texts = statement_texts(&state, process.id).await?;
    let statement = |v: &serde_json::Value| {
        let number = id_text(v);
        StatementRef { text: texts.get(&number).cloned().unwrap_or_default(), number }
    };
    let list = |v: &serde_json::Value| v.as_array().cloned().unwrap_or_default();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let groups: Vec<GroupView> = list(&a["groups"])
        .iter()
        .enumerate()
        .map(|(g, group)| {
            for m in list(&group["members"]) {
                group_of.insert(id_text(&m), g);
            }
            GroupView {
                number: g + 1,
                size: list(&group["members"]).len(),
                colour: group_colour(g),
                representative: list(&group["repness"])
                    .iter()
                    .take(5)
                    .map(|r| Representative {
                        statement: statement(&r["statement"]),
                        agree: r["direction"] == "agree",
                        percent: (r["p"].as_f64().unwrap_or(0.0) * 100.0).round() as i64,
                    })
                    .collect(),
            }
        })
        .collect();
    let projections: Vec<(String, [f64; 2])> = a["projections"]
        .as_object()
        .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), [v[0].as_f64()?, v[1].as_f64()?]))).collect())
        .unwrap_or_default();
    let statement_points: Vec<(String, [f64; 2])> = list(&a["pca"]["statements"])
        .iter()
        .zip(list(&a["pca"]["statement_projections"]))
        .filter_map(|(s, p)| Some((id_text(s), [p[0].as_f64()?, p[1].as_f64()?])))
        .collect();
    let all: Vec<[f64; 2]> = projections.iter().chain(statement_points.iter()).map(|(_, p)| *p).collect();
    let place = scale(&all);
    let dots = projections
        .iter()
        .filter_map(|(pid, p)| {
            let g = group_of.get(pid)?;
            let (x, y) = place(*p);
            Some(Dot { x, y, colour: group_colour(*g) })
        })
        .collect();
    let marks = statement_points
        .iter()
        .map(|(number, p)| {
            let (x, y) = place(*p);
            StatementMark { x, y, number: number.clone() }
        })
        .collect();
    let mut bridging: Vec<(String, f64)> = a["group_informed_consensus"]
        .as_object()
        .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_f64()?))).collect())
        .unwrap_or_default();
    bridging.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let bridging = if groups.len() > 1 {
        bridging
            .into_iter()
            .take(5)
            .map(|(n, v)| (statement(&serde_json::Value::String(n)), (v * 100.0).round() as i64))
            .collect()
    } else {
        Vec::new()
    };
    Ok(render(&OpinionsTemplate {
        page: permit.ctx.page(&state, tr.t1("process-opinions-title", "title", &process.title), "processes"),
        facilitator: facilitates(&permit.user, process.id),
        participants: a["participants"].as_u64().unwrap_or(0) as usize,
        clustered: list(&a["in_conv"]).len(),
        consensus_agree: list(&a["consensus"]["agree"]).iter().map(statement).collect(),
        consensus_disagree: list(&a["consensus"]["disagree"]).iter().map(statement).collect(),
        groups,
        bridging,
        dots,
        marks,
        process,
    }))
}

#[derive(Deserialize, Default)]
struct LevelQuery {
    niveau: Option<String>,
}

/// The organisation level a table is drawn at (`?niveau=` / `?level=`), or a 400.
pub fn level(tr: &Tr, raw: Option<&str>) -> Result<i64> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(*super::across::LEVELS.start()),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|l| super::across::LEVELS.contains(l))
            .ok_or_else(|| AppError::BadRequest(tr.t("process-error-level"))),
    }
}

/// Themes across the organisation for a process's current themes.
pub async fn across_for(
    state: &AppState,
    tr: &Tr,
    process: &Process,
    themes: &super::analysis::ThemesResult,
    level: i64,
) -> Result<super::across::Across> {
    let (inputs, _) = store::inputs(&state.db, process.id, InputsOf::All, i64::from(i32::MAX), 0).await?;
    let view = crate::organisation::org_cache(state).get(&state.db).await?;
    let names = |key: &str| tr.t(&format!("process-across-{key}"));
    Ok(super::across::across(&view, themes, &inputs, level, &names))
}

async fn themes_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<LevelQuery>,
) -> Result<Response> {
    let process = with_results(&state, &permit, &id).await?;
    let tr = permit.tr();
    let level = level(&tr, q.niveau.as_deref())?;
    let result = super::analysis::themes(&state, &process, permit.ctx.audit("process.analysed")).await?;
    let across = across_for(&state, &tr, &process, &result, level).await?;
    let texts: HashMap<Uuid, String> = store::visible_texts(&state.db, process.id).await?.into_iter().collect();
    let text_of = |row: usize| result.inputs.get(row).and_then(|id| texts.get(id)).cloned().unwrap_or_default();
    let themes = result
        .themes
        .iter()
        .map(|t| ThemeView {
            number: t.id + 1,
            label: t.label.clone(),
            terms: t.terms.join(", "),
            size: t.size,
            examples: t.examples.iter().map(|&r| text_of(r)).collect(),
            duplicates: t.duplicates.iter().map(Vec::len).sum(),
            id: t.id,
            pinned: result.pins.iter().any(|p| p.theme == t.id as i64),
        })
        .collect();
    Ok(render(&ThemesTemplate {
        page: permit.ctx.page(&state, tr.t1("process-themes-title", "title", &process.title), "processes"),
        facilitator: facilitates(&permit.user, process.id),
        inputs: result.inputs.len(),
        unthemed: result.assignments.iter().filter(|a| **a < 0).count(),
        themes,
        across,
        process,
    }))
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn analyse(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let job = super::api::start_analysis(&state, &permit, &process).await?;
    Ok(Redirect::to(&format!("/jobber/{job}")).into_response())
}

async fn export(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    super::export::download(&state, &permit.ctx, &process, &file).await
}

/// How someone without an account came to a process: a personal link, the public link,
/// or a workshop code (held in the pass cookie).
enum Door {
    Link(String),
    Public(String),
    Workshop,
}

/// The cookie that tells one browser from another on the public link and in a workshop
/// (a random key; the process keeps only a UUID made from its SHA-256).
const BROWSER_COOKIE: &str = "samskab_deltager";
/// A browser's key lives for a year: a participant comes back to vote on new statements.
const BROWSER_COOKIE_SECONDS: i64 = 365 * 24 * 3600;
/// Writes a public visitor may make per minute from one address.
const PUBLIC_WRITES_PER_MINUTE: i64 = 30;
/// Writes per minute from one address with one workshop code: a room shares an address.
const WORKSHOP_WRITES_PER_MINUTE: i64 = 600;

/// This browser's participant id, and the cookie to set when it is new.
fn browser(state: &AppState, headers: &HeaderMap) -> (Uuid, Option<header::HeaderValue>) {
    use sha2::{Digest, Sha256};
    let (key, new) =
        match crate::platform::web::cookie(headers, BROWSER_COOKIE).filter(|k| (32..=100).contains(&k.len())) {
            Some(k) => (k, false),
            None => (crate::platform::accounts::random_token(), true),
        };
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let cookie =
        new.then(|| crate::platform::web::set_cookie(state, BROWSER_COOKIE, &key, Some(BROWSER_COOKIE_SECONDS)));
    (Uuid::from_bytes(bytes), cookie)
}

/// What a door opens: the process, the taker, where its forms post, the actor counted by
/// the rate limit, the cookie to set.
struct Opened {
    process: Process,
    taker: Taker,
    base: String,
    actor: Actor,
    limit: i64,
    cookie: Option<header::HeaderValue>,
}

async fn open_door(state: &AppState, headers: &HeaderMap, door: &Door) -> Result<Opened> {
    match door {
        Door::Link(token) => {
            let (pass, process, taker) = by_link(state, token).await?;
            Ok(Opened {
                process,
                taker,
                base: format!("/deltag/{token}"),
                actor: Actor::Participant(pass),
                limit: super::api::LINK_WRITES_PER_MINUTE,
                cookie: None,
            })
        }
        Door::Public(id) => {
            let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
            let process = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
            if process.scope != Scope::Public || process.archived_at.is_some() {
                return Err(AppError::NotFound);
            }
            let (browser, cookie) = browser(state, headers);
            Ok(Opened {
                base: format!("/p/{}", process.id),
                process,
                taker: Taker::Browser { browser, channel: super::model::Channel::Public },
                actor: Actor::Visitor,
                limit: PUBLIC_WRITES_PER_MINUTE,
                cookie,
            })
        }
        Door::Workshop => {
            let secret = crate::platform::web::cookie(headers, participants::PASS_COOKIE).unwrap_or_default();
            let pass = if secret.is_empty() || secret.len() > 100 {
                None
            } else {
                participants::store::pass(&state.db, state.municipality, &secret).await?
            };
            let pass = pass
                .filter(|p| p.kind == participants::PassKind::Code && p.object.kind == super::OBJECT_KIND)
                .ok_or(AppError::NotFound)?;
            let process = store::get(&state.db, state.municipality, pass.object.id).await?.ok_or(AppError::NotFound)?;
            let (browser, cookie) = browser(state, headers);
            Ok(Opened {
                process,
                taker: Taker::Browser { browser, channel: super::model::Channel::Workshop },
                base: "/workshop".to_string(),
                actor: Actor::Participant(pass),
                limit: WORKSHOP_WRITES_PER_MINUTE,
                cookie,
            })
        }
    }
}

/// Sets the browser cookie on a response when the door made one.
fn with_cookie(mut r: Response, cookie: Option<header::HeaderValue>) -> Response {
    if let Some(c) = cookie {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    // Personal links and participation pages are for one person: keep them out of caches.
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

async fn door_view(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    door: &Door,
    fields: (String, String, String),
    errors: FormErrors,
    saved: Option<&str>,
) -> Result<Response> {
    let opened = open_door(state, headers, door).await?;
    let tr = ctx.tr();
    let bad = !errors.is_empty();
    let mut taking =
        taking(state, &tr, &opened.process, &opened.taker, opened.base.clone(), false, fields, saved).await?;
    taking.public = matches!(door, Door::Public(_));
    let note = match door {
        Door::Link(_) => "process-link-anonymous",
        Door::Public(_) => "process-public-note",
        Door::Workshop => "process-workshop-note",
    };
    let mut r = render(&ParticipateTemplate {
        page: ctx.page(state, opened.process.title.clone(), ""),
        timeline: timeline(&tr, &opened.process),
        process: opened.process,
        taking,
        errors,
        note: tr.t(note),
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(with_cookie(r, opened.cookie))
}

#[derive(Deserialize, Default)]
struct DoorInputForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    core_task: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    /// Hidden from people; a form that fills it in is a robot's.
    #[serde(default)]
    website: String,
}

/// A plausible e-mail address: one @ with text either side and a dot in the domain.
fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && s.chars().count() <= 200
        && !domain.contains('@')
}

async fn door_input(
    state: &AppState,
    ctx: &Ctx,
    headers: &HeaderMap,
    door: Door,
    form: DoorInputForm,
) -> Result<Response> {
    let opened = open_door(state, headers, &door).await?;
    let tr = ctx.tr();
    let window = chrono::Duration::minutes(1);
    // A write counts against the quota in its own transaction; a refused one (a robot's,
    // or one with errors) is counted on its own, so neither can be repeated for free.
    let count_refused =
        async || participants::limit(state, ctx, &opened.actor, "process.write", opened.limit, window).await;
    if let Some(why) = refusal(&opened.process, Doing::Input, true) {
        count_refused().await?;
        return Err(AppError::Conflict(tr.t(why)));
    }
    let back = format!("{}?gemt=input#input", opened.base);
    if !form.website.is_empty() {
        count_refused().await?;
        // A robot filled in the hidden field: it is told all went well, and nothing is kept.
        return Ok(with_cookie(Redirect::to(&back).into_response(), opened.cookie));
    }
    let (text, core_task, mut errors) =
        input_from_form(state, &tr, &InputForm { text: form.text.clone(), core_task: form.core_task.clone() }).await;
    let public = matches!(door, Door::Public(_));
    let name = Some(form.name.trim().chars().take(200).collect::<String>()).filter(|n| public && !n.is_empty());
    let email = Some(form.email.trim().to_string()).filter(|e| public && !e.is_empty());
    if let Some(e) = &email
        && !plausible_email(e)
    {
        errors.push("email", tr.t("process-error-email"));
    }
    if !errors.is_empty() {
        count_refused().await?;
        let fields = (form.text.clone(), form.core_task.clone(), String::new());
        return door_view(state, ctx, headers, &door, fields, errors, None).await;
    }
    let draft = store::InputDraft { text, core_task, category: None, contact_name: name, contact_email: email };
    let quota = opened.actor.quota(ctx, "process.write", opened.limit, window);
    let entry = ctx.audit("process.input_added");
    store::add_input(&state.db, state.municipality, &opened.process, &opened.taker, &draft, quota.as_ref(), entry)
        .await?
        .map_err(|_| super::api::over_quota(ctx))?;
    Ok(with_cookie(Redirect::to(&back).into_response(), opened.cookie))
}

async fn door_vote(state: &AppState, ctx: &Ctx, headers: &HeaderMap, door: Door, form: VoteForm) -> Result<Response> {
    let opened = open_door(state, headers, &door).await?;
    let tr = ctx.tr();
    let window = chrono::Duration::minutes(1);
    let checked = match refusal(&opened.process, Doing::Vote, true) {
        Some(why) => Err(AppError::Conflict(tr.t(why))),
        None => vote_from_form(state, &tr, &opened.process, &form).await,
    };
    let cast = match checked {
        Ok(cast) => cast,
        Err(e) => {
            participants::limit(state, ctx, &opened.actor, "process.write", opened.limit, window).await?;
            return Err(e);
        }
    };
    let quota = opened.actor.quota(ctx, "process.write", opened.limit, window);
    store::vote(
        &state.db,
        state.municipality,
        &opened.process,
        &opened.taker,
        cast,
        quota.as_ref(),
        ctx.audit("process.voted"),
    )
    .await?
    .map_err(|_| super::api::over_quota(ctx))?;
    let back = format!("{}?gemt=stemme#stem", opened.base);
    Ok(with_cookie(Redirect::to(&back).into_response(), opened.cookie))
}

async fn link_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    door_view(&state, &ctx, &headers, &Door::Link(token), Default::default(), FormErrors::default(), q.gemt.as_deref())
        .await
}

async fn link_input(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<DoorInputForm>,
) -> Result<Response> {
    door_input(&state, &ctx, &headers, Door::Link(token), form).await
}

async fn link_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response> {
    door_vote(&state, &ctx, &headers, Door::Link(token), form).await
}

async fn public_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    door_view(&state, &ctx, &headers, &Door::Public(id), Default::default(), FormErrors::default(), q.gemt.as_deref())
        .await
}

async fn public_input(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DoorInputForm>,
) -> Result<Response> {
    door_input(&state, &ctx, &headers, Door::Public(id), form).await
}

async fn public_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response> {
    door_vote(&state, &ctx, &headers, Door::Public(id), form).await
}

async fn workshop_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<NoticeQuery>,
) -> Result<Response> {
    match door_view(
        &state,
        &ctx,
        &headers,
        &Door::Workshop,
        Default::default(),
        FormErrors::default(),
        q.gemt.as_deref(),
    )
    .await
    {
        // Without a valid code the participant is asked for one.
        Err(AppError::NotFound) => Ok(Redirect::to("/kode").into_response()),
        other => other,
    }
}

async fn workshop_input(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<DoorInputForm>,
) -> Result<Response> {
    door_input(&state, &ctx, &headers, Door::Workshop, form).await
}

async fn workshop_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<VoteForm>,
) -> Result<Response> {
    door_vote(&state, &ctx, &headers, Door::Workshop, form).await
}

/// How long a workshop code works: the rest of a workshop day.
const CODE_HOURS: i64 = 12;

/// The address a workshop code's QR code opens.
fn code_url(headers: &HeaderMap, code: &str) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme =
        headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).filter(|p| *p == "https").unwrap_or("http");
    format!("{scheme}://{host}/kode?c={code}")
}

async fn make_code(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let expires = chrono::Utc::now() + chrono::Duration::hours(CODE_HOURS);
    let code =
        participants::issue_code(&state.db, state.municipality, super::object(process.id), Some(expires)).await?;
    let entry = permit.ctx.audit("process.code_issued").subject(store::AUDIT_KIND, process.id, &process.title);
    crate::platform::audit::record(&state.db, Some(state.municipality), &entry).await?;
    let url = code_url(&headers, &code);
    let qr = crate::platform::qr::svg(&url, 320, &tr.t1("process-code-qr", "code", &code))?;
    Ok(render(&CodeTemplate {
        page: permit.ctx.page(&state, tr.t1("process-code-title", "title", &process.title), "processes"),
        spaced: format!("{} {}", &code[..3], &code[3..]),
        url,
        qr,
        expires: tr.datetime(&expires),
        code,
        process,
    }))
}

async fn code_png(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    headers: HeaderMap,
    Path((id, code)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let code = participants::normalise_code(code.trim_end_matches(".png"));
    let pass = participants::store::pass(&state.db, state.municipality, &code).await?;
    if !pass.is_some_and(|p| p.kind == participants::PassKind::Code && p.object == super::object(process.id)) {
        return Err(AppError::NotFound);
    }
    let png = crate::platform::qr::png(&code_url(&headers, &code), 12)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

#[derive(Deserialize, Default)]
struct CodeQuery {
    #[serde(default)]
    c: String,
}

async fn code_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CodeQuery>) -> Result<Response> {
    let code: String = participants::normalise_code(&q.c).chars().take(participants::CODE_LENGTH).collect();
    Ok(render(&EnterCodeTemplate {
        page: ctx.page(&state, ctx.tr().t("process-code-enter-title"), ""),
        code,
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Codes one address may try per minute: enough for a room typing, too few to guess.
const CODE_TRIES_PER_MINUTE: i64 = 30;

async fn enter_code(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<CodeForm>) -> Result<Response> {
    let tr = ctx.tr();
    participants::limit(
        &state,
        &ctx,
        &Actor::Visitor,
        "process.code",
        CODE_TRIES_PER_MINUTE,
        chrono::Duration::minutes(1),
    )
    .await?;
    let code = participants::normalise_code(&form.code);
    let pass = if code.len() == participants::CODE_LENGTH {
        participants::store::pass(&state.db, state.municipality, &code).await?
    } else {
        None
    };
    match pass.filter(|p| p.kind == participants::PassKind::Code && p.object.kind == super::OBJECT_KIND) {
        Some(_) => {
            let mut r = Redirect::to("/workshop").into_response();
            let cookie =
                crate::platform::web::set_cookie(&state, participants::PASS_COOKIE, &code, Some(CODE_HOURS * 3600));
            r.headers_mut().append(header::SET_COOKIE, cookie);
            Ok(r)
        }
        None => {
            let mut r = render(&EnterCodeTemplate {
                page: ctx.page(&state, tr.t("process-code-enter-title"), ""),
                code: form.code.chars().take(20).collect(),
                errors: FormErrors::one("code", tr.t("process-error-code")),
            });
            *r.status_mut() = StatusCode::BAD_REQUEST;
            Ok(r)
        }
    }
}

/// The current themes and the theme numbered `theme` in them (a 404 for another number).
async fn theme_of(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    theme: &str,
) -> Result<(super::analysis::ThemesResult, usize)> {
    let result = super::analysis::themes(state, process, permit.ctx.audit("process.analysed")).await?;
    let theme: usize = theme.trim().parse().map_err(|_| AppError::NotFound)?;
    if !result.themes.iter().any(|t| t.id == theme) {
        return Err(AppError::NotFound);
    }
    Ok((result, theme))
}

/// The inputs of a theme, and its pin if it has one.
fn members(result: &super::analysis::ThemesResult, theme: usize) -> (Vec<Uuid>, Option<Uuid>) {
    let inputs =
        result.assignments.iter().zip(&result.inputs).filter(|(a, _)| **a == theme as i64).map(|(_, id)| *id).collect();
    (inputs, result.pins.iter().find(|p| p.theme == theme as i64).map(|p| p.pin))
}

async fn theme_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    let (inputs, pin) = members(&result, theme);
    let texts: HashMap<Uuid, String> = store::visible_texts(&state.db, process.id).await?.into_iter().collect();
    let label = result.themes.iter().find(|t| t.id == theme).map(|t| t.label.clone()).unwrap_or_default();
    Ok(render(&ThemeTemplate {
        page: permit.ctx.page(&state, tr.t1("process-theme-title", "label", &label), "processes"),
        number: theme,
        label,
        pinned: pin.is_some(),
        inputs: inputs.iter().map(|i| (*i, texts.get(i).cloned().unwrap_or_default())).collect(),
        others: result.themes.iter().filter(|t| t.id != theme).map(|t| (t.id, t.label.clone())).collect(),
        process,
    }))
}

#[derive(Deserialize, Default)]
struct NameForm {
    #[serde(default)]
    name: String,
}

fn back_to_themes(process: &Process) -> Response {
    Redirect::to(&format!("/processer/{}/temaer?gemt=temaer", process.id)).into_response()
}

async fn rename_theme(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<NameForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    let (inputs, pin) = members(&result, theme);
    if form.name.trim().is_empty() {
        return Err(AppError::BadRequest(permit.tr().t("process-error-theme-name")));
    }
    super::api::pin_checked(&state, &permit, &process, pin, Some(&form.name), &inputs).await?;
    Ok(back_to_themes(&process))
}

#[derive(Deserialize, Default)]
struct MergeForm {
    #[serde(default)]
    into: String,
}

async fn merge_theme(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    let into: usize = form
        .into
        .trim()
        .parse()
        .ok()
        .filter(|t| *t != theme && result.themes.iter().any(|x| x.id == *t))
        .ok_or_else(|| AppError::BadRequest(permit.tr().t("process-error-theme-target")))?;
    let (mut inputs, _) = members(&result, theme);
    let (target, pin) = members(&result, into);
    inputs.extend(target);
    super::api::pin_checked(&state, &permit, &process, pin, None, &inputs).await?;
    Ok(back_to_themes(&process))
}

async fn move_inputs(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    let (own, _) = members(&result, theme);
    let chosen: Vec<Uuid> = fields
        .iter()
        .filter(|(k, _)| k == "input")
        .filter_map(|(_, v)| Uuid::parse_str(v.trim()).ok())
        .filter(|i| own.contains(i))
        .collect();
    if chosen.is_empty() {
        return Err(AppError::BadRequest(tr.t("process-error-pin-empty")));
    }
    let to = fields.iter().find(|(k, _)| k == "to").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let name = fields.iter().find(|(k, _)| k == "name").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    if to == "ny" {
        if name.is_empty() {
            return Err(AppError::BadRequest(tr.t("process-error-theme-name")));
        }
        super::api::pin_checked(&state, &permit, &process, None, Some(&name), &chosen).await?;
    } else {
        let target: usize = to
            .parse()
            .ok()
            .filter(|t| *t != theme && result.themes.iter().any(|x| x.id == *t))
            .ok_or_else(|| AppError::BadRequest(tr.t("process-error-theme-target")))?;
        let (mut inputs, pin) = members(&result, target);
        inputs.extend(chosen);
        super::api::pin_checked(&state, &permit, &process, pin, None, &inputs).await?;
    }
    Ok(back_to_themes(&process))
}

async fn release_theme(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, theme)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let (result, theme) = theme_of(&state, &permit, &process, &theme).await?;
    if let (_, Some(pin)) = members(&result, theme) {
        store::unpin(&state.db, state.municipality, &process, pin, permit.ctx.audit("process.themes_unpinned")).await?;
    }
    Ok(back_to_themes(&process))
}

#[derive(Deserialize, Default)]
struct UsernameForm {
    #[serde(default)]
    username: String,
}

async fn copy_process(
    State(state): State<AppState>,
    permit: Permit<CreateProcesses>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = super::api::copyable(&state, &permit, &id).await?;
    let copied = super::api::copy_checked(&state, &permit, &process, None).await?;
    Ok(Redirect::to(&format!("/processer/{}/indstillinger", copied.id)).into_response())
}

async fn add_facilitator(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<UsernameForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    match super::api::add_facilitator_checked(&state, &permit, &process, &form.username).await {
        Ok(()) => Ok(Redirect::to(&format!("/processer/{}/indstillinger", process.id)).into_response()),
        Err(AppError::BadRequest(msg)) => {
            settings_view(&state, &permit, process, FormErrors::one("username", msg)).await
        }
        Err(e) => Err(e),
    }
}
