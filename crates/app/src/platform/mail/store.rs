//! All of the outbox's SQL.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::Outgoing;
use crate::on_db;
use crate::platform::db::{Db, WritePool, new_id};

/// Queues `messages` under `batch` inside the caller's write transaction.
pub async fn queue_in<C, DB>(
    conn: &mut C,
    municipality: Uuid,
    batch: &str,
    messages: &[Outgoing],
    now: DateTime<Utc>,
) -> sqlx::Result<()>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    DateTime<Utc>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
{
    for m in messages {
        sqlx::query(
            "INSERT INTO mail_outbox (id, municipality_id, recipient, subject, body, batch, created_at, next_attempt_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(new_id())
        .bind(municipality)
        .bind(m.to.as_str())
        .bind(m.subject.as_str())
        .bind(m.body.as_str())
        .bind(batch)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A message a sender holds.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i32,
}

/// Claims up to `limit` due messages until `until` (oldest first).
pub async fn claim(db: &Db, limit: i64, until: DateTime<Utc>) -> sqlx::Result<Vec<Claimed>> {
    let now = Utc::now();
    let rows: Vec<(Uuid, String, String, String, i32)> = on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
             ORDER BY next_attempt_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            // The condition again: on PostgreSQL another sender may have taken it meanwhile.
            let row: Option<(Uuid, String, String, String, i32)> = sqlx::query_as(
                "UPDATE mail_outbox SET next_attempt_at = $1
                 WHERE id = $2 AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $3
                 RETURNING id, recipient, subject, body, attempts",
            )
            .bind(until)
            .bind(id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            rows.extend(row);
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(rows)
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, recipient, subject, body, attempts)| Claimed { id, recipient, subject, body, attempts })
        .collect())
}

/// Sent: the body (which may hold a personal link) is emptied.
pub async fn mark_sent(db: &Db, id: Uuid, at: DateTime<Utc>) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("UPDATE mail_outbox SET sent_at = $1, body = '', last_error = NULL WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())
    })
}

/// Failed this time; tried again at `next`.
pub async fn retry(db: &Db, id: Uuid, attempts: i32, error: &str, next: DateTime<Utc>) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("UPDATE mail_outbox SET attempts = $1, last_error = $2, next_attempt_at = $3 WHERE id = $4")
            .bind(attempts)
            .bind(error)
            .bind(next)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())
    })
}

/// Failed for good: kept as failed, with its body emptied.
pub async fn give_up(db: &Db, id: Uuid, error: &str, at: DateTime<Utc>) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query(
            "UPDATE mail_outbox SET attempts = attempts + 1, failed_at = $1, last_error = $2, body = '' WHERE id = $3",
        )
        .bind(at)
        .bind(error)
        .bind(id)
        .execute(p)
        .await
        .map(|_| ())
    })
}

/// How a batch's delivery goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStatus {
    pub sent: i64,
    pub waiting: i64,
    pub failed: i64,
}

impl BatchStatus {
    pub fn total(&self) -> i64 {
        self.sent + self.waiting + self.failed
    }
}

/// Counts of a batch's messages by state.
pub async fn batch_status(db: &Db, municipality: Uuid, batch: &str) -> sqlx::Result<BatchStatus> {
    let (sent, failed, all): (i64, i64, i64) = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0),
                    COUNT(*)
             FROM mail_outbox WHERE municipality_id = $1 AND batch = $2",
        )
        .bind(municipality)
        .bind(batch)
        .fetch_one(p)
        .await
    })?;
    Ok(BatchStatus { sent, waiting: all - sent - failed, failed })
}

/// Forgets sent and given-up messages older than `days`.
pub async fn sweep(db: &Db, days: i64) -> sqlx::Result<u64> {
    on_db!(db, |p| {
        sqlx::query("DELETE FROM mail_outbox WHERE (sent_at IS NOT NULL OR failed_at IS NOT NULL) AND created_at < $1")
            .bind(Utc::now() - chrono::Duration::days(days))
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
}
