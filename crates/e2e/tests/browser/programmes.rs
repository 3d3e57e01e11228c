//! Programmes: a facilitator runs a programme; a leader follows it in Mit forløb.

use super::*;

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
