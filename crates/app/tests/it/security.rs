//! What a penetration test of the running server probed (issue "Security and reliability
//! hardening"): redirects, CSV exports, transport headers — on both backends.

use axum::http::StatusCode;

use app::organisation::import::{self, Format};
use app::organisation::store;
use app::platform::audit::AuditEntry;
use app::platform::auth;
use app::platform::permissions::Role;

use crate::db_test;
use crate::support::{TestApp, demo_app};

/// `next` values a browser would turn into another site, or that cannot be a Location.
const OFF_SITE: [&str; 12] = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "/\0/evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "//evil.example",
    "///evil.example",
    "https://evil.example",
    "javascript:alert(1)",
    " /evil",
    "\t//evil.example",
];

db_test!(redirects_never_leave_the_site, |db| {
    let app = demo_app(&db, 200).await;
    for next in OFF_SITE {
        let mut c = app.client();
        let r = c.post("/log-ind", "/log-ind", &[("username", "admin"), ("password", "demo"), ("next", next)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"), "POST /log-ind next={next:?}");
        let r = c.post("/sprog", "/", &[("lang", "en"), ("next", next)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"), "POST /sprog next={next:?}");
        let query = serde_urlencoded::to_string([("next", next)]).expect("query");
        let r = c.get(&format!("/log-ind?{query}")).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"), "GET /log-ind?{query} when signed in");
        let r = c.get(&format!("/menu?{query}")).await;
        assert!(r.body.contains("href=\"/\" class=\"function-link\""), "the menu's way back for {next:?}");
    }
    // Same-site paths are kept, with what cannot stand in a header percent-encoded.
    let mut c = app.client();
    let r = c
        .post(
            "/log-ind",
            "/log-ind",
            &[("username", "admin"), ("password", "demo"), ("next", "/organisation/personer?q=Søren")],
        )
        .await;
    assert_eq!(r.location(), "/organisation/personer?q=S%C3%B8ren");
});

/// A Kolding chart whose leaders are named like spreadsheet formulas.
fn formula_chart() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("formler.csv");
    std::fs::write(
        &path,
        "\"root\";\"org\";\"sub org\";\"2xsub org\";\"3xsub org\";\"Ansvar\";\"Navn\";\"Telefon\";\"E-mail\"\n\
         \"Formel Kommune\";\"\";\"\";\"\";\"\";\"\";\"=HYPERLINK(\"\"http://evil.example\"\";\"\"x\"\")\";\"\";\"a@k.dk\"\n\
         \"Formel Kommune\";\"+Teknik\";\"\";\"\";\"\";\"\";\"@SUM(1+1)\";\"\";\"b@k.dk\"\n\
         \"Formel Kommune\";\"-Kultur\";\"\";\"\";\"\";\"\";\"=cmd|' /C calc'!A0\";\"\";\"c@k.dk\"\n",
    )
    .expect("write");
    (dir, path)
}

db_test!(csv_exports_write_formulas_as_text, |db| {
    let app = TestApp::new(&db).await;
    let m = app.state.municipality;
    let (_dir, path) = formula_chart();
    let snapshot = import::read(Format::KoldingCsv, &path).expect("a valid chart");
    store::apply_snapshot(&db, m, &snapshot, AuditEntry::system("organisation.import", "test")).await.expect("import");
    auth::create_account(&db, m, "hr", "HR", "en-lang-adgangskode", None, &[Role::Administrator])
        .await
        .expect("account");
    let mut c = app.client();
    assert_eq!(c.login("hr", "en-lang-adgangskode").await.status, StatusCode::SEE_OTHER);
    let csv = c.get("/organisation/ledelsesspaend.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows: Vec<&str> = csv.body.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{}", csv.body);
    for row in &rows {
        for cell in row.split(';') {
            let cell = cell.trim_matches('"');
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a live formula in {row:?}");
        }
    }
    assert!(csv.body.contains("'=HYPERLINK") && csv.body.contains("'@SUM(1+1)") && csv.body.contains("'+Teknik"));
    assert!(csv.body.contains("'-Kultur") && csv.body.contains("'=cmd|"));
});

db_test!(hsts_only_when_served_over_https, |db| {
    let plain = TestApp::new(&db).await;
    assert!(!plain.client().get("/").await.headers.contains_key("strict-transport-security"));
    let secure = TestApp::with_config(
        &db,
        app::Config { secure_cookies: true, demo: false, oidc: None, trusted_proxies: Vec::new() },
    )
    .await;
    let r = secure.client().get("/").await;
    assert_eq!(r.headers["strict-transport-security"], "max-age=31536000; includeSubDomains");
});

db_test!(demo_logins_work_only_in_demo_mode, |db| {
    let app = demo_app(&db, 200).await;
    assert_eq!(app.login("admin").await.get("/admin/log").await.status, StatusCode::OK, "demo mode");
    let production = app::AppState::new(
        db.clone(),
        app::Config { secure_cookies: false, demo: false, oidc: None, trusted_proxies: Vec::new() },
    )
    .await;
    let error = production.err().expect("a demo database is refused outside demo mode");
    assert!(error.downcast_ref::<app::DemoDatabase>().is_some(), "{error}");
});
