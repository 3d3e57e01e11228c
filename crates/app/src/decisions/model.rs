//! Proposals and their decisions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where a proposal stands. The keys are stable: the API, exports and the history use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    New,
    UnderConsideration,
    Accepted,
    PartlyAccepted,
    Rejected,
    Implemented,
}

impl ProposalState {
    pub const ALL: [ProposalState; 6] = [
        ProposalState::New,
        ProposalState::UnderConsideration,
        ProposalState::Accepted,
        ProposalState::PartlyAccepted,
        ProposalState::Rejected,
        ProposalState::Implemented,
    ];

    pub fn key(self) -> &'static str {
        match self {
            ProposalState::New => "new",
            ProposalState::UnderConsideration => "under_consideration",
            ProposalState::Accepted => "accepted",
            ProposalState::PartlyAccepted => "partly_accepted",
            ProposalState::Rejected => "rejected",
            ProposalState::Implemented => "implemented",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalState> {
        ProposalState::ALL.into_iter().find(|st| st.key() == s)
    }

    /// Whether a proposal in this state has been decided (counts toward "n of m decided").
    pub fn decided(self) -> bool {
        !matches!(self, ProposalState::New | ProposalState::UnderConsideration)
    }
}

/// The longest title and text of a proposal, and reason of a decision.
pub const TITLE_MAX_CHARS: usize = 200;
pub const TEXT_MAX_CHARS: usize = 5_000;
pub const REASON_MAX_CHARS: usize = 2_000;
/// The most inputs one proposal is made from.
pub const INPUTS_MAX: usize = 500;

/// A proposal as stored.
#[derive(Clone, Debug)]
pub struct Proposal {
    pub id: Uuid,
    pub process_id: Uuid,
    pub number: i32,
    pub title: String,
    pub text: String,
    pub state: ProposalState,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    pub deadline: Option<NaiveDate>,
    pub inputs: Vec<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A proposal to write (checked by the caller).
#[derive(Clone, Debug)]
pub struct NewProposal {
    pub title: String,
    pub text: String,
    pub inputs: Vec<Uuid>,
}

/// A decision to write (checked by the caller).
#[derive(Clone, Debug)]
pub struct Decision {
    pub state: ProposalState,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    pub deadline: Option<NaiveDate>,
}

/// One entry of a proposal's history.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionEvent {
    pub state: ProposalState,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    pub deadline: Option<NaiveDate>,
    /// Who decided (their username), or "system".
    pub by: String,
    pub at: DateTime<Utc>,
}
