//! Accounts, passwords (Argon2id), sessions in the database, and login throttling.
//! A session cookie holds a random token; the database keeps only its SHA-256, so a leaked
//! database does not leak live sessions.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::on_db;
use crate::organisation;
use crate::platform::db::{Db, WritePool, new_id};
use crate::platform::permissions::{Actor, Effect, Grant, Role, Scope, Subtree};

/// How long a session lasts from login.
pub const SESSION_HOURS: i64 = 10;
/// A session unused this long ends (a browser left open on a shared computer).
pub const SESSION_IDLE_MINUTES: i64 = 60;
/// How stale a session's "last used" may get before it is written again: one write a
/// minute per active session, not one per request.
const LAST_SEEN_GRANULARITY_SECONDS: i64 = 60;
/// Wrong passwords for one account from one address before each further try waits.
pub const FREE_FAILURES_PER_PAIR: i64 = 5;
/// Wrong passwords from one address (any accounts) before tries from it wait.
pub const FREE_FAILURES_PER_ADDRESS: i64 = 50;
/// The longest wait after repeated failures.
pub const MAX_WAIT_SECONDS: i64 = 15 * 60;
/// How long one login holds its pair while the password is checked; parallel tries for the
/// same pair are refused meanwhile (a crash frees it after this).
const CLAIM_SECONDS: i64 = 10;
/// Failures older than this are forgotten.
const FORGET_AFTER_HOURS: i64 = 1;
/// A municipality-wide allow grant of one role; local and OIDC accounts both write it.
const INSERT_ALLOW_GRANT: &str = "INSERT INTO role_grant (id, account_id, role, scope_unit_id, effect, created_at)
     VALUES ($1, $2, $3, NULL, 'allow', $4)";
/// The shortest password a user may choose.
pub const MIN_PASSWORD_LEN: usize = 12;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Account {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub person_id: Option<Uuid>,
    pub disabled: bool,
    pub session_version: i64,
}

/// The signed-in user of a request: the account, what it may do, and its CSRF token.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub account: Account,
    pub roles: Vec<Role>,
    pub actor: Actor,
    pub csrf_token: String,
    pub token_hash: String,
}

/// Random bytes as lowercase hex.
pub fn random_token() -> String {
    // Two v4 UUIDs: 244 random bits from the operating system's generator.
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(Uuid::new_v4().as_bytes());
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Hashes a password with Argon2id (on a blocking thread: it is slow on purpose).
pub async fn hash_password(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// Checks a password against a stored hash. A missing hash still costs one hash, so the
/// answer takes as long for unknown users as for known ones.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let argon = Argon2::default();
        match hash.as_deref().map(PasswordHash::new) {
            Some(Ok(parsed)) => argon.verify_password(password.as_bytes(), &parsed).is_ok(),
            _ => {
                let _ = argon.hash_password(password.as_bytes());
                false
            }
        }
    })
    .await
    .unwrap_or(false)
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
        for role in roles {
            sqlx::query(INSERT_ALLOW_GRANT)
                .bind(new_id())
                .bind(id)
                .bind(role.key())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(id)
}

/// Builds the actor for an account from its grants. A leader grant without a unit scopes
/// to the units the account's person leads, so it follows the organisation as it changes.
pub async fn actor_for(db: &Db, account: &Account) -> sqlx::Result<(Vec<Role>, Actor)> {
    let grants: Vec<(String, Option<Uuid>, String)> = on_db!(db, |p| {
        sqlx::query_as("SELECT role, scope_unit_id, effect FROM role_grant WHERE account_id = $1 ORDER BY created_at")
            .bind(account.id)
            .fetch_all(p)
            .await
    })?;
    let mut roles = Vec::new();
    let mut actor = Actor { grants: Vec::new(), disabled: account.disabled };
    for (role_key, scope_unit, effect) in grants {
        let Some(role) = Role::parse(&role_key) else {
            continue;
        };
        let scope = match (role, scope_unit) {
            (_, Some(unit)) => {
                let unit = organisation::store::unit(db, account.municipality_id, unit).await?;
                let trees = unit
                    .map(|u| {
                        if role == Role::Leader {
                            Subtree::led_from(u.tree_left, u.tree_right, u.depth)
                        } else {
                            Subtree { left: u.tree_left, right: u.tree_right, max_depth: i64::MAX }
                        }
                    })
                    .into_iter()
                    .collect();
                Scope::Subtrees(trees)
            }
            (Role::Leader, None) => {
                let led = match account.person_id {
                    Some(person) => organisation::store::led_subtrees(db, person).await?,
                    None => Vec::new(),
                };
                Scope::Subtrees(led.into_iter().map(|(l, r, d)| Subtree::led_from(l, r, d)).collect())
            }
            (_, None) => Scope::Municipality,
        };
        let effect = if effect == "deny" { Effect::Deny } else { Effect::Allow };
        if effect == Effect::Allow && !roles.contains(&role) {
            roles.push(role);
        }
        actor.grants.push(Grant { role, scope, effect });
    }
    Ok((roles, actor))
}

/// The account of someone who logged in through OIDC: found by issuer and subject, or
/// created on first login. Roles follow the provider's claim on every login; the person is
/// linked by e-mail when the organisation knows it.
pub async fn account_for_identity(
    db: &Db,
    municipality: Uuid,
    id: &crate::platform::oidc::Identity,
) -> anyhow::Result<(Account, bool)> {
    let existing: Option<Uuid> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT id FROM account WHERE oidc_issuer = $1 AND oidc_subject = $2")
            .bind(&id.issuer)
            .bind(&id.subject)
            .fetch_optional(p)
            .await
    })?;
    // Only an address the provider vouches for may link the account to a person.
    let person = if id.email.is_empty() || !id.email_verified {
        None
    } else {
        organisation::store::person_by_email(db, municipality, &id.email).await?.map(|p| p.id)
    };
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
        for role in &id.roles {
            sqlx::query(INSERT_ALLOW_GRANT)
                .bind(new_id())
                .bind(account_id)
                .bind(role.key())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
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

/// The user behind a session, if the session is live and the account still valid, with
/// the session's expiry.
async fn load_session(db: &Db, token_hash: &str) -> sqlx::Result<Option<(CurrentUser, DateTime<Utc>)>> {
    let token_hash = token_hash.to_string();
    let now = Utc::now();
    // One query for the session and its account.
    type Row = (String, i64, DateTime<Utc>, DateTime<Utc>, Uuid, Uuid, String, String, Option<Uuid>, bool, i64);
    let row: Option<Row> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT s.csrf_token, s.session_version, s.expires_at, COALESCE(s.last_seen_at, s.created_at),
                    a.id, a.municipality_id, a.username, a.display_name, a.person_id, a.disabled, a.session_version
             FROM session s JOIN account a ON a.id = s.account_id WHERE s.token_hash = $1",
        )
        .bind(&token_hash)
        .fetch_optional(p)
        .await
    })?;
    let Some((
        csrf_token,
        version,
        expires_at,
        last_seen,
        id,
        municipality_id,
        username,
        display_name,
        person_id,
        disabled,
        current,
    )) = row
    else {
        return Ok(None);
    };
    if expires_at <= now || last_seen + Duration::minutes(SESSION_IDLE_MINUTES) <= now {
        delete_session(db, &token_hash).await?;
        return Ok(None);
    }
    if now - last_seen >= Duration::seconds(LAST_SEEN_GRANULARITY_SECONDS) {
        on_db!(db, |p| {
            sqlx::query("UPDATE session SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(&token_hash)
                .bind(now)
                .execute(p)
                .await
                .map(|_| ())
        })?;
    }
    let account =
        Account { id, municipality_id, username, display_name, person_id, disabled, session_version: current };
    // A password change bumps session_version and so ends every other session.
    if account.disabled || account.session_version != version {
        delete_session(db, &token_hash).await?;
        return Ok(None);
    }
    let (roles, actor) = actor_for(db, &account).await?;
    Ok(Some((CurrentUser { account, roles, actor, csrf_token, token_hash }, expires_at)))
}

/// How long a loaded session is trusted before it is read again. Logout and password
/// change in this process take effect at once; on another instance within this time.
pub const SESSION_RECHECK: std::time::Duration = std::time::Duration::from_secs(2);
/// Entries kept at most; the cache is emptied when it grows past this.
const SESSION_CACHE_MAX: usize = 20_000;

struct CachedSession {
    user: std::sync::Arc<CurrentUser>,
    loaded: std::time::Instant,
    expires_at: DateTime<Utc>,
    /// The organisation version the user's permissions were worked out against; a leader's
    /// scope moves with the tree.
    org_version: i64,
}

/// Recently loaded sessions, so a busy user costs one database round trip per
/// [`SESSION_RECHECK`] instead of one per request.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, CachedSession>>,
}

impl SessionCache {
    /// The user behind a session token, from the cache when recently loaded.
    pub async fn user(
        &self,
        db: &Db,
        token: &str,
        org_version: i64,
    ) -> sqlx::Result<Option<std::sync::Arc<CurrentUser>>> {
        let token_hash = hash_token(token);
        if let Ok(entries) = self.entries.lock()
            && let Some(c) = entries.get(&token_hash)
            && c.loaded.elapsed() < SESSION_RECHECK
            && c.org_version == org_version
            && c.expires_at > Utc::now()
        {
            return Ok(Some(c.user.clone()));
        }
        let Some((user, expires_at)) = load_session(db, &token_hash).await? else {
            self.forget(&token_hash);
            return Ok(None);
        };
        let user = std::sync::Arc::new(user);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= SESSION_CACHE_MAX {
                entries.clear();
            }
            let cached =
                CachedSession { user: user.clone(), loaded: std::time::Instant::now(), expires_at, org_version };
            entries.insert(token_hash, cached);
        }
        Ok(Some(user))
    }

    /// Drops one session (logout).
    pub fn forget(&self, token_hash: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(token_hash);
        }
    }

    /// Drops every session of an account (password change, account disabled).
    pub fn forget_account(&self, account: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, c| c.user.account.id != account);
        }
    }
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

/// A username as logins compare it: without surrounding or doubled spaces, lower case.
pub fn normalise_username(username: &str) -> String {
    username.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The wait after `failures` wrong passwords when `free` of them cost nothing: 15 s, then
/// doubling, at most [`MAX_WAIT_SECONDS`].
pub fn wait_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = (failures - free).min(16) as u32;
    (15_i64 << doublings).min(MAX_WAIT_SECONDS)
}

/// The right to check one password: the pair is held until [`finish_login`].
#[derive(Debug)]
pub struct LoginClaim {
    pair: String,
    address: String,
    failures: i64,
}

/// What [`claim_login`] answers.
#[derive(Debug)]
pub enum Claim {
    Granted(LoginClaim),
    /// Refused for this many more seconds (another try is in progress, or failures wait).
    Wait(i64),
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
