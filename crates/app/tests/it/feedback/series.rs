//! The instrument library and a professional's series: change, flags, the expected band,
//! alerts from the band and from the session scale, in the API and the pages.

use super::*;

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

db_test!(a_survey_such_as_who5_follows_one_citizen_with_its_own_thresholds, |db| {
    let app = demo_app(&db, 60).await;
    let mut me = app.api_client("medarbejder").await;
    // A survey may follow one person too: WHO-5 scored as its raw sum × 4, with its own
    // thresholds (cut-off 50, reliable change 10).
    let r = me
        .send_json(
            "POST",
            "/api/v1/series",
            &json!({"instrument": "who5", "subject": {"kind": "citizen", "id": "JC-7"}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let who5 = format!("/api/v1/series/{}", as_json(&r.body)["id"].as_str().unwrap());
    let items = ["glad", "rolig", "aktiv", "udhvilet", "interesse"];
    for (session, level) in [(1, 1), (2, 3)] {
        let answers: serde_json::Map<String, serde_json::Value> =
            items.iter().map(|k| (k.to_string(), json!(level))).collect();
        let r = me.send_json("POST", &format!("{who5}/responses"), &json!({ "answers": answers })).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(as_json(&r.body)["session"], session);
        assert_eq!(as_json(&r.body)["score"], f64::from(level * 5 * 4));
    }
    let read = as_json(&me.get(&who5).await.body);
    assert_eq!(read["change"], "recovered", "20 → 60 crosses the cut-off by more than the RCI: {read}");
    assert_eq!(read["scores"].as_array().unwrap().len(), 2, "{read}");
    let model = as_json(&me.get("/api/v1/instruments/who5/model").await.body);
    assert_eq!(model["fitted"], false, "one series is too little own data: {model}");
    // In the pages: the form offers WHO-5, and its series page shows the cut-off and asks
    // the next answer in WHO-5's own words.
    let mut pages = app.login("medarbejder").await;
    assert!(pages.get("/maaling/forloeb").await.body.contains("<option value=\"who5\">"));
    let id = who5.rsplit('/').next().unwrap();
    let r = pages.get(&format!("/maaling/forloeb/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("class=\"cutoff\"") && r.body.contains("Det meste af tiden"), "{}", r.body);
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
