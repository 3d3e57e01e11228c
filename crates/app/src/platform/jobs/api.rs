//! A job in the JSON API: a client that started work follows it here.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::routes::visible_job;
use super::{ViewOwnJobs, actions};
use crate::AppState;
use crate::platform::api::{Problem, json};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{Permit, Result};

pub fn routes() -> Routes {
    Routes::new().get("/api/v1/jobs/{id}", Guard::Action(&actions::VIEW_OWN), get)
}

#[derive(OpenApi)]
#[openapi(paths(get), components(schemas(JobJson)))]
pub struct Api;

/// A background job: where it is, how far it has come, and its result or error.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct JobJson {
    pub id: Uuid,
    pub kind: String,
    /// queued, running, done or failed.
    pub state: String,
    /// 0.0–1.0.
    pub progress: f64,
    pub message: String,
    pub attempts: i64,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One job the caller started (administrators: any job).
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs", params(("id" = Uuid, Path)),
    responses((status = 200, body = JobJson), (status = 404, body = Problem)))]
async fn get(State(state): State<AppState>, permit: Permit<ViewOwnJobs>, Path(id): Path<String>) -> Result<Response> {
    let job = visible_job(&state, &permit, &id).await?;
    Ok(json(&JobJson {
        id: job.id,
        kind: job.kind,
        state: job.state.key().to_string(),
        progress: job.progress_permille as f64 / 1000.0,
        message: job.message,
        attempts: job.attempts,
        result: job.result,
        error: job.error,
        created_at: job.created_at,
        finished_at: job.finished_at,
    }))
}
