//! Participants without an account: link and code passes, the actor kinds, rate limits in
//! the database.

use axum::http::StatusCode;

use app::platform::participants::{self, PassKind, store};
use app::platform::permissions::{ObjectKind, ObjectRef};

use crate::db_test;
use crate::support::demo_app;

const PROCESS: ObjectKind = ObjectKind("process");

db_test!(passes_open_one_object_until_revoked_or_expired, |db| {
    let m = app::platform::site::store::ensure(&db, "Kommune").await.expect("m");
    let process = ObjectRef { kind: PROCESS, id: uuid::Uuid::from_u128(42) };
    let link = participants::issue_link(&db, m.id, process, None).await.expect("link");
    let code = participants::issue_code(&db, m.id, process, None).await.expect("code");
    assert_eq!(code.len(), participants::CODE_LENGTH);
    let pass = store::pass(&db, m.id, &link).await.expect("q").expect("a live link");
    assert_eq!((pass.kind, pass.object), (PassKind::Link, process));
    let typed = format!(" {}-{} ", &code[..3].to_lowercase(), &code[3..]);
    let pass = store::pass(&db, m.id, &participants::normalise_code(&typed)).await.expect("q").expect("a code");
    assert_eq!((pass.kind, pass.object), (PassKind::Code, process));
    assert!(store::pass(&db, m.id, "not-a-secret").await.expect("q").is_none());
    assert!(store::pass(&db, uuid::Uuid::nil(), &link).await.expect("q").is_none(), "another municipality's");
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    let old = participants::issue_link(&db, m.id, process, Some(past)).await.expect("old");
    assert!(store::pass(&db, m.id, &old).await.expect("q").is_none(), "expired");
    assert_eq!(store::revoke_for(&db, m.id, process).await.expect("revoke"), 3);
    assert!(store::pass(&db, m.id, &link).await.expect("q").is_none(), "revoked");
});

db_test!(parallel_hits_are_all_counted, |db| {
    let mut hits = Vec::new();
    for _ in 0..40 {
        let db = db.clone();
        hits.push(tokio::spawn(
            async move { store::hit(&db, "visitor:10.0.0.1:x", chrono::Duration::minutes(1)).await },
        ));
    }
    let mut counts: Vec<i64> = Vec::new();
    for h in hits {
        counts.push(h.await.expect("task").expect("hit"));
    }
    counts.sort();
    assert_eq!(counts, (1..=40).collect::<Vec<i64>>(), "each hit saw its own count");
});

db_test!(a_visitor_searching_too_often_gets_a_429_and_accounts_do_not, |db| {
    let app = demo_app(&db, 200).await;
    let mut visitor = app.client();
    let limit = app::stories::routes::VISITOR_SEARCHES_PER_MINUTE;
    for i in 0..limit {
        let r = visitor.get(&format!("/historier?q=ord{i}")).await;
        assert_eq!(r.status, StatusCode::OK, "search {i}");
    }
    let r = visitor.get("/historier?q=en+mere").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("For mange forespørgsler"), "a page in the user's language");
    assert_eq!(visitor.get("/historier").await.status, StatusCode::OK, "the list without a search is not limited");
    let mut employee = app.login("medarbejder").await;
    for i in 0..(limit + 5) {
        assert_eq!(employee.get(&format!("/historier?q=ord{i}")).await.status, StatusCode::OK);
    }
});
