//! "I sagde — vi gjorde": published decisions reach every participant — a signed-in
//! employee on "Mine input", a personal link's holder through the link, a citizen through
//! the receipt from the public page and by e-mail (a real local SMTP server) — and only as
//! they were published.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{as_json, process, proposal};
use crate::db_test;
use crate::support::{SmtpServer, demo_app, demo_app_with_relay};

const SITE: &str = "https://samskab.samby.test";

db_test!(published_decisions_answer_every_participant_through_their_own_door, |db| {
    let smtp = SmtpServer::start();
    let app = demo_app_with_relay(&db, 200, &smtp, SITE).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(
        &mut hr,
        json!({"title": "Biblioteket i fremtiden", "template": "proposals", "public": true}),
        "collect",
    )
    .await;

    // Three doors: an account, a personal link, the public page.
    let mut employee = app.api_client("medarbejder").await;
    let r = employee
        .send_json("POST", &format!("/api/v1/processes/{id}/inputs"), &json!({"text": "Åbent om søndagen"}))
        .await;
    let from_employee = as_json(&r)["id"].as_str().expect("id").to_string();
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/links"), &json!({"count": 1})).await;
    let token = as_json(&r)["tokens"][0].as_str().expect("token").to_string();
    let mut holder = app.client();
    let r = holder
        .send_json("POST", &format!("/api/v1/participate/{token}/inputs"), &json!({"text": "Flere stillepladser"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let from_link = as_json(&r)["id"].as_str().expect("id").to_string();
    let mut citizen = app.client();
    let r = citizen
        .post(
            &format!("/p/{id}/input"),
            &format!("/p/{id}"),
            &[("text", "Lektiecafé for børn"), ("email", "borger@example.dk")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let receipt = r.location().to_string();
    assert!(receipt.starts_with("/kvittering/"), "a receipt link: {receipt}");
    let page = citizen.get(&receipt).await;
    assert!(page.body.contains("Gem dette link") && page.body.contains("Lektiecafé for børn"), "{}", page.body);
    assert!(page.body.contains("ikke offentliggjort endnu"));
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    let from_citizen = inputs["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["text"] == "Lektiecafé for børn")
        .and_then(|i| i["id"].as_str())
        .expect("the citizen's input")
        .to_string();

    let opened = proposal(
        &mut hr,
        &id,
        json!({"title": "Længere åbningstid", "inputs": [from_employee, from_link, from_citizen]}),
    )
    .await;
    let answers = format!("/api/v1/participate/{token}/answers");
    let before = as_json(&holder.get(&answers).await);
    assert_eq!(before["published"], false);
    assert_eq!(before["answers"][0]["text"], "Flere stillepladser");
    assert_eq!(before["answers"][0]["proposals"], json!([]), "nothing before publication");

    let mut board = app.api_client("direktion").await;
    let publish = format!("/api/v1/processes/{id}/publish-decisions");
    let r = board.send_json("POST", &publish, &json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "nothing decided yet: {}", r.body);
    let decide = format!("/api/v1/proposals/{opened}/decision");
    let r = board.send_json("POST", &decide, &json!({"state": "accepted", "reason": "Vi prøver det i et år."})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(as_json(&holder.get(&answers).await)["published"], false, "decided is not yet published");
    let r = board.send_json("POST", &publish, &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(as_json(&r)["notified"].as_i64().unwrap_or(0) >= 1, "{}", r.body);

    let after = as_json(&holder.get(&answers).await);
    assert_eq!(after["published"], true);
    let decision: &Value = &after["answers"][0]["proposals"][0];
    assert_eq!(
        (decision["state"].as_str(), decision["reason"].as_str()),
        (Some("accepted"), Some("Vi prøver det i et år."))
    );
    let page = holder.get(&format!("/deltag/{token}/svar")).await;
    assert!(page.body.contains("Længere åbningstid") && page.body.contains("Vedtaget"), "{}", page.body);

    // The citizen is told by e-mail, with a receipt link that shows the decision.
    app::platform::mail::deliver_due(&app.state).await.expect("delivery");
    let mails = smtp.wait_for(1);
    let mail = mails.iter().find(|m| m.to.iter().any(|r| r == "borger@example.dk")).expect("the citizen's mail");
    assert!(mail.subject().contains("Biblioteket i fremtiden"));
    let link = mail.text().split_whitespace().find(|w| w.starts_with(SITE)).expect("link").to_string();
    let page = app.client().get(link.trim_start_matches(SITE)).await;
    assert!(page.body.contains("Vedtaget") && page.body.contains("Vi prøver det i et år."), "{}", page.body);

    // The employee on "Mine input".
    let mut signed_in = app.login("medarbejder").await;
    let page = signed_in.get("/mine-input").await;
    assert!(page.body.contains("Åbent om søndagen") && page.body.contains("Vedtaget"), "{}", page.body);
    let mine = as_json(&employee.get("/api/v1/me/inputs").await);
    assert!(mine.as_array().expect("list").iter().any(|p| p["process"] == id.as_str() && p["published"] == true));

    // A later decision shows only when it is published too.
    board.send_json("POST", &decide, &json!({"state": "partly_accepted", "reason": "Kun om vinteren."})).await;
    assert_eq!(as_json(&holder.get(&answers).await)["answers"][0]["proposals"][0]["state"], "accepted");
    let r = board.send_json("POST", &publish, &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(as_json(&holder.get(&answers).await)["answers"][0]["proposals"][0]["state"], "partly_accepted");

    // The public decision log of a public process.
    let page = app.client().get(&format!("/p/{id}/beslutninger")).await;
    assert!(page.body.contains("Længere åbningstid") && page.body.contains("Kun om vinteren."), "{}", page.body);
    // A receipt or link that does not exist opens nothing.
    assert_eq!(app.client().get("/kvittering/findes-ikke").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.client().get("/api/v1/participate/findes-ikke/answers").await.status, StatusCode::NOT_FOUND);
    let audited = app::platform::audit::store::actions(&db).await.expect("audit");
    assert!(audited.iter().any(|a| a == "decisions.published"), "{audited:?}");
});

db_test!(an_internal_process_has_no_public_decision_log, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Internt", "template": "proposals"}), "decide").await;
    assert_eq!(app.client().get(&format!("/p/{id}/beslutninger")).await.status, StatusCode::NOT_FOUND);
    let mut board = app.api_client("direktion").await;
    let p = proposal(&mut hr, &id, json!({"title": "Noget"})).await;
    board
        .send_json(
            "POST",
            &format!("/api/v1/proposals/{p}/decision"),
            &json!({"state": "rejected", "reason": "Nej tak."}),
        )
        .await;
    let r = board.send_json("POST", &format!("/api/v1/processes/{id}/publish-decisions"), &json!({})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&r)["notified"], 0, "no relay configured: nobody is e-mailed");
    assert_eq!(app.client().get(&format!("/p/{id}/beslutninger")).await.status, StatusCode::NOT_FOUND);
    let mut employee = app.login("medarbejder").await;
    let page = employee.get(&format!("/processer/{id}/beslutninger")).await;
    assert!(page.body.contains("Nej tak."), "{}", page.body);
});
