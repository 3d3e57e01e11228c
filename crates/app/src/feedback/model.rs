//! Feedback's data: instruments (a definition per version), series of a subject's scores,
//! survey rounds with their personal links, and the rules they are checked by.

use analysis::measures::Definition;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What an instrument is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Sent to units in rounds (WHO-5, a pulse).
    Survey,
    /// How a citizen is doing, session by session (FIT-style outcome scale).
    Outcome,
    /// How the session went (FIT-style session scale).
    Session,
    /// A leader rated by self, manager, peers and staff.
    Rating360,
}

impl Purpose {
    pub fn key(self) -> &'static str {
        match self {
            Purpose::Survey => "survey",
            Purpose::Outcome => "outcome",
            Purpose::Session => "session",
            Purpose::Rating360 => "rating360",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        [Purpose::Survey, Purpose::Outcome, Purpose::Session, Purpose::Rating360].into_iter().find(|p| p.key() == s)
    }
}

/// An instrument as the library holds it: its current definition and its settings.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Instrument {
    pub id: Uuid,
    /// Stable key (`who5`, `pulse`, …), unique in the municipality.
    pub key: String,
    pub name: String,
    pub purpose: Purpose,
    /// Who owns the wording and on what terms.
    pub licence: String,
    /// The fewest answers behind any figure shown (k).
    pub min_answers: i32,
    /// The fewest answers before free text is shown.
    pub min_text_answers: i32,
    /// The current version; answers keep the version they were given in.
    pub version: i32,
    #[schema(value_type = Object)]
    pub definition: Definition,
}

/// An instrument as sent to `POST /api/v1/instruments`: a new key adds one, a known key
/// adds a new version of it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct InstrumentInput {
    pub key: String,
    pub name: String,
    pub purpose: Purpose,
    #[serde(default)]
    pub licence: String,
    #[serde(default = "default_k")]
    pub min_answers: i32,
    #[serde(default = "default_k_text")]
    pub min_text_answers: i32,
    #[schema(value_type = Object)]
    pub definition: Definition,
}

/// The default anonymity threshold: no figure from fewer than five answers.
pub const DEFAULT_MIN_ANSWERS: i32 = 5;

fn default_k() -> i32 {
    DEFAULT_MIN_ANSWERS
}

fn default_k_text() -> i32 {
    10
}

/// Who or what a series follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A citizen, by the municipality's own case reference (never a CPR number).
    Citizen,
    Family,
    /// An employee (a person of the organisation).
    Person,
    Unit,
    Programme,
}

impl SubjectKind {
    pub fn key(self) -> &'static str {
        match self {
            SubjectKind::Citizen => "citizen",
            SubjectKind::Family => "family",
            SubjectKind::Person => "person",
            SubjectKind::Unit => "unit",
            SubjectKind::Programme => "programme",
        }
    }

    pub fn parse(s: &str) -> Option<SubjectKind> {
        [SubjectKind::Citizen, SubjectKind::Family, SubjectKind::Person, SubjectKind::Unit, SubjectKind::Programme]
            .into_iter()
            .find(|k| k.key() == s)
    }
}

/// A series of one subject's answers to one instrument.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Series {
    pub id: Uuid,
    pub instrument_id: Uuid,
    pub subject_kind: SubjectKind,
    /// A case reference for a citizen or family, an id for the rest.
    pub subject: String,
    /// The team that follows it: who may see it besides the professional.
    pub unit_id: Option<Uuid>,
    pub owner_account_id: Option<Uuid>,
    /// The subject's age at the start, for age-banded cut-offs.
    pub age: Option<i32>,
    pub label: String,
    pub created_at: DateTime<Utc>,
}

/// One answer in a series.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SeriesResponse {
    pub id: Uuid,
    pub session: i32,
    /// `self`, or a collateral rater (`family`, `teacher`, …), or a 360° rater group.
    pub rater: String,
    pub score: f64,
    pub version: i32,
    pub answered_on: NaiveDate,
}

/// A survey round: an instrument sent to units between two days.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Round {
    pub id: Uuid,
    pub instrument_id: Uuid,
    pub version: i32,
    pub title: String,
    /// First and last day answers are taken (Copenhagen days, both included).
    pub opens: NaiveDate,
    pub closes: NaiveDate,
}

impl Round {
    pub fn is_open(&self, today: NaiveDate) -> bool {
        (self.opens..=self.closes).contains(&today)
    }

    /// Results are shown once the round has closed (counts while open would tell who is
    /// still to answer).
    pub fn is_closed(&self, today: NaiveDate) -> bool {
        today > self.closes
    }
}

/// Longest name, label or case reference.
pub const NAME_MAX_CHARS: usize = 200;
/// Most items in one instrument.
pub const ITEMS_MAX: usize = 100;
/// Most units one round is sent to at once (the whole organisation fits).
pub const ROUND_UNITS_MAX: usize = 5000;
/// Longest free-text answer.
pub const TEXT_MAX_CHARS: usize = 4000;
