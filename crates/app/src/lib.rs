//! The Samskab web application.
//!
//! Each product module is one folder with the same shape — `mod.rs` (its router and
//! overview), `model.rs` (types), `store.rs` (its SQL; no other module touches its tables),
//! `routes.rs` (HTTP handlers) — and its templates in `templates/<module>/`. Shared
//! infrastructure lives in [`platform`]: the database, accounts and sessions, permissions,
//! the audit log, translations, the page layout and the embedded assets.
//!
//! A request flows: route (parse the form into a typed command) → permission check →
//! module function in a transaction → audit entry → template.

pub mod organisation;
pub mod platform;

use axum::Router;
use uuid::Uuid;

use platform::db::Db;

/// Settings an operator chooses.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Mark cookies Secure (set when the site is served over HTTPS).
    pub secure_cookies: bool,
    /// Show the demo logins on the login page.
    pub demo: bool,
    /// Login through the municipality's identity provider, when configured.
    pub oidc: Option<platform::oidc::OidcConfig>,
    /// Reverse proxies whose `X-Forwarded-For` is believed. Without any, the connection's
    /// own address is the client's (a forged header counts for nothing).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// A demo database opened by a server that is not in demo mode.
#[derive(Debug, thiserror::Error)]
#[error(
    "this database holds the demo municipality and its demo logins (password \"demo\"); serve it with --demo, \
     or use a new database for a real installation"
)]
pub struct DemoDatabase;

/// What every handler shares. Shared state lives in the database, so several instances can
/// serve one installation; the two caches here are checked against it (see
/// [`organisation::view`] and [`platform::auth::SessionCache`]).
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub municipality: Uuid,
    pub municipality_name: String,
    pub config: Config,
    pub oidc: Option<std::sync::Arc<platform::oidc::Oidc>>,
    pub org: std::sync::Arc<organisation::view::OrgCache>,
    pub sessions: std::sync::Arc<platform::auth::SessionCache>,
}

impl AppState {
    /// Loads the installation's municipality (creating an unnamed one if none exists). A
    /// demo database is served only in demo mode: its logins all have the password "demo".
    pub async fn new(db: Db, config: Config) -> anyhow::Result<AppState> {
        let m = platform::tenant::ensure(&db, "Kommune").await?;
        if !config.demo && platform::tenant::is_demo(&db, m.id).await? {
            return Err(DemoDatabase.into());
        }
        let oidc = config.oidc.clone().map(platform::oidc::Oidc::new).transpose()?;
        Ok(AppState {
            org: std::sync::Arc::new(organisation::view::OrgCache::new(m.id)),
            sessions: std::sync::Arc::new(platform::auth::SessionCache::default()),
            db,
            municipality: m.id,
            municipality_name: m.name,
            config,
            oidc,
        })
    }
}

/// The whole application: every module's routes, the static assets, and the middleware.
pub fn router(state: AppState) -> Router {
    use axum::middleware::from_fn_with_state;
    Router::new()
        .merge(platform::routes::router())
        .merge(organisation::routes::router())
        .fallback(platform::web::not_found)
        .layer(from_fn_with_state(state.clone(), platform::web::context_middleware))
        .merge(platform::assets::router())
        .layer(from_fn_with_state(state.clone(), platform::web::security_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(8 * 1024 * 1024))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}
