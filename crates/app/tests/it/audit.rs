//! The audit log page: entries in the reader's language, filters.

use crate::db_test;
use crate::support::demo_app;

db_test!(the_audit_log_reads_in_the_users_language, |db| {
    let app = demo_app(&db, 200).await;
    let mut admin = app.login("admin").await;
    let _ = admin.get("/organisation/ledelsesspaend.csv").await;
    let log = admin.get("/admin/log").await;
    assert!(log.body.contains("<td>Logget ind</td>"));
    // The demo's own entries (its stories come after it) are found by their action.
    let demo = admin.get("/admin/log?action=organisation.demo").await;
    assert!(demo.body.contains("<td>Demoorganisation oprettet</td>"));
    assert!(demo.body.contains("<dt>Enheder oprettet</dt>"), "an import's summary as a labelled list, not JSON");
    assert!(!demo.body.contains("{&quot;") && !demo.body.contains("units_created"), "no raw JSON");
    assert!(log.body.contains("<option value=\"login.succeeded\">Logget ind</option>"), "the filter in words");
    let year = chrono::Utc::now().format("%Y").to_string();
    assert!(log.body.contains(&format!("{year} kl. ")), "Danish dates");
    admin.lang = Some("en");
    let _ = admin.post("/sprog", "/", &[("lang", "en"), ("next", "/")]).await;
    let log = admin.get("/admin/log").await;
    assert!(log.body.contains("<td>Logged in</td>"));
    let demo = admin.get("/admin/log?action=organisation.demo").await;
    assert!(demo.body.contains("<dt>Units created</dt>"));
    assert!(log.body.contains(&format!("{year} at ")), "English dates");
});
