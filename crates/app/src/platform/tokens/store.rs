//! All of the tokens area's SQL.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{ApiToken, IssuedToken};
use crate::on_db;
use crate::platform::accounts::{Account, hash_token, random_token};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};

/// The prefix that marks a Samskab API token (secret scanners can look for it).
pub const TOKEN_PREFIX: &str = "samskab_";

/// Makes a token for an account, with its audit entry in the same transaction. The token
/// is returned once; only its hash is kept.
pub async fn issue(
    db: &Db,
    municipality: Uuid,
    account: &Account,
    name: &str,
    entry: AuditEntry,
) -> sqlx::Result<IssuedToken> {
    let id = new_id();
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let now = Utc::now();
    let entry = entry
        .subject("account", account.id, &account.username)
        .fields([("token", serde_json::Value::from(id.to_string())), ("name", name.into())]);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("INSERT INTO api_token (id, account_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(account.id)
            .bind(name)
            .bind(hash_token(&token))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })?;
    Ok(IssuedToken { id, token })
}

/// Every token of the municipality's accounts, newest first.
pub async fn list(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<ApiToken>> {
    type Row = (Uuid, String, String, DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let rows: Vec<Row> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT t.id, a.username, t.name, t.created_at, t.last_used_at, t.revoked_at
             FROM api_token t JOIN account a ON a.id = t.account_id
             WHERE a.municipality_id = $1 ORDER BY t.created_at DESC, t.id DESC",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, username, name, created_at, last_used_at, revoked_at)| ApiToken {
            id,
            username,
            name,
            created_at,
            last_used_at,
            revoked_at,
        })
        .collect())
}

/// Revokes a token, with its audit entry. False when there is no such live token.
pub async fn revoke(db: &Db, municipality: Uuid, id: Uuid, entry: AuditEntry) -> sqlx::Result<bool> {
    let now = Utc::now();
    let entry = entry.fields([("token", serde_json::Value::from(id.to_string()))]);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL
             AND account_id IN (SELECT id FROM account WHERE municipality_id = $3)",
        )
        .bind(id)
        .bind(now)
        .bind(municipality)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// The live token with this hash: its id, its account, and when it was last used.
pub async fn account_for(db: &Db, token_hash: &str) -> sqlx::Result<Option<(Uuid, Account, Option<DateTime<Utc>>)>> {
    type Row = (Uuid, Option<DateTime<Utc>>, Uuid, Uuid, String, String, Option<Uuid>, bool, i64);
    let row: Option<Row> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT t.id, t.last_used_at, a.id, a.municipality_id, a.username, a.display_name, a.person_id, a.disabled,
                    a.session_version
             FROM api_token t JOIN account a ON a.id = t.account_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(
        |(token, last_used, id, municipality_id, username, display_name, person_id, disabled, session_version)| {
            (
                token,
                Account { id, municipality_id, username, display_name, person_id, disabled, session_version },
                last_used,
            )
        },
    ))
}

pub async fn touch(db: &Db, id: Uuid, now: DateTime<Utc>) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("UPDATE api_token SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ())
    })
}
