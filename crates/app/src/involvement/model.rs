//! Involvement's records: processes made from a template of steps, the people taking part,
//! their inputs, statements and votes, and the rules they must meet.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 5_000;
/// An input is one thought, not a report: 1 to 5,000 characters.
pub const INPUT_MAX_CHARS: usize = 5_000;
/// A statement is read and voted on in seconds.
pub const STATEMENT_MAX_CHARS: usize = 500;
pub const REASON_MAX_CHARS: usize = 500;
/// Personal links made in one request.
pub const LINKS_MAX: usize = 5_000;

/// What a process is made from: its steps, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Template {
    /// Rødovre's involving clarification phase: design, collect, process, decide.
    Clarification,
    /// An open round of proposals (Viborg): collect, decide.
    Proposals,
}

impl Template {
    pub const ALL: [Template; 2] = [Template::Clarification, Template::Proposals];

    pub fn key(self) -> &'static str {
        match self {
            Template::Clarification => "clarification",
            Template::Proposals => "proposals",
        }
    }

    pub fn parse(s: &str) -> Option<Template> {
        Template::ALL.into_iter().find(|t| t.key() == s)
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Template::Clarification => "process-template-clarification",
            Template::Proposals => "process-template-proposals",
        }
    }

    /// The steps of a new process, with what each allows by default.
    pub fn steps(self) -> Vec<Step> {
        let keys: &[&str] = match self {
            Template::Clarification => &["design", "collect", "process", "decide"],
            Template::Proposals => &["collect", "decide"],
        };
        keys.iter().enumerate().map(|(i, k)| Step::default_for(k, i as i32)).collect()
    }
}

/// Who a process is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every employee of the municipality.
    Organisation,
    /// The chosen units, each with its subtree.
    Units,
    /// Anyone, also citizens and partners without an account.
    Public,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Organisation, Scope::Units, Scope::Public];

    pub fn key(self) -> &'static str {
        match self {
            Scope::Organisation => "organisation",
            Scope::Units => "units",
            Scope::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|t| t.key() == s)
    }

    pub fn label_id(self) -> &'static str {
        match self {
            Scope::Organisation => "process-scope-organisation",
            Scope::Units => "process-scope-units",
            Scope::Public => "process-scope-public",
        }
    }
}

/// One step of a process and what people may do while it is the active one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Step {
    /// `design`, `collect`, `process` or `decide`.
    pub key: String,
    #[serde(skip)]
    pub position: i32,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    /// People may give free-text input.
    pub allow_inputs: bool,
    /// People may propose statements (facilitators always may add them).
    pub allow_statements: bool,
    pub allow_votes: bool,
    /// People see the results (opinion groups, themes).
    pub show_results: bool,
    /// Input through personal links, workshop codes and the public link is accepted.
    pub allow_anonymous: bool,
}

impl Step {
    /// A step's settings in a new process: collecting is when people write and vote; in
    /// processing they may still vote and see the results; designing and deciding are the
    /// facilitators' and the board's.
    pub fn default_for(key: &str, position: i32) -> Step {
        let (inputs, statements, votes, results) = match key {
            "collect" => (true, true, true, false),
            "process" => (false, false, true, true),
            "decide" => (false, false, false, true),
            _ => (false, false, false, false),
        };
        Step {
            key: key.to_string(),
            position,
            starts_on: None,
            ends_on: None,
            allow_inputs: inputs,
            allow_statements: statements,
            allow_votes: votes,
            show_results: results,
            allow_anonymous: true,
        }
    }

    /// The Fluent id of the step's name.
    pub fn label_id(&self) -> &'static str {
        match self.key.as_str() {
            "design" => "process-step-design",
            "collect" => "process-step-collect",
            "process" => "process-step-process",
            _ => "process-step-decide",
        }
    }
}

/// The form field of a step's date, e.g. `collect_ends_on` (a form error names it).
pub fn step_field(key: &str, what: &str) -> &'static str {
    const FIELDS: &[&str] = &[
        "design_starts_on",
        "design_ends_on",
        "collect_starts_on",
        "collect_ends_on",
        "process_starts_on",
        "process_ends_on",
        "decide_starts_on",
        "decide_ends_on",
    ];
    let name = format!("{key}_{what}");
    FIELDS.iter().find(|f| **f == name).copied().unwrap_or("steps")
}

/// A process as stored, with its steps in order and its units.
#[derive(Clone, Debug)]
pub struct Process {
    pub id: Uuid,
    pub title: String,
    pub description: String,
    pub template: Template,
    pub scope: Scope,
    pub units: Vec<Uuid>,
    pub active_step: Option<String>,
    pub keep_unit_role: bool,
    pub steps: Vec<Step>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl Process {
    /// The outbox batch its e-mails are queued under.
    pub fn mail_batch(&self) -> String {
        format!("process:{}", self.id)
    }
}

impl Process {
    /// The step under way, if any.
    pub fn active(&self) -> Option<&Step> {
        let key = self.active_step.as_deref()?;
        self.steps.iter().find(|s| s.key == key)
    }
}

/// What a facilitator gives to make a process.
#[derive(Clone, Debug)]
pub struct NewProcess {
    pub title: String,
    pub description: String,
    pub template: Template,
    pub scope: Scope,
    pub units: Vec<Uuid>,
    pub keep_unit_role: bool,
}

/// How someone takes part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Signed in: unit and role known.
    Account,
    /// A personal anonymous link.
    Link,
    /// A workshop code on the wall.
    Workshop,
    /// The open public link.
    Public,
    /// Votes imported from a Pol.is export.
    Import,
}

impl Channel {
    pub fn key(self) -> &'static str {
        match self {
            Channel::Account => "account",
            Channel::Link => "link",
            Channel::Workshop => "workshop",
            Channel::Public => "public",
            Channel::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        [Channel::Account, Channel::Link, Channel::Workshop, Channel::Public, Channel::Import]
            .into_iter()
            .find(|c| c.key() == s)
    }
}

/// The one taking part, as a process knows them: an account, a link's pass, or a browser
/// (with a workshop code, or on the public link).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Taker {
    Account {
        account: Uuid,
        unit: Option<Uuid>,
        role: Option<String>,
    },
    /// A personal link, with the unit and role it was sent to where the process keeps them.
    Link {
        pass: Uuid,
        unit: Option<Uuid>,
        role: Option<String>,
    },
    Browser {
        browser: Uuid,
        channel: Channel,
    },
}

impl Taker {
    pub fn channel(&self) -> Channel {
        match self {
            Taker::Account { .. } => Channel::Account,
            Taker::Link { .. } => Channel::Link,
            Taker::Browser { channel, .. } => *channel,
        }
    }

    /// Whether the answer carries no identity (not signed in).
    pub fn is_anonymous(&self) -> bool {
        !matches!(self, Taker::Account { .. })
    }
}

/// A participant of a process.
#[derive(Clone, Debug)]
pub struct Participant {
    pub id: Uuid,
    /// The Pol.is participant id.
    pub number: i32,
}

/// A free-text input.
#[derive(Clone, Debug)]
pub struct Input {
    pub id: Uuid,
    pub process_id: Uuid,
    pub participant_number: i32,
    pub channel: Channel,
    pub text: String,
    pub core_task: Option<String>,
    pub category: Option<String>,
    pub unit_id: Option<Uuid>,
    pub role: Option<String>,
    pub hidden_reason: Option<String>,
    pub hidden_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A statement's place in moderation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatementState {
    /// Shown for voting.
    Accepted,
    /// Proposed by a participant, waiting for a facilitator.
    Pending,
    /// Not shown.
    Rejected,
}

impl StatementState {
    pub fn key(self) -> &'static str {
        match self {
            StatementState::Accepted => "accepted",
            StatementState::Pending => "pending",
            StatementState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<StatementState> {
        [StatementState::Accepted, StatementState::Pending, StatementState::Rejected].into_iter().find(|c| c.key() == s)
    }
}

/// A statement people vote on.
#[derive(Clone, Debug)]
pub struct Statement {
    pub id: Uuid,
    /// The Pol.is comment id.
    pub number: i32,
    pub text: String,
    pub state: StatementState,
    pub input_id: Option<Uuid>,
    /// The participant who proposed it; none for a facilitator's.
    pub proposed_by: Option<i32>,
    pub created_at: DateTime<Utc>,
}

/// Counts of a statement's current votes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tally {
    pub agree: i64,
    pub disagree: i64,
    pub pass: i64,
}

/// A vote: agree 1, disagree −1, pass 0 (as in a Pol.is export).
pub fn valid_vote(v: i64) -> Option<i16> {
    matches!(v, -1..=1).then_some(v as i16)
}

/// One vote as stored, for the analysis and the export.
#[derive(Clone, Debug)]
pub struct VoteRow {
    pub participant: i32,
    pub statement: i32,
    pub vote: i16,
    pub at: DateTime<Utc>,
}

/// A number in [0, 1) fixed by `seed`: the same seed draws the same number.
pub fn unit_draw(seed: &impl std::hash::Hash) -> f64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let bits = BuildHasherDefault::<DefaultHasher>::default().hash_one(seed);
    (bits >> 11) as f64 / (1_u64 << 53) as f64
}
