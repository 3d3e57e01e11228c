//! The site itself: the municipality it serves, the front page (each module adds its
//! panel), the menu page, the language switch, the accessibility statement and the about
//! page.

pub mod model;
pub mod routes;
pub mod store;
pub mod views;

use crate::platform::module::{Module, no_start};

pub static MODULE: Module = Module {
    name: "site",
    routes: routes::routes,
    nav: &[],
    locales: (include_str!("../../../locales/da/site.ftl"), include_str!("../../../locales/en/site.ftl")),
    actions: &[],
    start: no_start,
    home: None,
    code_door: None,
    audit_links: &[],
    jobs: &[],
    openapi: None,
};
