//! Free-text answers in a survey round: shown for a unit only with the instrument's higher
//! text threshold, never while the round is open, and never where a hidden unit's comments
//! could be had by setting one shown list against another.

use std::collections::BTreeSet;

use super::*;

fn pulse(value: i64, comment: &str) -> Value {
    json!({"answers": {"maaned": value, "forventninger": value, "hjaelp": value, "mening": value, "tid": value,
                       "besked": comment}})
}

db_test!(comments_need_the_text_threshold_and_cannot_be_worked_out_from_other_lists, |db| {
    let app = demo_app(&db, 120).await;
    let org = app::organisation::org_cache(&app.state).get(&app.state.db).await.unwrap();
    let root = org.all_units().find(|u| u.parent_id.is_none()).unwrap().clone();
    let mut hr = app.api_client("admin").await;
    let today = app::platform::i18n::today();
    let round =
        json!({"instrument": "pulse", "units": [root.id], "opens": today.to_string(), "closes": today.to_string()});
    let created = as_json(&hr.send_json("POST", "/api/v1/rounds", &round).await.body);
    let round_id = Uuid::parse_str(created["id"].as_str().unwrap()).unwrap();
    // Some people in some units write a comment; each comment is unique, so a list tells whose
    // unit it came from.
    let mut public = app.client();
    let mut written: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (i, link) in created["tokens"].as_array().unwrap().iter().enumerate() {
        let unit = Uuid::parse_str(link["unit"].as_str().unwrap()).unwrap();
        if (i as u8 % 4) >= unit.as_bytes()[1] % 4 {
            continue;
        }
        let comment = if i % 3 == 0 { String::new() } else { format!("Kommentar {i:03}") };
        let url = format!("/api/v1/participate/{}/responses", link["token"].as_str().unwrap());
        assert_eq!(public.send_json("POST", &url, &pulse(4, &comment)).await.status, StatusCode::CREATED);
        if !comment.is_empty() {
            written.entry(unit).or_default().push(comment);
        }
    }
    let total: usize = written.values().map(Vec::len).sum();
    assert!(total >= 10, "enough comments for the organisation's list: {total}");

    let url = |unit: Uuid, subtree: bool| {
        format!("/api/v1/aggregates/texts?instrument=pulse&round={round_id}&unit={unit}&subtree={subtree}")
    };
    let open = as_json(&hr.get(&url(root.id, true)).await.body);
    assert_eq!((open["suppressed"].clone(), open["reason"].clone()), (json!(true), json!("open")));
    let bad = hr
        .get(&format!("/api/v1/aggregates/texts?instrument=pulse&round={round_id}&unit={}&item=maaned", root.id))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "a rated question has no comments");

    app::on_db!(&app.state.db, |p| {
        sqlx::query("UPDATE feedback_round SET opens = $1, closes = $1 WHERE id = $2")
            .bind(today.pred_opt().unwrap())
            .bind(round_id)
            .execute(p)
            .await
            .map(|_| ())
            .unwrap()
    });
    let in_subtree = |u: &app::organisation::model::Unit| -> Vec<String> {
        let mut all: Vec<String> = org
            .all_units()
            .filter(|v| (u.tree_left..=u.tree_right).contains(&v.tree_left))
            .filter_map(|v| written.get(&v.id))
            .flatten()
            .cloned()
            .collect();
        all.sort();
        all
    };
    let everything = as_json(&hr.get(&url(root.id, true)).await.body);
    assert_eq!(everything["n"], total, "{everything}");
    assert_eq!(everything["answers"], json!(in_subtree(&root)), "every comment, sorted");

    // Per unit: a shown list holds exactly its comments and at least ten (or none); a shown
    // subtree list minus the shown lists of its pieces never leaves 1 to 9 comments.
    let list = |f: &Value| -> Option<BTreeSet<String>> {
        f.get("answers").map(|a| a.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect())
    };
    let mut hidden = 0;
    for unit in org.all_units() {
        let sub = as_json(&hr.get(&url(unit.id, true)).await.body);
        let own = as_json(&hr.get(&url(unit.id, false)).await.body);
        for (figure, truth) in [(&sub, in_subtree(unit)), (&own, written.get(&unit.id).cloned().unwrap_or_default())] {
            match list(figure) {
                Some(shown) => {
                    assert!(truth.is_empty() || truth.len() >= 10, "{} comments shown for {}", truth.len(), unit.name);
                    assert_eq!(shown, truth.into_iter().collect::<BTreeSet<_>>());
                }
                None => {
                    assert_eq!(figure["suppressed"], true);
                    hidden += usize::from(!truth.is_empty());
                }
            }
        }
        if let Some(mut left) = list(&sub) {
            if let Some(o) = list(&own) {
                left.retain(|c| !o.contains(c));
            }
            for child in org.children(unit.id) {
                if let Some(c) = list(&as_json(&hr.get(&url(child.id, true)).await.body)) {
                    left.retain(|x| !c.contains(x));
                }
            }
            assert!(left.is_empty() || left.len() >= 10, "{} comments of {} worked out", left.len(), unit.name);
        }
    }
    assert!(hidden > 0, "some units' comments are hidden");

    // The results page offers the comments and shows the organisation's for HR.
    let mut pages = app.login("admin").await;
    let page = pages.get(&format!("/maaling/resultater?redskab=pulse&runde={round_id}&spoergsmaal=besked")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("(kommentarer)") && page.body.contains(&in_subtree(&root)[0]), "{}", page.body);
    // A leader whose part has too few sees why, and no comment.
    let mut leader = app.login("leder").await;
    let page = leader.get(&format!("/maaling/resultater?redskab=pulse&runde={round_id}&spoergsmaal=besked")).await;
    assert_eq!(page.status, StatusCode::OK);
    let shown_to_leader = page.body.matches("Kommentar ").count();
    assert!(shown_to_leader == 0 || shown_to_leader >= 10, "{}", page.body);
});
