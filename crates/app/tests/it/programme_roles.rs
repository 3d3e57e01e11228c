//! The role model (the seeds' roles by default, the municipality's own added), competence
//! goals that point to roles (from a template, and added), and self-ratings at the start and
//! the end whose change per cohort is shown only for five people or more.

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

db_test!(roles_goals_and_self_ratings_with_nothing_shown_below_five, |db| {
    let app = demo_app(&db, 120).await;
    let mut hr = app.api_client("facilitator").await;
    let roles = as_json(&hr.get("/api/v1/programme-roles").await.body);
    let keys: Vec<&str> = roles.as_array().unwrap().iter().map(|r| r["key"].as_str().unwrap()).collect();
    for key in [
        "ressourcedetektor",
        "medbygger",
        "oversaetter",
        "udforsker",
        "initiativdyrker",
        "meningsskaber",
        "netvaerkssmed",
        "effektjaeger",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert!(roles.as_array().unwrap().iter().all(|r| !r["description"].as_str().unwrap().is_empty()));

    // The municipality's own role.
    for (body, status) in [
        (json!({"key": "Bad Key", "name": "X", "audience": "employee"}), StatusCode::BAD_REQUEST),
        (json!({"key": "brobygger", "name": "", "audience": "employee"}), StatusCode::BAD_REQUEST),
        (json!({"key": "brobygger", "name": "Brobygger", "audience": "citizen"}), StatusCode::BAD_REQUEST),
        (json!({"key": "medbygger", "name": "Igen", "audience": "employee"}), StatusCode::CONFLICT),
    ] {
        let r = hr.send_json("POST", "/api/v1/programme-roles", &body).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
    }
    let r = hr
        .send_json(
            "POST",
            "/api/v1/programme-roles",
            &json!({"key": "brobygger", "name": "Brobygger", "description": "Bygger bro til foreningerne.", "audience": "employee"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let brobygger = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let mut employee = app.api_client("medarbejder").await;
    let r = employee
        .send_json("POST", "/api/v1/programme-roles", &json!({"key": "min", "name": "Min", "audience": "employee"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // A template's goals point to roles; one more is added; a made-up role is refused.
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "Roller", "template": "hedensted"})).await;
    let id = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let goals = as_json(&hr.get(&format!("/api/v1/programmes/{id}/goals")).await.body);
    assert_eq!(goals.as_array().unwrap().len(), 4);
    assert!(goals.as_array().unwrap().iter().all(|g| g["role_id"].is_string() && g["module_id"].is_string()));
    let r = hr
        .send_json("POST", &format!("/api/v1/programmes/{id}/goals"), &json!({"text": "Mål", "role": "superhelt"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = hr
        .send_json(
            "POST",
            &format!("/api/v1/programmes/{id}/goals"),
            &json!({"text": "Jeg finder borgerens ressourcer.", "role": "ressourcedetektor"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Self-rating: only for those taking part, on every one of their own roles, 1–5.
    let ratings_url = format!("/api/v1/programmes/{id}/self-ratings");
    let all = json!({"ressourcedetektor": 2, "medbygger": 3, "oversaetter": 2, "brobygger": 1});
    let r = employee.send_json("POST", &ratings_url, &json!({"moment": "start", "ratings": all})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not taking part: {}", r.body);
    let me = person_of(&app, "medarbejder").await;
    let r = hr.send_json("POST", &format!("/api/v1/programmes/{id}/enrolments"), &json!({"person": me})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    for (body, why) in [
        (json!({"moment": "midway", "ratings": all}), "start"),
        (json!({"moment": "start", "ratings": {"ressourcedetektor": 2}}), "Medbygger"),
        (
            json!({"moment": "start", "ratings": {"ressourcedetektor": 6, "medbygger": 3, "oversaetter": 2, "brobygger": 1}}),
            "fra 1 til 5",
        ),
        (
            json!({"moment": "start", "ratings": {"meningsskaber": 3, "ressourcedetektor": 2, "medbygger": 3, "oversaetter": 2, "brobygger": 1}}),
            "ikke en af dine roller",
        ),
    ] {
        let r = employee.send_json("POST", &ratings_url, &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert!(r.body.contains(why), "{body}: {}", r.body);
    }
    let r = employee.send_json("POST", &ratings_url, &json!({"moment": "start", "ratings": all})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&r.body)["saved"], 4);
    let end = json!({"ressourcedetektor": 4, "medbygger": 4, "oversaetter": 3, "brobygger": 2});
    let r = employee.send_json("POST", &ratings_url, &json!({"moment": "end", "ratings": end})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mine = as_json(&employee.get(&format!("{ratings_url}/mine")).await.body);
    let detektor = mine.as_array().unwrap().iter().find(|r| r["key"] == "ressourcedetektor").unwrap();
    assert_eq!((detektor["start"].as_i64(), detektor["end"].as_i64()), (Some(2), Some(4)));

    // Three more rate both times: four people, so nothing is shown.
    let roles = as_json(&hr.get("/api/v1/programme-roles").await.body);
    let detektor_id = Uuid::parse_str(
        roles.as_array().unwrap().iter().find(|r| r["key"] == "ressourcedetektor").unwrap()["id"].as_str().unwrap(),
    )
    .unwrap();
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let others: Vec<Uuid> = org
        .all_units()
        .flat_map(|u| org.staff(u.id).iter().map(|m| m.person_id).collect::<Vec<_>>())
        .filter(|p| *p != me && !org.person(*p).unwrap().is_leader)
        .take(4)
        .collect();
    let programme = Uuid::parse_str(&id).unwrap();
    let rate = |person: Uuid, moment: app::programmes::model::Moment, score: i32| {
        let db = app.state.db.clone();
        let m = app.state.municipality;
        async move {
            let entry = app::platform::audit::AuditEntry::system("programme.self_rated", "test");
            app::programmes::store::roles::rate(&db, m, programme, person, moment, &[(detektor_id, score)], entry)
                .await
                .unwrap();
        }
    };
    for p in &others[..3] {
        rate(*p, app::programmes::model::Moment::Start, 3).await;
        rate(*p, app::programmes::model::Moment::End, 3).await;
    }
    let changes = as_json(&hr.get(&ratings_url).await.body);
    let row = changes.as_array().unwrap().iter().find(|c| c["role"] == "ressourcedetektor").unwrap().clone();
    assert_eq!(row["suppressed"], true, "{row}");
    assert!(row["n"].is_null() && row["start_mean"].is_null() && row["change"].is_null(), "{row}");
    // A fifth (who only rated at the start) does not count; one who rated both times does.
    rate(others[3], app::programmes::model::Moment::Start, 5).await;
    let changes = as_json(&hr.get(&ratings_url).await.body);
    assert_eq!(
        changes.as_array().unwrap().iter().find(|c| c["role"] == "ressourcedetektor").unwrap()["suppressed"],
        true
    );
    rate(others[3], app::programmes::model::Moment::End, 5).await;
    let changes = as_json(&employee.get(&ratings_url).await.body);
    let row = changes.as_array().unwrap().iter().find(|c| c["role"] == "ressourcedetektor").unwrap();
    assert_eq!(row["n"], 5);
    assert!((row["start_mean"].as_f64().unwrap() - 3.2).abs() < 1e-9, "{row}"); // (2+3+3+3+5)/5
    assert!((row["end_mean"].as_f64().unwrap() - 3.6).abs() < 1e-9, "{row}"); // (4+3+3+3+5)/5
    assert!((row["change"].as_f64().unwrap() - 0.4).abs() < 1e-9, "{row}");
    assert!(
        changes
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["role"] != "ressourcedetektor")
            .all(|c| c["suppressed"] == true)
    );

    // The pages.
    let mut page = app.login("medarbejder").await;
    let r = page.get("/programmer/roller").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Ressourcedetektor") && !r.body.contains("action=\"/programmer/roller\""), "read only");
    let form = format!("/programmer/{id}/selvvurdering");
    let r = page.get(&form).await;
    assert!(r.body.contains("name=\"r-brobygger\""), "{}", r.body);
    let r = page.post(&form, &form, &[("moment", "end"), ("r-ressourcedetektor", "5")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "the other roles are missing");
    let r = page
        .post(
            &form,
            &form,
            &[
                ("moment", "end"),
                ("r-ressourcedetektor", "5"),
                ("r-medbygger", "4"),
                ("r-oversaetter", "4"),
                ("r-brobygger", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = page.get(&format!("/programmer/{id}")).await;
    assert!(r.body.contains("Udvikling i rollerne") && r.body.contains("3,8"), "{}", r.body); // (5+3+3+3+5)/5
    let mut hr_page = app.login("facilitator").await;
    let r = hr_page
        .post(
            "/programmer/roller",
            "/programmer/roller",
            &[("key", "ny-rolle"), ("name", "Ny rolle"), ("audience", "leader")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let edit = format!("/programmer/roller/{brobygger}");
    let r = hr_page.post(&edit, &edit, &[("name", "Brobygger"), ("description", "Ikke længere")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let roles = as_json(&hr.get("/api/v1/programme-roles").await.body);
    assert_eq!(roles.as_array().unwrap().iter().find(|r| r["key"] == "brobygger").unwrap()["active"], false);
    let goal_url = format!("/programmer/{id}/maal");
    let r = hr_page.post(&goal_url, &format!("/programmer/{id}"), &[("text", ""), ("role", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});
