//! The API for those taking part through a personal link (`/api/v1/participate/{token}`).

use super::*;

/// What a personal link opens: the process and the next statement.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Participation {
    pub process: Uuid,
    pub title: String,
    pub description: String,
    pub active_step: Option<String>,
    pub may_give_input: bool,
    pub may_vote: bool,
    pub next: NextStatement,
}

/// Inputs or votes a personal link may send per minute: more than a person types, fewer
/// than a script would.
pub const LINK_WRITES_PER_MINUTE: i64 = 60;

/// The process a live personal link is for, and its taker; a 404 for any other token.
pub async fn by_link(state: &AppState, token: &str) -> Result<(Pass, Process, Taker)> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let pass =
        crate::involvement::cache::pass(&state.db, state.municipality, token).await?.ok_or(AppError::NotFound)?;
    if pass.kind != PassKind::Link || pass.object.kind != crate::involvement::OBJECT_KIND {
        return Err(AppError::NotFound);
    }
    let process = crate::involvement::cache::process(&state.db, state.municipality, pass.object.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let taker = Taker::Link { pass: pass.id, unit: pass.unit, role: pass.role.clone() };
    Ok((pass, process, taker))
}

/// A write through a personal link: the link's process and taker, and the link's quota,
/// counted in the write's own transaction.
pub async fn link_access(state: &AppState, ctx: &Ctx, token: &str) -> Result<(Process, Taker, Option<Quota>)> {
    let (pass, process, taker) = by_link(state, token).await?;
    let quota =
        Actor::Participant(pass).quota(ctx, "process.write", LINK_WRITES_PER_MINUTE, chrono::Duration::minutes(1));
    Ok((process, taker, quota))
}

/// Counts a refused write (bad input, a closed step) against the quota too, so refusals
/// cannot be repeated for free; a write that was made counted itself.
pub(super) async fn count_refused(state: &AppState, refused: bool, quota: Option<&Quota>) -> Result<()> {
    if let (true, Some(q)) = (refused, quota) {
        participants::store::hit(&state.db, &q.key, q.window).await?;
    }
    Ok(())
}

/// Whether a write was refused for another reason than its quota.
pub(super) fn refused(written: &Result<Response>) -> bool {
    matches!(written, Err(e) if !matches!(e, AppError::TooManyRequests(_)))
}

/// The 429 for a write past its quota.
pub fn over_quota(ctx: &Ctx) -> AppError {
    AppError::TooManyRequests(ctx.tr().t("error-429-text"))
}

/// The process a personal link opens, with the next statement to vote on.
#[utoipa::path(get, path = "/api/v1/participate/{token}", tag = "involvement", params(("token" = String, Path)),
    responses((status = 200, body = Participation), (status = 404, body = Problem)))]
pub(super) async fn participate(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    let (_, process, taker) = by_link(&state, &token).await?;
    let next = next_for(&state, &process, &taker).await?;
    Ok(json(&Participation {
        process: process.id,
        may_give_input: refusal(&process, Doing::Input, true).is_none(),
        may_vote: refusal(&process, Doing::Vote, true).is_none(),
        title: process.title,
        description: process.description,
        active_step: process.active_step,
        next,
    }))
}

/// Gives an input through a personal link; it is stored without identity.
#[utoipa::path(post, path = "/api/v1/participate/{token}/inputs", tag = "involvement", params(("token" = String, Path)),
    request_body = NewInput,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 429, body = Problem)))]
pub(super) async fn participate_input(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewInput>,
) -> Result<Response> {
    let (process, taker, quota) = link_access(&state, &ctx, &token).await?;
    let written = write_input(&state, &ctx, &process, &taker, body, quota.as_ref()).await;
    count_refused(&state, refused(&written), quota.as_ref()).await?;
    written
}

/// Votes through a personal link.
#[utoipa::path(post, path = "/api/v1/participate/{token}/votes", tag = "involvement", params(("token" = String, Path)),
    request_body = NewVote,
    responses((status = 201), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 429, body = Problem)))]
pub(super) async fn participate_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewVote>,
) -> Result<Response> {
    let (process, taker, quota) = link_access(&state, &ctx, &token).await?;
    let written = write_vote(&state, &ctx, &process, &taker, body, quota.as_ref()).await;
    count_refused(&state, refused(&written), quota.as_ref()).await?;
    written
}
