//! Feedback and measurement through the API: the instrument library, a professional's series
//! with reliable change and the expected band from the municipality's own series, and a
//! WHO-5 round answered by personal link whose aggregates hide every figure of fewer than
//! five answers and every figure that would reveal one by subtraction.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db_test;
use crate::support::{TestApp, demo_app};

fn as_json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON ({e}): {body}"))
}

fn outcome(values: [f64; 4]) -> Value {
    json!({"answers": {"omraade1": values[0], "omraade2": values[1], "omraade3": values[2], "omraade4": values[3]}})
}

db_test!(the_library_ships_instruments_keeps_versions_and_refuses_bad_definitions, |db| {
    let app = demo_app(&db, 60).await;
    let mut hr = app.api_client("admin").await;
    let r = hr.get("/api/v1/instruments").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let keys: Vec<String> =
        as_json(&r.body).as_array().unwrap().iter().map(|i| i["key"].as_str().unwrap().to_string()).collect();
    for key in ["who5", "pulse", "trivsel", "leadership360", "roles-self", "fit-outcome", "fit-session"] {
        assert!(keys.contains(&key.to_string()), "{key} in {keys:?}");
    }
    let who5 = as_json(&hr.get("/api/v1/instruments/who5").await.body);
    assert_eq!(who5["definition"]["scoring"]["multiplier"], 4.0);
    assert!(who5["licence"].as_str().unwrap().contains("fri at bruge"));

    // The municipality enters its licensed thresholds: a new version of the template.
    let mut template = as_json(&hr.get("/api/v1/instruments/fit-outcome").await.body);
    let before = template["version"].as_i64().unwrap();
    template["definition"]["cutoff"] = json!(24);
    template["definition"]["rci"] = json!(6);
    let r = hr.send_json("POST", "/api/v1/instruments", &template).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&r.body)["version"], before + 1);
    assert_eq!(as_json(&hr.get("/api/v1/instruments/fit-outcome").await.body)["definition"]["rci"], 6.0);

    let mut own = json!({"key": "trivsel-kort", "name": "Kort trivsel", "purpose": "survey",
        "definition": {"items": [{"key": "t", "text": "Jeg trives", "scale": {"kind": "line", "min": 0, "max": 10}}],
                       "scoring": {"method": "mean"}}});
    let r = hr.send_json("POST", "/api/v1/instruments", &own).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(as_json(&r.body)["version"], 1);
    for (field, value, says) in [
        ("key", json!("Trivsel Kort"), "Nøglen"),
        ("min_answers", json!(2), "mindst 3"),
        ("definition", json!({"items": [], "scoring": {"method": "sum"}}), "kan ikke bruges"),
    ] {
        let mut bad = own.clone();
        bad[field] = value;
        bad["key"] = if field == "key" { bad["key"].clone() } else { json!("andet") };
        let r = hr.send_json("POST", "/api/v1/instruments", &bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
        assert!(r.body.contains(says), "{field}: {}", r.body);
    }
    assert_eq!(hr.get("/api/v1/instruments/andet").await.status, StatusCode::NOT_FOUND, "nothing saved");
    own["key"] = json!("medarbejderens");
    let r = app.api_client("medarbejder").await.send_json("POST", "/api/v1/instruments", &own).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

db_test!(a_professional_follows_a_citizens_series_with_change_flags_and_band, |db| {
    let app = demo_app(&db, 60).await;
    let mut hr = app.api_client("admin").await;
    // The municipality's own outcome scale (the template with its licensed thresholds),
    // under a key of its own so that nothing else has data on it yet.
    let mut template = as_json(&hr.get("/api/v1/instruments/fit-outcome").await.body);
    template["key"] = json!("familie-udbytte");
    template["definition"]["cutoff"] = json!(25);
    template["definition"]["rci"] = json!(5);
    assert_eq!(hr.send_json("POST", "/api/v1/instruments", &template).await.status, StatusCode::CREATED);

    let mut me = app.api_client("medarbejder").await;
    let new =
        |reference: &str| json!({"instrument": "familie-udbytte", "subject": {"kind": "family", "id": reference}});
    let r = me.send_json("POST", "/api/v1/series", &new("010203-1234")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a CPR number is refused: {}", r.body);
    let r = me
        .send_json("POST", "/api/v1/series", &json!({"instrument": "who5", "subject": {"kind": "family", "id": "F-1"}}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a survey is not for series");
    let r = me.send_json("POST", "/api/v1/series", &new("FAM-2041")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let series = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let answers = format!("/api/v1/series/{series}/responses");

    // Bad answers: out of range, unknown item, missing item — nothing stored.
    let r = me.send_json("POST", &answers, &outcome([11.0, 5.0, 5.0, 5.0])).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("fra 0 til 10"), "{}", r.body);
    let r = me.send_json("POST", &answers, &json!({"answers": {"omraade9": 3}})).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("omraade9"), "{}", r.body);
    let r = me.send_json("POST", &answers, &json!({"answers": {"omraade1": 3}})).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("skal besvares"), "{}", r.body);
    assert!(as_json(&me.get(&format!("/api/v1/series/{series}")).await.body)["scores"].as_array().unwrap().is_empty());

    // Intake 16, then up to 30: reliably improved and out of the clinical range.
    for values in [[4.0, 4.0, 4.0, 4.0], [5.0, 5.5, 6.0, 5.5], [7.5, 7.5, 7.5, 7.5]] {
        let r = me.send_json("POST", &answers, &outcome(values)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    // A family member's view beside the citizen's, and a paper score entered afterwards.
    let mut family = outcome([6.0, 6.0, 6.0, 6.0]);
    family["rater"] = json!("family");
    assert_eq!(me.send_json("POST", &answers, &family).await.status, StatusCode::CREATED);
    let mut taken = outcome([6.0, 6.0, 6.0, 6.0]);
    taken["session"] = json!(2);
    assert_eq!(me.send_json("POST", &answers, &taken).await.status, StatusCode::CONFLICT, "session 2 is taken");
    let view = as_json(&me.get(&format!("/api/v1/series/{series}")).await.body);
    let own: Vec<f64> = view["scores"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["rater"] == "self")
        .map(|s| s["score"].as_f64().unwrap())
        .collect();
    assert_eq!(own, vec![16.0, 22.0, 30.0]);
    assert_eq!(view["change"], "recovered", "{view}");
    assert_eq!(view["status"], "no_band", "too little own data for a band: {view}");
    assert!(view["expected"].as_array().unwrap().is_empty());
    let model = as_json(&me.get("/api/v1/instruments/familie-udbytte/model").await.body);
    assert_eq!(model["fitted"], false, "{model}");
    assert_eq!(model["min_series"], 30, "{model}");
    let r = app.login("medarbejder").await.get("/maaling/model/familie-udbytte").await;
    assert!(r.body.contains("for få egne forløb"), "{}", r.body);

    // Others' series are not there for them; the leader of the unit sees it.
    assert_eq!(
        app.api_client("facilitator").await.get(&format!("/api/v1/series/{series}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.api_client("leder").await.get(&format!("/api/v1/series/{series}")).await.status, StatusCode::OK);

    // With 40 series of its own the municipality gets a band: those who start at 16 reach
    // some 26 by session 4. A family stuck at its intake is not on track.
    for n in 0..40 {
        let r = me.send_json("POST", "/api/v1/series", &new(&format!("FAM-{n}"))).await;
        let id = as_json(&r.body)["id"].as_str().unwrap().to_string();
        let start = 10.0 + f64::from(n % 10);
        for session in 1..=4u32 {
            let gain = f64::from(session).ln() * (7.0 - 0.2 * (start - 15.0)) + f64::from(n % 3) * 0.5;
            let each = ((start + if session == 1 { 0.0 } else { gain }) / 4.0).min(10.0);
            let r = me.send_json("POST", &format!("/api/v1/series/{id}/responses"), &outcome([each; 4])).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
    }
    let r = me.send_json("POST", "/api/v1/series", &new("FAM-STILLE")).await;
    let stuck = as_json(&r.body)["id"].as_str().unwrap().to_string();
    for _ in 0..4 {
        me.send_json("POST", &format!("/api/v1/series/{stuck}/responses"), &outcome([4.0; 4])).await;
    }
    app::feedback::model_cache::refit(&app.state, template_id(&app).await).await.unwrap();
    let view = as_json(&me.get(&format!("/api/v1/series/{stuck}")).await.body);
    assert_eq!(view["status"], "not_on_track", "{view}");
    let band = view["expected"].as_array().unwrap();
    let at4 = band.iter().find(|b| b["session"] == 4).expect("session 4");
    assert!(at4["low"].as_f64().unwrap() > 16.0 && at4["expected"].as_f64().unwrap() > 20.0, "{at4}");
    assert_eq!(view["change"], "no_reliable_change");
    // The model is open: its coefficients, what it was fitted on and how well it fits.
    let model = as_json(&me.get("/api/v1/instruments/familie-udbytte/model").await.body);
    assert_eq!(model["fitted"], true, "{model}");
    assert_eq!(model["series"], 42, "{model}");
    assert!(model["a"].as_f64().unwrap() > 0.0 && model["b"].as_f64().unwrap() < 0.0, "{model}");
    assert!(model["r_squared"].as_f64().unwrap() > 0.5, "{model}");
    let r = app.login("medarbejder").await.get("/maaling/model/familie-udbytte").await;
    assert!(r.status == StatusCode::OK && r.body.contains("R²") && !r.body.contains("for få egne"), "{}", r.body);
    // A new answer queues the refit job (one per instrument while it waits).
    let refits: Vec<(String,)> = app::on_db!(&app.state.db, |p| {
        sqlx::query_as("SELECT payload FROM job WHERE kind = 'feedback.refit'").fetch_all(p).await.unwrap()
    });
    assert_eq!(refits.len(), 1, "{refits:?}");
});

async fn template_id(app: &TestApp) -> Uuid {
    app::feedback::store::instrument_by(&app.state.db, app.state.municipality, "familie-udbytte")
        .await
        .unwrap()
        .expect("the template")
        .id
}

/// WHO-5 answers for a link: every item the same.
fn who5(value: i64) -> Value {
    json!({"answers": {"glad": value, "rolig": value, "aktiv": value, "udhvilet": value, "interesse": value}})
}

db_test!(a_who5_round_is_answered_by_link_and_nothing_under_five_can_be_worked_out, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let root = org.all_units().find(|u| u.parent_id.is_none()).unwrap().id;
    let mut hr = app.api_client("admin").await;
    let today = app::platform::i18n::today();
    let round = json!({"instrument": "who5", "units": [root], "opens": today.to_string(), "closes": today.to_string()});
    let mut bad = round.clone();
    bad["closes"] = json!("2020-01-01");
    assert_eq!(hr.send_json("POST", "/api/v1/rounds", &bad).await.status, StatusCode::BAD_REQUEST);
    let r = hr.send_json("POST", "/api/v1/rounds", &round).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = as_json(&r.body);
    let round_id = created["id"].as_str().unwrap().to_string();
    let links = created["tokens"].as_array().unwrap().clone();
    assert!(links.len() > 60, "everyone in the organisation: {}", links.len());

    // Answer rates vary by unit: in some units nobody answers, in others most do.
    let mut public = app.client();
    let mut truth: HashMap<Uuid, (i64, f64)> = HashMap::new();
    // How many gave each value (every item the same in this test).
    let mut counts: HashMap<i64, i64> = HashMap::new();
    for (i, link) in links.iter().enumerate() {
        let unit = Uuid::parse_str(link["unit"].as_str().unwrap()).unwrap();
        let rate = unit.as_bytes()[0] % 4; // 0: nobody … 3: all but every fourth
        if (i as u8 % 4) >= rate {
            continue;
        }
        let value = (i % 6) as i64;
        let token = link["token"].as_str().unwrap();
        if truth.is_empty() {
            // The first answers through the page, on a phone, without JavaScript.
            let page = format!("/svar/{token}");
            let r = public.get(&page).await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(
                r.body.contains("har jeg været glad og i godt humør") && r.body.contains("Hele tiden"),
                "{}",
                r.body
            );
            let r = public.post(&page, &page, &[("i-glad", "3")]).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "the rest are missing");
            assert!(r.body.contains("skal besvares") && r.body.contains("value=\"3\" checked"), "{}", r.body);
            let v = value.to_string();
            let all: Vec<(&str, &str)> = ["i-glad", "i-rolig", "i-aktiv", "i-udhvilet", "i-interesse"]
                .iter()
                .map(|k| (*k, v.as_str()))
                .collect();
            let r = public.post(&page, &page, &all).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            assert!(public.get(r.location()).await.body.contains("Tak for dit svar"));
            assert!(public.get(&page).await.body.contains("allerede svaret"));
            truth.insert(unit, (1, (value * 20) as f64));
            *counts.entry(value).or_default() += 1;
            continue;
        }
        let url = format!("/api/v1/participate/{token}/responses");
        if i == 1 {
            let r = public.send_json("POST", &url, &who5(6)).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "out of range: {}", r.body);
        }
        let r = public.send_json("POST", &url, &who5(value)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(as_json(&r.body)["score"], (value * 20) as f64);
        *counts.entry(value).or_default() += 1;
        let t = truth.entry(unit).or_default();
        t.0 += 1;
        t.1 += (value * 20) as f64;
        if i == 1 {
            assert_eq!(public.send_json("POST", &url, &who5(1)).await.status, StatusCode::CONFLICT, "once per link");
        }
    }
    assert_eq!(
        public.send_json("POST", "/api/v1/participate/ukendt/responses", &who5(1)).await.status,
        StatusCode::NOT_FOUND
    );

    // While the round is open nothing is shown, not even counts.
    let tree_url = format!("/api/v1/aggregates/tree?instrument=who5&round={round_id}");
    let rows = as_json(&hr.get(&tree_url).await.body);
    assert!(rows.as_array().unwrap().iter().all(|r| r["subtree"]["suppressed"] == true), "{rows}");

    // Close it (it ended yesterday), then read the whole tree as HR.
    let yesterday = today.pred_opt().unwrap();
    let id = Uuid::parse_str(&round_id).unwrap();
    app::on_db!(&app.state.db, |p| {
        sqlx::query("UPDATE feedback_round SET opens = $1, closes = $1 WHERE id = $2")
            .bind(yesterday)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap()
    });
    let r = hr.get(&tree_url).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = as_json(&r.body);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), org.all_units().count(), "HR sees every unit");
    let own_n = |u: Uuid| truth.get(&u).map_or(0, |t| t.0);
    let subtree_truth = |u: Uuid| -> (i64, f64) {
        let unit = org.unit(u).unwrap();
        org.all_units()
            .filter(|v| (unit.tree_left..=unit.tree_right).contains(&v.tree_left))
            .filter_map(|v| truth.get(&v.id))
            .fold((0, 0.0), |(n, s), t| (n + t.0, s + t.1))
    };
    let shown = |f: &Value| f.get("n").is_some();
    let mut hidden_secondary = 0;
    for row in rows {
        let u = Uuid::parse_str(row["unit"].as_str().unwrap()).unwrap();
        for (figure, (n, sum)) in
            [(&row["self"], (own_n(u), truth.get(&u).map_or(0.0, |t| t.1))), (&row["subtree"], subtree_truth(u))]
        {
            if shown(figure) {
                assert!(n == 0 || n >= 5, "a figure of {n} is shown: {row}");
                assert_eq!(figure["n"], n, "{row}");
                if n > 0 {
                    assert!((figure["mean"].as_f64().unwrap() - sum / n as f64).abs() < 0.01, "{row}");
                }
            } else {
                assert_eq!(figure["suppressed"], true);
                if n >= 5 {
                    hidden_secondary += 1;
                }
            }
        }
        // The subtree minus what is shown of its pieces (own people, children's subtrees)
        // never leaves 1 to 4 people.
        if shown(&row["subtree"]) {
            let mut left = 0;
            if !shown(&row["self"]) {
                left += own_n(u);
            }
            for child in rows.iter().filter(|c| c["parent"] == row["unit"]) {
                if !shown(&child["subtree"]) {
                    left += subtree_truth(Uuid::parse_str(child["unit"].as_str().unwrap()).unwrap()).0;
                }
            }
            assert!(left == 0 || left >= 5, "subtraction leaves {left} under {row}");
        }
    }
    assert!(hidden_secondary > 0, "some figures of five or more are hidden to protect others");
    assert!(rows.iter().any(|r| shown(&r["subtree"]) && r["subtree"]["n"].as_i64().unwrap() >= 5));

    // One unit's figure, and the same with only its own people.
    let r = hr.get(&format!("/api/v1/aggregates?instrument=who5&unit={root}")).await;
    assert_eq!(as_json(&r.body)["n"], subtree_truth(root).0, "{}", r.body);

    // A question's distribution: with its figure only, adding up to it, as it was answered.
    let r = hr.get(&format!("/api/v1/aggregates?instrument=who5&unit={root}&round={round_id}&item=glad")).await;
    let figure = as_json(&r.body);
    let pairs = |f: &Value| -> Vec<(i64, i64)> {
        f["distribution"].as_array().map_or(Vec::new(), |d| {
            d.iter().map(|c| (c["value"].as_i64().unwrap(), c["n"].as_i64().unwrap())).collect()
        })
    };
    let mut expected: Vec<(i64, i64)> = counts.iter().map(|(v, n)| (*v, *n)).collect();
    expected.sort();
    assert_eq!(pairs(&figure), expected, "{figure}");
    let glad = as_json(&hr.get(&format!("{tree_url}&item=glad")).await.body);
    for row in glad.as_array().unwrap() {
        for f in [&row["self"], &row["subtree"]] {
            match f["n"].as_i64() {
                Some(n) if n > 0 => assert_eq!(pairs(f).iter().map(|p| p.1).sum::<i64>(), n, "{row}"),
                _ => assert!(f.get("distribution").is_none(), "hidden with its figure: {row}"),
            }
        }
    }
    assert!(rows.iter().all(|r| r["subtree"].get("distribution").is_none()), "the score has none");

    // The funnel plot: the organisation's mean in the centre, a point for each unit whose own
    // figure is shown (and no other), placed by the limits for its size.
    let funnel = as_json(&hr.get(&format!("/api/v1/aggregates/funnel?instrument=who5&round={round_id}")).await.body);
    let top = rows.iter().find(|r| r["parent"].is_null()).unwrap();
    assert_eq!(funnel["mean"], top["subtree"]["mean"], "{funnel}");
    let points = funnel["points"].as_array().unwrap();
    let with_own = rows.iter().filter(|r| r["self"]["n"].as_i64().is_some_and(|n| n > 0)).count();
    assert_eq!(points.len(), with_own, "a point for each unit whose own figure is shown");
    for p in points {
        let row = rows.iter().find(|r| r["unit"] == p["unit"]).unwrap();
        assert_eq!((&p["n"], &p["mean"]), (&row["self"]["n"], &row["self"]["mean"]));
    }
    assert_funnel_places_by_limits(&funnel);

    // A leader sees their part only; elsewhere is forbidden; an employee sees nothing.
    let mut leader = app.api_client("leder").await;
    let theirs = as_json(&leader.get(&tree_url).await.body);
    let theirs = theirs.as_array().unwrap();
    assert!(!theirs.is_empty() && theirs.len() < rows.len(), "{} of {}", theirs.len(), rows.len());
    let r = leader.get(&format!("/api/v1/aggregates?instrument=who5&unit={root}")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.api_client("medarbejder").await.get(&tree_url).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The same figure for the leader as for HR: one table for everyone.
    for row in theirs {
        let same = rows.iter().find(|r| r["unit"] == row["unit"]).unwrap();
        assert_eq!(row["subtree"], same["subtree"]);
    }
});

/// Each point of a funnel plot is above, below or within the 99.8 % limits for its size,
/// and outside the 95 % ones when it is outside those.
fn assert_funnel_places_by_limits(funnel: &Value) {
    let (centre, sd) = (funnel["mean"].as_f64().unwrap(), funnel["sd"].as_f64().unwrap());
    for p in funnel["points"].as_array().unwrap() {
        let (n, mean) = (p["n"].as_f64().unwrap(), p["mean"].as_f64().unwrap());
        let half = |z: f64| z * sd / n.sqrt();
        let position = if mean > centre + half(3.09) {
            "above"
        } else if mean < centre - half(3.09) {
            "below"
        } else {
            "within"
        };
        assert_eq!(p["position"], position, "{p}");
        assert_eq!(p["outside_95"], (mean - centre).abs() > half(1.96), "{p}");
    }
}

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
    let r = app.login("medarbejder").await.get("/maaling/resultater").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
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

db_test!(a_professional_follows_series_in_the_pages_with_the_band_and_the_alert, |db| {
    let app = demo_app(&db, 300).await;
    let mut me = app.login("medarbejder").await;
    // The demo team's families, those not on track first and counted in the alert.
    let r = me.get("/maaling/forloeb").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Mine målinger") && r.body.contains("alert-warning"), "{}", r.body);
    let first_row = &r.body[r.body.find("<tbody>").unwrap()..];
    let first_row = &first_row[..first_row.find("</tr>").unwrap()];
    assert!(first_row.contains("Ikke på sporet"), "alerts first: {first_row}");
    // Its page: the alert, the chart with the band from the municipality's own series.
    let href = first_row.split("href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = me.get(&href).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Ikke på sporet: den seneste score"), "{}", r.body);
    assert!(r.body.contains("class=\"band\"") && r.body.contains("class=\"cutoff\""), "{}", r.body);
    // Someone else's series is not there for a colleague in another part.
    assert_eq!(app.login("facilitator").await.get(&href).await.status, StatusCode::NOT_FOUND);

    // A new series from the form: a CPR number is refused with the reason, nothing made.
    let before = me.get("/maaling/forloeb").await.body.matches("<tr>").count();
    let form = |reference: &'static str| {
        [("instrument", "fit-outcome"), ("kind", "family"), ("reference", reference), ("label", "")]
    };
    let r = me.post("/maaling/forloeb", "/maaling/forloeb", &form("010203-1234")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Forløbet kan ikke knyttes"), "{}", r.body);
    assert_eq!(me.get("/maaling/forloeb").await.body.matches("<tr>").count(), before);
    let r = me.post("/maaling/forloeb", "/maaling/forloeb", &form("FAM-9000")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = r.location().to_string();
    assert!(me.get(&page).await.body.contains("Forløb: FAM-9000"));

    // Answers entered with the family: out of range is refused and nothing kept.
    let action = format!("{page}/svar");
    let answer = |value: &'static str, rater: &'static str| {
        [("i-omraade1", value), ("i-omraade2", value), ("i-omraade3", value), ("i-omraade4", value), ("rater", rater)]
    };
    let r = me.post(&action, &page, &answer("11", "self")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("fra 0 til 10"), "{}", r.body);
    assert!(me.get(&page).await.body.contains("Ingen svar endnu"));
    let r = me.post(&action, &page, &answer("4", "self")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = me.post(&action, &page, &answer("6", "family")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = me.get(&page).await;
    let rows = &r.body[r.body.find("<tbody>").unwrap()..r.body.find("</tbody>").unwrap()];
    let own = rows.find("<td>Borgeren selv</td><td class=\"text-align-right\">16,0</td>").expect(rows);
    let family = rows.find("<td>Et familiemedlem</td><td class=\"text-align-right\">24,0</td>").expect(rows);
    assert!(own < family, "the citizen's own answer first: {rows}");
    // A session number that is not a number is the form's to refuse.
    let r = me.post(&action, &page, &[("i-omraade1", "5"), ("session", "to")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});

/// The outbox's letters of a batch: (recipient, subject, body).
async fn letters(app: &TestApp, batch: &str) -> Vec<(String, String, String)> {
    let batch = batch.to_string();
    app::on_db!(&app.state.db, |p| {
        sqlx::query_as("SELECT recipient, subject, body FROM mail_outbox WHERE batch = $1 ORDER BY recipient")
            .bind(&batch)
            .fetch_all(p)
            .await
            .unwrap()
    })
}

fn link_in(body: &str) -> String {
    let at = body.find("/svar/").unwrap_or_else(|| panic!("a link in {body}"));
    body[at..].split_whitespace().next().unwrap().to_string()
}

db_test!(an_hr_consultant_sends_a_round_from_the_page_by_email_with_a_reminder_to_those_missing, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let department = org.units_at_depth(2).max_by_key(|u| u.headcount).unwrap().clone();
    let mut hr = app.login("admin").await;
    let r = hr.get("/maaling/runder").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Send en ny runde") && r.body.contains(&department.name), "{}", r.body);
    assert_eq!(app.login("medarbejder").await.get("/maaling/runder").await.status, StatusCode::FORBIDDEN);

    // Refused with the reason and nothing sent: no unit, a last day before the first.
    let today = app::platform::i18n::today();
    let last = (today + chrono::Days::new(7)).to_string();
    let first = today.to_string();
    let unit = department.id.to_string();
    let before =
        as_json(&app.api_client("admin").await.get("/api/v1/rounds").await.body)["items"].as_array().unwrap().len();
    let r = hr
        .post("/maaling/runder", "/maaling/runder", &[("instrument", "who5"), ("opens", &first), ("closes", &last)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Vælg fra 1 til"), "{}", r.body);
    let r = hr
        .post(
            "/maaling/runder",
            "/maaling/runder",
            &[("instrument", "who5"), ("opens", &last), ("closes", &first), ("unit", &unit)],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Runden skal slutte"), "{}", r.body);
    let mut api = app.api_client("admin").await;
    assert_eq!(as_json(&api.get("/api/v1/rounds").await.body)["items"].as_array().unwrap().len(), before);

    // Sent: a letter with a personal link to everyone in the department who has an address.
    let r = hr
        .post(
            "/maaling/runder",
            "/maaling/runder",
            &[
                ("instrument", "who5"),
                ("title", "Trivsel i afdelingen"),
                ("opens", &first),
                ("closes", &last),
                ("unit", &unit),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = hr.get(r.location()).await;
    let notice = &r.body[r.body.find("alert-success").expect("the notice")..];
    let notice = &notice[..notice.find("</p>").unwrap()];
    assert!(notice.contains("Trivsel i afdelingen") && notice.contains("er sendt:"), "{notice}");
    assert!(r.body.contains("vises efter runden"), "no answer count while open: {}", r.body);
    let rounds = as_json(&api.get("/api/v1/rounds").await.body);
    let round =
        rounds["items"].as_array().unwrap().iter().find(|r| r["title"] == "Trivsel i afdelingen").unwrap().clone();
    assert_eq!(round["state"], "open");
    assert!(round["answered"].is_null(), "{round}");
    let round_id = Uuid::parse_str(round["id"].as_str().unwrap()).unwrap();
    let sent = letters(&app, &format!("round:{round_id}")).await;
    assert!(sent.len() >= 5 && sent.len() as i64 <= round["links"].as_i64().unwrap(), "{} letters", sent.len());
    assert!(sent[0].1.contains("Trivsel i afdelingen") && sent[0].2.contains("Dit personlige link"), "{:?}", sent[0]);

    // One answers through the letter's link; the reminder goes to the others with a new
    // link, and their first link stops working.
    let mut public = app.client();
    let answered_link = link_in(&sent[0].2);
    let all: Vec<(&str, &str)> =
        ["i-glad", "i-rolig", "i-aktiv", "i-udhvilet", "i-interesse"].iter().map(|k| (*k, "3")).collect();
    let r = public.post(&answered_link, &answered_link, &all).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let reminded = app::feedback::rounds::remind(&app.state, app.state.municipality, round_id, "https://samskab.test")
        .await
        .unwrap();
    assert_eq!(reminded, sent.len() - 1, "everyone with an address but the one who answered");
    let all_letters = letters(&app, &format!("round:{round_id}")).await;
    let reminders: Vec<_> = all_letters.iter().filter(|l| l.1.starts_with("Påmindelse")).collect();
    assert_eq!(reminders.len(), sent.len() - 1);
    assert!(reminders.iter().all(|l| l.0 != sent[0].0), "the one who answered gets no reminder");
    let old = link_in(&sent[1].2);
    let renewed = link_in(&reminders.iter().find(|l| l.0 == sent[1].0).unwrap().2);
    assert_ne!(old, renewed);
    assert!(!public.get(&old).await.body.contains("i-glad"), "the first link no longer opens the survey");
    let r = public.get(&renewed).await;
    assert!(r.status == StatusCode::OK && r.body.contains("i-glad"), "{}", r.body);
    assert!(public.get(&answered_link).await.body.contains("allerede svaret"));
});

db_test!(the_front_page_tells_a_professional_which_series_are_not_on_track, |db| {
    let app = demo_app(&db, 300).await;
    let r = app.login("medarbejder").await.get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    let panel = &r.body[r.body.find("Mine målinger</h2>").expect("the panel")..];
    assert!(panel.contains("ikke på sporet") && panel.contains("href=\"/maaling/forloeb/"), "{panel}");
    // The module's one menu entry leads to the pages the roles open, and no others.
    let hub = app.login("medarbejder").await.get("/maaling").await;
    assert_eq!(hub.status, StatusCode::OK);
    assert!(
        hub.body.contains("href=\"/maaling/forloeb\"") && !hub.body.contains("href=\"/maaling/runder\""),
        "{}",
        hub.body
    );
    assert!(hub.body.contains("href=\"/maaling\" class=\"nav-link\" aria-current=\"page\""), "{}", hub.body);
    let hub = app.login("admin").await.get("/maaling").await.body;
    assert!(hub.contains("href=\"/maaling/runder\"") && hub.contains("href=\"/maaling/resultater\""), "{hub}");
    // Someone who follows no series gets no panel.
    let r = app.login("direktion").await.get("/").await;
    assert!(!r.body.contains("Mine målinger</h2>"), "{}", r.body);
});

db_test!(an_employee_answers_an_open_round_signed_in_without_the_link_and_only_once, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let root = org.all_units().find(|u| u.parent_id.is_none()).unwrap().id;
    let today = app::platform::i18n::today();
    let round = json!({"instrument": "who5", "units": [root], "opens": today.to_string(),
        "closes": (today + chrono::Days::new(7)).to_string(), "title": "Trivsel nu"});
    let r = app.api_client("admin").await.send_json("POST", "/api/v1/rounds", &round).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = as_json(&r.body)["id"].as_str().unwrap().to_string();

    // The front page offers it; the page asks the questions; the answer is taken once.
    let mut me = app.login("medarbejder").await;
    let home = me.get("/").await.body;
    let door = format!("/maaling/svar/{id}");
    assert!(home.contains("Spørgeskemaer til dig") && home.contains(&door), "{home}");
    let r = me.get(&door).await;
    assert!(r.status == StatusCode::OK && r.body.contains("i-glad"), "{}", r.body);
    let r = me.post(&door, &door, &[("i-glad", "4")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "the rest are missing");
    let all: Vec<(&str, &str)> =
        ["i-glad", "i-rolig", "i-aktiv", "i-udhvilet", "i-interesse"].iter().map(|k| (*k, "4")).collect();
    let r = me.post(&door, &door, &all).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(me.get(r.location()).await.body.contains("Tak for dit svar"));
    assert!(me.get(&door).await.body.contains("allerede svaret"));
    assert!(!me.get("/").await.body.contains(&door), "no longer offered");
    // One answer kept (the response table has no column for a person).
    let (kept,): (i64,) = app::on_db!(&app.state.db, |p| {
        sqlx::query_as("SELECT COUNT(*) FROM feedback_response WHERE round_id = $1")
            .bind(Uuid::parse_str(&id).unwrap())
            .fetch_one(p)
            .await
            .unwrap()
    });
    assert_eq!(kept, 1);
    // An unknown round is not there.
    assert_eq!(me.get(&format!("/maaling/svar/{}", Uuid::nil())).await.status, StatusCode::NOT_FOUND);
});

db_test!(a_session_scale_alerts_when_its_score_is_under_the_cutoff_or_falling, |db| {
    let app = demo_app(&db, 60).await;
    let mut hr = app.api_client("admin").await;
    // The municipality's session scale: the template with its licensed cut-off.
    let mut template = as_json(&hr.get("/api/v1/instruments/fit-session").await.body);
    template["key"] = json!("familie-samtale");
    template["definition"]["cutoff"] = json!(36);
    assert_eq!(hr.send_json("POST", "/api/v1/instruments", &template).await.status, StatusCode::CREATED);
    let mut me = app.api_client("medarbejder").await;
    let new = json!({"instrument": "familie-samtale", "subject": {"kind": "family", "id": "FAM-3001"}});
    let r = me.send_json("POST", "/api/v1/series", &new).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let series = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let url = format!("/api/v1/series/{series}");
    let answer = |v: f64| json!({"answers": {"omraade1": v, "omraade2": v, "omraade3": v, "omraade4": v}});
    let mut statuses = Vec::new();
    // 38, 39: fine; 37: falling; 33: under the cut-off and falling; 37 again: fine.
    for v in [9.5, 9.75, 9.25, 8.25, 9.25] {
        let r = me.send_json("POST", &format!("{url}/responses"), &answer(v)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let view = as_json(&me.get(&url).await.body);
        assert!(view["expected"].as_array().unwrap().is_empty(), "a session scale has no band");
        statuses.push((view["status"].as_str().unwrap().to_string(), view["alerts"].clone()));
    }
    assert_eq!(statuses[0], ("on_track".to_string(), json!([])));
    assert_eq!(statuses[1], ("on_track".to_string(), json!([])));
    assert_eq!(statuses[2], ("not_on_track".to_string(), json!(["session_falling"])));
    assert_eq!(statuses[3], ("not_on_track".to_string(), json!(["session_below_cutoff", "session_falling"])));
    assert_eq!(statuses[4], ("on_track".to_string(), json!([])));
    // Under the cut-off again: the series page says why, and the front page lists it.
    assert_eq!(me.send_json("POST", &format!("{url}/responses"), &answer(8.0)).await.status, StatusCode::CREATED);
    let mut page = app.login("medarbejder").await;
    let r = page.get(&format!("/maaling/forloeb/{series}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("under cut-off"), "{}", r.body);
    let r = page.get("/").await;
    assert!(r.body.contains("FAM-3001"), "the front page's alert: {}", r.body);
});

db_test!(a_workshop_code_lets_everyone_present_answer_as_many_times_as_there_are_participants, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let root = org.all_units().find(|u| u.parent_id.is_none()).unwrap().id;
    let unit = org.all_units().find(|u| u.depth == 2).unwrap().id;
    let mut hr = app.api_client("admin").await;
    let today = app::platform::i18n::today();
    let round = json!({"instrument": "who5", "units": [root], "opens": today.to_string(),
                       "closes": (today + chrono::Days::new(7)).to_string()});
    let r = hr.send_json("POST", "/api/v1/rounds", &round).await;
    let round_id = as_json(&r.body)["id"].as_str().unwrap().to_string();
    let codes = format!("/api/v1/rounds/{round_id}/codes");

    // Bad requests change nothing: too few uses, an unknown unit or round, an employee.
    let r = hr.send_json("POST", &codes, &json!({"unit": unit, "uses": 0})).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("fra 1 til 1"), "{}", r.body);
    let r = hr.send_json("POST", &codes, &json!({"unit": Uuid::new_v4(), "uses": 3})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let unknown = format!("/api/v1/rounds/{}/codes", Uuid::new_v4());
    assert_eq!(hr.send_json("POST", &unknown, &json!({"unit": unit, "uses": 3})).await.status, StatusCode::NOT_FOUND);
    let mut employee = app.api_client("medarbejder").await;
    assert_eq!(
        employee.send_json("POST", &codes, &json!({"unit": unit, "uses": 3})).await.status,
        StatusCode::FORBIDDEN
    );

    // Three uses: typed in lower case with a dash, answered three times, then used up.
    let r = hr.send_json("POST", &codes, &json!({"unit": unit, "uses": 3})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let made = as_json(&r.body);
    let shown = made["code"].as_str().unwrap().to_string();
    assert!(shown.len() == 9 && shown.chars().nth(4) == Some('-'), "{shown}");
    let code: String = shown.chars().filter(|c| *c != '-').collect();
    assert!(made["url"].as_str().unwrap().ends_with(&format!("/svar/{code}")), "{made}");
    let mut public = app.client();
    let typed = shown.to_lowercase();
    let r = public.get(&format!("/svar/{typed}")).await;
    assert!(r.status == StatusCode::OK && r.body.contains("Hele tiden"), "{}", r.body);
    for value in [5, 4, 3] {
        let r = public.send_json("POST", &format!("/api/v1/participate/{typed}/responses"), &who5(value)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = public.send_json("POST", &format!("/api/v1/participate/{code}/responses"), &who5(1)).await;
    assert!(r.status == StatusCode::CONFLICT && r.body.contains("brugt op"), "{}", r.body);
    assert!(public.get(&format!("/svar/{code}")).await.body.contains("brugt op"));

    // Made from the page; on a shared screen the thanks leads the next person on.
    let mut page = app.login("admin").await;
    let form = "/maaling/runder/kode";
    let r = page.get(form).await;
    assert!(r.status == StatusCode::OK && r.body.contains("Antal deltagere"), "{}", r.body);
    let unit_text = unit.to_string();
    let r =
        page.post(form, form, &[("round", round_id.as_str()), ("unit", unit_text.as_str()), ("uses", "mange")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(
        r.body.contains("et helt tal fra 1 til 1.000") || r.body.contains("et helt tal fra 1 til 1000"),
        "{}",
        r.body
    );
    let r = page.post(form, form, &[("round", round_id.as_str()), ("unit", unit_text.as_str()), ("uses", "2")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let marker = "<p class=\"alert-text round-code\">";
    let at = r.body.find(marker).expect("the code is shown") + marker.len();
    let second: String = r.body[at..].chars().take(9).filter(|c| *c != '-').collect();
    let answer_page = format!("/svar/{second}");
    let all: Vec<(&str, &str)> =
        ["i-glad", "i-rolig", "i-aktiv", "i-udhvilet", "i-interesse"].iter().map(|k| (*k, "2")).collect();
    let r = public.post(&answer_page, &answer_page, &all).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let thanks = public.get(r.location()).await.body;
    assert!(thanks.contains("Tak for dit svar") && thanks.contains("Næste deltager"), "{thanks}");
    let r = public.post(&answer_page, &answer_page, &all).await;
    let thanks = public.get(r.location()).await.body;
    assert!(thanks.contains("Tak for dit svar") && !thanks.contains("Næste deltager"), "used up now: {thanks}");

    // Five answers in all, every one counted for the chosen unit and none for anyone.
    let id = Uuid::parse_str(&round_id).unwrap();
    let totals = app::feedback::store::totals(&app.state.db, id, "").await.unwrap();
    assert_eq!(totals.iter().map(|(_, t)| t.n).sum::<i64>(), 5);
    assert!(totals.iter().all(|(u, _)| *u == unit), "{totals:?}");
});
