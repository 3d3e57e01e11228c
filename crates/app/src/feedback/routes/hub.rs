//! The module's front door (/maaling, the one menu entry): the surveys the reader has yet
//! to answer and the pages their roles open, so the main menu keeps one entry per module.

use axum::extract::State;
use axum::response::Response;

use super::super::model::Purpose;
use super::super::views::HubTemplate;
use super::super::{ReadFeedback, actions, store};
use crate::AppState;
use crate::platform::layout::render;
use crate::platform::permissions::can;
use crate::platform::web::{Permit, Result};

pub async fn page(State(state): State<AppState>, permit: Permit<ReadFeedback>) -> Result<Response> {
    let tr = permit.tr();
    let grants = &permit.user.grants;
    let surveys = match permit.user.account.person_id {
        Some(person) => super::open_asks(&state, &tr, person).await?,
        None => Vec::new(),
    };
    let mut pages = Vec::new();
    for (href, label, hint, action) in [
        ("/maaling/forloeb", "nav-feedback-series", "feedback-hub-series", &actions::FOLLOW),
        ("/maaling/runder", "feedback-rounds-title", "feedback-hub-rounds", &actions::MANAGE),
        ("/maaling/resultater", "feedback-hub-results", "feedback-hub-results-hint", &actions::RESULTS),
    ] {
        if can(grants, action.anywhere()) {
            pages.push((href.to_string(), tr.t(label), tr.t(hint)));
        }
    }
    super::super::api::ensure_library(&state).await?;
    let models = store::instruments(&state.db, state.municipality)
        .await?
        .into_iter()
        .filter(|i| i.purpose == Purpose::Outcome)
        .map(|i| (format!("/maaling/model/{}", i.key), i.name))
        .collect();
    let evaluations = super::super::api::own_rounds(&state, &permit)
        .await?
        .into_iter()
        .filter_map(|r| {
            let person = permit.user.account.person_id?;
            let when = if r.closed {
                tr.t("feedback-hub-evaluation-ready")
            } else {
                tr.t1("feedback-hub-evaluation-after", "closes", tr.date(&r.closes))
            };
            Some((super::evaluations::report_href(r.round, person), r.title, when))
        })
        .collect();
    Ok(render(&HubTemplate {
        evaluations,
        page: permit.ctx.page(&state, tr.t("feedback-hub-title"), "feedback"),
        surveys,
        pages,
        models,
    }))
}
