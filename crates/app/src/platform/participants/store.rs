//! All of the participants area's SQL: passes and rate limits.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::model::{Pass, PassKind};
use crate::on_db;
use crate::platform::accounts::hash_token;
use crate::platform::db::{Db, new_id};
use crate::platform::permissions::{ObjectKind, ObjectRef, intern_kind};

/// Stores a pass for `object` whose secret hashes to `secret_hash`. False when the secret
/// is taken (a workshop code in use): pick another.
pub async fn insert_pass(
    db: &Db,
    municipality: Uuid,
    kind: PassKind,
    object: ObjectRef,
    secret: &str,
    expires_at: Option<DateTime<Utc>>,
) -> sqlx::Result<Option<Uuid>> {
    let id = new_id();
    let n = on_db!(db, |p| {
        sqlx::query(
            "INSERT INTO participant_pass (id, municipality_id, kind, object_kind, object_id, secret_hash, expires_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (secret_hash) DO NOTHING",
        )
        .bind(id)
        .bind(municipality)
        .bind(kind.key())
        .bind(object.kind.0)
        .bind(object.id)
        .bind(hash_token(secret))
        .bind(expires_at)
        .bind(Utc::now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok((n == 1).then_some(id))
}

/// Stores a personal link's pass inside the caller's write transaction, with the unit and
/// role it was sent to (or none). The secret is a fresh random token (244 bits), so it
/// cannot be taken.
#[allow(clippy::too_many_arguments)]
pub async fn insert_link_in<C, DB>(
    conn: &mut C,
    municipality: Uuid,
    object: ObjectRef,
    secret: &str,
    unit: Option<Uuid>,
    role: Option<&str>,
    now: DateTime<Utc>,
) -> sqlx::Result<()>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    Option<Uuid>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    for<'q> Option<&'q str>: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    DateTime<Utc>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
{
    sqlx::query(
        "INSERT INTO participant_pass (id, municipality_id, kind, object_kind, object_id, secret_hash, unit_id, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    // A random id, not a time-ordered one: the order of links says nothing.
    .bind(Uuid::new_v4())
    .bind(municipality)
    .bind(PassKind::Link.key())
    .bind(object.kind.0)
    .bind(object.id)
    .bind(hash_token(secret))
    .bind(unit)
    .bind(role)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The live pass with this secret in the municipality (not expired, not revoked).
pub async fn pass(db: &Db, municipality: Uuid, secret: &str) -> sqlx::Result<Option<Pass>> {
    let row: Option<(Uuid, String, String, Uuid, Option<Uuid>, Option<String>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, kind, object_kind, object_id, unit_id, role FROM participant_pass
             WHERE secret_hash = $1 AND municipality_id = $2 AND revoked_at IS NULL
               AND (expires_at IS NULL OR expires_at > $3)",
        )
        .bind(hash_token(secret))
        .bind(municipality)
        .bind(Utc::now())
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(|(id, kind, object_kind, object_id, unit, role)| Pass {
        id,
        kind: if kind == "code" { PassKind::Code } else { PassKind::Link },
        object: ObjectRef { kind: ObjectKind(intern_kind(&object_kind)), id: object_id },
        unit,
        role,
    }))
}

/// Ends every pass of an object (the process closed).
pub async fn revoke_for(db: &Db, municipality: Uuid, object: ObjectRef) -> sqlx::Result<u64> {
    on_db!(db, |p| {
        sqlx::query(
            "UPDATE participant_pass SET revoked_at = $4
             WHERE municipality_id = $1 AND object_kind = $2 AND object_id = $3 AND revoked_at IS NULL",
        )
        .bind(municipality)
        .bind(object.kind.0)
        .bind(object.id)
        .bind(Utc::now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
}

/// The hits `key` has in its current window, without counting one.
pub async fn hits(db: &Db, key: &str, window: Duration) -> sqlx::Result<i64> {
    let hits: Option<i32> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT hits FROM rate_limit WHERE limit_key = $1 AND window_start > $2")
            .bind(key)
            .bind(Utc::now() - window)
            .fetch_optional(p)
            .await
    })?;
    Ok(hits.unwrap_or(0).into())
}

/// Counts one hit for `key` in a fixed window and answers how many hits the window has
/// now — one statement, so parallel hits are all counted on both backends.
pub async fn hit(db: &Db, key: &str, window: Duration) -> sqlx::Result<i64> {
    let now = Utc::now();
    let hits: i32 = on_db!(db, |p| {
        sqlx::query_scalar(
            "INSERT INTO rate_limit (limit_key, window_start, hits) VALUES ($1, $2, 1)
             ON CONFLICT (limit_key) DO UPDATE SET
                 hits = CASE WHEN rate_limit.window_start <= $3 THEN 1 ELSE rate_limit.hits + 1 END,
                 window_start = CASE WHEN rate_limit.window_start <= $3 THEN $2 ELSE rate_limit.window_start END
             RETURNING hits",
        )
        .bind(key)
        .bind(now)
        .bind(now - window)
        .fetch_one(p)
        .await
    })?;
    Ok(hits.into())
}

/// [`hit`] inside a module's write transaction: the write and its count commit together.
pub async fn hit_in<C, DB>(conn: &mut C, key: &str, window: Duration) -> sqlx::Result<i64>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    DateTime<Utc>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    i32: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    (i32,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let now = Utc::now();
    let (hits,): (i32,) = sqlx::query_as(
        "INSERT INTO rate_limit (limit_key, window_start, hits) VALUES ($1, $2, 1)
         ON CONFLICT (limit_key) DO UPDATE SET
             hits = CASE WHEN rate_limit.window_start <= $3 THEN 1 ELSE rate_limit.hits + 1 END,
             window_start = CASE WHEN rate_limit.window_start <= $3 THEN $2 ELSE rate_limit.window_start END
         RETURNING hits",
    )
    .bind(key)
    .bind(now)
    .bind(now - window)
    .fetch_one(&mut *conn)
    .await?;
    Ok(hits.into())
}

/// Forgets windows that have long passed.
pub async fn sweep(db: &Db) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("DELETE FROM rate_limit WHERE window_start < $1")
            .bind(Utc::now() - Duration::days(1))
            .execute(p)
            .await
            .map(|_| ())
    })
}
