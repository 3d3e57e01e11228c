//! Decisions: the board decides the demo proposals and publishes them.

use super::*;

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
