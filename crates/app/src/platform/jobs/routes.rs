//! The jobs pages: the administrator's list, and one job's page with its progress.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::model::Job;
use super::views::*;
use super::{ViewAllJobs, ViewOwnJobs, actions, store};
use crate::AppState;
use crate::platform::layout::render;
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, Permit, Result, page_number};

pub fn routes() -> Routes {
    Routes::new()
        .get("/admin/jobber", Guard::Action(&actions::VIEW_ALL), list)
        .get("/jobber/{id}", Guard::Action(&actions::VIEW_OWN), job_page)
        .get("/jobber/{id}/status", Guard::Action(&actions::VIEW_OWN), job_progress)
}

#[derive(Deserialize)]
struct PageQuery {
    side: Option<String>,
}

const JOB_PAGE: i64 = 50;

async fn list(
    State(state): State<AppState>,
    permit: Permit<ViewAllJobs>,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let page_number = page_number(&tr, q.side.as_deref())?;
    let (jobs, total) = store::list(&state.db, state.municipality, JOB_PAGE, (page_number - 1) * JOB_PAGE).await?;
    Ok(render(&JobListTemplate {
        page: permit.ctx.page(&state, tr.t("jobs-title"), "jobs"),
        jobs,
        total,
        page_number,
        pages: ((total + JOB_PAGE - 1) / JOB_PAGE).max(1),
        page_link: "/admin/jobber?side=".into(),
    }))
}

/// A job its starter may follow, as may those who see all jobs; to others it does not
/// exist (404, so ids reveal nothing).
pub async fn visible_job(state: &AppState, permit: &Permit<ViewOwnJobs>, id: &str) -> Result<Job> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let job = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let own = job.created_by == Some(permit.user.account.id);
    if own || permit.may(actions::VIEW_ALL.anywhere()) { Ok(job) } else { Err(AppError::NotFound) }
}

async fn job_page(
    State(state): State<AppState>,
    permit: Permit<ViewOwnJobs>,
    Path(id): Path<String>,
) -> Result<Response> {
    let job = visible_job(&state, &permit, &id).await?;
    let title = permit.tr().t1("job-title", "kind", job_label(&permit.tr(), &job.kind));
    Ok(render(&JobTemplate { page: permit.ctx.page(&state, title, "jobs"), job }))
}

async fn job_progress(
    State(state): State<AppState>,
    permit: Permit<ViewOwnJobs>,
    Path(id): Path<String>,
) -> Result<Response> {
    let job = visible_job(&state, &permit, &id).await?;
    Ok(render(&ProgressTemplate { tr: permit.tr(), job }))
}

/// A job kind's name in the reader's language (`platform.sweep` → `job-kind-platform-sweep`).
pub fn job_label(tr: &crate::platform::i18n::Tr, kind: &str) -> String {
    tr.find(&format!("job-kind-{}", kind.replace(['.', '_'], "-"))).unwrap_or_else(|| kind.to_string())
}
