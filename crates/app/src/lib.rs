//! The Samskab web application.
//!
//! [`platform`] is the ground floor: the database, accounts and sessions, permissions, the
//! audit log, translations, the page layout and the assets. It imports no module. Each
//! product module is one folder with the same shape — `mod.rs` (its [`Module`] value),
//! `model.rs`, `store.rs` (all of its SQL; no other module touches its tables), `routes.rs`
//! (handlers), `views.rs` (template structs), `templates/<module>/`,
//! `locales/{da,en}/<module>.ftl`, `tests/it/<module>.rs` — and [`MODULES`] lists them.
//! docs/architecture.md, "Adding a module", walks through it.
//!
//! A request flows: route (its guard is registered with it) → permission proof
//! ([`platform::web::Permit`]) → store function in a transaction with its audit entry →
//! template.

/// The largest request body the app takes (an upload of materials, an import).
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

pub mod decisions;
pub mod demo;
pub mod feedback;
pub mod involvement;
pub mod organisation;
pub mod platform;
pub mod programmes;
pub mod rules;
pub mod stories;

use axum::Router;
use uuid::Uuid;

use platform::db::Db;
use platform::module::{Directory, Module, Services};

/// Every module, the platform's own areas first. The router, the navigation, the
/// translations and the route matrix test all read this list.
pub const MODULES: &[&Module] = &[
    &platform::site::MODULE,
    &platform::accounts::MODULE,
    &platform::audit::MODULE,
    &platform::jobs::MODULE,
    &platform::tokens::MODULE,
    &organisation::MODULE,
    &stories::MODULE,
    &involvement::MODULE,
    &decisions::MODULE,
    &feedback::MODULE,
    &rules::MODULE,
    &programmes::MODULE,
];

/// Settings an operator chooses.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Mark cookies Secure (set when the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Show the demo logins on the login page.
    pub demo: bool,
    /// Login through the municipality's identity provider, when configured.
    pub oidc: Option<platform::accounts::oidc::OidcConfig>,
    /// Reverse proxies whose `X-Forwarded-For` is believed. Without any, the connection's
    /// own address is the client's (a forged header counts for nothing).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The mail relay; without one, nothing is sent by e-mail and the pages say so.
    pub mail: Option<platform::mail::MailConfig>,
    /// The site's address as people outside reach it (`https://samskab.kommune.dk`), for
    /// links in e-mails and QR codes; without it, the address the request came in on.
    pub public_url: Option<String>,
    /// The folder where uploaded files are kept; without it, they are kept in the database.
    pub files_dir: Option<std::path::PathBuf>,
}

/// A demo database opened by a server that is not in demo mode.
#[derive(Debug, thiserror::Error)]
#[error(
    "this database holds the demo municipality and its demo logins (password \"demo\"); serve it with --demo, \
     or use a new database for a real installation"
)]
pub struct DemoDatabase;

/// What every handler shares. Shared state lives in the database, so several instances can
/// serve one installation; the caches modules install in `services` (the organisation's)
/// and the session cache are checked against it.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub municipality: Uuid,
    pub municipality_name: String,
    pub config: Config,
    pub oidc: Option<std::sync::Arc<platform::accounts::oidc::Oidc>>,
    /// What modules installed at start (see [`Module::start`]).
    pub services: std::sync::Arc<Services>,
    pub sessions: std::sync::Arc<platform::accounts::SessionCache>,
    /// The mail relay, when configured.
    pub mailer: Option<std::sync::Arc<platform::mail::Mailer>>,
    /// Wakes this process's mail sender when a message is queued.
    pub mail_wake: platform::mail::Wake,
}

impl AppState {
    /// Loads the installation's municipality (creating an unnamed one if none exists). A
    /// demo database is served only in demo mode: its logins all have the password "demo".
    pub async fn new(db: Db, config: Config) -> anyhow::Result<AppState> {
        let m = platform::site::store::ensure(&db, "Kommune").await?;
        if !config.demo && platform::site::store::is_demo(&db, m.id).await? {
            return Err(DemoDatabase.into());
        }
        let oidc = config.oidc.clone().map(platform::accounts::oidc::Oidc::new).transpose()?;
        let mailer = config.mail.as_ref().map(platform::mail::Mailer::new).transpose()?.map(std::sync::Arc::new);
        let mut services = Services::default();
        for module in MODULES {
            (module.start)(&mut services, m.id);
        }
        Ok(AppState {
            services: std::sync::Arc::new(services),
            sessions: std::sync::Arc::new(platform::accounts::SessionCache::default()),
            mailer,
            mail_wake: Default::default(),
            db,
            municipality: m.id,
            municipality_name: m.name,
            config,
            oidc,
        })
    }
}

impl AppState {
    /// What the platform knows of the organisation (see [`Directory`]).
    pub fn directory(&self) -> std::sync::Arc<dyn Directory> {
        platform::module::directory(&self.services)
    }

    /// The groups of people a module offers to send to (a programme's participants).
    pub fn cohorts(&self) -> Option<std::sync::Arc<dyn platform::module::Cohorts>> {
        platform::module::cohorts(&self.services)
    }

    /// A service a module installed at start.
    pub fn service<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.services.get::<T>()
    }
}

/// Every route of every module, with its guard.
pub fn route_specs() -> Vec<platform::module::RouteSpec> {
    MODULES.iter().flat_map(|m| (m.routes)().specs().to_vec()).collect()
}

/// The whole application: every module's routes, the static assets, and the middleware.
pub fn router(state: AppState) -> Router {
    use axum::middleware::from_fn_with_state;
    MODULES
        .iter()
        .fold(Router::new(), |router, module| router.merge((module.routes)().into_router()))
        .fallback(platform::web::not_found)
        .layer(from_fn_with_state(state.clone(), platform::web::context_middleware))
        .merge(platform::assets::router())
        .layer(from_fn_with_state(state.clone(), platform::web::security_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        // One limit for every body: axum's own (2 MB for forms, JSON and uploads) is lifted to
        // the app's, so a file near the materials' 5 MB gets the app's own message, not axum's.
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}
