//! The engine against the original Pol.is (Clojure) output in
//! `tests/data/polis-reference/`: PCA equal up to sign, participants' positions,
//! and — given Pol.is' own groups — the same representative statements, consensus and
//! group-informed consensus. The reference outputs are end states of incremental runs, so
//! the cold run's own partition is only reported (ARI), not required to match.

#![allow(clippy::expect_used, clippy::panic)] // a test fails by panicking

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use analysis::metrics::adjusted_rand_index;
use analysis::opinions::{Analysis, Options, Vote, analyse};
use serde_json::Value;

fn reference_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/polis-reference").join(name)
}

fn read_json(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn int(v: &Value) -> i64 {
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The first of `keys` the record has (the fixtures use two spellings).
fn field<'a>(v: &'a Value, keys: &[&str]) -> &'a Value {
    keys.iter().map(|k| &v[*k]).find(|x| !x.is_null()).unwrap_or(&Value::Null)
}

fn float(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

struct Case {
    name: &'static str,
    votes: Vec<Vote>,
    options: Options,
    math: Value,
}

fn load(name: &'static str) -> Case {
    let dir = reference_dir(name);
    let votes = read_json(dir.join("votes.json"))
        .as_array()
        .expect("votes")
        .iter()
        .map(|v| Vote {
            participant: int(field(v, &["pid", "participant_id"])).to_string(),
            statement: int(field(v, &["tid", "statement_id"])).to_string(),
            value: int(&v["vote"]) as i8,
            timestamp: int(&v["modified"]),
        })
        .collect();
    let mut options = Options::default();
    for c in read_json(dir.join("comments.json")).as_array().expect("comments") {
        let tid = int(field(c, &["tid", "statement_id"])).to_string();
        if int(field(c, &["mod", "moderated"])) == -1 {
            options.moderated_out.insert(tid.clone());
        }
        if c["is_meta"].as_bool() == Some(true) {
            options.meta.insert(tid);
        }
    }
    Case { name, votes, options, math: read_json(dir.join("math-pca2.json")) }
}

/// Pol.is' groups as participant → group, through the base clusters.
fn reference_groups(math: &Value) -> Vec<(String, String)> {
    let base = &math["base-clusters"];
    let members_of: HashMap<i64, Vec<i64>> = base["id"]
        .as_array()
        .expect("ids")
        .iter()
        .zip(base["members"].as_array().expect("members"))
        .map(|(id, m)| (int(id), m.as_array().expect("list").iter().map(int).collect()))
        .collect();
    let mut out = Vec::new();
    for g in math["group-clusters"].as_array().expect("groups") {
        for b in g["members"].as_array().expect("members") {
            for p in &members_of[&int(b)] {
                out.push((p.to_string(), int(&g["id"]).to_string()));
            }
        }
    }
    out
}

fn column(a: &Analysis, tid: &str) -> usize {
    a.pca.statements.iter().position(|s| s.0 == tid).unwrap_or_else(|| panic!("statement {tid} missing"))
}

fn check_pca(case: &Case, a: &Analysis) -> [f64; 2] {
    let pca = &case.math["pca"];
    let tids: Vec<String> = case.math["tids"].as_array().expect("tids").iter().map(|t| int(t).to_string()).collect();
    assert_eq!(a.statements, tids.len(), "{}: statements", case.name);
    // Pol.is computed with agree = −1, so its centre is ours negated.
    for (i, tid) in tids.iter().enumerate() {
        let c = column(a, tid);
        let theirs = -float(&pca["center"][i]);
        assert!((a.pca.center[c] - theirs).abs() < 1e-9, "{}: centre of {tid}", case.name);
    }
    let mut signs = [1.0; 2];
    for k in 0..2 {
        let theirs: Vec<f64> = pca["comps"][k].as_array().expect("comp").iter().map(float).collect();
        let ours: Vec<f64> = tids.iter().map(|t| a.pca.components[k][column(a, t)]).collect();
        let dot: f64 = theirs.iter().zip(&ours).map(|(x, y)| x * y).sum();
        signs[k] = dot.signum();
        let worst = theirs.iter().zip(&ours).map(|(x, y)| (x - dot.signum() * y).abs()).fold(0.0, f64::max);
        // Pol.is stops its power iteration after 100 steps, which leaves ~1e-4 where the
        // two eigenvalues are close.
        assert!(worst < 2e-3, "{}: component {k} differs by {worst}", case.name);
    }
    signs
}

fn check_positions(case: &Case, a: &Analysis, signs: [f64; 2]) {
    let positions: HashMap<&str, [f64; 2]> = a.projections.iter().map(|(p, xy)| (p.as_str(), *xy)).collect();
    let base = &case.math["base-clusters"];
    let mut worst: f64 = 0.0;
    for (i, members) in base["members"].as_array().expect("members").iter().enumerate() {
        let members: Vec<String> = members.as_array().expect("list").iter().map(|m| int(m).to_string()).collect();
        let mut mean = [0.0; 2];
        for m in &members {
            let p = positions[m.as_str()];
            mean = [mean[0] + p[0] / members.len() as f64, mean[1] + p[1] / members.len() as f64];
        }
        // Agree = −1 in Pol.is flips the projection once more.
        let theirs = [float(&base["x"][i]), float(&base["y"][i])];
        for k in 0..2 {
            worst = worst.max((theirs[k] + signs[k] * mean[k]).abs());
        }
    }
    assert!(worst < 0.02, "{}: base-cluster centres differ by up to {worst}", case.name);
}

fn check_group_statistics(case: &Case) {
    let options = Options { groups: Some(reference_groups(&case.math)), ..case.options.clone() };
    let (a, _) = analyse(&case.votes[..].into(), &options, None);
    for g in &a.groups {
        let name = g.name.clone().expect("given groups are named");
        let theirs = case.math["repness"][&name].as_array().expect("repness");
        let ours = serde_json::to_value(&g.repness).expect("json");
        let ours = ours.as_array().expect("list");
        assert_eq!(ours.len(), theirs.len(), "{}: group {name}: number of representative statements", case.name);
        for (o, t) in ours.iter().zip(theirs) {
            assert_eq!(int(&o["statement"]), int(&t["tid"]), "{}: group {name}: statement order", case.name);
            assert_eq!(o["direction"].as_str(), t["repful-for"].as_str(), "{}: group {name}", case.name);
            assert_eq!(int(&o["n_success"]), int(&t["n-success"]));
            assert_eq!(int(&o["n_trials"]), int(&t["n-trials"]));
            for (ours_key, their_key) in
                [("p", "p-success"), ("p_test", "p-test"), ("r", "repness"), ("r_test", "repness-test")]
            {
                let (x, y) = (float(&o[ours_key]), float(&t[their_key]));
                assert!((x - y).abs() < 1e-5 * y.abs().max(1.0), "{}: group {name}: {their_key} {x} vs {y}", case.name);
            }
        }
    }
    for (ours, key) in [(&a.consensus.agree, "agree"), (&a.consensus.disagree, "disagree")] {
        let ours: Vec<i64> =
            serde_json::to_value(ours).expect("ids").as_array().expect("list").iter().map(int).collect();
        let theirs: Vec<i64> = case.math["consensus"][key]
            .as_array()
            .map(|l| l.iter().map(|c| int(&c["tid"])).collect())
            .unwrap_or_default();
        assert_eq!(ours, theirs, "{}: consensus {key}", case.name);
    }
    let gac: HashMap<&str, f64> = a.group_informed_consensus.iter().map(|(s, v)| (s.as_str(), *v)).collect();
    for (tid, v) in case.math["group-aware-consensus"].as_object().expect("gac") {
        let ours = gac[tid.as_str()];
        assert!((ours - float(v)).abs() < 1e-12, "{}: group-informed consensus of {tid}", case.name);
    }
}

/// The cold run's partition against Pol.is', over the participants both clustered.
fn report_agreement(case: &Case, a: &Analysis) {
    let theirs: HashMap<String, String> = reference_groups(&case.math).into_iter().collect();
    let mut x = Vec::new();
    let mut y = Vec::new();
    for g in &a.groups {
        for m in &g.members {
            if let Some(t) = theirs.get(&m.0) {
                x.push(g.id);
                y.push(t.parse::<usize>().expect("group id"));
            }
        }
    }
    let in_conv: HashSet<i64> = case.math["in-conv"].as_array().expect("in-conv").iter().map(int).collect();
    let ours: HashSet<i64> = a.in_conv.iter().map(|id| id.0.parse().expect("numeric id")).collect();
    assert!(ours.is_subset(&in_conv), "{}: a cold run clusters only people Pol.is clustered", case.name);
    println!(
        "{}: {} groups (Pol.is {}), ARI {:.3} over {} participants",
        case.name,
        a.groups.len(),
        case.math["group-clusters"].as_array().map_or(0, Vec::len),
        adjusted_rand_index(&x, &y),
        x.len()
    );
}

fn run(name: &'static str) {
    let case = load(name);
    let (a, _) = analyse(&case.votes[..].into(), &case.options, None);
    let signs = check_pca(&case, &a);
    check_positions(&case, &a, signs);
    check_group_statistics(&case);
    report_agreement(&case, &a);
}

#[test]
fn below_100_participants() {
    run("below-100-ptpts");
}

#[test]
fn twenty_five_participants_with_meta_statements() {
    run("25ptpt-3gp-no-strict-with-meta");
}

/// This fixture lacks votes Pol.is had (red-dwarf notes it too): Pol.is counted 945 votes
/// from 52 participants, the file holds 941 from 51. Exact equality cannot hold, so this
/// checks that the difference is only that, and that the map is still the same one.
#[test]
fn fifty_participants_strict_moderation_with_votes_missing_from_the_fixture() {
    let case = load("50ptpt-3gp-strict-no-meta");
    let counted: i64 = case.math["user-vote-counts"].as_object().expect("counts").values().map(int).sum();
    let (a, _) = analyse(&case.votes[..].into(), &case.options, None);
    assert_eq!((counted, int(&case.math["n"])), (945, 52));
    assert_eq!(a.participants, 51);
    let tids: Vec<String> = case.math["tids"].as_array().expect("tids").iter().map(|t| int(t).to_string()).collect();
    for k in 0..2 {
        let theirs: Vec<f64> = case.math["pca"]["comps"][k].as_array().expect("comp").iter().map(float).collect();
        let dot: f64 = tids.iter().zip(&theirs).map(|(t, x)| x * a.pca.components[k][column(&a, t)]).sum();
        assert!(dot.abs() > 0.97, "component {k}: |cos| = {}", dot.abs());
    }
    report_agreement(&case, &a);
}

#[test]
fn one_hundred_fifty_participants() {
    run("150ptpt-3gp-no-strict-no-meta");
}
