//! The workers: claim, run with heartbeats, finish; retry with back-off.

use std::time::Duration as StdDuration;

use chrono::Duration;

use super::{JobContext, JobKind, NewJob, SWEEP, store};
use crate::AppState;

/// How workers behave; tests shorten the times.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// How long a claim holds without a heartbeat: a killed worker's job waits this long.
    pub lease: Duration,
    /// How often a running job's lease is renewed and its progress written.
    pub heartbeat: StdDuration,
    /// How long an idle worker waits before it looks for work again.
    pub idle: StdDuration,
    /// How often the housekeeping job is scheduled.
    pub sweep_every: StdDuration,
}

impl Default for WorkerConfig {
    fn default() -> WorkerConfig {
        WorkerConfig {
            lease: Duration::seconds(60),
            heartbeat: StdDuration::from_secs(2),
            idle: StdDuration::from_secs(1),
            sweep_every: StdDuration::from_secs(3600),
        }
    }
}

/// The pause before retry number `attempt`: 10 s, doubling, at most an hour.
pub fn backoff(attempt: i64) -> Duration {
    let doublings = (attempt - 1).clamp(0, 12) as u32;
    Duration::seconds((10_i64 << doublings).min(3600))
}

/// Starts `count` workers for the given kinds, and the hourly housekeeping schedule.
pub fn spawn(
    state: AppState,
    kinds: Vec<&'static JobKind>,
    count: usize,
    config: WorkerConfig,
) -> Vec<tokio::task::JoinHandle<()>> {
    let mut handles = spawn_workers(state.clone(), kinds, count, config.clone());
    let schedule_state = state.clone();
    handles.push(tokio::spawn(async move {
        loop {
            let mut sweep = NewJob::new(SWEEP.kind, serde_json::json!({}));
            sweep.dedupe_key = Some(SWEEP.kind.to_string());
            if let Err(e) = store::enqueue(&schedule_state.db, schedule_state.municipality, &sweep).await {
                tracing::warn!(error = %e, "could not schedule the housekeeping job");
            }
            tokio::time::sleep(config.sweep_every).await;
        }
    }));
    handles
}

/// Starts `count` workers for the given kinds.
pub fn spawn_workers(
    state: AppState,
    kinds: Vec<&'static JobKind>,
    count: usize,
    config: WorkerConfig,
) -> Vec<tokio::task::JoinHandle<()>> {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    (0..count)
        .map(|i| {
            let name = format!("{host}:{}:{i}:{}", std::process::id(), uuid::Uuid::new_v4().simple());
            tokio::spawn(run_worker(state.clone(), kinds.clone(), name, config.clone()))
        })
        .collect()
}

/// Aborts the job's own task when the worker is stopped, as a killed process would.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn run_worker(state: AppState, kinds: Vec<&'static JobKind>, name: String, config: WorkerConfig) {
    let names: Vec<&str> = kinds.iter().map(|k| k.kind).collect();
    loop {
        match store::claim(&state.db, &name, &names, config.lease).await {
            Ok(Some(job)) => {
                let Some(kind) = kinds.iter().find(|k| k.kind == job.kind) else { continue };
                run_one(&state, kind, job, &name, &config).await;
            }
            Ok(None) => tokio::time::sleep(config.idle).await,
            Err(e) => {
                tracing::warn!(error = %e, "could not claim a job");
                tokio::time::sleep(config.idle).await;
            }
        }
    }
}

/// Runs one claimed job to its end, renewing the lease meanwhile. If the lease is lost
/// (this worker stalled and another took the job), the run is abandoned.
pub async fn run_one(state: &AppState, kind: &JobKind, job: super::Job, worker: &str, config: &WorkerConfig) {
    let id = job.id;
    let attempt = job.attempts;
    let ctx = JobContext::new(state.clone(), job);
    let mut run = AbortOnDrop(tokio::spawn((kind.run)(ctx.clone())));
    let mut beat = tokio::time::interval(config.heartbeat);
    beat.tick().await;
    let outcome = loop {
        tokio::select! {
            joined = &mut run.0 => {
                break match joined {
                    Ok(outcome) => outcome,
                    Err(e) => Err(format!("the job stopped: {e}")),
                };
            }
            _ = beat.tick() => {
                let progress = ctx.take_progress();
                match store::heartbeat(&state.db, id, worker, config.lease, progress.as_ref().map(|(p, m)| (*p, m.as_str()))).await {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(job = %id, "lost the job's lease; abandoning this run");
                        return;
                    }
                    Err(e) => tracing::warn!(job = %id, error = %e, "heartbeat failed"),
                }
            }
        }
    };
    if let Err(e) = &outcome {
        tracing::warn!(job = %id, kind = kind.kind, error = %e, "job failed");
    }
    if let Err(e) = store::finish(&state.db, id, worker, outcome, backoff(attempt)).await {
        tracing::error!(job = %id, error = %e, "could not record the job's end");
    }
}
