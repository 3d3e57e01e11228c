//! The tokens area's records.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An API token as listed (never the token itself: only its hash is stored).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ApiToken {
    pub id: Uuid,
    pub username: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token just made: the one time its value is known.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    pub id: Uuid,
    pub token: String,
}
