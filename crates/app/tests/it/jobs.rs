//! Background jobs: claiming, leases, retries, the pages.

use std::time::Duration;

use app::platform::jobs::worker::{WorkerConfig, spawn_workers};
use app::platform::jobs::{JobContext, JobKind, JobState, NewJob, store};
use app::platform::module::BoxFuture;
use axum::http::StatusCode;

use crate::db_test;
use crate::support::demo_app;

/// A slow job in ten steps whose effect is written under its id (idempotent), and which
/// counts how often it was started.
static SLOW: JobKind = JobKind { kind: "test.slow", run: slow };

fn slow(ctx: JobContext) -> BoxFuture<'static, Result<serde_json::Value, String>> {
    Box::pin(async move {
        let db = &ctx.state.db;
        app::on_db!(db, |p| {
            sqlx::query("INSERT INTO test_job_run (job_id, at) VALUES ($1, $2)")
                .bind(ctx.job.id)
                .bind(chrono::Utc::now())
                .execute(p)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })?;
        for step in 1..=10 {
            tokio::time::sleep(Duration::from_millis(150)).await;
            ctx.progress(step as f64 / 10.0, format!("step {step}"));
        }
        app::on_db!(db, |p| {
            sqlx::query("INSERT INTO test_job_effect (job_id) VALUES ($1) ON CONFLICT (job_id) DO NOTHING")
                .bind(ctx.job.id)
                .execute(p)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })?;
        Ok(serde_json::json!({ "steps": 10 }))
    })
}

async fn test_tables(db: &app::platform::db::Db) {
    app::on_db!(db, |p| {
        sqlx::raw_sql(
            "CREATE TABLE test_job_run (job_id UUID NOT NULL, at TIMESTAMPTZ NOT NULL);
             CREATE TABLE test_job_effect (job_id UUID PRIMARY KEY);",
        )
        .execute(p)
        .await
        .expect("test tables");
    });
}

async fn count(db: &app::platform::db::Db, table: &str) -> i64 {
    app::on_db!(db, |p| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT CAST(COUNT(*) AS BIGINT) FROM {table}")))
            .fetch_one(p)
            .await
            .expect("count")
    })
}

fn quick() -> WorkerConfig {
    WorkerConfig {
        lease: chrono::Duration::seconds(1),
        heartbeat: Duration::from_millis(100),
        idle: Duration::from_millis(50),
        ..WorkerConfig::default()
    }
}

db_test!(a_killed_workers_job_is_claimed_again_and_finishes_once, |db| {
    let app = demo_app(&db, 200).await;
    test_tables(&db).await;
    let m = app.state.municipality;
    let id = store::enqueue(&db, m, &NewJob::new(SLOW.kind, serde_json::json!({}))).await.expect("enqueue");

    let first = spawn_workers(app.state.clone(), vec![&SLOW], 1, quick());
    // Wait until the job has made progress, then kill the worker mid-job.
    let mut seen = None;
    for _ in 0..100 {
        let job = store::get(&db, m, id).await.expect("q").expect("job");
        if job.progress_permille > 0 {
            seen = Some(job);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let running = seen.expect("the job reports progress while it runs");
    assert_eq!(running.state, JobState::Running);
    assert!(!running.message.is_empty());
    for w in first {
        w.abort();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_kill = store::get(&db, m, id).await.expect("q").expect("job");
    assert_eq!(after_kill.state, JobState::Running, "a killed worker leaves its claim");
    assert_eq!(count(&db, "test_job_effect").await, 0, "killed before its effect");

    // A new worker takes the job over once the lease has passed, and finishes it.
    let second = spawn_workers(app.state.clone(), vec![&SLOW], 1, quick());
    let mut done = None;
    for _ in 0..200 {
        let job = store::get(&db, m, id).await.expect("q").expect("job");
        if job.state.finished() {
            done = Some(job);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for w in second {
        w.abort();
    }
    let done = done.expect("the job finishes after a restart");
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.attempts, 2, "claimed twice");
    assert_eq!(done.progress_permille, 1000);
    assert_eq!(done.result, Some(serde_json::json!({ "steps": 10 })));
    assert_eq!(count(&db, "test_job_run").await, 2, "started twice");
    assert_eq!(count(&db, "test_job_effect").await, 1, "its effect exactly once");
});

db_test!(parallel_workers_never_claim_one_job_twice, |db| {
    let app = demo_app(&db, 200).await;
    let m = app.state.municipality;
    for _ in 0..20 {
        store::enqueue(&db, m, &NewJob::new("test.noop", serde_json::json!({}))).await.expect("enqueue");
    }
    let mut claimers = Vec::new();
    for w in 0..4 {
        let db = db.clone();
        claimers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) =
                store::claim(&db, &format!("w{w}"), &["test.noop"], chrono::Duration::seconds(60)).await.expect("claim")
            {
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for c in claimers {
        all.extend(c.await.expect("claimer"));
    }
    let unique: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(all.len(), 20, "every job claimed");
    assert_eq!(unique.len(), 20, "no job claimed twice");
});

db_test!(a_failing_job_is_retried_after_a_pause_then_fails, |db| {
    let app = demo_app(&db, 200).await;
    let m = app.state.municipality;
    let mut new = NewJob::new("test.failing", serde_json::json!({}));
    new.max_attempts = 2;
    let id = store::enqueue(&db, m, &new).await.expect("enqueue");
    let lease = chrono::Duration::seconds(60);
    let job = store::claim(&db, "w", &["test.failing"], lease).await.expect("claim").expect("a job");
    assert_eq!(job.id, id);
    assert!(store::finish(&db, id, "w", Err("boom".into()), chrono::Duration::seconds(30)).await.expect("finish"));
    let queued = store::get(&db, m, id).await.expect("q").expect("job");
    assert_eq!((queued.state, queued.attempts, queued.error.as_deref()), (JobState::Queued, 1, Some("boom")));
    assert!(queued.run_after > chrono::Utc::now(), "retried after a pause");
    assert!(store::claim(&db, "w", &["test.failing"], lease).await.expect("claim").is_none(), "not before");
    app::on_db!(&db, |p| {
        sqlx::query("UPDATE job SET run_after = $2 WHERE id = $1")
            .bind(id)
            .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
            .execute(p)
            .await
            .expect("due now");
    });
    store::claim(&db, "w", &["test.failing"], lease).await.expect("claim").expect("claimed again");
    assert!(!store::finish(&db, id, "someone else", Ok(serde_json::json!({})), lease).await.expect("q"));
    store::finish(&db, id, "w", Err("boom again".into()), chrono::Duration::seconds(30)).await.expect("finish");
    let failed = store::get(&db, m, id).await.expect("q").expect("job");
    assert_eq!((failed.state, failed.attempts), (JobState::Failed, 2));
    assert!(failed.finished_at.is_some());
    // A dedupe key holds one unfinished job.
    let mut sweep = NewJob::new("platform.sweep", serde_json::json!({}));
    sweep.dedupe_key = Some("platform.sweep".into());
    let a = store::enqueue(&db, m, &sweep).await.expect("enqueue");
    let b = store::enqueue(&db, m, &sweep).await.expect("enqueue");
    assert_eq!(a, b);
});

db_test!(a_job_page_follows_progress_for_its_starter_only, |db| {
    let app = demo_app(&db, 200).await;
    let m = app.state.municipality;
    let (leader, _) = app::platform::accounts::account_for_login(&db, "leder").await.expect("q").expect("leder");
    let mut new = NewJob::new("platform.sweep", serde_json::json!({}));
    new.created_by = Some(leader.id);
    let id = store::enqueue(&db, m, &new).await.expect("enqueue");
    store::claim(&db, "w", &["platform.sweep"], chrono::Duration::seconds(60)).await.expect("claim").expect("job");
    store::heartbeat(&db, id, "w", chrono::Duration::seconds(60), Some((420, "Rydder op"))).await.expect("beat");

    let mut leder = app.login("leder").await;
    let page = leder.get(&format!("/jobber/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"420\""), "a progress bar at 42 %");
    assert!(page.body.contains("42 %") && page.body.contains("Rydder op") && page.body.contains("Kører"));
    assert!(page.body.contains(&format!("hx-get=\"/jobber/{id}/status\"")), "htmx follows a running job");
    assert!(page.body.contains(&format!("href=\"/jobber/{id}\"")), "and a reload link without JavaScript");
    let part = leder.get(&format!("/jobber/{id}/status")).await;
    assert_eq!(part.status, StatusCode::OK);
    assert!(
        part.body.starts_with("<div id=\"job-progress\""),
        "the status is a fragment: {}",
        &part.body[..60.min(part.body.len())]
    );

    let mut api = app.api_client("leder").await;
    let r = api.get(&format!("/api/v1/jobs/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!((body["state"].as_str(), body["progress"].as_f64()), (Some("running"), Some(0.42)));
    assert_eq!(
        app.api_client("medarbejder").await.get(&format!("/api/v1/jobs/{id}")).await.status,
        StatusCode::NOT_FOUND
    );

    let mut colleague = app.login("medarbejder").await;
    assert_eq!(colleague.get(&format!("/jobber/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(colleague.get("/admin/jobber").await.status, StatusCode::FORBIDDEN);
    let mut admin = app.login("admin").await;
    assert_eq!(admin.get(&format!("/jobber/{id}")).await.status, StatusCode::OK);
    let list = admin.get("/admin/jobber").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Oprydning") && list.body.contains(&format!("/jobber/{id}")));

    store::finish(&db, id, "w", Ok(serde_json::json!({})), chrono::Duration::seconds(1)).await.expect("finish");
    let finished = leder.get(&format!("/jobber/{id}")).await;
    assert!(finished.body.contains("Færdig") && !finished.body.contains("hx-get"), "a finished job is not polled");
});
