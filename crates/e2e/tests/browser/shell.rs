//! The page shell: every main page with and without JavaScript, a leader kept to their
//! scope, and the phone menu.

use super::*;

#[tokio::test]
async fn journeys_pass_axe_with_and_without_javascript() {
    let e = env();
    for javascript in [true, false] {
        let c = browser(&e.webdriver, javascript).await;
        let mode = if javascript { "with JavaScript" } else { "without JavaScript" };

        c.goto(&format!("{}/log-ind", e.base)).await.expect("open");
        if javascript {
            assert_accessible(&c, &e.axe, "login").await;
        }
        // A wrong password shows the error summary.
        submit_login(&c, "admin", "forkert").await;
        let summary = find(&c, ".alert-error").await.text().await.expect("t");
        assert!(summary.contains("forkert"), "{mode}: {summary}");
        if javascript {
            assert_accessible(&c, &e.axe, "login with errors").await;
        }

        login(&c, &e.base, "admin").await;
        if javascript {
            assert_accessible(&c, &e.axe, "front page").await;
        }

        // Organisation → a department → the span-of-control report.
        c.find(Locator::LinkText("Organisation")).await.expect("nav link").click().await.expect("click");
        wait_for_url(&c, "the organisation page", |u| u.path() == "/organisation").await;
        assert_eq!(heading(&c).await, "Organisation", "{mode}");
        if javascript {
            assert_accessible(&c, &e.axe, "organisation").await;
        }
        c.find(Locator::Css("main table a[href^='/organisation/enhed/']"))
            .await
            .expect("a unit")
            .click()
            .await
            .expect("click");
        assert!(c.current_url().await.expect("url").path().starts_with("/organisation/enhed/"), "{mode}");
        if javascript {
            assert_accessible(&c, &e.axe, "unit").await;
        }
        c.find(Locator::Css("main a[href^='/organisation/person/']"))
            .await
            .expect("a person")
            .click()
            .await
            .expect("click");
        if javascript {
            assert_accessible(&c, &e.axe, "person").await;
        }

        c.find(Locator::LinkText("Ledelsesspænd")).await.expect("nav link").click().await.expect("click");
        wait_for_url(&c, "the report", |u| u.path() == "/organisation/ledelsesspaend" && u.query().is_none()).await;
        assert_eq!(heading(&c).await, "Ledelsesspænd", "{mode}");
        let rows = c.find_all(Locator::Css("main table tbody tr")).await.expect("rows").len();
        assert!(rows > 50, "{mode}: {rows} leaders in the report");
        if javascript {
            assert_accessible(&c, &e.axe, "span of control").await;
        }
        // Filter: only leaders over the limit.
        click(&c, "label[for=kun_over]").await;
        click(&c, "main form.filters button[type=submit]").await;
        wait_for_url(&c, "the filtered report", |u| u.query().is_some_and(|q| q.contains("kun_over=1"))).await;
        let over = c.find_all(Locator::Css("main table tbody tr")).await.expect("rows").len();
        assert!(over >= 1 && over < rows, "{mode}: {over} of {rows} over the limit");
        // Bad input gets an error summary.
        c.goto(&format!("{}/organisation/ledelsesspaend?graense=mange", e.base)).await.expect("bad");
        find(&c, ".alert-error").await;
        if javascript {
            assert_accessible(&c, &e.axe, "span of control with errors").await;
        }

        for (path, what) in [
            ("/admin/log", "audit log"),
            ("/konto/adgangskode", "password"),
            ("/tilgaengelighed", "accessibility statement"),
            ("/organisation/personer?q=sen", "people search"),
            ("/menu", "menu page"),
            ("/findes-ikke", "404"),
            ("/historier", "stories"),
            ("/historier?q=borgerne", "story search"),
            ("/admin/jobber", "jobs"),
            ("/admin/api-noegler", "API tokens"),
        ] {
            c.goto(&format!("{}{path}", e.base)).await.expect("open");
            if javascript {
                assert_accessible(&c, &e.axe, what).await;
            }
        }

        // A story: the form's errors, then a draft, then its page.
        c.goto(&format!("{}/historier/ny", e.base)).await.expect("story form");
        if javascript {
            assert_accessible(&c, &e.axe, "story form").await;
        }
        click(&c, "main form button[type=submit]").await;
        find(&c, ".alert-error").await;
        if javascript {
            assert_accessible(&c, &e.axe, "story form with errors").await;
        }
        fill(&c, "title", &format!("Morgenmøde på ti minutter ({mode})")).await;
        fill(&c, "body", "Vi står op.\n\n- ti minutter\n- samme tid hver dag").await;
        click(&c, "#core_task_laering").await;
        click(&c, "main form button[type=submit]").await;
        wait_for_url(&c, "the new story", |u| u.path().starts_with("/historier/") && u.query() == Some("gemt=1")).await;
        assert!(heading(&c).await.starts_with("Morgenmøde på ti minutter"), "{mode}");
        if javascript {
            assert_accessible(&c, &e.axe, "story").await;
        }
        // The housekeeping job the server scheduled at start has a page with its progress.
        c.goto(&format!("{}/admin/jobber", e.base)).await.expect("jobs");
        c.find(Locator::Css("main table a[href^='/jobber/']")).await.expect("a job").click().await.expect("open job");
        wait_for_url(&c, "a job page", |u| u.path().starts_with("/jobber/")).await;
        find(&c, "progress").await;
        if javascript {
            assert_accessible(&c, &e.axe, "job").await;
        }

        // Switch to English and back; the page follows.
        c.goto(&format!("{}/", e.base)).await.expect("home");
        click(&c, "form.language-form button").await;
        wait_for_lang(&c, "en").await;
        if javascript {
            assert_accessible(&c, &e.axe, "front page in English").await;
        }
        click(&c, "form.language-form button").await;
        wait_for_lang(&c, "da").await;

        // Log out.
        click(&c, ".portal-user button.log-off").await;
        wait_for_url(&c, "the login page after logging out", |u| u.path() == "/log-ind").await;
        c.close().await.expect("close");
    }
}

#[tokio::test]
async fn a_leader_is_refused_outside_their_scope() {
    let e = env();
    let c = browser(&e.webdriver, true).await;
    login(&c, &e.base, "leder").await;
    c.goto(&format!("{}/admin/log", e.base)).await.expect("open");
    assert_eq!(heading(&c).await, "Du har ikke adgang til siden");
    assert_accessible(&c, &e.axe, "403").await;
    c.goto(&format!("{}/organisation/ledelsesspaend", e.base)).await.expect("open");
    let rows = c.find_all(Locator::Css("main table tbody tr")).await.expect("rows").len();
    assert!((1..20).contains(&rows), "a leader sees their own part: {rows} rows");
    c.close().await.expect("close");
}

/// Waits (up to 5 s) until the page's language is `lang`; while the browser is between two
/// pages there may be no document to ask, which counts as not yet.
async fn wait_for_lang(c: &Client, lang: &str) {
    let mut seen = None;
    for _ in 0..50 {
        seen = match c.find(Locator::Css("html")).await {
            Ok(html) => html.attr("lang").await.ok().flatten(),
            Err(_) => None,
        };
        if seen.as_deref() == Some(lang) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the page did not switch to {lang} (last seen: {seen:?})");
}

/// Whether the element `css` is shown (laid out with a size). Asks the driver for the
/// element's box, so it works with page JavaScript off too.
async fn is_shown(c: &Client, css: &str) -> bool {
    match c.find(Locator::Css(css)).await {
        Ok(el) => el.rectangle().await.map(|(_, _, w, h)| w > 0.0 && h > 0.0).unwrap_or(false),
        Err(_) => false,
    }
}

/// Waits (up to 5 s) for the mobile drawer to show `css`, then for its 0.3 s slide-in to end
/// (a click during the slide lands beside the moving target).
async fn wait_for_drawer(c: &Client, css: &str) {
    for _ in 0..50 {
        if is_shown(c, css).await {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the drawer never showed {css}");
}

/// The page's width in CSS pixels: wider than the window means sideways scrolling.
async fn page_width(c: &Client) -> i64 {
    c.execute("return document.documentElement.scrollWidth", vec![]).await.expect("width").as_i64().unwrap_or(0)
}

#[tokio::test]
async fn a_phone_user_opens_the_menu_navigates_and_logs_out() {
    let e = env();
    for javascript in [true, false] {
        let mode = if javascript { "with JavaScript" } else { "without JavaScript" };
        let c = sized_browser(&e.webdriver, javascript, (390, 844)).await;
        login(&c, &e.base, "admin").await;
        assert!(!is_shown(&c, ".navigation-menu .mainmenu").await, "{mode}: the desktop menu is folded away");
        assert!(is_shown(&c, ".js-menu-open").await, "{mode}: a menu button");
        println!("phone {mode}: logged in");
        // Page widths are measured with JavaScript; the layout is the same without it.
        let paths: &[&str] = if javascript {
            &["/", "/organisation/ledelsesspaend", "/admin/log", "/organisation/personer?q=sen"]
        } else {
            &[]
        };
        for path in paths {
            c.goto(&format!("{}{path}", e.base)).await.expect("open");
            let width = page_width(&c).await;
            let window = c.execute("return window.innerWidth", vec![]).await.expect("w").as_i64().unwrap_or(0);
            assert_eq!(window, 390, "{mode}: an emulated phone");
            assert!(width <= 390, "{mode}: {path} is {width} px wide on a 390 px screen");
        }
        c.goto(&format!("{}/", e.base)).await.expect("home");
        click(&c, ".js-menu-open").await;
        let scope = if javascript {
            // DKFDS opens the drawer over the page.
            wait_for_drawer(&c, ".mobile-drawer .navigation-menu-mobile").await;
            assert_accessible(&c, &e.axe, "the open menu on a phone").await;
            ".mobile-drawer"
        } else {
            wait_for_url(&c, "the menu page", |u| u.path() == "/menu").await;
            "main"
        };
        let user = find(&c, &format!("{scope} .portal-info-mobile .username")).await.text().await.expect("name");
        assert!(!user.is_empty(), "{mode}: the user's name is in the menu");
        click(&c, &format!("{scope} .navigation-menu-mobile a[href='/organisation']")).await;
        wait_for_url(&c, "the organisation page", |u| u.path() == "/organisation").await;
        assert_eq!(heading(&c).await, "Organisation", "{mode}");
        if javascript {
            assert_accessible(&c, &e.axe, "organisation on a phone").await;
        }
        click(&c, ".js-menu-open").await;
        if javascript {
            wait_for_drawer(&c, ".mobile-drawer button.log-off").await;
        } else {
            wait_for_url(&c, "the menu page", |u| u.path() == "/menu").await;
        }
        click(&c, &format!("{scope} button.log-off")).await;
        wait_for_url(&c, "the login page after logging out", |u| u.path() == "/log-ind").await;
        println!("phone {mode}: logged out");
        c.goto(&format!("{}/organisation", e.base)).await.expect("open");
        wait_for_url(&c, "the login page", |u| u.path() == "/log-ind").await;
        c.close().await.expect("close");
    }
}
