//! The site: the municipality an installation serves, and its core tasks.

use crate::db_test;

db_test!(parallel_starts_on_an_empty_database_make_one_municipality, |db| {
    let mut starts = Vec::new();
    for i in 0..8 {
        let db = db.clone();
        starts.push(tokio::spawn(async move {
            app::platform::site::store::ensure(&db, &format!("Kommune {i}")).await.expect("ensure")
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for s in starts {
        ids.insert(s.await.expect("start").id);
    }
    assert_eq!(ids.len(), 1, "every start found the same municipality");
    let rows: i64 = app::on_db!(&db, |p| {
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM municipality").fetch_one(p).await.expect("count")
    });
    assert_eq!(rows, 1);
});

db_test!(core_tasks_start_as_hedensteds_four_in_both_languages, |db| {
    let m = app::platform::site::store::ensure(&db, "Kommune").await.expect("m");
    let tasks = app::platform::site::store::core_tasks(&db, m.id).await.expect("tasks");
    let again = app::platform::site::store::core_tasks(&db, m.id).await.expect("tasks");
    assert_eq!(tasks, again, "created once");
    let names: Vec<&str> = tasks.iter().map(|t| t.name_da.as_str()).collect();
    assert_eq!(names, ["Fritid & Fællesskab", "Læring", "Beskæftigelse", "Social Omsorg"]);
    assert_eq!(tasks[1].name(&app::platform::i18n::Lang::En), "Learning");
});
