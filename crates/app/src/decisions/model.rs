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

    /// The message id of the state's name.
    pub fn label_id(self) -> &'static str {
        match self {
            ProposalState::New => "proposal-state-new",
            ProposalState::UnderConsideration => "proposal-state-under_consideration",
            ProposalState::Accepted => "proposal-state-accepted",
            ProposalState::PartlyAccepted => "proposal-state-partly_accepted",
            ProposalState::Rejected => "proposal-state-rejected",
            ProposalState::Implemented => "proposal-state-implemented",
        }
    }

    /// The states a decision may set (a proposal never goes back to new).
    pub fn decisions() -> impl Iterator<Item = ProposalState> {
        ProposalState::ALL.into_iter().filter(|s| *s != ProposalState::New)
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
pub const RESPONSIBLE_MAX_CHARS: usize = 200;
/// The most proposals one bulk decision covers (a page of the list and more).
pub const BULK_MAX: usize = 500;
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
    /// The person responsible (a name or username), or empty.
    pub responsible: String,
    pub deadline: Option<NaiveDate>,
    /// The theme it was made from (its label then), or empty.
    pub theme: String,
    /// The statement it was made from (its number in the process).
    pub statement_number: Option<i32>,
    /// The decision participants see: as it was when decisions were last published.
    pub published: Option<(ProposalState, String)>,
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
    pub theme: String,
    pub statement_number: Option<i32>,
}

/// A decision to write (checked by the caller).
#[derive(Clone, Debug)]
pub struct Decision {
    pub state: ProposalState,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    pub responsible: String,
    pub deadline: Option<NaiveDate>,
}

/// One entry of a proposal's history.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DecisionEvent {
    pub state: ProposalState,
    pub reason: String,
    pub responsible_unit: Option<Uuid>,
    pub responsible: String,
    pub deadline: Option<NaiveDate>,
    /// Who decided (their username), or "system".
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Which proposals a list shows.
#[derive(Clone, Debug, Default)]
pub struct ProposalFilter {
    pub state: Option<ProposalState>,
    /// Only the undecided (new or under consideration).
    pub undecided: bool,
    pub theme: Option<String>,
    /// Responsible units (a unit with its subtree, resolved by the caller).
    pub units: Option<Vec<Uuid>>,
    pub responsible: Option<String>,
}

/// How far deciding a process's proposals has come, and what its lists can be filtered by.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    pub decided: i64,
    pub total: i64,
    /// Proposals per state key.
    pub per_state: Vec<(ProposalState, i64)>,
    pub themes: Vec<String>,
    pub responsible: Vec<String>,
    pub units: Vec<Uuid>,
    /// When the decisions were last published.
    pub published_at: Option<DateTime<Utc>>,
}

impl Progress {
    /// How many proposals match a filter on state or decidedness alone, read from the counts
    /// per state; `None` for a filter these counts cannot answer.
    pub fn count_of(&self, filter: &ProposalFilter) -> Option<i64> {
        if filter.theme.is_some() || filter.units.is_some() || filter.responsible.is_some() {
            return None;
        }
        let counted = self
            .per_state
            .iter()
            .filter(|(state, _)| filter.state.is_none_or(|s| s == *state) && !(filter.undecided && state.decided()))
            .map(|(_, n)| n)
            .sum();
        Some(counted)
    }
}

/// What became of one input: the proposals made from it, with their decisions.
#[derive(Clone, Debug)]
pub struct Answer {
    pub input: Uuid,
    pub proposals: Vec<Proposal>,
}

impl ProposalFilter {
    /// Whether the filter lets every proposal through.
    pub fn is_empty(&self) -> bool {
        self.state.is_none()
            && !self.undecided
            && self.theme.is_none()
            && self.units.is_none()
            && self.responsible.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_state_answer_state_and_decidedness_filters_only() {
        let per_state = vec![
            (ProposalState::New, 4),
            (ProposalState::UnderConsideration, 3),
            (ProposalState::Accepted, 2),
            (ProposalState::Rejected, 1),
        ];
        let progress = Progress { per_state, ..Default::default() };
        assert_eq!(progress.count_of(&ProposalFilter::default()), Some(10));
        let undecided = ProposalFilter { undecided: true, ..Default::default() };
        assert_eq!(progress.count_of(&undecided), Some(7));
        let accepted = ProposalFilter { state: Some(ProposalState::Accepted), ..Default::default() };
        assert_eq!(progress.count_of(&accepted), Some(2));
        let accepted_and_undecided = ProposalFilter { undecided: true, ..accepted };
        assert_eq!(progress.count_of(&accepted_and_undecided), Some(0));
        let theme = ProposalFilter { theme: Some("Tid".into()), ..Default::default() };
        assert_eq!(progress.count_of(&theme), None);
    }
}
