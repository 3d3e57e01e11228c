//! All of the jobs area's SQL. Claiming takes the oldest ready job — queued and due, or
//! running with a lease that has passed (its worker died) — with `FOR UPDATE SKIP LOCKED`
//! on PostgreSQL, so parallel workers take different jobs, and inside `BEGIN IMMEDIATE` on
//! SQLite, where the write lock already makes it one at a time.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::model::{Job, JobState, NewJob};
use crate::on_db;
use crate::platform::db::{Db, WritePool, new_id};

const JOB_COLUMNS: &str = "id, municipality_id, kind, payload, state, attempts, max_attempts, run_after, \
     progress_permille, message, result, error, created_by, created_at, started_at, finished_at";

type JobRow = (
    Uuid,
    Uuid,
    String,
    String,
    String,
    i32,
    i32,
    DateTime<Utc>,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<Uuid>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

fn job(row: JobRow) -> Job {
    let (
        id,
        municipality_id,
        kind,
        payload,
        state,
        attempts,
        max_attempts,
        run_after,
        progress,
        message,
        result,
        error,
        created_by,
        created_at,
        started_at,
        finished_at,
    ) = row;
    Job {
        id,
        municipality_id,
        kind,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        state: JobState::parse(&state),
        attempts: attempts.into(),
        max_attempts: max_attempts.into(),
        run_after,
        progress_permille: progress.into(),
        message,
        result: result.and_then(|r| serde_json::from_str(&r).ok()),
        error,
        created_by,
        created_at,
        started_at,
        finished_at,
    }
}

/// Adds a job; with a dedupe key that an unfinished job already holds, adds nothing and
/// returns that job's id.
pub async fn enqueue(db: &Db, municipality: Uuid, new: &NewJob) -> sqlx::Result<Uuid> {
    let id = new_id();
    let now = Utc::now();
    let payload = new.payload.to_string();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        if let Some(key) = &new.dedupe_key {
            let existing: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM job WHERE dedupe_key = $1 AND state IN ('queued', 'running')")
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some(existing) = existing {
                return Ok(existing);
            }
        }
        sqlx::query(
            "INSERT INTO job (id, municipality_id, kind, payload, state, dedupe_key, max_attempts, run_after, created_by, created_at)
             VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(municipality)
        .bind(new.kind)
        .bind(&payload)
        .bind(&new.dedupe_key)
        .bind(new.max_attempts as i32)
        .bind(new.run_after.unwrap_or(now))
        .bind(new.created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Claims the next ready job among `kinds` for `worker`, holding it for `lease`.
pub async fn claim(db: &Db, worker: &str, kinds: &[&str], lease: Duration) -> sqlx::Result<Option<Job>> {
    let now = Utc::now();
    if kinds.is_empty() {
        return Ok(None);
    }
    let kinds = serde_json::to_string(kinds).unwrap_or_else(|_| "[]".into());
    let ready = "((state = 'queued' AND run_after <= $1) OR (state = 'running' AND lease_until < $1))";
    let update = "UPDATE job SET state = 'running', lease_until = $2, worker = $3, attempts = attempts + 1,
                  started_at = COALESCE(started_at, $1), progress_permille = 0, message = ''";
    match db {
        Db::Postgres(p) => {
            let sql = format!(
                "{update} WHERE id = (SELECT id FROM job WHERE {ready}
                     AND kind IN (SELECT jsonb_array_elements_text($4::jsonb))
                     ORDER BY run_after LIMIT 1 FOR UPDATE SKIP LOCKED)
                 RETURNING {JOB_COLUMNS}"
            );
            let row: Option<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .bind(now + lease)
                .bind(worker)
                .bind(&kinds)
                .fetch_optional(p)
                .await?;
            Ok(row.map(job))
        }
        Db::Sqlite(p) => {
            let sql = format!(
                "{update} WHERE id = (SELECT id FROM job WHERE {ready}
                     AND kind IN (SELECT value FROM json_each($4))
                     ORDER BY run_after LIMIT 1)
                 RETURNING {JOB_COLUMNS}"
            );
            let mut tx = p.begin_write().await?;
            let row: Option<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .bind(now + lease)
                .bind(worker)
                .bind(&kinds)
                .fetch_optional(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(row.map(job))
        }
    }
}

/// Renews a lease and writes progress. False when the job is no longer this worker's (its
/// lease passed and another worker took it): the worker must stop.
pub async fn heartbeat(
    db: &Db,
    id: Uuid,
    worker: &str,
    lease: Duration,
    progress: Option<(i64, &str)>,
) -> sqlx::Result<bool> {
    let now = Utc::now();
    let (permille, message) = match progress {
        Some((p, m)) => (Some(p.clamp(0, 1000) as i32), Some(m.to_string())),
        None => (None, None),
    };
    let n = on_db!(db, |p| {
        sqlx::query(
            "UPDATE job SET lease_until = $3, progress_permille = COALESCE($4, progress_permille),
                 message = COALESCE($5, message)
             WHERE id = $1 AND worker = $2 AND state = 'running'",
        )
        .bind(id)
        .bind(worker)
        .bind(now + lease)
        .bind(permille)
        .bind(message)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Ends a run: done with a result, or an error that is retried after `retry_after` while
/// attempts remain, else failed. Only the worker holding the job can end it.
pub async fn finish(
    db: &Db,
    id: Uuid,
    worker: &str,
    outcome: Result<serde_json::Value, String>,
    retry_after: Duration,
) -> sqlx::Result<bool> {
    let now = Utc::now();
    let n = on_db!(db, |p| {
        let q = match &outcome {
            Ok(result) => sqlx::query(
                "UPDATE job SET state = 'done', result = $3, error = NULL, progress_permille = 1000,
                     finished_at = $4, lease_until = NULL
                 WHERE id = $1 AND worker = $2 AND state = 'running'",
            )
            .bind(id)
            .bind(worker)
            .bind(result.to_string())
            .bind(now),
            Err(error) => sqlx::query(
                "UPDATE job SET error = $3, lease_until = NULL,
                     state = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
                     run_after = CASE WHEN attempts < max_attempts THEN $5 ELSE run_after END,
                     finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE $4 END
                 WHERE id = $1 AND worker = $2 AND state = 'running'",
            )
            .bind(id)
            .bind(worker)
            .bind(error)
            .bind(now)
            .bind(now + retry_after),
        };
        q.execute(p).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn get(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Job>> {
    let row: Option<JobRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM job WHERE id = $1 AND municipality_id = $2"
        )))
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(job))
}

/// The newest jobs first: `limit` from `offset`, and how many there are.
pub async fn list(db: &Db, municipality: Uuid, limit: i64, offset: i64) -> sqlx::Result<(Vec<Job>, i64)> {
    on_db!(db, |p| {
        let rows: Vec<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {JOB_COLUMNS} FROM job WHERE municipality_id = $1 ORDER BY created_at DESC, id DESC
             LIMIT $2 OFFSET $3"
        )))
        .bind(municipality)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM job WHERE municipality_id = $1")
            .bind(municipality)
            .fetch_one(p)
            .await?;
        Ok((rows.into_iter().map(job).collect(), total))
    })
}

/// Removes finished jobs older than `days`.
pub async fn sweep(db: &Db, days: i64) -> sqlx::Result<u64> {
    let before = Utc::now() - Duration::days(days);
    on_db!(db, |p| {
        sqlx::query("DELETE FROM job WHERE state IN ('done', 'failed') AND finished_at < $1")
            .bind(before)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
}
