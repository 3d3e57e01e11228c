//! Decisions: the decide step of a process. Proposals are made from its inputs (or written
//! directly) and decided one by one, each decision with a reason, kept as history and in
//! the audit log (issue "Decisions"; the decision document, "I sagde — vi gjorde" and the
//! rule register come next).
//!
//! Files: `model.rs` (proposals, states with stable keys, decisions), `store.rs` (all SQL),
//! `api.rs` (`/api/v1/processes/{id}/proposals`, `/api/v1/proposals/{id}/decision`).

pub mod api;
pub mod model;
pub mod store;

use crate::platform::module::{AuditLink, Module, no_start};
use crate::platform::permissions::{ActionDef, Role};

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
    routes: api::routes,
    nav: &[],
    locales: (include_str!("../../locales/da/decisions.ftl"), include_str!("../../locales/en/decisions.ftl")),
    actions: &[&actions::DECIDE],
    start: no_start,
    home: None,
    audit_links: &[AuditLink { kind: store::AUDIT_KIND, prefix: "/forslag/" }],
    jobs: &[],
    openapi: Some(<api::Api as utoipa::OpenApi>::openapi),
};
