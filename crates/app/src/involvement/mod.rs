//! Involvement: the involving clarification phase of Rødovre (design the process, collect
//! input from every employee, leader and the MED system, process it across the
//! organisation, decide) and Viborg's open round of proposals. A facilitator makes a
//! process from a template; people take part signed in or through a personal anonymous
//! link; they write inputs, propose statements and vote on them; facilitators moderate.
//!
//! Built on the module template (docs/architecture.md, "Adding a module").

pub mod across;
pub mod analysis;
pub mod api;
pub mod cache;
pub mod demo;
pub mod export;
pub mod import;
pub mod invite;
pub mod model;
pub mod routes;
pub mod store;
pub mod views;

use std::sync::Arc;

use uuid::Uuid;

use crate::AppState;
use crate::platform::accounts::CurrentUser;
use crate::platform::i18n::Tr;
use crate::platform::layout::FormErrors;
use crate::platform::module::{AuditLink, Module, NavEntry, no_start};
use crate::platform::permissions::{ActionDef, EVERYONE, ObjectKind, ObjectRef, Role, can};
use model::{
    DESCRIPTION_MAX_CHARS, INPUT_MAX_CHARS, NewProcess, Process, STATEMENT_MAX_CHARS, Scope, Step, TITLE_MAX_CHARS,
    Taker,
};

/// Processes are the objects facilitators are granted.
pub const OBJECT_KIND: ObjectKind = ObjectKind("process");
/// The role a process's facilitators hold on it.
pub const FACILITATOR_OF: Role = Role::Facilitator;

pub mod actions {
    use super::*;

    /// Take part in the processes one is invited to: read them, write input, vote.
    pub static TAKE_PART: ActionDef = ActionDef { key: "involvement.take_part", roles: EVERYONE };
    /// Make new processes.
    pub static CREATE: ActionDef =
        ActionDef { key: "involvement.create", roles: &[Role::Administrator, Role::Facilitator] };
    /// Run a process: settings, steps, links, statements, moderation. Checked on the
    /// process: its own facilitators hold it there, HR's facilitators everywhere.
    pub static FACILITATE: ActionDef =
        ActionDef { key: "involvement.facilitate", roles: &[Role::Administrator, Role::Facilitator] };
}

crate::policy!(pub TakePart = actions::TAKE_PART);
crate::policy!(pub CreateProcesses = actions::CREATE);

pub static MODULE: Module = Module {
    name: "involvement",
    routes: || routes::routes().merge(api::routes()),
    nav: &[NavEntry { href: "/processer", label: "nav-processes", section: "processes", action: &actions::TAKE_PART }],
    locales: (include_str!("../../locales/da/involvement.ftl"), include_str!("../../locales/en/involvement.ftl")),
    actions: &[&actions::TAKE_PART, &actions::CREATE, &actions::FACILITATE],
    start: no_start,
    home: None,
    code_door: Some(routes::code_door),
    audit_links: &[AuditLink { kind: store::AUDIT_KIND, prefix: "/processer/" }],
    jobs: &[&analysis::ANALYSE],
    openapi: Some(<api::Api as utoipa::OpenApi>::openapi),
};

/// The process as an object of grants.
pub fn object(process: Uuid) -> ObjectRef {
    ObjectRef { kind: OBJECT_KIND, id: process }
}

/// Whether `user` may see the results of `process`: its facilitators always, everyone
/// invited while the active step shows them.
pub fn sees_results(user: &CurrentUser, process: &Process) -> bool {
    facilitates(user, process.id) || process.active().is_some_and(|s| s.show_results)
}

/// Whether `user` runs `process`.
pub fn facilitates(user: &CurrentUser, process: Uuid) -> bool {
    can(&user.grants, actions::FACILITATE.on_object(object(process)))
}

/// An account as a participant: its unit and role from the organisation (the unit of its
/// first manager post, else of its first engagement; role `leader` or `employee`).
pub async fn account_taker(state: &AppState, user: &CurrentUser) -> sqlx::Result<Taker> {
    let posts = match user.account.person_id {
        Some(person) => crate::organisation::store::person_posts(&state.db, state.municipality, person).await?,
        None => Vec::new(),
    };
    let post = posts.iter().find(|(p, _, _)| p.is_manager).or(posts.first());
    Ok(Taker::Account {
        account: user.account.id,
        unit: post.map(|(p, _, _)| p.unit_id),
        role: post.map(|(p, _, _)| if p.is_manager { "leader".to_string() } else { "employee".to_string() }),
    })
}

/// Whether a signed-in `user` is among those a process is for: everyone for the whole
/// organisation or the public; for chosen units, those placed in one of their subtrees;
/// its facilitators always.
pub async fn invited(state: &AppState, user: &Arc<CurrentUser>, process: &Process) -> sqlx::Result<bool> {
    if facilitates(user, process.id) {
        return Ok(true);
    }
    match process.scope {
        Scope::Organisation | Scope::Public => Ok(true),
        Scope::Units => {
            let Some(person) = user.account.person_id else { return Ok(false) };
            let posts = crate::organisation::store::person_posts(&state.db, state.municipality, person).await?;
            let view = crate::organisation::org_cache(state).get(&state.db).await?;
            Ok(process
                .units
                .iter()
                .filter_map(|u| view.unit(*u))
                .any(|unit| posts.iter().any(|(_, left, _)| *left >= unit.tree_left && *left <= unit.tree_right)))
        }
    }
}

/// What a participant may do now, by the active step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doing {
    Input,
    Statement,
    Vote,
}

/// Why a participant may not do something now, as a Fluent id; None when they may.
pub fn refusal(process: &Process, doing: Doing, anonymous: bool) -> Option<&'static str> {
    if process.archived_at.is_some() {
        return Some("process-error-closed");
    }
    let Some(step) = process.active() else { return Some("process-error-closed") };
    let allowed = match doing {
        Doing::Input => step.allow_inputs,
        Doing::Statement => step.allow_statements,
        Doing::Vote => step.allow_votes,
    };
    if !allowed {
        return Some(match doing {
            Doing::Input => "process-error-no-inputs",
            Doing::Statement => "process-error-no-statements",
            Doing::Vote => "process-error-no-votes",
        });
    }
    if anonymous && !step.allow_anonymous {
        return Some("process-error-no-anonymous");
    }
    None
}

/// Checks a new process; the errors name the field, in the reader's language.
pub async fn check_new(state: &AppState, tr: &Tr, new: &NewProcess) -> Result<(), FormErrors> {
    let mut errors = FormErrors::default();
    check_text(&mut errors, tr, "title", &new.title, TITLE_MAX_CHARS, "process-error-title");
    if new.description.chars().count() > DESCRIPTION_MAX_CHARS {
        errors.push("description", tr.t1("process-error-too-long", "max", tr.num(DESCRIPTION_MAX_CHARS as i64)));
    }
    if new.scope == Scope::Units {
        if new.units.is_empty() {
            errors.push("units", tr.t("process-error-units"));
        } else {
            match crate::organisation::org_cache(state).get(&state.db).await {
                Ok(view) if new.units.iter().all(|u| view.unit(*u).is_some()) => {}
                Ok(_) => errors.push("units", tr.t("process-error-unit-unknown")),
                Err(e) => {
                    tracing::error!(error = %e, "could not read the organisation");
                    errors.push("units", tr.t("error-500-text"));
                }
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// A required text between 1 and `max` characters.
pub fn check_text(errors: &mut FormErrors, tr: &Tr, field: &'static str, text: &str, max: usize, empty_id: &str) {
    let n = text.trim().chars().count();
    if n == 0 {
        errors.push(field, tr.t(empty_id));
    } else if n > max {
        errors.push(field, tr.t1("process-error-too-long", "max", tr.num(max as i64)));
    }
}

/// Checks an input's text and core task.
pub async fn check_input(state: &AppState, tr: &Tr, text: &str, core_task: Option<&str>) -> Result<(), FormErrors> {
    let mut errors = FormErrors::default();
    check_text(&mut errors, tr, "text", text, INPUT_MAX_CHARS, "process-error-input-empty");
    if let Some(key) = core_task {
        match crate::platform::site::store::core_tasks(&state.db, state.municipality).await {
            Ok(known) if known.iter().any(|c| c.key == key) => {}
            Ok(_) => errors.push("core_task", tr.t1("process-error-core-task", "key", key)),
            Err(e) => {
                tracing::error!(error = %e, "could not read the core tasks");
                errors.push("core_task", tr.t("error-500-text"));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Checks a statement's text.
pub fn check_statement(tr: &Tr, text: &str) -> Result<(), FormErrors> {
    let mut errors = FormErrors::default();
    check_text(&mut errors, tr, "text", text, STATEMENT_MAX_CHARS, "process-error-statement-empty");
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Checks changed step settings: dates in order.
pub fn check_steps(tr: &Tr, steps: &[Step]) -> Result<(), FormErrors> {
    let mut errors = FormErrors::default();
    for s in steps {
        if let (Some(a), Some(b)) = (s.starts_on, s.ends_on)
            && b < a
        {
            errors.push(model::step_field(&s.key, "ends_on"), tr.t("process-error-dates"));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}
