//! The main journeys in headless Chromium, with axe-core checking every page for
//! accessibility violations (WCAG 2.1 A and AA). Run by .ci/run, which starts the demo
//! server, ChromeDriver and provides axe-core:
//!
//! - `SAMSKAB_E2E_URL`: the running demo (e.g. http://127.0.0.1:8080)
//! - `SAMSKAB_E2E_WEBDRIVER`: ChromeDriver (e.g. http://127.0.0.1:9515)
//! - `SAMSKAB_E2E_AXE`: path to axe.min.js from the npm package axe-core
//!
//! All three are required: without them the suite fails rather than skipping.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

struct Env {
    base: String,
    webdriver: String,
    axe: String,
}

fn env() -> Env {
    let get =
        |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} must be set to run the browser suite (see .ci/run)"));
    let axe_path = get("SAMSKAB_E2E_AXE");
    Env {
        base: get("SAMSKAB_E2E_URL").trim_end_matches('/').to_string(),
        webdriver: get("SAMSKAB_E2E_WEBDRIVER"),
        axe: std::fs::read_to_string(&axe_path).unwrap_or_else(|e| panic!("cannot read {axe_path}: {e}")),
    }
}

async fn browser(webdriver: &str, javascript: bool) -> Client {
    sized_browser(webdriver, javascript, (1280, 900)).await
}

/// A browser whose page is `width` × `height` CSS pixels. Below Chromium's smallest window
/// (500 px) a phone is emulated, so the page really is that narrow.
async fn sized_browser(webdriver: &str, javascript: bool, (width, height): (u32, u32)) -> Client {
    let window = format!("--window-size={width},{height}");
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        &window,
        "--lang=da",
    ];
    if !javascript {
        args.push("--blink-settings=scriptEnabled=false");
    }
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "args": args, "binary": "/usr/bin/chromium", "prefs": { "intl.accept_languages": "da" } }),
    );
    if width < 500
        && let Some(options) = caps.get_mut("goog:chromeOptions").and_then(|o| o.as_object_mut())
    {
        options.insert(
            "mobileEmulation".into(),
            // Mouse events, not touch: ChromeDriver's emulated tap never returns when page
            // JavaScript is off. The layout follows the width alone.
            json!({ "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1, "touch": false } }),
        );
    }
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector).capabilities(caps).connect(webdriver).await.expect("a ChromeDriver session")
}

/// Runs axe-core on the current page and fails with the violations, if any.
async fn assert_accessible(c: &Client, axe: &str, what: &str) {
    c.execute(axe, vec![]).await.expect("inject axe-core");
    let result = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))))
                .catch(e => done([{ id: 'axe-error', help: String(e) }]));",
            vec![],
        )
        .await
        .expect("axe.run");
    let violations = result.as_array().cloned().unwrap_or_default();
    assert!(violations.is_empty(), "{what}: {} axe violations: {}", violations.len(), Value::Array(violations));
    println!("axe: {what}: no violations");
}

/// Types into a field the way a person does (no page JavaScript involved).
async fn fill(c: &Client, id: &str, value: &str) {
    let field = c.find(Locator::Id(id)).await.unwrap_or_else(|_| panic!("field #{id}"));
    field.clear().await.expect("clear");
    field.send_keys(value).await.expect("type");
}

/// Finds an element, waiting (up to 10 s) for the page that shows it to load.
async fn find(c: &Client, css: &str) -> fantoccini::elements::Element {
    for _ in 0..100 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            return el;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no element {css}");
}

/// Clicks an element, retrying while the page is still being replaced (a stale element).
async fn click(c: &Client, css: &str) {
    let mut last = String::new();
    for _ in 0..50 {
        match c.find(Locator::Css(css)).await {
            Ok(el) => match el.click().await {
                Ok(()) => return,
                Err(e) => last = e.to_string(),
            },
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("could not click {css}: {last}");
}

/// Picks a radio choice the way a person does: on its label, or on the round button itself
/// where the answer line lays it over the label.
async fn choose(c: &Client, id: &str) {
    let label = find(c, &format!("label[for='{id}']")).await;
    if label.click().await.is_err() {
        click(c, &format!("input[id='{id}']")).await;
    }
    let checked = c.find(Locator::Id(id)).await.expect("the choice").prop("checked").await.expect("checked");
    assert_eq!(checked.as_deref(), Some("true"), "{id} is chosen");
}

/// Waits (up to 10 s) until the browser's URL satisfies `ok`: a click that submits a form
/// returns before the next page has loaded.
async fn wait_for_url(c: &Client, what: &str, ok: impl Fn(&url::Url) -> bool) {
    for _ in 0..100 {
        if let Ok(u) = c.current_url().await
            && ok(&u)
            // Without page JavaScript the check cannot run; the URL is enough then.
            && c.execute("return document.readyState", vec![]).await.map(|v| v == json!("complete")).unwrap_or(true)
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the browser never reached {what}");
}

async fn submit_login(c: &Client, username: &str, password: &str) {
    fill(c, "username", username).await;
    fill(c, "password", password).await;
    click(c, "form[action='/log-ind'] button[type=submit]").await;
}

async fn login(c: &Client, base: &str, username: &str) {
    c.goto(&format!("{base}/log-ind")).await.expect("login page");
    submit_login(c, username, "demo").await;
    wait_for_url(c, "the front page after login", |u| u.path() == "/").await;
}

async fn heading(c: &Client) -> String {
    find(c, "main h1").await.text().await.expect("text")
}

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

/// Logs in through the OIDC provider's development pages: the login name is the account.
async fn oidc_login(c: &Client, base: &str, account: &str) {
    c.goto(&format!("{base}/log-ind")).await.expect("login page");
    click(c, "#oidc").await;
    wait_for_url(c, "the provider's login page", |u| u.path().starts_with("/interaction/")).await;
    c.find(Locator::Css("input[name=login]")).await.expect("login field").send_keys(account).await.expect("type");
    c.find(Locator::Css("input[name=password]")).await.expect("password field").send_keys("x").await.expect("type");
    click(c, "button[type=submit]").await;
    // The provider asks for consent once per client and account.
    for _ in 0..100 {
        if c.current_url().await.expect("url").as_str().starts_with(base) {
            break;
        }
        if c.find(Locator::Css("input[name=prompt][value=consent]")).await.is_ok() {
            click(c, "button[type=submit]").await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    wait_for_url(c, "Samskab after the provider", |u| u.path() == "/").await;
}

#[tokio::test]
async fn oidc_login_maps_the_role_claim() {
    let e = env();
    let c = browser(&e.webdriver, true).await;
    oidc_login(&c, &e.base, "hr-anna").await;
    let user = c.find(Locator::Css(".portal-user .username")).await.expect("user").text().await.expect("t");
    assert_eq!(user, "Anna Hr-Testesen");
    c.goto(&format!("{}/admin/log?action=login.oidc_first", e.base)).await.expect("audit");
    assert_eq!(heading(&c).await, "Revisionslog", "the administrator role came from the claim");
    assert!(c.source().await.expect("html").contains("<td>Første login med kommunens login</td>"));
    click(&c, ".portal-user button.log-off").await;
    wait_for_url(&c, "the login page", |u| u.path() == "/log-ind").await;
    c.close().await.expect("close");

    for (account, why) in [
        ("bo-medarbejder", "no role claim: an employee"),
        ("mallory-words", "a string claim is one value, not words"),
        ("mallory-path", "a group path is not judged by its last part"),
    ] {
        let c = browser(&e.webdriver, true).await;
        oidc_login(&c, &e.base, account).await;
        c.goto(&format!("{}/admin/log", e.base)).await.expect("audit");
        assert_eq!(heading(&c).await, "Du har ikke adgang til siden", "{account}: {why}");
        c.close().await.expect("close");
    }
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

/// Involvement: a facilitator makes a clarification process, opens collection, writes a
/// statement and makes personal links; a participant opens a link on a phone, votes and
/// writes input. Every page passes axe; both work without JavaScript.
#[tokio::test]
async fn a_process_is_run_and_answered_through_a_personal_link() {
    let e = env();
    for javascript in [true, false] {
        let mode = if javascript { "with JavaScript" } else { "without JavaScript" };
        let c = browser(&e.webdriver, javascript).await;
        login(&c, &e.base, "facilitator").await;
        c.find(Locator::LinkText("Involvering")).await.expect("nav link").click().await.expect("click");
        wait_for_url(&c, "the processes", |u| u.path() == "/processer").await;
        if javascript {
            assert_accessible(&c, &e.axe, "processes").await;
        }
        click(&c, "main a[href='/processer/ny']").await;
        wait_for_url(&c, "the new process form", |u| u.path() == "/processer/ny").await;
        click(&c, "main form button[type=submit]").await;
        find(&c, ".alert-error").await;
        if javascript {
            assert_accessible(&c, &e.axe, "new process with errors").await;
        }
        fill(&c, "title", &format!("Fremtidens velfærd ({mode})")).await;
        click(&c, "main form button[type=submit]").await;
        wait_for_url(&c, "the settings", |u| u.path().ends_with("/indstillinger")).await;
        if javascript {
            assert_accessible(&c, &e.axe, "process settings").await;
        }
        click(&c, "label[for=active_collect]").await;
        click(&c, "main form button[type=submit]").await;
        wait_for_url(&c, "the process page", |u| u.query() == Some("gemt=indstillinger")).await;
        find(&c, "[aria-current=step]").await;
        if javascript {
            assert_accessible(&c, &e.axe, "process").await;
        }
        click(&c, "main a[href$='/facilitering']").await;
        wait_for_url(&c, "the facilitation", |u| u.path().ends_with("/facilitering")).await;
        fill(&c, "text", "Vi holder for mange møder").await;
        click(&c, "main form[action$='/udsagn'] button[type=submit]").await;
        wait_for_url(&c, "the statement saved", |u| u.query() == Some("gemt=udsagn")).await;
        if javascript {
            assert_accessible(&c, &e.axe, "facilitation").await;
        }
        // The demo's process: its opinion groups (map and tables) and its themes across the
        // organisation.
        if javascript {
            let facilitation = c.current_url().await.expect("url").to_string();
            c.goto(&format!("{}/processer", e.base)).await.expect("processes");
            c.find(Locator::LinkText("Fremtidens velfærd"))
                .await
                .expect("the demo process")
                .click()
                .await
                .expect("click");
            click(&c, "main a[href$='/meninger']").await;
            wait_for_url(&c, "the opinion groups", |u| u.path().ends_with("/meninger")).await;
            find(&c, "main svg.opinion-map-svg").await;
            assert_accessible(&c, &e.axe, "opinion groups").await;
            click(&c, "main nav a[href$='/temaer']").await;
            wait_for_url(&c, "the themes", |u| u.path().ends_with("/temaer")).await;
            find(&c, "#paa-tvaers").await;
            assert_accessible(&c, &e.axe, "themes across the organisation").await;
            c.goto(&facilitation).await.expect("back to the facilitation");
        }
        fill(&c, "count", "2").await;
        click(&c, "main form[action$='/links'] button[type=submit]").await;
        let link = find(&c, "main .process-links code").await.text().await.expect("link");
        if javascript {
            assert_accessible(&c, &e.axe, "personal links").await;
        }
        c.close().await.expect("close");

        // Someone with the link, on a phone, without an account.
        let phone = sized_browser(&e.webdriver, javascript, (390, 844)).await;
        let path = link
            .split_once("://")
            .map_or(link.as_str(), |(_, rest)| rest)
            .split_once('/')
            .map(|(_, p)| format!("/{p}"))
            .expect("a path");
        phone.goto(&format!("{}{path}", e.base)).await.expect("open the link");
        assert!(heading(&phone).await.starts_with("Fremtidens velfærd"), "{mode}");
        if javascript {
            assert_accessible(&phone, &e.axe, "personal link on a phone").await;
        }
        click(&phone, "main form[action$='/stem'] button[value='1']").await;
        wait_for_url(&phone, "the vote saved", |u| u.query() == Some("gemt=stemme")).await;
        fill(&phone, "text", "Kortere møder med en fast dagsorden").await;
        click(&phone, "main form[action$='/input'] button[type=submit]").await;
        wait_for_url(&phone, "the input saved", |u| u.query() == Some("gemt=input")).await;
        let own = find(&phone, "main .process-inputs").await.text().await.expect("own inputs");
        assert!(own.contains("Kortere møder"), "{mode}: {own}");
        if javascript {
            assert_accessible(&phone, &e.axe, "personal link after answering").await;
        }
        phone.close().await.expect("close");
    }
}

/// The executive board decides every open proposal of the demo process in the browser —
/// one by one with "save and next", the last in bulk — opens the decision document and
/// publishes; the rule register and "Mine input" pass axe too.
#[tokio::test]
async fn the_board_decides_the_demo_proposals_and_publishes_them() {
    let e = env();
    for javascript in [true, false] {
        let mode = if javascript { "with JavaScript" } else { "without JavaScript" };
        let c = browser(&e.webdriver, javascript).await;
        login(&c, &e.base, "direktion").await;
        c.goto(&format!("{}/processer", e.base)).await.expect("processes");
        c.find(Locator::LinkText("Fremtidens velfærd")).await.expect("the demo process").click().await.expect("click");
        wait_for_url(&c, "the demo process", |u| u.path().starts_with("/processer/")).await;
        click(&c, "main a[href$='/forslag']").await;
        wait_for_url(&c, "the proposals", |u| u.path().ends_with("/forslag")).await;
        let list = c.current_url().await.expect("url").to_string();
        let progress = find(&c, "main .proposal-progress label").await.text().await.expect("progress");
        assert!(progress.contains("af 12 forslag er besluttet"), "{mode}: {progress}");
        if javascript {
            assert_accessible(&c, &e.axe, "proposals").await;
        }
        // The undecided ones, the first opened and decided with "save and next" until one is left.
        c.goto(&format!("{list}?status=undecided")).await.expect("undecided");
        let open: Vec<_> = c.find_all(Locator::Css("main #proposal-table tbody a")).await.expect("rows");
        if javascript {
            assert!(open.len() >= 2, "undecided proposals in the demo: {}", open.len());
            open[0].click().await.expect("click");
            wait_for_url(&c, "a proposal", |u| u.path().starts_with("/forslag/")).await;
            if javascript {
                assert_accessible(&c, &e.axe, "proposal with the decide form").await;
            }
            for _ in 0..open.len() - 1 {
                click(&c, "label[for=state-accepted]").await;
                fill(&c, "reason", "Direktionen bakker op om forslaget.").await;
                let before = c.current_url().await.expect("url");
                click(&c, "main form.decide-form button[name=next]").await;
                wait_for_url(&c, "the next proposal", |u| *u != before && u.query() == Some("gemt=beslutning")).await;
            }
            // A decision without a reason is refused with its message.
            click(&c, "label[for=state-rejected]").await;
            fill(&c, "reason", "").await;
            click(&c, "main form.decide-form button[name=next]").await;
            find(&c, ".alert-error").await;
            assert_accessible(&c, &e.axe, "decide form with errors").await;
            // The last one in bulk.
            c.goto(&format!("{list}?status=undecided")).await.expect("undecided");
            click(&c, "main #proposal-table tbody input[name=proposal]").await;
            c.find(Locator::Css("main #state"))
                .await
                .expect("state")
                .select_by_value("partly_accepted")
                .await
                .expect("select");
            fill(&c, "reason", "Delvist: først i hjemmeplejen.").await;
            click(&c, "main #bulk button[type=submit]").await;
            wait_for_url(&c, "the bulk decision", |u| u.query() == Some("gemt=samlet")).await;
            let progress = find(&c, "main .proposal-progress label").await.text().await.expect("progress");
            assert!(progress.contains("12 af 12 forslag er besluttet"), "{mode}: {progress}");
            assert_accessible(&c, &e.axe, "proposals all decided").await;
        } else {
            assert!(open.is_empty(), "{mode}: all decided with JavaScript first");
        }
        click(&c, "main form[action$='/offentliggoer'] button[type=submit]").await;
        wait_for_url(&c, "published", |u| u.query() == Some("gemt=offentliggjort")).await;
        click(&c, "main a[href$='/beslutningsdokument']").await;
        wait_for_url(&c, "the decision document", |u| u.path().ends_with("/beslutningsdokument")).await;
        find(&c, "main a[href$='/beslutningsdokument.pdf']").await;
        if javascript {
            assert_accessible(&c, &e.axe, "decision document").await;
        }
        click(&c, "main a[href$='/forslag']").await;
        click(&c, "main a[href$='/beslutninger']").await;
        wait_for_url(&c, "the decision log", |u| u.path().ends_with("/beslutninger")).await;
        if javascript {
            assert_accessible(&c, &e.axe, "decision log").await;
        }
        for (path, what) in
            [("/regler", "rule register"), ("/regler/gennemgange", "rule reviews"), ("/mine-input", "my inputs")]
        {
            c.goto(&format!("{}{path}", e.base)).await.expect(what);
            find(&c, "main h1").await;
            if javascript {
                assert_accessible(&c, &e.axe, what).await;
            }
        }
        c.goto(&format!("{}/regler", e.base)).await.expect("rules");
        click(&c, "main table a[href^='/regler/']").await;
        wait_for_url(&c, "a rule", |u| u.path().starts_with("/regler/")).await;
        if javascript {
            assert_accessible(&c, &e.axe, "a rule").await;
        }
        c.close().await.expect("close");
    }
}

#[tokio::test]
async fn a_facilitator_runs_a_programme_and_a_leader_follows_it_in_mit_forloeb() {
    let e = env();
    for javascript in [true, false] {
        let mode = if javascript { "with JavaScript" } else { "without JavaScript" };
        let c = browser(&e.webdriver, javascript).await;
        login(&c, &e.base, "facilitator").await;
        c.goto(&format!("{}/programmer", e.base)).await.expect("programmes");
        if javascript {
            assert_accessible(&c, &e.axe, "programmes").await;
        }
        // A programme from the Hedensted template.
        click(&c, "main a[href='/programmer/ny']").await;
        wait_for_url(&c, "the new programme form", |u| u.path() == "/programmer/ny").await;
        if javascript {
            assert_accessible(&c, &e.axe, "new programme form").await;
        }
        let title = format!("Ledelse tæt på kerneopgaven ({mode})");
        fill(&c, "title", &title).await;
        click(&c, "label[for=template-hedensted]").await;
        click(&c, "main form[action='/programmer/ny'] button[type=submit]").await;
        wait_for_url(&c, "the programme", |u| u.query() == Some("gemt=oprettet")).await;
        assert_eq!(heading(&c).await, title, "{mode}");
        if javascript {
            assert_accessible(&c, &e.axe, "programme").await;
        }
        let programme = c.current_url().await.expect("url").path().to_string();

        // The leaders of the whole municipality, selected for the programme's phase.
        click(&c, "main a[href$='/udvaelg']").await;
        wait_for_url(&c, "the selection form", |u| u.path().ends_with("/udvaelg")).await;
        click(&c, "label[for=role-leader]").await;
        click(&c, "main form[action$='/udvaelg'] button[type=submit]").await;
        let notice = find(&c, "main .alert-success").await.text().await.expect("notice");
        assert!(notice.contains("tilmeldt"), "{mode}: {notice}");
        if javascript {
            assert_accessible(&c, &e.axe, "selection done").await;
        }

        // Cohorts, then learning groups inside them: previewed, then adopted.
        c.goto(&format!("{}{programme}/grupper", e.base)).await.expect("groups");
        if javascript {
            assert_accessible(&c, &e.axe, "groups page").await;
        }
        for (kind, label) in [("cohort", "Hold"), ("learning", "Læringsgruppe")] {
            click(&c, &format!("label[for=kind-{kind}]")).await;
            click(&c, "main form[action$='/grupper/forslag'] button[type=submit]").await;
            wait_for_url(&c, "the proposal", |u| u.path().ends_with("/grupper/forslag")).await;
            let summary = find(&c, "main .font-lead").await.text().await.expect("summary");
            assert!(summary.contains("personer i"), "{mode}: {summary}");
            if javascript {
                assert_accessible(&c, &e.axe, "group proposal").await;
            }
            click(&c, "main button[value=adopt]").await;
            wait_for_url(&c, "the adopted groups", |u| u.query() == Some("gemt=1")).await;
            let page = find(&c, "main").await.text().await.expect("text");
            assert!(page.contains(&format!("{label} 1")), "{mode}: {page}");
        }
        if javascript {
            assert_accessible(&c, &e.axe, "adopted groups").await;
        }
        c.goto(&format!("{}{programme}", e.base)).await.expect("programme");
        click(&c, "main table a[href^='/aktiviteter/']").await;
        wait_for_url(&c, "an activity", |u| u.path().starts_with("/aktiviteter/")).await;
        if javascript {
            assert_accessible(&c, &e.axe, "activity").await;
        }
        // The facilitator's other pages of the programme: attendance, progress, overview,
        // projects and the role model.
        let activity = c.current_url().await.expect("url").path().to_string();
        for (path, what) in [
            (format!("{activity}/fremmoede"), "attendance list"),
            (format!("{programme}/fremmoede"), "progress"),
            (format!("{programme}/overblik"), "overview"),
            (format!("{programme}/projekter"), "projects"),
            ("/programmer/roller".to_string(), "role model"),
        ] {
            c.goto(&format!("{}{path}", e.base)).await.expect(what);
            find(&c, "main h1").await;
            if javascript {
                assert_accessible(&c, &e.axe, what).await;
            }
        }
        c.close().await.expect("close");

        // A leader sees their groups and activities, and makes a calendar address.
        let c = browser(&e.webdriver, javascript).await;
        login(&c, &e.base, "leder").await;
        // The programme's page offers the leader their own people to nominate.
        c.goto(&format!("{}{programme}", e.base)).await.expect("programme");
        find(&c, "main form[action$='/nominer'] select#person").await;
        if javascript {
            assert_accessible(&c, &e.axe, "programme page for a leader").await;
        }
        c.goto(&format!("{}/mit-forloeb", e.base)).await.expect("my programme");
        let page = find(&c, "main").await.text().await.expect("text");
        assert!(page.contains("Mine grupper") && page.contains("Læringsgruppe"), "{mode}: {page}");
        if javascript {
            assert_accessible(&c, &e.axe, "my programme").await;
        }
        click(&c, "main form[action='/mit-forloeb/kalender'] button[type=submit]").await;
        let feed = find(&c, "main code.feed-url").await.text().await.expect("feed");
        assert!(feed.contains("/mit-forloeb/kalender/") && feed.ends_with(".ics"), "{mode}: {feed}");
        if javascript {
            assert_accessible(&c, &e.axe, "my programme with a feed address").await;
        }
        // The learning group's page with its notes, a note written; the own project (the
        // demo's) with its trial actions; the self-rating form.
        click(&c, "main a[href^='/grupper/']").await;
        wait_for_url(&c, "the learning group", |u| u.path().starts_with("/grupper/")).await;
        fill(&c, "text", &format!("Vi mødes før næste workshop ({mode}).")).await;
        click(&c, "main form[action$='/noter'] button[type=submit]").await;
        wait_for_url(&c, "the note saved", |u| u.query() == Some("gemt=1")).await;
        let page = find(&c, "main").await.text().await.expect("text");
        assert!(page.contains("Vi mødes før næste workshop"), "{mode}: {page}");
        if javascript {
            assert_accessible(&c, &e.axe, "learning group").await;
        }
        c.goto(&format!("{}/mit-forloeb", e.base)).await.expect("my programme");
        click(&c, "main a[href^='/projekter/']").await;
        wait_for_url(&c, "my project", |u| u.path().starts_with("/projekter/")).await;
        find(&c, "main form[action$='/afproevninger']").await;
        if javascript {
            assert_accessible(&c, &e.axe, "project").await;
        }
        let programme_link = find(&c, "main a[href$='/projekter']").await.attr("href").await.expect("href");
        let rating = programme_link.expect("a link").replace("/projekter", "/selvvurdering");
        c.goto(&format!("{}{rating}", e.base)).await.expect("self-rating");
        find(&c, "main input[name^='r-']").await;
        if javascript {
            assert_accessible(&c, &e.axe, "self-rating").await;
        }
        c.close().await.expect("close");
    }
}

/// Feedback and measurement: the HR consultant sends a WHO-5 round to a unit from the page
/// (refused first without a unit), a leader reads the results of their part, and a
/// professional follows a family's series with its band and alert, enters the next answer
/// with the family and opens the model behind the band.
#[tokio::test]
async fn a_round_is_sent_a_leader_reads_results_and_a_professional_follows_a_series() {
    let e = env();
    for javascript in [true, false] {
        let mode = if javascript { "with JavaScript" } else { "without JavaScript" };
        let c = browser(&e.webdriver, javascript).await;
        login(&c, &e.base, "admin").await;
        // The one menu entry, "Måling", leads to the rounds.
        c.find(Locator::LinkText("Måling")).await.expect("nav link").click().await.expect("click");
        wait_for_url(&c, "the measurement hub", |u| u.path() == "/maaling").await;
        if javascript {
            assert_accessible(&c, &e.axe, "measurement hub").await;
        }
        click(&c, "main a[href='/maaling/runder']").await;
        wait_for_url(&c, "the rounds", |u| u.path() == "/maaling/runder").await;
        if javascript {
            assert_accessible(&c, &e.axe, "survey rounds").await;
        }
        fill(&c, "title", &format!("Trivsel i december ({mode})")).await;
        click(&c, "main form[action='/maaling/runder'] button[type=submit]").await;
        find(&c, ".alert-error").await;
        if javascript {
            assert_accessible(&c, &e.axe, "round form with errors").await;
        }
        // The whole municipality: the first unit is the top.
        click(&c, "main .round-units li:nth-child(1) label").await;
        click(&c, "main form[action='/maaling/runder'] button[type=submit]").await;
        wait_for_url(&c, "the round sent", |u| u.query().is_some_and(|q| q.starts_with("sendt="))).await;
        let notice = find(&c, "main .alert-success").await.text().await.expect("notice");
        assert!(notice.contains("er sendt") && notice.contains("e-mail"), "{mode}: {notice}");
        if javascript {
            assert_accessible(&c, &e.axe, "round sent").await;
        }
        // A workshop code for the round just sent: two participants at one screen.
        click(&c, "main a[href='/maaling/runder/kode']").await;
        wait_for_url(&c, "the code form", |u| u.path() == "/maaling/runder/kode").await;
        fill(&c, "uses", "2").await;
        click(&c, "main form[action='/maaling/runder/kode'] button[type=submit]").await;
        let code = find(&c, "main .round-code").await.text().await.expect("the code");
        if javascript {
            assert_accessible(&c, &e.axe, "a workshop code made").await;
        }
        // A closed round's results for everyone it went to, and the demo's 360° evaluation:
        // the leaders it evaluated and one leader's report.
        c.goto(&format!("{}/maaling/runder", e.base)).await.expect("rounds");
        click(&c, "main a[href$='/resultat']").await;
        wait_for_url(&c, "a round's results", |u| u.path().ends_with("/resultat")).await;
        if javascript {
            assert_accessible(&c, &e.axe, "a round's results").await;
        }
        c.goto(&format!("{}/maaling/runder", e.base)).await.expect("rounds");
        click(&c, "main a[href$='/evalueringer']").await;
        wait_for_url(&c, "the evaluated leaders", |u| u.path().ends_with("/evalueringer")).await;
        if javascript {
            assert_accessible(&c, &e.axe, "a 360° round's leaders").await;
        }
        click(&c, "main tbody a").await;
        wait_for_url(&c, "a 360° report", |u| u.path().starts_with("/maaling/evalueringer/")).await;
        let report = find(&c, "main table").await.text().await.expect("report");
        assert!(report.contains("Lederen selv") && report.contains("Samlet gennemsnit"), "{mode}: {report}");
        if javascript {
            assert_accessible(&c, &e.axe, "a 360° report").await;
        }
        // The yearly survey's comments for the whole organisation.
        c.goto(&format!("{}/maaling/resultater?redskab=trivsel&spoergsmaal=kommentar", e.base))
            .await
            .expect("comments");
        find(&c, "main ul.comments li").await;
        if javascript {
            assert_accessible(&c, &e.axe, "a survey's comments").await;
        }
        // One question of the yearly survey for the whole organisation: its distribution per
        // unit and the funnel plot.
        c.goto(&format!("{}/maaling/resultater", e.base)).await.expect("results");
        for (id, value) in [("redskab", "trivsel"), ("spoergsmaal", "leder-tillid")] {
            c.find(Locator::Css(&format!("main #{id}")))
                .await
                .expect("choice")
                .select_by_value(value)
                .await
                .expect("select");
            if id == "redskab" {
                click(&c, "main form.results-choice button[type=submit]").await;
                wait_for_url(&c, "the yearly survey", |u| u.query().is_some_and(|q| q.contains("redskab=trivsel")))
                    .await;
            }
        }
        click(&c, "main form.results-choice button[type=submit]").await;
        wait_for_url(&c, "one question", |u| u.query().is_some_and(|q| q.contains("spoergsmaal=leder-tillid"))).await;
        let heading = find(&c, "main h2").await.text().await.expect("question");
        assert!(heading.contains("tillid til min nærmeste leder"), "{mode}: {heading}");
        let table = find(&c, "main table").await.text().await.expect("distribution");
        assert!(table.contains("Fordeling"), "{mode}: {table}");
        let funnel = find(&c, "main .funnel-chart figcaption").await.text().await.expect("funnel plot");
        assert!(funnel.contains("99,8 %-grænserne"), "{mode}: {funnel}");
        if javascript {
            assert_accessible(&c, &e.axe, "a question's distribution and funnel plot").await;
        }
        c.close().await.expect("close");
        let c = browser(&e.webdriver, javascript).await;
        c.goto(&format!("{}/svar/{}", e.base, code.trim().to_lowercase())).await.expect("answer with the code");
        // The round just sent is the newest open one, the form's first: the monthly pulse.
        for key in ["maaned", "forventninger", "hjaelp", "mening", "tid"] {
            choose(&c, &format!("i-{key}-3")).await;
        }
        click(&c, "main form#answers button[type=submit]").await;
        let next = find(&c, "main a.button-primary").await.text().await.expect("next participant");
        assert!(next.contains("Næste deltager"), "{mode}: {next}");
        if javascript {
            assert_accessible(&c, &e.axe, "thanks with a way on for the next participant").await;
        }
        c.close().await.expect("close");

        // The leader: the latest closed round in their own part, hidden figures as "–".
        let c = browser(&e.webdriver, javascript).await;
        login(&c, &e.base, "leder").await;
        c.goto(&format!("{}/maaling/resultater", e.base)).await.expect("results");
        let table = find(&c, "main table").await.text().await.expect("results table");
        assert!(table.contains("n ="), "{mode}: {table}");
        if javascript {
            assert_accessible(&c, &e.axe, "results of the leader's part").await;
        }
        // Their own 360° report, from the module's front page.
        c.goto(&format!("{}/maaling", e.base)).await.expect("hub");
        click(&c, "main a[href^='/maaling/evalueringer/']").await;
        wait_for_url(&c, "my 360° report", |u| u.path().starts_with("/maaling/evalueringer/")).await;
        let title = crate::heading(&c).await;
        assert!(title.contains("360°-evaluering af"), "{mode}: {title}");
        if javascript {
            assert_accessible(&c, &e.axe, "the leader's own 360° report").await;
        }
        c.close().await.expect("close");

        // The professional: the front page's alert, a family not on track, the next answer.
        let c = browser(&e.webdriver, javascript).await;
        login(&c, &e.base, "medarbejder").await;
        let alert = find(&c, "main .alert-warning").await.text().await.expect("front page alert");
        assert!(alert.contains("ikke på sporet"), "{mode}: {alert}");
        c.goto(&format!("{}/maaling/forloeb", e.base)).await.expect("series");
        if javascript {
            assert_accessible(&c, &e.axe, "my series").await;
        }
        click(&c, "main tbody tr:first-child a").await;
        wait_for_url(&c, "a series", |u| u.path().starts_with("/maaling/forloeb/")).await;
        find(&c, "main svg.chart polygon.band").await;
        let warning = find(&c, "main .alert-warning").await.text().await.expect("alert");
        assert!(warning.contains("Ikke på sporet"), "{mode}: {warning}");
        if javascript {
            assert_accessible(&c, &e.axe, "a series with its band and alert").await;
        }
        let rows = || async { c.find_all(Locator::Css("main table tbody tr")).await.map(|r| r.len()).unwrap_or(0) };
        let before = rows().await;
        for item in 1..=4 {
            choose(&c, &format!("i-omraade{item}-6")).await;
        }
        click(&c, "main form#answers button[type=submit]").await;
        let mut after = before;
        for _ in 0..100 {
            after = rows().await;
            if after > before {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(after, before + 1, "{mode}: the answer is in the table");
        if javascript {
            assert_accessible(&c, &e.axe, "a series after an answer").await;
        }
        click(&c, "main a[href^='/maaling/model/']").await;
        wait_for_url(&c, "the model", |u| u.path().starts_with("/maaling/model/")).await;
        let model = find(&c, "main table").await.text().await.expect("model");
        assert!(model.contains("R²"), "{mode}: {model}");
        if javascript {
            assert_accessible(&c, &e.axe, "the expected-response model").await;
        }

        // The round sent above reaches them too: answered signed in, from the front page.
        c.goto(&format!("{}/", e.base)).await.expect("front page");
        click(&c, "main a[href^='/maaling/svar/']").await;
        wait_for_url(&c, "a survey", |u| u.path().starts_with("/maaling/svar/")).await;
        if javascript {
            assert_accessible(&c, &e.axe, "a survey signed in").await;
        }
        let scales = c.find_all(Locator::Css("main fieldset.answer-scale")).await.expect("scales");
        assert!(!scales.is_empty(), "{mode}: questions");
        for scale in scales {
            let input = scale.find(Locator::Css("li:nth-child(3) input")).await.expect("a choice");
            let id = input.attr("id").await.expect("id").expect("an id");
            choose(&c, &id).await;
        }
        click(&c, "main form#answers button[type=submit]").await;
        wait_for_url(&c, "the thanks", |u| u.query() == Some("tak=1")).await;
        let thanks = find(&c, "main .alert").await.text().await.expect("thanks");
        assert!(thanks.contains("Tak for dit svar"), "{mode}: {thanks}");
        if javascript {
            assert_accessible(&c, &e.axe, "a survey answered").await;
        }
        c.close().await.expect("close");
    }
}
