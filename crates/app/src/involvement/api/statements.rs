//! Statements to vote on (listed, proposed, moderated), votes, and the next statement a
//! participant is shown.

use super::*;

/// A statement with its current votes (tallies for facilitators, and for everyone once
/// the step shows results).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct StatementJson {
    /// The statement's number in the process (its Pol.is comment id).
    pub id: i32,
    pub text: String,
    pub state: StatementState,
    /// The input it was made from.
    pub input: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub votes: Option<Tally>,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StatementList {
    pub items: Vec<StatementJson>,
}

/// The statements of a process: facilitators see all, with votes; others the accepted ones.
#[utoipa::path(get, path = "/api/v1/processes/{id}/statements", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = StatementList), (status = 404, body = Problem)))]
pub(super) async fn statements(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let facilitator = facilitates(&permit.user, process.id);
    let results = facilitator || process.active().is_some_and(|s| s.show_results);
    let tallies =
        if results { crate::involvement::cache::tallies(&state.db, process.id).await? } else { Default::default() };
    let items = crate::involvement::cache::statements(&state.db, process.id)
        .await?
        .iter()
        .filter(|s| facilitator || s.state == StatementState::Accepted)
        .map(|s| StatementJson {
            id: s.number,
            votes: results.then(|| tallies.get(&s.number).copied().unwrap_or_default()),
            text: s.text.clone(),
            state: s.state,
            input: s.input_id,
            created_at: s.created_at,
        })
        .collect();
    Ok(json(&StatementList { items }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewStatement {
    pub text: String,
    /// Make it from this input (facilitators).
    pub input: Option<Uuid>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CreatedNumber {
    pub id: i32,
    pub state: StatementState,
}

/// Adds a statement: a facilitator's is shown at once; a participant proposes one where
/// the step allows it, and it waits for moderation.
#[utoipa::path(post, path = "/api/v1/processes/{id}/statements", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = NewStatement,
    responses((status = 201, body = CreatedNumber), (status = 400, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn add_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewStatement>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    let text = body.text.trim().to_string();
    crate::involvement::check_statement(&tr, &text).map_err(invalid)?;
    let facilitator = facilitates(&permit.user, process.id);
    if let Some(input) = body.input {
        if !facilitator {
            return Err(AppError::Forbidden);
        }
        store::input_by_id(&state.db, process.id, input)
            .await?
            .ok_or_else(|| AppError::BadRequest(tr.t("process-error-input-unknown")))?;
    }
    let (state_of, proposer) = if facilitator {
        (StatementState::Accepted, None)
    } else {
        if let Some(why) = refusal(&process, Doing::Statement, false) {
            return Err(AppError::Conflict(tr.t(why)));
        }
        (StatementState::Pending, Some(account_taker(&state, &permit.user).await?))
    };
    let number = store::add_statement(
        &state.db,
        state.municipality,
        &process,
        &text,
        proposer.as_ref(),
        body.input,
        state_of,
        permit.ctx.audit("process.statement_added"),
    )
    .await?;
    Ok(created(&CreatedNumber { id: number, state: state_of }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StatementChange {
    pub state: StatementState,
}

/// Moderates a statement: accept (shown for voting) or reject. For facilitators.
#[utoipa::path(patch, path = "/api/v1/processes/{id}/statements/{number}", tag = "involvement",
    params(("id" = Uuid, Path), ("number" = i32, Path)), request_body = StatementChange,
    responses((status = 200, body = CreatedNumber), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn moderate_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, number)): Path<(String, String)>,
    ApiJson(body): ApiJson<StatementChange>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let number: i32 = number.trim().parse().map_err(|_| AppError::NotFound)?;
    if !store::set_statement_state(
        &state.db,
        state.municipality,
        process.id,
        number,
        body.state,
        permit.ctx.audit("process.statement_moderated"),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(json(&CreatedNumber { id: number, state: body.state }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewVote {
    /// The statement's number.
    pub statement: i64,
    /// Agree 1, disagree −1, pass 0.
    pub vote: i64,
}

/// Checks and records a vote as `taker`. A 201 means it is stored.
pub(super) async fn write_vote(
    state: &AppState,
    ctx: &Ctx,
    process: &Process,
    taker: &Taker,
    body: NewVote,
    quota: Option<&Quota>,
) -> Result<Response> {
    let tr = ctx.tr();
    let anonymous = taker.is_anonymous();
    if let Some(why) = refusal(process, Doing::Vote, anonymous) {
        return Err(AppError::Conflict(tr.t(why)));
    }
    let value = valid_vote(body.vote).ok_or_else(|| AppError::BadRequest(tr.t("process-error-vote")))?;
    let number = i32::try_from(body.statement).map_err(|_| AppError::BadRequest(tr.t("process-error-statement")))?;
    // Which statements take votes changes seldom; it is read from a copy at most a second old.
    let accepted = crate::involvement::cache::statement_state(&state.db, process.id, number).await?
        == Some(StatementState::Accepted);
    if !accepted {
        return Err(AppError::BadRequest(tr.t("process-error-statement")));
    }
    store::vote(&state.db, state.municipality, process, taker, (number, value), quota, ctx.audit("process.voted"))
        .await?
        .map_err(|_| over_quota(ctx))?;
    Ok(created(&serde_json::json!({ "statement": number, "vote": value })))
}

/// Votes on a statement as the token's account; the latest vote counts.
#[utoipa::path(post, path = "/api/v1/processes/{id}/votes", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = NewVote,
    responses((status = 201), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn vote(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewVote>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let taker = account_taker(&state, &permit.user).await?;
    write_vote(&state, &permit.ctx, &process, &taker, body, None).await
}

/// The next statement to vote on, or none when all are voted on.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NextStatement {
    pub statement: Option<StatementJson>,
    /// Statements voted on and in all.
    pub voted: usize,
    pub total: usize,
}

/// The next statement for a participant, among the accepted ones not yet voted on: drawn
/// at random weighted by the engine's statement priorities (Pol.is comment priorities) of the
/// kept opinion analysis, so statements that would tell the groups apart, and new ones, come
/// up more often; a statement newer than the analysis weighs as much as the heaviest. Before
/// the first analysis: the one with the fewest votes (ties by number). The draw is fixed by
/// the participant and how far they are, so a page reloaded shows the same statement.
pub async fn next_for(state: &AppState, process: &Process, taker: &Taker) -> Result<NextStatement> {
    let all = crate::involvement::cache::statements(&state.db, process.id).await?;
    let accepted: Vec<_> = all.iter().filter(|s| s.state == StatementState::Accepted).collect();
    let voted: Vec<i32> = match store::find_participant(&state.db, process.id, taker).await? {
        Some(p) => store::votes_of(&state.db, process.id, p.number).await?.into_iter().map(|(s, _)| s).collect(),
        None => Vec::new(),
    };
    let open: Vec<_> = accepted.iter().copied().filter(|s| !voted.contains(&s.number)).collect();
    let priorities = crate::involvement::cache::priorities(&state.db, process.id).await?;
    let chosen = if priorities.is_empty() {
        let tallies = crate::involvement::cache::tallies(&state.db, process.id).await?;
        let count = |n: i32| tallies.get(&n).map(|t| t.agree + t.disagree + t.pass).unwrap_or(0);
        open.iter().min_by_key(|s| (count(s.number), s.number)).copied()
    } else {
        let heaviest = priorities.values().copied().fold(0.0_f64, f64::max).max(1e-9);
        let weights: Vec<f64> =
            open.iter().map(|s| priorities.get(&s.number).copied().unwrap_or(heaviest).max(1e-9)).collect();
        let draw = crate::involvement::model::unit_draw(&(taker_key(taker), voted.len())) * weights.iter().sum::<f64>();
        let mut acc = 0.0;
        open.iter()
            .zip(&weights)
            .find(|(_, w)| {
                acc += **w;
                acc >= draw
            })
            .map(|(s, _)| *s)
            .or(open.last().copied())
    };
    let next = chosen.map(|s| StatementJson {
        id: s.number,
        text: s.text.clone(),
        state: s.state,
        input: None,
        votes: None,
        created_at: s.created_at,
    });
    let done = accepted.len() - open.len();
    Ok(NextStatement { statement: next, voted: done, total: accepted.len() })
}

/// What tells one taker from another, for their draws.
fn taker_key(taker: &Taker) -> Uuid {
    match taker {
        Taker::Account { account, .. } => *account,
        Taker::Link { pass, .. } => *pass,
        Taker::Browser { browser, .. } => *browser,
    }
}

#[utoipa::path(get, path = "/api/v1/processes/{id}/next-statement", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = NextStatement), (status = 404, body = Problem)))]
pub(super) async fn next_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let taker = account_taker(&state, &permit.user).await?;
    Ok(json(&next_for(&state, &process, &taker).await?))
}
