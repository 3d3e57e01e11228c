//! The vote matrix: participants × statements, latest vote wins, moderated-out statements
//! zeroed for everyone (Pol.is `rating-mat`), stored sparsely by row.

use std::collections::{HashMap, HashSet};

use super::{Vote, id_order};

/// Votes as read, with participant and statement ids stored once: a conversation of
/// 20,000 people and 2,000 statements has millions of votes, and two strings per vote would
/// cost more than the whole analysis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Votes {
    participants: Interner,
    statements: Interner,
    cast: Vec<Cast>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Cast {
    participant: u32,
    /// The statement's index, with the vote in the two lowest bits (0 pass, 1 agree,
    /// 2 disagree): 16 bytes a vote instead of 24.
    statement_vote: u32,
    timestamp: i64,
}

impl Cast {
    fn statement(self) -> u32 {
        self.statement_vote >> 2
    }

    fn value(self) -> i8 {
        match self.statement_vote & 3 {
            1 => 1,
            2 => -1,
            _ => 0,
        }
    }
}

/// Which id of a vote was not UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotUtf8 {
    Participant,
    Statement,
}

/// A vote in the two lowest bits of [`Cast::statement_vote`].
fn vote_bits(value: i8) -> u32 {
    match value.signum() {
        1 => 1,
        -1 => 2,
        _ => 0,
    }
}

/// Ids to dense indices. Pol.is ids are small whole numbers, so those are looked up in a
/// table instead of hashed: reading millions of votes is then mostly parsing.
#[derive(Clone, Debug, Default, PartialEq)]
struct Interner {
    ids: Vec<String>,
    numeric: Vec<u32>,
    index: HashMap<String, u32>,
}

/// Whole-number ids below this are looked up in the table.
const NUMERIC_IDS: usize = 1 << 22;

impl Interner {
    fn intern(&mut self, id: &str) -> u32 {
        match small_number(id.as_bytes()) {
            Some(n) => self.intern_number(n, id.as_bytes()),
            None => self.intern_text(id),
        }
    }

    /// An id as read from a file; `None` when it is neither a small number nor UTF-8.
    fn intern_bytes(&mut self, id: &[u8]) -> Option<u32> {
        match small_number(id) {
            Some(n) => Some(self.intern_number(n, id)),
            None => std::str::from_utf8(id).ok().map(|id| self.intern_text(id)),
        }
    }

    /// `n` written as `digits` (ASCII).
    fn intern_number(&mut self, n: usize, digits: &[u8]) -> u32 {
        if n >= self.numeric.len() {
            self.numeric.resize((n + 1).next_power_of_two().min(NUMERIC_IDS), u32::MAX);
        }
        if self.numeric[n] == u32::MAX {
            self.numeric[n] = self.ids.len() as u32;
            self.ids.push(String::from_utf8_lossy(digits).into_owned());
        }
        self.numeric[n]
    }

    fn intern_text(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.ids.len() as u32;
        self.ids.push(id.to_string());
        self.index.insert(id.to_string(), i);
        i
    }
}

/// The id as a number when it is written as one in its shortest form ("7", not "07").
fn small_number(b: &[u8]) -> Option<usize> {
    if b.is_empty() || b.len() > 7 || (b.len() > 1 && b[0] == b'0') || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = b.iter().fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
    (n < NUMERIC_IDS).then_some(n)
}

impl Votes {
    pub fn new() -> Votes {
        Votes::default()
    }

    /// Room for `n` votes, so a large file is read without growing the store.
    pub fn with_capacity(n: usize) -> Votes {
        Votes { cast: Vec::with_capacity(n), ..Votes::default() }
    }

    /// Adds one vote (agree = +1, disagree = −1, pass = 0; other values count by their sign).
    pub fn push(&mut self, participant: &str, statement: &str, value: i8, timestamp: i64) {
        let participant = self.participants.intern(participant);
        let statement = self.statements.intern(statement);
        self.cast.push(Cast { participant, statement_vote: statement << 2 | vote_bits(value), timestamp });
    }

    /// Adds one vote whose ids are given as bytes read from a file (numeric ids, as Pol.is
    /// writes them, need no UTF-8 check); refused when an id is not UTF-8.
    pub fn push_bytes(
        &mut self,
        participant: &[u8],
        statement: &[u8],
        value: i8,
        timestamp: i64,
    ) -> Result<(), NotUtf8> {
        let participant = self.participants.intern_bytes(participant).ok_or(NotUtf8::Participant)?;
        let statement = self.statements.intern_bytes(statement).ok_or(NotUtf8::Statement)?;
        self.cast.push(Cast { participant, statement_vote: statement << 2 | vote_bits(value), timestamp });
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.cast.len()
    }

    /// Adds votes read separately (e.g. the second half of a file), as if pushed one by one.
    pub fn append(&mut self, other: &Votes) {
        let participants: Vec<u32> = other.participants.ids.iter().map(|id| self.participants.intern(id)).collect();
        let statements: Vec<u32> = other.statements.ids.iter().map(|id| self.statements.intern(id)).collect();
        self.cast.extend(other.cast.iter().map(|c| Cast {
            participant: participants[c.participant as usize],
            statement_vote: statements[c.statement() as usize] << 2 | c.statement_vote & 3,
            timestamp: c.timestamp,
        }));
    }

    /// Every vote as read, in order: (participant id, statement id, vote, timestamp).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, i8, i64)> + '_ {
        self.cast.iter().map(|c| {
            (
                self.participants.ids[c.participant as usize].as_str(),
                self.statements.ids[c.statement() as usize].as_str(),
                c.value(),
                c.timestamp,
            )
        })
    }

    pub fn is_empty(&self) -> bool {
        self.cast.is_empty()
    }
}

impl<'a> FromIterator<&'a Vote> for Votes {
    fn from_iter<I: IntoIterator<Item = &'a Vote>>(iter: I) -> Votes {
        let mut votes = Votes::new();
        for v in iter {
            votes.push(&v.participant, &v.statement, v.value, v.timestamp);
        }
        votes
    }
}

impl From<&[Vote]> for Votes {
    fn from(votes: &[Vote]) -> Votes {
        votes.iter().collect()
    }
}

/// Votes from which the matrix is built on two threads.
const PARALLEL_VOTES: usize = 500_000;

/// A participant's row: (column, value) for every statement they voted on, by column.
pub type Row = Vec<(u32, i8)>;

pub struct VoteMatrix {
    /// Participant ids in row order: by their first vote, then by id.
    pub participants: Vec<String>,
    /// Statement ids in column order: by id (numerically where the ids are numbers).
    pub statements: Vec<String>,
    /// The raw votes per row (moderated-out statements included, as cast).
    pub rows: Vec<Row>,
    /// Columns moderated out: zero for every participant in the rating matrix.
    pub moderated_out: Vec<bool>,
}

impl VoteMatrix {
    /// Builds the matrix; a later vote (by timestamp, then by input order) on the same
    /// statement replaces an earlier one.
    pub fn build(votes: &Votes, moderated_out: &HashSet<String>) -> VoteMatrix {
        let n_people = votes.participants.ids.len();
        // Each participant's first vote decides the row order.
        let mut first_seen: Vec<(i64, usize)> = vec![(i64::MAX, usize::MAX); n_people];
        let mut per_person = vec![0usize; n_people + 1];
        for (i, v) in votes.cast.iter().enumerate() {
            let seen = &mut first_seen[v.participant as usize];
            if (v.timestamp, i) < *seen {
                *seen = (v.timestamp, i);
            }
            per_person[v.participant as usize + 1] += 1;
        }
        let mut people: Vec<u32> = (0..n_people as u32).collect();
        people.sort_by(|&a, &b| {
            first_seen[a as usize]
                .0
                .cmp(&first_seen[b as usize].0)
                .then_with(|| id_order(&votes.participants.ids[a as usize], &votes.participants.ids[b as usize]))
        });
        let mut statements: Vec<u32> = (0..votes.statements.ids.len() as u32).collect();
        statements.sort_by(|&a, &b| id_order(&votes.statements.ids[a as usize], &votes.statements.ids[b as usize]));
        let mut column_of = vec![0u32; statements.len()];
        for (c, &s) in statements.iter().enumerate() {
            column_of[s as usize] = c as u32;
        }

        for p in 0..n_people {
            per_person[p + 1] += per_person[p];
        }
        // For the people in `range`: their votes bucketed by person (input order kept), then
        // the latest vote per column in each bucket. Two halves of the people run on two
        // threads when there are many votes.
        let rows_of = |range: std::ops::Range<usize>| -> Vec<Row> {
            let base = per_person[range.start];
            let mut next: Vec<usize> = per_person[range.clone()].iter().map(|&o| o - base).collect();
            let mut bucket: Vec<(u32, i64, i8)> = vec![(0, 0, 0); per_person[range.end] - base];
            for v in &votes.cast {
                let p = v.participant as usize;
                if range.contains(&p) {
                    let at = &mut next[p - range.start];
                    bucket[*at] = (column_of[v.statement() as usize], v.timestamp, v.value());
                    *at += 1;
                }
            }
            // Per column: the person who last touched it, and their latest (time, vote) there.
            let mut touched_by = vec![usize::MAX; column_of.len()];
            let mut latest = vec![(0i64, 0i8); column_of.len()];
            let mut columns: Vec<u32> = Vec::new();
            range
                .map(|p| {
                    columns.clear();
                    for &(c, t, v) in &bucket[per_person[p] - base..per_person[p + 1] - base] {
                        let cu = c as usize;
                        if touched_by[cu] != p {
                            touched_by[cu] = p;
                            latest[cu] = (t, v);
                            columns.push(c);
                        } else if t >= latest[cu].0 {
                            // Same time: the later row of the input wins.
                            latest[cu] = (t, v);
                        }
                    }
                    columns.sort_unstable();
                    columns.iter().map(|&c| (c, latest[c as usize].1)).collect()
                })
                .collect()
        };
        let by_person: Vec<Row> = if votes.cast.len() < PARALLEL_VOTES {
            rows_of(0..n_people)
        } else {
            let half = n_people / 2;
            std::thread::scope(|scope| {
                let later = scope.spawn(|| rows_of(half..n_people));
                let mut rows = rows_of(0..half);
                rows.extend(later.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
                rows
            })
        };
        let mut row_of_person = vec![0usize; n_people];
        for (r, &p) in people.iter().enumerate() {
            row_of_person[p as usize] = r;
        }
        let mut rows: Vec<Row> = vec![Vec::new(); n_people];
        for (p, row) in by_person.into_iter().enumerate() {
            rows[row_of_person[p]] = row;
        }
        let statements: Vec<String> = statements.iter().map(|&s| votes.statements.ids[s as usize].clone()).collect();
        let moderated_out = statements.iter().map(|s| moderated_out.contains(s)).collect();
        VoteMatrix {
            participants: people.iter().map(|&p| votes.participants.ids[p as usize].clone()).collect(),
            statements,
            rows,
            moderated_out,
        }
    }

    pub fn n_rows(&self) -> usize {
        self.participants.len()
    }

    pub fn n_cols(&self) -> usize {
        self.statements.len()
    }

    pub fn n_moderated_out(&self) -> usize {
        self.moderated_out.iter().filter(|m| **m).count()
    }

    /// Votes cast per participant, passes and moderated statements included (Pol.is
    /// `user-vote-counts`).
    pub fn vote_counts(&self) -> Vec<usize> {
        self.rows.iter().map(Vec::len).collect()
    }

    /// The rating-matrix cells of one row that are not moderated out.
    pub fn rated(&self, row: usize) -> impl Iterator<Item = (usize, i8)> + '_ {
        self.rows[row].iter().map(|&(c, v)| (c as usize, v)).filter(|(c, _)| !self.moderated_out[*c])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(p: &str, s: &str, value: i8, timestamp: i64) -> Vote {
        Vote { participant: p.into(), statement: s.into(), value, timestamp }
    }

    #[test]
    fn latest_vote_wins_and_rows_follow_first_votes() {
        let votes = vec![vote("b", "2", 1, 5), vote("a", "10", -1, 7), vote("b", "2", -1, 9), vote("a", "2", 0, 8)];
        let m = VoteMatrix::build(&votes.as_slice().into(), &HashSet::new());
        assert_eq!(m.participants, ["b", "a"]);
        assert_eq!(m.statements, ["2", "10"], "numeric ids sort as numbers");
        assert_eq!(m.rows[0], vec![(0, -1)]);
        assert_eq!(m.rows[1], vec![(0, 0), (1, -1)]);
    }

    #[test]
    fn moderated_statements_are_not_rated() {
        let votes = vec![vote("a", "1", 1, 1), vote("a", "2", 1, 2)];
        let m = VoteMatrix::build(&votes.as_slice().into(), &["2".to_string()].into_iter().collect());
        assert_eq!(m.rated(0).collect::<Vec<_>>(), vec![(0, 1)]);
        assert_eq!(m.vote_counts(), vec![2]);
    }
}
