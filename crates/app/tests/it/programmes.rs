//! Development programmes: a programme from a template with its cascade, modules and
//! activities; bad times, sizes and links refused with nothing saved; capacity that holds
//! under parallel sign-ups, with a waiting list that moves up on a cancellation or a larger
//! capacity; calendar feeds whose UIDs stay and whose SEQUENCE rises when an activity moves;
//! clashes in "Mit forløb"; the pages without JavaScript.

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db_test;
use crate::support::{Client, Reply, TestApp, demo_app};

fn as_json(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", r.body))
}

/// People of the demo organisation who are not leaders, in a stable order.
async fn people(app: &TestApp, n: usize) -> Vec<Uuid> {
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.expect("org");
    let mut all: Vec<Uuid> = org.all_units().flat_map(|u| org.staff(u.id).iter().map(|m| m.person_id)).collect();
    all.sort();
    all.dedup();
    assert!(all.len() >= n, "the demo has {} people", all.len());
    all.truncate(n);
    all
}

async fn person_of(app: &TestApp, username: &str) -> Uuid {
    let (account, _) =
        app::platform::accounts::store::account_for_login(&app.state.db, username).await.expect("q").expect("account");
    account.person_id.expect("a person")
}

/// A time `days` from now in Copenhagen, at `hour`.
fn local(days: i64, hour: u32) -> String {
    let day = app::programmes::today() + chrono::Duration::days(days);
    format!("{day}T{hour:02}:00")
}

async fn programme(c: &mut Client, body: Value) -> String {
    let r = c.send_json("POST", "/api/v1/programmes", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    as_json(&r)["id"].as_str().expect("id").to_string()
}

async fn activity(c: &mut Client, programme: &str, body: Value) -> String {
    let r = c.send_json("POST", &format!("/api/v1/programmes/{programme}/activities"), &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    as_json(&r)["id"].as_str().expect("id").to_string()
}

async fn activities(c: &mut Client, programme: &str) -> Vec<Value> {
    let r = c.get(&format!("/api/v1/programmes/{programme}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    as_json(&r)["activities"].as_array().expect("activities").clone()
}

db_test!(a_programme_from_a_template_has_its_cascade_and_bad_activities_change_nothing, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let mut employee = app.api_client("medarbejder").await;

    let before = as_json(&hr.get("/api/v1/programmes").await)["items"].as_array().map_or(0, Vec::len);
    let r = employee.send_json("POST", "/api/v1/programmes", &json!({"title": "Mit eget"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only those who run programmes make them");
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "X", "template": "aarhus"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("hedensted, rodovre, koege"), "{}", r.body);
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": " ", "template": null})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "X", "starts_on": "2001-01-01"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a template laid out in the past");
    assert_eq!(as_json(&hr.get("/api/v1/programmes").await)["items"].as_array().map(Vec::len), Some(before));

    // Rødovre's cascade: three steps, heads of department first.
    let id = programme(&mut hr, json!({"title": "Ledelse i Rødovre-stil", "template": "rodovre"})).await;
    let p = as_json(&hr.get(&format!("/api/v1/programmes/{id}")).await);
    assert_eq!(p["title"], "Ledelse i Rødovre-stil");
    assert_eq!(p["template"], "rodovre");
    let phases: Vec<&str> = p["phases"].as_array().unwrap().iter().map(|x| x["title"].as_str().unwrap()).collect();
    assert_eq!(phases, ["Afdelingsledere", "Alle ledere", "Alle medarbejdere"]);
    let acts = p["activities"].as_array().unwrap();
    let count = |kind: &str| acts.iter().filter(|a| a["kind"] == kind).count();
    assert_eq!((count("kick_off"), count("seminar"), count("coaching")), (2, 6, 3), "{acts:?}");
    let first_phase = p["phases"][0]["id"].clone();
    assert_eq!(acts.iter().filter(|a| a["phase_id"] == first_phase).count(), 9, "kick-off, 5 seminars, 3 talks");
    let starts: Vec<&str> = acts.iter().map(|a| a["starts_at"].as_str().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "in time order");

    // Bad activities: each refused with its reason, nothing saved.
    let good = json!({"title": "Workshop om kerneopgaven", "kind": "workshop", "starts_at": local(10, 9),
        "ends_at": local(10, 15), "place": "Rådhuset", "capacity": 24});
    let before = activities(&mut hr, &id).await.len();
    for (change, says) in [
        (json!({"starts_at": local(-3, 9), "ends_at": local(-3, 15)}), "overstået"),
        (json!({"ends_at": local(10, 8)}), "slutte efter"),
        (json!({"kind": "fest"}), "type"),
        (json!({"starts_at": "i morgen"}), "klokkeslæt"),
        (json!({"mode": "virtual", "place": ""}), "mødelink"),
        (json!({"mode": "hybrid", "meeting_url": "javascript:alert(1)"}), "https://"),
        (json!({"place": ""}), "sted"),
        (json!({"capacity": 0}), "pladser"),
        (json!({"module": Uuid::now_v7()}), "modul"),
    ] {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = hr.send_json("POST", &format!("/api/v1/programmes/{id}/activities"), &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{change}: {}", r.body);
        assert!(r.body.contains(says), "{change}: {}", r.body);
    }
    assert_eq!(activities(&mut hr, &id).await.len(), before, "nothing half-saved");
    let workshop = activity(&mut hr, &id, good.clone()).await;
    let a = as_json(&hr.get(&format!("/api/v1/activities/{workshop}")).await);
    assert_eq!(a["capacity"], 24);
    assert_eq!(a["sequence"], 0);
    // 09:00 Copenhagen time in winter or summer is 07:00 or 08:00 UTC.
    let hour = a["starts_at"].as_str().unwrap()[11..13].to_string();
    assert!(hour == "07" || hour == "08", "{a}");

    // Copy (same activities, no people) and archive (gone from the list; nobody signs up).
    let r = hr.send_json("POST", &format!("/api/v1/programmes/{id}/copy"), &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let copy = as_json(&r)["id"].as_str().unwrap().to_string();
    let c = as_json(&hr.get(&format!("/api/v1/programmes/{copy}")).await);
    assert_eq!(c["title"], "Ledelse i Rødovre-stil (kopi)");
    assert_eq!(c["activities"].as_array().unwrap().len(), before + 1);
    assert_eq!(c["enrolled"], 0);
    let r = hr.send_json("POST", &format!("/api/v1/programmes/{copy}/archive"), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let listed: Vec<String> = as_json(&hr.get("/api/v1/programmes").await)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_string())
        .collect();
    assert!(listed.contains(&id) && !listed.contains(&copy), "the archived copy leaves the list: {listed:?}");
    assert_eq!(listed.len(), 2, "the demo's programme and ours");
    let me = person_of(&app, "medarbejder").await;
    let r = employee.send_json("POST", &format!("/api/v1/programmes/{copy}/enrolments"), &json!({"person": me})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);

    // The audit log has the programme and the activity.
    let actions = app::platform::audit::store::actions(&app.state.db).await.expect("audit");
    for action in ["programme.created", "activity.created", "programme.copied", "programme.archived"] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
});

db_test!(capacity_holds_under_parallel_sign_ups_and_the_waiting_list_moves_up, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let id = programme(&mut hr, json!({"title": "Fuldt hold"})).await;
    let act = activity(
        &mut hr,
        &id,
        json!({"title": "Workshop", "kind": "workshop", "starts_at": local(7, 9), "ends_at": local(7, 12),
            "place": "Rådhuset", "capacity": 3}),
    )
    .await;
    let people = people(&app, 10).await;
    let mut tasks = Vec::new();
    for person in &people {
        let mut c = app.api_client("facilitator").await;
        let url = format!("/api/v1/activities/{act}/enrolments");
        let person = *person;
        tasks.push(tokio::spawn(async move { c.send_json("POST", &url, &json!({"person": person})).await }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        let r = t.await.expect("task");
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        statuses.push(as_json(&r)["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses.iter().filter(|s| *s == "enrolled").count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| *s == "waiting").count(), 7, "{statuses:?}");
    let a = as_json(&hr.get(&format!("/api/v1/activities/{act}")).await);
    assert_eq!((a["enrolled"].as_i64(), a["waiting"].as_i64()), (Some(3), Some(7)), "{a}");
    let listed = a["enrolments"].as_array().unwrap();
    assert_eq!(listed.iter().filter(|e| e["status"] == "enrolled").count(), 3, "no over-booking: {a}");
    // Signing up again changes nothing.
    let r = hr.send_json("POST", &format!("/api/v1/activities/{act}/enrolments"), &json!({"person": people[0]})).await;
    assert_eq!(as_json(&r)["changed"], false);

    // A capacity below the enrolled is refused; nothing changes.
    let change = |capacity: i64| {
        json!({"title": "Workshop", "kind": "workshop", "starts_at": local(7, 9), "ends_at": local(7, 12),
            "place": "Rådhuset", "capacity": capacity})
    };
    let r = hr.send_json("PATCH", &format!("/api/v1/activities/{act}"), &change(2)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("3 tilmeldte"), "{}", r.body);
    assert_eq!(as_json(&hr.get(&format!("/api/v1/activities/{act}")).await)["capacity"], 3);

    // A cancellation moves the first on the waiting list up.
    let waiting: Vec<String> =
        listed.iter().filter(|e| e["status"] == "waiting").map(|e| e["person"].as_str().unwrap().to_string()).collect();
    let enrolled = listed.iter().find(|e| e["status"] == "enrolled").unwrap()["person"].as_str().unwrap().to_string();
    let r = hr.send_json("DELETE", &format!("/api/v1/activities/{act}/enrolments/{enrolled}"), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(as_json(&r)["promoted"], json!([waiting[0]]));
    // A larger capacity moves the next two up, in the order they came.
    let r = hr.send_json("PATCH", &format!("/api/v1/activities/{act}"), &change(5)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(as_json(&r)["promoted"], json!([waiting[1], waiting[2]]));
    let a = as_json(&hr.get(&format!("/api/v1/activities/{act}")).await);
    assert_eq!((a["enrolled"].as_i64(), a["waiting"].as_i64()), (Some(5), Some(4)), "{a}");

    // An employee signs only themselves up; a leader nominates within their own part.
    let mut employee = app.api_client("medarbejder").await;
    let me = person_of(&app, "medarbejder").await;
    let r = employee
        .send_json("POST", &format!("/api/v1/activities/{act}/enrolments"), &json!({"person": people[9]}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = employee.send_json("POST", &format!("/api/v1/activities/{act}/enrolments"), &json!({"person": me})).await;
    assert_eq!(as_json(&r)["status"], "waiting");
    let r = employee
        .send_json("POST", &format!("/api/v1/activities/{act}/enrolments"), &json!({"person": Uuid::now_v7()}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = employee.send_json("DELETE", &format!("/api/v1/activities/{act}/enrolments/{me}"), &json!({})).await;
    assert_eq!(as_json(&r)["cancelled"], true);
    let enrolled_people = as_json(&hr.get(&format!("/api/v1/programmes/{id}/enrolments")).await);
    assert_eq!(enrolled_people.as_array().unwrap().len(), 11, "the sign-ups enrolled them in the programme too");
});

db_test!(calendar_feeds_keep_their_uids_and_raise_the_sequence_when_an_activity_moves, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let mut employee = app.api_client("medarbejder").await;
    let me = person_of(&app, "medarbejder").await;
    let id = programme(&mut hr, json!({"title": "Kalenderforløb"})).await;
    let body = |day: i64, hour: u32| {
        json!({"title": "Seminar; om \"ledelse\", del 1", "kind": "seminar", "starts_at": local(day, hour),
            "ends_at": local(day, hour + 3), "mode": "hybrid", "place": "Rådhuset",
            "meeting_url": "https://møde.example/abc", "agenda": "Velkomst\nOplæg"})
    };
    let seminar = activity(&mut hr, &id, body(14, 9)).await;
    let clashing = activity(
        &mut hr,
        &id,
        json!({"title": "Coaching", "kind": "coaching", "starts_at": local(14, 11), "ends_at": local(14, 12), "place": "Kontoret"}),
    )
    .await;
    for a in [&seminar, &clashing] {
        let r = employee.send_json("POST", &format!("/api/v1/activities/{a}/enrolments"), &json!({"person": me})).await;
        assert_eq!(as_json(&r)["status"], "enrolled", "{}", r.body);
    }
    let mine = as_json(&employee.get("/api/v1/me/programme").await);
    assert!(mine["activities"].as_array().unwrap().iter().all(|a| a["clash"] == true), "{mine}");
    assert_eq!(mine["has_calendar_feed"], false);

    let r = employee.send_json("POST", "/api/v1/me/calendar-feed", &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let url = as_json(&r)["url"].as_str().unwrap().to_string();
    let path = &url[url.find("/mit-forloeb/").expect("path")..];
    let mut calendar = app.client(); // calendar programs do not sign in
    let feed = calendar.get(path).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/calendar"));
    let text = feed.body.replace("\r\n ", ""); // unfold
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.contains(&format!("UID:{seminar}@samskab")), "{text}");
    assert!(text.contains("SEQUENCE:0"), "{text}");
    assert!(text.contains("SUMMARY:Seminar\\; om \"ledelse\"\\, del 1"), "escaped: {text}");
    assert!(text.contains("DESCRIPTION:Velkomst\\nOplæg"), "{text}");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
    assert!(feed.body.lines().all(|l| l.len() <= 76), "lines folded at 75 octets: {}", feed.body);

    // Moved: the same UID, a higher SEQUENCE, the new time.
    let r = hr.send_json("PATCH", &format!("/api/v1/activities/{seminar}"), &body(15, 13)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let moved = calendar.get(path).await.body.replace("\r\n ", "");
    assert!(moved.contains(&format!("UID:{seminar}@samskab")), "{moved}");
    assert!(moved.contains("SEQUENCE:1"), "{moved}");
    let mine = as_json(&employee.get("/api/v1/me/programme").await);
    assert!(mine["activities"].as_array().unwrap().iter().all(|a| a["clash"] == false), "moved apart: {mine}");

    // A new address ends the old one; a made-up one is not found.
    let r = employee.send_json("POST", "/api/v1/me/calendar-feed", &json!({})).await;
    let new_url = as_json(&r)["url"].as_str().unwrap().to_string();
    assert_ne!(new_url, url);
    assert_eq!(calendar.get(path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(calendar.get("/mit-forloeb/kalender/gaet.ics").await.status, StatusCode::NOT_FOUND);

    // The programme's feed, for those signed in.
    let mut browser = app.login("medarbejder").await;
    let r = browser.get(&format!("/programmes/{id}/kalender.ics")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("X-WR-CALNAME:Kalenderforløb") || r.body.contains("NAME:Kalenderforløb"), "{}", r.body);
    assert_ne!(calendar.get(&format!("/programmes/{id}/kalender.ics")).await.status, StatusCode::OK);
});

db_test!(a_facilitator_sets_up_a_programme_and_an_employee_signs_up_in_the_pages, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.login("facilitator").await;
    let r = hr.get("/programmer/ny").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = hr
        .post("/programmer/ny", "/programmer/ny", &[("title", ""), ("template", "hedensted"), ("starts_on", "")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Skriv en titel"), "{}", r.body);
    let r = hr
        .post(
            "/programmer/ny",
            "/programmer/ny",
            &[("title", "Ledelse tæt på kerneopgaven"), ("template", "hedensted"), ("starts_on", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers.get("location").unwrap().to_str().unwrap().to_string();
    let page = hr.get(&location).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Programmet er oprettet") || page.body.contains("Forløbet er oprettet"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Workshop 1: Kerneopgaven"));
    let id = location.trim_start_matches("/programmer/").split('?').next().unwrap().to_string();

    let form = format!("/programmer/{id}/aktiviteter/ny");
    let r = hr
        .post(
            &form,
            &form,
            &[
                ("title", "Ekstra workshop"),
                ("kind", "workshop"),
                ("starts_at", &local(20, 15)),
                ("ends_at", &local(20, 9)),
                ("mode", "physical"),
                ("place", "Rådhuset"),
                ("capacity", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("slutte efter"), "{}", r.body);
    let r = hr
        .post(
            &form,
            &form,
            &[
                ("title", "Ekstra workshop"),
                ("kind", "workshop"),
                ("starts_at", &local(20, 9)),
                ("ends_at", &local(20, 15)),
                ("mode", "physical"),
                ("place", "Rådhuset"),
                ("capacity", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let activity_page = r.headers.get("location").unwrap().to_str().unwrap().split('?').next().unwrap().to_string();

    // The employee takes the one place; the next person goes on the waiting list.
    let mut employee = app.login("medarbejder").await;
    let r = employee.post(&format!("{activity_page}/tilmeld"), &activity_page, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = employee.get(&activity_page).await;
    assert!(page.body.contains("Du er tilmeldt."), "{}", page.body);
    let mine = employee.get("/mit-forloeb").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Ekstra workshop"), "{}", mine.body);
    let r = employee.post("/mit-forloeb/kalender", "/mit-forloeb", &[]).await;
    assert!(r.body.contains("/mit-forloeb/kalender/"), "{}", r.body);
    let mut leader = app.login("leder").await;
    let r = leader.post(&format!("{activity_page}/tilmeld"), &activity_page, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.headers.get("location").unwrap().to_str().unwrap().contains("venteliste"));
    let r = employee.post(&format!("{activity_page}/afmeld"), &activity_page, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = leader.get(&activity_page).await;
    assert!(page.body.contains("Du er tilmeldt."), "moved up: {}", page.body);
});

db_test!(a_cascade_phase_is_filled_by_selecting_roles_in_a_subtree, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let id = programme(&mut hr, json!({"title": "Kaskaden", "template": "rodovre"})).await;
    let detail = as_json(&hr.get(&format!("/api/v1/programmes/{id}")).await);
    let phase = detail["phases"][0]["id"].as_str().unwrap().to_string();
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.expect("org");
    // A department (depth 1) and the leaders in it and below it.
    let department = org.units_at_depth(1).max_by_key(|u| u.headcount).expect("a department").clone();
    let mut leaders: Vec<Uuid> = org
        .all_units()
        .filter(|u| (department.tree_left..=department.tree_right).contains(&u.tree_left))
        .flat_map(|u| org.leaders(u.id).iter().map(|p| p.id).collect::<Vec<_>>())
        .collect();
    leaders.sort();
    leaders.dedup();
    assert!(leaders.len() >= 2, "the demo department has leaders");
    let url = format!("/api/v1/programmes/{id}/selection");

    for (body, why) in [
        (json!({"units": [department.id], "roles": []}), "rolle"),
        (json!({"units": [department.id], "roles": ["boss"]}), "rolle"),
        (json!({"units": [Uuid::new_v4()], "roles": ["leader"]}), "findes ikke"),
        (json!({"phase": Uuid::new_v4(), "units": [department.id], "roles": ["leader"]}), "led"),
    ] {
        let r = hr.send_json("POST", &url, &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert!(r.body.to_lowercase().contains(why), "{body}: {}", r.body);
    }
    assert_eq!(as_json(&hr.get(&format!("/api/v1/programmes/{id}/enrolments")).await).as_array().unwrap().len(), 0);

    let body = json!({"phase": phase, "units": [department.id], "roles": ["leader"]});
    let r = hr.send_json("POST", &url, &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&r)["enrolled"], leaders.len());
    let r = hr.send_json("POST", &url, &body).await;
    assert_eq!(as_json(&r)["enrolled"], 0, "{}", r.body);
    assert_eq!(as_json(&r)["already"], leaders.len());
    let enrolled = as_json(&hr.get(&format!("/api/v1/programmes/{id}/enrolments")).await);
    let mut got: Vec<Uuid> =
        enrolled.as_array().unwrap().iter().map(|e| Uuid::parse_str(e["person"].as_str().unwrap()).unwrap()).collect();
    got.sort();
    assert_eq!(got, leaders, "exactly the leaders of the subtree");
    assert!(enrolled.as_array().unwrap().iter().all(|e| e["via"] == "selection"));

    let mut employee = app.api_client("medarbejder").await;
    let r = employee.send_json("POST", &url, &body).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The page does the same.
    let mut page = app.login("facilitator").await;
    let form = format!("/programmer/{id}/udvaelg");
    let r = page.get(&form).await;
    assert_eq!(r.status, StatusCode::OK);
    let unit = department.id.to_string();
    let r = page.post(&form, &form, &[("unit", unit.as_str())]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = page.post(&form, &form, &[("unit", unit.as_str()), ("role", "leader"), ("phase", phase.as_str())]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains(&format!("0 tilmeldt, {} var allerede tilmeldt", leaders.len())), "{}", r.body);
});

db_test!(a_leader_nominates_people_of_their_own_part_in_the_page, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let id = programme(&mut hr, json!({"title": "Ledernomineret", "template": "rodovre"})).await;
    let employee = person_of(&app, "medarbejder").await; // in the demo leader's unit
    let outside = person_of(&app, "direktion").await;
    let mut leader = app.login("leder").await;
    let page = format!("/programmer/{id}");
    let r = leader.get(&page).await;
    assert!(r.body.contains("action=\"/programmer/") && r.body.contains(&employee.to_string()), "{}", r.body);
    assert!(!r.body.contains(&outside.to_string()), "only the leader's own part is offered");
    let form = format!("{page}/nominer");
    let r = leader.post(&form, &page, &[("person", "ikke-en-person")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let outsider = outside.to_string();
    let r = leader.post(&form, &page, &[("person", outsider.as_str())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "outside the leader's part");
    let who = employee.to_string();
    let r = leader.post(&form, &page, &[("person", who.as_str())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let enrolled = as_json(&hr.get(&format!("/api/v1/programmes/{id}/enrolments")).await);
    let row = enrolled.as_array().unwrap().iter().find(|e| e["person"] == who).expect("enrolled");
    assert_eq!(row["via"], "nomination");
    let r = leader.get(r.location()).await;
    assert!(r.body.contains("Personen er tilmeldt forløbet"), "{}", r.body);
    assert!(!r.body.contains(&format!("value=\"{who}\"")), "no longer offered");
});
