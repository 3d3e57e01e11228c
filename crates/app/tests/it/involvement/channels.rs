//! Taking part without an account: personal links, the public link, workshop codes.

use super::*;

db_test!(personal_links_take_part_without_identity, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(&mut hr, json!({"title": "Trivsel", "template": "proposals"}), Some("collect")).await;
    hr.send_json("POST", &format!("/api/v1/processes/{id}/statements"), &json!({"text": "Jeg trives på arbejdet"}))
        .await;

    let mut employee = app.api_client("medarbejder").await;
    let r = employee.send_json("POST", &format!("/api/v1/processes/{id}/links"), &json!({"count": 2})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only facilitators make links");
    for bad in [json!({"count": 0}), json!({"count": 5001}), json!({"count": "tre"})] {
        let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/links"), &bad).await;
        assert!(r.status.is_client_error() && r.status != StatusCode::FORBIDDEN, "{bad}: {}", r.status);
    }
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/links"), &json!({"count": 3})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let tokens: Vec<String> = as_json(&r)["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t.as_str().expect("token").to_string())
        .collect();
    assert_eq!(tokens.len(), 3);

    let mut anyone = app.client();
    let r = anyone.get(&format!("/api/v1/participate/{}", tokens[0])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(as_json(&r)["next"]["statement"]["text"], "Jeg trives på arbejdet");
    let r = anyone
        .send_json(
            "POST",
            &format!("/api/v1/participate/{}/inputs", tokens[0]),
            &json!({"text": "Mere fleksibel arbejdstid"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = anyone
        .send_json("POST", &format!("/api/v1/participate/{}/votes", tokens[0]), &json!({"statement": 0, "vote": 1}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = anyone.get(&format!("/api/v1/participate/{}", tokens[0])).await;
    assert_eq!(as_json(&r)["next"]["statement"], Value::Null, "voted on everything");
    for unknown in ["ukendt", "x".repeat(101).as_str()] {
        let r =
            anyone.send_json("POST", &format!("/api/v1/participate/{unknown}/inputs"), &json!({"text": "Hej"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }

    // Stored without identity: no account, no unit, no role.
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    let item = &inputs["items"][0];
    assert_eq!(item["channel"], "link");
    assert_eq!((item["unit_id"].clone(), item["role"].clone()), (Value::Null, Value::Null), "{item}");

    // The page a link opens works without an account, forms included.
    let r = anyone.get(&format!("/deltag/{}", tokens[1])).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Jeg trives på arbejdet") && r.body.contains("personligt link"));
    assert_eq!(r.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let r =
        anyone.post(&format!("/deltag/{}/input", tokens[1]), &format!("/deltag/{}", tokens[1]), &[("text", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "an empty input is shown again with its error");
    assert!(r.body.contains("Skriv dit input"));
    let r = anyone
        .post(
            &format!("/deltag/{}/input", tokens[1]),
            &format!("/deltag/{}", tokens[1]),
            &[("text", "Flere fælles pauser")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = anyone
        .post(
            &format!("/deltag/{}/stem", tokens[1]),
            &format!("/deltag/{}", tokens[1]),
            &[("statement", "0"), ("vote", "-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(counts(&app, &id).await, (2, 2, 2));

    // A step closed to anonymous answers refuses links, and nothing is stored.
    let r = hr
        .send_json(
            "PATCH",
            &format!("/api/v1/processes/{id}"),
            &json!({"steps": [{"key": "collect", "allow_anonymous": false}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r =
        anyone.send_json("POST", &format!("/api/v1/participate/{}/inputs", tokens[2]), &json!({"text": "Hej"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(counts(&app, &id).await, (2, 2, 2));
});

db_test!(citizens_take_part_on_the_public_link_and_a_room_with_a_workshop_code, |db| {
    let app = demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = process(
        &mut hr,
        json!({"title": "Borgerdialog om biblioteket", "template": "proposals", "public": true}),
        Some("collect"),
    )
    .await;
    hr.send_json(
        "POST",
        &format!("/api/v1/processes/{id}/statements"),
        &json!({"text": "Biblioteket skal have længere åbningstid"}),
    )
    .await;
    let internal = process(&mut hr, json!({"title": "Kun internt", "template": "proposals"}), Some("collect")).await;

    let mut citizen = app.client();
    assert_eq!(citizen.get(&format!("/p/{internal}")).await.status, StatusCode::NOT_FOUND, "not public");
    let page = citizen.get(&format!("/p/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Biblioteket skal have længere åbningstid") && page.body.contains("name=\"website\""));
    let form = format!("/p/{id}");
    let r = citizen
        .post(
            &format!("/p/{id}/input"),
            &form,
            &[("text", "Flere arrangementer for børn"), ("email", "ikke en adresse")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("gyldig e-mailadresse"));
    let r = citizen
        .post(&format!("/p/{id}/input"), &form, &[("text", "Køb ure"), ("website", "http://spam.example")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "a robot is told all went well");
    assert_eq!(counts(&app, &id).await, (0, 0, 0), "and nothing is kept");
    let r = citizen
        .post(
            &format!("/p/{id}/input"),
            &form,
            &[("text", "Flere arrangementer for børn"), ("name", "Birgit"), ("email", "birgit@example.dk")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = citizen.post(&format!("/p/{id}/stem"), &form, &[("statement", "0"), ("vote", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(counts(&app, &id).await, (1, 1, 1), "one browser is one participant");
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    assert_eq!(inputs["items"][0]["channel"], "public");
    // Another browser is another participant; too many writes from one address are refused.
    let mut other = app.client();
    let mut refused = false;
    for i in 0..40 {
        let r = other.post(&format!("/p/{id}/input"), &form, &[("text", &format!("Forslag {i}"))]).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused = true;
            break;
        }
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    assert!(refused, "the public link is rate-limited per address");

    // A workshop code on the wall.
    let mut browser = app.login("facilitator").await;
    let facilitation = format!("/processer/{id}/facilitering");
    let r = browser.post(&format!("/processer/{id}/kode"), &facilitation, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<svg") && r.body.contains("role=\"img\""), "a QR code");
    let marker = "class=\"process-code\"";
    let at = r.body.find(marker).expect("the code");
    let shown = r.body[at..].split('>').nth(1).and_then(|s| s.split('<').next()).expect("code text").to_string();
    let code: String = shown.chars().filter(|c| !c.is_whitespace()).collect();
    assert_eq!(code.len(), 6, "{shown}");
    let png = browser.get(&format!("/processer/{id}/qr/{code}.png")).await;
    assert_eq!(png.status, StatusCode::OK);
    assert!(png.bytes.starts_with(b"\x89PNG"));
    assert_eq!(browser.get(&format!("/processer/{id}/qr/ZZZZZZ.png")).await.status, StatusCode::NOT_FOUND);

    let mut phone = app.client();
    let r = phone.get("/workshop").await;
    assert_eq!(r.location(), "/kode", "without a code, one is asked for");
    let prefilled = phone.get(&format!("/kode?c={}", code.to_lowercase())).await;
    assert!(prefilled.body.contains(&format!("value=\"{code}\"")));
    let r = phone.post("/kode", "/kode", &[("code", "ABCDEF")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Koden findes ikke eller er udløbet") && r.body.contains("value=\"ABCDEF\""), "{}", r.body);
    let r = phone.post("/kode", "/kode", &[("code", &format!(" {}-{} ", &code[..3], &code[3..]).to_lowercase())]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/workshop"));
    let page = phone.get("/workshop").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Borgerdialog om biblioteket"));
    let r = phone.post("/workshop/input", "/workshop", &[("text", "Et værksted for unge")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let inputs = as_json(&hr.get(&format!("/api/v1/processes/{id}/inputs")).await);
    assert!(inputs["items"].as_array().expect("items").iter().any(|i| i["channel"] == "workshop"));
});

// The counts pages show are kept by every vote: after changed votes they equal the counts
// worked out from the whole vote history.
db_test!(kept_tallies_equal_the_counts_of_the_vote_history, |db| {
    let app = crate::support::demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = super::process(&mut hr, json!({"title": "Tæl", "template": "proposals"}), Some("collect")).await;
    for text in ["Et", "To", "Tre"] {
        let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/statements"), &json!({"text": text})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = hr.send_json("POST", &format!("/api/v1/processes/{id}/links"), &json!({"count": 6})).await;
    let tokens: Vec<String> = super::as_json(&r)["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .map(|t| t.as_str().expect("t").to_string())
        .collect();
    let mut anyone = app.client();
    for (i, token) in tokens.iter().enumerate() {
        for (statement, vote) in [(0, 1), (1, -1), (2, 0), (0, (i as i64 % 3) - 1), (1, 1), (0, (i as i64 % 3) - 1)] {
            let r = anyone
                .send_json(
                    "POST",
                    &format!("/api/v1/participate/{token}/votes"),
                    &json!({"statement": statement, "vote": vote}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
    }
    let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
    let mut latest = std::collections::HashMap::new();
    for v in app::involvement::store::all_votes(&db, uuid).await.expect("votes") {
        latest.insert((v.participant, v.statement), v.vote);
    }
    let mut expected: std::collections::HashMap<i32, (i64, i64, i64)> = Default::default();
    for ((_, statement), vote) in latest {
        let t = expected.entry(statement).or_default();
        match vote {
            1 => t.0 += 1,
            -1 => t.1 += 1,
            _ => t.2 += 1,
        }
    }
    let kept = app::involvement::store::tallies(&db, uuid).await.expect("tallies");
    for (statement, (agree, disagree, pass)) in &expected {
        let t = kept[statement];
        assert_eq!((t.agree, t.disagree, t.pass), (*agree, *disagree, *pass), "statement {statement}");
    }
    assert_eq!(expected[&1], (6, 0, 0), "everyone changed their vote on statement 1 to agree");
});

// A facilitator's statement table comes a page at a time, pending statements first.
db_test!(the_statement_table_pages_with_pending_statements_first, |db| {
    let app = crate::support::demo_app(&db, 200).await;
    let mut hr = app.api_client("facilitator").await;
    let id = super::process(&mut hr, json!({"title": "Mange udsagn", "template": "proposals"}), Some("collect")).await;
    for n in 0..60 {
        let r = hr
            .send_json(
                "POST",
                &format!("/api/v1/processes/{id}/statements"),
                &json!({"text": format!("Udsagn nummer {n}")}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let mut employee = app.api_client("medarbejder").await;
    let r = employee
        .send_json("POST", &format!("/api/v1/processes/{id}/statements"), &json!({"text": "Et forslag fra gulvet"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let mut browser = app.login("facilitator").await;
    let first = browser.get(&format!("/processer/{id}/facilitering")).await.body;
    assert!(first.contains("Et forslag fra gulvet"), "the pending one comes first");
    assert!(first.contains("Udsagn nummer 0<") && !first.contains("Udsagn nummer 59<"));
    assert!(first.contains("?udsagn=2"), "a link to the next page");
    let second = browser.get(&format!("/processer/{id}/facilitering?udsagn=2")).await.body;
    assert!(second.contains("Udsagn nummer 59<") && !second.contains("Udsagn nummer 0<"));
    let r = browser.get(&format!("/processer/{id}/facilitering?udsagn=nul")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});
