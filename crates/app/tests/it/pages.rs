//! The pages as users meet them: who may open what (the role × route matrix; every route's
//! guard in `route_guards.rs`), error pages,
//! the audit log, exports, assets and headers — on both backends.

use axum::http::StatusCode;
use uuid::Uuid;

use app::organisation::store;
use app::platform::accounts;
use app::platform::db::Db;

use crate::db_test;
use crate::support::{TestApp, demo_app};

/// Units the matrix needs: the top, the demo leader's school, a sibling school, a team in
/// the leader's school.
pub(crate) async fn landmarks(app: &TestApp, db: &Db) -> (Uuid, Uuid, Uuid, Uuid) {
    let m = app.state.municipality;
    let top = store::units_at_depth(db, m, 1).await.expect("top")[0].id;
    let (account, _) = accounts::account_for_login(db, "leder").await.expect("q").expect("leder exists");
    let led = store::led_subtrees(db, m, account.person_id.expect("linked person")).await.expect("led");
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
        assert_eq!(c.get("/menu").await.status, StatusCode::OK, "{user} GET /menu");
    }
    let mut anonymous = app.client();
    for route in &routes[1..] {
        let r = anonymous.get(route).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "anonymous GET {route}");
        assert!(r.location().starts_with("/log-ind?next="));
    }
    assert_eq!(anonymous.get("/").await.status, StatusCode::OK);
    assert_eq!(anonymous.get("/menu").await.status, StatusCode::OK);

    // Data minimisation: every employee sees the phone book; pay types only those who
    // manage the unit, HR and the executive board. Per unit page: top, school, sibling, team
    // (None: the page itself is refused).
    let pay_column = "<th scope=\"col\">Løn</th>";
    let shows_pay: [(&str, [Option<bool>; 4]); 5] = [
        ("admin", [Some(true), Some(true), Some(true), Some(true)]),
        ("direktion", [Some(true), Some(true), Some(true), Some(true)]),
        ("leder", [None, Some(true), None, Some(true)]),
        ("facilitator", [Some(false), Some(false), Some(false), Some(false)]),
        ("medarbejder", [Some(false), Some(false), Some(false), Some(false)]),
    ];
    let (mut shown, mut hidden) = (0, 0);
    for (user, row) in shows_pay {
        let mut c = app.login(user).await;
        for (id, want) in [top, school, sibling, team].into_iter().zip(row) {
            let r = c.get(&unit(id)).await;
            let Some(want) = want else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} {id}");
                continue;
            };
            assert_eq!(r.status, StatusCode::OK, "{user} {id}");
            let staffed = r.body.contains("org-staff-table");
            assert_eq!(staffed && r.body.contains(pay_column), want && staffed, "{user}: pay column on {id}");
            assert_eq!(
                r.body.contains("Timelønnet") || r.body.contains("Månedslønnet"),
                want && staffed,
                "{user}: pay types on {id}"
            );
            match (staffed, want) {
                (true, true) => shown += 1,
                (true, false) => hidden += 1,
                _ => {}
            }
        }
    }
    assert!(shown >= 5 && hidden >= 4, "staffed pages checked: {shown} with pay, {hidden} without");
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
    assert_eq!(
        log.body.matches("Side:</span> <a href=\"/admin/log\">/admin/log</a></td>").count(),
        2,
        "both denied attempts are in the audit log, the page linked"
    );
    assert!(log.body.contains("<td>Adgang nægtet</td>"), "the action in words");
    let log = admin.get("/admin/log?q=medarbejder&action=login.succeeded").await;
    assert!(log.body.contains("<td>Logget ind</td>"));
    assert!(!log.body.contains(">login.succeeded<"), "no machine names on the page");
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
    assert_eq!(log.body.matches("<td>Ledelsesspænd eksporteret</td>").count(), 2, "each download is logged");
    assert!(log.body.contains("<dt>Format</dt><dd>CSV</dd>") && log.body.contains("<dt>Format</dt><dd>XLSX</dd>"));
    assert!(log.body.contains("<dt>Rækker</dt>"), "details as a labelled list");
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
    let people = c.get("/organisation/personer?q=han").await;
    let link = people.body.split("/organisation/person/").nth(1).and_then(|s| s.split('"').next()).expect("a hit");
    let person = c.get(&format!("/organisation/person/{link}")).await;
    assert_eq!(person.status, StatusCode::OK);
    assert!(person.body.contains("@samby.dk"));
    assert_eq!(c.get(&format!("/organisation/person/{}", Uuid::nil())).await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get(&format!("/organisation/enhed/{school}?side=0")).await.status, StatusCode::BAD_REQUEST);
});

db_test!(people_are_found_by_the_beginnings_of_their_names_and_by_job_title, |db| {
    let app = demo_app(&db, 1000).await;
    let mut c = app.login("admin").await;
    // A person's name as the demo made it, typed in part and in other letter case.
    let everyone = c.get("/organisation/personer?q=pædagog").await;
    let name = everyone
        .body
        .split("<tr><td><a href=\"/organisation/person/")
        .nth(1)
        .and_then(|s| s.split('>').nth(1))
        .and_then(|s| s.split('<').next())
        .expect("a pædagog")
        .to_string();
    let (first, last) = name.split_once(' ').expect("first and last name");
    let last = last.rsplit(' ').next().unwrap_or(last);
    let typed: String = first.chars().take(3).collect::<String>().to_uppercase() + "+" + &last.to_lowercase();
    let found = c.get(&format!("/organisation/personer?q={typed}")).await;
    assert!(found.body.contains(&name), "{typed:?} finds {name}");
    // The job title, in another form of the word: "pædagoger" finds a "Pædagog".
    let plural = c.get("/organisation/personer?q=pædagoger").await;
    assert!(plural.body.contains(&name), "pædagoger finds {name}");
    // Every word must match: a name with a title the person does not have finds nobody.
    let none = c.get(&format!("/organisation/personer?q={first}+pedel+skolesekretær")).await;
    assert!(none.body.contains("<p role=\"status\">0 "), "{}", none.body);
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
        sqlx::query("UPDATE org_state SET version = version + 1 WHERE municipality_id = $1")
            .bind(m)
            .execute(p)
            .await
            .expect("bump");
    });
    tokio::time::sleep(app::organisation::cache::RECHECK + std::time::Duration::from_millis(100)).await;
    let after = c.get(&format!("/organisation/enhed/{top}")).await;
    assert!(after.body.contains("Omdøbt Kommune"), "the renamed unit shows after the recheck time");
});

db_test!(the_shell_is_dkfds_with_a_menu_that_works_without_javascript, |db| {
    let app = demo_app(&db, 200).await;
    let mut c = app.login("medarbejder").await;
    let home = c.get("/").await;
    assert!(home.body.contains("<title>Forside – Samskab</title>"), "a page title, not 'Samskab – Samskab'");
    assert!(home.body.contains("rel=\"icon\""), "a favicon");
    assert!(home.body.contains("<ul class=\"mainmenu\">"), "DKFDS main menu");
    assert!(home.body.contains("class=\"active current\""), "the current section is marked");
    // The menu button opens DKFDS's drawer; without JavaScript it is a link to the menu page.
    assert!(home.body.contains("href=\"/menu?next=/\" class=\"function-link button-menu-open js-menu-open"));
    let drawer = home.body.split("class=\"mobile-drawer\"").nth(1).expect("a mobile drawer");
    assert!(drawer.contains("navigation-menu-mobile") && drawer.contains("action=\"/log-ud\""), "menu and log out");
    let menu = c.get("/menu?next=/organisation").await;
    assert_eq!(menu.status, StatusCode::OK);
    let main = menu.body.split("<main").nth(1).expect("main");
    for what in
        ["href=\"/organisation\"", "action=\"/log-ud\"", "Log ud", "href=\"/organisation\" class=\"function-link\""]
    {
        assert!(main.contains(what), "the menu page has {what}");
    }
    assert!(c.get("/menu?next=//evil.example").await.body.contains("href=\"/\" class=\"function-link\""));
    let icon = c.get("/favicon.ico").await;
    assert_eq!(icon.location(), "/static/app/favicon.svg");
    assert_eq!(c.get("/static/app/favicon.svg").await.status, StatusCode::OK);
});

/// Every person in `query`'s results, page by page, as `c` sees them; and the total shown.
async fn all_search_results(c: &mut crate::support::Client, query: &str) -> (Vec<String>, usize) {
    let mut ids = Vec::new();
    let mut total = None;
    for side in 1.. {
        let page = c.get(&format!("/organisation/personer?q={query}&side={side}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let status = page.body.split("<p role=\"status\">").nth(1).and_then(|s| s.split(' ').next()).expect("count");
        total.get_or_insert(status.replace('.', "").parse::<usize>().expect("a count"));
        let before = ids.len();
        ids.extend(
            page.body
                .split("<tr><td><a href=\"/organisation/person/")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .map(String::from),
        );
        if ids.len() == before || !page.body.contains(&format!("side={}", side + 1)) {
            break;
        }
    }
    (ids, total.unwrap_or(0))
}

db_test!(people_search_pages_through_every_match_in_scope, |db| {
    let app = demo_app(&db, 2000).await;
    let mut admin = app.login("admin").await;
    let (all, total) = all_search_results(&mut admin, "pædagog").await;
    assert!(total > 100, "the demo has more than one page of 'pædagog': {total}");
    assert_eq!(all.len(), total, "the pages together hold every match");
    let unique: std::collections::HashSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), total, "no one twice across pages");
    let first = admin.get("/organisation/personer?q=pædagog").await;
    assert!(first.body.contains("Side 1 af") && first.body.contains("side=2"));
    assert_eq!(admin.get("/organisation/personer?q=en&side=0").await.status, StatusCode::BAD_REQUEST);
    let long = admin.get(&format!("/organisation/personer?q={}", "a".repeat(60_000))).await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "an overlong search is refused with a message");
    assert!(long.body.contains("højst være på 200 tegn"));

    // A leader finds exactly the matches in their own part, however far down the name
    // order they come.
    let mut leader = app.login("leder").await;
    let (mine, my_total) = all_search_results(&mut leader, "pædagog").await;
    assert_eq!(mine.len(), my_total);
    let mut visible = 0;
    for id in &all {
        if leader.get(&format!("/organisation/person/{id}")).await.status == StatusCode::OK {
            visible += 1;
        }
    }
    assert!(my_total > 0 && my_total < total, "{my_total} of {total}");
    assert_eq!(my_total, visible, "every match the leader may open, and no other");
});

db_test!(a_leaders_front_page_shows_their_own_part, |db| {
    let app = demo_app(&db, 1000).await;
    let figures = |body: &str| -> Vec<i64> {
        body.split("<span class=\"figure-value\">")
            .skip(1)
            .filter_map(|s| s.split('<').next()?.replace('.', "").parse().ok())
            .collect()
    };
    let all = app.login("direktion").await.get("/").await.body;
    let mine = app.login("leder").await.get("/").await.body;
    assert!(all.contains("Organisationen i tal") && mine.contains("Dit område i tal"));
    let (all, mine) = (figures(&all), figures(&mine));
    assert_eq!((all.len(), mine.len()), (3, 3));
    assert!(mine.iter().zip(&all).all(|(m, a)| m > &0 && m < a), "{mine:?} within {all:?}");
    // The leader's people are those on the pages they may open: one leader row at least.
    assert!(mine[2] >= 1);
});
