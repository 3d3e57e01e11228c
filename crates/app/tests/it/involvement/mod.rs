//! Involvement: processes from templates, inputs and votes by employees and through
//! personal links, moderation, who sees what, and bad input changing nothing.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::db_test;

mod channels;
mod invite;
mod results;
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
    // Removed again, the account facilitates nothing from its next request.
    let r = hr.send_json("DELETE", &format!("/api/v1/processes/{id}/facilitators/medarbejder"), &json!({})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let list = as_json(&hr.get(&format!("/api/v1/processes/{id}/facilitators")).await);
    assert!(!list.as_array().expect("list").iter().any(|f| f["username"] == "medarbejder"), "{list}");
    let r = employee.send_json("PATCH", &format!("/api/v1/processes/{id}"), &json!({"title": "Min titel"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no longer a facilitator");
    let r = hr.send_json("DELETE", &format!("/api/v1/processes/{id}/facilitators/medarbejder"), &json!({})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "not one any more: {}", r.body);
    assert!(r.body.contains("er ikke facilitator"), "{}", r.body);

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
    let r = browser.post(&format!("/processer/{id}/facilitatorer"), &settings, &[("username", "medarbejder")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(browser.get(&settings).await.body.contains("(medarbejder)"));
    let r =
        browser.post(&format!("/processer/{id}/facilitatorer/fjern"), &settings, &[("username", "medarbejder")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(!browser.get(&settings).await.body.contains("(medarbejder)"));
    let r = browser.post(&format!("/processer/{id}/kopi"), &settings, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().ends_with("/indstillinger"));
});
