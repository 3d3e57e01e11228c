//! Feedback and measurement: the municipality's instrument library (instruments are data,
//! versioned), series of a subject's answers with reliable change, validity flags and an
//! expected band from the municipality's own data, survey rounds sent to units by personal
//! link, and aggregates along the organisation with primary and secondary suppression.
//!
//! Files: `model.rs` (instruments, series, rounds), `library/*.json` and `library.rs` (the
//! instruments shipped: WHO-5, our own pulse, 360° and role self-assessment, and empty
//! FIT-style templates), `store.rs` (all SQL), `aggregates.rs` (the suppressed tables),
//! `api.rs` (`/api/v1/instruments`, `/api/v1/series`, `/api/v1/rounds`, `/api/v1/aggregates`).

pub mod aggregates;
pub mod api;
pub mod chart;
pub mod demo;
pub mod letters;
pub mod library;
pub mod model;
pub mod model_cache;
pub mod rating360;
pub mod rounds;
pub mod routes;
pub mod store;
pub mod views;

use crate::platform::module::{Module, NavEntry, no_start};
use crate::platform::permissions::{ActionDef, Role};

pub mod actions {
    use super::*;

    /// See the instrument library.
    pub static READ: ActionDef = ActionDef {
        key: "feedback.read",
        roles: &[Role::Administrator, Role::Executive, Role::Leader, Role::Facilitator, Role::Employee],
    };
    /// Add instruments and send survey rounds: HR and facilitators.
    pub static MANAGE: ActionDef =
        ActionDef { key: "feedback.manage", roles: &[Role::Administrator, Role::Facilitator] };
    /// Follow a citizen's, family's or person's series: the professional who created it.
    pub static FOLLOW: ActionDef = ActionDef {
        key: "feedback.follow",
        roles: &[Role::Administrator, Role::Leader, Role::Facilitator, Role::Employee],
    };
    /// See the series of others in one's part of the organisation: leaders (two levels
    /// down) and administrators.
    pub static SUPERVISE: ActionDef =
        ActionDef { key: "feedback.supervise", roles: &[Role::Administrator, Role::Leader] };
    /// See aggregates in one's part of the organisation.
    pub static RESULTS: ActionDef =
        ActionDef { key: "feedback.results", roles: &[Role::Administrator, Role::Executive, Role::Leader] };
}

crate::policy!(pub ReadFeedback = actions::READ);
crate::policy!(pub ManageFeedback = actions::MANAGE);
crate::policy!(pub FollowSeries = actions::FOLLOW);
crate::policy!(pub SeeResults = actions::RESULTS);

pub static MODULE: Module = Module {
    name: "feedback",
    routes: || routes::routes().merge(api::routes()),
    // One entry: the module's own front door leads on to the pages the reader's roles open.
    nav: &[NavEntry { href: "/maaling", label: "nav-feedback", section: "feedback", action: &actions::READ }],
    locales: (include_str!("../../locales/da/feedback.ftl"), include_str!("../../locales/en/feedback.ftl")),
    actions: &[&actions::READ, &actions::MANAGE, &actions::FOLLOW, &actions::SUPERVISE, &actions::RESULTS],
    start: no_start,
    home: Some(routes::home_panel),
    code_door: Some(routes::code_door),
    audit_links: &[],
    jobs: &[&rounds::ROUND_REMINDERS, &model_cache::REFITS],
    openapi: Some(openapi),
};

fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    api::Api::openapi()
}
