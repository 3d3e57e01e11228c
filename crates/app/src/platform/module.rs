//! What a module gives the platform, and what the platform asks of the organisation
//! without importing it.
//!
//! A module is a [`Module`] value in the list in `lib.rs`: its routes (each registered with
//! the action that guards it, so the role × route matrix test finds every route), its
//! navigation entries, its Fluent files, its permission actions, and what it installs at
//! start ([`Services`]: caches, and for the organisation the [`Directory`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
use axum::handler::Handler;
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, patch, post};
use uuid::Uuid;

use crate::AppState;
use crate::platform::db::Db;
use crate::platform::permissions::ActionDef;
use crate::platform::web::{AppError, Ctx};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One entry of the main navigation, shown to those who may do `action` somewhere.
pub struct NavEntry {
    pub href: &'static str,
    /// Fluent message id of the label.
    pub label: &'static str,
    /// The section a page names to mark its entry as current.
    pub section: &'static str,
    pub action: &'static ActionDef,
}

/// Who may request a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// Anyone, signed in or not (login, the front page, assets).
    Public,
    /// A signed-in user with no particular permission (logout, own password).
    SignedIn,
    /// Those who may do this action somewhere; the handler narrows it to a unit or object.
    Action(&'static ActionDef),
}

/// One registered route, for the route matrix test and the API document.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub guard: Guard,
}

/// A module's routes, each registered with its guard. Several methods on one path are
/// merged into one axum route.
#[derive(Default)]
pub struct Routes {
    paths: BTreeMap<&'static str, MethodRouter<AppState>>,
    specs: Vec<RouteSpec>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    fn add(mut self, method: &'static str, path: &'static str, guard: Guard, route: MethodRouter<AppState>) -> Routes {
        let merged = match self.paths.remove(path) {
            Some(existing) => existing.merge(route),
            None => route,
        };
        self.paths.insert(path, merged);
        self.specs.push(RouteSpec { method, path, guard });
        self
    }

    pub fn get<H, T>(self, path: &'static str, guard: Guard, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, guard, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, guard: Guard, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, guard, post(handler))
    }

    pub fn patch<H, T>(self, path: &'static str, guard: Guard, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("PATCH", path, guard, patch(handler))
    }

    pub fn delete<H, T>(self, path: &'static str, guard: Guard, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("DELETE", path, guard, delete(handler))
    }

    /// Adds another set of routes (a module built from parts).
    pub fn merge(mut self, other: Routes) -> Routes {
        for (path, route) in other.paths {
            let merged = match self.paths.remove(path) {
                Some(existing) => existing.merge(route),
                None => route,
            };
            self.paths.insert(path, merged);
        }
        self.specs.extend(other.specs);
        self
    }

    pub fn specs(&self) -> &[RouteSpec] {
        &self.specs
    }

    pub fn into_router(self) -> Router<AppState> {
        self.paths.into_iter().fold(Router::new(), |r, (path, route)| r.route(path, route))
    }
}

/// A link from an audit entry's subject to its page: subjects of `kind` link to
/// `prefix` + id.
pub struct AuditLink {
    pub kind: &'static str,
    pub prefix: &'static str,
}

/// A module's part of the front page: HTML (rendered by the module's own template), or
/// nothing for this user.
pub type HomePanel = fn(AppState, Ctx) -> BoxFuture<'static, Result<Option<String>, AppError>>;

/// A module's door for a code typed at `/kode` (a workshop's code, a survey kiosk's code),
/// given normalised: the response that lets the person in, or none when the code is not
/// the module's. One page takes every module's codes, so people need to know only one
/// address.
pub type CodeDoor = fn(AppState, Ctx, String) -> BoxFuture<'static, Result<Option<Response>, AppError>>;

/// What a module gives the platform. Adding a module is a folder, one of these, a line in
/// the list in `lib.rs`, a migration, templates, two .ftl files and tests.
pub struct Module {
    pub name: &'static str,
    pub routes: fn() -> Routes,
    pub nav: &'static [NavEntry],
    /// The module's Fluent files: (Danish, English).
    pub locales: (&'static str, &'static str),
    /// Every action the module checks.
    pub actions: &'static [&'static ActionDef],
    /// Installs what the module shares across requests (caches, providers).
    pub start: fn(&mut Services, Uuid),
    pub home: Option<HomePanel>,
    pub code_door: Option<CodeDoor>,
    pub audit_links: &'static [AuditLink],
    /// The kinds of background job the module runs.
    pub jobs: &'static [&'static crate::platform::jobs::JobKind],
    /// The module's part of the OpenAPI document (its `/api/v1/` endpoints).
    pub openapi: Option<fn() -> utoipa::openapi::OpenApi>,
}

/// Nothing to install at start.
pub fn no_start(_: &mut Services, _: Uuid) {}

/// What modules install at start, found by type (a cache, the [`Directory`]).
#[derive(Default)]
pub struct Services {
    map: axum::http::Extensions,
}

impl Services {
    pub fn insert<T: Clone + Send + Sync + 'static>(&mut self, value: T) {
        self.map.insert(value);
    }

    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.map.get::<T>().cloned()
    }
}

/// A unit's place in the organisation tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitPlace {
    pub left: i64,
    pub right: i64,
    pub depth: i64,
}

/// What the platform needs to know of the organisation, provided by the organisation
/// module: where units are, which units a person leads, whom an e-mail address belongs to,
/// and a version that moves whenever any of it changes.
pub trait Directory: Send + Sync {
    /// A counter that moves with every change of the organisation; sessions work out a
    /// leader's scope again when it moves.
    fn version<'a>(&'a self, db: &'a Db) -> BoxFuture<'a, sqlx::Result<i64>>;
    fn unit<'a>(&'a self, db: &'a Db, municipality: Uuid, unit: Uuid)
    -> BoxFuture<'a, sqlx::Result<Option<UnitPlace>>>;
    /// The units `person` leads now.
    fn led_units<'a>(
        &'a self,
        db: &'a Db,
        municipality: Uuid,
        person: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<Vec<UnitPlace>>>;
    /// The person with this work e-mail address.
    fn person_by_email<'a>(
        &'a self,
        db: &'a Db,
        municipality: Uuid,
        email: &'a str,
    ) -> BoxFuture<'a, sqlx::Result<Option<Uuid>>>;
}

/// The directory of an installation without an organisation: nobody leads anything.
pub struct NoDirectory;

impl Directory for NoDirectory {
    fn version<'a>(&'a self, _: &'a Db) -> BoxFuture<'a, sqlx::Result<i64>> {
        Box::pin(async { Ok(0) })
    }
    fn unit<'a>(&'a self, _: &'a Db, _: Uuid, _: Uuid) -> BoxFuture<'a, sqlx::Result<Option<UnitPlace>>> {
        Box::pin(async { Ok(None) })
    }
    fn led_units<'a>(&'a self, _: &'a Db, _: Uuid, _: Uuid) -> BoxFuture<'a, sqlx::Result<Vec<UnitPlace>>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn person_by_email<'a>(&'a self, _: &'a Db, _: Uuid, _: &'a str) -> BoxFuture<'a, sqlx::Result<Option<Uuid>>> {
        Box::pin(async { Ok(None) })
    }
}

/// A group of people a module keeps (a programme's participants), which other modules can
/// send something to without knowing the module that keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cohort {
    pub id: Uuid,
    pub name: String,
}

/// The cohorts a module offers (installed at start, like the [`Directory`]).
pub trait Cohorts: Send + Sync {
    /// The cohorts one can send to now, by name.
    fn list<'a>(&'a self, db: &'a Db, municipality: Uuid) -> BoxFuture<'a, sqlx::Result<Vec<Cohort>>>;
    /// A cohort with the people in it; none when it is not the municipality's.
    fn members<'a>(
        &'a self,
        db: &'a Db,
        municipality: Uuid,
        cohort: Uuid,
    ) -> BoxFuture<'a, sqlx::Result<Option<(Cohort, Vec<Uuid>)>>>;
}

/// The cohorts a module installed, if any.
pub fn cohorts(services: &Services) -> Option<Arc<dyn Cohorts>> {
    services.get::<Arc<dyn Cohorts>>()
}

/// The directory a module installed, or [`NoDirectory`].
pub fn directory(services: &Services) -> Arc<dyn Directory> {
    services.get::<Arc<dyn Directory>>().unwrap_or_else(|| Arc::new(NoDirectory))
}
