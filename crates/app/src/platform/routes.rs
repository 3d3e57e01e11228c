//! The platform's own pages: front page, login and logout, password change, language
//! switch, accessibility statement, about, and the audit log.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;

use crate::AppState;
use crate::organisation;
use crate::platform::audit::{self, AuditEvent, AuditQuery};
use crate::platform::auth;
use crate::platform::i18n::{Lang, Tr};
use crate::platform::layout::{FormErrors, Page, render};
use crate::platform::oidc;
use crate::platform::permissions::{Action, can, sees_everything, visible_subtrees};
use crate::platform::web::{
    AppError, CsrfForm, Ctx, LANG_COOKIE, Result, SESSION_COOKIE, User, page_number, safe_next, set_cookie,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/menu", get(menu))
        .route("/favicon.ico", get(|| async { Redirect::permanent("/static/app/favicon.svg") }))
        .route("/log-ind", get(login_form).post(login))
        .route("/log-ind/oidc", post(oidc_start))
        .route("/log-ind/oidc/tilbage", get(oidc_callback))
        .route("/log-ud", post(logout))
        .route("/konto/adgangskode", get(password_form).post(change_password))
        .route("/sprog", post(switch_language))
        .route("/tilgaengelighed", get(accessibility))
        .route("/was", get(|| async { Redirect::permanent("/tilgaengelighed") }))
        .route("/om", get(about))
        .route("/admin/log", get(audit_log))
        .route("/healthz", get(|| async { "ok" }))
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "platform/home.html")]
struct HomeTemplate {
    page: Page,
    /// (units, people, leaders), and whether they are the user's own part only.
    figures: Option<((i64, i64, i64), bool)>,
    may_span: bool,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let tr = ctx.tr();
    let (figures, may_span) = match &ctx.user {
        Some(u) if can(&u.actor, Action::BrowseOrganisation) => {
            // A leader sees the figures of the part whose report they see; those who see the
            // whole report, and employees, the municipality's.
            let figures = if can(&u.actor, Action::ViewSpanReport) && !sees_everything(&u.actor, Action::ViewSpanReport)
            {
                let trees: Vec<(i64, i64, i64)> = visible_subtrees(&u.actor, Action::ViewSpanReport)
                    .into_iter()
                    .map(|t| (t.left, t.right, t.max_depth))
                    .collect();
                (state.org.get(&state.db).await?.totals_within(&trees), true)
            } else {
                (organisation::store::totals(&state.db, state.municipality).await?, false)
            };
            (Some(figures), can(&u.actor, Action::ViewSpanReport))
        }
        _ => (None, false),
    };
    Ok(render(&HomeTemplate { page: ctx.page(&state, tr.t("home-page-title"), "home"), figures, may_span }))
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "platform/menu.html")]
struct MenuTemplate {
    page: Page,
    back: String,
}

/// The main menu as a page: where the menu button leads in a browser without JavaScript.
async fn menu(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Result<Response> {
    let title = ctx.tr().t("menu");
    Ok(render(&MenuTemplate { page: ctx.page(&state, title, "menu"), back: safe_next(q.next.as_deref()) }))
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "platform/login.html")]
struct LoginTemplate {
    page: Page,
    username: String,
    next: String,
    errors: FormErrors,
    demo: bool,
    oidc: bool,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Result<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to(&safe_next(q.next.as_deref())).into_response());
    }
    let title = ctx.tr().t("login-title");
    Ok(render(&LoginTemplate {
        page: ctx.page(&state, title, "login"),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        errors: FormErrors::default(),
        demo: state.config.demo,
        oidc: state.oidc.is_some(),
    }))
}

#[derive(Deserialize)]
struct LoginInput {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(State(state): State<AppState>, ctx: Ctx, CsrfForm(input): CsrfForm<LoginInput>) -> Result<Response> {
    let tr = ctx.tr();
    let next = safe_next(input.next.as_deref());
    let mut errors = FormErrors::default();
    if input.username.trim().is_empty() {
        errors.push("username", tr.t("login-error-username"));
    }
    if input.password.is_empty() {
        errors.push("password", tr.t("login-error-password"));
    }
    let form = |errors: FormErrors| {
        let mut r = render(&LoginTemplate {
            page: ctx.page(&state, tr.t("login-title"), "login"),
            username: input.username.clone(),
            next: next.clone(),
            errors,
            demo: state.config.demo,
            oidc: state.oidc.is_some(),
        });
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        r
    };
    if !errors.is_empty() {
        return Ok(form(errors));
    }
    let username = auth::normalise_username(&input.username);
    // What the audit log keeps of a typed name: enough to recognise, never a flood.
    let logged_name: String = username.chars().take(100).collect();
    let claim = match auth::claim_login(&state.db, &username, &ctx.ip).await? {
        auth::Claim::Granted(claim) => claim,
        auth::Claim::Wait(seconds) => {
            audit::record(
                &state.db,
                Some(state.municipality),
                &ctx.audit("login.throttled").subject("account", &logged_name, &logged_name),
            )
            .await?;
            let mut r = form(FormErrors::one("username", throttled_message(&tr, seconds)));
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            return Ok(r);
        }
    };
    let found = auth::account_for_login(&state.db, &username).await?;
    let (account, hash) = match found {
        Some((a, h)) if !a.disabled => (Some(a), h),
        _ => (None, None),
    };
    let ok = auth::verify_password(input.password.clone(), hash).await && account.is_some();
    auth::finish_login(&state.db, claim, ok).await?;
    let Some(account) = account.filter(|_| ok) else {
        audit::record(
            &state.db,
            Some(state.municipality),
            &ctx.audit("login.failed").subject("account", &logged_name, &logged_name),
        )
        .await?;
        return Ok(form(FormErrors::one("username", tr.t("login-error-wrong"))));
    };
    let token = auth::create_session(&state.db, &account).await?;
    let mut entry = ctx.audit("login.succeeded").subject("account", account.id, &account.username);
    entry.actor_account_id = Some(account.id);
    entry.actor_name = account.username.clone();
    audit::record(&state.db, Some(state.municipality), &entry).await?;
    Ok(signed_in(&state, &token, &next))
}

#[derive(Deserialize)]
struct OidcStart {
    next: Option<String>,
}

async fn oidc_start(State(state): State<AppState>, ctx: Ctx, CsrfForm(input): CsrfForm<OidcStart>) -> Result<Response> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    match oidc.start(&state.db, &safe_next(input.next.as_deref())).await {
        Err(oidc::OidcError::Busy) => {
            tracing::warn!("OIDC login refused: too many pending logins");
            Ok(login_problem(
                &state,
                &ctx,
                ctx.tr().t("login-oidc-unavailable"),
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
            ))
        }
        Ok((url, browser)) => {
            let mut r = Redirect::to(&url).into_response();
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(&state, oidc::BROWSER_COOKIE, &browser, Some(oidc::LOGIN_MINUTES * 60)),
            );
            Ok(r)
        }
        Err(e) => {
            tracing::error!(error = %e, "OIDC login could not start");
            Ok(login_problem(&state, &ctx, ctx.tr().t("login-oidc-unavailable"), axum::http::StatusCode::BAD_GATEWAY))
        }
    }
}

#[derive(Deserialize)]
struct OidcCallback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The login page with one message at the top.
fn login_problem(state: &AppState, ctx: &Ctx, message: String, status: axum::http::StatusCode) -> Response {
    let tr = ctx.tr();
    let mut r = render(&LoginTemplate {
        page: ctx.page(state, tr.t("login-title"), "login"),
        username: String::new(),
        next: "/".into(),
        errors: FormErrors::one("oidc", message),
        demo: state.config.demo,
        oidc: state.oidc.is_some(),
    });
    *r.status_mut() = status;
    r
}

async fn oidc_callback(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Query(q): Query<OidcCallback>,
) -> Result<Response> {
    let mut response = finish_oidc(&state, &ctx, &headers, q).await?;
    // The browser binding is single use, whatever the outcome.
    response.headers_mut().append(header::SET_COOKIE, set_cookie(&state, oidc::BROWSER_COOKIE, "", Some(0)));
    Ok(response)
}

async fn finish_oidc(
    state: &AppState,
    ctx: &Ctx,
    headers: &axum::http::HeaderMap,
    q: OidcCallback,
) -> Result<Response> {
    use oidc::OidcError;
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    let tr = ctx.tr();
    let (code, oidc_state) = match (q.code, q.state, q.error) {
        (Some(code), Some(s), None) => (code, s),
        (_, s, error) => {
            // Consume the state so the pending login cannot be finished later.
            if let Some(s) = s {
                let _ = oidc::take_pending(&state.db, &s, None).await;
            }
            audit::record(
                &state.db,
                Some(state.municipality),
                &ctx.audit("login.oidc_refused").fields([("error", error.unwrap_or_default().into())]),
            )
            .await?;
            return Ok(login_problem(state, ctx, tr.t("login-oidc-refused"), axum::http::StatusCode::BAD_REQUEST));
        }
    };
    // The pending login must come back to the browser that started it (login CSRF).
    let browser = crate::platform::web::cookie(headers, oidc::BROWSER_COOKIE);
    let (identity, next) = match oidc.finish(&state.db, &code, &oidc_state, browser.as_deref()).await {
        Ok(x) => x,
        Err(OidcError::State) => {
            audit::record(&state.db, Some(state.municipality), &ctx.audit("login.oidc_bad_state")).await?;
            return Ok(login_problem(state, ctx, tr.t("login-oidc-expired"), axum::http::StatusCode::BAD_REQUEST));
        }
        Err(e) => {
            tracing::error!(error = %e, "OIDC login failed");
            audit::record(
                &state.db,
                Some(state.municipality),
                &ctx.audit("login.oidc_failed").fields([("error", e.to_string().into())]),
            )
            .await?;
            return Ok(login_problem(state, ctx, tr.t("login-oidc-unavailable"), axum::http::StatusCode::BAD_GATEWAY));
        }
    };
    let (account, created) = auth::account_for_identity(&state.db, state.municipality, &identity).await?;
    if account.disabled {
        return Ok(login_problem(state, ctx, tr.t("login-error-wrong"), axum::http::StatusCode::FORBIDDEN));
    }
    let token = auth::create_session(&state.db, &account).await?;
    let mut entry = ctx
        .audit(if created { "login.oidc_first" } else { "login.oidc" })
        .subject("account", account.id, &account.username)
        .fields([("roles", identity.roles.iter().map(|r| r.key()).collect::<Vec<_>>().join(",").into())]);
    entry.actor_account_id = Some(account.id);
    entry.actor_name = account.username.clone();
    audit::record(&state.db, Some(state.municipality), &entry).await?;
    Ok(signed_in(state, &token, &next))
}

/// "Too many wrong attempts, wait …" in seconds or whole minutes.
fn throttled_message(tr: &Tr, seconds: i64) -> String {
    if seconds < 60 {
        tr.t1("login-error-throttled-seconds", "seconds", seconds)
    } else {
        tr.t1("login-error-throttled-minutes", "minutes", (seconds + 59) / 60)
    }
}

/// A redirect to `next` that carries a new session cookie.
fn signed_in(state: &AppState, token: &str, next: &str) -> Response {
    let mut r = Redirect::to(next).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(state, SESSION_COOKIE, token, Some(auth::SESSION_HOURS * 3600)));
    r
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(State(state): State<AppState>, ctx: Ctx, CsrfForm(_): CsrfForm<Empty>) -> Result<Response> {
    if let Some(user) = &ctx.user {
        auth::delete_session(&state.db, &user.token_hash).await?;
        state.sessions.forget(&user.token_hash);
        audit::record(
            &state.db,
            Some(state.municipality),
            &ctx.audit("logout").subject("account", user.account.id, &user.account.username),
        )
        .await?;
    }
    let mut r = Redirect::to("/log-ind").into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(&state, SESSION_COOKIE, "", Some(0)));
    Ok(r)
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "platform/password.html")]
struct PasswordTemplate {
    page: Page,
    errors: FormErrors,
    changed: bool,
    min_len: usize,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn password_form(
    State(state): State<AppState>,
    User(_, ctx): User,
    Query(q): Query<DoneQuery>,
) -> Result<Response> {
    let title = ctx.tr().t("password-title");
    Ok(render(&PasswordTemplate {
        page: ctx.page(&state, title, "password"),
        errors: FormErrors::default(),
        changed: q.done.is_some(),
        min_len: auth::MIN_PASSWORD_LEN,
    }))
}

#[derive(Deserialize)]
struct PasswordInput {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat: String,
}

async fn change_password(
    State(state): State<AppState>,
    User(user, ctx): User,
    CsrfForm(input): CsrfForm<PasswordInput>,
) -> Result<Response> {
    let tr = ctx.tr();
    let mut errors = FormErrors::default();
    // The current password is guessed no faster here than at the login.
    match auth::claim_login(&state.db, &user.account.username, &ctx.ip).await? {
        auth::Claim::Wait(seconds) => {
            let mut r = render(&PasswordTemplate {
                page: ctx.page(&state, tr.t("password-title"), "password"),
                errors: FormErrors::one("current", throttled_message(&tr, seconds)),
                changed: false,
                min_len: auth::MIN_PASSWORD_LEN,
            });
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            return Ok(r);
        }
        auth::Claim::Granted(claim) => {
            let hash = auth::account_for_login(&state.db, &user.account.username).await?.and_then(|(_, h)| h);
            let right = auth::verify_password(input.current.clone(), hash).await;
            auth::finish_login(&state.db, claim, right).await?;
            if !right {
                errors.push("current", tr.t("password-error-current"));
                audit::record(
                    &state.db,
                    Some(state.municipality),
                    &ctx.audit("account.password_change_failed").subject(
                        "account",
                        user.account.id,
                        &user.account.username,
                    ),
                )
                .await?;
            }
        }
    }
    if input.new_password.chars().count() < auth::MIN_PASSWORD_LEN {
        errors.push("new_password", tr.t1("password-error-short", "min", auth::MIN_PASSWORD_LEN));
    } else if input.new_password == input.current {
        errors.push("new_password", tr.t("password-error-same"));
    }
    if input.repeat != input.new_password {
        errors.push("repeat", tr.t("password-error-repeat"));
    }
    if !errors.is_empty() {
        let mut r = render(&PasswordTemplate {
            page: ctx.page(&state, tr.t("password-title"), "password"),
            errors,
            changed: false,
            min_len: auth::MIN_PASSWORD_LEN,
        });
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    auth::change_password(&state.db, user.account.id, &input.new_password).await?;
    state.sessions.forget_account(user.account.id);
    audit::record(
        &state.db,
        Some(state.municipality),
        &ctx.audit("account.password_changed").subject("account", user.account.id, &user.account.username),
    )
    .await?;
    // Every session ended with the change; this browser gets a fresh one.
    let account = auth::account(&state.db, user.account.id).await?.ok_or(AppError::NotFound)?;
    let token = auth::create_session(&state.db, &account).await?;
    Ok(signed_in(&state, &token, "/konto/adgangskode?done=1"))
}

// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct LanguageInput {
    #[serde(default)]
    lang: String,
    next: Option<String>,
}

async fn switch_language(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(input): CsrfForm<LanguageInput>,
) -> Result<Response> {
    let lang = Lang::parse(&input.lang).ok_or_else(|| AppError::BadRequest(ctx.tr().t("error-language")))?;
    let mut r = Redirect::to(&safe_next(input.next.as_deref())).into_response();
    r.headers_mut().append(header::SET_COOKIE, set_cookie(&state, LANG_COOKIE, lang.code(), Some(365 * 24 * 3600)));
    Ok(r)
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "platform/accessibility.html")]
struct AccessibilityTemplate {
    page: Page,
}

async fn accessibility(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let title = ctx.tr().t("accessibility-title");
    Ok(render(&AccessibilityTemplate { page: ctx.page(&state, title, "") }))
}

#[derive(Template)]
#[template(path = "platform/about.html")]
struct AboutTemplate {
    page: Page,
    version: &'static str,
}

async fn about(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let title = ctx.tr().t("about-title");
    Ok(render(&AboutTemplate { page: ctx.page(&state, title, ""), version: env!("CARGO_PKG_VERSION") }))
}

// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "platform/audit.html")]
struct AuditTemplate {
    page: Page,
    events: Vec<AuditLine>,
    /// (value, label) of every recorded action, for the filter.
    actions: Vec<(String, String)>,
    q: String,
    action: String,
    from: String,
    to: String,
    errors: FormErrors,
    page_number: i64,
    has_next: bool,
    query_base: String,
}

/// One audit entry as a person reads it: names in their language, the subject linked to its
/// page, the details as labelled values.
struct AuditLine {
    at: String,
    actor: String,
    action: String,
    subject_kind: String,
    subject: String,
    subject_href: Option<String>,
    details: Vec<(String, String)>,
    ip: String,
}

/// The label of a dotted action name (`login.oidc_first` → `audit-action-login-oidc-first`);
/// an action without a translation shows as recorded.
fn action_label(tr: &Tr, action: &str) -> String {
    tr.find(&format!("audit-action-{}", action.replace(['.', '_'], "-"))).unwrap_or_else(|| action.to_string())
}

/// The page a subject has, if any. Only same-site paths are linked.
fn subject_href(kind: &str, id: &str) -> Option<String> {
    match kind {
        "path" if id.starts_with('/') && !id.starts_with("//") && !id.contains('\\') => Some(id.to_string()),
        "unit" => uuid::Uuid::parse_str(id).ok().map(|u| format!("/organisation/enhed/{u}")),
        "person" => uuid::Uuid::parse_str(id).ok().map(|u| format!("/organisation/person/{u}")),
        _ => None,
    }
}

/// An entry's details as (label, value) pairs: a JSON object field by field, an older
/// `name: value` text as one field, anything else as text.
fn detail_fields(tr: &Tr, detail: &str) -> Vec<(String, String)> {
    let field = |name: &str, value: String| {
        let label = tr.find(&format!("audit-field-{}", name.replace('_', "-"))).unwrap_or_else(|| name.to_string());
        let value = if name == "roles" {
            value
                .split(',')
                .map(|r| tr.find(&format!("role-{}", r.trim())).unwrap_or_else(|| r.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            value
        };
        (label, value)
    };
    if detail.trim().is_empty() {
        return Vec::new();
    }
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_str::<serde_json::Value>(detail) {
        return object
            .iter()
            // A count of nought says nothing happened to that kind of thing: leave it out.
            .filter(|(_, v)| v.as_i64() != Some(0))
            .map(|(name, v)| {
                let value = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.as_i64().map_or_else(|| n.to_string(), |i| tr.num(i).to_string()),
                    other => other.to_string(),
                };
                field(name, value)
            })
            .collect();
    }
    match detail.split_once(": ") {
        Some((name, value)) if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            vec![field(name, value.to_string())]
        }
        _ => vec![field("text", detail.to_string())],
    }
}

fn audit_line(tr: &Tr, e: AuditEvent) -> AuditLine {
    let subject = if e.subject_label.is_empty() { e.subject_id.clone() } else { e.subject_label.clone() };
    AuditLine {
        at: tr.datetime(&e.at),
        action: action_label(tr, &e.action),
        subject_kind: if e.subject_kind.is_empty() {
            String::new()
        } else {
            tr.find(&format!("audit-kind-{}", e.subject_kind)).unwrap_or_else(|| e.subject_kind.clone())
        },
        subject_href: subject_href(&e.subject_kind, &e.subject_id),
        subject,
        details: detail_fields(tr, &e.detail),
        actor: e.actor_name,
        ip: e.ip,
    }
}

#[derive(Deserialize, Default)]
struct AuditParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    side: Option<String>,
}

const AUDIT_PAGE: i64 = 50;

async fn audit_log(
    State(state): State<AppState>,
    User(user, ctx): User,
    Query(p): Query<AuditParams>,
) -> Result<Response> {
    if !can(&user.actor, Action::ViewAuditLog) {
        return Err(AppError::Forbidden);
    }
    let tr = ctx.tr();
    let mut errors = FormErrors::default();
    let parse_day = |s: &str, field: &'static str, errors: &mut FormErrors| -> Option<NaiveDate> {
        if s.trim().is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%d-%m-%Y"))
        {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(field, tr.t("audit-error-date"));
                None
            }
        }
    };
    let from = parse_day(&p.from, "from", &mut errors);
    let to = parse_day(&p.to, "to", &mut errors);
    let page_number = page_number(&tr, p.side.as_deref())?;
    let local_midnight = |d: NaiveDate| {
        chrono_tz::Europe::Copenhagen
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    let query = AuditQuery {
        text: Some(p.q.trim().to_string()).filter(|s| !s.is_empty()),
        action: Some(p.action.trim().to_string()).filter(|s| !s.is_empty()),
        from: from.and_then(local_midnight),
        to: to.and_then(|d| d.succ_opt()).and_then(local_midnight),
        limit: AUDIT_PAGE + 1,
        offset: (page_number - 1) * AUDIT_PAGE,
    };
    let mut events =
        if errors.is_empty() { audit::search(&state.db, state.municipality, &query).await? } else { Vec::new() };
    let has_next = events.len() as i64 > AUDIT_PAGE;
    events.truncate(AUDIT_PAGE as usize);
    let events = events.into_iter().map(|e| audit_line(&tr, e)).collect();
    let mut actions: Vec<(String, String)> =
        audit::actions(&state.db).await?.into_iter().map(|a| (action_label(&tr, &a), a)).map(|(l, a)| (a, l)).collect();
    actions.sort_by(|x, y| x.1.cmp(&y.1));
    let query_base =
        serde_urlencoded::to_string([("q", &p.q), ("action", &p.action), ("from", &p.from), ("to", &p.to)])
            .unwrap_or_default();
    let t = AuditTemplate {
        page: ctx.page(&state, tr.t("audit-title"), "audit"),
        events,
        actions,
        q: p.q,
        action: p.action,
        from: p.from,
        to: p.to,
        errors,
        page_number,
        has_next,
        query_base,
    };
    Ok(render(&t))
}
