//! The jobs area's records.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn key(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    /// The Fluent id of the state's name.
    pub fn label_id(self) -> &'static str {
        match self {
            JobState::Queued => "job-state-queued",
            JobState::Running => "job-state-running",
            JobState::Done => "job-state-done",
            JobState::Failed => "job-state-failed",
        }
    }

    pub fn parse(s: &str) -> JobState {
        match s {
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ => JobState::Queued,
        }
    }

    pub fn finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }
}

/// A job as stored.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub kind: String,
    pub payload: serde_json::Value,
    pub state: JobState,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_after: DateTime<Utc>,
    pub progress_permille: i64,
    pub message: String,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Job {
    /// Where a finished job's result is shown: the page path its kind put in the result
    /// as `href` (only a path on this site).
    pub fn result_link(&self) -> Option<&str> {
        let href = self.result.as_ref()?.get("href")?.as_str()?;
        (self.state == JobState::Done && href.starts_with('/') && !href.starts_with("//")).then_some(href)
    }

    /// Progress in whole per cent.
    pub fn percent(&self) -> i64 {
        self.progress_permille / 10
    }
}

/// A job to add to the queue.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    /// At most one unfinished job per key; adding another is a no-op.
    pub dedupe_key: Option<String>,
    pub max_attempts: i64,
    pub created_by: Option<Uuid>,
    /// Not before this moment (none: at once), e.g. a deadline.
    pub run_after: Option<DateTime<Utc>>,
}

impl NewJob {
    pub fn new(kind: &'static str, payload: serde_json::Value) -> NewJob {
        NewJob { kind, payload, dedupe_key: None, max_attempts: 3, created_by: None, run_after: None }
    }
}
