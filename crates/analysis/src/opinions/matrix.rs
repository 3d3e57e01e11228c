//! The vote matrix: participants × statements, latest vote wins, moderated-out statements
//! zeroed for everyone (Pol.is `rating-mat`), stored sparsely by row.

use std::collections::{HashMap, HashSet};

use super::{Vote, id_order};

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
    /// Builds the matrix from votes in any order; a later vote (by timestamp, then by input
    /// order) on the same statement replaces an earlier one.
    pub fn build(votes: &[Vote], moderated_out: &HashSet<String>) -> VoteMatrix {
        let mut latest: HashMap<(&str, &str), (i64, usize)> = HashMap::new();
        let mut first_seen: HashMap<&str, (i64, usize)> = HashMap::new();
        for (i, v) in votes.iter().enumerate() {
            let key = (v.participant.as_str(), v.statement.as_str());
            match latest.get(&key) {
                Some(&(t, _)) if t > v.timestamp => {}
                _ => {
                    latest.insert(key, (v.timestamp, i));
                }
            }
            let seen = first_seen.entry(v.participant.as_str()).or_insert((v.timestamp, i));
            if (v.timestamp, i) < *seen {
                *seen = (v.timestamp, i);
            }
        }
        let mut participants: Vec<&str> = first_seen.keys().copied().collect();
        participants.sort_by(|a, b| first_seen[a].0.cmp(&first_seen[b].0).then_with(|| id_order(a, b)));
        let mut statements: Vec<&str> = latest.keys().map(|(_, s)| *s).collect::<HashSet<_>>().into_iter().collect();
        statements.sort_by(|a, b| id_order(a, b));
        let row_of: HashMap<&str, usize> = participants.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let col_of: HashMap<&str, u32> = statements.iter().enumerate().map(|(i, s)| (*s, i as u32)).collect();
        let mut rows: Vec<Row> = vec![Vec::new(); participants.len()];
        for ((p, s), (_, i)) in &latest {
            rows[row_of[p]].push((col_of[s], votes[*i].value.signum()));
        }
        for r in &mut rows {
            r.sort_unstable_by_key(|(c, _)| *c);
        }
        let moderated_out = statements.iter().map(|s| moderated_out.contains(*s)).collect();
        VoteMatrix {
            participants: participants.into_iter().map(str::to_string).collect(),
            statements: statements.into_iter().map(str::to_string).collect(),
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
        let m = VoteMatrix::build(&votes, &HashSet::new());
        assert_eq!(m.participants, ["b", "a"]);
        assert_eq!(m.statements, ["2", "10"], "numeric ids sort as numbers");
        assert_eq!(m.rows[0], vec![(0, -1)]);
        assert_eq!(m.rows[1], vec![(0, 0), (1, -1)]);
    }

    #[test]
    fn moderated_statements_are_not_rated() {
        let votes = vec![vote("a", "1", 1, 1), vote("a", "2", 1, 2)];
        let m = VoteMatrix::build(&votes, &["2".to_string()].into_iter().collect());
        assert_eq!(m.rated(0).collect::<Vec<_>>(), vec![(0, 1)]);
        assert_eq!(m.vote_counts(), vec![2]);
    }
}
