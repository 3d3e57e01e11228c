//! Logging in and out: the login form with throttling, login through the municipality's
//! identity provider (OIDC), logout, and the password change.

use super::views::*;
use crate::platform::module::{Guard, Routes};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::platform::accounts;
use crate::platform::accounts::oidc;
use crate::platform::audit;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render};
use crate::platform::web::{AppError, CsrfForm, Ctx, Result, SESSION_COOKIE, User, safe_next, set_cookie};

pub fn routes() -> Routes {
    Routes::new()
        .get("/log-ind", Guard::Public, login_form)
        .post("/log-ind", Guard::Public, login)
        .post("/log-ind/oidc", Guard::Public, oidc_start)
        .get("/log-ind/oidc/tilbage", Guard::Public, oidc_callback)
        .post("/log-ud", Guard::Public, logout)
        .get("/konto/adgangskode", Guard::SignedIn, password_form)
        .post("/konto/adgangskode", Guard::SignedIn, change_password)
}

/// A `next=` path to return to (the login, the menu page).
#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
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
    let username = accounts::normalise_username(&input.username);
    // What the audit log keeps of a typed name: enough to recognise, never a flood.
    let logged_name: String = username.chars().take(100).collect();
    let claim = match accounts::claim_login(&state.db, &username, &ctx.ip).await? {
        accounts::Claim::Granted(claim) => claim,
        accounts::Claim::Wait(seconds) => {
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
    let found = accounts::account_for_login(&state.db, &username).await?;
    let (account, hash) = match found {
        Some((a, h)) if !a.disabled => (Some(a), h),
        _ => (None, None),
    };
    let ok = accounts::verify_password(input.password.clone(), hash).await && account.is_some();
    accounts::finish_login(&state.db, claim, ok).await?;
    let Some(account) = account.filter(|_| ok) else {
        audit::record(
            &state.db,
            Some(state.municipality),
            &ctx.audit("login.failed").subject("account", &logged_name, &logged_name),
        )
        .await?;
        return Ok(form(FormErrors::one("username", tr.t("login-error-wrong"))));
    };
    let token = accounts::create_session(&state.db, &account).await?;
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
    let (account, created) =
        accounts::account_for_identity(&state.db, state.directory().as_ref(), state.municipality, &identity).await?;
    if account.disabled {
        return Ok(login_problem(state, ctx, tr.t("login-error-wrong"), axum::http::StatusCode::FORBIDDEN));
    }
    let token = accounts::create_session(&state.db, &account).await?;
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
        .append(header::SET_COOKIE, set_cookie(state, SESSION_COOKIE, token, Some(accounts::SESSION_HOURS * 3600)));
    r
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(State(state): State<AppState>, ctx: Ctx, CsrfForm(_): CsrfForm<Empty>) -> Result<Response> {
    if let Some(user) = &ctx.user {
        accounts::delete_session(&state.db, &user.token_hash).await?;
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
        min_len: accounts::MIN_PASSWORD_LEN,
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
    match accounts::claim_login(&state.db, &user.account.username, &ctx.ip).await? {
        accounts::Claim::Wait(seconds) => {
            let mut r = render(&PasswordTemplate {
                page: ctx.page(&state, tr.t("password-title"), "password"),
                errors: FormErrors::one("current", throttled_message(&tr, seconds)),
                changed: false,
                min_len: accounts::MIN_PASSWORD_LEN,
            });
            *r.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            return Ok(r);
        }
        accounts::Claim::Granted(claim) => {
            let hash = accounts::account_for_login(&state.db, &user.account.username).await?.and_then(|(_, h)| h);
            let right = accounts::verify_password(input.current.clone(), hash).await;
            accounts::finish_login(&state.db, claim, right).await?;
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
    if input.new_password.chars().count() < accounts::MIN_PASSWORD_LEN {
        errors.push("new_password", tr.t1("password-error-short", "min", accounts::MIN_PASSWORD_LEN));
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
            min_len: accounts::MIN_PASSWORD_LEN,
        });
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(r);
    }
    accounts::change_password(&state.db, user.account.id, &input.new_password).await?;
    state.sessions.forget_account(user.account.id);
    audit::record(
        &state.db,
        Some(state.municipality),
        &ctx.audit("account.password_changed").subject("account", user.account.id, &user.account.username),
    )
    .await?;
    // Every session ended with the change; this browser gets a fresh one.
    let account = accounts::account(&state.db, user.account.id).await?.ok_or(AppError::NotFound)?;
    let token = accounts::create_session(&state.db, &account).await?;
    Ok(signed_in(&state, &token, "/konto/adgangskode?done=1"))
}
