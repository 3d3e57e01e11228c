//! The board decides in the pages: the list with progress and filters, the decide form
//! with "save and next", a bulk decision with one reason, and a new proposal from the
//! form; bad input shows the form again and changes nothing.

use axum::http::StatusCode;
use serde_json::json;

use super::{as_json, process, proposal};
use crate::db_test;
use crate::support::demo_app;

db_test!(the_board_decides_proposals_one_by_one_and_in_bulk_in_the_pages, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Færre regler", "template": "proposals"}), "decide").await;
    let mut ids = Vec::new();
    for title in ["Én indgang for borgerne", "Kortere møder", "Færre skemaer"] {
        ids.push(proposal(&mut hr, &id, json!({"title": title})).await);
    }
    let mut board = app.login("direktion").await;
    let list = format!("/processer/{id}/forslag");
    let page = board.get(&list).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("0 af 3 forslag er besluttet"), "{}", page.body);
    assert!(page.body.contains("Kortere møder") && page.body.contains("name=\"proposal\""));

    // A decision without a reason: the form again with the message, nothing saved.
    let form = format!("/forslag/{}", ids[0]);
    let r = board
        .post(
            &format!("/forslag/{}/beslutning", ids[0]),
            &form,
            &[("state", "accepted"), ("reason", " "), ("next", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("En beslutning skal altid begrundes") && r.body.contains("value=\"accepted\" checked"));
    let r =
        board.post(&format!("/forslag/{}/beslutning", ids[0]), &form, &[("state", "maybe"), ("reason", "Hm")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(board.get(&list).await.body.contains("0 af 3 forslag er besluttet"), "nothing half-saved");

    // Save and next: on to the next undecided proposal.
    let r = board
        .post(
            &format!("/forslag/{}/beslutning", ids[0]),
            &form,
            &[
                ("state", "accepted"),
                ("reason", "Borgerne spares for omveje."),
                ("deadline", "2027-03-01"),
                ("next", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("/forslag/{}?gemt=beslutning", ids[1]));
    let next = board.get(r.location()).await;
    assert!(next.body.contains("Beslutningen er gemt") && next.body.contains("2 forslag mangler en beslutning"));

    // One reason for the rest at once; a proposal of another process spoils the whole bulk.
    let other = process(&mut hr, json!({"title": "Andet", "template": "proposals"}), "decide").await;
    let foreign = proposal(&mut hr, &other, json!({"title": "Fremmed"})).await;
    let bulk = format!("/processer/{id}/forslag/samlet");
    let r = board
        .post(
            &bulk,
            &list,
            &[("proposal", &ids[1]), ("proposal", &foreign), ("state", "rejected"), ("reason", "Ikke nu.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("findes ikke i denne proces"), "{}", r.body);
    let r = board
        .post(&bulk, &list, &[("proposal", &ids[1]), ("proposal", &ids[2]), ("state", "rejected"), ("reason", "")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(board.get(&list).await.body.contains("1 af 3 forslag er besluttet"), "nothing half-saved");
    let r = board
        .post(
            &bulk,
            &list,
            &[("proposal", &ids[1]), ("proposal", &ids[2]), ("state", "rejected"), ("reason", "Ikke i denne omgang.")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = board.get(&format!("{list}?status=rejected")).await;
    assert!(page.body.contains("3 af 3 forslag er besluttet"), "{}", page.body);
    assert!(page.body.contains("Færre skemaer") && !page.body.contains("Én indgang for borgerne"));
    let history = as_json(&hr.get(&format!("/api/v1/proposals/{}", ids[2])).await);
    assert_eq!(history["history"][0]["reason"], "Ikke i denne omgang.");
    assert_eq!(history["history"][0]["by"], "direktion");

    // An employee sees the list but decides nothing.
    let mut employee = app.login("medarbejder").await;
    let page = employee.get(&list).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("name=\"proposal\""));
    let r = employee
        .post(&format!("/forslag/{}/beslutning", ids[0]), &form, &[("state", "rejected"), ("reason", "Nej")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The facilitator writes a new proposal in the form.
    let mut facilitator = app.login("facilitator").await;
    let new = format!("/processer/{id}/forslag/ny");
    let r = facilitator.post(&new, &new, &[("title", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = facilitator.post(&new, &new, &[("title", "Fælles kalender"), ("text", "Én kalender for alle.")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(facilitator.get(r.location()).await.body.contains("Fælles kalender"));
    assert!(board.get(&list).await.body.contains("3 af 4 forslag er besluttet"));
});
