//! All of the accounts area's SQL: accounts and their grants, sessions, login throttling.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::model::{Account, Claim, LoginClaim, StoredGrant, StoredSession};
use super::{
    CLAIM_SECONDS, FORGET_AFTER_HOURS, FREE_FAILURES_PER_ADDRESS, FREE_FAILURES_PER_PAIR, SESSION_HOURS, hash_password,
    hash_token, normalise_username, random_token, wait_after,
};
use crate::on_db;
use crate::platform::db::{Db, WritePool, new_id};
use crate::platform::permissions::{ObjectKind, ObjectRef, Role, intern_kind};

/// Gives `account` a municipality-wide allow grant of each role, inside the caller's
/// transaction; local and OIDC accounts both get their roles this way.
async fn allow_roles_in<C, DB>(conn: &mut C, account: Uuid, roles: &[Role], now: DateTime<Utc>) -> sqlx::Result<()>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    DateTime<Utc>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
{
    for role in roles {
        sqlx::query(
            "INSERT INTO role_grant (id, account_id, role, scope_unit_id, effect, created_at)
             VALUES ($1, $2, $3, NULL, 'allow', $4)",
        )
        .bind(new_id())
        .bind(account)
        .bind(role.key())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const ACCOUNT_COLUMNS: &str = "id, municipality_id, username, display_name, person_id, disabled, session_version";

/// Finds an account and its password hash by username (case-insensitive).
pub async fn account_for_login(db: &Db, username: &str) -> sqlx::Result<Option<(Account, Option<String>)>> {
    let username = normalise_username(username);
    let row: Option<(Uuid, Uuid, String, String, Option<Uuid>, bool, i64, Option<String>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, municipality_id, username, display_name, person_id, disabled, session_version, password_hash
             FROM account WHERE username = $1",
        )
        .bind(&username)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(|(id, municipality_id, username, display_name, person_id, disabled, session_version, hash)| {
        (Account { id, municipality_id, username, display_name, person_id, disabled, session_version }, hash)
    }))
}

/// Creates an account with a role (scope: the whole municipality, or for a leader the
/// units their person leads). Returns its id.
pub async fn create_account(
    db: &Db,
    municipality: Uuid,
    username: &str,
    display_name: &str,
    password: &str,
    person: Option<Uuid>,
    roles: &[Role],
) -> anyhow::Result<Uuid> {
    let hash = hash_password(password.to_string()).await?;
    let id = new_id();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO account (id, municipality_id, username, display_name, password_hash, person_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(municipality)
        .bind(normalise_username(username))
        .bind(display_name)
        .bind(hash)
        .bind(person)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        allow_roles_in(&mut *tx, id, roles, now).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(id)
}

/// Creates or updates the account of an OIDC identity, with its roles; `person` is the
/// person to link (only when the provider verified the e-mail address).
pub async fn upsert_oidc_account(
    db: &Db,
    municipality: Uuid,
    id: &super::oidc::Identity,
    person: Option<Uuid>,
) -> anyhow::Result<(Account, bool)> {
    let existing: Option<Uuid> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT id FROM account WHERE oidc_issuer = $1 AND oidc_subject = $2")
            .bind(&id.issuer)
            .bind(&id.subject)
            .fetch_optional(p)
            .await
    })?;
    let now = Utc::now();
    let created = existing.is_none();
    let account_id = existing.unwrap_or_else(new_id);
    // A local account may already use the name; never take it over, pick a distinct one.
    let mut username = id.username.clone();
    if created && let Some((other, _)) = account_for_login(db, &username).await? {
        username = format!("{}-{}", other.username, &hash_token(&format!("{}|{}", id.issuer, id.subject))[..6]);
    }
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        if created {
            sqlx::query(
                "INSERT INTO account (id, municipality_id, username, display_name, password_hash, person_id, oidc_issuer, oidc_subject, created_at)
                 VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8)",
            )
            .bind(account_id)
            .bind(municipality)
            .bind(&username)
            .bind(&id.name)
            .bind(person)
            .bind(&id.issuer)
            .bind(&id.subject)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("UPDATE account SET display_name = $1, person_id = COALESCE(person_id, $2) WHERE id = $3")
                .bind(&id.name)
                .bind(person)
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM role_grant WHERE account_id = $1 AND effect = 'allow'")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        allow_roles_in(&mut *tx, account_id, &id.roles, now).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    let account = account(db, account_id).await?.ok_or_else(|| anyhow::anyhow!("account vanished"))?;
    Ok((account, created))
}

/// Starts a session; returns the cookie token (only its hash is stored).
pub async fn create_session(db: &Db, account: &Account) -> sqlx::Result<String> {
    let token = random_token();
    let now = Utc::now();
    on_db!(db, |p| {
        sqlx::query(
            "INSERT INTO session (token_hash, account_id, csrf_token, session_version, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hash_token(&token))
        .bind(account.id)
        .bind(random_token())
        .bind(account.session_version)
        .bind(now)
        .bind(now + Duration::hours(SESSION_HOURS))
        .execute(p)
        .await
        .map(|_| ())
    })?;
    Ok(token)
}

pub async fn delete_session(db: &Db, token_hash: &str) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("DELETE FROM session WHERE token_hash = $1").bind(token_hash).execute(p).await?;
        Ok(())
    })
}

/// Removes expired sessions and old login attempts.
pub async fn sweep(db: &Db) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        sqlx::query("DELETE FROM session WHERE expires_at <= $1").bind(now).execute(p).await?;
        sqlx::query("DELETE FROM login_attempt WHERE at < $1").bind(now - Duration::days(1)).execute(p).await?;
        sqlx::query("DELETE FROM login_throttle WHERE updated_at < $1 AND blocked_until < $2")
            .bind(now - Duration::days(1))
            .bind(now)
            .execute(p)
            .await?;
        Ok(())
    })
}

/// Claims one password check for (`username`, `ip`). One statement per key sets the key's
/// `blocked_until` to a short hold only if it has passed, so of many parallel tries for a
/// pair exactly one gets to check a password; the others are refused without a check. The
/// pair, not the account, is throttled: nobody can lock another person out from elsewhere.
pub async fn claim_login(db: &Db, username: &str, ip: &str) -> sqlx::Result<Claim> {
    let now = Utc::now();
    let pair = format!("pair:{}|{ip}", normalise_username(username));
    let address = format!("address:{ip}");
    // The address is checked, not held: an office behind one address logs in in parallel.
    if let Some(wait) = blocked_for(db, &address, now).await? {
        return Ok(Claim::Wait(wait));
    }
    let forget = now - Duration::hours(FORGET_AFTER_HOURS);
    let held_until = now + Duration::seconds(CLAIM_SECONDS);
    let failures: Option<i64> = on_db!(db, |p| {
        sqlx::query_scalar(
            "INSERT INTO login_throttle (throttle_key, failures, blocked_until, updated_at) VALUES ($1, 0, $2, $3)
             ON CONFLICT (throttle_key) DO UPDATE SET
                 failures = CASE WHEN login_throttle.updated_at < $4 THEN 0 ELSE login_throttle.failures END,
                 blocked_until = $2, updated_at = $3
             WHERE login_throttle.blocked_until <= $3
             RETURNING failures",
        )
        .bind(&pair)
        .bind(held_until)
        .bind(now)
        .bind(forget)
        .fetch_optional(p)
        .await
    })?;
    match failures {
        Some(failures) => Ok(Claim::Granted(LoginClaim { pair, address, failures })),
        None => Ok(Claim::Wait(blocked_for(db, &pair, now).await?.unwrap_or(1))),
    }
}

/// Seconds until `key` may try again, if it must wait.
async fn blocked_for(db: &Db, key: &str, now: DateTime<Utc>) -> sqlx::Result<Option<i64>> {
    let until: Option<DateTime<Utc>> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT blocked_until FROM login_throttle WHERE throttle_key = $1")
            .bind(key)
            .fetch_optional(p)
            .await
    })?;
    Ok(until.filter(|u| *u > now).map(|u| ((u - now).num_milliseconds() + 999) / 1000))
}

/// Ends a claimed login: a success forgets the pair's failures; a failure counts for the
/// pair and the address and sets the wait before the pair's next try.
pub async fn finish_login(db: &Db, claim: LoginClaim, succeeded: bool) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        if succeeded {
            sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1").bind(&claim.pair).execute(p).await?;
            return Ok(());
        }
        let failures = claim.failures + 1;
        sqlx::query(
            "UPDATE login_throttle SET failures = $2, blocked_until = $3, updated_at = $4 WHERE throttle_key = $1",
        )
        .bind(&claim.pair)
        .bind(failures)
        .bind(now + Duration::seconds(wait_after(failures, FREE_FAILURES_PER_PAIR)))
        .bind(now)
        .execute(p)
        .await?;
        // The address: one more failure, and a wait once there are many.
        let forget = now - Duration::hours(FORGET_AFTER_HOURS);
        let address_failures: i64 = sqlx::query_scalar(
            "INSERT INTO login_throttle (throttle_key, failures, blocked_until, updated_at) VALUES ($1, 1, $2, $2)
             ON CONFLICT (throttle_key) DO UPDATE SET
                 failures = CASE WHEN login_throttle.updated_at < $3 THEN 1 ELSE login_throttle.failures + 1 END,
                 updated_at = $2
             RETURNING failures",
        )
        .bind(&claim.address)
        .bind(now)
        .bind(forget)
        .fetch_one(p)
        .await?;
        let wait = wait_after(address_failures, FREE_FAILURES_PER_ADDRESS);
        if wait > 0 {
            sqlx::query("UPDATE login_throttle SET blocked_until = $2 WHERE throttle_key = $1")
                .bind(&claim.address)
                .bind(now + Duration::seconds(wait))
                .execute(p)
                .await?;
        }
        Ok(())
    })
}

/// Sets a new password and ends all the account's sessions. Returns the new session
/// version, with which the caller starts a fresh session.
pub async fn change_password(db: &Db, account: Uuid, new_password: &str) -> anyhow::Result<()> {
    let hash = hash_password(new_password.to_string()).await?;
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE account SET password_hash = $1, session_version = session_version + 1 WHERE id = $2")
            .bind(hash)
            .bind(account)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM session WHERE account_id = $1").bind(account).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// Reloads an account (after a password change).
pub async fn account(db: &Db, id: Uuid) -> sqlx::Result<Option<Account>> {
    on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE id = $1")))
            .bind(id)
            .fetch_optional(p)
            .await
    })
}

pub async fn account_count(db: &Db) -> sqlx::Result<i64> {
    on_db!(db, |p| sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM account").fetch_one(p).await)
}

/// A session and its account, by the hash of its token.
pub async fn session(db: &Db, token_hash: &str) -> sqlx::Result<Option<StoredSession>> {
    type Row = (String, i64, DateTime<Utc>, DateTime<Utc>, Uuid, Uuid, String, String, Option<Uuid>, bool, i64);
    let row: Option<Row> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT s.csrf_token, s.session_version, s.expires_at, COALESCE(s.last_seen_at, s.created_at),
                    a.id, a.municipality_id, a.username, a.display_name, a.person_id, a.disabled, a.session_version
             FROM session s JOIN account a ON a.id = s.account_id WHERE s.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(
        |(
            csrf_token,
            session_version,
            expires_at,
            last_seen,
            id,
            municipality_id,
            username,
            display_name,
            person_id,
            disabled,
            current,
        )| {
            StoredSession {
                csrf_token,
                session_version,
                expires_at,
                last_seen,
                account: Account {
                    id,
                    municipality_id,
                    username,
                    display_name,
                    person_id,
                    disabled,
                    session_version: current,
                },
            }
        },
    ))
}

/// Marks a session as used now.
pub async fn touch_session(db: &Db, token_hash: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("UPDATE session SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(p)
            .await
            .map(|_| ())
    })
}

/// An account's grants in the order they were given.
pub async fn grants(db: &Db, account: Uuid) -> sqlx::Result<Vec<StoredGrant>> {
    let rows: Vec<(String, Option<Uuid>, Option<String>, Option<Uuid>, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT role, scope_unit_id, scope_object_kind, scope_object_id, effect
             FROM role_grant WHERE account_id = $1 ORDER BY created_at",
        )
        .bind(account)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(role, scope_unit, kind, object, effect)| StoredGrant {
            role,
            scope_unit,
            // The kind is stored as text; it is matched against the module's own constant.
            scope_object: match (kind, object) {
                (Some(kind), Some(id)) => Some(ObjectRef { kind: ObjectKind(intern_kind(&kind)), id }),
                _ => None,
            },
            deny: effect == "deny",
        })
        .collect())
}

/// Gives an account a role on one object ("facilitator of this process").
pub async fn grant_on_object(db: &Db, account: Uuid, role: Role, object: ObjectRef) -> sqlx::Result<()> {
    on_db!(db, |p| {
        let mut conn = p.acquire().await?;
        grant_on_object_in(&mut *conn, account, role, object, Utc::now()).await
    })
}

/// [`grant_on_object`] inside a module's write transaction, with the object it makes.
pub async fn grant_on_object_in<C, DB>(
    conn: &mut C,
    account: Uuid,
    role: Role,
    object: ObjectRef,
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
    sqlx::query(
        "INSERT INTO role_grant (id, account_id, role, scope_unit_id, scope_object_kind, scope_object_id, effect, created_at)
         VALUES ($1, $2, $3, NULL, $4, $5, 'allow', $6)",
    )
    .bind(new_id())
    .bind(account)
    .bind(role.key())
    .bind(object.kind.0)
    .bind(object.id)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

/// Gives every account of a person a role on one object ("member of this learning group")
/// inside a module's write transaction; a person without an account gets nothing now and
/// is a member by the module's own list. Evaluates to the number of accounts.
pub async fn grant_person_on_object_in<C, DB>(
    conn: &mut C,
    person: Uuid,
    role: Role,
    object: ObjectRef,
    now: DateTime<Utc>,
) -> sqlx::Result<usize>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    DateTime<Utc>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    (Uuid,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let accounts: Vec<(Uuid,)> =
        sqlx::query_as("SELECT id FROM account WHERE person_id = $1").bind(person).fetch_all(&mut *conn).await?;
    for (account,) in &accounts {
        grant_on_object_in(conn, *account, role, object, now).await?;
    }
    Ok(accounts.len())
}

/// Takes every grant on one object (a learning group that is formed anew) inside a
/// module's write transaction.
pub async fn revoke_all_on_object_in<C, DB>(conn: &mut C, object: ObjectRef) -> sqlx::Result<()>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
{
    sqlx::query("DELETE FROM role_grant WHERE scope_object_kind = $1 AND scope_object_id = $2")
        .bind(object.kind.0)
        .bind(object.id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Takes a role on one object from an account inside a module's write transaction;
/// false when the account did not hold it.
pub async fn revoke_on_object_in<C, DB>(
    conn: &mut C,
    account: Uuid,
    role: Role,
    object: ObjectRef,
) -> sqlx::Result<bool>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    i64: sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let (before,): (i64,) = sqlx::query_as(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM role_grant
         WHERE account_id = $1 AND role = $2 AND scope_object_kind = $3 AND scope_object_id = $4",
    )
    .bind(account)
    .bind(role.key())
    .bind(object.kind.0)
    .bind(object.id)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM role_grant WHERE account_id = $1 AND role = $2 AND scope_object_kind = $3 AND scope_object_id = $4",
    )
    .bind(account)
    .bind(role.key())
    .bind(object.kind.0)
    .bind(object.id)
    .execute(&mut *conn)
    .await?;
    Ok(before > 0)
}

/// A login started at the identity provider, waiting for its callback.
#[derive(Clone, Debug)]
pub struct PendingLogin {
    pub state_hash: String,
    pub pkce_verifier: String,
    pub nonce: String,
    pub next_path: String,
    pub expires_at: DateTime<Utc>,
    pub browser_hash: String,
}

/// Records a started login after dropping expired ones; false when `max` are waiting.
pub async fn record_pending_login(db: &Db, login: &PendingLogin, now: DateTime<Utc>, max: i64) -> sqlx::Result<bool> {
    on_db!(db, |p| {
        sqlx::query("DELETE FROM oidc_login WHERE expires_at < $1").bind(now).execute(p).await?;
        let pending: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM oidc_login").fetch_one(p).await?;
        if pending >= max {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO oidc_login (state_hash, pkce_verifier, nonce, next_path, expires_at, browser_hash)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&login.state_hash)
        .bind(&login.pkce_verifier)
        .bind(&login.nonce)
        .bind(&login.next_path)
        .bind(login.expires_at)
        .bind(&login.browser_hash)
        .execute(p)
        .await?;
        Ok(true)
    })
}

/// Takes a pending login out in one statement (two callbacks with one state cannot both
/// get it).
pub async fn take_pending_login(db: &Db, state_hash: &str) -> sqlx::Result<Option<PendingLogin>> {
    let row: Option<(String, String, String, DateTime<Utc>, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "DELETE FROM oidc_login WHERE state_hash = $1
             RETURNING pkce_verifier, nonce, next_path, expires_at, browser_hash",
        )
        .bind(state_hash)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(|(pkce_verifier, nonce, next_path, expires_at, browser_hash)| PendingLogin {
        state_hash: state_hash.to_string(),
        pkce_verifier,
        nonce,
        next_path,
        expires_at,
        browser_hash,
    }))
}

/// The accounts holding a role on one object (a process's facilitators), by name.
pub async fn object_grantees(db: &Db, object: ObjectRef, role: Role) -> sqlx::Result<Vec<(String, String)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT DISTINCT a.username, a.display_name FROM role_grant g JOIN account a ON a.id = g.account_id
             WHERE g.scope_object_kind = $1 AND g.scope_object_id = $2 AND g.role = $3 AND g.effect = 'allow'
             ORDER BY a.display_name",
        )
        .bind(object.kind.0)
        .bind(object.id)
        .bind(role.key())
        .fetch_all(p)
        .await
    })
}
