//! The pages as users meet them: who may open what (the role × route matrix), error pages,
//! the audit log, exports, assets and headers — on both backends.

use axum::http::StatusCode;
use uuid::Uuid;

use app::organisation::store;
use app::platform::auth;
use app::platform::db::Db;

use crate::db_test;
use crate::support::{TestApp, demo_app};

/// Units the matrix needs: the top, the demo leader's school, a sibling school, a team in
/// the leader's school.
async fn landmarks(app: &TestApp, db: &Db) -> (Uuid, Uuid, Uuid, Uuid) {
    let m = app.state.municipality;
    let top = store::units_at_depth(db, m, 1).await.expect("top")[0].id;
    let (account, _) = auth::account_for_login(db, "leder").await.expect("q").expect("leder exists");
    let led = store::led_subtrees(db, account.person_id.expect("linked person")).await.expect("led");
    let school = store::unit_at(db, m, led[0].0).await.expect("q").expect("school");
    let siblings = store::children(db, m, school.parent_id.expect("area")).await.expect("siblings");
    let sibling = siblings.iter().find(|u| u.id != school.id).expect("another school").id;
    let team = store::children(db, m, school.id).await.expect("teams")[0].id;
    (top, school.id, sibling, team)
}

db_test!(role_by_route_matrix, |db| {
    let app = demo_app(&db, 1000).await;
    let (top, school, sibling, team) = landmarks(&app, &db).await;
    let unit = |id: Uuid| format!("/organisation/enhed/{id}");
    let routes: Vec<String> = vec![
        "/".into(),
        "/organisation".into(),
        "/organisation/personer?q=an".into(),
        "/organisation/ledelsesspaend".into(),
        "/organisation/ledelsesspaend.csv".into(),
        "/organisation/ledelsesspaend.xlsx".into(),
        "/admin/log".into(),
        "/konto/adgangskode".into(),
        unit(top),
        unit(school),
        unit(sibling),
        unit(team),
    ];
    const OK: u16 = 200;
    const NO: u16 = 403;
    let expected: [(&str, [u16; 12]); 5] = [
        ("admin", [OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        ("direktion", [OK, OK, OK, OK, OK, OK, NO, OK, OK, OK, OK, OK]),
        ("leder", [OK, OK, OK, OK, OK, OK, NO, OK, NO, OK, NO, OK]),
        ("facilitator", [OK, OK, OK, NO, NO, NO, NO, OK, OK, OK, OK, OK]),
        ("medarbejder", [OK, OK, OK, NO, NO, NO, NO, OK, OK, OK, OK, OK]),
    ];
    for (user, row) in expected {
        let mut c = app.login(user).await;
        for (route, want) in routes.iter().zip(row) {
            let r = c.get(route).await;
            assert_eq!(r.status.as_u16(), want, "{user} GET {route}");
        }
    }
    let mut anonymous = app.client();
    for route in &routes[1..] {
        let r = anonymous.get(route).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "anonymous GET {route}");
        assert!(r.location().starts_with("/log-ind?next="));
    }
    assert_eq!(anonymous.get("/").await.status, StatusCode::OK);
});

db_test!(a_leader_sees_only_their_part_of_the_report, |db| {
    let app = demo_app(&db, 1000).await;
    let mut leader = app.login("leder").await;
    let mut admin = app.login("admin").await;
    let mine = leader.get("/organisation/ledelsesspaend.csv").await.body;
    let all = admin.get("/organisation/ledelsesspaend.csv").await.body;
    let lines = |s: &str| s.lines().count();
    assert!(lines(&mine) >= 2 && lines(&mine) < lines(&all), "{} vs {}", lines(&mine), lines(&all));
    assert!(!mine.contains("Samby Kommune"), "the top leader is above the leader's scope");
    assert!(all.contains("Samby Kommune"));
    let page = leader.get("/organisation").await;
    assert!(page.body.contains("Skole"), "a leader's overview starts at their school");
});

db_test!(error_pages_speak_the_users_language_and_denials_are_logged, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.login("medarbejder").await;
    let r = c.get("/findes/ikke").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("Siden findes ikke"));
    assert!(r.body.contains("<html lang=\"da\">"));
    let r = c.get("/organisation/enhed/ikke-et-id").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = c.get("/admin/log").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Du har ikke adgang til siden"));
    let r = c.post("/sprog", "/", &[("lang", "en"), ("next", "/admin/log")]).await;
    assert_eq!(r.location(), "/admin/log");
    let r = c.get("/admin/log").await;
    assert!(r.body.contains("You do not have access to this page"));
    assert!(r.body.contains("<html lang=\"en\">"));
    let r = c.post("/sprog", "/", &[("lang", "klingon")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let mut admin = app.login("admin").await;
    let log = admin.get("/admin/log?action=access.denied").await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(log.body.matches("/admin/log</td>").count(), 2, "both denied attempts are in the audit log");
    let log = admin.get("/admin/log?q=medarbejder&action=login.succeeded").await;
    assert!(log.body.contains("login.succeeded"));
    let bad = admin.get("/admin/log?from=igår").await;
    assert!(bad.body.contains("Skriv datoen som åååå-mm-dd."));
});

db_test!(span_report_filters_chart_and_exports, |db| {
    let app = demo_app(&db, 1000).await;
    let mut c = app.login("direktion").await;
    let page = c.get("/organisation/ledelsesspaend").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<svg class=\"chart\""));
    assert!(page.body.contains("role=\"img\""));
    let all_rows = page.body.matches("/organisation/person/").count();
    let over = c.get("/organisation/ledelsesspaend?graense=30&kun_over=1").await;
    let over_rows = over.body.matches("/organisation/person/").count();
    assert!(over_rows >= 1 && over_rows < all_rows, "{over_rows} of {all_rows}");
    let bad = c.get("/organisation/ledelsesspaend?graense=mange&niveau=x").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("Grænsen skal være et helt tal"));
    assert!(bad.body.contains("Niveauet skal være et tal"));
    let bad = c.get("/organisation/ledelsesspaend.csv?afdeling=nope").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let csv = c.get("/organisation/ledelsesspaend.csv?niveau=2").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.bytes.starts_with("\u{feff}Leder;E-mail;Enhed;Niveau;Direkte".as_bytes()));
    assert!(csv.body.lines().skip(1).all(|l| l.split(';').nth(3) == Some("2")));
    let xlsx = c.get("/organisation/ledelsesspaend.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "an XLSX is a zip file");
    let log = app.login("admin").await.get("/admin/log?action=organisation.span_export").await;
    assert_eq!(log.body.matches("organisation.span_export</td>").count(), 2, "each download is logged");
});

db_test!(unit_and_person_pages_show_the_organisation, |db| {
    let app = demo_app(&db, 1000).await;
    let (top, school, _, team) = landmarks(&app, &db).await;
    let mut c = app.login("admin").await;
    let page = c.get(&format!("/organisation/enhed/{school}")).await;
    assert!(page.body.contains("breadcrumbs"));
    assert!(page.body.contains(&format!("/organisation/enhed/{top}")), "the trail leads to the top");
    assert!(page.body.contains(&format!("/organisation/enhed/{team}")), "sub-units are listed");
    assert!(page.body.contains("Skoleleder"));
    let people = c.get("/organisation/personer?q=a").await;
    assert!(people.body.contains("Skriv mindst to tegn."));
    let people = c.get("/organisation/personer?q=sen").await;
    let link = people.body.split("/organisation/person/").nth(1).and_then(|s| s.split('"').next()).expect("a hit");
    let person = c.get(&format!("/organisation/person/{link}")).await;
    assert_eq!(person.status, StatusCode::OK);
    assert!(person.body.contains("@samby.dk"));
    assert_eq!(c.get(&format!("/organisation/person/{}", Uuid::nil())).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get(&format!("/organisation/enhed/{school}?side=0")).await.status, StatusCode::BAD_REQUEST);
});

db_test!(assets_headers_and_accessibility_statement, |db| {
    let app = TestApp::new(&db).await;
    let mut c = app.client();
    let css = c.get("/static/vendor/dkfds-11.2.0/css/dkfds.min.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["cache-control"], "public, max-age=31536000, immutable");
    assert!(css.headers["content-type"].to_str().unwrap_or("").starts_with("text/css"));
    let etag = css.headers["etag"].to_str().expect("etag").to_string();
    assert!(!etag.is_empty());
    let font = c.get("/static/vendor/dkfds-11.2.0/fonts/IBMPlexSans/complete/woff2/IBMPlexSans-Regular.woff2").await;
    assert_eq!(font.status, StatusCode::OK, "fonts the stylesheet needs are there");
    assert_eq!(c.get("/static/nope.js").await.status, StatusCode::NOT_FOUND);
    let home = c.get("/").await;
    for h in ["content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options"] {
        assert!(home.headers.contains_key(h), "{h}");
    }
    assert!(home.body.contains("href=\"/tilgaengelighed\""), "footer links the accessibility statement");
    let was = c.get("/tilgaengelighed").await;
    assert!(was.body.contains("Tilgængelighedserklæring"));
    assert_eq!(c.get("/was").await.location(), "/tilgaengelighed");
});

db_test!(the_report_table_is_paged_but_chart_and_exports_cover_everyone, |db| {
    let app = demo_app(&db, 4000).await;
    let mut c = app.login("direktion").await;
    let first = c.get("/organisation/ledelsesspaend").await;
    let rows = |body: &str| body.matches("<td><a href=\"/organisation/person/").count();
    assert_eq!(rows(&first.body), 100);
    assert!(first.body.contains("Viser 1–100."), "the status line says which rows are shown");
    assert!(first.body.contains("side=2"), "a link to the next page");
    let csv = c.get("/organisation/ledelsesspaend.csv").await;
    let leaders = csv.body.lines().count() - 1;
    assert!(leaders > 100, "{leaders} leaders");
    assert!(
        first.body.contains(&format!("{leaders} ledere."))
            || first.body.contains(&format!(
                "{} ledere.",
                app::platform::i18n::format_number(app::platform::i18n::Lang::Da, leaders as i64)
            ))
    );
    let last_page = leaders.div_ceil(100);
    let last = c.get(&format!("/organisation/ledelsesspaend?side={last_page}")).await;
    assert_eq!(rows(&last.body), leaders - (last_page - 1) * 100);
    // The chart counts every leader, not just the shown page.
    let counted: usize = first
        .body
        .split("<desc id=\"chart-desc\">")
        .nth(1)
        .and_then(|d| d.split("</desc>").next())
        .map(|d| d.split(": ").skip(1).filter_map(|p| p.split('.').next()?.trim().parse::<usize>().ok()).sum())
        .unwrap_or(0);
    assert_eq!(counted, leaders);
});

db_test!(another_instances_change_shows_within_the_recheck_time, |db| {
    // A change written by another process (here: straight into the tables, with the version
    // bump an import makes) is invisible to this process's in-process signal, so only the
    // version check can bring it in.
    let app = demo_app(&db, 300).await;
    let m = app.state.municipality;
    let top = store::units_at_depth(&db, m, 1).await.expect("top")[0].id;
    let mut c = app.login("admin").await;
    let before = c.get(&format!("/organisation/enhed/{top}")).await;
    assert!(!before.body.contains("Omdøbt Kommune"));
    app::on_db!(&db, |p| {
        sqlx::query("UPDATE org_unit SET name = 'Omdøbt Kommune' WHERE id = $1")
            .bind(top)
            .execute(p)
            .await
            .expect("rename");
        sqlx::query("UPDATE municipality SET org_version = org_version + 1 WHERE id = $1")
            .bind(m)
            .execute(p)
            .await
            .expect("bump");
    });
    tokio::time::sleep(app::organisation::view::RECHECK + std::time::Duration::from_millis(100)).await;
    let after = c.get(&format!("/organisation/enhed/{top}")).await;
    assert!(after.body.contains("Omdøbt Kommune"), "the renamed unit shows after the recheck time");
});
