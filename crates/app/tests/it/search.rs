//! The platform's shared search: remembered result pages.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::db_test;
use crate::support::demo_app;

db_test!(a_page_asked_for_by_many_at_once_is_computed_once, |db| {
    // The demo's stories give the municipality a search version to remember pages under.
    let app = demo_app(&db, 200).await;
    let computed = Arc::new(AtomicUsize::new(0));
    let asks = (0..16).map(|_| {
        let (db, computed) = (app.state.db.clone(), computed.clone());
        let municipality = app.state.municipality;
        tokio::spawn(async move {
            app::platform::search::remember(&db, municipality, "story", "many at once".into(), || async {
                computed.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok(vec![42_i64])
            })
            .await
        })
    });
    for ask in asks.collect::<Vec<_>>() {
        assert_eq!(ask.await.expect("task").expect("page"), vec![42]);
    }
    assert_eq!(computed.load(Ordering::SeqCst), 1, "the others waited for the first computation");

    // A failed computation is not remembered: the next one computes again.
    let failed: sqlx::Result<Vec<i64>> =
        app::platform::search::remember(&app.state.db, app.state.municipality, "story", "fails".into(), || async {
            Err(sqlx::Error::RowNotFound)
        })
        .await;
    assert!(failed.is_err());
    let again =
        app::platform::search::remember(&app.state.db, app.state.municipality, "story", "fails".into(), || async {
            Ok(vec![7_i64])
        })
        .await
        .expect("computed again");
    assert_eq!(again, vec![7]);
});
