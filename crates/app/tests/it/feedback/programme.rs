//! A survey round sent to a programme's participants instead of units, and its results for
//! the programme as a whole (the platform's cohorts: feedback does not know programmes).

use std::collections::BTreeSet;

use super::*;

db_test!(a_round_goes_to_a_programmes_participants_and_is_read_for_the_programme, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let cohorts = app.state.cohorts().expect("the programmes module offers its participants");
    let mut chosen = None;
    for c in cohorts.list(&app.state.db, app.state.municipality).await.unwrap() {
        let (cohort, people) = cohorts.members(&app.state.db, app.state.municipality, c.id).await.unwrap().unwrap();
        if people.len() >= 8 {
            chosen = Some((cohort, people));
            break;
        }
    }
    let (programme, people) = chosen.expect("a demo programme with participants");
    let mut hr = app.api_client("admin").await;
    let today = app::platform::i18n::today();
    let round = json!({"instrument": "who5", "programme": programme.id, "opens": today.to_string(),
                       "closes": today.to_string(), "title": "Trivsel i forløbet"});

    // Units and a programme at once, an unknown programme, and a 360° to a programme.
    let mut bad = round.clone();
    bad["units"] = json!([org.all_units().next().unwrap().id]);
    let r = hr.send_json("POST", "/api/v1/rounds", &bad).await;
    assert!(r.status == StatusCode::BAD_REQUEST && r.body.contains("ikke begge"), "{}", r.body);
    let mut bad = round.clone();
    bad["programme"] = json!(Uuid::new_v4());
    assert_eq!(hr.send_json("POST", "/api/v1/rounds", &bad).await.status, StatusCode::BAD_REQUEST);
    let mut bad = round.clone();
    bad["instrument"] = json!("leadership360");
    assert_eq!(hr.send_json("POST", "/api/v1/rounds", &bad).await.status, StatusCode::BAD_REQUEST);

    let r = hr.send_json("POST", "/api/v1/rounds", &round).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = as_json(&r.body);
    let round_id = created["id"].as_str().unwrap().to_string();
    let tokens = created["tokens"].as_array().unwrap().clone();
    // Each participant once, counted in their own unit.
    let asked: BTreeSet<Uuid> =
        tokens.iter().map(|t| Uuid::parse_str(t["person"].as_str().unwrap()).unwrap()).collect();
    let enrolled: BTreeSet<Uuid> = people.iter().copied().filter(|p| org.person(*p).is_some()).collect();
    assert_eq!(asked, enrolled);
    assert_eq!(tokens.len(), enrolled.len());
    for t in &tokens {
        let person = org.person(Uuid::parse_str(t["person"].as_str().unwrap()).unwrap()).unwrap();
        assert_eq!(t["unit"], person.unit.to_string());
    }

    let mut public = app.client();
    let mut sum = 0;
    for (i, t) in tokens.iter().enumerate() {
        let value = (i % 6) as i64;
        let url = format!("/api/v1/participate/{}/responses", t["token"].as_str().unwrap());
        assert_eq!(public.send_json("POST", &url, &who5(value)).await.status, StatusCode::CREATED);
        sum += value * 20;
    }
    let results_url = format!("/api/v1/rounds/{round_id}/results");
    let open = as_json(&hr.get(&results_url).await.body);
    assert!(open["figures"].as_array().unwrap().iter().all(|f| f["figure"]["reason"] == "open"), "{open}");

    app::on_db!(&app.state.db, |p| {
        sqlx::query("UPDATE feedback_round SET opens = $1, closes = $1 WHERE id = $2")
            .bind(today.pred_opt().unwrap())
            .bind(Uuid::parse_str(&round_id).unwrap())
            .execute(p)
            .await
            .map(|_| ())
            .unwrap()
    });
    let results = as_json(&hr.get(&results_url).await.body);
    assert_eq!(results["programme"], programme.name.as_str());
    let score = &results["figures"][0];
    assert_eq!(score["item"], "");
    assert_eq!(score["figure"]["n"], tokens.len(), "{results}");
    let mean = sum as f64 / tokens.len() as f64;
    assert!((score["figure"]["mean"].as_f64().unwrap() - mean).abs() < 0.01, "{results}");
    assert_eq!(results["figures"].as_array().unwrap().len(), 6, "the score and the five questions");
    assert_eq!(app.api_client("leder").await.get(&results_url).await.status, StatusCode::FORBIDDEN);

    // The rounds list names the programme; the page reads the programme's results.
    let list = as_json(&hr.get("/api/v1/rounds").await.body);
    let listed = list["items"].as_array().unwrap().iter().find(|r| r["id"] == round_id.as_str()).unwrap().clone();
    assert_eq!(listed["programme"], programme.name.as_str());
    let mut pages = app.login("admin").await;
    let page = pages.get(&format!("/maaling/runder/{round_id}/resultat")).await;
    assert_eq!(page.status, StatusCode::OK);
    let shown_mean = format!("{:.1}", mean).replace('.', ",");
    assert!(page.body.contains(&programme.name) && page.body.contains(&shown_mean), "{}", page.body);
    assert!(pages.get("/maaling/runder").await.body.contains(&format!("til deltagerne i {}", programme.name)));
});
