//! Personal links by e-mail, delivered to a real SMTP server: everyone in the chosen units
//! gets their own link once, the link works and keeps the unit only where the process says
//! so, the outbox forgets the links once sent, a refused address is retried and given up,
//! and without a relay or with bad input nothing is made.

use std::collections::{BTreeSet, HashMap};

use axum::http::StatusCode;
use serde_json::json;

use super::{as_json, process};
use crate::db_test;
use crate::support::{SmtpServer, TestApp, demo_app, demo_app_with};

const SITE: &str = "https://samskab.samby.test";

async fn with_relay(db: &crate::support::Db, smtp: &SmtpServer) -> TestApp {
    let config = app::Config {
        mail: Some(app::platform::mail::MailConfig {
            smtp_url: smtp.url(),
            from: "Samskab <samskab@samby.test>".into(),
        }),
        public_url: Some(SITE.into()),
        ..Default::default()
    };
    demo_app_with(db, 200, config).await
}

/// A department with people in its subtree: its id, and every address there with the unit
/// each person works in (a leader post first, as invitations place people).
async fn department(app: &TestApp) -> (uuid::Uuid, HashMap<String, uuid::Uuid>) {
    let view = app::organisation::org_cache(&app.state).get(&app.state.db).await.expect("organisation");
    let dept = view.units_at_depth(2).max_by_key(|u| u.headcount).expect("a department").clone();
    let within: Vec<_> =
        view.all_units().filter(|u| u.tree_left >= dept.tree_left && u.tree_left <= dept.tree_right).collect();
    let mut people = HashMap::new();
    for u in &within {
        for l in view.leaders(u.id) {
            people.entry(l.email.to_lowercase()).or_insert(u.id);
        }
    }
    for u in &within {
        for s in view.staff(u.id) {
            people.entry(s.email.to_lowercase()).or_insert(u.id);
        }
    }
    people.remove("");
    (dept.id, people)
}

async fn outbox_bodies_left(app: &TestApp) -> i64 {
    let db = &app.state.db;
    app::on_db!(db, |p| {
        sqlx::query_scalar::<_, i64>("SELECT CAST(COUNT(*) AS BIGINT) FROM mail_outbox WHERE body <> ''")
            .fetch_one(p)
            .await
            .expect("count")
    })
}

db_test!(everyone_in_the_chosen_units_gets_their_own_link_by_email_once, |db| {
    let smtp = SmtpServer::start();
    let app = with_relay(&db, &smtp).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(
        &mut hr,
        json!({"title": "Fremtidens velfærd", "template": "clarification", "keep_unit_role": true}),
        Some("collect"),
    )
    .await;
    let (dept, people) = department(&app).await;
    assert!(people.len() >= 5, "a department with people: {}", people.len());

    let r = hr
        .send_json(
            "POST",
            &format!("/api/v1/processes/{id}/invitations"),
            &json!({"units": [dept], "emails": ["Partner@Firma.test"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let outcome = as_json(&r);
    assert_eq!(outcome["invited"], (people.len() + 1) as u64, "{outcome}");
    assert_eq!(outcome["already_invited"], 0);
    let status = as_json(&hr.get(&format!("/api/v1/processes/{id}/invitations")).await);
    assert_eq!(status["waiting"], (people.len() + 1) as u64, "{status}");

    let done = app::platform::mail::deliver_due(&app.state).await.expect("delivery");
    assert_eq!(done.sent, people.len() + 1);
    let mails = smtp.wait_for(people.len() + 1);
    let to: BTreeSet<String> =
        mails.iter().flat_map(|m| m.to.iter().map(|t| t.trim_matches(['<', '>']).to_lowercase())).collect();
    let mut expected: BTreeSet<String> = people.keys().cloned().collect();
    expected.insert("partner@firma.test".into());
    assert_eq!(to, expected, "one e-mail to each address in the subtree and the one typed");
    let links: BTreeSet<String> = mails
        .iter()
        .map(|m| {
            let text = m.text();
            assert!(m.subject().contains("Fremtidens velfærd"), "{}", m.subject());
            assert!(text.contains("uden dit navn"), "{text}");
            text.split_whitespace().find(|w| w.starts_with(SITE)).expect("a link").to_string()
        })
        .collect();
    assert_eq!(links.len(), mails.len(), "every link is different");
    assert_eq!(outbox_bodies_left(&app).await, 0, "the outbox keeps no link once sent");
    let status = as_json(&hr.get(&format!("/api/v1/processes/{id}/invitations")).await);
    assert_eq!((status["sent"].as_u64(), status["waiting"].as_u64()), (Some(people.len() as u64 + 1), Some(0)));

    // A link from an e-mail works, and the answer keeps the unit it was sent to.
    let employee_mail = mails.iter().find(|m| !m.to[0].contains("firma.test")).expect("an employee's mail");
    let address = employee_mail.to[0].trim_matches(['<', '>']).to_lowercase();
    let link = employee_mail.text().split_whitespace().find(|w| w.starts_with(SITE)).expect("link").to_string();
    let token = link.rsplit('/').next().expect("token");
    let mut anyone = app.client();
    let r = anyone
        .send_json(
            "POST",
            &format!("/api/v1/participate/{token}/inputs"),
            &json!({"text": "Færre dobbeltregistreringer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    let input = inputs["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["text"] == "Færre dobbeltregistreringer")
        .expect("input")
        .clone();
    assert_eq!(input["unit_id"].as_str(), Some(people[&address].to_string().as_str()), "{input}");

    // Sending again sends nobody a second link.
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/invitations"), &json!({"units": [dept]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        (as_json(&r)["invited"].as_u64(), as_json(&r)["already_invited"].as_u64()),
        (Some(0), Some(people.len() as u64))
    );
    app::platform::mail::deliver_due(&app.state).await.expect("delivery");
    assert_eq!(smtp.received().len(), people.len() + 1);
});

db_test!(a_process_that_keeps_no_unit_gets_anonymous_links_by_email, |db| {
    let smtp = SmtpServer::start();
    let app = with_relay(&db, &smtp).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Trivsel", "template": "proposals"}), Some("collect")).await;
    let (dept, _) = department(&app).await;
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/invitations"), &json!({"units": [dept]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app::platform::mail::deliver_due(&app.state).await.expect("delivery");
    let mail = smtp.wait_for(1).into_iter().next().expect("a mail");
    let link = mail.text().split_whitespace().find(|w| w.starts_with(SITE)).expect("link").to_string();
    let token = link.rsplit('/').next().expect("token");
    let r = app
        .client()
        .send_json(
            "POST",
            &format!("/api/v1/participate/{token}/inputs"),
            &json!({"text": "Mere tid til kerneopgaven"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    assert_eq!(inputs["items"][0]["unit_id"], serde_json::Value::Null, "{inputs}");
});

db_test!(a_refused_address_is_retried_and_then_given_up, |db| {
    let smtp = SmtpServer::start();
    let app = with_relay(&db, &smtp).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Trivsel", "template": "proposals"}), None).await;
    let r = hr
        .send_json(
            "POST",
            &format!("/api/v1/processes/{id}/invitations"),
            &json!({"emails": ["refuse@samby.test", "ok@samby.test"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let first = app::platform::mail::deliver_due(&app.state).await.expect("delivery");
    assert_eq!((first.sent, first.retrying, first.given_up), (1, 1, 0));
    // Not due again until its pause has passed.
    assert_eq!(app::platform::mail::deliver_due(&app.state).await.expect("delivery").retrying, 0);
    let mut given_up = 0;
    for _ in 1..app::platform::mail::MAX_ATTEMPTS {
        let db = &app.state.db;
        app::on_db!(db, |p| sqlx::query("UPDATE mail_outbox SET next_attempt_at = $1 WHERE sent_at IS NULL")
            .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
            .execute(p)
            .await
            .map(|_| ())
            .expect("due now"));
        given_up += app::platform::mail::deliver_due(&app.state).await.expect("delivery").given_up;
    }
    assert_eq!(given_up, 1);
    let status = as_json(&hr.get(&format!("/api/v1/processes/{id}/invitations")).await);
    assert_eq!(
        (status["sent"].as_u64(), status["waiting"].as_u64(), status["failed"].as_u64()),
        (Some(1), Some(0), Some(1))
    );
    assert_eq!(outbox_bodies_left(&app).await, 0, "a given-up message keeps no link either");
    assert_eq!(smtp.received().len(), 1);
});

db_test!(invitations_without_a_relay_or_with_bad_input_make_nothing, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Trivsel", "template": "proposals"}), None).await;
    let (dept, _) = department(&app).await;
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/invitations"), &json!({"units": [dept]})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("E-mail er ikke sat op"), "{}", r.body);
    let page = app.login("facilitator").await.get(&format!("/processer/{id}/facilitering")).await;
    assert!(page.body.contains("E-mail er ikke sat op"), "the page says so instead of a form");

    let smtp = SmtpServer::start();
    let app = with_relay_on_existing(&db, &smtp).await;
    let mut hr = app.api_client("facilitator").await;
    let mut employee = app.api_client("medarbejder").await;
    let r = employee.send_json("POST", &format!("/api/v1/processes/{id}/invitations"), &json!({"units": [dept]})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only its facilitators invite");
    for (bad, says) in [
        (json!({}), "mindst én"),
        (json!({"units": [uuid::Uuid::now_v7()]}), "findes ikke"),
        (json!({"units": [dept], "emails": ["ikke en adresse"]}), "ikke en e-mailadresse"),
        (json!({"units": "alle"}), ""),
    ] {
        let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/invitations"), &bad).await;
        assert!(r.status.is_client_error(), "{bad}: {}", r.status);
        assert!(r.body.contains(says), "{bad}: {}", r.body);
    }
    let status = as_json(&hr.get(&format!("/api/v1/processes/{id}/invitations")).await);
    assert_eq!(status["waiting"], 0, "nothing queued: {status}");
    assert_eq!(app::platform::mail::deliver_due(&app.state).await.expect("delivery").sent, 0);

    // On the page: choose a unit, send, and see what happened.
    let mut browser = app.login("facilitator").await;
    let page = format!("/processer/{id}/facilitering");
    let dept = dept.to_string();
    let r = browser.post(&format!("/processer/{id}/inviter"), &page, &[("unit", &dept), ("emails", "")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body.split("alert").nth(1).unwrap_or(""));
    assert!(r.body.contains("links er sat til afsendelse"), "{}", r.body);
    let r = browser.post(&format!("/processer/{id}/inviter"), &page, &[("emails", "ikke en adresse")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("ikke en e-mailadresse"), "{}", r.body);
});

/// The app on a database that already holds the demo, now with a relay.
async fn with_relay_on_existing(db: &crate::support::Db, smtp: &SmtpServer) -> TestApp {
    let config = app::Config {
        demo: true,
        mail: Some(app::platform::mail::MailConfig { smtp_url: smtp.url(), from: "samskab@samby.test".into() }),
        public_url: Some(SITE.into()),
        ..Default::default()
    };
    TestApp::with_config(db, config).await
}
