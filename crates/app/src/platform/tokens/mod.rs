//! API tokens: made with `samskab token add --user USERNAME [--name NAME]` (shown once,
//! stored hashed), listed and revoked with `samskab token list|revoke` or on the
//! administrator's page. A token acts as its account, with the same permissions as the
//! account's pages. This area also serves the OpenAPI document.

pub mod model;
pub mod routes;
pub mod store;
pub mod views;

use crate::platform::module::{Module, NavEntry, no_start};
use crate::platform::permissions::{ActionDef, Role};

pub mod actions {
    use super::*;

    /// See and revoke the municipality's API tokens.
    pub static MANAGE: ActionDef = ActionDef { key: "tokens.manage", roles: &[Role::Administrator] };
}

crate::policy!(pub ManageTokens = actions::MANAGE);

pub static MODULE: Module = Module {
    name: "tokens",
    routes: routes::routes,
    nav: &[NavEntry { href: "/admin/api-noegler", label: "nav-tokens", section: "tokens", action: &actions::MANAGE }],
    locales: (include_str!("../../../locales/da/tokens.ftl"), include_str!("../../../locales/en/tokens.ftl")),
    actions: &[&actions::MANAGE],
    start: no_start,
    home: None,
    code_door: None,
    audit_links: &[],
    jobs: &[],
    openapi: None,
};
