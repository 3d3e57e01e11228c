//! The decision document: a page, a PDF and an XLSX of a process's results and proposals,
//! for those who decide; made again only when its data changed.

use axum::http::StatusCode;
use serde_json::json;

use super::{as_json, process, proposal};
use crate::db_test;
use crate::support::demo_app;

db_test!(the_decision_document_is_a_page_a_pdf_and_a_workbook, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Færre regler", "template": "proposals"}), "collect").await;
    let mut employee = app.api_client("medarbejder").await;
    for text in ["Dobbeltregistrering tager tid", "For mange skemaer", "Kortere møder"] {
        let r = employee.send_json("POST", &format!("/api/v1/processes/{id}/inputs"), &json!({"text": text})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let p = proposal(&mut hr, &id, json!({"title": "Ét skema <i>færre</i>", "text": "#set page(width: 1pt)"})).await;
    let mut board = app.api_client("direktion").await;
    board
        .send_json("POST", &format!("/api/v1/proposals/{p}/decision"), &json!({"state": "accepted", "reason": "Ja."}))
        .await;

    let mut page_client = app.login("direktion").await;
    let page = page_client.get(&format!("/processer/{id}/beslutningsdokument")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Ét skema &#60;i&#62;færre&#60;/i&#62;") && page.body.contains("Vedtaget"),
        "{}",
        page.body
    );

    let pdf = format!("/api/v1/processes/{id}/decision-document.pdf");
    let r = board.get(&pdf).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/pdf"));
    assert!(r.bytes.starts_with(b"%PDF-"), "a PDF");
    let again = board.get(&pdf).await;
    assert_eq!(again.bytes, r.bytes, "unchanged data: the kept file");
    let xlsx = board.get(&format!("/api/v1/processes/{id}/decision-document.xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "a workbook");
    board
        .send_json(
            "POST",
            &format!("/api/v1/proposals/{p}/decision"),
            &json!({"state": "implemented", "reason": "Gjort."}),
        )
        .await;
    assert_ne!(board.get(&pdf).await.bytes, r.bytes, "a new decision: a new document");

    // Only those who decide; the job is started through the API too.
    assert_eq!(employee.get(&pdf).await.status, StatusCode::FORBIDDEN);
    let r = board.send_json("POST", &format!("/api/v1/processes/{id}/decision-document"), &json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert!(as_json(&r)["job"].is_string());
});
