//! Survey rounds: sent by e-mail with personal links and a reminder, answered by link,
//! signed in or with a workshop code, and aggregates where nothing under five can be
//! worked out.

use super::*;

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
    assert!(r.body.contains("Runden kan tidligst slutte den dag, den begynder"), "{}", r.body);
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
    // The front page leads a visitor to the one code page, which takes a round's code as it
    // takes a workshop's: on to the questions.
    assert!(public.get("/").await.body.contains("href=\"/kode\""), "the front page offers the code page");
    let r = public.post("/kode", "/kode", &[("code", typed.as_str())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, format!("/svar/{code}").as_str()), "{}", r.body);
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

// A round's code can be guessed only as fast as the code page allows: an address's misses at
// /svar count with its tries at /kode, and past them not even the right code is looked up.
db_test!(guessing_a_round_code_is_limited_like_the_code_page, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let unit = org.all_units().find(|u| u.depth == 2).unwrap().id;
    let mut hr = app.api_client("admin").await;
    let today = app::platform::i18n::today();
    let round = json!({"instrument": "who5", "units": [unit], "opens": today.to_string(),
                       "closes": (today + chrono::Days::new(7)).to_string()});
    let created = as_json(&hr.send_json("POST", "/api/v1/rounds", &round).await.body);
    let round_id = created["id"].as_str().unwrap().to_string();
    let link = created["tokens"][0]["token"].as_str().expect("a personal link").to_string();
    let r = hr.send_json("POST", &format!("/api/v1/rounds/{round_id}/codes"), &json!({"unit": unit, "uses": 5})).await;
    let code: String = as_json(&r.body)["code"].as_str().unwrap().chars().filter(|c| *c != '-').collect();

    let mut guesser = app.client();
    assert_eq!(guesser.get(&format!("/svar/{code}")).await.status, StatusCode::OK, "a right code costs no try");
    let limit = app::platform::participants::CODE_TRIES_PER_MINUTE;
    for n in 0..limit {
        let r = guesser.get(&format!("/svar/ZZZZ{n:04}")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "miss {n}");
    }
    assert_eq!(guesser.get("/svar/ZZZZZZZZ").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        guesser.get(&format!("/svar/{code}")).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "not even the right one"
    );
    let r = guesser.send_json("POST", &format!("/api/v1/participate/{code}/responses"), &who5(3)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "nor through the API: {}", r.body);
    let r = guesser.post("/kode", "/kode", &[("code", code.as_str())]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the code page counts the same tries");
    // A personal link is no code: it opens whatever the address guessed before.
    assert_eq!(guesser.get(&format!("/svar/{link}")).await.status, StatusCode::OK);
    let id = Uuid::parse_str(&round_id).unwrap();
    let totals = app::feedback::store::totals(&app.state.db, id, "").await.unwrap();
    assert_eq!(totals.iter().map(|(_, t)| t.n).sum::<i64>(), 0, "nothing was answered");
});

db_test!(a_threshold_saved_for_an_instrument_applies_to_the_next_aggregate, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let root = org.all_units().find(|u| u.parent_id.is_none()).unwrap().id;
    let mut hr = app.api_client("admin").await;
    let rounds = as_json(&hr.get("/api/v1/rounds").await.body);
    let closed = rounds["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["instrument"] == "who5" && r["state"] == "closed")
        .expect("a closed WHO-5 round in the demo")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("/api/v1/aggregates?instrument=who5&unit={root}&round={closed}");
    let before = as_json(&hr.get(&url).await.body);
    assert!(before["n"].as_i64().unwrap() >= 5, "the organisation's figure is shown: {before}");
    assert_eq!(as_json(&hr.get(&url).await.body), before, "read again (kept) the same");
    // A new version of WHO-5 with a threshold above the whole organisation: the next read hides it.
    let mut who5 = as_json(&hr.get("/api/v1/instruments/who5").await.body);
    who5["min_answers"] = json!(100_000);
    who5["min_text_answers"] = json!(100_000);
    let r = hr.send_json("POST", "/api/v1/instruments", &who5).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let after = as_json(&hr.get(&url).await.body);
    assert_eq!(after["suppressed"], true, "{after}");
});
