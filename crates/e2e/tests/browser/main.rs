//! The main journeys in headless Chromium, with axe-core checking every page for
//! accessibility violations (WCAG 2.1 A and AA). Run by .ci/run, which starts the demo
//! server, ChromeDriver and provides axe-core:
//!
//! - `SAMSKAB_E2E_URL`: the running demo (e.g. http://127.0.0.1:8080)
//! - `SAMSKAB_E2E_WEBDRIVER`: ChromeDriver (e.g. http://127.0.0.1:9515)
//! - `SAMSKAB_E2E_AXE`: path to axe.min.js from the npm package axe-core
//!
//! All three are required: without them the suite fails rather than skipping. One file per
//! journey; the helpers below drive the browser the way a person does.

mod decisions;
mod feedback;
mod involvement;
mod oidc;
mod programmes;
mod shell;

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
