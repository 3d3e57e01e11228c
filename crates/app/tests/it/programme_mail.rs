//! The e-mails of a programme, through a real local SMTP server: a place or a spot on the
//! waiting list, a change of time or place (not of the agenda), a place that opened up, and
//! the reminder two days before, which a moved activity's old job does not send.

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db_test;
use crate::support::{ReceivedMail, SmtpServer, TestApp, demo_app_with_relay};

const SITE: &str = "https://samskab.samby.test";

fn as_json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON ({e}): {body}"))
}

/// Two people of the demo with an e-mail address: (id, address).
async fn two_with_addresses(app: &TestApp) -> Vec<(Uuid, String)> {
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.expect("org");
    let mut ids: Vec<Uuid> = org.all_units().flat_map(|u| org.staff(u.id).iter().map(|m| m.person_id)).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .filter_map(|p| {
            org.person(p).filter(|at| app::platform::mail::is_address(&at.email)).map(|at| (p, at.email.clone()))
        })
        .take(2)
        .collect()
}

/// Delivers what is due and answers the messages that arrived since `seen`.
async fn new_mail(app: &TestApp, smtp: &SmtpServer, seen: &mut usize, expect: usize) -> Vec<ReceivedMail> {
    app::platform::mail::deliver_due(&app.state).await.expect("delivery");
    let all = smtp.wait_for(*seen + expect);
    let fresh = all[*seen..].to_vec();
    *seen = all.len();
    fresh
}

fn to(mail: &ReceivedMail) -> String {
    mail.to.join(",")
}

db_test!(participants_hear_of_places_changes_freed_places_and_reminders_by_email, |db| {
    let smtp = SmtpServer::start();
    let app = demo_app_with_relay(&db, 120, &smtp, SITE).await;
    let mut hr = app.api_client("facilitator").await;
    let r = hr.send_json("POST", "/api/v1/programmes", &json!({"title": "Ledelse tæt på kerneopgaven"})).await;
    let programme = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let day = app::programmes::today() + chrono::Duration::days(10);
    let activity_body = |day: chrono::NaiveDate, agenda: &str| {
        json!({"title": "Workshop om kerneopgaven", "kind": "workshop", "starts_at": format!("{day}T09:00"),
            "ends_at": format!("{day}T12:00"), "place": "Rådhuset, mødesal 1", "capacity": 1, "agenda": agenda})
    };
    let r = hr.send_json("POST", &format!("/api/v1/programmes/{programme}/activities"), &activity_body(day, "")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let activity = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let people = two_with_addresses(&app).await;
    let [(first, first_address), (second, second_address)] = [people[0].clone(), people[1].clone()];
    let mut seen = 0;

    let enrolments = format!("/api/v1/activities/{activity}/enrolments");
    for person in [first, second] {
        let r = hr.send_json("POST", &enrolments, &json!({"person": person})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let mails = new_mail(&app, &smtp, &mut seen, 2).await;
    assert_eq!(mails.len(), 2);
    let placed = mails.iter().find(|m| to(m).contains(&first_address)).expect("a letter to the first");
    assert_eq!(placed.subject(), "Du er tilmeldt: Workshop om kerneopgaven");
    let text = placed.text();
    assert!(text.contains("Rådhuset, mødesal 1") && text.contains(&format!("{SITE}/aktiviteter/{activity}")), "{text}");
    let waiting = mails.iter().find(|m| to(m).contains(&second_address)).expect("a letter to the second");
    assert_eq!(waiting.subject(), "Du er på venteliste: Workshop om kerneopgaven");

    // Signing up again changes nothing and sends nothing.
    let r = hr.send_json("POST", &enrolments, &json!({"person": first})).await;
    assert_eq!(as_json(&r.body)["changed"], false);
    // A new agenda is not news for the calendar; a new day is, for both.
    let url = format!("/api/v1/activities/{activity}");
    let r = hr.send_json("PATCH", &url, &activity_body(day, "Medbring jeres egne cases.")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app::platform::mail::deliver_due(&app.state).await.expect("delivery");
    assert_eq!(smtp.received().len(), seen, "no letter for a new agenda or a repeated sign-up");
    let moved = day + chrono::Duration::days(1);
    let r = hr.send_json("PATCH", &url, &activity_body(moved, "Medbring jeres egne cases.")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mails = new_mail(&app, &smtp, &mut seen, 2).await;
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().all(|m| m.subject() == "Ændret: Workshop om kerneopgaven"));

    // The first cancels: the second gets the place and a letter saying so.
    let r = hr.send_json("DELETE", &format!("{enrolments}/{first}"), &json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mails = new_mail(&app, &smtp, &mut seen, 1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(to(&mails[0]), second_address);
    assert_eq!(mails[0].subject(), "Du har fået en plads: Workshop om kerneopgaven");

    // Reminders: scheduled two days before each start; the first start's job sends nothing
    // now that the workshop has moved, the new one reminds the one enrolled.
    let (jobs, _) = app::platform::jobs::store::list(&app.state.db, app.state.municipality, 50, 0).await.unwrap();
    let reminders: Vec<_> = jobs.iter().filter(|j| j.kind == "programmes.reminder").collect();
    assert_eq!(reminders.len(), 2, "one per start");
    let municipality = app.state.municipality;
    let activity_id = Uuid::parse_str(&activity).unwrap();
    for job in &reminders {
        let starts_at = chrono::DateTime::parse_from_rfc3339(job.payload["starts_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(job.run_after, starts_at - chrono::Duration::days(2));
        let sent =
            app::programmes::send_reminders(&app.state, municipality, activity_id, starts_at, SITE).await.unwrap();
        let is_new = starts_at.with_timezone(&chrono_tz::Europe::Copenhagen).date_naive() == moved;
        assert_eq!(sent, usize::from(is_new), "starts {starts_at}");
    }
    let mails = new_mail(&app, &smtp, &mut seen, 1).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(to(&mails[0]), second_address);
    assert_eq!(mails[0].subject(), "Påmindelse: Workshop om kerneopgaven");
});
