//! A process's facilitators (added and removed by username) and the personal links sent
//! to people by e-mail.

use super::*;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct FacilitatorJson {
    pub username: String,
    pub name: String,
}

/// The accounts that facilitate this process by a grant on it (besides HR's facilitators
/// and the administrators, who facilitate every process).
#[utoipa::path(get, path = "/api/v1/processes/{id}/facilitators", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = [FacilitatorJson]), (status = 403, body = Problem)))]
pub(super) async fn facilitators(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let list: Vec<FacilitatorJson> = crate::platform::accounts::store::object_grantees(
        &state.db,
        object(process.id),
        crate::involvement::FACILITATOR_OF,
    )
    .await?
    .into_iter()
    .map(|(username, name)| FacilitatorJson { username, name })
    .collect();
    Ok(json(&list))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewFacilitator {
    /// The account's username.
    pub username: String,
}

/// Makes another account a facilitator of this process.
#[utoipa::path(post, path = "/api/v1/processes/{id}/facilitators", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = NewFacilitator,
    responses((status = 201), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn add_facilitator(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewFacilitator>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    add_facilitator_checked(&state, &permit, &process, &body.username).await?;
    Ok(created(&serde_json::json!({ "username": body.username.trim() })))
}

/// Checks and adds a facilitator (see [`add_facilitator`]).
pub async fn add_facilitator_checked(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    username: &str,
) -> Result<()> {
    let tr = permit.tr();
    let account = crate::platform::accounts::account_for_login(&state.db, username.trim())
        .await?
        .map(|(a, _)| a)
        .filter(|a| a.municipality_id == state.municipality && !a.disabled)
        .ok_or_else(|| AppError::BadRequest(tr.t1("process-error-username", "username", username.trim())))?;
    store::add_facilitator(
        &state.db,
        state.municipality,
        process,
        account.id,
        permit.ctx.audit("process.facilitator_added"),
    )
    .await?;
    // The new grant counts from the account's next request, not after the session cache's recheck.
    state.sessions.forget_account(account.id);
    Ok(())
}

/// Takes an account's facilitator grant on this process away (from its next request).
#[utoipa::path(delete, path = "/api/v1/processes/{id}/facilitators/{username}", tag = "involvement",
    params(("id" = Uuid, Path), ("username" = String, Path)),
    responses((status = 204), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn remove_facilitator(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, username)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    remove_facilitator_checked(&state, &permit, &process, &username).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Checks and removes a facilitator (see [`remove_facilitator`]).
pub async fn remove_facilitator_checked(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    username: &str,
) -> Result<()> {
    let tr = permit.tr();
    let not_one = || AppError::BadRequest(tr.t1("process-error-not-facilitator", "username", username.trim()));
    let account = crate::platform::accounts::account_for_login(&state.db, username.trim())
        .await?
        .map(|(a, _)| a)
        .filter(|a| a.municipality_id == state.municipality)
        .ok_or_else(not_one)?;
    let removed = store::remove_facilitator(
        &state.db,
        state.municipality,
        process,
        account.id,
        permit.ctx.audit("process.facilitator_removed"),
    )
    .await?;
    if !removed {
        return Err(not_one());
    }
    state.sessions.forget_account(account.id);
    Ok(())
}

/// Sends personal links by e-mail: one to everyone in the chosen units (with their
/// subtrees) and to each address given, never two to one address. Needs a mail relay
/// (409 without one).
#[utoipa::path(post, path = "/api/v1/processes/{id}/invitations", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = crate::involvement::invite::InviteRequest,
    responses((status = 201, body = crate::involvement::invite::InviteOutcome), (status = 400, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn invite(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    headers: axum::http::HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<crate::involvement::invite::InviteRequest>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let site = crate::platform::web::site_url(&state, &headers);
    let outcome = crate::involvement::invite::invite_checked(&state, &permit, &process, &body, &site).await?;
    Ok(created(&outcome))
}

/// How the delivery of a process's e-mails goes.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct InvitationStatus {
    pub sent: i64,
    pub waiting: i64,
    pub failed: i64,
}

#[utoipa::path(get, path = "/api/v1/processes/{id}/invitations", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = InvitationStatus), (status = 403, body = Problem)))]
pub(super) async fn invitations(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let s = crate::platform::mail::store::batch_status(&state.db, state.municipality, &process.mail_batch()).await?;
    Ok(json(&InvitationStatus { sent: s.sent, waiting: s.waiting, failed: s.failed }))
}
