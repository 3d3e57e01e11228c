//! The platform's own pages: front page, the menu page, language switch, accessibility
//! statement and about. Logging in and out is in [`crate::platform::accounts::routes`], the audit log
//! page in [`crate::platform::audit::routes`].

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::views::*;
use crate::AppState;
use crate::platform::accounts::routes::NextQuery;
use crate::platform::i18n::Lang;
use crate::platform::layout::{FormErrors, render};
use crate::platform::module::{Guard, Routes};
use crate::platform::participants;
use crate::platform::web::{AppError, CsrfForm, Ctx, LANG_COOKIE, Result, safe_next, set_cookie};

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Guard::Public, home)
        .get("/menu", Guard::Public, menu)
        .get("/favicon.ico", Guard::Public, || async { Redirect::permanent("/static/app/favicon.svg") })
        .post("/sprog", Guard::Public, switch_language)
        .get("/tilgaengelighed", Guard::Public, accessibility)
        .get("/was", Guard::Public, || async { Redirect::permanent("/tilgaengelighed") })
        .get("/om", Guard::Public, about)
        .get("/healthz", Guard::Public, || async { "ok" })
        .get("/kode", Guard::Public, code_form)
        .post("/kode", Guard::Public, enter_code)
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let tr = ctx.tr();
    // Each module adds its part; a module's panel failing is the page failing.
    let mut panels = Vec::new();
    for module in crate::MODULES {
        if let Some(panel) = module.home
            && let Some(html) = panel(state.clone(), ctx.clone()).await?
        {
            panels.push(html);
        }
    }
    Ok(render(&HomeTemplate { page: ctx.page(&state, tr.t("home-page-title"), "home"), panels }))
}

// ---------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
struct CodeInput {
    /// From a QR code's address (`/kode?c=…`) or the form.
    #[serde(default, alias = "c")]
    code: String,
}

/// Where a code is typed: a workshop's, a survey kiosk's — any module's.
async fn code_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<CodeInput>) -> Result<Response> {
    let code: String = participants::normalise_code(&q.code).chars().take(2 * participants::CODE_LENGTH).collect();
    Ok(render(&EnterCodeTemplate {
        page: ctx.page(&state, ctx.tr().t("code-enter-title"), ""),
        code,
        errors: FormErrors::default(),
    }))
}

/// A typed code, asked of each module's door in turn; none knowing it is a 400 with the form.
async fn enter_code(State(state): State<AppState>, ctx: Ctx, CsrfForm(form): CsrfForm<CodeInput>) -> Result<Response> {
    let tr = ctx.tr();
    participants::count_code_try(&state, &ctx).await?;
    let code = participants::normalise_code(&form.code);
    // A workshop's code has six characters, a survey kiosk's eight.
    if (participants::CODE_LENGTH..=2 * participants::CODE_LENGTH).contains(&code.len()) {
        for door in crate::MODULES.iter().filter_map(|m| m.code_door) {
            if let Some(response) = door(state.clone(), ctx.clone(), code.clone()).await? {
                return Ok(response);
            }
        }
    }
    let mut r = render(&EnterCodeTemplate {
        page: ctx.page(&state, tr.t("code-enter-title"), ""),
        code: form.code.chars().take(20).collect(),
        errors: FormErrors::one("code", tr.t("code-error-unknown")),
    });
    *r.status_mut() = StatusCode::BAD_REQUEST;
    Ok(r)
}

// ---------------------------------------------------------------------------------------

/// The main menu as a page: where the menu button leads in a browser without JavaScript.
async fn menu(State(state): State<AppState>, ctx: Ctx, Query(q): Query<NextQuery>) -> Result<Response> {
    let title = ctx.tr().t("menu");
    Ok(render(&MenuTemplate { page: ctx.page(&state, title, "menu"), back: safe_next(q.next.as_deref()) }))
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

async fn accessibility(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let title = ctx.tr().t("accessibility-title");
    Ok(render(&AccessibilityTemplate { page: ctx.page(&state, title, "") }))
}

async fn about(State(state): State<AppState>, ctx: Ctx) -> Result<Response> {
    let title = ctx.tr().t("about-title");
    Ok(render(&AboutTemplate { page: ctx.page(&state, title, ""), version: env!("CARGO_PKG_VERSION") }))
}
