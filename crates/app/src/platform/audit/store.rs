//! All of the audit log's SQL.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::model::{AuditEntry, AuditEvent, AuditQuery};
use crate::on_db;
use crate::platform::db::{Db, new_id};

/// The most characters one field of an entry keeps; the rest is cut (marked with "…"), so
/// no request can make an entry large.
pub const MAX_FIELD_CHARS: usize = 500;
/// The most characters of an entry's details.
pub const MAX_DETAIL_CHARS: usize = 4000;
/// Entries about visitors who are not signed in, per address and window, before the rest are
/// summed up in one entry and not logged one by one.
pub const ANONYMOUS_ENTRIES_PER_WINDOW: i64 = 20;
pub const ANONYMOUS_WINDOW_MINUTES: i64 = 10;

fn capped(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_string(),
    }
}

/// Records `entry` inside an open transaction (or on a connection).
pub async fn record_in<'c, E, DB>(
    executor: E,
    municipality: Option<Uuid>,
    entry: &AuditEntry,
    at: DateTime<Utc>,
) -> sqlx::Result<()>
where
    E: sqlx::Executor<'c, Database = DB>,
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    Option<Uuid>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    DateTime<Utc>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
{
    sqlx::query(
        "INSERT INTO audit_event (id, municipality_id, at, actor_account_id, actor_name, action,
            subject_kind, subject_id, subject_label, detail, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new_id())
    .bind(municipality)
    .bind(at)
    .bind(entry.actor_account_id)
    .bind(capped(&entry.actor_name, MAX_FIELD_CHARS))
    .bind(capped(&entry.action, MAX_FIELD_CHARS))
    .bind(capped(&entry.subject_kind, MAX_FIELD_CHARS))
    .bind(capped(&entry.subject_id, MAX_FIELD_CHARS))
    .bind(capped(&entry.subject_label, MAX_FIELD_CHARS))
    .bind(capped(&entry.detail, MAX_DETAIL_CHARS))
    .bind(capped(&entry.ip, MAX_FIELD_CHARS))
    .execute(executor)
    .await?;
    Ok(())
}

/// Records `entry` on its own.
pub async fn record(db: &Db, municipality: Option<Uuid>, entry: &AuditEntry) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| record_in(p, municipality, entry, now).await)
}

/// Records an entry about a visitor who is not signed in, unless their address has had
/// [`ANONYMOUS_ENTRIES_PER_WINDOW`] entries in this window; the first one over the limit
/// becomes an `audit.suppressed` entry saying so. The count is one statement on both backends.
pub async fn record_anonymous(db: &Db, municipality: Option<Uuid>, entry: &AuditEntry) -> sqlx::Result<()> {
    let now = Utc::now();
    let window_start = now - chrono::Duration::minutes(ANONYMOUS_WINDOW_MINUTES);
    let key = format!("anonymous:{}", capped(&entry.ip, 100));
    let count: i64 = on_db!(db, |p| {
        sqlx::query_scalar(
            "INSERT INTO audit_rate (rate_key, window_start, entries) VALUES ($1, $2, 1)
             ON CONFLICT (rate_key) DO UPDATE SET
                 entries = CASE WHEN audit_rate.window_start < $3 THEN 1 ELSE audit_rate.entries + 1 END,
                 window_start = CASE WHEN audit_rate.window_start < $3 THEN $2 ELSE audit_rate.window_start END
             RETURNING entries",
        )
        .bind(&key)
        .bind(now)
        .bind(window_start)
        .fetch_one(p)
        .await
    })?;
    match count {
        n if n <= ANONYMOUS_ENTRIES_PER_WINDOW => record(db, municipality, entry).await,
        n if n == ANONYMOUS_ENTRIES_PER_WINDOW + 1 => {
            let mut summary = entry
                .clone()
                .fields([("limit", ANONYMOUS_ENTRIES_PER_WINDOW.into()), ("minutes", ANONYMOUS_WINDOW_MINUTES.into())]);
            summary.action = "audit.suppressed".into();
            summary.subject_kind = String::new();
            summary.subject_id = String::new();
            summary.subject_label = String::new();
            record(db, municipality, &summary).await
        }
        _ => Ok(()),
    }
}

/// Forgets the anonymous-entry counts of windows long past.
pub async fn sweep(db: &Db) -> sqlx::Result<()> {
    let before = Utc::now() - chrono::Duration::minutes(ANONYMOUS_WINDOW_MINUTES * 2);
    on_db!(db, |p| {
        sqlx::query("DELETE FROM audit_rate WHERE window_start < $1").bind(before).execute(p).await?;
        Ok(())
    })
}

/// Adds the query's conditions to a query on `audit_event`.
fn push_conditions<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, municipality: Uuid, query: &AuditQuery)
where
    for<'a> Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push(" FROM audit_event WHERE (municipality_id = ").push_bind(municipality).push(" OR municipality_id IS NULL)");
    if let Some(action) = &query.action {
        q.push(" AND action = ").push_bind(action.clone());
    }
    if let Some(from) = query.from {
        q.push(" AND at >= ").push_bind(from);
    }
    if let Some(to) = query.to {
        q.push(" AND at < ").push_bind(to);
    }
    if let Some(text) = &query.text {
        // Case-insensitive on both backends (SQLite's LIKE folds only ASCII; lower() on
        // both sides keeps the match the same for ASCII and exact for the rest).
        for word in text.split_whitespace().take(5) {
            let pattern =
                format!("%{}%", word.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            q.push(" AND (lower(actor_name) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(action) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(subject_label) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(subject_id) LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR lower(detail) LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\')");
        }
    }
}

/// Entries matching `query`, newest first.
pub async fn search(db: &Db, municipality: Uuid, query: &AuditQuery) -> sqlx::Result<Vec<AuditEvent>> {
    on_db!(db, |p| {
        let mut q =
            QueryBuilder::new("SELECT at, actor_name, action, subject_kind, subject_id, subject_label, detail, ip");
        push_conditions(&mut q, municipality, query);
        q.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(query.limit).push(" OFFSET ").push_bind(query.offset);
        q.build_query_as().fetch_all(p).await
    })
}

/// How many entries match `query` (its limit and offset aside).
pub async fn count(db: &Db, municipality: Uuid, query: &AuditQuery) -> sqlx::Result<i64> {
    on_db!(db, |p| {
        let mut q = QueryBuilder::new("SELECT CAST(COUNT(*) AS BIGINT)");
        push_conditions(&mut q, municipality, query);
        q.build_query_scalar().fetch_one(p).await
    })
}

/// The distinct actions recorded, for the search form.
pub async fn actions(db: &Db) -> sqlx::Result<Vec<String>> {
    on_db!(db, |p| sqlx::query_scalar("SELECT DISTINCT action FROM audit_event ORDER BY action").fetch_all(p).await)
}
