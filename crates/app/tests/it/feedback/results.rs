//! The demo's rounds, the trend, the distributions, the funnel plot and the effect, as
//! leaders and HR read them.

use super::*;

db_test!(the_demo_has_who5_rounds_a_pulse_and_a_teams_series_with_alerts, |db| {
    let app = demo_app(&db, 300).await;
    let mut hr = app.api_client("admin").await;
    // The latest closed WHO-5 round: some units below the threshold, most of the tree shown.
    let rows = as_json(&hr.get("/api/v1/aggregates/tree?instrument=who5").await.body);
    let rows = rows.as_array().unwrap();
    let hidden = rows.iter().filter(|r| r["self"]["suppressed"] == true).count();
    let shown = rows.iter().filter(|r| r["subtree"].get("n").is_some()).count();
    assert!(hidden > 0 && shown > 0, "hidden {hidden}, shown {shown}");
    let root = rows.iter().find(|r| r["parent"].is_null()).unwrap();
    let mean = root["subtree"]["mean"].as_f64().unwrap();
    assert!((20.0..80.0).contains(&mean), "{root}");
    // The trend: both closed rounds, oldest first, the latest the same as the tree's.
    let url = format!("/api/v1/aggregates/trend?instrument=who5&unit={}", root["unit"].as_str().unwrap());
    let waves = as_json(&hr.get(&url).await.body);
    let waves = waves.as_array().unwrap();
    assert_eq!(waves.len(), 2, "{waves:?}");
    assert!(waves[0]["closes"].as_str() < waves[1]["closes"].as_str(), "{waves:?}");
    assert_eq!(waves[1]["figure"]["mean"], root["subtree"]["mean"], "{waves:?}");
    assert_eq!(app.api_client("leder").await.get(&url).await.status, StatusCode::FORBIDDEN, "outside their part");
    // The yearly survey's four waves, each with its own table.
    let url =
        format!("/api/v1/aggregates/trend?instrument=trivsel&unit={}&item=trivsel", root["unit"].as_str().unwrap());
    let waves = as_json(&hr.get(&url).await.body);
    assert_eq!(waves.as_array().unwrap().len(), 4, "{waves}");
    assert!(waves[3]["figure"]["distribution"].as_array().is_some_and(|d| !d.is_empty()), "{waves}");
    // The same in the page, for a leader: their part only, with hidden figures as "–".
    let mut leader = app.login("leder").await;
    let r = leader.get("/maaling/resultater").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Resultater: WHO-5 Trivselsindeks") && r.body.contains("(n = "), "{}", r.body);
    assert!(r.body.contains("WHO-5 efterår"), "the latest closed round is chosen: {}", r.body);
    assert!(r.body.contains("Udvikling over runder"), "{}", r.body);
    assert!(r.body.matches("<tr>").count() < rows.len(), "not the whole organisation");
    let funnel = as_json(&hr.get("/api/v1/aggregates/funnel?instrument=trivsel&item=trivsel").await.body);
    assert!(funnel["points"].as_array().is_some_and(|p| !p.is_empty()), "{funnel}");
    assert_funnel_places_by_limits(&funnel);
    // One question for the whole organisation (HR's view: the top is always shown).
    let r = app.login("admin").await.get("/maaling/resultater?redskab=trivsel&spoergsmaal=leder-tillid").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Jeg har tillid til min nærmeste leder") && r.body.contains("Fordeling"), "{}", r.body);
    assert!(r.body.contains("Helt enig: "), "the distribution in words: {}", r.body);
    assert!(r.body.contains("Tragtdiagram") && r.body.contains("99,8 %-grænserne"), "the funnel plot: {}", r.body);
    // The survey's comments for the whole organisation, in alphabetical order.
    let r = app.login("admin").await.get("/maaling/resultater?redskab=trivsel&spoergsmaal=kommentar").await;
    assert!(r.body.contains("kommentarer fra") && r.body.contains("Sygefraværet presser os."), "{}", r.body);
    let r = app.login("medarbejder").await.get("/maaling/resultater").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The demo leader's 360° evaluation has closed: the report from the module's front page,
    // every group shown only with its minimum.
    let mut leader_api = app.api_client("leder").await;
    let own = as_json(&leader_api.get("/api/v1/evaluations").await.body);
    let evaluation = &own["items"][0];
    assert_eq!(evaluation["closed"], true, "{own}");
    let hub = app.login("leder").await.get("/maaling").await.body;
    assert!(hub.contains("Dine 360°-evalueringer") && hub.contains("rapporten er klar"), "{hub}");
    let (person,): (Uuid,) = app::on_db!(&app.state.db, |p| {
        sqlx::query_as("SELECT person_id FROM account WHERE username = 'leder'").fetch_one(p).await.unwrap()
    });
    let url = format!("/api/v1/rounds/{}/evaluations/{person}", evaluation["round"].as_str().unwrap());
    let report = as_json(&leader_api.get(&url).await.body);
    for group in report["groups"].as_array().unwrap() {
        match group["n"].as_u64() {
            Some(n) => assert!(n >= group["min"].as_u64().unwrap(), "{group}"),
            None => assert_eq!(group["suppressed"], true),
        }
    }
    assert_eq!(report["groups"][0]["n"], 1, "the leader's own assessment: {report}");
    // The pulse is open: nothing shown yet.
    let r = hr.get("/api/v1/aggregates/tree?instrument=pulse").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "no closed pulse round: {}", r.body);
    assert!(r.body.contains("ingen afsluttet runde"), "{}", r.body);
    // The demo employee's families: some not on track.
    let fit = app::feedback::store::instrument_by(&app.state.db, app.state.municipality, "fit-outcome")
        .await
        .unwrap()
        .unwrap();
    assert!(fit.definition.items[0].text.starts_with("Demotekst"), "demo wording is marked");
    let series: Vec<(Uuid,)> = app::on_db!(&app.state.db, |p| {
        sqlx::query_as("SELECT id FROM feedback_series WHERE instrument_id = $1")
            .bind(fit.id)
            .fetch_all(p)
            .await
            .unwrap()
    });
    assert_eq!(series.len(), 40);
    let mut me = app.api_client("medarbejder").await;
    let mut statuses = HashMap::new();
    for (id,) in &series {
        let view = as_json(&me.get(&format!("/api/v1/series/{id}")).await.body);
        *statuses.entry(view["status"].as_str().unwrap().to_string()).or_insert(0) += 1;
    }
    assert!(statuses.get("not_on_track").copied().unwrap_or(0) >= 3, "{statuses:?}");
    assert!(statuses.get("on_track").copied().unwrap_or(0) >= 20, "{statuses:?}");

    // The team's effect: the share of its 40 series reliably improved, as the series say.
    let mut improved = 0;
    for (id,) in &series {
        let view = as_json(&me.get(&format!("/api/v1/series/{id}")).await.body);
        if view["change"] == "improved" || view["change"] == "recovered" {
            improved += 1;
        }
    }
    let rows = as_json(&hr.get("/api/v1/aggregates/effect?instrument=fit-outcome").await.body);
    let top = rows.as_array().unwrap().iter().find(|r| r["parent"].is_null()).unwrap().clone();
    assert_eq!(top["subtree"]["n"], 40, "{top}");
    assert!((top["subtree"]["mean"].as_f64().unwrap() - f64::from(improved) / 40.0).abs() < 0.01, "{top}");
    let r = hr.get("/api/v1/aggregates/effect?instrument=who5").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a survey has no effect: {}", r.body);
    let r = app.login("admin").await.get("/maaling/resultater?redskab=fit-outcome").await;
    assert!(r.status == StatusCode::OK && r.body.contains("pålidelig forbedring"), "{}", r.body);
    let share = format!("{} %", (top["subtree"]["mean"].as_f64().unwrap() * 100.0).round());
    assert!(r.body.contains(&share), "{share}: {}", r.body);
    // Narrowed to a label: the team's own, or one no series carries (nothing then).
    let r = hr.get("/api/v1/aggregates/effect?instrument=fit-outcome&label=Familiest%C3%B8tte").await;
    let same = as_json(&r.body);
    assert_eq!(same.as_array().unwrap().iter().find(|r| r["parent"].is_null()).unwrap()["subtree"], top["subtree"]);
    let r = hr.get("/api/v1/aggregates/effect?instrument=fit-outcome&label=Ingen").await;
    let none = as_json(&r.body);
    assert_eq!(none.as_array().unwrap().iter().find(|r| r["parent"].is_null()).unwrap()["subtree"]["n"], 0);
    let r = app.login("admin").await.get("/maaling/resultater?redskab=fit-outcome&etiket=Familiest%C3%B8tte").await;
    assert!(r.body.contains("<option value=\"Familiestøtte\" selected>"), "{}", r.body);
});
