//! Decisions: the decide step of a process. Proposals are made from its inputs, a theme or
//! a statement (or written directly) and decided one by one — or in bulk with one reason —
//! each decision with a reason, kept as history and in the audit log. Published decisions
//! answer every participant ("I sagde — vi gjorde"): on "Mine input", through the personal
//! link or the receipt they used, by e-mail where an address is known, and in a public
//! decision log for a public process.
//!
//! Files: `model.rs` (proposals, states with stable keys, decisions), `store.rs` (all SQL),
//! `api.rs` (`/api/v1/processes/{id}/proposals`, `/api/v1/proposals/{id}/decision`, …),
//! `routes.rs` and `views.rs` (the pages), `answers.rs` (what became of a participant's
//! input, and publishing).

pub mod answers;
pub mod api;
pub mod cache;
pub mod demo;
pub mod document;
pub mod model;
pub mod routes;
pub mod store;
pub mod views;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::FormErrors;
use crate::platform::module::{AuditLink, Module, NavEntry, no_start};
use crate::platform::permissions::{ActionDef, Role};
use crate::platform::web::Result;
use model::{Decision, ProposalState, REASON_MAX_CHARS, RESPONSIBLE_MAX_CHARS, TEXT_MAX_CHARS, TITLE_MAX_CHARS};

pub mod actions {
    use super::*;

    /// Decide proposals: the executive board and administrators everywhere, facilitators
    /// on the processes they run (checked on the process).
    pub static DECIDE: ActionDef =
        ActionDef { key: "decisions.decide", roles: &[Role::Administrator, Role::Executive, Role::Facilitator] };
}

crate::policy!(pub DecideProposals = actions::DECIDE);

pub static MODULE: Module = Module {
    name: "decisions",
    routes: || routes::routes().merge(api::routes()).merge(answers::routes()),
    nav: &[NavEntry {
        href: "/mine-input",
        label: "nav-my-inputs",
        section: "my-inputs",
        action: &crate::involvement::actions::TAKE_PART,
    }],
    locales: (include_str!("../../locales/da/decisions.ftl"), include_str!("../../locales/en/decisions.ftl")),
    actions: &[&actions::DECIDE],
    start: no_start,
    home: None,
    code_door: None,
    audit_links: &[AuditLink { kind: store::AUDIT_KIND, prefix: "/forslag/" }],
    jobs: &[&document::MAKE_DOCUMENT],
    openapi: Some(openapi),
};

/// A decision as typed (a form or JSON), before it is checked.
#[derive(Clone, Debug, Default)]
pub struct DecisionInput {
    pub state: String,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    pub responsible: String,
    pub deadline: Option<NaiveDate>,
}

/// Checks a decision: a state a decision may set, always a reason, a unit that exists; the
/// errors name the field, in the reader's language.
pub async fn check_decision(state: &AppState, tr: &Tr, input: &DecisionInput) -> Result<Decision, FormErrors> {
    let mut errors = FormErrors::default();
    let new_state = ProposalState::parse(input.state.trim()).filter(|s| *s != ProposalState::New);
    if new_state.is_none() {
        errors.push("state", tr.t("proposal-error-state"));
    }
    let reason = input.reason.trim().to_string();
    let reason_chars = reason.chars().count();
    if reason_chars == 0 || reason_chars > REASON_MAX_CHARS {
        errors.push("reason", tr.t1("proposal-error-reason", "max", REASON_MAX_CHARS));
    }
    let responsible = input.responsible.trim().to_string();
    if responsible.chars().count() > RESPONSIBLE_MAX_CHARS {
        errors.push("responsible", tr.t1("proposal-error-responsible", "max", RESPONSIBLE_MAX_CHARS));
    }
    if let Some(unit) = input.responsible_unit {
        match crate::organisation::org_cache(state).get(&state.db).await {
            Ok(org) if org.unit(unit).is_some() => {}
            _ => errors.push("responsible_unit", tr.t("proposal-error-unit")),
        }
    }
    match new_state {
        Some(s) if errors.is_empty() => Ok(Decision {
            state: s,
            reason,
            responsible_unit: input.responsible_unit,
            responsible,
            deadline: input.deadline,
        }),
        _ => Err(errors),
    }
}

/// Checks a proposal's title and text.
pub fn check_proposal_text(tr: &Tr, title: &str, text: &str, errors: &mut FormErrors) {
    let title_chars = title.trim().chars().count();
    if title_chars == 0 || title_chars > TITLE_MAX_CHARS {
        errors.push("title", tr.t1("proposal-error-title", "max", TITLE_MAX_CHARS));
    }
    if text.trim().chars().count() > TEXT_MAX_CHARS {
        errors.push("text", tr.t1("proposal-error-text", "max", TEXT_MAX_CHARS));
    }
}

/// The module's part of the OpenAPI document: proposals and decisions, and the answers.
fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = api::Api::openapi();
    doc.merge(answers::Api::openapi());
    doc
}
