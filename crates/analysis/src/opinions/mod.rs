//! Opinion groups the way Pol.is finds them (see `reference/polis-math.md` in the shared
//! documents): the vote matrix, PCA, participants' positions, base clusters, groups,
//! representative statements, consensus and statement priorities.
//!
//! [`analyse`] is one run. Given the [`State`] of the previous run it continues from it as
//! Pol.is does between ticks (participants once in stay in, components keep their sign,
//! base clusters and groups start from where they were, k is smoothed), so an application
//! can recompute after every batch of votes.
//!
//! Deliberate differences from the Pol.is worker, each for determinism or exactness:
//! the PCA is exact at every size (no sampling, no unseeded power iteration); components
//! take a deterministic sign; participants are ordered by their first vote (then id), not
//! by the database's order, so renumbering people or statements changes nothing; group
//! k-means keeps the best of several seeded starts.

pub mod cluster;
pub mod matrix;
pub mod pca;
pub mod stats;

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use cluster::{Cluster, KSmoother};
use matrix::VoteMatrix;
pub use matrix::{NotUtf8, Votes};
use stats::{Repness, Tally};

/// One vote: agree = +1, disagree = −1, pass = 0. A later vote (by timestamp) on the same
/// statement replaces an earlier one.
#[derive(Clone, Debug, PartialEq)]
pub struct Vote {
    pub participant: String,
    pub statement: String,
    pub value: i8,
    pub timestamp: i64,
}

/// Orders ids numerically when both are whole numbers, else as text.
pub fn id_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        _ => a.cmp(b),
    }
}

/// What a run gets besides the votes.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Statements moderated out (their columns count as seen but carry no opinion).
    pub moderated_out: HashSet<String>,
    /// Meta statements: moderated out, and always given priority 49.
    pub meta: HashSet<String>,
    /// Given groups (participant id, group name): skip clustering and describe these.
    pub groups: Option<Vec<(String, String)>>,
}

/// An id as the input had it: written as a number when it is one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Id(pub String);

impl Serialize for Id {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.parse::<i64>() {
            Ok(n) if n.to_string() == self.0 => s.serialize_i64(n),
            _ => s.serialize_str(&self.0),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PcaOut {
    /// Statement ids in column order.
    pub statements: Vec<Id>,
    pub center: Vec<f64>,
    pub components: Vec<Vec<f64>>,
    /// Where agreeing with only that statement would put a participant.
    pub statement_projections: Vec<[f64; 2]>,
    pub statement_extremity: Vec<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RepStatement {
    pub statement: Id,
    #[serde(flatten)]
    pub stats: Repness,
}

#[derive(Clone, Debug, Serialize)]
pub struct Group {
    pub id: usize,
    /// The given group's name (with `--groups`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub members: Vec<Id>,
    pub repness: Vec<RepStatement>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Consensus {
    pub agree: Vec<Id>,
    pub disagree: Vec<Id>,
}

/// The result of a run, in the shape of `samskab analyse opinions --format json`.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub participants: usize,
    pub statements: usize,
    pub in_conv: Vec<Id>,
    pub pca: PcaOut,
    /// Every participant's position, in row order.
    #[serde(serialize_with = "as_map")]
    pub projections: Vec<(String, [f64; 2])>,
    pub groups: Vec<Group>,
    pub consensus: Consensus,
    #[serde(serialize_with = "as_map")]
    pub group_informed_consensus: Vec<(String, f64)>,
    #[serde(serialize_with = "as_map")]
    pub priorities: Vec<(String, f64)>,
    /// How the number of groups was chosen (absent with given groups).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clustering: Option<ClusteringInfo>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ClusteringInfo {
    pub base_clusters: usize,
    /// Silhouette per k tried.
    pub silhouette: BTreeMap<usize, f64>,
    /// The best k of this run, and the k used after smoothing.
    pub best_k: usize,
    pub k: usize,
}

fn as_map<S: serde::Serializer, V: Serialize>(pairs: &[(String, V)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// A base cluster between runs, by participant id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaseCluster {
    pub id: usize,
    pub members: Vec<String>,
    pub center: [f64; 2],
}

/// What one run hands to the next.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub statements: Vec<String>,
    pub components: Vec<Vec<f64>>,
    pub in_conv: Vec<String>,
    pub base_clusters: Vec<BaseCluster>,
    /// The group centres found for each k.
    pub group_centers: BTreeMap<usize, Vec<[f64; 2]>>,
    pub smoother: KSmoother,
    /// Tallies per statement id, summed over the groups (for priorities).
    pub group_votes: BTreeMap<String, Tally>,
}

/// Participants with at least this many votes (or as many as there are statements) are
/// clustered; fewer than [`IN_CONV_MIN`] such people are topped up by vote count.
const VOTES_TO_JOIN: usize = 7;
const IN_CONV_MIN: usize = 15;
/// Seed of the extra group k-means starts.
const SEED: u64 = 0x5A3D_C0DE;
/// Base clusters from which the group k-means for the candidate ks run on two threads.
const PARALLEL_BASE_CLUSTERS: usize = 50;

/// One run over all votes so far, continuing from `previous` when given.
pub fn analyse(votes: &Votes, options: &Options, previous: Option<&State>) -> (Analysis, State) {
    let out: HashSet<String> = options.moderated_out.union(&options.meta).cloned().collect();
    let m = VoteMatrix::build(votes, &out);
    let row_of: HashMap<&str, usize> = m.participants.iter().enumerate().map(|(i, p)| (p.as_str(), i)).collect();
    let in_conv = in_conversation(&m, previous, &row_of);

    // PCA, with the previous components laid out in this run's columns for the sign.
    let prev_components: Option<Vec<Vec<f64>>> = previous.filter(|p| !p.components.is_empty()).map(|p| {
        let at: HashMap<&str, usize> = p.statements.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
        p.components
            .iter()
            .map(|comp| m.statements.iter().map(|s| at.get(s.as_str()).map_or(0.0, |&i| comp[i])).collect())
            .collect()
    });
    let pca = pca::pca(&m, prev_components.as_deref());
    let positions = pca::project_participants(&m, &pca);
    let (statement_projections, extremity) = pca::project_statements(&m, &pca);

    let mut state = State {
        statements: m.statements.clone(),
        components: pca.components.clone(),
        in_conv: in_conv.iter().map(|&r| m.participants[r].clone()).collect(),
        ..State::default()
    };
    let (groups, names, clustering): (Vec<Vec<usize>>, Vec<Option<String>>, Option<ClusteringInfo>) =
        match &options.groups {
            Some(given) => {
                let (g, n) = given_groups(given, &row_of);
                (g, n, None)
            }
            None => {
                let (g, info) = find_groups(&positions, &in_conv, &m, previous, &row_of, &mut state);
                let n = vec![None; g.len()];
                (g, n, Some(info))
            }
        };

    let ids = |cols: &[usize]| cols.iter().map(|&c| Id(m.statements[c].clone())).collect::<Vec<_>>();
    let rep = stats::repness(&m, &groups);
    let group_votes: Vec<Vec<Tally>> = groups.iter().map(|g| stats::tallies(&m, g, true)).collect();
    let gac = stats::group_informed_consensus(&group_votes, m.n_cols());
    let (agree, disagree) = stats::consensus(&m);
    let previous_votes: Vec<Tally> =
        m.statements.iter().map(|s| previous.and_then(|p| p.group_votes.get(s)).copied().unwrap_or_default()).collect();
    let meta: Vec<bool> = m.statements.iter().map(|s| options.meta.contains(s)).collect();
    let priorities = stats::priorities(&previous_votes, &extremity, &meta);
    for (c, s) in m.statements.iter().enumerate() {
        let mut sum = Tally::default();
        for g in &group_votes {
            sum.agree += g[c].agree;
            sum.disagree += g[c].disagree;
            sum.seen += g[c].seen;
        }
        state.group_votes.insert(s.clone(), sum);
    }

    let analysis = Analysis {
        participants: m.n_rows(),
        statements: m.n_cols(),
        in_conv: in_conv.iter().map(|&r| Id(m.participants[r].clone())).collect(),
        pca: PcaOut {
            statements: ids(&(0..m.n_cols()).collect::<Vec<_>>()),
            center: pca.center.clone(),
            components: pca.components.clone(),
            statement_projections,
            statement_extremity: extremity,
        },
        projections: m.participants.iter().cloned().zip(positions.iter().copied()).collect(),
        groups: groups
            .iter()
            .zip(rep)
            .zip(names)
            .enumerate()
            .map(|(id, ((members, rep), name))| Group {
                id,
                name,
                members: members.iter().map(|&r| Id(m.participants[r].clone())).collect(),
                repness: rep
                    .into_iter()
                    .map(|r| RepStatement { statement: Id(m.statements[r.column].clone()), stats: r })
                    .collect(),
            })
            .collect(),
        consensus: Consensus { agree: ids(&agree), disagree: ids(&disagree) },
        group_informed_consensus: m.statements.iter().cloned().zip(gac).collect(),
        priorities: m.statements.iter().cloned().zip(priorities).collect(),
        clustering,
    };
    (analysis, state)
}

/// Rows of the participants who are clustered: those already in, those with enough votes,
/// and, while fewer than 15, the most active of the rest. In row order.
fn in_conversation(m: &VoteMatrix, previous: Option<&State>, row_of: &HashMap<&str, usize>) -> Vec<usize> {
    let counts = m.vote_counts();
    let threshold = VOTES_TO_JOIN.min(m.n_cols());
    let mut inside = vec![false; m.n_rows()];
    for id in previous.map(|p| p.in_conv.as_slice()).unwrap_or_default() {
        if let Some(&r) = row_of.get(id.as_str()) {
            inside[r] = true;
        }
    }
    for (r, &n) in counts.iter().enumerate() {
        if n >= threshold && n > 0 {
            inside[r] = true;
        }
    }
    let mut missing = IN_CONV_MIN.saturating_sub(inside.iter().filter(|x| **x).count());
    if missing > 0 {
        let mut rest: Vec<usize> = (0..m.n_rows()).filter(|&r| !inside[r] && counts[r] > 0).collect();
        rest.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
        for r in rest {
            if missing == 0 {
                break;
            }
            inside[r] = true;
            missing -= 1;
        }
    }
    (0..m.n_rows()).filter(|&r| inside[r]).collect()
}

/// Given groups as row lists, in the order of the groups' names; people without votes
/// are left out.
fn given_groups(given: &[(String, String)], row_of: &HashMap<&str, usize>) -> (Vec<Vec<usize>>, Vec<Option<String>>) {
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for (participant, group) in given {
        if let Some(&r) = row_of.get(participant.as_str())
            && seen.insert(r)
        {
            by_name.entry(group.as_str()).or_default().push(r);
        }
    }
    let mut names: Vec<&str> = by_name.keys().copied().collect();
    names.sort_by(|a, b| id_order(a, b));
    let groups = names
        .iter()
        .map(|n| {
            let mut rows = by_name[n].clone();
            rows.sort_unstable();
            rows
        })
        .collect();
    (groups, names.into_iter().map(|n| Some(n.to_string())).collect())
}

/// Base clusters of the clustered participants, then groups of base clusters for each k
/// allowed, keeping the k with the best silhouette (smoothed across runs).
fn find_groups(
    positions: &[[f64; 2]],
    in_conv: &[usize],
    m: &VoteMatrix,
    previous: Option<&State>,
    row_of: &HashMap<&str, usize>,
    state: &mut State,
) -> (Vec<Vec<usize>>, ClusteringInfo) {
    let points: Vec<[f64; 2]> = in_conv.iter().map(|&r| positions[r]).collect();
    let point_of: HashMap<usize, usize> = in_conv.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    let prev_base: Option<Vec<Cluster>> = previous.map(|p| {
        p.base_clusters
            .iter()
            .map(|b| Cluster {
                id: b.id,
                members: b
                    .members
                    .iter()
                    .filter_map(|id| row_of.get(id.as_str()).and_then(|r| point_of.get(r)).copied())
                    .collect(),
                center: b.center,
            })
            .collect()
    });
    let base = cluster::base_clusters(&points, prev_base.as_deref());
    state.base_clusters = base
        .iter()
        .map(|b| BaseCluster {
            id: b.id,
            members: b.members.iter().map(|&i| m.participants[in_conv[i]].clone()).collect(),
            center: b.center,
        })
        .collect();
    let centers: Vec<[f64; 2]> = base.iter().map(|b| b.center).collect();
    let weights: Vec<f64> = base.iter().map(|b| b.members.len() as f64).collect();
    let max_k = cluster::max_k(base.len()).min(base.len());
    let distances = cluster::distances(&centers);
    let mut silhouettes = BTreeMap::new();
    let mut clusterings = BTreeMap::new();
    let groups_for = |ks: &[usize]| -> Vec<(usize, Vec<Cluster>, f64)> {
        ks.iter()
            .map(|&k| {
                let prev = previous.and_then(|p| p.group_centers.get(&k)).map(Vec::as_slice);
                let groups = cluster::group_kmeans(&centers, &weights, k, prev, SEED);
                let silhouette = cluster::silhouette(&distances, &groups);
                (k, groups, silhouette)
            })
            .collect()
    };
    let ks: Vec<usize> = (2..=max_k).collect();
    // Each k is independent (its own seed): with enough base clusters the ks are shared
    // between two threads.
    let found = if centers.len() < PARALLEL_BASE_CLUSTERS || ks.len() < 2 {
        groups_for(&ks)
    } else {
        // The work grows with k: the largest k first, each to the thread with less so far.
        let (mut one, mut other) = (Vec::new(), Vec::new());
        for &k in ks.iter().rev() {
            let load = |ks: &Vec<usize>| ks.iter().sum::<usize>();
            if load(&one) <= load(&other) { one.push(k) } else { other.push(k) }
        }
        std::thread::scope(|scope| {
            let later = scope.spawn(|| groups_for(&other));
            let mut found = groups_for(&one);
            found.extend(later.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
            found
        })
    };
    for (k, groups, silhouette) in found {
        silhouettes.insert(k, silhouette);
        state.group_centers.insert(k, groups.iter().map(|g| g.center).collect());
        clusterings.insert(k, groups);
    }
    // The best silhouette; on a tie the larger k, as Pol.is' max-key.
    let best_k = silhouettes.iter().fold(None, |best: Option<(usize, f64)>, (&k, &s)| match best {
        Some((_, bs)) if s < bs => best,
        _ => Some((k, s)),
    });
    let (groups, best_k, k) = match best_k {
        Some((this_k, _)) => {
            let smoother = previous.map(|p| p.smoother.clone()).unwrap_or_default();
            state.smoother = smoother.update(this_k, 2..=max_k);
            let k = state.smoother.smoothed_k.unwrap_or(this_k);
            let chosen = clusterings.remove(&k).unwrap_or_default();
            let groups = chosen
                .iter()
                .map(|g| {
                    let mut rows: Vec<usize> =
                        g.members.iter().flat_map(|&b| base[b].members.iter().map(|&i| in_conv[i])).collect();
                    rows.sort_unstable();
                    rows
                })
                .collect();
            (groups, this_k, k)
        }
        // Fewer than two base clusters: everyone clustered is one group.
        None if !in_conv.is_empty() => (vec![in_conv.to_vec()], 1, 1),
        None => (Vec::new(), 0, 0),
    };
    (groups, ClusteringInfo { base_clusters: base.len(), silhouette: silhouettes, best_k, k })
}
