//! A facilitator's writes about who takes part and who runs the process: personal links
//! to print, links by e-mail, copying the process, adding and removing facilitators.

use super::*;

#[derive(Deserialize, Default)]
pub(super) struct LinksForm {
    #[serde(default)]
    count: String,
}

pub(super) async fn make_links(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<LinksForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let count = form.count.trim().parse::<i64>().map_err(|_| {
        AppError::BadRequest(tr.t1("process-error-links", "max", tr.num(crate::involvement::model::LINKS_MAX as i64)))
    })?;
    let tokens = issue_links(&state, &permit, &process, count).await?;
    let base = crate::platform::web::site_url(&state, &headers);
    Ok(render(&LinksTemplate {
        page: permit.ctx.page(&state, tr.t1("process-links-title", "title", &process.title), "processes"),
        links: tokens.iter().map(|t| format!("{base}/deltag/{t}")).collect(),
        process,
    }))
}

#[derive(Deserialize, Default)]
pub(super) struct Empty {}

#[derive(Deserialize, Default)]
pub(super) struct UsernameForm {
    #[serde(default)]
    pub(super) username: String,
}

pub(super) async fn copy_process(
    State(state): State<AppState>,
    permit: Permit<CreateProcesses>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = crate::involvement::api::copyable(&state, &permit, &id).await?;
    let copied = crate::involvement::api::copy_checked(&state, &permit, &process, None).await?;
    Ok(Redirect::to(&format!("/processer/{}/indstillinger", copied.id)).into_response())
}

pub(super) async fn add_facilitator(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<UsernameForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    match crate::involvement::api::add_facilitator_checked(&state, &permit, &process, &form.username).await {
        Ok(()) => Ok(Redirect::to(&format!("/processer/{}/indstillinger", process.id)).into_response()),
        Err(AppError::BadRequest(msg)) => {
            settings_view(&state, &permit, process, FormErrors::one("username", msg)).await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn remove_facilitator(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<UsernameForm>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    match crate::involvement::api::remove_facilitator_checked(&state, &permit, &process, &form.username).await {
        Ok(()) => Ok(Redirect::to(&format!("/processer/{}/indstillinger#facilitatorer", process.id)).into_response()),
        Err(AppError::BadRequest(msg)) => {
            settings_view(&state, &permit, process, FormErrors::one("username", msg)).await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn invite(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let process = facilitated(&state, &permit, &id).await?;
    let tr = permit.tr();
    let mut errors = FormErrors::default();
    let mut request = crate::involvement::invite::InviteRequest::default();
    for (k, v) in &fields {
        match k.as_str() {
            "unit" => match Uuid::parse_str(v.trim()) {
                Ok(u) => request.units.push(u),
                Err(_) => errors.push("invite", tr.t1("invite-error-unit", "unit", v.trim())),
            },
            "emails" => {
                request.emails.extend(v.split(['\n', ',', ';']).map(|e| e.trim().to_string()).filter(|e| !e.is_empty()))
            }
            _ => {}
        }
    }
    let site = crate::platform::web::site_url(&state, &headers);
    let outcome = if errors.is_empty() {
        crate::involvement::invite::invite_checked(&state, &permit, &process, &request, &site).await
    } else {
        Err(crate::platform::api::invalid(errors))
    };
    match outcome {
        Ok(o) => {
            let notice = [
                tr.t1("process-invite-queued", "count", tr.num(o.invited as i64)),
                tr.t1("process-invite-before", "count", tr.num(o.already_invited as i64)),
                tr.t1("process-invite-without", "count", tr.num(o.without_address as i64)),
            ]
            .join(" ");
            facilitate_view(
                &state,
                &permit,
                process,
                1,
                StatementDraft::default(),
                FormErrors::default(),
                Some(notice),
                1,
            )
            .await
        }
        Err(AppError::BadRequest(msg)) | Err(AppError::Conflict(msg)) => {
            facilitate_view(
                &state,
                &permit,
                process,
                1,
                StatementDraft::default(),
                FormErrors::one("invite", msg),
                None,
                1,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
