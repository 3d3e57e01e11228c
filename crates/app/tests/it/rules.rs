//! The rule register: rules with cost and origin, flags, keep/simplify/remove decisions
//! with the hours they free (a national rule is never removed), CSV in and out with errors
//! by line and column, and a review round that runs to its deadline and marks every local
//! rule without an accepted justification for removal. Bad input changes nothing.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::db_test;
use crate::support::{Client, Reply, demo_app};

fn as_json(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", r.body))
}

async fn rule(c: &mut Client, body: Value) -> String {
    let r = c.send_json("POST", "/api/v1/rules", &body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    as_json(&r)["id"].as_str().expect("id").to_string()
}

async fn count(c: &mut Client) -> usize {
    as_json(&c.get("/api/v1/rules").await)["items"].as_array().map_or(0, Vec::len)
}

/// The demo leader's own unit, and a unit outside it.
async fn units(app: &crate::support::TestApp) -> (uuid::Uuid, uuid::Uuid) {
    let db = &app.state.db;
    let m = app.state.municipality;
    let (account, _) = app::platform::accounts::store::account_for_login(db, "leder").await.expect("q").expect("leder");
    let led = app::organisation::store::led_subtrees(db, m, account.person_id.expect("person")).await.expect("led");
    let school = app::organisation::store::unit_at(db, m, led[0].0).await.expect("q").expect("school");
    let org = app::organisation::org_cache(&app.state).get(db).await.expect("org");
    let outside = org
        .all_units()
        .find(|u| u.tree_left < school.tree_left || u.tree_left > school.tree_right)
        .expect("a unit outside the leader's")
        .id;
    (school.id, outside)
}

db_test!(rules_are_registered_flagged_and_decided_with_the_hours_they_free, |db| {
    let app = demo_app(&db, 200).await;
    let (school, _) = units(&app).await;
    let mut hr = app.api_client("facilitator").await;
    let mut employee = app.api_client("medarbejder").await;
    let before = count(&mut hr).await;
    for (bad, says) in [
        (json!({"title": "Indberetning", "origin": "national"}), "hjemmel"),
        (json!({"title": "Indberetning", "origin": "måske"}), "oprindelse"),
        (json!({"title": "", "origin": "local"}), "titel"),
        (json!({"title": "X", "origin": "local", "owner_unit": uuid::Uuid::now_v7()}), "Enheden findes ikke"),
        (json!({"title": "X", "origin": "local", "hours_per_year": -3}), "timer"),
        (json!({"title": "X", "origin": "local", "burdens_roles": ["konge"]}), "konge"),
    ] {
        let r = hr.send_json("POST", "/api/v1/rules", &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body.contains(says), "{bad}: {}", r.body);
    }
    assert_eq!(count(&mut hr).await, before, "nothing half-saved");
    let r = employee.send_json("POST", "/api/v1/rules", &json!({"title": "X", "origin": "local"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let local = rule(
        &mut hr,
        json!({"title": "Ugentlig trivselsindberetning", "origin": "local", "owner_unit": school,
            "burdens_roles": ["leader"], "hours_per_year": 120, "value_statement": "Overblik over trivsel"}),
    )
    .await;
    let national = rule(
        &mut hr,
        json!({"title": "Børneattest", "origin": "national", "reference": "Lov nr. 520 af 2012", "hours_per_year": 40}),
    )
    .await;

    // Anyone may flag a rule.
    let r = employee.send_json("POST", &format!("/api/v1/rules/{local}/flags"), &json!({"text": " "})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = employee
        .send_json("POST", &format!("/api/v1/rules/{local}/flags"), &json!({"text": "Det tager en time hver fredag."}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);

    // Decisions: a national rule is never removed; every decision has a reason.
    let r = hr
        .send_json(
            "POST",
            &format!("/api/v1/rules/{national}/decision"),
            &json!({"decision": "remove", "reason": "Væk"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("national regel kan ikke fjernes"), "{}", r.body);
    for bad in [
        json!({"decision": "remove", "reason": ""}),
        json!({"decision": "burn", "reason": "x"}),
        json!({"decision": "simplify", "reason": "x", "hours_freed": 500}),
    ] {
        let r = hr.send_json("POST", &format!("/api/v1/rules/{local}/decision"), &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    let r = employee
        .send_json("POST", &format!("/api/v1/rules/{local}/decision"), &json!({"decision": "keep", "reason": "x"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = hr
        .send_json(
            "POST",
            &format!("/api/v1/rules/{local}/decision"),
            &json!({"decision": "simplify", "reason": "Hver anden uge", "hours_freed": 30}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&r)["rule"]["status"], "simplified");
    let r = hr
        .send_json(
            "POST",
            &format!("/api/v1/rules/{local}/decision"),
            &json!({"decision": "remove", "reason": "Unødvendig"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let detail = as_json(&r);
    assert_eq!(
        (detail["rule"]["status"].as_str(), detail["rule"]["hours_freed"].as_i64()),
        (Some("removed"), Some(120))
    );
    assert_eq!(detail["flags"][0]["text"], "Det tager en time hver fredag.");
    let list = as_json(&hr.get("/api/v1/rules").await);
    let hours = &list["hours_freed"];
    let of = |key: &str| hours[key].as_i64().unwrap_or(0);
    assert_eq!(of("total"), of("simplify") + of("remove") + of("keep"), "{hours}");
    let by_school: Vec<i64> = hours["by_unit"]
        .as_array()
        .expect("by unit")
        .iter()
        .filter(|u| u["unit"] == school.to_string())
        .filter_map(|u| u["hours"].as_i64())
        .collect();
    assert_eq!(by_school, [120], "the school's rule freed all its 120 hours (30 + 90): {hours}");

    // The pages.
    let mut page = app.login("facilitator").await;
    let register = page.get("/regler").await;
    assert!(register.body.contains("Ugentlig trivselsindberetning") && register.body.contains("Fjernet"));
    let r = page
        .post(
            &format!("/regler/{national}/beslutning"),
            &format!("/regler/{national}"),
            &[("decision", "remove"), ("reason", "Væk")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let audited = app::platform::audit::store::actions(&db).await.expect("audit");
    for action in ["rule.created", "rule.flagged", "rule.decided"] {
        assert!(audited.iter().any(|a| a == action), "{action}: {audited:?}");
    }
});

db_test!(rules_come_in_and_go_out_as_csv_with_errors_by_line_and_column, |db| {
    let app = demo_app(&db, 200).await;
    let (school, _) = units(&app).await;
    let school_name = {
        let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.expect("org");
        org.unit(school).expect("unit").name.clone()
    };
    let mut hr = app.api_client("facilitator").await;
    let before = count(&mut hr).await;
    let csv_header = "titel;tekst;oprindelse;hjemmel;ejer;belaster_enheder;belaster_roller;timer_pr_aar;vaerdi\n";
    let bad = format!(
        "{csv_header}Mødereferat;Alle møder;lokal;;{school_name};;employee;50;Overblik\nDagbog;;måske;;Findes Ikke;;;x;\n"
    );
    let r = hr.send_raw("POST", "/api/v1/rules/import", &[("content-type", "text/csv")], &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for says in ["linje 3, kolonne origin", "linje 3, kolonne owner_unit", "linje 3, kolonne hours_per_year"] {
        assert!(r.body.contains(says), "{says}: {}", r.body);
    }
    assert_eq!(count(&mut hr).await, before, "all rows or none");
    let good = format!(
        "{csv_header}Mødereferat;Alle møder;lokal;;{school_name};{school_name};employee|leader;50;Overblik\nBørneattest;;national;Lov nr. 520;;;;10;\n"
    );
    let r = hr.send_raw("POST", "/api/v1/rules/import", &[("content-type", "text/csv")], &good).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&r)["imported"], 2);
    let export = hr.get("/api/v1/rules/export.csv").await;
    assert!(export.body.contains("Mødereferat") && export.body.contains(&school_name), "{}", export.body);
    // What is exported imports again.
    let r = hr.send_raw("POST", "/api/v1/rules/import", &[("content-type", "text/csv")], &export.body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(count(&mut hr).await, 2 * (before + 2));
    assert!(hr.get("/api/v1/rules/export.xlsx").await.bytes.starts_with(b"PK"));

    // A file through the page (multipart).
    let mut page = app.login("facilitator").await;
    let token = page.get("/regler").await.csrf();
    let body = format!(
        "--X\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"regler.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv_header}Dobbelt tjekliste;;lokal;;;;;5;\r\n--X--\r\n"
    );
    let r =
        page.send_raw("POST", "/regler/import", &[("content-type", "multipart/form-data; boundary=X")], &body).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(count(&mut hr).await, 2 * (before + 2) + 1);
    let body = body.replace("lokal;;;;;5;", "lokal;;;;;fem;");
    let r =
        page.send_raw("POST", "/regler/import", &[("content-type", "multipart/form-data; boundary=X")], &body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("regler.csv, linje 2, kolonne hours_per_year"), "{}", r.body);
});

db_test!(a_review_runs_to_its_deadline_and_marks_unjustified_local_rules_for_removal, |db| {
    let app = demo_app(&db, 200).await;
    let (school, sibling) = units(&app).await;
    let mut hr = app.api_client("facilitator").await;
    let justified =
        rule(&mut hr, json!({"title": "Tilsyn", "origin": "local", "owner_unit": school, "hours_per_year": 20})).await;
    let rejected =
        rule(&mut hr, json!({"title": "Skema B", "origin": "local", "owner_unit": school, "hours_per_year": 30})).await;
    let silent =
        rule(&mut hr, json!({"title": "Skema C", "origin": "local", "owner_unit": sibling, "hours_per_year": 40}))
            .await;
    let national =
        rule(&mut hr, json!({"title": "GDPR", "origin": "national", "reference": "Forordning 2016/679"})).await;

    let yesterday = app::rules::today().pred_opt().expect("date");
    let tomorrow = app::rules::today().succ_opt().expect("date");
    let r = hr
        .send_json("POST", "/api/v1/rule-reviews", &json!({"title": "Forklar eller fjern", "deadline": yesterday}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a deadline in the past: {}", r.body);
    // By default a review takes every local rule in force, never a national one.
    let r = hr
        .send_json("POST", "/api/v1/rule-reviews", &json!({"title": "Alle lokale regler", "deadline": tomorrow}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let everything = as_json(&r)["id"].as_str().expect("id").to_string();
    let detail = as_json(&hr.get(&format!("/api/v1/rule-reviews/{everything}")).await);
    let items = detail["items"].as_array().expect("items");
    assert!(items.iter().all(|i| i["origin"] == "local" && i["rule"] != national.as_str()), "{detail}");
    for id in [&justified, &rejected, &silent] {
        assert!(items.iter().any(|i| i["rule"] == id.as_str()), "{id} in scope: {detail}");
    }
    let scope = json!({"title": "Forklar eller fjern", "deadline": tomorrow, "rules": [justified, rejected, silent]});
    let r = hr.send_json("POST", "/api/v1/rule-reviews", &scope).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let review = as_json(&r)["id"].as_str().expect("id").to_string();

    // The owner unit's leader justifies; a leader elsewhere may not.
    let mut leader = app.api_client("leder").await;
    let justify = format!("/api/v1/rule-reviews/{review}/justifications");
    let r = leader
        .send_json("POST", &justify, &json!({"rule": justified, "text": "Lovpligtigt tilsyn med kvaliteten."}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = leader.send_json("POST", &justify, &json!({"rule": rejected, "text": "Vi plejer."})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = leader.send_json("POST", &justify, &json!({"rule": silent, "text": "Ikke min regel."})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another unit's rule: {}", r.body);
    let assess = format!("/api/v1/rule-reviews/{review}/assessments");
    assert_eq!(
        hr.send_json("POST", &assess, &json!({"rule": justified, "accepted": true})).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        hr.send_json("POST", &assess, &json!({"rule": rejected, "accepted": false})).await.status,
        StatusCode::CREATED
    );
    let r = hr.send_json("POST", &assess, &json!({"rule": silent, "accepted": true})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "nothing to assess: {}", r.body);
    let jobs: i64 = {
        let db = &app.state.db;
        app::on_db!(db, |p| {
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM job WHERE kind = 'rules.review_deadlines'",
            )
            .fetch_one(p)
            .await
            .expect("count")
        })
    };
    assert_eq!(jobs, 2, "each review's deadline job is scheduled");

    // The deadline passes.
    {
        let db = &app.state.db;
        let id = uuid::Uuid::parse_str(&review).expect("uuid");
        app::on_db!(db, |p| {
            sqlx::query("UPDATE rule_review SET deadline = $1 WHERE id = $2")
                .bind(yesterday)
                .bind(id)
                .execute(p)
                .await
                .expect("move the deadline")
                .rows_affected()
        });
    }
    let r = leader.send_json("POST", &justify, &json!({"rule": rejected, "text": "For sent."})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("overskredet"), "{}", r.body);
    let marked = app::rules::close_due_reviews(&app.state, app::rules::today()).await.expect("deadline job");
    assert_eq!(marked, 2, "the rejected and the unjustified local rule");
    assert_eq!(app::rules::close_due_reviews(&app.state, app::rules::today()).await.expect("again"), 0);
    for (id, status) in [
        (&justified, "active"),
        (&rejected, "marked_for_removal"),
        (&silent, "marked_for_removal"),
        (&national, "active"),
    ] {
        let detail = as_json(&hr.get(&format!("/api/v1/rules/{id}")).await);
        assert_eq!(detail["rule"]["status"], status, "{detail}");
    }
    let page = app.login("facilitator").await.get(&format!("/regler/gennemgange/{review}")).await;
    assert!(
        page.body.contains("er overskredet") && page.body.contains("Indstillet til at blive fjernet"),
        "{}",
        page.body
    );
});
