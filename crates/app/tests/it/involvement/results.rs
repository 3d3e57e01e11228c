//! Results: opinion groups and themes from the engines, facilitators' edits, the demo.

use super::*;

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
    // Asked again with nothing changed: the same answer.
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

// A large process (from 100,000 current votes) does not make readers wait for a new
// opinion run: they get the kept result at once, and the analysis job is queued (once) to
// bring it up to date. A small process's result is always current (the tests above).
db_test!(a_large_process_shows_its_kept_opinions_and_queues_the_job, |db| {
    use std::io::Write;
    let app = crate::support::demo_app(&db, 200).await;
    let dir = tempfile::tempdir().expect("dir");
    let (votes, comments) = (dir.path().join("votes.csv"), dir.path().join("comments.csv"));
    let mut c = std::fs::File::create(&comments).expect("comments");
    writeln!(c, "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body").expect("w");
    for s in 0..50 {
        writeln!(c, "{s},x,{s},0,0,0,1,Udsagn {s}").expect("w");
    }
    let mut v = std::io::BufWriter::new(std::fs::File::create(&votes).expect("votes"));
    writeln!(v, "timestamp,datetime,comment-id,voter-id,vote").expect("w");
    let mut t = 0;
    for voter in 0..2_100 {
        for s in 0..50 {
            t += 1;
            let vote = if (voter % 3 == 0) == (s % 2 == 0) { 1 } else { -1 };
            writeln!(v, "{t},x,{s},{voter},{vote}").expect("w");
        }
    }
    drop(v);
    let bulk = app::involvement::import::read_polis(&votes, &comments, "Stor").expect("export");
    let entry = app::platform::audit::AuditEntry::system("process.created", "test");
    let id = app::involvement::store::write_bulk(&db, app.state.municipality, &bulk, entry).await.expect("import");
    assert!(
        app::involvement::store::current_votes(&db, id).await.expect("votes")
            >= app::involvement::analysis::LAG_FROM_VOTES
    );
    let mut hr = app.api_client("facilitator").await;
    let first = hr.get(&format!("/api/v1/processes/{id}/opinions")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // A new vote: the kept result is still answered, and one analysis job waits for it.
    let r = hr
        .send_json(
            "PATCH",
            &format!("/api/v1/processes/{id}"),
            &json!({"active_step": "process", "steps": [{"key": "process", "allow_votes": true}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/votes"), &json!({"statement": 3, "vote": 1})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let again = hr.get(&format!("/api/v1/processes/{id}/opinions")).await;
    assert_eq!(again.body, first.body, "the kept result, at once");
    let jobs = app::platform::jobs::store::list(&db, app.state.municipality, 50, 0).await.expect("jobs").0;
    let queued = jobs
        .iter()
        .filter(|j| j.kind == "involvement.analyse" && !j.state.finished() && j.payload["process"] == id.to_string())
        .count();
    assert_eq!(queued, 1, "one analysis job brings it up to date");
});
