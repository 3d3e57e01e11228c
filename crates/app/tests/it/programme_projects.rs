//! Action learning: a participant's project with trial actions in cycles, the buddy's
//! feedback, the learning group's notes, visibility (owner, buddy, group and facilitators;
//! the leader the status until the owner shares), and a finished project made a draft story.

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db_test;
use crate::support::{TestApp, demo_app};

fn as_json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON ({e}): {body}"))
}

async fn person_of(app: &TestApp, username: &str) -> Uuid {
    let (account, _) =
        app::platform::accounts::store::account_for_login(&app.state.db, username).await.expect("q").expect("account");
    account.person_id.expect("a person")
}

async fn adopt(
    app: &TestApp,
    programme: Uuid,
    kind: app::programmes::model::GroupKind,
    parent: Option<Uuid>,
    members: &[Uuid],
) -> Uuid {
    let (min_size, max_size) = kind.default_size();
    let grouping = app::programmes::model::Grouping {
        kind,
        min_size: min_size as i32,
        max_size: max_size as i32,
        mix: Vec::new(),
    };
    let group = app::programmes::model::NewGroup { parent, members: members.iter().map(|p| (*p, false)).collect() };
    let entry = app::platform::audit::AuditEntry::system("programme.groups_adopted", "test");
    app::programmes::store::groups::adopt(&app.state.db, app.state.municipality, programme, &grouping, &[group], entry)
        .await
        .unwrap()[0]
}

db_test!(action_learning_with_buddy_feedback_group_notes_visibility_and_a_story, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "Aktionslæring"})).await;
    let id = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let programme = Uuid::parse_str(&id).unwrap();
    let (me, buddy, leader) =
        (person_of(&app, "medarbejder").await, person_of(&app, "direktion").await, person_of(&app, "leder").await);
    for p in [me, buddy, leader] {
        let r = hr.send_json("POST", &format!("/api/v1/programmes/{id}/enrolments"), &json!({"person": p})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let learning = adopt(&app, programme, app::programmes::model::GroupKind::Learning, None, &[me, buddy]).await;
    adopt(&app, programme, app::programmes::model::GroupKind::Buddy, Some(learning), &[me, buddy]).await;

    let mut owner = app.api_client("medarbejder").await;
    let mut pal = app.api_client("direktion").await;
    let mut boss = app.api_client("leder").await;
    let projects = format!("/api/v1/programmes/{id}/projects");
    let r = owner.send_json("POST", &projects, &json!({"title": " "})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = owner
        .send_json(
            "POST",
            &projects,
            &json!({"title": "Faste ruter", "challenge": "Mange skift hos borgerne", "core_task": "Hjemmepleje",
                "citizen_change": "Færre nye ansigter", "goal": "Tre faste medarbejdere pr. borger"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let project = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let url = format!("/api/v1/projects/{project}");

    // The leader sees that it runs, not what it says, until the owner shares it.
    let seen = as_json(&boss.get(&url).await.body);
    assert_eq!(seen["access"], "status");
    assert!(seen["project"].is_null() && seen["trial_actions"].is_null(), "{seen}");
    let listed = as_json(&boss.get(&projects).await.body);
    assert!(listed.as_array().unwrap().iter().all(|p| p["project"].is_null()));
    let body = json!({"title": "Faste ruter", "challenge": "Mange skift hos borgerne", "shared_with_leader": true});
    let r = owner.send_json("PATCH", &url, &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let seen = as_json(&boss.get(&url).await.body);
    assert_eq!(seen["access"], "read");
    assert_eq!(seen["project"]["challenge"], "Mange skift hos borgerne");
    let r = boss.send_json("PATCH", &url, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "reading is not writing");
    assert_eq!(as_json(&pal.get(&url).await.body)["access"], "feedback");
    assert_eq!(as_json(&hr.get(&url).await.body)["access"], "read");

    // Trial actions in cycles.
    let trials = format!("{url}/trials");
    let r = owner.send_json("POST", &trials, &json!({"title": ""})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = owner
        .send_json(
            "POST",
            &trials,
            &json!({"title": "To faste ruter", "planned_on": "2027-03-10", "done_on": "2027-03-01"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "done before planned");
    let r =
        owner.send_json("POST", &trials, &json!({"title": "To faste ruter", "plan": "Rute 3 og 7 i fire uger"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let trial = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let r = boss.send_json("POST", &trials, &json!({"title": "Mit forsøg"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = owner
        .send_json(
            "PATCH",
            &format!("/api/v1/trials/{trial}"),
            &json!({"title": "To faste ruter", "plan": "Rute 3 og 7 i fire uger", "act": "Kørt i fire uger",
                "observe": "Borgerne kendte medarbejderne", "reflect": "Udvid til alle ruter", "involved": "Teamleder og to kolleger"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let view = as_json(&r.body);
    assert_eq!(view["trial_actions"][0]["stage"], "reflect", "the furthest stage written");
    assert_eq!((view["trials"].as_i64(), view["reflected"].as_i64()), (Some(1), Some(1)));

    // The buddy's feedback; not the leader's.
    let feedback = format!("/api/v1/trials/{trial}/feedback");
    let r = pal.send_json("POST", &feedback, &json!({"worked": "Tydelig plan", "next_try": ""})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = pal
        .send_json("POST", &feedback, &json!({"worked": "Tydelig plan", "next_try": "Spørg borgerne direkte"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = boss.send_json("POST", &feedback, &json!({"worked": "x", "next_try": "y"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let seen = as_json(&owner.get(&url).await.body);
    assert_eq!(seen["feedback"][0]["next_try"], "Spørg borgerne direkte");

    // The learning group's notes: its members and those who run programmes.
    let notes = format!("/api/v1/groups/{learning}/notes");
    let r = pal.send_json("POST", &notes, &json!({"text": "Næste gang: ruteplanen med."})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&owner.get(&notes).await.body)[0]["text"], "Næste gang: ruteplanen med.");
    assert_eq!(hr.get(&notes).await.status, StatusCode::OK);
    assert_eq!(boss.get(&notes).await.status, StatusCode::NOT_FOUND, "not in the group");
    assert_eq!(boss.send_json("POST", &notes, &json!({"text": "Hej"})).await.status, StatusCode::NOT_FOUND);

    // A project of the leader's own is not the employee's business.
    let r = boss.send_json("POST", &projects, &json!({"title": "Ledelse af ledere"})).await;
    let theirs = as_json(&r.body)["id"].as_str().unwrap().to_string();
    assert_eq!(owner.get(&format!("/api/v1/projects/{theirs}")).await.status, StatusCode::NOT_FOUND);

    // Finished, it becomes a draft story (once).
    let story = format!("{url}/story");
    assert_eq!(owner.send_json("POST", &story, &json!({})).await.status, StatusCode::CONFLICT);
    let r = owner.send_json("PATCH", &url, &json!({"title": "Faste ruter", "finished": true})).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = owner.send_json("POST", &story, &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let draft = Uuid::parse_str(as_json(&r.body)["story"].as_str().unwrap()).unwrap();
    let again = as_json(&owner.send_json("POST", &story, &json!({})).await.body);
    assert_eq!(again["story"], draft.to_string());
    let made =
        app::stories::store::get(&app.state.db, app.state.municipality, draft).await.unwrap().expect("the story");
    assert_eq!(made.title, "Faste ruter");
    assert_eq!(made.state, app::stories::model::StoryState::Draft);
    assert!(made.body.contains("To faste ruter") && made.body.contains("Udvid til alle ruter"), "{}", made.body);

    // The pages.
    let mut page = app.login("medarbejder").await;
    let project_page = format!("/projekter/{project}");
    let r = page.get(&project_page).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Spørg borgerne direkte") && r.body.contains("name=\"reflect\""), "{}", r.body);
    let r = page.post(&format!("{project_page}/afproevninger"), &project_page, &[("title", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = page
        .post(
            &format!("{project_page}/afproevninger"),
            &project_page,
            &[("title", "Borgersamtale"), ("plan", "Spørg fem borgere")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = page.get(&format!("/programmer/{id}/projekter")).await;
    assert!(r.body.contains("Faste ruter"), "{}", r.body);
    let group_page = format!("/grupper/{learning}");
    let r = page.post(&format!("{group_page}/noter"), &group_page, &[("text", "Vi mødes igen torsdag.")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(page.get(&group_page).await.body.contains("Vi mødes igen torsdag."));
    let r = page.get("/mit-forloeb").await;
    assert!(r.body.contains(&format!("/grupper/{learning}")) && r.body.contains(&project_page), "{}", r.body);
    let mut pal_page = app.login("direktion").await;
    assert!(pal_page.get(&project_page).await.body.contains("name=\"next_try\""), "the buddy's feedback form");
});
