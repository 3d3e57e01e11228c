//! The JSON API: tokens, problem answers, scoping, paging, the OpenAPI document.

use axum::http::StatusCode;
use uuid::Uuid;

use app::organisation::store;
use app::platform::accounts;

use crate::db_test;
use crate::support::{Reply, demo_app};

fn json(r: &Reply) -> serde_json::Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", r.body))
}

fn assert_problem(r: &Reply, status: StatusCode) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let body = json(r);
    assert_eq!(body["status"], status.as_u16());
    assert_eq!(body["type"], "about:blank");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
}

db_test!(a_missing_bad_or_revoked_token_is_a_401_problem, |db| {
    let app = demo_app(&db, 200).await;
    let mut anonymous = app.client();
    let r = anonymous.get("/api/v1/units").await;
    assert_problem(&r, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers.get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));
    for header in ["Bearer", "Bearer ", "Basic YWRtaW46ZGVtbw==", "Bearer samskab_00", "Bearer ' OR 1=1 --"] {
        let r = anonymous.send_raw("GET", "/api/v1/units", &[("authorization", header)], "").await;
        assert_problem(&r, StatusCode::UNAUTHORIZED);
    }
    // A browser session does not open the API (its POSTs could be forged from elsewhere).
    let mut browser = app.login("admin").await;
    assert_problem(&browser.get("/api/v1/units").await, StatusCode::UNAUTHORIZED);

    let mut api = app.api_client("admin").await;
    assert_eq!(api.get("/api/v1/units").await.status, StatusCode::OK);
    let tokens = app::platform::tokens::store::list(&db, app.state.municipality).await.expect("list");
    let entry = app::platform::audit::AuditEntry::system("token.revoked", "test");
    assert!(
        app::platform::tokens::store::revoke(&db, app.state.municipality, tokens[0].id, entry).await.expect("revoke")
    );
    tokio::time::sleep(accounts::SESSION_RECHECK + std::time::Duration::from_millis(100)).await;
    assert_problem(&api.get("/api/v1/units").await, StatusCode::UNAUTHORIZED);
    // A bearer token does not open the pages either: they know only the session cookie.
    assert_eq!(api.get("/organisation").await.status, StatusCode::SEE_OTHER);
});

db_test!(the_api_answers_as_the_pages_do_for_each_role, |db| {
    let app = demo_app(&db, 1000).await;
    let m = app.state.municipality;
    let (leader, _) = accounts::account_for_login(&db, "leder").await.expect("q").expect("leder");
    let led = store::led_subtrees(&db, m, leader.person_id.expect("person")).await.expect("led");
    let school = store::unit_at(&db, m, led[0].0).await.expect("q").expect("school");
    let siblings = store::children(&db, m, school.parent_id.expect("area")).await.expect("siblings");
    let sibling = siblings.iter().find(|u| u.id != school.id).expect("sibling");

    let mut admin = app.api_client("admin").await;
    let mut leder = app.api_client("leder").await;
    let mut employee = app.api_client("medarbejder").await;

    let all = json(&admin.get("/api/v1/units?limit=1000").await);
    let mine = json(&leder.get("/api/v1/units?limit=1000").await);
    assert!(mine["total"].as_i64() < all["total"].as_i64(), "a leader sees their own part");
    assert!(mine["items"].as_array().expect("items").iter().any(|u| u["id"] == school.id.to_string()));
    assert!(!mine["items"].as_array().expect("items").iter().any(|u| u["id"] == sibling.id.to_string()));

    let own = leder.get(&format!("/api/v1/units/{}", school.id)).await;
    assert_eq!(own.status, StatusCode::OK);
    let own = json(&own);
    assert_eq!(own["name"], school.name.as_str());
    assert!(own["staff"].as_array().expect("staff").iter().all(|s| s["pay_type"].is_string()), "the leader sees pay");
    assert_problem(&leder.get(&format!("/api/v1/units/{}", sibling.id)).await, StatusCode::FORBIDDEN);
    assert_problem(&leder.get(&format!("/api/v1/units/{}", Uuid::nil())).await, StatusCode::NOT_FOUND);
    assert_problem(&leder.get("/api/v1/units/not-a-uuid").await, StatusCode::NOT_FOUND);
    let colleague = json(&employee.get(&format!("/api/v1/units/{}", school.id)).await);
    assert!(!colleague["staff"].as_array().expect("staff").is_empty());
    assert!(colleague["staff"].as_array().expect("staff").iter().all(|s| s.get("pay_type").is_none()), "no pay");

    assert_problem(&employee.get("/api/v1/span-of-control").await, StatusCode::FORBIDDEN);
    let span_all = json(&admin.get("/api/v1/span-of-control?limit=1000").await);
    let span_mine = json(&leder.get("/api/v1/span-of-control?limit=1000").await);
    assert!(span_mine["total"].as_i64() < span_all["total"].as_i64());
    let rows = span_all["items"].as_array().expect("items");
    assert_eq!(rows.len() as i64, span_all["total"].as_i64().expect("total"));
    for key in ["leader", "email", "unit", "level", "direct", "total", "leaders", "hourly", "salaried"] {
        assert!(rows[0].get(key).is_some(), "span rows carry {key}");
    }

    // People: the leader's matches are all in their part, and complete (scoped in the query).
    let found = json(&leder.get("/api/v1/people?q=an&limit=1000").await);
    let visible: std::collections::HashSet<String> =
        mine["items"].as_array().expect("items").iter().map(|u| u["id"].as_str().unwrap_or("").to_string()).collect();
    let people = found["items"].as_array().expect("items");
    assert!(!people.is_empty());
    assert_eq!(people.len() as i64, found["total"].as_i64().expect("total"));
    for p in people {
        assert!(visible.contains(p["unit_id"].as_str().unwrap_or("")), "{p}");
        for key in ["id", "name", "unit_id", "unit", "job_title"] {
            assert!(p.get(key).is_some(), "people carry {key}");
        }
    }
    let long = "a".repeat(201);
    assert_problem(&leder.get(&format!("/api/v1/people?q={long}")).await, StatusCode::BAD_REQUEST);
});

db_test!(lists_page_with_limit_and_offset, |db| {
    let app = demo_app(&db, 200).await;
    let mut admin = app.api_client("admin").await;
    let first = json(&admin.get("/api/v1/units?limit=5").await);
    let second = json(&admin.get("/api/v1/units?limit=5&offset=5").await);
    assert_eq!((first["limit"].as_i64(), first["offset"].as_i64()), (Some(5), Some(0)));
    assert_eq!(first["total"], second["total"]);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["items"].as_array().expect("items").iter().map(|u| u["id"].to_string()).collect()
    };
    assert_eq!(ids(&first).len(), 5);
    assert!(ids(&first).iter().all(|id| !ids(&second).contains(id)), "pages do not overlap");
    let default = json(&admin.get("/api/v1/units").await);
    assert_eq!(default["limit"], 100);
    for bad in ["limit=0", "limit=1001", "limit=abc", "offset=-1", "offset=x"] {
        let r = admin.get(&format!("/api/v1/units?{bad}")).await;
        assert_problem(&r, StatusCode::BAD_REQUEST);
        assert!(json(&r)["detail"].as_str().is_some_and(|d| d.contains("limit") || d.contains("offset")), "{bad}");
    }
});

db_test!(the_openapi_document_describes_every_api_route, |db| {
    let app = demo_app(&db, 200).await;
    let mut anonymous = app.client();
    let r = anonymous.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = json(&r);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let paths = doc["paths"].as_object().expect("paths");
    for spec in app::route_specs().into_iter().filter(|s| s.path.starts_with("/api/v1/")) {
        let item = paths.get(spec.path).unwrap_or_else(|| panic!("{} is not in the OpenAPI document", spec.path));
        assert!(item.get(spec.method.to_lowercase()).is_some(), "{} {} is not documented", spec.method, spec.path);
    }
});
