//! `samskab analyse` as an analyst uses it: the JSON contract, given groups, the wide
//! matrix input, summaries in both languages, and bad files (exit code 2, file, line and
//! column named).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn samskab(args: &[&str], lang: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_samskab")).args(args).env("LANG", lang).output().expect("run samskab")
}

fn polis(conversation: &str, file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/polis")
        .join(conversation)
        .join(file)
        .display()
        .to_string()
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn opinions_json_follows_the_contract() {
    let votes = polis("15-per-hour-seattle", "votes.csv");
    let comments = polis("15-per-hour-seattle", "comments.csv");
    let out = samskab(&["analyse", "opinions", "--votes", &votes, "--comments", &comments, "--format", "json"], "da");
    let a = json(&out);
    assert_eq!(a["participants"], 339);
    assert_eq!(a["statements"], 54);
    let columns = a["pca"]["statements"].as_array().expect("statement ids");
    assert_eq!(columns.len(), 54);
    assert!(columns.iter().all(Value::is_number), "ids keep the input's form");
    assert_eq!(a["pca"]["center"].as_array().expect("center").len(), 54);
    assert_eq!(a["pca"]["components"].as_array().expect("components").len(), 2);
    assert_eq!(a["projections"].as_object().expect("projections").len(), 339);
    let groups = a["groups"].as_array().expect("groups");
    assert!((2..=5).contains(&groups.len()));
    let clustered: usize = groups.iter().map(|g| g["members"].as_array().expect("members").len()).sum();
    assert_eq!(clustered, a["in_conv"].as_array().expect("in_conv").len(), "every clustered person is in one group");
    for g in groups {
        for r in g["repness"].as_array().expect("repness") {
            assert!(r["direction"] == "agree" || r["direction"] == "disagree");
            for key in ["statement", "p", "p_test", "r", "r_test"] {
                assert!(!r[key].is_null(), "repness has {key}");
            }
        }
    }
    assert!(a["consensus"]["agree"].is_array() && a["consensus"]["disagree"].is_array());
    assert_eq!(a["group_informed_consensus"].as_object().expect("gac").len(), 54);
    // The same input gives the same output.
    let again = samskab(&["analyse", "opinions", "--votes", &votes, "--comments", &comments, "--format", "json"], "da");
    assert_eq!(out.stdout, again.stdout);
}

#[test]
fn given_groups_are_described_not_found() {
    let matrix = polis("brexit-consensus", "participants-votes.csv");
    let votes = polis("brexit-consensus", "votes.csv");
    let out = samskab(&["analyse", "opinions", "--votes", &votes, "--groups", &matrix, "--format", "json"], "da");
    let a = json(&out);
    assert!(a.get("clustering").is_none());
    let groups = a["groups"].as_array().expect("groups");
    assert!(!groups.is_empty());
    assert!(groups.iter().all(|g| g["name"].is_string()), "given groups keep their names");
}

#[test]
fn the_wide_matrix_gives_the_same_map_as_the_votes() {
    let by_votes = json(&samskab(
        &["analyse", "opinions", "--votes", &polis("brexit-consensus", "votes.csv"), "--format", "json"],
        "da",
    ));
    let by_matrix = json(&samskab(
        &["analyse", "opinions", "--matrix", &polis("brexit-consensus", "participants-votes.csv"), "--format", "json"],
        "da",
    ));
    assert_eq!(by_votes["statements"], by_matrix["statements"]);
    let center = |a: &Value| {
        a["pca"]["center"].as_array().expect("c").iter().map(|x| x.as_f64().expect("f")).collect::<Vec<_>>()
    };
    for (x, y) in center(&by_votes).iter().zip(center(&by_matrix)) {
        assert!((x - y).abs() < 1e-9);
    }
    let p = |a: &Value, id: &str| {
        a["projections"][id].as_array().expect("xy").iter().map(|x| x.as_f64().expect("f")).collect::<Vec<_>>()
    };
    for id in by_votes["projections"].as_object().expect("map").keys() {
        let (x, y) = (p(&by_votes, id), p(&by_matrix, id));
        assert!((x[0] - y[0]).abs() < 1e-6 && (x[1] - y[1]).abs() < 1e-6, "participant {id}");
    }
}

#[test]
fn summaries_in_danish_and_english() {
    let votes = polis("brexit-consensus", "votes.csv");
    let da = samskab(&["analyse", "opinions", "--votes", &votes], "da_DK.UTF-8");
    let da = String::from_utf8(da.stdout).expect("utf-8");
    assert!(da.starts_with("Meningsgrupper: ") && da.contains("Gruppe 1"), "{da}");
    let en = samskab(&["analyse", "opinions", "--votes", &votes], "en_GB.UTF-8");
    let en = String::from_utf8(en.stdout).expect("utf-8");
    assert!(en.starts_with("Opinion groups: ") && en.contains("Group 1"), "{en}");
}

#[test]
fn a_bad_vote_names_file_line_and_column() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("votes.csv");
    std::fs::write(&path, "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,1,0,ja\n").expect("write");
    let out = samskab(&["analyse", "opinions", "--votes", path.to_str().expect("path"), "--format", "json"], "da");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("votes.csv:3:5") && err.contains("«ja» er ikke en stemme"), "{err}");
    let missing = samskab(&["analyse", "opinions", "--votes", "/nonexistent/votes.csv"], "en");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot be read"));
    let header = dir.path().join("h.csv");
    std::fs::write(&header, "a,b\n1,2\n").expect("write");
    let out = samskab(&["analyse", "opinions", "--votes", header.to_str().expect("path")], "da");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kolonnen «comment-id» mangler"));
}

fn people_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("people.csv");
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

#[test]
fn groups_json_follows_the_contract_and_mixes_units() {
    let dir = tempfile::tempdir().expect("dir");
    let mut csv = String::from("id,unit,role\n");
    for i in 0..60 {
        csv.push_str(&format!("e{i},u{},{}\n", i % 12, if i % 10 == 0 { "leder" } else { "" }));
    }
    let people = people_file(&dir, &csv);
    let out = samskab(
        &[
            "analyse", "groups", "--people", &people, "--size", "4-6", "--mix", "unit", "--mix", "role", "--format",
            "json",
        ],
        "da",
    );
    let a = json(&out);
    let groups = a["groups"].as_array().expect("groups");
    let mut everyone: Vec<String> = Vec::new();
    for g in groups {
        let members = g["members"].as_array().expect("members");
        assert!((4..=6).contains(&members.len()));
        let units: std::collections::HashSet<String> = members
            .iter()
            .map(|m| m.as_str().expect("id")[1..].parse::<usize>().expect("n") % 12)
            .map(|u| u.to_string())
            .collect();
        assert_eq!(units.len(), members.len(), "no two from the same unit");
        everyone.extend(members.iter().map(|m| m.as_str().expect("id").to_string()));
    }
    everyone.sort();
    everyone.dedup();
    assert_eq!(everyone.len(), 60, "everyone placed once");
    assert!(a["score"].is_number() && a["violations"].as_array().expect("violations").is_empty());
    let text = String::from_utf8(samskab(&["analyse", "groups", "--people", &people, "--size", "4-6"], "da").stdout)
        .expect("utf-8");
    assert!(text.contains("personer i") && text.contains("Gruppe 0"), "{text}");
}

#[test]
fn groups_reject_bad_arguments_and_files() {
    let dir = tempfile::tempdir().expect("dir");
    let people = people_file(&dir, "id,unit\na,u1\nb,u2\na,u3\n");
    let out = samskab(&["analyse", "groups", "--people", &people, "--size", "4-6"], "da");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("people.csv:4:1"), "duplicate id named with its place");
    let ok = people_file(&dir, "id,unit\na,u1\nb,u2\n");
    for (args, expect) in [
        (vec!["--size", "6-4"], "--size «6-4»"),
        (vec!["--size", "x"], "--size «x»"),
        (vec!["--size", "2", "--mix", "afdeling"], "kolonnen «afdeling» mangler"),
        (vec!["--size", "2", "--together", "a"], "--together «a»"),
    ] {
        let mut all = vec!["analyse", "groups", "--people", ok.as_str()];
        all.extend(args);
        let out = samskab(&all, "da");
        assert_eq!(out.status.code(), Some(2), "{all:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expect),
            "{all:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn sib200(file: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/sib200-da").join(file).display().to_string()
}

#[test]
fn themes_json_follows_the_contract() {
    let out = samskab(
        &["analyse", "themes", "--input", &sib200("dev.tsv"), "--text-column", "text", "--k", "4", "--format", "json"],
        "da",
    );
    let a = json(&out);
    let assignments = a["assignments"].as_array().expect("assignments");
    assert_eq!(assignments.len(), 99, "one per data row of dev.tsv");
    let themes = a["themes"].as_array().expect("themes");
    assert_eq!(themes.len(), 4);
    let mut total = 0;
    for (i, t) in themes.iter().enumerate() {
        assert_eq!(t["id"], i);
        assert!(!t["label"].as_str().expect("label").is_empty());
        assert!(!t["terms"].as_array().expect("terms").is_empty());
        let size = t["size"].as_u64().expect("size") as usize;
        assert_eq!(assignments.iter().filter(|x| x.as_i64() == Some(i as i64)).count(), size);
        for e in t["examples"].as_array().expect("examples") {
            assert_eq!(assignments[e.as_u64().expect("row") as usize], i, "an example belongs to its theme");
        }
        total += size;
    }
    assert_eq!(total, 99);
}

#[test]
fn themes_keep_pins_and_reject_bad_files() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("svar.csv");
    std::fs::write(&input, "id, svar\n1, Bedre kaffe i kantinen\n2, Flere parkeringspladser ved rådhuset\n3, Kortere møder\n4, Billigere mad i kantinen\n").expect("write");
    let pins = dir.path().join("pins.csv");
    std::fs::write(&pins, "row,theme\n1,Hverdag\n2,Hverdag\n").expect("write");
    let input = input.display().to_string();
    let a = json(&samskab(
        &[
            "analyse",
            "themes",
            "--input",
            &input,
            "--text-column",
            "svar",
            "--k",
            "2",
            "--pins",
            &pins.display().to_string(),
            "--format",
            "json",
        ],
        "da",
    ));
    let assignments = a["assignments"].as_array().expect("assignments");
    assert_eq!(assignments[1], assignments[2], "pinned rows share a theme");
    let pinned = assignments[1].as_u64().expect("theme") as usize;
    assert_eq!(a["themes"][pinned]["label"], "Hverdag");

    let out = samskab(&["analyse", "themes", "--input", &input, "--text-column", "tekst"], "da");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kolonnen «tekst» mangler"));
    std::fs::write(&pins, "row,theme\n9,Hverdag\n").expect("write");
    let out = samskab(
        &["analyse", "themes", "--input", &input, "--text-column", "svar", "--pins", &pins.display().to_string()],
        "en",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pins.csv:2:1"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn themes_rerun_from_an_earlier_run_keeps_its_themes_and_rejects_a_mismatch() {
    let dir = tempfile::tempdir().expect("dir");
    let all = std::fs::read_to_string(sib200("dev.tsv")).expect("dev.tsv");
    let lines: Vec<&str> = all.lines().collect();
    // The header and the first 89 of 99 inputs; then all of them.
    let first = dir.path().join("first.tsv");
    std::fs::write(&first, lines[..90].join("\n") + "\n").expect("write");
    let earlier = json(&samskab(
        &["analyse", "themes", "--input", &first.display().to_string(), "--text-column", "text", "--format", "json"],
        "da",
    ));
    let previous = dir.path().join("earlier.json");
    std::fs::write(&previous, earlier.to_string()).expect("write");
    let previous = previous.display().to_string();
    let rerun = json(&samskab(
        &[
            "analyse",
            "themes",
            "--input",
            &sib200("dev.tsv"),
            "--text-column",
            "text",
            "--previous",
            &previous,
            "--format",
            "json",
        ],
        "da",
    ));
    let before = earlier["assignments"].as_array().expect("assignments");
    let after = rerun["assignments"].as_array().expect("assignments");
    assert_eq!(after.len(), 99);
    assert_eq!(rerun["themes"].as_array().map(Vec::len), earlier["themes"].as_array().map(Vec::len));
    let kept = before.iter().zip(after).filter(|(a, b)| a == b).count();
    assert!(kept * 10 >= before.len() * 9, "{kept} of {} earlier inputs keep their theme id", before.len());

    // An earlier run with more inputs than now cannot be lined up with them.
    let out = samskab(
        &[
            "analyse",
            "themes",
            "--input",
            &first.display().to_string(),
            "--text-column",
            "text",
            "--previous",
            &previous,
        ],
        "da",
    );
    assert_eq!(out.status.code(), Some(0), "the same inputs again are fine");
    std::fs::write(&first, lines[..50].join("\n") + "\n").expect("write");
    let out = samskab(
        &[
            "analyse",
            "themes",
            "--input",
            &first.display().to_string(),
            "--text-column",
            "text",
            "--previous",
            &previous,
        ],
        "da",
    );
    assert_eq!(out.status.code(), Some(2));
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(message.contains("nye input skal stå efter de tidligere"), "{message}");
    std::fs::write(dir.path().join("earlier.json"), "{\"themes\": []}").expect("write");
    let out = samskab(
        &["analyse", "themes", "--input", &sib200("dev.tsv"), "--text-column", "text", "--previous", &previous],
        "en",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not the JSON of an earlier run"));
}
