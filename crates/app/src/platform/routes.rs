//! The platform's own pages: front page, the menu page, language switch, accessibility
//! statement and about. Logging in and out is in [`super::account_routes`], the audit log
//! page in [`super::audit_routes`].

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::AppState;
use crate::organisation;
use crate::platform::account_routes::NextQuery;
use crate::platform::i18n::Lang;
use crate::platform::layout::{Page, render};
use crate::platform::permissions::{Action, can, sees_everything, visible_subtrees};
use crate::platform::web::{AppError, CsrfForm, Ctx, LANG_COOKIE, Result, safe_next, set_cookie};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/menu", get(menu))
        .route("/favicon.ico", get(|| async { Redirect::permanent("/static/app/favicon.svg") }))
        .route("/sprog", post(switch_language))
        .route("/tilgaengelighed", get(accessibility))
        .route("/was", get(|| async { Redirect::permanent("/tilgaengelighed") }))
        .route("/om", get(about))
        .route("/healthz", get(|| async { "ok" }))
        .merge(super::account_routes::router())
        .merge(super::audit_routes::router())
}

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
                let trees: Vec<(i64, i64, i64)> =
                    visible_subtrees(&u.actor, Action::ViewSpanReport).into_iter().map(|t| t.bounds()).collect();
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
