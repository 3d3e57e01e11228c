//! A facilitator's page and its writes about the content: statements added and moderated,
//! inputs hidden.

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct StatementForm {
    #[serde(default)]
    text: String,
    /// Where a facilitator wrote it: back to the facilitation page.
    #[serde(default)]
    from: String,
    /// The input a facilitator made it from.
    #[serde(default)]
    input: String,
}

/// A facilitator adds a statement (shown at once); a participant proposes one where the
/// step allows it (it waits for moderation).
pub(super) async fn add_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatementForm>,
) -> Result<Response> {
    let process = visible(&state, &permit, &id).await?;
    let tr = permit.tr();
    let facilitator = facilitates(&permit.user, process.id);
    let text = form.text.trim().to_string();
    if !facilitator && let Some(why) = refusal(&process, Doing::Statement, false) {
        return Err(AppError::Conflict(tr.t(why)));
    }
    // Made from an input: for facilitators, from an input of this process.
    let from_input = match Uuid::parse_str(form.input.trim()) {
        Ok(i) if facilitator => Some(
            store::input_by_id(&state.db, process.id, i)
                .await?
                .ok_or_else(|| AppError::BadRequest(tr.t("process-error-input-unknown")))?
                .id,
        ),
        _ => None,
    };
    if let Err(errors) = check_statement(&tr, &text) {
        if facilitator && form.from == "facilitering" {
            let draft = StatementDraft { text: form.text.clone(), input: from_input };
            return facilitate_view(&state, &permit, process, 1, draft, errors, None, 1).await;
        }
        let fields = (String::new(), String::new(), form.text.clone());
        return process_view(&state, &permit, process, fields, errors, None).await;
    }
    let (state_of, proposer) = if facilitator {
        (StatementState::Accepted, None)
    } else {
        (StatementState::Pending, Some(account_taker(&state, &permit.user).await?))
    };
    store::add_statement(
        &state.db,
        state.municipality,
        &process,
        &text,
        proposer.as_ref(),
        from_input,
        state_of,
        permit.ctx.audit("process.statement_added"),
    )
    .await?;
    let back = if facilitator && form.from == "facilitering" { "facilitering" } else { "" };
    let path = if back.is_empty() {
        format!("/processer/{}?gemt=udsagn#udsagn", process.id)
    } else {
        format!("/processer/{}/facilitering?gemt=udsagn#udsagn", process.id)
    };
    Ok(Redirect::to(&path).into_response())
}

const INPUT_PAGE: i64 = 50;
/// Statements per page of the facilitator's table (each row has its moderation form).
const STATEMENT_PAGE: i64 = 50;

/// A statement being written on the facilitation page, and the input it is made from.
#[derive(Default)]
pub(super) struct StatementDraft {
    text: String,
    input: Option<Uuid>,
}

#[derive(Deserialize, Default)]
pub(super) struct FacilitateQuery {
    side: Option<String>,
    /// The page of the statements table.
    udsagn: Option<String>,
    gemt: Option<String>,
    /// An input to make a statement from: its text fills the statement field.
    fra: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn facilitate_view(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: Process,
    page_no: i64,
    draft: StatementDraft,
    errors: FormErrors,
    notice: Option<String>,
    statement_page: i64,
) -> Result<Response> {
    let tr = permit.tr();
    let (participants, input_count, votes) = crate::involvement::cache::counts(&state.db, process.id).await?;
    let mail_status =
        crate::platform::mail::store::batch_status(&state.db, state.municipality, &process.mail_batch()).await?;
    let tallies = crate::involvement::cache::tallies(&state.db, process.id).await?;
    // Pending statements first (they wait for a decision), then by number; a page at a time.
    let mut all: Vec<_> = crate::involvement::cache::statements(&state.db, process.id).await?.iter().cloned().collect();
    all.sort_by_key(|s| (s.state != StatementState::Pending, s.number));
    let statement_pages = ((all.len() as i64 + STATEMENT_PAGE - 1) / STATEMENT_PAGE).max(1);
    let statement_page = statement_page.min(statement_pages);
    let statements = all
        .into_iter()
        .skip(((statement_page - 1) * STATEMENT_PAGE) as usize)
        .take(STATEMENT_PAGE as usize)
        .map(|s| StatementRow { tally: tallies.get(&s.number).copied().unwrap_or_default(), statement: s })
        .collect();
    let (inputs, total) =
        store::inputs(&state.db, process.id, InputsOf::All, INPUT_PAGE, (page_no - 1) * INPUT_PAGE).await?;
    let view = crate::organisation::org_cache(state).get(&state.db).await?;
    let unit_names: HashMap<Uuid, String> = inputs
        .iter()
        .filter_map(|i| i.unit_id)
        .filter_map(|u| view.unit(u).map(|unit| (u, unit.name.clone())))
        .collect();
    let bad = !errors.is_empty();
    let mut r = render(&FacilitateTemplate {
        page: permit.ctx.page(state, tr.t1("process-facilitate-title", "title", &process.title), "processes"),
        page_link: format!("/processer/{}/facilitering?side=", process.id),
        statement_link: format!("/processer/{}/facilitering?udsagn=", process.id),
        statement_page,
        statement_pages,
        process,
        participants,
        input_count,
        votes,
        statements,
        inputs,
        unit_names,
        statement_text: draft.text,
        statement_input: draft.input.map(|i| i.to_string()).unwrap_or_default(),
        errors,
        notice,
        page_number: page_no,
        mail_ready: state.mailer.is_some(),
        mail_status,
        invite_units: unit_choices(state).await?,
        pages: ((total + INPUT_PAGE - 1) / INPUT_PAGE).max(1),
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

pub(super) async fn facilitate(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<FacilitateQuery>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let page_no = page_number(&permit.tr(), q.side.as_deref())?;
    let mut draft = StatementDraft::default();
    if let Some(input) = q.fra.as_deref().and_then(|f| Uuid::parse_str(f.trim()).ok()) {
        let input = store::input_by_id(&state.db, process.id, input).await?.ok_or(AppError::NotFound)?;
        draft = StatementDraft {
            text: input.text.chars().take(crate::involvement::model::STATEMENT_MAX_CHARS).collect(),
            input: Some(input.id),
        };
    }
    let notice = notice(&permit.tr(), q.gemt.as_deref());
    let statement_page = page_number(&permit.tr(), q.udsagn.as_deref())?;
    facilitate_view(&state, &permit, process, page_no, draft, FormErrors::default(), notice, statement_page).await
}

#[derive(Deserialize, Default)]
pub(super) struct StateForm {
    #[serde(default)]
    state: String,
}

pub(super) async fn moderate_statement(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, number)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<StateForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let number: i32 = number.trim().parse().map_err(|_| AppError::NotFound)?;
    let new = StatementState::parse(form.state.trim())
        .filter(|s| *s != StatementState::Pending)
        .ok_or_else(|| AppError::BadRequest(tr.t("process-error-statement-state")))?;
    if !store::set_statement_state(
        &state.db,
        state.municipality,
        process.id,
        number,
        new,
        permit.ctx.audit("process.statement_moderated"),
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/processer/{}/facilitering#udsagn", process.id)).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct HideForm {
    #[serde(default)]
    reason: String,
    /// Set to show a hidden input again.
    #[serde(default)]
    show: String,
}

pub(super) async fn hide_input(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, input)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<HideForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let input_id = Uuid::parse_str(input.trim()).map_err(|_| AppError::NotFound)?;
    let input = store::input_by_id(&state.db, process.id, input_id).await?.ok_or(AppError::NotFound)?;
    let reason = form.reason.trim().to_string();
    let reason = if form.show.is_empty() {
        let mut errors = FormErrors::default();
        crate::involvement::check_text(&mut errors, &tr, "reason", &reason, REASON_MAX_CHARS, "process-error-reason");
        if let Some(e) = errors.all().first() {
            return Err(AppError::BadRequest(e.message.clone()));
        }
        Some(reason.as_str())
    } else {
        None
    };
    store::set_hidden(&state.db, state.municipality, input.id, reason, permit.ctx.audit("process.input_moderated"))
        .await?;
    Ok(Redirect::to(&format!("/processer/{}/facilitering#input", process.id)).into_response())
}
