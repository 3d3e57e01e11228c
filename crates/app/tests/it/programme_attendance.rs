//! Attendance: the check-in code shown in the room and check-in with it (only while the
//! activity runs, only for those enrolled), the facilitator's list (from the activity's
//! day), each participant's progress, and the completed activities as CSV and XLSX.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
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

/// Moves an activity to have begun half an hour ago, as time would (the API refuses a start
/// in the past).
async fn begin_now(app: &TestApp, activity: Uuid) {
    let a =
        app::programmes::store::activity_of(&app.state.db, app.state.municipality, activity).await.unwrap().unwrap();
    let now = Utc::now();
    let moved = app::programmes::model::NewActivity {
        module_id: a.module_id,
        phase_id: a.phase_id,
        kind: a.kind,
        title: a.title.clone(),
        starts_at: now - Duration::minutes(30),
        ends_at: now + Duration::minutes(60),
        mode: a.mode,
        place: a.place.clone(),
        meeting_url: a.meeting_url.clone(),
        capacity: a.capacity,
        facilitator: a.facilitator.clone(),
        agenda: a.agenda.clone(),
    };
    let letters = app::programmes::notices::Letters::none(app::programmes::notices::Facts::of(&a, ""));
    let entry = app::platform::audit::AuditEntry::system("activity.changed", "test");
    app::programmes::store::update_activity(
        &app.state.db,
        app.state.municipality,
        activity,
        &moved,
        &letters,
        false,
        entry,
    )
    .await
    .unwrap();
}

db_test!(attendance_is_kept_by_code_and_by_list_and_exported_for_the_hr_system, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "Fremmødeforløb"})).await;
    let programme = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let day = app::programmes::today() + Duration::days(10);
    let r = hr
        .send_json(
            "POST",
            &format!("/api/v1/programmes/{programme}/activities"),
            &json!({"title": "Workshop om kerneopgaven", "kind": "workshop", "starts_at": format!("{day}T09:00"),
                "ends_at": format!("{day}T10:30"), "place": "Rådhuset"}),
        )
        .await;
    let activity = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let activity_id = Uuid::parse_str(&activity).unwrap();
    let me = person_of(&app, "medarbejder").await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let others: Vec<Uuid> = org
        .all_units()
        .flat_map(|u| org.staff(u.id).iter().map(|m| m.person_id).collect::<Vec<_>>())
        .filter(|p| *p != me)
        .take(2)
        .collect();
    for p in std::iter::once(me).chain(others.iter().copied()) {
        let r = hr.send_json("POST", &format!("/api/v1/activities/{activity}/enrolments"), &json!({"person": p})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let list_url = format!("/api/v1/activities/{activity}/attendance");
    let r = hr.send_json("POST", &list_url, &json!({"present": [me]})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not before the day: {}", r.body);
    let r = hr.send_json("POST", &format!("/api/v1/activities/{activity}/checkin-code"), &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let code = as_json(&r.body)["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    let mut employee = app.api_client("medarbejder").await;
    let check_in = format!("/api/v1/activities/{activity}/checkin");
    let r = employee.send_json("POST", &check_in, &json!({"code": code})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not ten days early: {}", r.body);

    begin_now(&app, activity_id).await;
    let r = employee.send_json("POST", &check_in, &json!({"code": "WRONG1"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Koden passer ikke"), "{}", r.body);
    let r = app.api_client("leder").await.send_json("POST", &check_in, &json!({"code": code})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not enrolled: {}", r.body);
    assert!(as_json(&hr.get(&list_url).await.body)["people"].as_array().unwrap().iter().all(|p| p["present"] == false));
    // The page: the field is there while it runs; the code as typed on a phone.
    let mut phone = app.login("medarbejder").await;
    let page = format!("/aktiviteter/{activity}");
    assert!(phone.get(&page).await.body.contains("name=\"code\""));
    let typed = format!(" {} ", code.to_lowercase());
    let r = phone.post(&format!("{page}/tjek-ind"), &page, &[("code", typed.as_str())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = phone.get(r.location()).await;
    assert!(r.body.contains("Dit fremmøde er registreret") && !r.body.contains("name=\"code\""), "{}", r.body);

    // The facilitator's list: it replaces what was recorded; a stranger changes nothing.
    let list = as_json(&hr.get(&list_url).await.body);
    assert_eq!(list["code"], code.as_str());
    let present: Vec<&Value> = list["people"].as_array().unwrap().iter().filter(|p| p["present"] == true).collect();
    assert_eq!(present.len(), 1);
    assert_eq!(present[0]["person"], me.to_string());
    let r = hr.send_json("POST", &list_url, &json!({"present": [me, Uuid::new_v4()]})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = hr.send_json("POST", &list_url, &json!({"present": [me, others[0]]})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let list = as_json(&r.body);
    assert_eq!(list["people"].as_array().unwrap().iter().filter(|p| p["present"] == true).count(), 2);

    // Progress and the export.
    let progress = as_json(&hr.get(&format!("/api/v1/programmes/{programme}/attendance")).await.body);
    let mine = progress.as_array().unwrap().iter().find(|p| p["person"] == me.to_string()).expect("me").clone();
    assert_eq!((mine["activities"].as_i64(), mine["present"].as_i64()), (Some(1), Some(1)));
    let absent = progress.as_array().unwrap().iter().find(|p| p["person"] == others[1].to_string()).unwrap();
    assert_eq!(absent["absent"], 1);
    let r = hr.get(&format!("/api/v1/programmes/{programme}/attendance?format=csv")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let name = org.person(me).unwrap().name.clone();
    assert!(
        r.body.contains(&name) && r.body.contains("Workshop om kerneopgaven;") && r.body.contains(";90"),
        "{}",
        r.body
    );
    assert_eq!(r.body.lines().count(), 3, "a heading and the two present: {}", r.body);
    let r = hr.get(&format!("/api/v1/programmes/{programme}/attendance?format=xlsx")).await;
    assert!(r.bytes.starts_with(b"PK"), "an XLSX (zip) file");
    let r = hr.get(&format!("/api/v1/programmes/{programme}/attendance?format=pdf")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = employee.get(&format!("/api/v1/programmes/{programme}/attendance")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The facilitator's pages.
    let mut pages = app.login("facilitator").await;
    let list_page = format!("/aktiviteter/{activity}/fremmoede");
    let r = pages.get(&list_page).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&code) && r.body.contains(&name), "{}", r.body);
    let other = others[1].to_string();
    let r = pages.post(&list_page, &list_page, &[("present", other.as_str())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let list = as_json(&hr.get(&list_url).await.body);
    let present: Vec<&Value> = list["people"].as_array().unwrap().iter().filter(|p| p["present"] == true).collect();
    assert_eq!(present.len(), 1);
    assert_eq!(present[0]["person"], other);
    let r = pages.get(&format!("/programmer/{programme}/fremmoede")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("gennemfoert.xlsx"), "{}", r.body);
    let r = pages.get(&format!("/programmer/{programme}/gennemfoert.csv")).await;
    assert_eq!(r.status, StatusCode::OK);
});
