//! Involvement: processes from templates, inputs and votes by employees and through
//! personal links, moderation, who sees what, and bad input changing nothing.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::{Client, Reply, TestApp, demo_app};

fn as_json(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", r.body))
}

/// A process made through the API by `hr`, active in `step` (none: not started).
async fn process(hr: &mut Client, body: Value, step: Option<&str>) -> String {
    let r = hr.send_json("POST", "/api/v1/processes", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = as_json(&r)["id"].as_str().expect("id").to_string();
    if let Some(step) = step {
        let r = hr.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({ "active_step": step })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    id
}

async fn counts(app: &TestApp, id: &str) -> (i64, i64, i64) {
    let id = uuid::Uuid::parse_str(id).expect("uuid");
    app::involvement::store::counts(&app.state.db, id).await.expect("counts")
}

db_test!(a_clarification_phase_collects_inputs_statements_and_votes, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let mut employee = app.api_client("medarbejder").await;

    // Only HR's facilitators (and administrators) make processes.
    let r = employee.send_json("POST", "/api/v1/processes", &json!({"title": "X", "template": "proposals"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = hr
        .send_json(
            "POST",
            "/api/v1/processes",
            &json!({"title": "Fremtidens velfærd", "template": "clarification", "public": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made = as_json(&r);
    let id = made["id"].as_str().expect("id").to_string();
    let steps: Vec<&str> =
        made["steps"].as_array().expect("steps").iter().map(|s| s["key"].as_str().unwrap_or("")).collect();
    assert_eq!(steps, ["design", "collect", "process", "decide"]);
    assert_eq!(made["facilitator"], true);
    assert_eq!(made["active_step"], Value::Null);

    // Everyone in the organisation sees it; before it starts nobody can write.
    let list = as_json(&employee.get("/api/v1/processes").await);
    assert!(list["items"].as_array().expect("items").iter().any(|p| p["id"] == id.as_str()), "{list}");
    let r = employee
        .send_json("POST", &format!("/api/v1/processes/{id}/inputs"), &json!({"text": "Mere tid til borgerne"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("ikke åben"), "{}", r.body);
    // Only its facilitators change it.
    let r = employee.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"active_step": "collect"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = hr.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"active_step": "vote"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = hr.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"active_step": "collect"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(as_json(&r)["active_step"], "collect");

    // Inputs: checked, then stored with the writer's unit and role.
    let before = counts(&app, &id).await;
    for bad in [
        json!({"text": "   "}),
        json!({"text": "x".repeat(5001)}),
        json!({"text": "Godt", "core_task": "ukendt"}),
        json!({}),
    ] {
        let r = employee.send_json("POST", &format!("/api/v1/processes/{id}/inputs"), &bad).await;
        assert!(r.status.is_client_error(), "{bad}: {}", r.status);
        assert_eq!(r.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    }
    assert_eq!(counts(&app, &id).await, before, "bad input stores nothing");
    let r = employee
        .send_json(
            "POST",
            &format!("/api/v1/processes/{id}/inputs"),
            &json!({"text": "Mere tid til borgerne og færre møder", "core_task": "laering"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let input = as_json(&r)["id"].as_str().expect("id").to_string();
    let mut leader = app.api_client("leder").await;
    let r = leader
        .send_json(
            "POST",
            &format!("/api/v1/processes/{id}/inputs"),
            &json!({"text": "Bedre overlevering mellem vagterne"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let own = as_json(&employee.get(&format!("/api/v1/processes/{id}/inputs")).await);
    assert_eq!(own["total"], 1, "an employee sees their own inputs only: {own}");
    let all = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    assert_eq!(all["total"], 2);
    let roles: Vec<&str> = all["items"].as_array().expect("items").iter().filter_map(|i| i["role"].as_str()).collect();
    assert!(roles.contains(&"leader") && roles.contains(&"employee"), "{all}");
    assert!(all["items"].as_array().expect("items").iter().all(|i| i["unit_id"].is_string()), "{all}");

    // Statements: the facilitator's are shown at once; a participant's wait.
    let mut numbers = Vec::new();
    for text in ["Vi holder for mange møder", "Borgerne skal spørges oftere"] {
        let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/statements"), &json!({"text": text})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(as_json(&r)["state"], "accepted");
        numbers.push(as_json(&r)["id"].as_i64().expect("number"));
    }
    assert_eq!(numbers, [0, 1], "statements are numbered as in Pol.is");
    let r = employee
        .send_json("POST", &format!("/api/v1/processes/{id}/statements"), &json!({"text": "Frokostpausen er for kort"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&r)["state"], "pending");
    let proposed = as_json(&r)["id"].as_i64().expect("number");
    let shown = as_json(&employee.get(&format!("/api/v1/processes/{id}/statements")).await);
    assert_eq!(shown["items"].as_array().expect("items").len(), 2, "pending statements are not shown: {shown}");
    assert!(shown["items"][0].get("votes").is_none(), "no results while collecting");

    // Votes: the latest counts, the history is kept; pending and unknown statements refused.
    let vote = async |c: &mut Client, statement: Value, vote: Value| {
        c.send_json("POST", &format!("/api/v1/processes/{id}/votes"), &json!({"statement": statement, "vote": vote}))
            .await
    };
    assert_eq!(vote(&mut employee, json!(0), json!(1)).await.status, StatusCode::CREATED);
    assert_eq!(vote(&mut employee, json!(0), json!(-1)).await.status, StatusCode::CREATED);
    assert_eq!(vote(&mut leader, json!(0), json!(-1)).await.status, StatusCode::CREATED);
    for (s, v) in [(json!(proposed), json!(1)), (json!(99), json!(1)), (json!(1), json!(2)), (json!("x"), json!(1))] {
        let r = vote(&mut employee, s.clone(), v.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{s} {v}: {}", r.body);
    }
    let listed = as_json(&hr.get(&format!("/api/v1/processes/{id}/statements")).await);
    let first = &listed["items"][0];
    assert_eq!(first["votes"], json!({"agree": 0, "disagree": 2, "pass": 0}), "{listed}");
    assert_eq!(listed["items"].as_array().expect("items").len(), 3, "facilitators see pending ones");
    let history =
        app::involvement::store::all_votes(&db, uuid::Uuid::parse_str(&id).expect("uuid")).await.expect("votes");
    assert_eq!(history.len(), 3, "every vote is kept");
    let next = as_json(&employee.get(&format!("/api/v1/processes/{id}/next-statement")).await);
    assert_eq!(next["statement"]["id"], 1, "{next}");
    assert_eq!((next["voted"].as_i64(), next["total"].as_i64()), (Some(1), Some(2)));

    // Moderation: accept the proposal; hide an input with a reason its author sees.
    let r = employee
        .send_json("PATCH", &format!("/api/v1/processes/{id}/statements/{proposed}"), &json!({"state": "accepted"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = hr
        .send_json("PATCH", &format!("/api/v1/processes/{id}/statements/{proposed}"), &json!({"state": "accepted"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = hr.send_json("PATCH", &format!("/api/v1/processes/{id}/inputs/{input}"), &json!({"hidden": true})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "hiding needs a reason");
    let r = hr
        .send_json(
            "PATCH",
            &format!("/api/v1/processes/{id}/inputs/{input}"),
            &json!({"hidden": true, "hidden_reason": "Indeholder et navn"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let own = as_json(&employee.get(&format!("/api/v1/processes/{id}/inputs")).await);
    assert_eq!(own["items"][0]["hidden"], true);
    assert_eq!(own["items"][0]["hidden_reason"], "Indeholder et navn");
    // The author edits while the step is open; others cannot.
    let r =
        leader.send_json("PATCH", &format!("/api/v1/processes/{id}/inputs/{input}"), &json!({"text": "Ændret"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = employee
        .send_json(
            "PATCH",
            &format!("/api/v1/processes/{id}/inputs/{input}"),
            &json!({"text": "Mere tid til borgerne"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(as_json(&r)["text"], "Mere tid til borgerne");

    // After collecting, no more input; voting goes on while processing.
    hr.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"active_step": "process"})).await;
    let r = employee.send_json("POST", &format!("/api/v1/processes/{id}/inputs"), &json!({"text": "For sent"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(vote(&mut employee, json!(1), json!(0)).await.status, StatusCode::CREATED);

    // Writes are in the audit log.
    let audited = app::platform::audit::store::actions(&db).await.expect("audit");
    for action in
        ["process.created", "process.updated", "process.input_added", "process.voted", "process.input_moderated"]
    {
        assert!(audited.iter().any(|a| a == action), "{action} is audited: {audited:?}");
    }
});

db_test!(personal_links_take_part_without_identity, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Trivsel", "template": "proposals"}), Some("collect")).await;
    hr.send_json("POST", &format!("/api/v1/processes/{id}/statements"), &json!({"text": "Jeg trives på arbejdet"}))
        .await;

    let mut employee = app.api_client("medarbejder").await;
    let r = employee.send_json("POST", &format!("/api/v1/processes/{id}/links"), &json!({"count": 2})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only facilitators make links");
    for bad in [json!({"count": 0}), json!({"count": 5001}), json!({"count": "tre"})] {
        let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/links"), &bad).await;
        assert!(r.status.is_client_error() && r.status != StatusCode::FORBIDDEN, "{bad}: {}", r.status);
    }
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/links"), &json!({"count": 3})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let tokens: Vec<String> = as_json(&r)["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t.as_str().expect("token").to_string())
        .collect();
    assert_eq!(tokens.len(), 3);

    let mut anyone = app.client();
    let r = anyone.get(&format!("/api/v1/participate/{}", tokens[0])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(as_json(&r)["next"]["statement"]["text"], "Jeg trives på arbejdet");
    let r = anyone
        .send_json(
            "POST",
            &format!("/api/v1/participate/{}/inputs", tokens[0]),
            &json!({"text": "Mere fleksibel arbejdstid"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = anyone
        .send_json("POST", &format!("/api/v1/participate/{}/votes", tokens[0]), &json!({"statement": 0, "vote": 1}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = anyone.get(&format!("/api/v1/participate/{}", tokens[0])).await;
    assert_eq!(as_json(&r)["next"]["statement"], Value::Null, "voted on everything");
    for unknown in ["ukendt", "x".repeat(101).as_str()] {
        let r =
            anyone.send_json("POST", &format!("/api/v1/participate/{unknown}/inputs"), &json!({"text": "Hej"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }

    // Stored without identity: no account, no unit, no role.
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    let item = &inputs["items"][0];
    assert_eq!(item["channel"], "link");
    assert_eq!((item["unit_id"].clone(), item["role"].clone()), (Value::Null, Value::Null), "{item}");

    // The page a link opens works without an account, forms included.
    let r = anyone.get(&format!("/deltag/{}", tokens[1])).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Jeg trives på arbejdet") && r.body.contains("personligt link"));
    assert_eq!(r.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let r =
        anyone.post(&format!("/deltag/{}/input", tokens[1]), &format!("/deltag/{}", tokens[1]), &[("text", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an empty input is shown again with its error");
    assert!(r.body.contains("Skriv dit input"));
    let r = anyone
        .post(
            &format!("/deltag/{}/input", tokens[1]),
            &format!("/deltag/{}", tokens[1]),
            &[("text", "Flere fælles pauser")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = anyone
        .post(
            &format!("/deltag/{}/stem", tokens[1]),
            &format!("/deltag/{}", tokens[1]),
            &[("statement", "0"), ("vote", "-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(counts(&app, &id).await, (2, 2, 2));

    // A step closed to anonymous answers refuses links, and nothing is stored.
    let r = hr
        .send_json(
            "PATCH",
            &format!("/api/v1/processes/{id}"),
            &json!({"steps": [{"key": "collect", "allow_anonymous": false}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r =
        anyone.send_json("POST", &format!("/api/v1/participate/{}/inputs", tokens[2]), &json!({"text": "Hej"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(counts(&app, &id).await, (2, 2, 2));
});

db_test!(a_process_for_chosen_units_is_not_seen_by_others, |db| {
    let app = demo_app(&db, 200).await;
    let m = app.state.municipality;
    // A unit the employee does not work in: a top-level unit other than their own branch.
    let (account, _) = app::platform::accounts::account_for_login(&db, "medarbejder").await.expect("q").expect("login");
    let posts =
        app::organisation::store::person_posts(&db, m, account.person_id.expect("person")).await.expect("posts");
    let own_left = posts[0].1;
    let units = app::organisation::store::all_units(&db, m).await.expect("units");
    let elsewhere = units
        .iter()
        .find(|u| u.depth == 2 && !(u.tree_left <= own_left && own_left <= u.tree_right))
        .expect("another area");
    let own =
        units.iter().find(|u| u.depth == 2 && u.tree_left <= own_left && own_left <= u.tree_right).expect("own area");

    let mut hr = app.api_client("facilitator").await;
    let other = process(
        &mut hr,
        json!({"title": "Kun for de andre", "template": "proposals", "units": [elsewhere.id]}),
        Some("collect"),
    )
    .await;
    let mine =
        process(&mut hr, json!({"title": "For os", "template": "proposals", "units": [own.id]}), Some("collect")).await;
    let r = hr
        .send_json(
            "POST",
            "/api/v1/processes",
            &json!({"title": "Ukendt", "template": "proposals", "units": [uuid::Uuid::nil()]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an unknown unit");

    let mut employee = app.api_client("medarbejder").await;
    let list = as_json(&employee.get("/api/v1/processes").await);
    let ids: Vec<&str> = list["items"].as_array().expect("items").iter().filter_map(|p| p["id"].as_str()).collect();
    assert!(ids.contains(&mine.as_str()) && !ids.contains(&other.as_str()), "{ids:?}");
    assert_eq!(employee.get(&format!("/api/v1/processes/{other}")).await.status, StatusCode::NOT_FOUND);
    let r = employee.send_json("POST", &format!("/api/v1/processes/{other}/inputs"), &json!({"text": "Hej"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mut browser = app.login("medarbejder").await;
    assert_eq!(browser.get(&format!("/processer/{other}")).await.status, StatusCode::NOT_FOUND);
    let page = browser.get("/processer").await;
    assert!(page.body.contains("For os") && !page.body.contains("Kun for de andre"));
});

db_test!(a_facilitator_runs_a_process_in_the_browser, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.login("facilitator").await;
    let r = hr
        .post(
            "/processer/ny",
            "/processer/ny",
            &[("title", ""), ("template", "clarification"), ("scope", "organisation")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Skriv en titel"));
    let r = hr
        .post(
            "/processer/ny",
            "/processer/ny",
            &[("title", "Fremtidens velfærd"), ("template", "clarification"), ("scope", "organisation")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let settings = r.location().to_string();
    let id = settings.trim_start_matches("/processer/").trim_end_matches("/indstillinger").to_string();
    let page = hr.get(&settings).await;
    assert_eq!(page.status, StatusCode::OK);
    let r = hr
        .post(
            &settings,
            &settings,
            &[
                ("title", "Fremtidens velfærd"),
                ("active_step", "collect"),
                ("collect_allow_inputs", "1"),
                ("collect_allow_votes", "1"),
                ("collect_allow_anonymous", "1"),
                ("collect_starts_on", "2027-01-04"),
                ("collect_ends_on", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "the end before the start");
    let r = hr
        .post(
            &settings,
            &settings,
            &[
                ("title", "Fremtidens velfærd"),
                ("active_step", "collect"),
                ("collect_allow_inputs", "1"),
                ("collect_allow_votes", "1"),
                ("collect_allow_anonymous", "1"),
                ("collect_starts_on", "2027-01-04"),
                ("collect_ends_on", "2027-01-29"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let facilitation = format!("/processer/{id}/facilitering");
    let r = hr
        .post(
            &format!("/processer/{id}/udsagn"),
            &facilitation,
            &[("text", "Vi holder for mange møder"), ("from", "facilitering")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    // An employee sees the timeline, votes and writes.
    let mut employee = app.login("medarbejder").await;
    let page = employee.get(&format!("/processer/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("aria-current=\"step\"") && page.body.contains("Indsamling"));
    assert!(page.body.contains("Vi holder for mange møder"));
    assert!(!page.body.contains("/facilitering"), "no facilitation link for participants");
    assert_eq!(employee.get(&facilitation).await.status, StatusCode::FORBIDDEN);
    let r = employee
        .post(&format!("/processer/{id}/stem"), &format!("/processer/{id}"), &[("statement", "0"), ("vote", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = employee
        .post(
            &format!("/processer/{id}/input"),
            &format!("/processer/{id}"),
            &[("text", "Kortere møder med en dagsorden")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = employee.get(&format!("/processer/{id}?gemt=input")).await;
    assert!(page.body.contains("Kortere møder med en dagsorden") && page.body.contains("Dit input er gemt"));
    // A form without its CSRF token changes nothing.
    let r = employee.post_raw(&format!("/processer/{id}/input"), &[("text", "Uden token")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The facilitator sees the input and the vote, makes a statement of the input, and
    // makes printable links.
    let page = hr.get(&facilitation).await;
    assert!(page.body.contains("Kortere møder med en dagsorden"));
    let pid = uuid::Uuid::parse_str(&id).expect("uuid");
    let (inputs, _) =
        app::involvement::store::inputs(&db, pid, app::involvement::store::InputsOf::All, 10, 0).await.expect("inputs");
    let input = inputs[0].id.to_string();
    let from = format!("{facilitation}?fra={input}");
    let page = hr.get(&from).await;
    assert!(page.body.contains(&format!("name=\"input\" value=\"{input}\"")), "the form carries the input");
    let r = hr
        .post(
            &format!("/processer/{id}/udsagn"),
            &from,
            &[("text", "Møder skal have en dagsorden"), ("from", "facilitering"), ("input", &input)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let statements = app::involvement::store::statements(&db, pid).await.expect("statements");
    assert_eq!(statements.last().and_then(|s| s.input_id).map(|i| i.to_string()), Some(input.clone()));
    let r = hr.post(&format!("/processer/{id}/links"), &facilitation, &[("count", "2")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.matches("/deltag/").count(), 2, "two links listed");
    assert_eq!(counts(&app, &id).await, (1, 1, 1));
});

db_test!(opinion_groups_and_themes_come_from_the_engines, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Arbejdsmiljø", "template": "clarification"}), Some("collect")).await;
    for i in 0..10 {
        let r = hr
            .send_json(
                "POST",
                &format!("/api/v1/processes/{id}/statements"),
                &json!({"text": format!("Udsagn nummer {i}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    // Two camps of 12 links each, voting opposite on every statement.
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/links"), &json!({"count": 24})).await;
    let tokens: Vec<String> =
        as_json(&r)["tokens"].as_array().expect("tokens").iter().map(|t| t.as_str().expect("t").to_string()).collect();
    let mut anyone = app.client();
    for (p, token) in tokens.iter().enumerate() {
        for s in 0..10 {
            let vote = if (p < 12) == (s % 2 == 0) { 1 } else { -1 };
            let r = anyone
                .send_json(
                    "POST",
                    &format!("/api/v1/participate/{token}/votes"),
                    &json!({"statement": s, "vote": vote}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
    }
    // Participants see results only when the step shows them.
    let mut employee = app.api_client("medarbejder").await;
    assert_eq!(employee.get(&format!("/api/v1/processes/{id}/opinions")).await.status, StatusCode::FORBIDDEN);
    let r = hr.get(&format!("/api/v1/processes/{id}/opinions")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let got = as_json(&r);
    assert_eq!(got["participants"], 24);
    assert_eq!(got["groups"].as_array().expect("groups").len(), 2, "{}", got["groups"]);
    // The same as the engine on the same votes (as `samskab analyse opinions` on an export).
    let votes =
        app::involvement::analysis::votes(&app.state, uuid::Uuid::parse_str(&id).expect("uuid")).await.expect("votes");
    let (engine, _) = analysis::opinions::analyse(&votes, &Default::default(), None);
    assert_eq!(got["groups"], serde_json::to_value(&engine.groups).expect("json"));
    assert_eq!(got["in_conv"], serde_json::to_value(&engine.in_conv).expect("json"));
    // The Pol.is export of the process analysed again gives the same groups.
    let dir = tempfile::tempdir().expect("dir");
    for file in ["votes.csv", "comments.csv"] {
        let r = hr.get(&format!("/api/v1/processes/{id}/export/{file}")).await;
        assert_eq!(r.status, StatusCode::OK, "{file}");
        std::fs::write(dir.path().join(file), &r.bytes).expect("write");
    }
    let mut options = analysis::opinions::Options::default();
    app::platform::formats::polis::comments(&dir.path().join("comments.csv"), &mut options).expect("comments");
    let exported = app::platform::formats::polis::votes(&dir.path().join("votes.csv")).expect("votes");
    let (again, _) = analysis::opinions::analyse(&exported, &options, None);
    assert_eq!(serde_json::to_value(&again.groups).expect("json"), got["groups"], "re-analysed from the export");
    assert_eq!(employee.get(&format!("/api/v1/processes/{id}/export/votes.csv")).await.status, StatusCode::FORBIDDEN);
    let mut browser = app.login("facilitator").await;
    let xlsx = browser.get(&format!("/processer/{id}/eksport/inputs.xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "a workbook");
    assert_eq!(browser.get(&format!("/processer/{id}/eksport/passwords.txt")).await.status, StatusCode::NOT_FOUND);
    // Kept while nothing changes; a new vote makes a new run.
    let again = as_json(&hr.get(&format!("/api/v1/processes/{id}/opinions")).await);
    assert_eq!(again, got);

    // Themes of the inputs, with the input ids.
    let kinds = [
        ("parkering", "Der mangler parkeringspladser ved rådhuset"),
        ("kantine", "Maden i kantinen er for dyr"),
        ("møder", "Møderne er for lange og starter for sent"),
    ];
    for i in 0..20 {
        for (_, text) in kinds {
            let r = employee
                .send_json("POST", &format!("/api/v1/processes/{id}/inputs"), &json!({"text": format!("{text} ({i})")}))
                .await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
    }
    let themes = as_json(&hr.get(&format!("/api/v1/processes/{id}/themes")).await);
    assert_eq!(themes["inputs"].as_array().expect("inputs").len(), 60);
    assert_eq!(themes["assignments"].as_array().expect("assignments").len(), 60);
    assert_eq!(themes["themes"].as_array().expect("themes").len(), 3, "{}", themes["themes"]);
    let assignments = themes["assignments"].as_array().expect("a").clone();
    for (i, a) in assignments.iter().enumerate() {
        assert_eq!(*a, assignments[i % 3], "input {i} with its kind");
    }

    // The pages show the same, readable without the map.
    let page = browser.get(&format!("/processer/{id}/meninger")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<svg") && page.body.contains("Gruppe 1") && page.body.contains("Udsagn nummer"),
        "{}",
        page.body
    );
    let page = browser.get(&format!("/processer/{id}/temaer")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("parkeringspladser") && page.body.contains("kantinen"));
    // Opening the results to everyone.
    hr.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"active_step": "process"})).await;
    assert_eq!(employee.get(&format!("/api/v1/processes/{id}/themes")).await.status, StatusCode::OK);

    // The analysis as a job, with a link to the result when done.
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/analyse"), &json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let ours = uuid::Uuid::parse_str(as_json(&r)["job"].as_str().expect("job")).expect("uuid");
    // The demo's own analysis is queued too: run every queued analysis.
    let config = app::platform::jobs::worker::WorkerConfig::default();
    while let Some(job) =
        app::platform::jobs::store::claim(&db, "w", &["involvement.analyse"], chrono::Duration::seconds(60))
            .await
            .expect("claim")
    {
        app::platform::jobs::worker::run_one(&app.state, &app::involvement::analysis::ANALYSE, job, "w", &config).await;
    }
    let done = app::platform::jobs::store::get(&db, app.state.municipality, ours).await.expect("q").expect("job");
    assert_eq!(done.result_link(), Some(format!("/processer/{id}/meninger").as_str()), "{:?}", done.error);
});

db_test!(the_demo_municipality_has_a_process_being_processed, |db| {
    let app = demo_app(&db, 400).await;
    let all = app::involvement::store::all(&db, app.state.municipality).await.expect("processes");
    let demo = all.iter().find(|p| p.title == app::involvement::demo::TITLE).expect("the demo process");
    assert_eq!(demo.active_step.as_deref(), Some("process"));
    let (participants, inputs, votes) = counts(&app, &demo.id.to_string()).await;
    assert!(
        participants >= 200 && inputs >= participants && votes >= participants * 30,
        "{participants} {inputs} {votes}"
    );
    let mut hr = app.api_client("facilitator").await;
    let opinions = as_json(&hr.get(&format!("/api/v1/processes/{}/opinions", demo.id)).await);
    let groups = opinions["groups"].as_array().expect("groups").len();
    assert!((2..=5).contains(&groups), "the planted opinion groups show: {groups}");
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{}/inputs?limit=5", demo.id)).await);
    assert!(
        inputs["items"].as_array().expect("items").iter().all(|i| i["unit_id"].is_string() && i["role"].is_string())
    );
});

db_test!(citizens_take_part_on_the_public_link_and_a_room_with_a_workshop_code, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(
        &mut hr,
        json!({"title": "Borgerdialog om biblioteket", "template": "proposals", "public": true}),
        Some("collect"),
    )
    .await;
    hr.send_json(
        "POST",
        &format!("/api/v1/processes/{id}/statements"),
        &json!({"text": "Biblioteket skal have længere åbningstid"}),
    )
    .await;
    let internal = process(&mut hr, json!({"title": "Kun internt", "template": "proposals"}), Some("collect")).await;

    let mut citizen = app.client();
    assert_eq!(citizen.get(&format!("/p/{internal}")).await.status, StatusCode::NOT_FOUND, "not public");
    let page = citizen.get(&format!("/p/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Biblioteket skal have længere åbningstid") && page.body.contains("name=\"website\""));
    let form = format!("/p/{id}");
    let r = citizen
        .post(
            &format!("/p/{id}/input"),
            &form,
            &[("text", "Flere arrangementer for børn"), ("email", "ikke en adresse")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("gyldig e-mailadresse"));
    let r = citizen
        .post(&format!("/p/{id}/input"), &form, &[("text", "Køb ure"), ("website", "http://spam.example")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a robot is told all went well");
    assert_eq!(counts(&app, &id).await, (0, 0, 0), "and nothing is kept");
    let r = citizen
        .post(
            &format!("/p/{id}/input"),
            &form,
            &[("text", "Flere arrangementer for børn"), ("name", "Birgit"), ("email", "birgit@example.dk")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = citizen.post(&format!("/p/{id}/stem"), &form, &[("statement", "0"), ("vote", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(counts(&app, &id).await, (1, 1, 1), "one browser is one participant");
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    assert_eq!(inputs["items"][0]["channel"], "public");
    // Another browser is another participant; too many writes from one address are refused.
    let mut other = app.client();
    let mut refused = false;
    for i in 0..40 {
        let r = other.post(&format!("/p/{id}/input"), &form, &[("text", &format!("Forslag {i}"))]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = true;
            break;
        }
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    assert!(refused, "the public link is rate-limited per address");

    // A workshop code on the wall.
    let mut browser = app.login("facilitator").await;
    let facilitation = format!("/processer/{id}/facilitering");
    let r = browser.post(&format!("/processer/{id}/kode"), &facilitation, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<svg") && r.body.contains("role=\"img\""), "a QR code");
    let marker = "class=\"process-code\"";
    let at = r.body.find(marker).expect("the code");
    let shown = r.body[at..].split('>').nth(1).and_then(|s| s.split('<').next()).expect("code text").to_string();
    let code: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(code.len(), 6, "{shown}");
    let png = browser.get(&format!("/processer/{id}/qr/{code}.png")).await;
    assert_eq!(png.status, StatusCode::OK);
    assert!(png.bytes.starts_with(b"\x89PNG"));
    assert_eq!(browser.get(&format!("/processer/{id}/qr/ZZZZZZ.png")).await.status, StatusCode::NOT_FOUND);

    let mut phone = app.client();
    let r = phone.get("/workshop").await;
    assert_eq!(r.location(), "/kode", "without a code, one is asked for");
    let prefilled = phone.get(&format!("/kode?c={}", code.to_lowercase())).await;
    assert!(prefilled.body.contains(&format!("value=\"{code}\"")));
    let r = phone.post("/kode", "/kode", &[("code", "ABCDEF")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = phone.post("/kode", "/kode", &[("code", &format!(" {}-{} ", &code[..3], &code[3..]).to_lowercase())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/workshop"));
    let page = phone.get("/workshop").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Borgerdialog om biblioteket"));
    let r = phone.post("/workshop/input", "/workshop", &[("text", "Et værksted for unge")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    assert!(inputs["items"].as_array().expect("items").iter().any(|i| i["channel"] == "workshop"));
});

db_test!(facilitators_edits_of_the_themes_survive_recomputation, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Hverdagen", "template": "proposals"}), Some("collect")).await;
    let mut employee = app.api_client("medarbejder").await;
    let kinds = [
        "Der mangler parkeringspladser ved rådhuset",
        "Maden i kantinen er for dyr",
        "Møderne er for lange og starter for sent",
    ];
    for i in 0..20 {
        for text in kinds {
            employee
                .send_json("POST", &format!("/api/v1/processes/{id}/inputs"), &json!({"text": format!("{text} ({i})")}))
                .await;
        }
    }
    let themes = async |hr: &mut Client| as_json(&hr.get(&format!("/api/v1/processes/{id}/themes")).await);
    // The theme whose terms contain `needle`.
    let of = |t: &Value, needle: &str| -> i64 {
        t["themes"]
            .as_array()
            .expect("themes")
            .iter()
            .find(|th| {
                th["terms"].as_array().expect("terms").iter().any(|x| x.as_str().is_some_and(|s| s.contains(needle)))
            })
            .map_or(-1, |th| th["id"].as_i64().expect("id"))
    };
    let first = themes(&mut hr).await;
    assert_eq!(first["themes"].as_array().expect("themes").len(), 3);
    let parking = of(&first, "parkering");
    let canteen = of(&first, "kantine");
    assert!(parking >= 0 && canteen >= 0, "{}", first["themes"]);

    // Rename on the page; merge through the API.
    let mut browser = app.login("facilitator").await;
    let page = format!("/processer/{id}/temaer");
    let r = browser.post(&format!("/processer/{id}/temaer/{parking}/navn"), &page, &[("name", "Parkering")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let now = themes(&mut hr).await;
    assert!(now["themes"].as_array().expect("themes").iter().any(|t| t["label"] == "Parkering"), "{}", now["themes"]);
    let members = |t: &Value, theme: i64| -> Vec<Value> {
        t["assignments"]
            .as_array()
            .expect("a")
            .iter()
            .zip(t["inputs"].as_array().expect("i"))
            .filter(|(a, _)| a.as_i64() == Some(theme))
            .map(|(_, i)| i.clone())
            .collect()
    };
    let canteen = of(&now, "kantine");
    let meetings = of(&now, "møde");
    let mut both = members(&now, canteen);
    both.extend(members(&now, meetings));
    let r = hr
        .send_json("POST", &format!("/api/v1/processes/{id}/themes/pins"), &json!({"inputs": both, "name": "Hverdag"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let merged_pin = as_json(&r)["id"].as_str().expect("pin").to_string();
    let r = hr
        .send_json("POST", &format!("/api/v1/processes/{id}/themes/pins"), &json!({"inputs": [uuid::Uuid::nil()]}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an input not in the process");
    let r = employee.send_json("POST", &format!("/api/v1/processes/{id}/themes/pins"), &json!({"inputs": both})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // New input arrives: the themes are computed again and the edits hold.
    for i in 0..6 {
        employee
            .send_json(
                "POST",
                &format!("/api/v1/processes/{id}/inputs"),
                &json!({"text": format!("Kantinen har for få vegetarretter ({i})")}),
            )
            .await;
    }
    let again = themes(&mut hr).await;
    let labels: Vec<&str> =
        again["themes"].as_array().expect("themes").iter().filter_map(|t| t["label"].as_str()).collect();
    assert!(labels.contains(&"Parkering") && labels.contains(&"Hverdag"), "{labels:?}");
    let hverdag =
        again["themes"].as_array().expect("t").iter().find(|t| t["label"] == "Hverdag").expect("merged")["id"]
            .as_i64()
            .expect("id");
    assert!(members(&again, hverdag).len() >= 40, "the merged theme keeps its 40 inputs");

    // Move one input out into a new theme on the page, then release the merged theme.
    let parking = again["themes"].as_array().expect("t").iter().find(|t| t["label"] == "Parkering").expect("p")["id"]
        .as_i64()
        .expect("id");
    let one = members(&again, parking)[0].as_str().expect("input").to_string();
    let detail = format!("/processer/{id}/temaer/{parking}");
    assert_eq!(browser.get(&detail).await.status, StatusCode::OK);
    let r = browser
        .post(&format!("{detail}/flyt"), &detail, &[("input", &one), ("to", "ny"), ("name", "Cykelparkering")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let moved = themes(&mut hr).await;
    let new =
        moved["themes"].as_array().expect("t").iter().find(|t| t["label"] == "Cykelparkering").expect("the new theme");
    assert_eq!(new["size"], 1);
    let r = hr.send_raw("DELETE", &format!("/api/v1/processes/{id}/themes/pins/{merged_pin}"), &[], "").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let pins = as_json(&hr.get(&format!("/api/v1/processes/{id}/themes/pins")).await);
    assert!(pins.as_array().expect("pins").iter().all(|p| p["id"] != merged_pin.as_str()));
});

db_test!(a_process_is_copied_and_gets_more_facilitators, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Trivselsrunde", "template": "clarification"}), Some("collect")).await;
    let r = hr
        .send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"steps": [{"key": "collect", "starts_on": "2027-02-01", "ends_on": "2027-02-26", "allow_anonymous": false}]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Another account facilitates this process only after it is added.
    let mut employee = app.api_client("medarbejder").await;
    let r = employee.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"title": "Min titel"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = hr
        .send_json("POST", &format!("/api/v1/processes/{id}/facilitators"), &json!({"username": "findes-ikke"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = hr
        .send_json("POST", &format!("/api/v1/processes/{id}/facilitators"), &json!({"username": "medarbejder"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = as_json(&hr.get(&format!("/api/v1/processes/{id}/facilitators")).await);
    assert!(list.as_array().expect("list").iter().any(|f| f["username"] == "medarbejder"), "{list}");
    let r =
        employee.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"title": "Trivselsrunde 2027"})).await;
    assert_eq!(r.status, StatusCode::OK, "now a facilitator of it: {}", r.body);
    // … but copying is for those who make processes.
    let r = employee.send_json("POST", &format!("/api/v1/processes/{id}/copy"), &json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/copy"), &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let copy = as_json(&r);
    assert_eq!(copy["title"], "Trivselsrunde 2027 (kopi)");
    assert_eq!(copy["active_step"], Value::Null, "a copy is not started");
    let collect =
        copy["steps"].as_array().expect("steps").iter().find(|s| s["key"] == "collect").expect("collect").clone();
    assert_eq!(
        (collect["starts_on"].as_str(), collect["allow_anonymous"].as_bool()),
        (Some("2027-02-01"), Some(false))
    );
    assert_eq!(counts(&app, copy["id"].as_str().expect("id")).await, (0, 0, 0));
    // On the page too.
    let mut browser = app.login("facilitator").await;
    let settings = format!("/processer/{id}/indstillinger");
    assert!(browser.get(&settings).await.body.contains("medarbejder"));
    let r = browser.post(&format!("/processer/{id}/kopi"), &settings, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().ends_with("/indstillinger"));
});
