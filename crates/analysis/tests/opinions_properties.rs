//! Properties of the opinion engine that do not depend on any reference: planted groups
//! are found, renumbering changes nothing, runs are deterministic, duplicating everyone
//! changes no direction, the update path continues a previous run, and degenerate input
//! gives an answer instead of a panic.

#![allow(clippy::expect_used, clippy::panic)]

use std::collections::{BTreeSet, HashMap};

use analysis::metrics::adjusted_rand_index;
use analysis::opinions::{Analysis, Id, Options, Vote, analyse};
use analysis::rng::SplitMix64 as Rng;

/// `groups` planted opinion groups: each statement has a stance per group; a participant
/// votes on `share` of the statements, following their group's stance with 85 % and
/// otherwise passing or voting the other way.
fn planted(people: usize, statements: usize, groups: usize, share: f64, seed: u64) -> (Vec<Vote>, Vec<usize>) {
    let mut rng = Rng(seed);
    let stance: Vec<Vec<i8>> =
        (0..groups).map(|_| (0..statements).map(|_| if rng.unit() < 0.5 { 1 } else { -1 }).collect()).collect();
    let mut votes = Vec::new();
    let mut truth = Vec::new();
    let mut t = 0;
    for p in 0..people {
        let g = p % groups;
        truth.push(g);
        for (s, &side) in stance[g].iter().enumerate() {
            if rng.unit() >= share {
                continue;
            }
            let r = rng.unit();
            let value = if r < 0.85 {
                side
            } else if r < 0.93 {
                0
            } else {
                -side
            };
            t += 1;
            votes.push(Vote { participant: format!("p{p}"), statement: format!("{s}"), value, timestamp: t });
        }
    }
    (votes, truth)
}

fn ids(v: &[Id]) -> Vec<String> {
    v.iter().map(|id| id.0.clone()).collect()
}

/// Each participant's group, as sets of participant ids (labels do not matter).
fn partition(a: &Analysis) -> BTreeSet<BTreeSet<String>> {
    a.groups.iter().map(|g| ids(&g.members).into_iter().collect()).collect()
}

fn ari_against(a: &Analysis, truth: &[usize], id_of: impl Fn(usize) -> String) -> f64 {
    let group_of: HashMap<String, usize> =
        a.groups.iter().flat_map(|g| ids(&g.members).into_iter().map(move |m| (m, g.id))).collect();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (p, t) in truth.iter().enumerate() {
        if let Some(g) = group_of.get(&id_of(p)) {
            x.push(*g);
            y.push(*t);
        }
    }
    adjusted_rand_index(&x, &y)
}

#[test]
fn planted_three_groups_come_out_as_three_groups() {
    for seed in [1, 2, 3] {
        let (votes, truth) = planted(300, 40, 3, 0.6, seed);
        let (a, _) = analyse(&votes[..].into(), &Options::default(), None);
        assert_eq!(a.groups.len(), 3, "seed {seed}: {:?}", a.clustering);
        let ari = ari_against(&a, &truth, |p| format!("p{p}"));
        assert!(ari > 0.99, "seed {seed}: ARI {ari}");
    }
}

#[test]
fn planted_groups_with_many_statements_use_the_sparse_solver() {
    // 400 statements is above the dense limit: the Lanczos path must find the same groups.
    let (votes, truth) = planted(240, 400, 3, 0.2, 9);
    let (a, _) = analyse(&votes[..].into(), &Options::default(), None);
    assert_eq!(a.groups.len(), 3);
    assert!(ari_against(&a, &truth, |p| format!("p{p}")) > 0.99);
}

#[test]
fn renumbering_participants_and_statements_changes_nothing() {
    let (votes, _) = planted(200, 30, 3, 0.5, 4);
    let (a, _) = analyse(&votes[..].into(), &Options::default(), None);
    // New ids in a different order, the votes shuffled; timestamps kept.
    let renamed: Vec<Vote> = votes
        .iter()
        .rev()
        .map(|v| Vote {
            participant: format!("x{}", 1000 - v.participant[1..].parse::<i64>().expect("id")),
            statement: format!("{}", 500 - v.statement.parse::<i64>().expect("id")),
            ..v.clone()
        })
        .collect();
    let (b, _) = analyse(&renamed[..].into(), &Options::default(), None);
    let back = |id: &str| format!("p{}", 1000 - id[1..].parse::<i64>().expect("id"));
    let renamed_partition: BTreeSet<BTreeSet<String>> =
        partition(&b).into_iter().map(|g| g.into_iter().map(|m| back(&m)).collect()).collect();
    assert_eq!(partition(&a), renamed_partition);
    for (id, xy) in &a.projections {
        let other = b.projections.iter().find(|(p, _)| back(p) == *id).expect("same participant").1;
        assert!((xy[0] - other[0]).abs() < 1e-9 && (xy[1] - other[1]).abs() < 1e-9, "{id}");
    }
}

#[test]
fn the_same_input_gives_the_same_output() {
    let (votes, _) = planted(180, 25, 4, 0.5, 5);
    let (a, sa) = analyse(&votes[..].into(), &Options::default(), None);
    let (b, sb) = analyse(&votes[..].into(), &Options::default(), None);
    assert_eq!(serde_json::to_string(&a).expect("json"), serde_json::to_string(&b).expect("json"));
    assert_eq!(sa, sb);
}

#[test]
fn duplicating_every_participant_keeps_the_map() {
    let (votes, _) = planted(120, 20, 2, 0.7, 6);
    let twins: Vec<Vote> = votes
        .iter()
        .cloned()
        .chain(votes.iter().map(|v| Vote { participant: format!("{}-twin", v.participant), ..v.clone() }))
        .collect();
    let (a, _) = analyse(&votes[..].into(), &Options::default(), None);
    let (b, _) = analyse(&twins[..].into(), &Options::default(), None);
    for k in 0..2 {
        for (x, y) in a.pca.components[k].iter().zip(&b.pca.components[k]) {
            assert!((x - y).abs() < 1e-9, "component {k}");
        }
    }
    let twin_of: HashMap<&str, [f64; 2]> = b.projections.iter().map(|(p, xy)| (p.as_str(), *xy)).collect();
    for (p, xy) in &a.projections {
        let t = twin_of[format!("{p}-twin").as_str()];
        assert!((xy[0] - t[0]).abs() < 1e-9 && (xy[1] - t[1]).abs() < 1e-9);
    }
}

#[test]
fn the_update_path_continues_the_previous_run() {
    let (votes, truth) = planted(300, 40, 3, 0.6, 7);
    let half = votes.len() / 2;
    let (first, state) = analyse(&votes[..half].into(), &Options::default(), None);
    let (next, next_state) = analyse(&votes[..].into(), &Options::default(), Some(&state));
    // Once in, always in.
    let before: BTreeSet<String> = ids(&first.in_conv).into_iter().collect();
    let after: BTreeSet<String> = ids(&next.in_conv).into_iter().collect();
    assert!(before.is_subset(&after));
    // Components keep their direction.
    for k in 0..2 {
        let dot: f64 = state.components[k].iter().zip(&next_state.components[k]).map(|(x, y)| x * y).sum();
        assert!(dot > 0.0, "component {k} flipped");
    }
    // Base-cluster ids carry over, and the groups are still the planted ones.
    let old: BTreeSet<usize> = state.base_clusters.iter().map(|b| b.id).collect();
    let new: BTreeSet<usize> = next_state.base_clusters.iter().map(|b| b.id).collect();
    assert!(!old.is_disjoint(&new), "warm start keeps base-cluster ids");
    assert_eq!(next_state.smoother.last_k, Some(3));
    // Half the votes already show the groups; all of them, continued from there, more so.
    // (A few people with few, noisy votes may sit with another group; that is the data.)
    let (ari_first, ari_next) =
        (ari_against(&first, &truth, |p| format!("p{p}")), ari_against(&next, &truth, |p| format!("p{p}")));
    assert!(ari_first > 0.95 && ari_next > 0.97 && ari_next >= ari_first, "ARI {ari_first} then {ari_next}");
    // A state survives a round trip through JSON (the app stores it).
    let stored: analysis::opinions::State =
        serde_json::from_str(&serde_json::to_string(&next_state).expect("json")).expect("state");
    assert_eq!(stored, next_state);
}

fn vote(p: &str, s: &str, value: i8, timestamp: i64) -> Vote {
    Vote { participant: p.into(), statement: s.into(), value, timestamp }
}

#[test]
fn degenerate_conversations_get_an_answer() {
    let cases: Vec<(&str, Vec<Vote>)> = vec![
        ("no votes", vec![]),
        ("one participant", vec![vote("a", "1", 1, 1), vote("a", "2", -1, 2)]),
        ("one statement", (0..20).map(|i| vote(&format!("p{i}"), "1", if i % 2 == 0 { 1 } else { -1 }, i)).collect()),
        (
            "all passes",
            (0..30).flat_map(|i| (0..5).map(move |s| vote(&format!("p{i}"), &s.to_string(), 0, i * 10 + s))).collect(),
        ),
        (
            "everyone agrees",
            (0..30).flat_map(|i| (0..5).map(move |s| vote(&format!("p{i}"), &s.to_string(), 1, i * 10 + s))).collect(),
        ),
        ("two people", vec![vote("a", "1", 1, 1), vote("b", "1", -1, 2)]),
    ];
    for (name, votes) in cases {
        let (a, state) = analyse(&votes[..].into(), &Options::default(), None);
        let text = serde_json::to_string(&a).expect("serialisable");
        assert!(!text.contains("NaN") && !text.contains("null"), "{name}: {text}");
        for g in &a.groups {
            assert!(!g.members.is_empty(), "{name}: empty group");
        }
        // And a second run from that state.
        let (b, _) = analyse(&votes[..].into(), &Options::default(), Some(&state));
        assert_eq!(a.participants, b.participants, "{name}");
    }
    let moderated = Options { moderated_out: ["1".to_string()].into_iter().collect(), ..Options::default() };
    let (a, _) = analyse(&[vote("a", "1", 1, 1), vote("b", "1", 1, 2)][..].into(), &moderated, None);
    assert!(a.consensus.agree.is_empty(), "a moderated statement is never consensus");
}
