//! The accounts area's records.

use uuid::Uuid;

use crate::platform::permissions::{Grants, ObjectRef, Role};

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
    pub grants: Grants,
    pub csrf_token: String,
    pub token_hash: String,
    /// How the request proved who it is.
    pub via: Via,
}

/// How a signed-in request proved who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// A browser session (cookie, with a CSRF token for forms).
    Session,
    /// A bearer token of the JSON API; acts as its account.
    ApiToken(Uuid),
}

/// A grant as stored: a role, allowing or denying, on the municipality (no scope), a unit
/// (with its subtree), or one object.
#[derive(Clone, Debug)]
pub struct StoredGrant {
    pub role: String,
    pub scope_unit: Option<Uuid>,
    pub scope_object: Option<ObjectRef>,
    pub deny: bool,
}

/// A session as stored, with its account.
#[derive(Clone, Debug)]
pub struct StoredSession {
    pub csrf_token: String,
    pub session_version: i64,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub last_seen: chrono::DateTime<chrono::Utc>,
    pub account: Account,
}

/// The right to check one password: the pair is held until [`finish_login`].
#[derive(Debug)]
pub struct LoginClaim {
    pub(super) pair: String,
    pub(super) address: String,
    pub(super) failures: i64,
}

/// What [`claim_login`] answers.
#[derive(Debug)]
pub enum Claim {
    Granted(LoginClaim),
    /// Refused for this many more seconds (another try is in progress, or failures wait).
    Wait(i64),
}
