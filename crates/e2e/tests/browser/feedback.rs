//! Feedback and measurement: a round sent and answered, a leader's results, a 360° report
//! and a professional's series.

use super::*;

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
