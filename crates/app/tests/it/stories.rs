//! The story bank: Danish search, who reads what, writing and publishing, bad input.

use axum::http::StatusCode;
use serde_json::json;

use crate::db_test;
use crate::support::{Reply, TestApp, demo_app};

fn as_json(r: &Reply) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", r.body))
}

async fn story_count(app: &TestApp) -> i64 {
    app::stories::store::count(&app.state.db, app.state.municipality).await.expect("count")
}

fn titles(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {v}"))
        .iter()
        .map(|s| s["title"].as_str().unwrap_or("").to_string())
        .collect()
}

db_test!(danish_search_finds_word_forms_and_marks_them, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("admin").await;
    let mut make = async |title: &str, text: &str| {
        let r = hr
            .send_json("POST", "/api/v1/stories", &json!({ "title": title, "body": text, "core_tasks": ["laering"] }))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = as_json(&r)["id"].as_str().expect("id").to_string();
        let r = hr.send_json("PATCH", &format!("/api/v1/stories/{id}"), &json!({ "state": "published" })).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    };
    make("Morgenmad med borgerne", "Vi spiste morgenmad med borgerne i kvarteret hver fredag.").await;
    make("Kommunens nye kantine", "Kantinen på rådhuset laver nu mad af lokale råvarer.").await;
    make("Pas på ryggen", "Loftlifte har sparet mange løft i plejen.").await;

    let mut reader = app.api_client("medarbejder").await;
    let found = as_json(&reader.get("/api/v1/stories?q=borger").await);
    assert!(
        titles(&found).contains(&"Morgenmad med borgerne".to_string()),
        "borger finds borgerne: {:?}",
        titles(&found)
    );
    let hit =
        found["items"].as_array().expect("items").iter().find(|s| s["title"] == "Morgenmad med borgerne").expect("hit");
    assert!(hit["snippet"].as_str().is_some_and(|s| s.contains("<mark>borgerne</mark>")), "{hit}");
    let found = as_json(&reader.get("/api/v1/stories?q=kommune").await);
    assert!(titles(&found).contains(&"Kommunens nye kantine".to_string()), "kommune finds kommunens");
    // All words must occur: "borgerne kantine" finds neither story alone.
    let both = as_json(&reader.get("/api/v1/stories?q=borgerne+kantine").await);
    assert_eq!(both["total"], 0);
    // Quotes and operators are words, never an error.
    for q in
        ["%22borgerne%22+AND+NOT", "borger*", "(kantine)+OR+-ryg", "%22", "NEAR(a+b)", "'%3B+DROP+TABLE+story%3B--"]
    {
        let r = reader.get(&format!("/api/v1/stories?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    }
    let page = reader.get("/api/v1/stories?q=ryggen").await;
    assert_eq!(titles(&as_json(&page)), vec!["Pas på ryggen"], "a stem of the title");

    // The page shows the same, with the snippet marked and everything else escaped.
    let mut browser = app.login("medarbejder").await;
    let r = browser.get("/historier?q=borger").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Morgenmad med borgerne") && r.body.contains("<mark>borgerne</mark>"));
    let r = browser.get("/historier?q=%22%3Cscript%3E%22").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("<script>\""), "the query is escaped");
});

db_test!(who_reads_what_and_who_publishes, |db| {
    let app = demo_app(&db, 200).await;
    let public = app::stories::demo::STORIES.iter().enumerate().filter(|(i, s)| s.5 && i % 15 != 14).count();
    let published = app::stories::demo::STORIES.iter().enumerate().filter(|(i, _)| i % 15 != 14).count();

    let mut visitor = app.client();
    let r = visitor.get("/historier").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!("{public} historier")), "a visitor sees the published public stories");
    let mut employee = app.api_client("medarbejder").await;
    assert_eq!(as_json(&employee.get("/api/v1/stories").await)["total"], published as i64, "members see all published");
    let mut facilitator = app.api_client("facilitator").await;
    assert_eq!(as_json(&facilitator.get("/api/v1/stories").await)["total"], app::stories::demo::STORIES.len() as i64);

    // An employee writes a draft: theirs and the editors' to see, nobody else's.
    let r = employee
        .send_json(
            "POST",
            "/api/v1/stories",
            &json!({ "title": "Vores morgenmøde", "body": "Ti minutter stående.", "core_tasks": ["social-omsorg"],
                     "tags": ["Møder", " møder ", "Trivsel"], "visibility": "public" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let story = as_json(&r);
    assert_eq!(story["state"], "draft");
    assert_eq!(story["tags"], json!(["møder", "trivsel"]), "tags are normalised and unique");
    let id = story["id"].as_str().expect("id").to_string();
    let mut colleague = app.api_client("leder").await;
    assert_eq!(colleague.get(&format!("/api/v1/stories/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(visitor.get(&format!("/historier/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(facilitator.get(&format!("/api/v1/stories/{id}")).await.status, StatusCode::OK);
    // The writer edits the draft but cannot publish it.
    let r = employee
        .send_json("PATCH", &format!("/api/v1/stories/{id}"), &json!({ "title": "Vores korte morgenmøde" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = employee.send_json("PATCH", &format!("/api/v1/stories/{id}"), &json!({ "state": "published" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let r = colleague.send_json("PATCH", &format!("/api/v1/stories/{id}"), &json!({ "title": "Kapret" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "another's draft does not exist for them");
    // A facilitator publishes it on the page: now everyone sees it.
    let mut editor = app.login("facilitator").await;
    let r =
        editor.post(&format!("/historier/{id}/status"), &format!("/historier/{id}"), &[("state", "published")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = visitor.get(&format!("/historier/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Vores korte morgenmøde"));
    let r = employee.send_json("PATCH", &format!("/api/v1/stories/{id}"), &json!({ "body": "Nu længere." })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a published story is the editors' to change");
    // Every step is in the audit log.
    let events = app::platform::audit::search(
        &db,
        app.state.municipality,
        &app::platform::audit::AuditQuery { text: Some(id.clone()), limit: 20, ..Default::default() },
    )
    .await
    .expect("audit");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    for a in ["story.created", "story.updated", "story.state_changed"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }

    // Filters by core task and tag.
    let r = as_json(&employee.get("/api/v1/stories?core_task=social-omsorg&tag=Trivsel&limit=1000").await);
    assert!(titles(&r).contains(&"Vores korte morgenmøde".to_string()));
    assert!(
        r["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|s| s["core_tasks"].as_array().expect("tasks").contains(&json!("social-omsorg")))
    );
    let r = visitor.get("/historier?kerneopgave=laering").await;
    assert_eq!(r.status, StatusCode::OK);
});

db_test!(bad_stories_are_refused_and_change_nothing, |db| {
    let app = demo_app(&db, 200).await;
    let before = story_count(&app).await;
    let mut api = app.api_client("medarbejder").await;
    let long = "x".repeat(50_001);
    for (bad, why) in [
        (json!({ "title": " ", "body": "tekst", "core_tasks": ["laering"] }), "title"),
        (json!({ "title": "T", "body": long, "core_tasks": ["laering"] }), "body"),
        (json!({ "title": "T", "body": "tekst", "core_tasks": ["astrologi"] }), "core_tasks"),
        (json!({ "title": "T", "body": "tekst", "core_tasks": [] }), "core_tasks"),
        (json!({ "title": "T", "body": "tekst", "core_tasks": ["laering"], "unit_id": uuid::Uuid::nil() }), "unit_id"),
        (json!({ "title": "T" }), "missing field"),
        (
            json!({ "title": "T", "body": "tekst", "core_tasks": ["laering"], "visibility": "hemmelig" }),
            "unknown variant",
        ),
    ] {
        let r = api.send_json("POST", "/api/v1/stories", &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{why}: {}", r.body);
        assert!(as_json(&r)["detail"].as_str().is_some_and(|d| d.contains(why)), "{why}: {}", r.body);
    }
    let r = api.send_raw("POST", "/api/v1/stories", &[("content-type", "text/plain")], "{}").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.get("/api/v1/stories?core_task=astrologi").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(api.get("/api/v1/stories?state=hemmelig").await.status, StatusCode::BAD_REQUEST);

    // The page: an error summary, the text kept, nothing stored.
    let mut browser = app.login("medarbejder").await;
    let r = browser
        .post("/historier/ny", "/historier/ny", &[("title", ""), ("body", "Min historie"), ("core_task", "laering")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("Der er problemer")
            && r.body.contains("Skriv en overskrift.")
            && r.body.contains("Min historie")
    );
    let r = browser
        .post("/historier/ny", "/historier/ny", &[("title", "Titel"), ("body", "Tekst"), ("core_task", "astrologi")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Kerneopgaven &#34;astrologi&#34; findes ikke."), "{}", r.body);
    assert_eq!(browser.get("/historier?kerneopgave=astrologi").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(story_count(&app).await, before, "nothing stored");

    // And a good one from the page becomes a draft.
    let r = browser
        .post(
            "/historier/ny",
            "/historier/ny",
            &[("title", "Titel"), ("body", "Tekst\n\n- et punkt"), ("core_task", "laering"), ("tags", "a, b")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = browser.get(r.location()).await;
    assert!(page.body.contains("Kladde") && page.body.contains("<ul><li>et punkt</li></ul>"));
    assert_eq!(story_count(&app).await, before + 1);
});

// Result pages are remembered until a story changes: every kind of change must show at once.
db_test!(a_remembered_search_follows_every_change_of_the_stories, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("admin").await;
    let mut reader = app.api_client("medarbejder").await;
    let search = "/api/v1/stories?q=trappevask";
    let before = as_json(&reader.get(search).await);
    assert_eq!(before["total"], 0, "{before}");

    let r = hr
        .send_json(
            "POST",
            "/api/v1/stories",
            &json!({ "title": "Ren trappe", "body": "Trappevask hver uge.", "core_tasks": ["laering"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = as_json(&r)["id"].as_str().expect("id").to_string();
    assert_eq!(as_json(&hr.get(search).await)["total"], 1, "the editor sees the new draft");
    assert_eq!(as_json(&reader.get(search).await)["total"], 0, "a draft is not the reader's");

    let story = format!("/api/v1/stories/{id}");
    assert_eq!(hr.send_json("PATCH", &story, &json!({ "state": "published" })).await.status, StatusCode::OK);
    assert_eq!(titles(&as_json(&reader.get(search).await)), vec!["Ren trappe"], "published: the reader finds it");

    let r = hr
        .send_json(
            "PATCH",
            &story,
            &json!({ "title": "Ren trappe", "body": "Gulvvask hver uge.", "core_tasks": ["laering"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(as_json(&reader.get(search).await)["total"], 0, "the old word is gone with the edit");
    assert_eq!(as_json(&reader.get("/api/v1/stories?q=gulvvask").await)["total"], 1);

    assert_eq!(hr.send_json("PATCH", &story, &json!({ "state": "archived" })).await.status, StatusCode::OK);
    assert_eq!(as_json(&reader.get("/api/v1/stories?q=gulvvask").await)["total"], 0, "archived: gone for the reader");
    assert_eq!(as_json(&hr.get("/api/v1/stories?q=gulvvask").await)["items"][0]["state"], "archived");
});
