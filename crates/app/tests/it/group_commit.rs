//! Group commit on SQLite: writes that arrive together share one transaction, every caller
//! learns its own result, and one failing write fails alone while the rest are kept.

use std::sync::Arc;

use app::platform::db::Db;
use app::platform::group_commit::{run, work};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_arriving_together_are_kept_and_a_failing_one_fails_alone() {
    let db = crate::support::TestDb::sqlite().await;
    let Db::Sqlite(pool) = &db.db else { panic!("SQLite") };
    sqlx::raw_sql("CREATE TABLE grouped (n INTEGER PRIMARY KEY)").execute(pool).await.expect("table");
    // 200 writes at once; number 77 twice, so exactly one of those two breaks the key.
    let mut tasks = Vec::new();
    for i in 0..201_i64 {
        let n = if i == 200 { 77 } else { i };
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let value = Arc::new(n);
            let w = work(move |c| {
                let value = value.clone();
                Box::pin(async move {
                    sqlx::query("INSERT INTO grouped (n) VALUES ($1)").bind(*value).execute(&mut *c).await?;
                    Ok(*value)
                })
            });
            run(&pool, w).await
        }));
    }
    let mut ok = 0;
    let mut failed = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    assert_eq!((ok, failed), (200, 1), "every write but the duplicate is acknowledged");
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM grouped").fetch_one(pool).await.expect("count");
    assert_eq!(kept, 200, "and every acknowledged write is there");
}
