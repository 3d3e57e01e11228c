//! Who is acting, beyond signed-in accounts: a participant holding a personal link, a
//! workshop participant who typed a code, and a public visitor. A module issues passes for
//! its object (`issue_link`, `issue_code`); a handler takes an [`Actor`] and says which kinds
//! it accepts ([`Actor::accept`]); the kinds without an account are rate-limited in the
//! database ([`limit`]), so every instance counts together.
//!
//! The pass a browser holds travels in the `samskab_pass` cookie (set by the module's
//! entry page for a link or a code); it carries no identity, so an answer given with it is
//! stored without one.

pub mod model;
pub mod store;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

pub use model::{Pass, PassKind};

use crate::AppState;
use crate::platform::accounts::{CurrentUser, random_token};
use crate::platform::db::Db;
use crate::platform::permissions::ObjectRef;
use crate::platform::web::{AppError, Ctx, cookie};

/// The cookie that holds a participant's pass.
pub const PASS_COOKIE: &str = "samskab_pass";

/// Letters and digits that cannot be mistaken for each other on a wall (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// A workshop code's length: 31^6 ≈ 900 million codes.
pub const CODE_LENGTH: usize = 6;

/// Issues a personal link's secret for `object` (shown once, in the link).
pub async fn issue_link(
    db: &Db,
    municipality: Uuid,
    object: ObjectRef,
    expires_at: Option<DateTime<Utc>>,
) -> sqlx::Result<String> {
    loop {
        let secret = random_token();
        if store::insert_pass(db, municipality, PassKind::Link, object, &secret, expires_at).await?.is_some() {
            return Ok(secret);
        }
    }
}

/// Issues a short workshop code for `object`, unlike every code in use.
pub async fn issue_code(
    db: &Db,
    municipality: Uuid,
    object: ObjectRef,
    expires_at: Option<DateTime<Utc>>,
) -> sqlx::Result<String> {
    loop {
        let code = short_code();
        if store::insert_pass(db, municipality, PassKind::Code, object, &code, expires_at).await?.is_some() {
            return Ok(code);
        }
    }
}

/// A random code of [`CODE_LENGTH`] characters that cannot be mistaken for each other, for
/// a wall or a screen (a workshop's code, an activity's check-in code).
pub fn short_code() -> String {
    Uuid::new_v4().as_bytes()[..CODE_LENGTH]
        .iter()
        .map(|b| CODE_ALPHABET[*b as usize % CODE_ALPHABET.len()] as char)
        .collect()
}

/// A typed workshop code as stored: upper case, without spaces or dashes.
pub fn normalise_code(typed: &str) -> String {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// The kinds of actor a handler may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActorKind {
    /// A signed-in account, or an API token acting as its account.
    Account,
    /// Someone holding a personal link.
    LinkParticipant,
    /// Someone who typed a workshop code.
    WorkshopParticipant,
    /// Anyone else.
    Visitor,
}

/// Who is acting in a request.
#[derive(Clone, Debug)]
pub enum Actor {
    Account(Arc<CurrentUser>),
    Participant(Pass),
    Visitor,
}

impl Actor {
    pub fn kind(&self) -> ActorKind {
        match self {
            Actor::Account(_) => ActorKind::Account,
            Actor::Participant(Pass { kind: PassKind::Link, .. }) => ActorKind::LinkParticipant,
            Actor::Participant(Pass { kind: PassKind::Code, .. }) => ActorKind::WorkshopParticipant,
            Actor::Visitor => ActorKind::Visitor,
        }
    }

    /// A 403 unless the actor is of one of `kinds` (for a visitor: to the login page).
    pub fn accept(&self, kinds: &[ActorKind], ctx: &Ctx) -> Result<(), AppError> {
        if kinds.contains(&self.kind()) {
            Ok(())
        } else if self.kind() == ActorKind::Visitor {
            Err(AppError::Unauthenticated(ctx.path.clone()))
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The quota of `what` for this actor, to count inside a write's own transaction
    /// ([`store::hit_in`]); none for accounts.
    pub fn quota(&self, ctx: &Ctx, what: &str, max: i64, window: Duration) -> Option<Quota> {
        Some(Quota { key: self.limit_key(what, &ctx.ip)?, max, window })
    }

    /// The key hits of `what` are counted under: per link, per code and address (a room
    /// shares a code), per address for visitors; accounts are not limited here.
    fn limit_key(&self, what: &str, ip: &str) -> Option<String> {
        match self {
            Actor::Account(_) => None,
            Actor::Participant(Pass { kind: PassKind::Link, id, .. }) => Some(format!("link:{id}:{what}")),
            Actor::Participant(Pass { kind: PassKind::Code, id, .. }) => Some(format!("code:{id}:{ip}:{what}")),
            Actor::Visitor => Some(format!("visitor:{ip}:{what}")),
        }
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        if let Some(user) = ctx.user {
            return Ok(Actor::Account(user));
        }
        let Some(secret) = cookie(&parts.headers, PASS_COOKIE).filter(|s| !s.is_empty() && s.len() <= 100) else {
            return Ok(Actor::Visitor);
        };
        Ok(match store::pass(&state.db, state.municipality, &secret).await? {
            Some(pass) => Actor::Participant(pass),
            None => Actor::Visitor,
        })
    }
}

/// A rate limit counted in the same transaction as the write it limits, so a limited write
/// costs one commit, not two; past `max` hits in `window` the write is not made.
#[derive(Clone, Debug)]
pub struct Quota {
    pub key: String,
    pub max: i64,
    pub window: Duration,
}

/// Counts one `what` for the actor and refuses with 429 past `max` in `window`.
pub async fn limit(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
    what: &str,
    max: i64,
    window: Duration,
) -> Result<(), AppError> {
    let Some(key) = actor.limit_key(what, &ctx.ip) else { return Ok(()) };
    if store::hit(&state.db, &key, window).await? > max {
        return Err(AppError::TooManyRequests(ctx.tr().t("error-429-text")));
    }
    Ok(())
}

/// Codes one address may try per minute (at `/kode`, and a module's own short-code address
/// counting its misses): enough for a room typing, too few to guess one of 900 million.
pub const CODE_TRIES_PER_MINUTE: i64 = 30;
const CODE_TRIES: &str = "code";

/// Counts a code tried from this address: past [`CODE_TRIES_PER_MINUTE`] a 429.
pub async fn count_code_try(state: &AppState, ctx: &Ctx) -> Result<(), AppError> {
    limit(state, ctx, &Actor::Visitor, CODE_TRIES, CODE_TRIES_PER_MINUTE, Duration::minutes(1)).await
}

/// A 429 when this address has used up its code tries, without counting one: a door that
/// counts only misses asks this before it looks a code up.
pub async fn check_code_tries(state: &AppState, ctx: &Ctx) -> Result<(), AppError> {
    let Some(key) = Actor::Visitor.limit_key(CODE_TRIES, &ctx.ip) else { return Ok(()) };
    if store::hits(&state.db, &key, Duration::minutes(1)).await? >= CODE_TRIES_PER_MINUTE {
        return Err(AppError::TooManyRequests(ctx.tr().t("error-429-text")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_typed_as_printed() {
        assert_eq!(normalise_code(" ab-c 2d9 "), "ABC2D9");
        assert!(CODE_ALPHABET.iter().all(|c| !b"01OIL".contains(c)));
    }
}
