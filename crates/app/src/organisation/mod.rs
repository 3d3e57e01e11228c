//! The organisation: units (a tree), people, engagements and manager posts; imports from
//! the Kolding CSV, OS2mo JSON and Samskab CSV; the span-of-control report; and the demo
//! municipality's organisation.
//!
//! - [`model`]: records and view types.
//! - [`import`]: readers that turn files into an [`model::OrgSnapshot`].
//! - [`store`]: all of the module's SQL: applies snapshots and answers queries.
//! - [`span`]: the pure tree index and span-of-control computation.
//! - [`demo`]: the deterministic organisation of "Samby Kommune".
//! - [`cache`]: the in-memory read model of the current organisation the pages read.
//! - [`routes`], [`views`]: the pages and exports, and their templates.
//!
//! It gives the platform its [`Directory`] (where units are, whom a leader leads).

pub mod api;
pub mod cache;
pub mod demo;
pub mod import;
pub mod model;
pub mod routes;
pub mod span;
pub mod store;
pub mod views;

use std::sync::Arc;

use uuid::Uuid;

use crate::platform::db::Db;
use crate::platform::module::{AuditLink, BoxFuture, Directory, Module, NavEntry, Services, UnitPlace};
use crate::platform::permissions::{ActionDef, EVERYONE, Role};

/// What the organisation module checks.
pub mod actions {
    use super::*;

    /// See the organisation overview and search people.
    pub static BROWSE: ActionDef = ActionDef { key: "organisation.browse", roles: EVERYONE };
    /// See one unit, its leaders and staff: the phone book (names, job titles, units, work
    /// contact details).
    pub static VIEW_UNIT: ActionDef = ActionDef { key: "organisation.view_unit", roles: EVERYONE };
    /// See pay type (hourly or salaried) and engagement kind of a unit's staff. Data
    /// minimisation: those who manage the unit, HR and the executive board, not colleagues.
    pub static VIEW_EMPLOYMENT: ActionDef =
        ActionDef { key: "organisation.view_employment", roles: &[Role::Administrator, Role::Executive, Role::Leader] };
    /// See the span-of-control report (scoped rows for leaders).
    pub static VIEW_SPAN: ActionDef =
        ActionDef { key: "organisation.span", roles: &[Role::Administrator, Role::Executive, Role::Leader] };
    pub static EXPORT_SPAN: ActionDef =
        ActionDef { key: "organisation.span_export", roles: &[Role::Administrator, Role::Executive, Role::Leader] };
    /// Import or change the organisation.
    pub static MANAGE: ActionDef = ActionDef { key: "organisation.manage", roles: &[Role::Administrator] };
}

crate::policy!(
    /// Browsing the organisation and its phone book.
    pub Browse = actions::BROWSE
);
crate::policy!(pub ViewSpan = actions::VIEW_SPAN);
crate::policy!(pub ExportSpan = actions::EXPORT_SPAN);

pub static MODULE: Module = Module {
    name: "organisation",
    routes: || routes::routes().merge(api::routes()),
    nav: &[
        NavEntry {
            href: "/organisation",
            label: "nav-organisation",
            section: "organisation",
            action: &actions::BROWSE,
        },
        NavEntry {
            href: "/organisation/ledelsesspaend",
            label: "nav-span",
            section: "span",
            action: &actions::VIEW_SPAN,
        },
    ],
    locales: (include_str!("../../locales/da/organisation.ftl"), include_str!("../../locales/en/organisation.ftl")),
    actions: &[
        &actions::BROWSE,
        &actions::VIEW_UNIT,
        &actions::VIEW_EMPLOYMENT,
        &actions::VIEW_SPAN,
        &actions::EXPORT_SPAN,
        &actions::MANAGE,
    ],
    start,
    home: Some(routes::home_panel),
    code_door: None,
    audit_links: &[
        AuditLink { kind: "unit", prefix: "/organisation/enhed/" },
        AuditLink { kind: "person", prefix: "/organisation/person/" },
    ],
    jobs: &[],
    openapi: Some(<api::Api as utoipa::OpenApi>::openapi),
};

fn start(services: &mut Services, municipality: Uuid) {
    let cache = Arc::new(cache::OrgCache::new(municipality));
    services.insert(cache.clone());
    services.insert::<Arc<dyn Directory>>(Arc::new(OrgDirectory { cache }));
}

/// The organisation's answers to the platform, from the cache where it has them.
struct OrgDirectory {
    cache: Arc<cache::OrgCache>,
}

fn place(u: &model::Unit) -> UnitPlace {
    UnitPlace { left: u.tree_left, right: u.tree_right, depth: u.depth }
}

impl Directory for OrgDirectory {
    fn version<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, sqlx::Result<i64>> {
        Box::pin(async move { Ok(self.cache.get(db).await?.version) })
    }

    fn unit<'a>(
        &'a self,
        db: &'a Db,
        municipality: Uuid,
        unit: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<Option<UnitPlace>>> {
        Box::pin(async move { Ok(store::unit(db, municipality, unit).await?.as_ref().map(place)) })
    }

    fn led_units<'a>(
        &'a self,
        db: &'a Db,
        municipality: Uuid,
        person: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<Vec<UnitPlace>>> {
        Box::pin(async move {
            let led = store::led_subtrees(db, municipality, person).await?;
            Ok(led.into_iter().map(|(left, right, depth)| UnitPlace { left, right, depth }).collect())
        })
    }

    fn person_by_email<'a>(
        &'a self,
        db: &'a Db,
        municipality: Uuid,
        email: &'a str,
    ) -> BoxFuture<'a, sqlx::Result<Option<Uuid>>> {
        Box::pin(async move { Ok(store::person_by_email(db, municipality, email).await?.map(|p| p.id)) })
    }
}

/// The organisation's cache, installed at start.
pub fn org_cache(state: &crate::AppState) -> Arc<cache::OrgCache> {
    state.service::<Arc<cache::OrgCache>>().unwrap_or_else(|| Arc::new(cache::OrgCache::new(state.municipality)))
}
