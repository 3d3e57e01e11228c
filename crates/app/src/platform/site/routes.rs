//! The platform's own pages: front page, the menu page, language switch, accessibility
//! statement and about. Logging in and out is in [`crate::platform::accounts::routes`], the audit log
//! page in [`crate::platform::audit::routes`].

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::views::*;
use crate::AppState;
use crate::platform::accounts::routes::NextQuery;
use crate::platform::i18n::Lang;
use crate::platform::layout::render;
use crate::platform::module::{Guard, Routes};
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
