//! What a penetration test of the running server probed (issue "Security and reliability
//! hardening"): redirects, CSV exports, transport headers — on both backends.

use axum::http::StatusCode;

use app::organisation::import::{self, Format};
use app::organisation::model::*;
use app::organisation::store;
use app::platform::accounts;
use app::platform::audit::AuditEntry;
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
    accounts::create_account(&db, m, "hr", "HR", "en-lang-adgangskode", None, &[Role::Administrator])
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
        app::Config {
            secure_cookies: true,
            demo: false,
            oidc: None,
            trusted_proxies: Vec::new(),
            ..Default::default()
        },
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
        app::Config {
            secure_cookies: false,
            demo: false,
            oidc: None,
            trusted_proxies: Vec::new(),
            ..Default::default()
        },
    )
    .await;
    let error = production.err().expect("a demo database is refused outside demo mode");
    assert!(error.downcast_ref::<app::DemoDatabase>().is_some(), "{error}");
});

db_test!(page_numbers_out_of_range_are_a_400, |db| {
    let app = demo_app(&db, 200).await;
    let mut admin = app.login("admin").await;
    for path in [
        "/admin/log?side=9223372036854775807",
        "/admin/log?side=1000001",
        "/organisation/personer?q=en&side=9223372036854775807",
        "/organisation/ledelsesspaend?side=9223372036854775807",
        "/admin/log?side=-1",
    ] {
        let r = admin.get(path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(r.body.contains("Sidenummeret skal være et helt tal"), "{path}");
    }
    assert_eq!(admin.get("/admin/log?side=1000000").await.status, StatusCode::OK, "the last page allowed is empty");
});

db_test!(the_audit_log_cannot_be_flooded, |db| {
    let app = demo_app(&db, 200).await;
    // A signed-in user's denial is logged, but a long address is cut.
    let mut employee = app.login("medarbejder").await;
    let long = format!("/admin/log?q={}", "x".repeat(4000));
    assert_eq!(employee.get(&long).await.status, StatusCode::FORBIDDEN);
    let query = |action: &str| app::platform::audit::AuditQuery {
        action: Some(action.into()),
        limit: 1000,
        ..Default::default()
    };
    let m = app.state.municipality;
    let denied = app::platform::audit::search(&db, m, &query("access.denied")).await.expect("audit");
    assert_eq!(denied.len(), 1);
    assert!(denied[0].subject_id.chars().count() <= app::platform::audit::MAX_FIELD_CHARS + 1);
    // Anonymous denials (forms without a token) are logged up to a limit per address.
    let mut anonymous = app.client();
    for _ in 0..60 {
        assert_eq!(anonymous.post_raw("/log-ud", &[]).await.status, StatusCode::FORBIDDEN);
    }
    let denied = app::platform::audit::search(&db, m, &query("access.denied")).await.expect("audit");
    assert_eq!(denied.len() as i64, 1 + app::platform::audit::ANONYMOUS_ENTRIES_PER_WINDOW);
    let suppressed = app::platform::audit::search(&db, m, &query("audit.suppressed")).await.expect("audit");
    assert_eq!(suppressed.len(), 1, "one entry says the rest were not logged");
});

db_test!(password_change_is_throttled_and_audited, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.login("medarbejder").await;
    let wrong =
        [("current", "forkert"), ("new_password", "en-helt-ny-adgangskode"), ("repeat", "en-helt-ny-adgangskode")];
    for _ in 0..app::platform::accounts::FREE_FAILURES_PER_PAIR {
        let r = c.post("/konto/adgangskode", "/konto/adgangskode", &wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let right = [("current", "demo"), ("new_password", "en-helt-ny-adgangskode"), ("repeat", "en-helt-ny-adgangskode")];
    let r = c.post("/konto/adgangskode", "/konto/adgangskode", &right).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "guessing waits here as at the login");
    let failed = app::platform::audit::search(
        &db,
        app.state.municipality,
        &app::platform::audit::AuditQuery {
            action: Some("account.password_change_failed".into()),
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .expect("audit");
    assert_eq!(failed.len() as i64, app::platform::accounts::FREE_FAILURES_PER_PAIR, "each wrong password is audited");
});

db_test!(an_oidc_login_finishes_only_in_the_browser_that_started_it, |db| {
    use app::platform::accounts::oidc::{self, OidcError};
    // The pending login is single use and bound to the starting browser's value.
    oidc::record_pending(&db, "state-1", "verifier-1", "nonce-1", "/organisation", "browser-a").await.expect("record");
    let other = oidc::take_pending(&db, "state-1", Some("browser-b")).await;
    assert!(matches!(other, Err(OidcError::State)), "another browser: {other:?}");
    let after = oidc::take_pending(&db, "state-1", Some("browser-a")).await;
    assert!(matches!(after, Err(OidcError::State)), "used up by the refused try: {after:?}");
    oidc::record_pending(&db, "state-2", "verifier-2", "nonce-2", "/organisation", "browser-a").await.expect("record");
    assert!(matches!(oidc::take_pending(&db, "state-2", None).await, Err(OidcError::State)), "no cookie");
    oidc::record_pending(&db, "state-3", "verifier-3", "nonce-3", "/organisation", "browser-a").await.expect("record");
    let (verifier, nonce, next) =
        oidc::take_pending(&db, "state-3", Some("browser-a")).await.expect("the same browser");
    assert_eq!((verifier.as_str(), nonce.as_str(), next.as_str()), ("verifier-3", "nonce-3", "/organisation"));

    // Through the callback: a victim who opens the attacker's callback URL (no binding
    // cookie) is not logged in; the starting browser gets as far as the provider.
    let config = app::Config {
        demo: true,
        oidc: Some(oidc::OidcConfig {
            issuer: "http://127.0.0.1:9".into(),
            client_id: "samskab".into(),
            client_secret: None,
            redirect_url: "http://localhost/log-ind/oidc/tilbage".into(),
            role_claim: "roles".into(),
            role_map: Vec::new(),
        }),
        ..Default::default()
    };
    let app = TestApp::with_config(&db, config).await;
    oidc::record_pending(&db, "state-4", "verifier-4", "nonce-4", "/", "browser-attacker").await.expect("record");
    let mut victim = app.client();
    let r = victim.get("/log-ind/oidc/tilbage?code=attackers-code&state=state-4").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Login tog for lang tid"), "{}", r.body);
    assert!(!victim.has_session());
    oidc::record_pending(&db, "state-5", "verifier-5", "nonce-5", "/", "browser-own").await.expect("record");
    let mut own = app.client();
    own.set_cookie(oidc::BROWSER_COOKIE, "browser-own");
    let r = own.get("/log-ind/oidc/tilbage?code=code&state=state-5").await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY, "past the binding check, on to the (absent) provider");
    assert!(r.headers.get_all("set-cookie").iter().any(|c| c.to_str().unwrap_or("").starts_with("samskab_oidc=;")));
});

/// An organisation of `people` employees with one engagement each, in 60 units under one top.
fn large_organisation(people: usize) -> OrgSnapshot {
    let origin = Origin::default;
    let mut snapshot = OrgSnapshot::default();
    for u in 0..=60 {
        snapshot.units.push(UnitRecord {
            key: format!("u{u}"),
            parent_key: (u > 0).then(|| "u0".to_string()),
            name: format!("Enhed {u}"),
            unit_type: String::new(),
            valid_from: None,
            valid_to: None,
            origin: origin(),
        });
    }
    for p in 0..people {
        snapshot.people.push(PersonRecord {
            key: format!("p{p}"),
            name: format!("Person {p}"),
            email: format!("p{p}@samby.dk"),
            phone: String::new(),
            origin: origin(),
        });
        snapshot.engagements.push(EngagementRecord {
            key: format!("e{p}"),
            person_key: format!("p{p}"),
            unit_key: format!("u{}", 1 + p % 60),
            job_title: "Medarbejder".into(),
            pay_type: PayType::Salaried,
            is_primary: true,
            valid_from: None,
            valid_to: None,
            origin: origin(),
        });
    }
    snapshot
}

// A large import writes in short slices: people log in while it is half-written (each
// login waits for one slice at most, not for the whole import), and a second import is told
// that one is running. Before slicing, the writes were one transaction: no login could end
// while only part of them was visible.
db_test!(logins_get_in_while_a_large_import_runs, |db| {
    const PEOPLE: usize = 40_000;
    let app = demo_app(&db, 200).await;
    let m = app.state.municipality;
    let import = tokio::spawn({
        let db = db.clone();
        async move {
            let snapshot = large_organisation(PEOPLE);
            store::apply_snapshot(&db, m, &snapshot, AuditEntry::system("organisation.import", "test")).await
        }
    });
    while store::import_in_progress(&db, m).await.expect("read").is_none() {
        assert!(!import.is_finished(), "the import ended before it was seen running");
        tokio::task::yield_now().await;
    }
    let second =
        store::apply_snapshot(&db, m, &large_organisation(10), AuditEntry::system("organisation.import", "test")).await;
    assert!(matches!(second, Err(store::ApplyError::Running { .. })), "{second:?}");
    let mut logins_while_half_written = 0;
    while !import.is_finished() {
        let mut c = app.client();
        assert_eq!(c.login("admin", "demo").await.status, StatusCode::SEE_OTHER);
        let first_written = store::person_by_key(&db, m, "p0").await.expect("read").is_some();
        let (_, employed, _) = store::totals(&db, m).await.expect("read");
        if first_written && employed != PEOPLE as i64 {
            logins_while_half_written += 1;
        }
    }
    let summary = import.await.expect("task").expect("import");
    assert_eq!((summary.people_created, summary.engagements_created), (PEOPLE as u64, PEOPLE as u64));
    assert!(!summary.completed_interrupted_import);
    assert!(logins_while_half_written >= 1, "no login ended while the import was half-written");
    assert_eq!(store::import_in_progress(&db, m).await.expect("read"), None, "the claim is released");
    assert_eq!(store::totals(&db, m).await.expect("read").1, PEOPLE as i64);
});
