//! The rule register's records: rules with their cost and origin, flags, review rounds with
//! justifications, and keep/simplify/remove decisions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const TITLE_MAX_CHARS: usize = 200;
pub const TEXT_MAX_CHARS: usize = 10_000;
pub const REFERENCE_MAX_CHARS: usize = 300;
pub const REASON_MAX_CHARS: usize = 2_000;
/// More hours than a year has for a whole municipality's staff would be a typing error.
pub const HOURS_MAX: i64 = 10_000_000;
/// Rows one CSV import takes.
pub const IMPORT_MAX_ROWS: usize = 5_000;

/// Where a rule comes from: only the municipality's own rules can be removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Local,
    National,
}

impl Origin {
    pub fn key(self) -> &'static str {
        match self {
            Origin::Local => "local",
            Origin::National => "national",
        }
    }

    pub fn parse(s: &str) -> Option<Origin> {
        match s.trim() {
            "local" | "lokal" => Some(Origin::Local),
            "national" => Some(Origin::National),
            _ => None,
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Origin::Local => "rule-origin-local",
            Origin::National => "rule-origin-national",
        }
    }
}

/// Where a rule stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    Active,
    Simplified,
    /// No accepted justification by a review's deadline: to be removed unless decided otherwise.
    MarkedForRemoval,
    Removed,
}

impl RuleStatus {
    pub const ALL: [RuleStatus; 4] =
        [RuleStatus::Active, RuleStatus::Simplified, RuleStatus::MarkedForRemoval, RuleStatus::Removed];

    pub fn key(self) -> &'static str {
        match self {
            RuleStatus::Active => "active",
            RuleStatus::Simplified => "simplified",
            RuleStatus::MarkedForRemoval => "marked_for_removal",
            RuleStatus::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<RuleStatus> {
        RuleStatus::ALL.into_iter().find(|x| x.key() == s)
    }

    pub fn label_id(self) -> &'static str {
        match self {
            RuleStatus::Active => "rule-status-active",
            RuleStatus::Simplified => "rule-status-simplified",
            RuleStatus::MarkedForRemoval => "rule-status-marked_for_removal",
            RuleStatus::Removed => "rule-status-removed",
        }
    }
}

/// A decision on a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleDecisionKind {
    Keep,
    Simplify,
    Remove,
}

impl RuleDecisionKind {
    pub fn key(self) -> &'static str {
        match self {
            RuleDecisionKind::Keep => "keep",
            RuleDecisionKind::Simplify => "simplify",
            RuleDecisionKind::Remove => "remove",
        }
    }

    pub fn parse(s: &str) -> Option<RuleDecisionKind> {
        match s.trim() {
            "keep" => Some(RuleDecisionKind::Keep),
            "simplify" => Some(RuleDecisionKind::Simplify),
            "remove" => Some(RuleDecisionKind::Remove),
            _ => None,
        }
    }

    pub fn label_id(self) -> &'static str {
        match self {
            RuleDecisionKind::Keep => "rule-decision-keep",
            RuleDecisionKind::Simplify => "rule-decision-simplify",
            RuleDecisionKind::Remove => "rule-decision-remove",
        }
    }

    /// The status a rule has after this decision.
    pub fn status(self) -> RuleStatus {
        match self {
            RuleDecisionKind::Keep => RuleStatus::Active,
            RuleDecisionKind::Simplify => RuleStatus::Simplified,
            RuleDecisionKind::Remove => RuleStatus::Removed,
        }
    }
}

/// A rule as stored.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Rule {
    pub id: Uuid,
    pub number: i32,
    pub title: String,
    pub text: String,
    pub origin: Origin,
    pub reference: String,
    pub owner_unit: Option<Uuid>,
    pub burdens_units: Vec<Uuid>,
    pub burdens_roles: Vec<String>,
    pub hours_per_year: i64,
    pub value_statement: String,
    pub status: RuleStatus,
    /// Hours a year freed by its decisions so far.
    pub hours_freed: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A rule to write (checked).
#[derive(Clone, Debug, Default)]
pub struct NewRule {
    pub title: String,
    pub text: String,
    pub origin: Option<Origin>,
    pub reference: String,
    pub owner_unit: Option<Uuid>,
    pub burdens_units: Vec<Uuid>,
    pub burdens_roles: Vec<String>,
    pub hours_per_year: i64,
    pub value_statement: String,
}

/// A flag on a rule.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Flag {
    pub text: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A decision on a rule as kept.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RuleDecision {
    pub decision: RuleDecisionKind,
    pub reason: String,
    pub hours_freed: i64,
    pub review: Option<Uuid>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A review round.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Review {
    pub id: Uuid,
    pub title: String,
    pub deadline: NaiveDate,
    /// `open` or `closed`.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A rule in a review, with its justification.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ReviewItem {
    pub rule: Uuid,
    pub number: i32,
    pub title: String,
    pub origin: Origin,
    pub owner_unit: Option<Uuid>,
    pub justification: String,
    pub justified_by: String,
    pub justified_at: Option<DateTime<Utc>>,
    /// None: not assessed yet.
    pub accepted: Option<bool>,
    pub marked_for_removal: bool,
}
