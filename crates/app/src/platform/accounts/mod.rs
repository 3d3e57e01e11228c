//! Accounts, passwords (Argon2id), sessions in the database, and login throttling.
//! A session cookie holds a random token; the database keeps only its SHA-256, so a leaked
//! database does not leak live sessions.

pub mod model;
pub mod oidc;
pub mod routes;
pub mod store;
pub mod views;

pub use model::{Account, Claim, CurrentUser, LoginClaim, Via};
pub use store::*;

use crate::platform::module::{Module, no_start};

pub static MODULE: Module = Module {
    name: "accounts",
    routes: routes::routes,
    nav: &[],
    locales: (include_str!("../../../locales/da/accounts.ftl"), include_str!("../../../locales/en/accounts.ftl")),
    actions: &[],
    start: no_start,
    home: None,
    code_door: None,
    audit_links: &[],
    jobs: &[],
    openapi: None,
};

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::platform::db::Db;
use crate::platform::module::Directory;
use crate::platform::permissions::{Effect, Grant, Grants, Role, Scope, Subtree};

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
pub(crate) const CLAIM_SECONDS: i64 = 10;
/// Failures older than this are forgotten.
pub(crate) const FORGET_AFTER_HOURS: i64 = 1;
/// The shortest password a user may choose.
pub const MIN_PASSWORD_LEN: usize = 12;

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

/// Works out an account's grants. A leader grant without a unit scopes to the units the
/// account's person leads, so it follows the organisation as it changes.
pub async fn grants_for(db: &Db, directory: &dyn Directory, account: &Account) -> sqlx::Result<(Vec<Role>, Grants)> {
    let stored = store::grants(db, account.id).await?;
    let mut roles = Vec::new();
    let mut grants = Grants { grants: Vec::new(), disabled: account.disabled };
    for stored in stored {
        let Some(role) = Role::parse(&stored.role) else {
            continue;
        };
        let scope = match (role, stored.scope_unit, stored.scope_object) {
            (_, _, Some(object)) => Scope::Object(object),
            (_, Some(unit), None) => {
                let place = directory.unit(db, account.municipality_id, unit).await?;
                let trees = place
                    .map(|u| {
                        if role == Role::Leader {
                            Subtree::led_from(u.left, u.right, u.depth)
                        } else {
                            Subtree::whole(u.left, u.right)
                        }
                    })
                    .into_iter()
                    .collect();
                Scope::Subtrees(trees)
            }
            (Role::Leader, None, None) => {
                let led = match account.person_id {
                    Some(person) => directory.led_units(db, account.municipality_id, person).await?,
                    None => Vec::new(),
                };
                Scope::Subtrees(led.into_iter().map(|u| Subtree::led_from(u.left, u.right, u.depth)).collect())
            }
            (_, None, None) => Scope::Municipality,
        };
        let effect = if stored.deny { Effect::Deny } else { Effect::Allow };
        if effect == Effect::Allow && !roles.contains(&role) {
            roles.push(role);
        }
        grants.grants.push(Grant { role, scope, effect });
    }
    Ok((roles, grants))
}

/// The user behind a session, if the session is live and the account still valid, with
/// the session's expiry.
async fn load_session(
    db: &Db,
    directory: &dyn Directory,
    token_hash: &str,
) -> sqlx::Result<Option<(CurrentUser, DateTime<Utc>)>> {
    let now = Utc::now();
    let Some(session) = store::session(db, token_hash).await? else {
        return Ok(None);
    };
    if session.expires_at <= now || session.last_seen + Duration::minutes(SESSION_IDLE_MINUTES) <= now {
        store::delete_session(db, token_hash).await?;
        return Ok(None);
    }
    if now - session.last_seen >= Duration::seconds(LAST_SEEN_GRANULARITY_SECONDS) {
        store::touch_session(db, token_hash, now).await?;
    }
    let account = session.account;
    // A password change bumps session_version and so ends every other session.
    if account.disabled || account.session_version != session.session_version {
        store::delete_session(db, token_hash).await?;
        return Ok(None);
    }
    let (roles, grants) = grants_for(db, directory, &account).await?;
    let user = CurrentUser {
        account,
        roles,
        grants,
        csrf_token: session.csrf_token,
        token_hash: token_hash.to_string(),
        via: Via::Session,
    };
    Ok(Some((user, session.expires_at)))
}

/// The account of someone who logged in through OIDC: found by issuer and subject, or
/// created on first login. Roles follow the provider's claim on every login; the person is
/// linked by e-mail only when the provider says the address is verified.
pub async fn account_for_identity(
    db: &Db,
    directory: &dyn Directory,
    municipality: Uuid,
    id: &oidc::Identity,
) -> anyhow::Result<(Account, bool)> {
    let person = if id.email.is_empty() || !id.email_verified {
        None
    } else {
        directory.person_by_email(db, municipality, &id.email).await?
    };
    store::upsert_oidc_account(db, municipality, id, person).await
}

/// What a request brings to say who it is.
#[derive(Clone, Copy, Debug)]
pub enum Credential<'a> {
    /// The session cookie of a browser.
    Session(&'a str),
    /// A bearer token of the JSON API.
    ApiToken(&'a str),
}

/// The account behind an API token that is not revoked; it acts with the account's
/// permissions. It is trusted as long as a session would be.
async fn load_api_token(
    db: &Db,
    directory: &dyn Directory,
    token: &str,
) -> sqlx::Result<Option<(CurrentUser, DateTime<Utc>)>> {
    let token_hash = hash_token(token);
    let Some((token_id, account, last_used)) = crate::platform::tokens::store::account_for(db, &token_hash).await?
    else {
        return Ok(None);
    };
    if account.disabled {
        return Ok(None);
    }
    let now = Utc::now();
    if last_used.is_none_or(|at| now - at >= Duration::seconds(LAST_SEEN_GRANULARITY_SECONDS)) {
        crate::platform::tokens::store::touch(db, token_id, now).await?;
    }
    let (roles, grants) = grants_for(db, directory, &account).await?;
    let user = CurrentUser {
        account,
        roles,
        grants,
        csrf_token: String::new(),
        token_hash: format!("api:{token_hash}"),
        via: Via::ApiToken(token_id),
    };
    Ok(Some((user, now + Duration::hours(SESSION_HOURS))))
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
        directory: &dyn Directory,
        credential: Credential<'_>,
        org_version: i64,
    ) -> sqlx::Result<Option<std::sync::Arc<CurrentUser>>> {
        let (token_hash, loaded) = match credential {
            Credential::Session(token) => (hash_token(token), None),
            Credential::ApiToken(token) => (format!("api:{}", hash_token(token)), Some(token)),
        };
        if let Ok(entries) = self.entries.lock()
            && let Some(c) = entries.get(&token_hash)
            && c.loaded.elapsed() < SESSION_RECHECK
            && c.org_version == org_version
            && c.expires_at > Utc::now()
        {
            return Ok(Some(c.user.clone()));
        }
        let found = match loaded {
            None => load_session(db, directory, &token_hash).await?,
            Some(token) => load_api_token(db, directory, token).await?,
        };
        let Some((user, expires_at)) = found else {
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
