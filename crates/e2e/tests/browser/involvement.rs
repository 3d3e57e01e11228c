//! Involvement: a process run by a facilitator and answered through a personal link.

use super::*;

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
