//! The OpenAPI document, and the administrator's page of API tokens.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::views::*;
use super::{ManageTokens, actions, store};
use crate::AppState;
use crate::platform::layout::render;
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result};

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/openapi.json", Guard::Public, openapi_document)
        .get("/admin/api-noegler", Guard::Action(&actions::MANAGE), list)
        .post("/admin/api-noegler/{id}/tilbagekald", Guard::Action(&actions::MANAGE), revoke)
}

async fn openapi_document() -> Response {
    crate::platform::api::json(&crate::platform::api::openapi())
}

#[derive(Deserialize)]
struct DoneQuery {
    tilbagekaldt: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    permit: Permit<ManageTokens>,
    Query(q): Query<DoneQuery>,
) -> Result<Response> {
    let tokens = store::list(&state.db, state.municipality).await?;
    let title = permit.tr().t("tokens-title");
    Ok(render(&TokenListTemplate {
        page: permit.ctx.page(&state, title, "tokens"),
        tokens,
        revoked: q.tilbagekaldt.is_some(),
    }))
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke(
    State(state): State<AppState>,
    permit: Permit<ManageTokens>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    if !store::revoke(&state.db, state.municipality, id, permit.ctx.audit("token.revoked")).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/api-noegler?tilbagekaldt=1").into_response())
}
