//! Decisions: proposals made from a process's inputs, decided one by one with a reason by
//! the executive board, every decision kept as history and in the audit log; bad input
//! changes nothing.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::{Client, Reply, demo_app};

fn as_json(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", r.body))
}

async fn input(c: &mut Client, process: &str, text: &str) -> String {
    let r = c.send_json("POST", &format!("/api/v1/processes/{process}/inputs"), &json!({"text": text})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    as_json(&r)["id"].as_str().expect("id").to_string()
}

db_test!(proposals_are_made_from_inputs_and_decided_with_a_reason, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let mut employee = app.api_client("medarbejder").await;
    let mut board = app.api_client("direktion").await;
    let r = hr
        .send_json("POST", "/api/v1/processes", &json!({"title": "Fremtidens velfærd", "template": "clarification"}))
        .await;
    let process = as_json(&r)["id"].as_str().expect("id").to_string();
    let r = hr.send_json("PATCH", &format!("/api/v1/processes/{process}"), &json!({"active_step": "collect"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a = input(&mut employee, &process, "Færre dobbeltregistreringer i omsorgssystemet").await;
    let b = input(&mut employee, &process, "Dobbeltregistrering tager tid fra borgerne").await;

    // Only the process's facilitators make proposals; bad ones make nothing.
    let path = format!("/api/v1/processes/{process}/proposals");
    let r = employee.send_json("POST", &path, &json!({"title": "X", "inputs": []})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let other = hr.send_json("POST", "/api/v1/processes", &json!({"title": "Anden", "template": "proposals"})).await;
    let other = as_json(&other)["id"].as_str().expect("id").to_string();
    for (bad, says) in [
        (json!({"title": "  ", "inputs": [a]}), "titel"),
        (json!({"title": "x".repeat(201)}), "titel"),
        (json!({"title": "Fremmed", "inputs": [uuid::Uuid::now_v7()]}), "findes ikke"),
        (json!({"title": "Ingen input"}), ""),
    ] {
        let r = hr.send_json("POST", &format!("/api/v1/processes/{other}/proposals"), &bad).await;
        if bad["title"] == "Ingen input" {
            assert_eq!(r.status, StatusCode::CREATED, "a proposal may be written directly: {}", r.body);
            continue;
        }
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body.contains(says), "{bad}: {}", r.body);
    }
    let r = hr.send_json("POST", &path, &json!({"title": "Fremmed input", "inputs": [a, uuid::Uuid::now_v7()]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an input of another process: {}", r.body);
    assert_eq!(as_json(&employee.get(&path).await)["total"], 0, "nothing was made");

    let r = hr
        .send_json("POST", &path, &json!({"title": "Én registrering", "text": "Registrér én gang.", "inputs": [a, b]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let first = as_json(&r);
    assert_eq!((first["number"].as_i64(), first["state"].as_str()), (Some(1), Some("new")));
    assert_eq!(first["inputs"].as_array().map(Vec::len), Some(2), "the links to its inputs are kept");
    let r = hr.send_json("POST", &path, &json!({"title": "Kortere møder", "inputs": []})).await;
    assert_eq!(as_json(&r)["number"], 2, "the next number of the process: {}", r.body);
    let id = first["id"].as_str().expect("id").to_string();

    // Deciding: the board, always with a reason, with a state that exists.
    let decision = format!("/api/v1/proposals/{id}/decision");
    let r = employee.send_json("POST", &decision, &json!({"state": "accepted", "reason": "Godt"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for (bad, says) in [
        (json!({"state": "accepted", "reason": "  "}), "begrundelse"),
        (json!({"state": "maybe", "reason": "Hm"}), "Vælg en beslutning"),
        (json!({"state": "new", "reason": "Tilbage"}), "Vælg en beslutning"),
        (json!({"state": "accepted", "reason": "Ja", "responsible_unit": uuid::Uuid::now_v7()}), "enhed"),
    ] {
        let r = board.send_json("POST", &decision, &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body.contains(says), "{bad}: {}", r.body);
    }
    let listed = as_json(&board.get(&path).await);
    assert_eq!((listed["decided"].as_i64(), listed["total"].as_i64()), (Some(0), Some(2)), "nothing half-saved");

    let r = board
        .send_json(
            "POST",
            &decision,
            &json!({"state": "under_consideration", "reason": "Vi ser på it-systemet først."}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = board
        .send_json(
            "POST",
            &decision,
            &json!({"state": "accepted", "reason": "Sparer tid til borgerne.", "deadline": "2027-06-30"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let decided = as_json(&r);
    assert_eq!(decided["proposal"]["state"], "accepted");
    assert_eq!(decided["proposal"]["deadline"], "2027-06-30");
    let history: Vec<(&str, &str)> = decided["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| (e["state"].as_str().unwrap_or(""), e["by"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(history, [("under_consideration", "direktion"), ("accepted", "direktion")]);

    // Progress and filters.
    let listed = as_json(&employee.get(&path).await);
    assert_eq!((listed["decided"].as_i64(), listed["total"].as_i64()), (Some(1), Some(2)), "{listed}");
    let accepted = as_json(&employee.get(&format!("{path}?state=accepted")).await);
    assert_eq!(accepted["items"].as_array().map(Vec::len), Some(1));
    let second = as_json(&employee.get(&format!("{path}?limit=1&offset=1")).await);
    assert_eq!((second["items"][0]["number"].as_i64(), second["matching"].as_i64()), (Some(2), Some(2)), "{second}");
    let none = as_json(&employee.get(&format!("{path}?state=accepted&limit=1&offset=1")).await);
    assert_eq!(none["items"].as_array().map(Vec::len), Some(0), "{none}");
    let r = employee.get(&format!("{path}?state=bogus")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = board
        .send_json(
            "POST",
            &format!("/api/v1/proposals/{}/decision", uuid::Uuid::now_v7()),
            &json!({"state": "accepted", "reason": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let audited = app::platform::audit::store::actions(&db).await.expect("audit");
    for action in ["proposal.created", "proposal.decided"] {
        assert!(audited.iter().any(|a| a == action), "{action} is audited: {audited:?}");
    }
});

// Proposals made at the same moment get different numbers, 1 to n.
db_test!(proposals_made_at_once_get_different_numbers, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let r = hr.send_json("POST", "/api/v1/processes", &json!({"title": "Samtidig", "template": "proposals"})).await;
    let process = as_json(&r)["id"].as_str().expect("id").to_string();
    let mut tasks = Vec::new();
    for n in 0..12 {
        let mut c = app.api_client("facilitator").await;
        let path = format!("/api/v1/processes/{process}/proposals");
        tasks.push(tokio::spawn(async move {
            let r = c.send_json("POST", &path, &json!({"title": format!("Forslag {n}")})).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            as_json(&r)["number"].as_i64().expect("number")
        }));
    }
    let mut numbers = Vec::new();
    for t in tasks {
        numbers.push(t.await.expect("task"));
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=12).collect::<Vec<i64>>());
});

mod answers;
mod document;
mod pages;

/// A process made through the API by `hr`, active in `step`.
async fn process(hr: &mut Client, body: Value, step: &str) -> String {
    let r = hr.send_json("POST", "/api/v1/processes", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = as_json(&r)["id"].as_str().expect("id").to_string();
    let r = hr.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({ "active_step": step })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    id
}

/// A proposal made through the API; its id.
async fn proposal(hr: &mut Client, process: &str, body: Value) -> String {
    let r = hr.send_json("POST", &format!("/api/v1/processes/{process}/proposals"), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    as_json(&r)["id"].as_str().expect("id").to_string()
}
