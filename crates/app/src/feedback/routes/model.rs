//! The expected-response model's page: how the band is drawn, its coefficients, what it was
//! fitted on and how well it fits, or that the own data is still too little.

use axum::extract::{Path, State};
use axum::response::Response;

use super::super::ReadFeedback;
use super::super::api::{instrument_of, model_of};
use super::super::views::ModelTemplate;
use crate::AppState;
use crate::platform::layout::render;
use crate::platform::web::{Permit, Result};

pub async fn page(
    State(state): State<AppState>,
    permit: Permit<ReadFeedback>,
    Path(key): Path<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let instrument = instrument_of(&state, &tr, &key).await?;
    let m = model_of(&state, &instrument).await?;
    let figures = match (m.a, m.b, m.centre, m.sigma, m.r_squared) {
        (Some(a), Some(b), Some(centre), Some(sigma), Some(r2)) => vec![
            (tr.t("feedback-model-a"), tr.decimal(a, 1)),
            (tr.t("feedback-model-b"), tr.decimal(b, 3)),
            (tr.t("feedback-model-centre"), tr.decimal(centre, 1)),
            (tr.t("feedback-model-sigma"), tr.decimal(sigma, 1)),
            (tr.t("feedback-model-r2"), tr.decimal(r2, 2)),
        ],
        _ => Vec::new(),
    };
    let data = tr.ta(
        "feedback-model-data",
        &[
            ("series", &tr.num(m.series as i64)),
            ("points", &tr.num(m.points as i64)),
            ("min_series", &tr.num(m.min_series as i64)),
            ("min_points", &tr.num(m.min_points as i64)),
        ],
    );
    Ok(render(&ModelTemplate {
        page: permit.ctx.page(&state, tr.t1("feedback-model-title", "instrument", &instrument.name), "feedback"),
        fitted: m.fitted,
        figures,
        data,
        fitted_at: tr.datetime(&m.fitted_at),
        key: instrument.key.clone(),
    }))
}
