//! The attendance pages: the facilitator's phone-friendly list for an activity with the
//! room's check-in code, check-in by a participant, and each participant's progress with
//! the export of completed activities.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::super::api::attendance::{check_in_checked, completed_file, list_of, new_code, progress, record_checked};
use super::super::api::{activity_of, programme_of};
use super::super::views::{AttendanceRowView, AttendanceTemplate, ProgressRowView, ProgressTemplate};
use super::super::{ManageProgrammes, ReadProgrammes, actions};
use super::activities::activity_view;
use super::{Saved, when};
use crate::AppState;
use crate::platform::layout::{FormErrors, render, render_form};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new()
        .get("/aktiviteter/{id}/fremmoede", manage, list_page)
        .post("/aktiviteter/{id}/fremmoede", manage, save_list)
        .post("/aktiviteter/{id}/fremmoede/kode", manage, make_code)
        .post("/aktiviteter/{id}/tjek-ind", read, check_in)
        .get("/programmer/{id}/fremmoede", manage, progress_page)
        .get("/programmer/{id}/gennemfoert.csv", manage, completed_csv)
        .get("/programmer/{id}/gennemfoert.xlsx", manage, completed_xlsx)
}

async fn list_view(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    id: &str,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let activity = activity_of(state, id).await?;
    let list = list_of(state, &activity).await?;
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &AttendanceTemplate {
            page: permit.ctx.page(state, tr.t1("attendance-title", "activity", &activity.title), "programmes"),
            id: activity.id.to_string(),
            when: when(&tr, &activity),
            open: list.open,
            code: list.code,
            people: list
                .people
                .into_iter()
                .map(|p| AttendanceRowView { id: p.person.to_string(), name: p.name, present: p.present })
                .collect(),
            notice,
            errors,
        },
        has_errors,
    ))
}

async fn list_page(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let notice = q.gemt.map(|_| permit.tr().t("attendance-saved"));
    list_view(&state, &permit, &id, notice, FormErrors::default()).await
}

async fn save_list(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let present: Option<Vec<Uuid>> =
        fields.iter().filter(|(k, _)| k == "present").map(|(_, v)| Uuid::parse_str(v.trim()).ok()).collect();
    let Some(present) = present else {
        let errors = FormErrors::one("present", permit.tr().t("error-form"));
        return list_view(&state, &permit, &id, None, errors).await;
    };
    match record_checked(&state, &permit, &activity, &present).await {
        Ok(()) => Ok(Redirect::to(&format!("/aktiviteter/{}/fremmoede?gemt=1", activity.id)).into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            list_view(&state, &permit, &id, None, FormErrors::one("present", m)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize, Default)]
struct Empty {}

async fn make_code(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    new_code(&state, &permit, &activity).await?;
    Ok(Redirect::to(&format!("/aktiviteter/{}/fremmoede", activity.id)).into_response())
}

#[derive(serde::Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn check_in(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    match check_in_checked(&state, &permit, &activity, &form.code).await {
        Ok(()) => Ok(Redirect::to(&format!("/aktiviteter/{}?gemt=fremmoede", activity.id)).into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            activity_view(&state, &permit, &id, None, FormErrors::one("code", m)).await
        }
        Err(e) => Err(e),
    }
}

/// Participants shown per page of the progress.
const PROGRESS_PER_PAGE: usize = 100;

async fn progress_page(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let tr = permit.tr();
    let page_number = crate::platform::web::page_number(&tr, q.side.as_deref())?;
    let programme = programme_of(&state, &id).await?;
    let org = crate::organisation::org_cache(&state).get(&state.db).await?;
    let all = progress(&state, &programme).await?;
    let pages = all.len().div_ceil(PROGRESS_PER_PAGE).max(1) as i64;
    let page_number = page_number.min(pages);
    let rows = all
        .iter()
        .skip((page_number as usize - 1) * PROGRESS_PER_PAGE)
        .take(PROGRESS_PER_PAGE)
        .map(|p| ProgressRowView {
            unit: p.unit.and_then(|u| org.unit(u)).map(|u| u.name.clone()).unwrap_or_default(),
            name: p.name.clone(),
            activities: p.activities,
            present: p.present,
            absent: p.absent,
            unrecorded: p.unrecorded,
        })
        .collect();
    Ok(render(&ProgressTemplate {
        page: permit.ctx.page(&state, tr.t1("progress-title", "programme", &programme.title), "programmes"),
        id: programme.id.to_string(),
        rows,
        page_number,
        pages,
        page_link: format!("/programmer/{}/fremmoede?side=", programme.id),
    }))
}

async fn completed_csv(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    completed_file(&state, &permit.ctx, &programme, false).await
}

async fn completed_xlsx(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    completed_file(&state, &permit.ctx, &programme, true).await
}
