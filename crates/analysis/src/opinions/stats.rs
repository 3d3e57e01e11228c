//! What the groups think: representative statements per group, consensus across
//! everyone, group-informed consensus and the statement priorities used for routing —
//! with Pol.is' pseudo-counts and z-tests.

use serde::{Deserialize, Serialize};

use super::matrix::VoteMatrix;

/// Pol.is' hard-coded 90 % one-sided z threshold.
pub const Z90: f64 = 1.2816;

/// 2·√(n+1)·((s+1)/(n+1) − ½): is the share s/n above one half?
pub fn prop_test(s: f64, n: f64) -> f64 {
    2.0 * (n + 1.0).sqrt() * ((s + 1.0) / (n + 1.0) - 0.5)
}

/// Two-proportion z-test with one pseudo-count added to each of the four numbers.
pub fn two_prop_test(s1: f64, s2: f64, n1: f64, n2: f64) -> f64 {
    let (s1, s2, n1, n2) = (s1 + 1.0, s2 + 1.0, n1 + 1.0, n2 + 1.0);
    let (p1, p2) = (s1 / n1, s2 / n2);
    let pi = (s1 + s2) / (n1 + n2);
    if pi == 1.0 {
        return 0.0;
    }
    (p1 - p2) / (pi * (1.0 - pi) * (1.0 / n1 + 1.0 / n2)).sqrt()
}

/// Agree, disagree and seen counts of one statement within a set of participants.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    #[serde(rename = "A")]
    pub agree: u32,
    #[serde(rename = "D")]
    pub disagree: u32,
    #[serde(rename = "S")]
    pub seen: u32,
}

impl Tally {
    fn add(&mut self, v: i8) {
        self.seen += 1;
        match v {
            1 => self.agree += 1,
            -1 => self.disagree += 1,
            _ => {}
        }
    }
}

/// Tallies per column over `rows` of the rating matrix (moderated-out columns left empty)
/// or, with `raw`, over the votes as cast. Many votes are counted in two halves on two
/// threads (counts add up the same in any order).
pub fn tallies(m: &VoteMatrix, rows: &[usize], raw: bool) -> Vec<Tally> {
    let count = |rows: &[usize]| {
        let mut t = vec![Tally::default(); m.n_cols()];
        for &r in rows {
            if raw {
                for &(c, v) in &m.rows[r] {
                    t[c as usize].add(v);
                }
            } else {
                for (c, v) in m.rated(r) {
                    t[c].add(v);
                }
            }
        }
        t
    };
    let cells: usize = rows.iter().map(|&r| m.rows[r].len()).sum();
    if cells < PARALLEL_CELLS {
        return count(rows);
    }
    let (first, second) = rows.split_at(rows.len() / 2);
    let (mut t, other) = std::thread::scope(|scope| {
        let later = scope.spawn(|| count(second));
        (count(first), later.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    for (a, b) in t.iter_mut().zip(other) {
        a.agree += b.agree;
        a.disagree += b.disagree;
        a.seen += b.seen;
    }
    t
}

/// Votes from which counting is split over two threads.
const PARALLEL_CELLS: usize = 500_000;

/// Why a statement represents a group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Repness {
    /// Column index; the caller turns it into the statement id.
    #[serde(skip)]
    pub column: usize,
    pub direction: Direction,
    pub n_success: u32,
    pub n_trials: u32,
    /// Share of the group voting in `direction` (with pseudo-counts).
    pub p: f64,
    pub p_test: f64,
    /// That share relative to everyone else's.
    pub r: f64,
    /// The z-test of the difference, rounded to single precision as Pol.is stores it.
    pub r_test: f64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub best_agree: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Agree,
    Disagree,
}

struct Stat {
    column: usize,
    na: f64,
    nd: f64,
    ns: f64,
    pa: f64,
    pd: f64,
    pat: f64,
    pdt: f64,
    ra: f64,
    rd: f64,
    rat: f64,
    rdt: f64,
}

impl Stat {
    fn finalize(&self, best_agree: bool) -> Repness {
        let agree = self.rat > self.rdt;
        let (n, p, pt, r, rt) = if agree {
            (self.na, self.pa, self.pat, self.ra, self.rat)
        } else {
            (self.nd, self.pd, self.pdt, self.rd, self.rdt)
        };
        Repness {
            column: self.column,
            direction: if agree { Direction::Agree } else { Direction::Disagree },
            n_success: n as u32,
            n_trials: self.ns as u32,
            p,
            p_test: pt,
            r,
            r_test: f64::from(rt as f32),
            best_agree,
        }
    }

    fn metric(r: &Repness) -> f64 {
        r.r * r.r_test * r.p * r.p_test
    }
}

/// Representative statements of each group (Pol.is `select-rep-comments`).
pub fn repness(m: &VoteMatrix, groups: &[Vec<usize>]) -> Vec<Vec<Repness>> {
    let per_group: Vec<Vec<Tally>> = groups.iter().map(|g| tallies(m, g, false)).collect();
    let mut total = vec![Tally::default(); m.n_cols()];
    for t in &per_group {
        for (c, x) in t.iter().enumerate() {
            total[c].agree += x.agree;
            total[c].disagree += x.disagree;
            total[c].seen += x.seen;
        }
    }
    per_group
        .iter()
        .map(|tally| {
            let stats = (0..m.n_cols()).filter(|&c| !m.moderated_out[c]).map(|c| {
                let t = tally[c];
                let (na, nd, ns) = (f64::from(t.agree), f64::from(t.disagree), f64::from(t.seen));
                let other_a = f64::from(total[c].agree - t.agree);
                let other_d = f64::from(total[c].disagree - t.disagree);
                let other_s = f64::from(total[c].seen - t.seen);
                let pa = (na + 1.0) / (ns + 2.0);
                let pd = (nd + 1.0) / (ns + 2.0);
                Stat {
                    column: c,
                    na,
                    nd,
                    ns,
                    pa,
                    pd,
                    pat: prop_test(na, ns),
                    pdt: prop_test(nd, ns),
                    ra: pa / ((other_a + 1.0) / (other_s + 2.0)),
                    rd: pd / ((other_d + 1.0) / (other_s + 2.0)),
                    rat: two_prop_test(na, other_a, ns, other_s),
                    rdt: two_prop_test(nd, other_d, ns, other_s),
                }
            });
            select(stats)
        })
        .collect()
}

fn select(stats: impl Iterator<Item = Stat>) -> Vec<Repness> {
    let mut sufficient: Vec<Repness> = Vec::new();
    let mut best: Option<Repness> = None;
    let mut best_agree: Option<Stat> = None;
    for s in stats {
        if (s.rat > Z90 && s.pat > Z90) || (s.rdt > Z90 && s.pdt > Z90) {
            sufficient.push(s.finalize(false));
        }
        if sufficient.is_empty() && best.as_ref().is_none_or(|b| s.rat.max(s.rdt) > b.r_test) {
            best = Some(s.finalize(false));
        }
        if s.na == 0.0 && s.nd == 0.0 {
            continue;
        }
        let replace = match &best_agree {
            Some(b) if b.ra > 1.0 => s.ra * s.rat * s.pa * s.pat > b.ra * b.rat * b.pa * b.pat,
            Some(b) => s.pa * s.pat > b.pa * b.pat,
            None => s.pat > Z90 || (s.ra > 1.0 && s.pa > 0.5),
        };
        if replace {
            best_agree = Some(s);
        }
    }
    let best_agree = best_agree.map(|s| s.finalize(true));
    if sufficient.is_empty() {
        return best_agree.or(best).into_iter().collect();
    }
    if let Some(b) = &best_agree {
        sufficient.retain(|r| r.column != b.column);
    }
    // Stable sort, descending by the repness metric.
    sufficient.sort_by(|a, b| Stat::metric(b).total_cmp(&Stat::metric(a)));
    let mut chosen: Vec<Repness> = best_agree.into_iter().chain(sufficient).take(5).collect();
    chosen.sort_by_key(|r| r.direction == Direction::Disagree);
    chosen
}

/// Statements most of everyone agrees (or disagrees) with: share above one half and
/// significant, the five strongest each way, as column indices.
pub fn consensus(m: &VoteMatrix) -> (Vec<usize>, Vec<usize>) {
    let all: Vec<usize> = (0..m.n_rows()).collect();
    let t = tallies(m, &all, false);
    let pick = |count: fn(&Tally) -> u32| {
        let mut chosen: Vec<(usize, f64)> = (0..m.n_cols())
            .filter(|&c| !m.moderated_out[c])
            .filter_map(|c| {
                let (s, n) = (f64::from(count(&t[c])), f64::from(t[c].seen));
                let p = (s + 1.0) / (n + 2.0);
                let test = prop_test(s, n);
                (p > 0.5 && test > Z90).then_some((c, p * test))
            })
            .collect();
        chosen.sort_by(|a, b| b.1.total_cmp(&a.1));
        chosen.into_iter().take(5).map(|(c, _)| c).collect()
    };
    (pick(|t| t.agree), pick(|t| t.disagree))
}

/// Group-informed consensus: per statement, the product over groups of each group's
/// agree share (with pseudo-counts), from the votes as cast.
pub fn group_informed_consensus(group_votes: &[Vec<Tally>], n_cols: usize) -> Vec<f64> {
    (0..n_cols)
        .map(|c| group_votes.iter().map(|g| (f64::from(g[c].agree) + 1.0) / (f64::from(g[c].seen) + 2.0)).product())
        .collect()
}

/// How strongly each statement should be shown next (Pol.is comment priorities), from the
/// previous run's group tallies summed over groups and this run's extremity.
pub fn priorities(previous: &[Tally], extremity: &[f64], meta: &[bool]) -> Vec<f64> {
    extremity
        .iter()
        .enumerate()
        .map(|(c, e)| {
            if meta[c] {
                return 49.0;
            }
            let t = previous.get(c).copied().unwrap_or_default();
            let (a, d, s) = (f64::from(t.agree), f64::from(t.disagree), f64::from(t.seen));
            let passes = s - (a + d);
            let importance = (1.0 - (passes + 1.0) / (s + 2.0)) * (e + 1.0) * (a + 1.0) / (s + 2.0);
            (importance * (1.0 + 8.0 * 2f64.powf(-s / 5.0))).powi(2)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn z_tests_match_the_polis_vectors() {
        // math/test/stats_test.clj checks −1.518 with a tolerance of 0.01.
        assert!((two_prop_test(15.0, 56.0, 24.0, 71.0) - -1.518).abs() < 0.01);
        // 15 agrees of 16: p = 16/18, p-test = 2√17(16/17 − ½) = 3.638.
        assert!((prop_test(15.0, 16.0) - 3.638_034_375_544_994).abs() < 1e-12);
    }
}
