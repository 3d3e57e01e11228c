//! A process's settings: title, description, steps and their dates, the unit and role kept
//! with answers.

use super::*;

pub(super) async fn settings_view(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: Process,
    errors: FormErrors,
) -> Result<Response> {
    let bad = !errors.is_empty();
    let tr = permit.tr();
    let facilitators = crate::platform::accounts::store::object_grantees(
        &state.db,
        crate::involvement::object(process.id),
        crate::involvement::FACILITATOR_OF,
    )
    .await?;
    let may_copy = permit.may(actions::CREATE.anywhere());
    let mut r = render(&SettingsTemplate {
        page: permit.ctx.page(state, tr.t1("process-settings-title", "title", &process.title), "processes"),
        steps: process.steps.clone(),
        process,
        errors,
        facilitators,
        may_copy,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

pub(super) async fn settings_form(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    settings_view(&state, &permit, process, FormErrors::default()).await
}

/// A date field: empty for none, else YYYY-MM-DD.
fn date_field(tr: &Tr, errors: &mut FormErrors, field: &'static str, value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(field, tr.t("process-error-date"));
            None
        }
    }
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut errors = FormErrors::default();
    let steps: Vec<StepChange> = process
        .steps
        .iter()
        .map(|s| {
            let flag = |what: &str| Some(field(&format!("{}_{what}", s.key)).is_some());
            StepChange {
                key: s.key.clone(),
                starts_on: date_field(
                    &tr,
                    &mut errors,
                    step_field(&s.key, "starts_on"),
                    &field(&format!("{}_starts_on", s.key)).unwrap_or_default(),
                ),
                ends_on: date_field(
                    &tr,
                    &mut errors,
                    step_field(&s.key, "ends_on"),
                    &field(&format!("{}_ends_on", s.key)).unwrap_or_default(),
                ),
                allow_inputs: flag("allow_inputs"),
                allow_statements: flag("allow_statements"),
                allow_votes: flag("allow_votes"),
                show_results: flag("show_results"),
                allow_anonymous: flag("allow_anonymous"),
            }
        })
        .collect();
    // A cleared date is cleared (the API's "left out stays" does not apply to a form).
    let mut cleared = process.clone();
    for s in &mut cleared.steps {
        s.starts_on = None;
        s.ends_on = None;
    }
    let change = ProcessChange {
        title: field("title"),
        description: field("description"),
        active_step: Some(field("active_step").unwrap_or_default()),
        keep_unit_role: Some(field("keep_unit_role").is_some()),
        steps: Some(steps),
    };
    if !errors.is_empty() {
        return settings_view(&state, &permit, process, errors).await;
    }
    let changed = match apply_change(&tr, cleared, change) {
        Ok(p) => p,
        Err(AppError::BadRequest(msg)) => {
            return settings_view(&state, &permit, process, FormErrors::one("steps", msg)).await;
        }
        Err(e) => return Err(e),
    };
    store::update(&state.db, state.municipality, &changed, permit.ctx.audit("process.updated")).await?;
    Ok(Redirect::to(&format!("/processer/{}?gemt=indstillinger", changed.id)).into_response())
}
