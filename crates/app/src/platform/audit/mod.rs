//! The audit log: who did what, when, to which subject. Entries are written in the same
//! transaction as the change they describe, and never updated or deleted by the app.
//!
//! Handlers record through [`record`] (or [`record_in`] inside their own transaction).

pub mod model;
pub mod routes;
pub mod store;
pub mod views;

pub use model::{AuditEntry, AuditEvent, AuditQuery};
pub use store::*;

use crate::platform::module::{Module, NavEntry, no_start};
use crate::platform::permissions::{ActionDef, Role};

pub mod actions {
    use super::*;

    /// Read and search the audit log.
    pub static VIEW: ActionDef = ActionDef { key: "audit.view", roles: &[Role::Administrator] };
}

crate::policy!(pub ViewAuditLog = actions::VIEW);

pub static MODULE: Module = Module {
    name: "audit",
    routes: routes::routes,
    nav: &[NavEntry { href: "/admin/log", label: "nav-audit", section: "audit", action: &actions::VIEW }],
    locales: (include_str!("../../../locales/da/audit.ftl"), include_str!("../../../locales/en/audit.ftl")),
    actions: &[&actions::VIEW],
    start: no_start,
    home: None,
    code_door: None,
    audit_links: &[],
    jobs: &[],
    openapi: None,
};
