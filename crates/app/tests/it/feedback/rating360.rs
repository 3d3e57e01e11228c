//! 360° rounds: a link per evaluated leader and rater group (the leader, the line manager,
//! fellow leaders, staff), answered by link and signed in, reminded link by link, and the
//! leader's report, where a group under its minimum shows nothing, the manager's and the
//! leader's own answers are exempt, and free text needs the higher text minimum.

use std::collections::BTreeSet;

use super::*;

async fn person_of(app: &TestApp, username: &str) -> Uuid {
    let username = username.to_string();
    let (id,): (Uuid,) = app::on_db!(&app.state.db, |p| {
        sqlx::query_as("SELECT person_id FROM account WHERE username = $1").bind(&username).fetch_one(p).await.unwrap()
    });
    id
}

/// A 360° answer: every rated item the same, with a comment.
fn rating(value: i64, comment: &str) -> Value {
    json!({"answers": {"retning": value, "prioritering": value, "inddragelse": value, "feedback": value,
                       "udvikling": value, "opfoelgning": value, "styrke": comment}})
}

db_test!(a_360_round_asks_each_rater_group_and_hides_a_group_under_its_minimum, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let leader = person_of(&app, "leder").await;
    let at = org.person(leader).unwrap();
    assert!(at.is_leader, "the demo's leader leads a unit");
    let unit = org.unit(at.unit).unwrap().clone();
    let mut hr = app.api_client("admin").await;
    let today = app::platform::i18n::today();
    let closes = (today + chrono::Days::new(7)).to_string();
    let round = json!({"instrument": "leadership360", "units": [unit.id], "opens": today.to_string(),
                       "closes": closes, "title": "Ledelsesevaluering 2027"});

    // An outcome scale is not sent in rounds; the message says what can be.
    let mut bad = round.clone();
    bad["instrument"] = json!("fit-outcome");
    let r = hr.send_json("POST", "/api/v1/rounds", &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("360°-evalueringer"), "{}", r.body);

    let r = hr.send_json("POST", "/api/v1/rounds", &round).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let created = as_json(&r.body);
    let round_id = Uuid::parse_str(created["id"].as_str().unwrap()).unwrap();
    let tokens = created["tokens"].as_array().unwrap().clone();

    // The leader's raters, group by group, as the organisation has them.
    let about_leader: Vec<&Value> = tokens.iter().filter(|t| t["subject"] == leader.to_string()).collect();
    let group = |g: &str| -> BTreeSet<Uuid> {
        about_leader
            .iter()
            .filter(|t| t["rater"] == g)
            .map(|t| Uuid::parse_str(t["person"].as_str().unwrap()).unwrap())
            .collect()
    };
    let ids = |people: &[app::organisation::model::Person]| people.iter().map(|p| p.id).collect::<Vec<_>>();
    let manager: BTreeSet<Uuid> = org
        .ancestors(&unit)
        .into_iter()
        .rev()
        .map(|u| ids(org.leaders(u.id)).into_iter().filter(|p| *p != leader).collect::<BTreeSet<_>>())
        .find(|m| !m.is_empty())
        .unwrap_or_default();
    let mut peers: BTreeSet<Uuid> = ids(org.leaders(unit.id)).into_iter().filter(|p| *p != leader).collect();
    if let Some(parent) = unit.parent_id {
        for sibling in org.children(parent).filter(|s| s.id != unit.id) {
            peers.extend(ids(org.leaders(sibling.id)));
        }
    }
    let mut staff: BTreeSet<Uuid> = org.staff(unit.id).iter().map(|m| m.person_id).collect();
    for child in org.children(unit.id) {
        staff.extend(ids(org.leaders(child.id)));
    }
    staff.remove(&leader);
    let staff: BTreeSet<Uuid> = staff.difference(&manager).copied().collect();
    let staff: BTreeSet<Uuid> = staff.difference(&peers).copied().collect();
    assert_eq!(group("self"), BTreeSet::from([leader]));
    assert!(!manager.is_empty(), "the demo's leader has a manager above");
    assert_eq!(group("manager"), manager);
    assert_eq!(group("peer"), peers);
    assert_eq!(group("staff"), staff);
    assert!(staff.len() >= 3, "enough staff to show their group: {}", staff.len());
    assert_eq!(about_leader.len(), 1 + manager.len() + peers.len() + staff.len(), "one link per rater");
    // Every leader of the unit and below is evaluated; nobody else.
    let evaluated: BTreeSet<&str> = tokens.iter().map(|t| t["subject"].as_str().unwrap()).collect();
    for s in &evaluated {
        let p = org.person(Uuid::parse_str(s).unwrap()).unwrap();
        let u = org.unit(p.unit).unwrap();
        assert!(p.is_leader && (unit.tree_left..=unit.tree_right).contains(&u.tree_left), "{}", p.name);
    }

    // The letters say whom a link is about and whether the answer is anonymous.
    let mail = letters(&app, &format!("round:{round_id}")).await;
    let staff_member = org.person(*staff.iter().next().unwrap()).unwrap();
    let to_staff = mail
        .iter()
        .find(|(to, _, body)| *to == staff_member.email && body.contains(&at.name))
        .unwrap_or_else(|| panic!("a letter to {} about {}", staff_member.email, at.name));
    assert!(to_staff.2.contains("som medarbejder") && to_staff.2.contains("uden dit navn"), "{}", to_staff.2);
    let boss = org.person(*manager.iter().next().unwrap()).unwrap();
    let to_boss = mail.iter().find(|(to, _, body)| *to == boss.email && body.contains(&at.name)).unwrap();
    assert!(to_boss.2.contains("som nærmeste leder") && to_boss.2.contains("ikke anonymt"), "{}", to_boss.2);

    // The leader answers about themselves signed in, from the module's front page.
    let mut own = app.login("leder").await;
    let hub = own.get("/maaling").await.body;
    let door = format!("/maaling/svar/{round_id}/{leader}");
    assert!(hub.contains(&door) && hub.contains("din egen ledelse"), "{hub}");
    let page = own.get(&door).await;
    assert!(page.body.contains("Du vurderer din egen ledelse") && page.body.contains("sætter en tydelig retning"));
    let items = ["retning", "prioritering", "inddragelse", "feedback", "udvikling", "opfoelgning"];
    let mut form: Vec<(String, String)> = items.iter().map(|i| (format!("i-{i}"), "4".to_string())).collect();
    form.push(("i-styrke".into(), "Jeg holder fast i retningen".into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = own.post(&door, &door, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(own.get(&door).await.body.contains("allerede svaret"));

    // The others answer by link: the manager with a comment, two fellow leaders (under
    // their minimum of three), three staff members (under the text minimum of five).
    let mut public = app.client();
    let token_of = |person: Uuid| {
        about_leader.iter().find(|t| t["person"] == person.to_string()).unwrap()["token"].as_str().unwrap().to_string()
    };
    let boss_token = token_of(boss.id);
    let form = as_json(&public.get(&format!("/api/v1/participate/{boss_token}/survey")).await.body);
    assert_eq!(form["about"]["name"], at.name.as_str());
    assert_eq!(form["about"]["rater"], "manager");
    assert_eq!(answer(&mut public, &boss_token, rating(6, "")).await.status, StatusCode::BAD_REQUEST, "1–5 only");
    assert_eq!(answer(&mut public, &boss_token, rating(5, "Tydelig retning")).await.status, StatusCode::CREATED);
    for peer in peers.iter().take(2) {
        assert_eq!(
            answer(&mut public, &token_of(*peer), rating(1, "Kollegakommentar")).await.status,
            StatusCode::CREATED
        );
    }
    let staff_values = [2, 3, 5];
    for (person, value) in staff.iter().zip(staff_values) {
        assert_eq!(answer(&mut public, &token_of(*person), rating(value, "Mere ro")).await.status, StatusCode::CREATED);
    }

    // The reminder renews each unanswered link on its own (a person may hold several).
    let unanswered = app::feedback::store::unanswered(&app.state.db, round_id).await.unwrap();
    let mailable = unanswered.iter().filter(|l| org.person(l.person).is_some_and(|p| p.email.contains('@'))).count();
    let sent = app::feedback::rounds::remind(&app.state, app.state.municipality, round_id, "https://x").await.unwrap();
    assert_eq!(sent, mailable);

    // While open: nothing, not even counts; another employee gets 404; HR's reading is logged.
    let report_url = format!("/api/v1/rounds/{round_id}/evaluations/{leader}");
    let mut leader_api = app.api_client("leder").await;
    let open = as_json(&leader_api.get(&report_url).await.body);
    assert_eq!(open["closed"], false);
    assert!(open["groups"].as_array().unwrap().is_empty(), "{open}");
    assert_eq!(app.api_client("medarbejder").await.get(&report_url).await.status, StatusCode::NOT_FOUND);
    let list = as_json(&hr.get(&format!("/api/v1/rounds/{round_id}/evaluations")).await.body);
    assert!(list["items"].as_array().unwrap().iter().any(|l| l["subject"] == leader.to_string()), "{list}");

    let yesterday = today.pred_opt().unwrap();
    app::on_db!(&app.state.db, |p| {
        sqlx::query("UPDATE feedback_round SET opens = $1, closes = $1 WHERE id = $2")
            .bind(yesterday)
            .bind(round_id)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap()
    });
    let report = as_json(&leader_api.get(&report_url).await.body);
    let by = |g: &str| report["groups"].as_array().unwrap().iter().find(|x| x["rater"] == g).unwrap().clone();
    assert_eq!((by("self")["n"].clone(), by("self")["score"].clone()), (json!(1), json!(4.0)));
    assert_eq!(by("manager")["n"], 1, "the manager's answer is exempt from a minimum");
    assert_eq!(by("manager")["texts"][0]["answers"], json!(["Tydelig retning"]));
    let peer = by("peer");
    assert_eq!(peer["suppressed"], true);
    assert!(peer.get("n").is_none() && peer.get("score").is_none() && peer.get("items").is_none(), "{peer}");
    let staff_report = by("staff");
    assert_eq!(staff_report["n"], 3);
    assert!((staff_report["score"].as_f64().unwrap() - 10.0 / 3.0).abs() < 1e-9, "{staff_report}");
    assert!(staff_report.get("texts").is_none(), "three comments are under the text minimum");
    assert_eq!(staff_report["texts_withheld"], "too_few_for_text");
    // Everyone else: the manager and the staff, never the hidden fellow leaders.
    assert_eq!(report["others"]["n"], 4);
    assert!((report["others"]["score"].as_f64().unwrap() - 15.0 / 4.0).abs() < 1e-9, "{report}");
    assert!(!report.to_string().contains("Kollegakommentar"));

    let before = audit_count(&app, "evaluation.read").await;
    assert_eq!(hr.get(&report_url).await.status, StatusCode::OK);
    assert_eq!(audit_count(&app, "evaluation.read").await, before + 1, "HR reading a leader's report is logged");
    leader_api.get(&report_url).await;
    assert_eq!(audit_count(&app, "evaluation.read").await, before + 1, "the leader's own reading is not");

    // The pages: HR's list of leaders, the leader's report from the module's front page.
    let list = app.login("admin").await.get(&format!("/maaling/runder/{round_id}/evalueringer")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains(&at.name) && list.body.contains(&format!("/maaling/evalueringer/{round_id}/{leader}")));
    let hub = own.get("/maaling").await.body;
    assert!(hub.contains("Dine 360°-evalueringer") && hub.contains("rapporten er klar"), "{hub}");
    let page = own.get(&format!("/maaling/evalueringer/{round_id}/{leader}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("for få svar (mindst 3)") && page.body.contains("Tydelig retning"), "{}", page.body);
    assert!(!page.body.contains("Mere ro") && page.body.contains("vises ikke"), "staff comments are held back");
    assert!(page.body.contains("3,3"), "the staff's mean in Danish: {}", page.body);
});

async fn answer(client: &mut crate::support::Client, token: &str, body: Value) -> crate::support::Reply {
    client.send_json("POST", &format!("/api/v1/participate/{token}/responses"), &body).await
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    let action = action.to_string();
    let (n,): (i64,) = app::on_db!(&app.state.db, |p| {
        sqlx::query_as("SELECT COUNT(*) FROM audit_event WHERE action = $1").bind(&action).fetch_one(p).await.unwrap()
    });
    n
}
