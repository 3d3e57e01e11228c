//! The API for a process's results: opinion groups, themes and the facilitators' pins on
//! them, themes across the organisation, the analysis job, and the exports.

use super::*;

/// The results of a process, for its facilitators and, while the step shows results, for
/// those invited; a 403 otherwise.
pub(crate) async fn with_results(state: &AppState, permit: &Permit<TakePart>, id: &str) -> Result<Process> {
    let process = visible(state, permit, id).await?;
    if crate::involvement::sees_results(&permit.user, &process) { Ok(process) } else { Err(AppError::Forbidden) }
}

/// The opinion groups of a process, as `samskab analyse opinions --format json` prints them
/// for the process's votes (participant and statement ids are their numbers). Computed
/// again when votes came in since the last run, continuing from it; from 100,000 current
/// votes the kept result is answered at once and the analysis job brings it up to date.
#[utoipa::path(get, path = "/api/v1/processes/{id}/opinions", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, description = "The JSON of `samskab analyse opinions`", content_type = "application/json"),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn opinions(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = with_results(&state, &permit, &id).await?;
    let shown =
        crate::involvement::analysis::shown_opinions(&state, &process, permit.ctx.audit("process.analysed")).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], shown.0.clone()).into_response())
}

/// Themes of a process's shown inputs, as `samskab analyse themes --format json` prints
/// them (rows in the order of `inputs`).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct ThemesJson {
    pub themes: Vec<crate::involvement::analysis::ThemeJson>,
    /// Theme per row, −1 for an input without content words.
    pub assignments: Vec<i64>,
    /// The input id of each row.
    pub inputs: Vec<Uuid>,
    /// The facilitators' pins (`/themes/pins`) and the theme each became.
    pub pins: Vec<crate::involvement::analysis::PinnedTheme>,
}

/// The themes of a process's inputs; computed again when inputs changed since the last run,
/// continuing from it so themes keep their ids.
#[utoipa::path(get, path = "/api/v1/processes/{id}/themes", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = ThemesJson), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn themes(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = with_results(&state, &permit, &id).await?;
    let t = crate::involvement::analysis::shown_themes(&state, &process, permit.ctx.audit("process.analysed")).await?;
    // A large process's answer is written out once per kept result (each entry holds its
    // result, so the same shared result means the same answer).
    static WRITTEN: std::sync::LazyLock<
        std::sync::Mutex<
            std::collections::HashMap<
                Uuid,
                (std::sync::Arc<crate::involvement::analysis::ThemesResult>, std::sync::Arc<String>),
            >,
        >,
    > = std::sync::LazyLock::new(Default::default);
    let memo = WRITTEN
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&process.id)
        .filter(|(of, _)| std::sync::Arc::ptr_eq(of, &t))
        .map(|(_, body)| body.clone());
    let body = match memo {
        Some(body) => body,
        None => {
            let r = (*t).clone();
            let json = ThemesJson { themes: r.themes, assignments: r.assignments, inputs: r.inputs, pins: r.pins };
            let body = std::sync::Arc::new(
                serde_json::to_string(&json).map_err(|e| AppError::Internal(format!("themes JSON: {e}")))?,
            );
            WRITTEN.lock().unwrap_or_else(|p| p.into_inner()).insert(process.id, (t.clone(), body.clone()));
            body
        }
    };
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], (*body).clone()).into_response())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct JobStarted {
    /// The job's id: its progress is at `/api/v1/jobs/{job}` and `/jobber/{job}`.
    pub job: Uuid,
}

/// Starts analysing a process in the background (opinion groups, then themes).
#[utoipa::path(post, path = "/api/v1/processes/{id}/analyse", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 202, body = JobStarted), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn analyse(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let job = start_analysis(&state, &permit, &process).await?;
    let mut r = json(&JobStarted { job });
    *r.status_mut() = StatusCode::ACCEPTED;
    Ok(r)
}

/// Queues the analysis of a process (one at a time per process).
pub async fn start_analysis(state: &AppState, permit: &Permit<TakePart>, process: &Process) -> Result<Uuid> {
    let mut job = crate::platform::jobs::NewJob::new(
        crate::involvement::analysis::ANALYSE.kind,
        serde_json::json!({ "process": process.id.to_string() }),
    );
    job.created_by = Some(permit.user.account.id);
    job.dedupe_key = Some(format!("involvement.analyse:{}", process.id));
    Ok(crate::platform::jobs::store::enqueue(&state.db, state.municipality, &job).await?)
}

/// A process's data as a file, for its facilitators: `votes.csv` and `comments.csv` in the
/// Pol.is export format, `inputs.csv` / `inputs.xlsx` for spreadsheets.
#[utoipa::path(get, path = "/api/v1/processes/{id}/export/{file}", tag = "involvement",
    params(("id" = Uuid, Path), ("file" = String, Path, description = "votes.csv, comments.csv, inputs.csv or inputs.xlsx")),
    responses((status = 200, description = "The file"), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn export(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    crate::involvement::export::download(&state, &permit.ctx, &process, &file).await
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LevelParam {
    /// The organisation level of the units: 2 (departments, the default) or 3 (their areas).
    level: Option<String>,
}

/// The themes across the organisation: participants who raised each theme per unit and per
/// role, with shares; no figure for fewer than five people or one that subtraction reveals.
#[utoipa::path(get, path = "/api/v1/processes/{id}/themes/across", tag = "involvement",
    params(("id" = Uuid, Path), LevelParam),
    responses((status = 200, body = crate::involvement::across::Across), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn themes_across(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<LevelParam>,
) -> Result<Response> {
    let process = with_results(&state, &permit, &id).await?;
    let tr = permit.tr();
    let level = crate::involvement::routes::level(&tr, q.level.as_deref())?;
    let t = crate::involvement::analysis::shown_themes(&state, &process, permit.ctx.audit("process.analysed")).await?;
    Ok(json(&crate::involvement::routes::across_for(&state, &tr, &process, &t, level).await?))
}

/// A facilitator's pin on the themes: inputs that stay one theme through every
/// recomputation, with the theme's name.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PinJson {
    pub id: Uuid,
    pub name: Option<String>,
    pub inputs: Vec<Uuid>,
}

/// The pins on a process's themes.
#[utoipa::path(get, path = "/api/v1/processes/{id}/themes/pins", tag = "involvement", params(("id" = Uuid, Path)),
    responses((status = 200, body = [PinJson]), (status = 403, body = Problem)))]
pub(super) async fn list_pins(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let pins: Vec<PinJson> = store::theme_pins(&state.db, process.id)
        .await?
        .into_iter()
        .map(|p| PinJson { id: p.id, name: p.name, inputs: p.inputs })
        .collect();
    Ok(json(&pins))
}

/// Inputs to pin into one theme: a new pin, or more inputs (and a name) for `pin`.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewPin {
    pub inputs: Vec<Uuid>,
    /// The theme's name (up to 200 characters).
    pub name: Option<String>,
    /// An existing pin to add the inputs to.
    pub pin: Option<Uuid>,
}

/// Pins inputs into one theme, optionally named: renaming a theme (pin its inputs with a
/// name), merging two (pin the inputs of both), splitting one or moving inputs (pin them
/// into a new or another pin). An input is in one pin at a time.
#[utoipa::path(post, path = "/api/v1/processes/{id}/themes/pins", tag = "involvement", params(("id" = Uuid, Path)),
    request_body = NewPin,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub(super) async fn add_pin(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewPin>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let pin = pin_checked(&state, &permit, &process, body.pin, body.name.as_deref(), &body.inputs).await?;
    Ok(created(&Created { id: pin }))
}

/// Checks and writes a pin (see [`add_pin`]).
pub async fn pin_checked(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: &Process,
    pin: Option<Uuid>,
    name: Option<&str>,
    inputs: &[Uuid],
) -> Result<Uuid> {
    let tr = permit.tr();
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > crate::involvement::model::TITLE_MAX_CHARS) {
        return Err(AppError::BadRequest(tr.t1(
            "process-error-too-long",
            "max",
            crate::involvement::model::TITLE_MAX_CHARS,
        )));
    }
    if inputs.is_empty() && pin.is_none() {
        return Err(AppError::BadRequest(tr.t("process-error-pin-empty")));
    }
    let known: std::collections::HashSet<Uuid> =
        store::visible_texts(&state.db, process.id).await?.into_iter().map(|(id, _)| id).collect();
    if inputs.iter().any(|i| !known.contains(i)) {
        return Err(AppError::BadRequest(tr.t("process-error-input-unknown")));
    }
    if let Some(p) = pin
        && !store::theme_pins(&state.db, process.id).await?.iter().any(|x| x.id == p)
    {
        return Err(AppError::BadRequest(tr.t("process-error-pin-unknown")));
    }
    Ok(store::pin_inputs(
        &state.db,
        state.municipality,
        process,
        pin,
        name,
        inputs,
        permit.ctx.audit("process.themes_pinned"),
    )
    .await?)
}

/// Removes a pin; its inputs may move again at the next recomputation.
#[utoipa::path(delete, path = "/api/v1/processes/{id}/themes/pins/{pin}", tag = "involvement",
    params(("id" = Uuid, Path), ("pin" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn remove_pin(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path((id, pin)): Path<(String, String)>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let pin = Uuid::parse_str(pin.trim()).map_err(|_| AppError::NotFound)?;
    if !store::unpin(&state.db, state.municipality, &process, pin, permit.ctx.audit("process.themes_unpinned")).await? {
        return Err(AppError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
