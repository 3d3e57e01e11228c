//! Feedback and measurement through the API and the pages: the library and the series in
//! `series.rs`, rounds and their aggregates in `rounds.rs`, the demo's results in
//! `results.rs`; the helpers they share are here.

use std::collections::HashMap;

use axum::http::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db_test;
use crate::support::{TestApp, demo_app};

mod comments;
mod programme;
mod rating360;
mod results;
mod rounds;
mod series;

fn as_json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("JSON ({e}): {body}"))
}

fn outcome(values: [f64; 4]) -> Value {
    json!({"answers": {"omraade1": values[0], "omraade2": values[1], "omraade3": values[2], "omraade4": values[3]}})
}

async fn template_id(app: &TestApp) -> Uuid {
    app::feedback::store::instrument_by(&app.state.db, app.state.municipality, "familie-udbytte")
        .await
        .unwrap()
        .expect("the template")
        .id
}

/// WHO-5 answers for a link: every item the same.
fn who5(value: i64) -> Value {
    json!({"answers": {"glad": value, "rolig": value, "aktiv": value, "udhvilet": value, "interesse": value}})
}

/// Each point of a funnel plot is above, below or within the 99.8 % limits for its size,
/// and outside the 95 % ones when it is outside those.
fn assert_funnel_places_by_limits(funnel: &Value) {
    let (centre, sd) = (funnel["mean"].as_f64().unwrap(), funnel["sd"].as_f64().unwrap());
    for p in funnel["points"].as_array().unwrap() {
        let (n, mean) = (p["n"].as_f64().unwrap(), p["mean"].as_f64().unwrap());
        let half = |z: f64| z * sd / n.sqrt();
        let position = if mean > centre + half(3.09) {
            "above"
        } else if mean < centre - half(3.09) {
            "below"
        } else {
            "within"
        };
        assert_eq!(p["position"], position, "{p}");
        assert_eq!(p["outside_95"], (mean - centre).abs() > half(1.96), "{p}");
    }
}

/// The outbox's letters of a batch: (recipient, subject, body).
async fn letters(app: &TestApp, batch: &str) -> Vec<(String, String, String)> {
    let batch = batch.to_string();
    app::on_db!(&app.state.db, |p| {
        sqlx::query_as("SELECT recipient, subject, body FROM mail_outbox WHERE batch = $1 ORDER BY recipient")
            .bind(&batch)
            .fetch_all(p)
            .await
            .unwrap()
    })
}

fn link_in(body: &str) -> String {
    let at = body.find("/svar/").unwrap_or_else(|| panic!("a link in {body}"));
    body[at..].split_whitespace().next().unwrap().to_string()
}
