//! Inputs (ideas, comments): listed for facilitators, written by participants, and changed
//! or hidden by a facilitator.

use super::*;

/// An input. Who wrote it is never shown; the participant number groups one person's
/// inputs and votes.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct InputJson {
    pub id: Uuid,
    pub text: String,
    pub core_task: Option<String>,
    pub category: Option<String>,
    pub channel: Channel,
    pub participant: i32,
    pub unit_id: Option<Uuid>,
    /// `leader` or `employee`, where kept.
    pub role: Option<String>,
    pub hidden: bool,
    /// Why a facilitator hid it.
    pub hidden_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl InputJson {
    pub fn from(i: Input) -> InputJson {
        InputJson {
            id: i.id,
            text: i.text,
            core_task: i.core_task,
            category: i.category,
            channel: i.channel,
            participant: i.participant_number,
            unit_id: i.unit_id,
            role: i.role,
            hidden: i.hidden_at.is_some(),
            hidden_reason: i.hidden_reason,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct InputList {
    pub items: Vec<InputJson>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// Inputs of a process, newest first: all of them for facilitators, one's own for others.
#[utoipa::path(get, path = "/api/v1/processes/{id}/inputs", tag = "involvement", params(("id" = Uuid, Path), Paging),
    responses((status = 200, body = InputList), (status = 404, body = Problem)))]
pub(super) async fn inputs(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(paging): Query<Paging>,
) -> Result<Response> {
    let (limit, offset) = paging.parse(&permit.tr())?;
    let process = visible(&state, &permit, &id).await?;
    let of = if facilitates(&permit.user, process.id) {
        InputsOf::All
    } else {
        let taker = account_taker(&state, &permit.user).await?;
        match store::find_participant(&state.db, process.id, &taker).await? {
            Some(p) => InputsOf::Participant(p.id),
            None => return Ok(json(&InputList { items: Vec::new(), total: 0, limit, offset })),
        }
    };
    let (items, total) = store::inputs(&state.db, process.id, of, limit, offset).await?;
    Ok(json(&InputList { items: items.into_iter().map(InputJson::from).collect(), total, limit, offset }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewInput {
    /// 1–5,000 characters.
    pub text: String,
    /// A core task key (`laering`, …).
    pub core_task: Option<String>,
    pub category: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Checks and writes an input as `taker`. A 201 means it is stored.
pub(super) async fn write_input(
    state: &AppState,
    ctx: &Ctx,
    process: &Process,
    taker: &Taker,
    body: NewInput,
    quota: Option<&Quota>,
) -> Result<Response> {
    let tr = ctx.tr();
    let anonymous = taker.is_anonymous();
    if let Some(why) = refusal(process, Doing::Input, anonymous) {
        return Err(AppError::Conflict(tr.t(why)));
    }
    let text = body.text.trim().to_string();
    let core_task = body.core_task.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    let category = body.category.map(|c| c.trim().chars().take(100).collect::<String>()).filter(|c| !c.is_empty());
    crate::involvement::check_input(state, &tr, &text, core_task.as_deref()).await.map_err(invalid)?;
    let draft = store::InputDraft { text, core_task, category, ..Default::default() };
    let id = store::add_input(
        &state.db,
        state.municipality,
        process,
        taker,
        &draft,
        quota,
        ctx.audit("process.input_added"),
    )
    .await?
    .map_err(|_| over_quota(ctx))?;
    Ok(created(&Created { id }))
}

/// Gives an input as the token's account.
#[utoipa::path(post, path = "/api/v1/processes/{id}/inputs", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = NewInput,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn add_input(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewInput>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let taker = account_taker(&state, &permit.user).await?;
    write_input(&state, &permit.ctx, &process, &taker, body, None).await
}

/// Changes to an input: its author changes the text while the step is open; a
/// facilitator hides it with a reason (the author sees it) or shows it again.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct InputChange {
    pub text: Option<String>,
    pub core_task: Option<String>,
    pub hidden: Option<bool>,
    pub hidden_reason: Option<String>,
}

/// Edits or moderates an input.
#[utoipa::path(patch, path = "/api/v1/processes/{id}/inputs/{input}", tag = "involvement",
    params(("id" = Uuid, Path), ("input" = Uuid, Path)), request_body = InputChange,
    responses((status = 200, body = InputJson), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub(super) async fn change_input(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, input)): Path<(String, String)>,
    ApiJson(change): ApiJson<InputChange>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    let input_id = Uuid::parse_str(input.trim()).map_err(|_| AppError::NotFound)?;
    let input = store::input_by_id(&state.db, process.id, input_id).await?.ok_or(AppError::NotFound)?;
    let facilitator = facilitates(&permit.user, process.id);
    if let Some(hidden) = change.hidden {
        if !facilitator {
            return Err(AppError::Forbidden);
        }
        let reason = change.hidden_reason.as_deref().map(str::trim).unwrap_or("").to_string();
        let reason = if hidden {
            let mut errors = FormErrors::default();
            crate::involvement::check_text(
                &mut errors,
                &tr,
                "hidden_reason",
                &reason,
                REASON_MAX_CHARS,
                "process-error-reason",
            );
            if !errors.is_empty() {
                return Err(invalid(errors));
            }
            Some(reason.as_str())
        } else {
            None
        };
        store::set_hidden(&state.db, state.municipality, input.id, reason, permit.ctx.audit("process.input_moderated"))
            .await?;
    }
    if change.text.is_some() || change.core_task.is_some() {
        let taker = account_taker(&state, &permit.user).await?;
        let own = store::find_participant(&state.db, process.id, &taker)
            .await?
            .is_some_and(|p| p.number == input.participant_number);
        if !own {
            return Err(AppError::Forbidden);
        }
        if let Some(why) = refusal(&process, Doing::Input, false) {
            return Err(AppError::Conflict(tr.t(why)));
        }
        let text = change.text.as_deref().map(str::trim).unwrap_or(&input.text).to_string();
        let core_task = match &change.core_task {
            Some(c) if c.trim().is_empty() => None,
            Some(c) => Some(c.trim().to_string()),
            None => input.core_task.clone(),
        };
        crate::involvement::check_input(&state, &tr, &text, core_task.as_deref()).await.map_err(invalid)?;
        store::edit_input(
            &state.db,
            state.municipality,
            &input,
            &text,
            core_task.as_deref(),
            permit.ctx.audit("process.input_edited"),
        )
        .await?;
    }
    let input = store::input_by_id(&state.db, process.id, input.id).await?.ok_or(AppError::NotFound)?;
    Ok(json(&InputJson::from(input)))
}
