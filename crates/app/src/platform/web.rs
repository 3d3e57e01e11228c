//! What every request passes through: the request context (language, signed-in user,
//! CSRF token), the one error type of the app and the pages it renders, the CSRF-checked
//! form extractor, and the security headers.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::platform::accounts::{self, Credential, CurrentUser};
use crate::platform::api;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::i18n::{Lang, Tr};
use crate::platform::layout::{self, Page};
use crate::platform::permissions::{Action, ActionDef, Reach, can, reach};

pub const SESSION_COOKIE: &str = "samskab_session";
pub const CSRF_COOKIE: &str = "samskab_csrf";
pub const LANG_COOKIE: &str = "samskab_lang";

/// Everything a handler needs to know about who is asking, in which language.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<Arc<CurrentUser>>,
    /// The token every form must send back.
    pub csrf: String,
    /// Path and query of this request, for "return to" links.
    pub path: String,
    pub ip: String,
}

impl Ctx {
    pub fn tr(&self) -> Tr {
        Tr::new(self.lang)
    }

    /// The page chrome for a template.
    pub fn page(&self, state: &AppState, title: String, section: &'static str) -> Page {
        layout::page(self, state, title, section)
    }

    pub fn audit(&self, action: &str) -> AuditEntry {
        let mut e = AuditEntry { action: action.to_string(), ip: self.ip.clone(), ..Default::default() };
        if let Some(u) = &self.user {
            e.actor_account_id = Some(u.account.id);
            e.actor_name = u.account.username.clone();
        } else {
            e.actor_name = "anonym".to_string();
        }
        e
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or(AppError::Internal("request context missing".into()))
    }
}

/// A signed-in user; without one the request is sent to the login page.
pub struct User(pub Arc<CurrentUser>, pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        match ctx.user.clone() {
            Some(u) => Ok(User(u, ctx)),
            None => Err(AppError::Unauthenticated(ctx.path.clone())),
        }
    }
}

/// An action with no unit or object, as a type: the handler that takes
/// [`Permit<P>`] can only run for someone allowed to do `P::ACTION` somewhere. Modules
/// declare these with [`crate::policy!`].
pub trait Policy: Send + Sync + 'static {
    const ACTION: &'static ActionDef;
}

/// Declares a policy type for an action: `policy!(pub Browse = actions::BROWSE);`.
#[macro_export]
macro_rules! policy {
    ($(#[$meta:meta])* $vis:vis $name:ident = $def:path) => {
        $(#[$meta])*
        $vis struct $name;
        impl $crate::platform::web::Policy for $name {
            const ACTION: &'static $crate::platform::permissions::ActionDef = &$def;
        }
    };
}

/// The proof that the signed-in user may do `P::ACTION` somewhere: only this extractor
/// makes one, after the check. Not signed in: to the login page; not allowed: 403. The
/// handler narrows it with [`Permit::require`] (one unit, one object) and hands
/// [`Permit::reach`] to scoped finders.
pub struct Permit<P: Policy> {
    pub user: Arc<CurrentUser>,
    pub ctx: Ctx,
    policy: PhantomData<P>,
}

impl<P: Policy, S: Send + Sync> FromRequestParts<S> for Permit<P> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let User(user, ctx) = User::from_request_parts(parts, state).await?;
        if !can(&user.grants, P::ACTION.anywhere()) {
            return Err(AppError::Forbidden);
        }
        Ok(Permit { user, ctx, policy: PhantomData })
    }
}

impl<P: Policy> Permit<P> {
    /// The same user's permit for another policy, when they hold that too (a handler that
    /// answers with a page of a weaker action's view). Checked, like the extractor.
    pub fn also<Q: Policy>(&self) -> Result<Permit<Q>> {
        if !can(&self.user.grants, Q::ACTION.anywhere()) {
            return Err(AppError::Forbidden);
        }
        Ok(Permit { user: self.user.clone(), ctx: self.ctx.clone(), policy: PhantomData })
    }

    /// How far in the organisation the permitted action reaches.
    pub fn reach(&self) -> Reach {
        reach(&self.user.grants, P::ACTION)
    }

    /// Whether the user may also do `action` (another action, or this one on a unit).
    pub fn may(&self, action: Action) -> bool {
        can(&self.user.grants, action)
    }

    /// A 403 unless the user may do `action`.
    pub fn require(&self, action: Action) -> Result<()> {
        if self.may(action) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    pub fn tr(&self) -> Tr {
        self.ctx.tr()
    }
}

/// The errors a handler can end in. Each becomes a page in the user's language.
#[derive(Debug)]
pub enum AppError {
    /// Not signed in: go to the login page, then back to this path.
    Unauthenticated(String),
    Forbidden,
    NotFound,
    /// The request itself is wrong (message already translated).
    BadRequest(String),
    /// Too many requests from one participant or address (message already translated).
    TooManyRequests(String),
    /// The request is valid but not now: a closed step, a used link (message translated).
    Conflict(String),
    /// Something broke; the detail goes to the log, not to the user.
    Internal(String),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(format!("database: {e}"))
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(format!("{e:#}"))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// Marks a response whose body the context middleware renders as an error page.
#[derive(Clone, Debug)]
struct ErrorPage(StatusCode, Option<String>);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            // The API has no login page: a missing or bad token is a 401.
            AppError::Unauthenticated(path) if api::is_api(&path) => marker(StatusCode::UNAUTHORIZED, None),
            AppError::Unauthenticated(path) => {
                let next: String = url_encode(&path);
                Redirect::to(&format!("/log-ind?next={next}")).into_response()
            }
            AppError::Forbidden => marker(StatusCode::FORBIDDEN, None),
            AppError::NotFound => marker(StatusCode::NOT_FOUND, None),
            AppError::BadRequest(msg) => marker(StatusCode::BAD_REQUEST, Some(msg)),
            AppError::TooManyRequests(msg) => marker(StatusCode::TOO_MANY_REQUESTS, Some(msg)),
            AppError::Conflict(msg) => marker(StatusCode::CONFLICT, Some(msg)),
            AppError::Internal(detail) => {
                tracing::error!(error.detail = %detail, "request failed");
                marker(StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        }
    }
}

fn marker(status: StatusCode, message: Option<String>) -> Response {
    let mut r = status.into_response();
    r.extensions_mut().insert(ErrorPage(status, message));
    r
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Percent-encodes a path for a query parameter.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The site's address for links that leave the browser (e-mails, QR codes, printed
/// lists): the configured public address, else the scheme and host the request came in on.
pub fn site_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let https =
        state.config.secure_cookies || headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) == Some("https");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// Reads one cookie from the request headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A Set-Cookie value: HttpOnly, SameSite=Lax, and Secure when the site is served over HTTPS.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.secure_cookies {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The client's address: the connection's, or, when that is a trusted proxy, the nearest
/// address in `X-Forwarded-For` that is not one of the trusted proxies (the rightmost
/// entries are the ones the proxies themselves added; the leftmost can be forged).
fn client_ip(req: &Request, trusted: &[std::net::IpAddr]) -> String {
    let peer = req.extensions().get::<ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let Some(peer) = peer else { return "127.0.0.1".to_string() };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.into_iter().rev() {
        match hop.parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip.to_string(),
            // An entry that is no address: stop believing the header from here on.
            Err(_) => break,
        }
    }
    peer.to_string()
}

/// Builds the request context, runs the handler, and turns error markers into pages.
pub async fn context_middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let headers = req.headers();
    let lang = cookie(headers, LANG_COOKIE).and_then(|l| Lang::parse(&l)).unwrap_or_else(|| {
        Lang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or(""))
    });
    // The API answers bearer tokens only; pages answer the session cookie only (a cookie
    // sent to the API would make its POSTs forgeable from other sites).
    let api = api::is_api(req.uri().path());
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() <= 200);
    let session = cookie(headers, SESSION_COOKIE);
    let credential = match (api, &bearer, &session) {
        (true, Some(token), _) => Some(Credential::ApiToken(token)),
        (false, _, Some(token)) => Some(Credential::Session(token)),
        _ => None,
    };
    let mut user = None;
    if let Some(credential) = credential {
        // A database that cannot be read is a 500, not an anonymous visitor.
        let directory = state.directory();
        let loaded = match directory.version(&state.db).await {
            Ok(version) => state.sessions.user(&state.db, directory.as_ref(), credential, version).await,
            Err(e) => Err(e),
        };
        match loaded {
            Ok(u) => user = u,
            Err(e) => {
                tracing::error!(error = %e, "could not load the session");
                if api {
                    return api::problem(&Tr::new(lang), StatusCode::INTERNAL_SERVER_ERROR, None);
                }
                let ctx = Ctx { lang, user: None, csrf: String::new(), path: String::new(), ip: String::new() };
                return layout::error_page(&ctx, &state, StatusCode::INTERNAL_SERVER_ERROR, None);
            }
        }
    }
    let anon_csrf = cookie(headers, CSRF_COOKIE).filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()));
    let mut new_csrf_cookie = None;
    let csrf = match (&user, anon_csrf) {
        (Some(u), _) => u.csrf_token.clone(),
        (None, Some(t)) => t,
        (None, None) => {
            let t = accounts::random_token();
            new_csrf_cookie = Some(t.clone());
            t
        }
    };
    let path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let ctx = Ctx { lang, user, csrf, path, ip: client_ip(&req, &state.config.trusted_proxies) };
    req.extensions_mut().insert(ctx.clone());

    let mut response = next.run(req).await;

    if let Some(ErrorPage(status, message)) = response.extensions().get::<ErrorPage>().cloned() {
        if status == StatusCode::FORBIDDEN {
            let entry = ctx.audit("access.denied").subject("path", &ctx.path, "");
            let recorded = if ctx.user.is_some() {
                audit::record(&state.db, Some(state.municipality), &entry).await
            } else {
                audit::record_anonymous(&state.db, Some(state.municipality), &entry).await
            };
            if let Err(e) = recorded {
                tracing::error!(error = %e, "could not record a denied access");
            }
        }
        response = if api {
            api::problem(&ctx.tr(), status, message)
        } else {
            layout::error_page(&ctx, &state, status, message)
        };
    }
    if let Some(token) = new_csrf_cookie.filter(|_| !api) {
        response.headers_mut().append(header::SET_COOKIE, set_cookie(&state, CSRF_COOKIE, &token, None));
    }
    response
}

/// The highest page number a list accepts: far past any real list, and small enough that
/// no offset computed from it overflows.
pub const MAX_PAGE: i64 = 1_000_000;

/// The `side` (page) parameter of a paged list: 1 when absent, a 400 with a message when it
/// is not a whole number from 1 to [`MAX_PAGE`].
pub fn page_number(tr: &Tr, raw: Option<&str>) -> Result<i64> {
    match raw.map(|r| r.trim().parse::<i64>()) {
        None => Ok(1),
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(AppError::BadRequest(tr.t("error-page-number"))),
    }
}

/// The answer for a path no route knows.
pub async fn not_found() -> AppError {
    AppError::NotFound
}

/// The Content-Security-Policy: no inline script or style, nothing from elsewhere. Forms
/// may post only here — and to the identity provider, since the OIDC login form is
/// answered with a redirect there, which browsers check against `form-action`.
pub fn content_security_policy(oidc_issuer: Option<&str>) -> String {
    let provider = oidc_issuer
        .and_then(|i| {
            let (scheme, rest) = i.split_once("://")?;
            Some(format!(" {scheme}://{}", rest.split('/').next().unwrap_or(rest)))
        })
        .unwrap_or_default();
    format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'{provider}; frame-ancestors 'none'"
    )
}

/// Security headers on every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let csp = content_security_policy(state.config.oidc.as_ref().map(|o| o.issuer.as_str()));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    // Served over HTTPS (the operator said so with --secure-cookies): browsers must not
    // fall back to plain HTTP for a year.
    if state.config.secure_cookies {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A form whose `csrf_token` field has been checked against the request's token; any
/// state-changing handler takes its input through this. A missing or wrong token is a 403
/// and changes nothing.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for CsrfForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = req.extensions().get::<Ctx>().cloned().ok_or(AppError::Internal("request context missing".into()))?;
        if req.method() != Method::POST {
            return Err(AppError::BadRequest(ctx.tr().t("error-method")));
        }
        if !same_origin(req.headers()) {
            return Err(AppError::Forbidden);
        }
        let bytes =
            Bytes::from_request(req, state).await.map_err(|_| AppError::BadRequest(ctx.tr().t("error-form")))?;
        let token: CsrfOnly =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest(ctx.tr().t("error-form")))?;
        if token.csrf_token.is_empty() || !constant_time_eq(token.csrf_token.as_bytes(), ctx.csrf.as_bytes()) {
            return Err(AppError::Forbidden);
        }
        let value: T =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest(ctx.tr().t("error-form")))?;
        Ok(CsrfForm(value))
    }
}

/// A form sent as `multipart/form-data` (one with a file), with its CSRF token checked as
/// [`CsrfForm`] checks it: the text fields and the files, each file with its field name,
/// its name as sent and its bytes. The request's size is bounded by the app's body limit.
pub struct CsrfUpload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
}

/// A file of an upload.
pub struct UploadedFile {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

impl<S: Send + Sync> FromRequest<S> for CsrfUpload {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = req.extensions().get::<Ctx>().cloned().ok_or(AppError::Internal("request context missing".into()))?;
        if req.method() != Method::POST {
            return Err(AppError::BadRequest(ctx.tr().t("error-method")));
        }
        if !same_origin(req.headers()) {
            return Err(AppError::Forbidden);
        }
        let bad = || AppError::BadRequest(ctx.tr().t("error-form"));
        let mut multipart = axum::extract::Multipart::from_request(req, state).await.map_err(|_| bad())?;
        let mut upload = CsrfUpload { fields: Vec::new(), files: Vec::new() };
        while let Some(field) = multipart.next_field().await.map_err(|_| bad())? {
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let bytes = field.bytes().await.map_err(|_| bad())?.to_vec();
                    upload.files.push(UploadedFile { field: name, name: file_name, bytes });
                }
                None => upload.fields.push((name, field.text().await.map_err(|_| bad())?)),
            }
        }
        let token = upload.fields.iter().find(|(k, _)| k == "csrf_token").map(|(_, v)| v.as_str()).unwrap_or("");
        if token.is_empty() || !constant_time_eq(token.as_bytes(), ctx.csrf.as_bytes()) {
            return Err(AppError::Forbidden);
        }
        Ok(upload)
    }
}

/// A cross-site POST carries a foreign Origin; refuse it even before the token check.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if origin == "null" {
        return false;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    origin.split_once("://").map(|(_, rest)| rest == host).unwrap_or(false)
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Only local paths are followed after login, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next else { return "/".to_string() };
    // Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so
    // "/\t/evil.example" and "/\\evil.example" lead off the site: any control character or
    // backslash makes the value unusable, as does a scheme or a second leading slash.
    if !next.starts_with('/') || next.starts_with("//") || next.chars().any(|c| c.is_control() || c == '\\') {
        return "/".to_string();
    }
    // What is left is a same-site path; spaces and non-ASCII are percent-encoded so the value
    // is always a valid Location header.
    let mut out = String::with_capacity(next.len());
    for c in next.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_comes_from_trusted_proxies_only() {
        let request = |peer: [u8; 4], forwarded: Option<&str>| {
            let mut b = Request::builder().uri("/");
            if let Some(f) = forwarded {
                b = b.header("x-forwarded-for", f);
            }
            let mut r = b.body(axum::body::Body::empty()).unwrap_or_default();
            r.extensions_mut().insert(ConnectInfo(std::net::SocketAddr::from((peer, 5000))));
            r
        };
        let proxy: Vec<std::net::IpAddr> = vec![std::net::IpAddr::from([10, 0, 0, 1])];
        assert_eq!(client_ip(&request([192, 0, 2, 7], Some("203.0.113.1")), &proxy), "192.0.2.7", "not from the proxy");
        assert_eq!(client_ip(&request([10, 0, 0, 1], Some("203.0.113.1")), &proxy), "203.0.113.1");
        assert_eq!(
            client_ip(&request([10, 0, 0, 1], Some("1.2.3.4, 203.0.113.1")), &proxy),
            "203.0.113.1",
            "forged left"
        );
        assert_eq!(client_ip(&request([10, 0, 0, 1], Some("203.0.113.1, 10.0.0.1")), &proxy), "203.0.113.1");
        assert_eq!(client_ip(&request([10, 0, 0, 1], Some("nonsense")), &proxy), "10.0.0.1");
        assert_eq!(client_ip(&request([10, 0, 0, 1], None), &[]), "10.0.0.1", "no proxy configured");
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/organisation")), "/organisation");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        // What a browser would normalise into another site, and what cannot be a header.
        for bad in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/\u{0}/evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "\\/evil.example",
            "\t//evil.example",
            " //evil.example",
            "//\tevil.example",
            "/\u{7f}/evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(Some("/organisation/personer?q=Anne Sø")), "/organisation/personer?q=Anne%20S%C3%B8");
        assert_eq!(safe_next(Some("/admin/log?side=2&q=x")), "/admin/log?side=2&q=x");
    }

    #[test]
    fn csp_allows_forms_to_the_identity_provider_only() {
        assert!(content_security_policy(None).contains("form-action 'self';"));
        assert!(
            content_security_policy(Some("https://login.kommune.dk/realms/x"))
                .contains("form-action 'self' https://login.kommune.dk;")
        );
    }

    #[test]
    fn origin_check() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(!same_origin(&h));
    }
}
