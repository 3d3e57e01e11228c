//! Background jobs: a `job` table and workers in the serving process. Modules declare
//! their job kinds ([`JobKind`], in their `Module`); a handler adds a job with
//! [`store::enqueue`] and links to its page, which shows a progress bar.
//!
//! A worker claims a job with a lease and renews it while the job runs (heartbeat, with
//! the progress); a job whose worker was killed is claimed again when its lease has
//! passed. A run that fails is retried after a growing pause while attempts remain. A job
//! may so run more than once (never at the same time): its kind must make its effect
//! idempotent, e.g. by writing under the job id.

pub mod api;
pub mod model;
pub mod routes;
pub mod store;
pub mod views;
pub mod worker;

use std::sync::{Arc, Mutex};

pub use model::{Job, JobState, NewJob};

use crate::AppState;
use crate::platform::module::{BoxFuture, Module, NavEntry, no_start};
use crate::platform::permissions::{ActionDef, EVERYONE, Role};

pub mod actions {
    use super::*;

    /// See every job of the municipality (the administrator's list).
    pub static VIEW_ALL: ActionDef = ActionDef { key: "jobs.view_all", roles: &[Role::Administrator] };
    /// See the progress of one's own jobs.
    pub static VIEW_OWN: ActionDef = ActionDef { key: "jobs.view_own", roles: EVERYONE };
}

crate::policy!(pub ViewAllJobs = actions::VIEW_ALL);
crate::policy!(pub ViewOwnJobs = actions::VIEW_OWN);

/// A kind of job: its stable name and what runs it. The run reports progress through the
/// [`JobContext`] and ends with a JSON result or an error message.
pub struct JobKind {
    pub kind: &'static str,
    pub run: fn(JobContext) -> BoxFuture<'static, Result<serde_json::Value, String>>,
}

/// What a running job has: the app, its record, and a way to report progress.
#[derive(Clone)]
pub struct JobContext {
    pub state: AppState,
    pub job: Job,
    progress: Arc<Mutex<Option<(i64, String)>>>,
}

impl JobContext {
    pub fn new(state: AppState, job: Job) -> JobContext {
        JobContext { state, job, progress: Arc::new(Mutex::new(None)) }
    }

    /// Reports the share done (0.0–1.0) and what is happening; the worker writes it with
    /// its next heartbeat.
    pub fn progress(&self, share: f64, message: impl Into<String>) {
        let permille = (share.clamp(0.0, 1.0) * 1000.0).round() as i64;
        if let Ok(mut p) = self.progress.lock() {
            *p = Some((permille, message.into()));
        }
    }

    fn take_progress(&self) -> Option<(i64, String)> {
        self.progress.lock().ok().and_then(|mut p| p.take())
    }
}

/// Every job kind of every module.
pub fn kinds() -> Vec<&'static JobKind> {
    crate::MODULES.iter().flat_map(|m| m.jobs.iter().copied()).collect()
}

/// The platform's housekeeping: expired sessions, old login attempts, audit and
/// participant rate windows, finished jobs and sent e-mail older than 30 days. Scheduled hourly by the workers.
pub static SWEEP: JobKind = JobKind { kind: "platform.sweep", run: sweep };

/// Finished jobs are kept this long.
pub const KEEP_FINISHED_DAYS: i64 = 30;

fn sweep(ctx: JobContext) -> BoxFuture<'static, Result<serde_json::Value, String>> {
    Box::pin(async move {
        let db = &ctx.state.db;
        crate::platform::accounts::sweep(db).await.map_err(|e| e.to_string())?;
        ctx.progress(0.4, "sessions");
        crate::platform::audit::sweep(db).await.map_err(|e| e.to_string())?;
        crate::platform::participants::store::sweep(db).await.map_err(|e| e.to_string())?;
        ctx.progress(0.7, "audit");
        let jobs = store::sweep(db, KEEP_FINISHED_DAYS).await.map_err(|e| e.to_string())?;
        let mails = crate::platform::mail::store::sweep(db, KEEP_FINISHED_DAYS).await.map_err(|e| e.to_string())?;
        Ok(serde_json::json!({ "finished_jobs_removed": jobs, "sent_mail_removed": mails }))
    })
}

pub static MODULE: Module = Module {
    name: "jobs",
    routes: || routes::routes().merge(api::routes()),
    nav: &[NavEntry { href: "/admin/jobber", label: "nav-jobs", section: "jobs", action: &actions::VIEW_ALL }],
    locales: (include_str!("../../../locales/da/jobs.ftl"), include_str!("../../../locales/en/jobs.ftl")),
    actions: &[&actions::VIEW_ALL, &actions::VIEW_OWN],
    start: no_start,
    home: None,
    code_door: None,
    audit_links: &[],
    jobs: &[&SWEEP],
    openapi: Some(<api::Api as utoipa::OpenApi>::openapi),
};
