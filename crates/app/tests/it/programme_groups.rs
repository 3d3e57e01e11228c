//! Cohorts, learning groups and buddy pairs: previewed from the enrolled people with units
//! mixed, bad requests refused with nothing saved, learning groups inside the adopted
//! cohorts and pairs inside the learning groups, a locked person kept where they were put,
//! late enrolments placed without moving anyone else, members who see their group in
//! "Mit forløb" and hold a grant on it; the same in the pages without JavaScript.

use std::collections::{HashMap, HashSet};

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db_test;
use crate::support::{Client, Reply, TestApp, demo_app};

fn as_json(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", r.body))
}

/// Everyone in the demo organisation, in a stable order, with their unit.
async fn people(app: &TestApp) -> Vec<(Uuid, Uuid)> {
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.expect("org");
    let mut all: Vec<(Uuid, Uuid)> =
        org.all_units().flat_map(|u| org.staff(u.id).iter().map(|m| (m.person_id, u.id)).collect::<Vec<_>>()).collect();
    all.sort();
    all.dedup_by_key(|(p, _)| *p);
    all
}

async fn person_of(app: &TestApp, username: &str) -> Uuid {
    let (account, _) =
        app::platform::accounts::store::account_for_login(&app.state.db, username).await.expect("q").expect("account");
    account.person_id.expect("a person")
}

async fn enrol(c: &mut Client, programme: &str, person: Uuid) -> Value {
    let r =
        c.send_json("POST", &format!("/api/v1/programmes/{programme}/enrolments"), &json!({"person": person})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    as_json(&r)
}

fn members(group: &Value) -> Vec<Uuid> {
    group["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m.as_str().or_else(|| m["person"].as_str()).and_then(|s| Uuid::parse_str(s).ok()).expect("person id"))
        .collect()
}

/// Who is in which adopted group of a kind.
async fn adopted(c: &mut Client, programme: &str, kind: &str) -> HashMap<Uuid, Uuid> {
    let r = c.get(&format!("/api/v1/programmes/{programme}/groups")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut out = HashMap::new();
    for g in as_json(&r)["groups"].as_array().expect("groups").iter().filter(|g| g["kind"] == kind) {
        let id = Uuid::parse_str(g["id"].as_str().unwrap()).unwrap();
        for m in members(g) {
            out.insert(m, id);
        }
    }
    out
}

db_test!(groups_are_previewed_adopted_nested_and_late_comers_placed_without_moving_others, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "Ledelse og læring"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = as_json(&r)["id"].as_str().unwrap().to_string();
    let preview_url = format!("/api/v1/programmes/{id}/groups/preview");
    let adopt_url = format!("/api/v1/programmes/{id}/groups/adopt");

    let r = hr.send_json("POST", &preview_url, &json!({"kind": "learning"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "nobody enrolled: {}", r.body);

    let everyone = people(&app).await;
    let employee = person_of(&app, "medarbejder").await;
    let unit_of: HashMap<Uuid, Uuid> = everyone.iter().copied().collect();
    let mut enrolled: Vec<Uuid> = everyone.iter().map(|(p, _)| *p).filter(|p| *p != employee).take(47).collect();
    enrolled.push(employee);
    for p in &enrolled {
        enrol(&mut hr, &id, *p).await;
    }

    // Bad requests: a message that says why, and nothing adopted.
    let (a, b) = (enrolled[0], enrolled[1]);
    for (body, why) in [
        (json!({"kind": "team"}), "cohort"),
        (json!({"kind": "learning", "size": "6-4"}), "størrelsen"),
        (json!({"kind": "learning", "size": "0"}), "størrelsen"),
        (json!({"kind": "learning", "mix": ["shoe size"]}), "shoe size"),
        (json!({"kind": "learning", "together": [[a, b]], "apart": [[b, a]]}), "både"),
        (json!({"kind": "learning", "together": [[a, Uuid::nil()]]}), "par"),
        (json!({"kind": "learning", "locked": [{"person": a, "group": 99}]}), "låst"),
    ] {
        let r = hr.send_json("POST", &preview_url, &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert!(r.body.to_lowercase().contains(&why.to_lowercase()), "{body}: {}", r.body);
    }

    // Cohorts of 20–24: two of 24, everyone once.
    let r = hr.send_json("POST", &preview_url, &json!({"kind": "cohort", "size": "20-24"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cohorts = as_json(&r);
    let groups = cohorts["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    let placed: Vec<Uuid> = groups.iter().flat_map(members).collect();
    assert_eq!(placed.len(), 48);
    assert_eq!(placed.iter().collect::<HashSet<_>>().len(), 48, "nobody twice");
    assert!(cohorts["score"].is_number() && cohorts["violations"].is_array() && cohorts["mixed_share"].is_number());

    // An adoption that leaves someone out or has someone twice is refused.
    let mut short = cohorts.clone();
    short["groups"][0]["members"].as_array_mut().unwrap().pop();
    let r = hr.send_json("POST", &adopt_url, &short).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("ikke med i nogen gruppe"), "{}", r.body);
    let mut twice = cohorts.clone();
    let first = twice["groups"][0]["members"][0].clone();
    twice["groups"][1]["members"].as_array_mut().unwrap().push(first);
    let r = hr.send_json("POST", &adopt_url, &twice).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(adopted(&mut hr, &id, "cohort").await.is_empty(), "nothing half-saved");

    let r = hr.send_json("POST", &adopt_url, &cohorts).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let cohort_of = adopted(&mut hr, &id, "cohort").await;
    assert_eq!(cohort_of.len(), 48);

    // Learning groups of 4–6 inside each cohort, units spread; a locked person stays put.
    let locked = enrolled[5];
    let r = hr
        .send_json(
            "POST",
            &preview_url,
            &json!({"kind": "learning", "size": "4-6", "locked": [{"person": locked, "group": 3}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let learning = as_json(&r);
    let groups = learning["groups"].as_array().unwrap();
    assert!(members(&groups[3]).contains(&locked), "the locked person is in group 3");
    let mut all_mixed = 0;
    for g in groups {
        let m = members(g);
        assert!((4..=6).contains(&m.len()), "size {}", m.len());
        let parent = Uuid::parse_str(g["parent"].as_str().expect("inside a cohort")).unwrap();
        assert!(m.iter().all(|p| cohort_of[p] == parent), "every member in the group's cohort");
        let units: HashSet<Uuid> = m.iter().map(|p| unit_of[p]).collect();
        all_mixed += usize::from(units.len() == m.len());
    }
    let share = all_mixed as f64 / groups.len() as f64;
    assert!((learning["mixed_share"].as_f64().unwrap() - share).abs() < 1e-9, "the share it reports is the real one");
    // Groups in the order people enrolled (neighbours in the organisation together) as the baseline.
    let naive: Vec<&[Uuid]> = enrolled.chunks(6).collect();
    let naive_share =
        naive.iter().filter(|c| c.iter().map(|p| unit_of[p]).collect::<HashSet<_>>().len() == c.len()).count() as f64
            / naive.len() as f64;
    assert!(share > naive_share, "mixed {share} vs in order {naive_share}");
    let r = hr.send_json("POST", &adopt_url, &learning).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let learning_of = adopted(&mut hr, &id, "learning").await;

    // Buddy pairs inside the learning groups.
    let r = hr.send_json("POST", &preview_url, &json!({"kind": "buddy"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let buddies = as_json(&r);
    for g in buddies["groups"].as_array().unwrap() {
        let m = members(g);
        assert!(m.iter().all(|p| learning_of[p] == learning_of[&m[0]]), "a pair inside one learning group");
    }
    let r = hr.send_json("POST", &adopt_url, &buddies).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let buddy_of = adopted(&mut hr, &id, "buddy").await;

    // A late enrolment is placed on every level; nobody else moves.
    let late = everyone.iter().map(|(p, _)| *p).find(|p| !enrolled.contains(p)).unwrap();
    let placed = enrol(&mut hr, &id, late).await;
    let kinds: Vec<&str> = placed["placed"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["cohort", "learning", "buddy"], "{placed}");
    for (kind, before) in [("cohort", &cohort_of), ("learning", &learning_of), ("buddy", &buddy_of)] {
        let mut after = adopted(&mut hr, &id, kind).await;
        assert!(after.remove(&late).is_some(), "{kind}: the late comer is placed");
        assert_eq!(&after, before, "{kind}: nobody else moved");
    }
    let after = adopted(&mut hr, &id, "learning").await;
    let late_cohort = adopted(&mut hr, &id, "cohort").await[&late];
    let r = hr.get(&format!("/api/v1/programmes/{id}/groups")).await;
    let groups = as_json(&r);
    let late_group = groups["groups"].as_array().unwrap().iter().find(|g| g["id"] == after[&late].to_string()).unwrap();
    assert_eq!(late_group["parent"], late_cohort.to_string(), "the learning group lies in the late comer's cohort");

    // The member sees their learning group and buddy, and holds a grant on the group.
    let mut me = app.api_client("medarbejder").await;
    let r = me.get("/api/v1/me/programme").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mine = as_json(&r);
    let my_groups: Vec<&Value> =
        mine["groups"].as_array().unwrap().iter().filter(|g| g["programme_id"] == id).collect();
    let my_learning = my_groups.iter().find(|g| g["kind"] == "learning").expect("my learning group");
    assert_eq!(my_learning["group"], learning_of[&employee].to_string());
    let others: Vec<Uuid> = my_learning["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| Uuid::parse_str(m["person"].as_str().unwrap()).unwrap())
        .collect();
    assert!(!others.contains(&employee), "the others, not oneself");
    assert!(others.iter().all(|p| learning_of[p] == learning_of[&employee]));
    assert!(my_groups.iter().any(|g| g["kind"] == "buddy"), "{mine}");
    let holders = app::platform::accounts::store::object_grantees(
        &app.state.db,
        app::programmes::group_object(learning_of[&employee]),
        app::platform::permissions::Role::Employee,
    )
    .await
    .unwrap();
    assert!(holders.iter().any(|(username, _)| username == "medarbejder"), "{holders:?}");
    // The page shows it too.
    let mut page = app.login("medarbejder").await;
    let r = page.get("/mit-forloeb").await;
    assert!(r.body.contains("Mine grupper") && r.body.contains("Læringsgruppe"), "{}", r.body);

    // Forming the cohorts anew dissolves the groups inside them and their grants.
    let r = hr.send_json("POST", &preview_url, &json!({"kind": "cohort"})).await;
    let r = hr.send_json("POST", &adopt_url, &as_json(&r)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(adopted(&mut hr, &id, "learning").await.is_empty());
    assert!(adopted(&mut hr, &id, "buddy").await.is_empty());
    let holders = app::platform::accounts::store::object_grantees(
        &app.state.db,
        app::programmes::group_object(learning_of[&employee]),
        app::platform::permissions::Role::Employee,
    )
    .await
    .unwrap();
    assert!(holders.is_empty(), "{holders:?}");

    // Only those who run programmes form groups.
    let r = me.send_json("POST", &preview_url, &json!({"kind": "learning"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

db_test!(a_facilitator_forms_moves_and_adopts_learning_groups_in_the_pages, |db| {
    let app = demo_app(&db, 120).await;
    let mut api = app.api_client("facilitator").await;
    let r = api.send_json("POST", "/api/v1/programmes", &json!({"title": "Læringsgrupper"})).await;
    let id = as_json(&r)["id"].as_str().unwrap().to_string();
    let everyone = people(&app).await;
    let enrolled: Vec<Uuid> = everyone.iter().map(|(p, _)| *p).take(12).collect();
    for p in &enrolled {
        enrol(&mut api, &id, *p).await;
    }
    let mut hr = app.login("facilitator").await;
    let page = format!("/programmer/{id}/grupper");
    let r = hr.get(&page).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Der er ikke vedtaget grupper endnu"), "{}", r.body);
    let action = format!("/programmer/{id}/grupper/forslag");

    let r = hr.post(&action, &page, &[("action", "preview"), ("kind", "learning"), ("size", "9-2")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Skriv størrelsen"), "{}", r.body);

    let r =
        hr.post(&action, &page, &[("action", "preview"), ("kind", "learning"), ("size", "4-4"), ("mix", "unit")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("12 personer i 3 grupper"), "{}", r.body);
    // The shown group of each person, as the form carries it.
    let shown = |body: &str| -> HashMap<Uuid, String> {
        enrolled
            .iter()
            .filter_map(|p| {
                let marker = format!("name=\"s-{p}\" value=\"");
                let at = body.find(&marker)? + marker.len();
                Some((*p, body[at..].split('"').next()?.to_string()))
            })
            .collect()
    };
    let first = shown(&r.body);
    assert_eq!(first.len(), 12, "a number field per person");
    // Move one person to another group and form the rest again: they stay where moved.
    let moved = enrolled[0];
    let target = if first[&moved] == "1" { "2" } else { "1" };
    let mut fields: Vec<(String, String)> = vec![
        ("action".into(), "rerun".into()),
        ("kind".into(), "learning".into()),
        ("size".into(), "4-4".into()),
        ("mix".into(), "unit".into()),
    ];
    for (p, g) in &first {
        fields.push((format!("s-{p}"), g.clone()));
        fields.push((format!("g-{p}"), if *p == moved { target.to_string() } else { g.clone() }));
    }
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = hr.post(&action, &page, &borrowed).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second = shown(&r.body);
    assert_eq!(second[&moved], target, "the moved person stays where they were moved");
    assert!(r.body.contains(&format!("id=\"l-{moved}\" name=\"l-{moved}\" value=\"1\" checked")), "and is locked");

    // Pairs typed by e-mail or name: the two who must be together are, the two who must be
    // apart are, and the pairs stay in the form for the next re-run.
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.expect("org");
    let who = |p: Uuid| org.person(p).expect("a person").clone();
    let (a, b, c, d) = (who(enrolled[1]), who(enrolled[2]), who(enrolled[3]), who(enrolled[4]));
    let together = format!("{}, {}", a.email.to_uppercase(), b.name);
    let apart = format!("\n{} ; {}\n", c.email, d.email);
    let pairs = [
        ("action", "rerun"),
        ("kind", "learning"),
        ("size", "4-4"),
        ("together", together.as_str()),
        ("apart", apart.as_str()),
    ];
    for _ in 0..3 {
        let r = hr.post(&action, &page, &pairs).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let groups = shown(&r.body);
        assert_eq!(groups[&a.id], groups[&b.id], "together");
        assert_ne!(groups[&c.id], groups[&d.id], "apart");
        assert!(r.body.contains(&format!(">{}</textarea>", html_escape(&together))), "the pairs are kept: {}", r.body);
    }
    // A line with one person, or someone not enrolled, is refused with the line named.
    let r = hr.post(&action, &page, &[("action", "preview"), ("kind", "learning"), ("together", &a.email)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("linje 1: skriv to personer adskilt af komma"), "{}", r.body);
    let outsider = everyone.iter().map(|(p, _)| *p).find(|p| !enrolled.contains(p)).map(who).unwrap();
    let line = format!("{}, {}", a.email, outsider.email);
    let r = hr.post(&action, &page, &[("action", "preview"), ("kind", "learning"), ("apart", &line)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains(&format!("«{}» er ikke tilmeldt forløbet", outsider.email)), "{}", r.body);
    // The same pair both together and apart.
    let line = format!("{}, {}", a.email, b.email);
    let r = hr
        .post(&action, &page, &[("action", "preview"), ("kind", "learning"), ("together", &line), ("apart", &line)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("både skulle være sammen og adskilt"), "{}", r.body);

    // Adopt what is shown.
    let mut fields: Vec<(String, String)> =
        vec![("action".into(), "adopt".into()), ("kind".into(), "learning".into()), ("size".into(), "4-4".into())];
    for (p, g) in &second {
        fields.push((format!("s-{p}"), g.clone()));
        fields.push((format!("g-{p}"), g.clone()));
    }
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = hr.post(&action, &page, &borrowed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = hr.get(r.location()).await;
    assert!(r.body.contains("Grupperne er vedtaget") && r.body.contains("Læringsgruppe 3"), "{}", r.body);
    let learning_of = adopted(&mut api, &id, "learning").await;
    assert_eq!(learning_of.len(), 12);

    // A group number that is not a number is refused, and nothing changes.
    let r = hr.post(&action, &page, &[("action", "adopt"), ("kind", "learning"), (&format!("g-{moved}"), "x")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(adopted(&mut api, &id, "learning").await, learning_of);
});

db_test!(the_demo_runs_a_programme_with_two_cohorts_learning_groups_and_buddies, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let list = as_json(&hr.get("/api/v1/programmes").await);
    let demo = list["items"].as_array().unwrap().iter().find(|p| p["template"] == "hedensted").expect("the demo's");
    let id = demo["id"].as_str().unwrap();
    let r = hr.get(&format!("/api/v1/programmes/{id}/groups")).await;
    let groups = as_json(&r);
    let of = |kind: &str| -> Vec<Value> {
        groups["groups"].as_array().unwrap().iter().filter(|g| g["kind"] == kind).cloned().collect()
    };
    let cohorts = of("cohort");
    assert_eq!(cohorts.len(), 2);
    assert!(cohorts.iter().all(|c| (20..=24).contains(&c["members"].as_array().unwrap().len())));
    assert!(of("learning").iter().all(|g| (4..=6).contains(&g["members"].as_array().unwrap().len())));
    assert!(
        of("buddy").iter().all(|g| (2..=3).contains(&g["members"].as_array().unwrap().len())),
        "pairs, a trio when odd"
    );
    // The demo leader takes part and sees their groups and next activities.
    for login in ["leder"] {
        let mine = as_json(&app.api_client(login).await.get("/api/v1/me/programme").await);
        let kinds: Vec<&str> = mine["groups"].as_array().unwrap().iter().map(|g| g["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, vec!["cohort", "learning", "buddy"], "{login}: {mine}");
        assert!(!mine["activities"].as_array().unwrap().is_empty(), "{login}");
    }
    // Each cohort has its own workshops, half full; nobody waits.
    let detail = as_json(&hr.get(&format!("/api/v1/programmes/{id}")).await);
    let workshops: Vec<&Value> =
        detail["activities"].as_array().unwrap().iter().filter(|a| a["kind"] == "workshop").collect();
    assert!(workshops.len() >= 12);
    assert!(workshops.iter().all(|a| (20..=24).contains(&a["enrolled"].as_i64().unwrap()) && a["waiting"] == 0));

    // The dashboard: enrolment, attendance, projects and trial actions per cohort and department.
    let d = as_json(&hr.get(&format!("/api/v1/programmes/{id}/dashboard")).await);
    assert_eq!(d["total"]["enrolled"], 44, "{d}");
    let cohorts = d["cohorts"].as_array().unwrap();
    assert_eq!(cohorts.len(), 2);
    let sum = |key: &str| cohorts.iter().map(|c| c[key].as_i64().unwrap()).sum::<i64>();
    for key in ["enrolled", "present", "recorded", "projects", "trials", "reflected"] {
        assert_eq!(sum(key), d["total"][key].as_i64().unwrap(), "{key}: the cohorts add up");
        let by_unit: i64 = d["units"].as_array().unwrap().iter().map(|u| u[key].as_i64().unwrap()).sum();
        assert_eq!(by_unit, d["total"][key].as_i64().unwrap(), "{key}: the departments add up");
    }
    let rate = d["total"]["attendance_rate"].as_f64().expect("attendance was recorded");
    assert!((0.7..1.0).contains(&rate), "most came, some did not: {rate}");
    assert!(d["total"]["projects"].as_i64().unwrap() > 0 && d["total"]["reflected"].as_i64().unwrap() > 0);
    let mut page = app.login("facilitator").await;
    let r = page.get(&format!("/programmer/{id}/overblik")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Pr. hold") && r.body.contains("Pr. forvaltning"), "{}", r.body);
    assert_eq!(
        app.login("medarbejder").await.get(&format!("/programmer/{id}/overblik")).await.status,
        StatusCode::FORBIDDEN
    );
});

/// Text as askama writes it into a page.
fn html_escape(s: &str) -> String {
    s.replace('&', "&#38;").replace('<', "&#60;").replace('>', "&#62;").replace('"', "&#34;").replace('\'', "&#39;")
}
