//! A Pol.is conversation export (votes.csv, comments.csv) as a new process, so its opinion
//! groups can be followed in Samskab: participant and statement ids are kept as the
//! files have them, and the process's `/opinions` equal `samskab analyse opinions` on the
//! same files. Everything is read and checked before anything is written.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::model::{Channel, StatementState};
use crate::platform::formats::polis::{self, InputError, Table};

/// A statement of the export.
#[derive(Clone, Debug)]
pub struct ImportedStatement {
    pub number: i32,
    pub text: String,
    pub state: StatementState,
    pub created_at: DateTime<Utc>,
}

/// Someone taking part, by number, with the unit and role kept for them.
#[derive(Clone, Debug)]
pub struct BulkParticipant {
    pub number: i32,
    pub unit: Option<uuid::Uuid>,
    pub role: Option<String>,
}

/// An input by participant number.
#[derive(Clone, Debug)]
pub struct BulkInput {
    pub participant: i32,
    pub text: String,
    pub core_task: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A whole process's participants, statements, inputs and votes, checked and ready to be
/// written at once: an imported Pol.is conversation, or the demo's.
#[derive(Clone, Debug)]
pub struct Bulk {
    pub title: String,
    pub description: String,
    /// How the participants took part.
    pub channel: Channel,
    pub participants: Vec<BulkParticipant>,
    pub statements: Vec<ImportedStatement>,
    pub inputs: Vec<BulkInput>,
    /// (participant, statement, vote, when), in the order cast.
    pub votes: Vec<(i32, i32, i16, DateTime<Utc>)>,
}

fn when(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A Pol.is id as Samskab numbers it: a whole number from 0.
fn number(raw: &str) -> Option<i32> {
    raw.trim().parse::<i32>().ok().filter(|n| *n >= 0)
}

/// Reads and checks a Pol.is export; every problem names file, line and column.
pub fn read_polis(votes_path: &Path, comments_path: &Path, title: &str) -> Result<Bulk, InputError> {
    let t = Table::read(comments_path)?;
    let id = t.require(&["comment-id", "statement-id", "tid"])?;
    let body = t.column(&["comment-body", "txt", "text"]);
    let moderated = t.column(&["moderated", "mod"]);
    let stamp = t.column(&["timestamp", "created"]);
    let mut export = Bulk {
        title: title.to_string(),
        description: String::new(),
        channel: Channel::Import,
        participants: Vec::new(),
        statements: Vec::new(),
        inputs: Vec::new(),
        votes: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    for (line, row) in &t.rows {
        let n = number(&row[id]).ok_or_else(|| {
            t.error(
                *line,
                id,
                format!("«{}» er ikke et helt tal fra 0", row[id]),
                format!("«{}» is not a whole number from 0", row[id]),
            )
        })?;
        if !seen.insert(n) {
            return Err(t.error(
                *line,
                id,
                format!("udsagn {n} står to gange"),
                format!("statement {n} appears twice"),
            ));
        }
        let state = match moderated.map(|c| row[c].trim()) {
            Some("-1") => StatementState::Rejected,
            // Pol.is shows unmoderated (0) statements unless moderation is strict.
            Some("0") | Some("1") | Some("") | None => StatementState::Accepted,
            Some(other) => {
                let c = moderated.unwrap_or(0);
                return Err(t.error(
                    *line,
                    c,
                    format!("«{other}» er ikke -1, 0 eller 1"),
                    format!("«{other}» is not -1, 0 or 1"),
                ));
            }
        };
        let created_at = stamp.and_then(|c| row[c].trim().parse::<i64>().ok()).map(when).unwrap_or_default();
        export.statements.push(ImportedStatement {
            number: n,
            text: body.map(|c| row[c].clone()).unwrap_or_default(),
            state,
            created_at,
        });
    }
    let votes = polis::votes(votes_path)?;
    let bad_id = |what_da: &str, what_en: &str, raw: &str| {
        InputError::new(
            votes_path,
            None,
            None,
            format!("{what_da} «{raw}» er ikke et helt tal fra 0"),
            format!("{what_en} «{raw}» is not a whole number from 0"),
        )
    };
    let mut participants = BTreeSet::new();
    for (participant, statement, vote, ms) in votes.iter() {
        let p = number(participant).ok_or_else(|| bad_id("deltageren", "the participant", participant))?;
        let s = number(statement).ok_or_else(|| bad_id("udsagnet", "the statement", statement))?;
        if seen.insert(s) {
            // A vote on a statement the comments file lacks: kept, without a text.
            export.statements.push(ImportedStatement {
                number: s,
                text: String::new(),
                state: StatementState::Accepted,
                created_at: when(ms),
            });
        }
        participants.insert(p);
        export.votes.push((p, s, vote as i16, when(ms)));
    }
    export.participants =
        participants.into_iter().map(|number| BulkParticipant { number, unit: None, role: None }).collect();
    export.statements.sort_by_key(|s| s.number);
    Ok(export)
}
