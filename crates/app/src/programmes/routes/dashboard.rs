//! The programme's dashboard page.

use axum::extract::{Path, State};
use axum::response::Response;

use super::super::api::dashboard::{Figures, dashboard};
use super::super::api::programme_of;
use super::super::views::{DashboardRowView, DashboardTemplate};
use super::super::{ManageProgrammes, actions};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::render;
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{Permit, Result};

pub fn routes() -> Routes {
    Routes::new().get("/programmer/{id}/overblik", Guard::Action(&actions::MANAGE), page)
}

/// A row of figures, its trial bar scaled to `most` trial actions per participant.
fn row(tr: &Tr, name: String, f: &Figures, most: f64) -> DashboardRowView {
    let per_person = if f.enrolled > 0 { f.trials as f64 / f.enrolled as f64 } else { 0.0 };
    DashboardRowView {
        name,
        enrolled: f.enrolled,
        attendance: f.attendance_rate.map_or_else(|| "–".to_string(), |r| format!("{:.0} %", r * 100.0)),
        attendance_bar: f.attendance_rate.map_or(0, |r| (r * 100.0).round() as u32),
        projects: tr.ta("dashboard-count-of", &[("count", &f.projects), ("of", &f.finished_projects)]),
        trials: tr.ta("dashboard-count-of", &[("count", &f.trials), ("of", &f.reflected)]),
        trials_bar: if most > 0.0 { (per_person / most * 100.0).round() as u32 } else { 0 },
    }
}

async fn page(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let programme = programme_of(&state, &id).await?;
    let d = dashboard(&state, &programme).await?;
    let per_person = |f: &Figures| if f.enrolled > 0 { f.trials as f64 / f.enrolled as f64 } else { 0.0 };
    let most = d
        .cohorts
        .iter()
        .map(|c| per_person(&c.figures))
        .chain(d.units.iter().map(|u| per_person(&u.figures)))
        .fold(0.0, f64::max);
    let cohorts = d
        .cohorts
        .iter()
        .map(|c| {
            let name = c.cohort.map_or_else(
                || tr.t("ratings-no-cohort"),
                |n| tr.ta("groups-group", &[("kind", &tr.t("group-kind-cohort")), ("number", &n)]),
            );
            row(&tr, name, &c.figures, most)
        })
        .collect();
    let units = d
        .units
        .iter()
        .map(|u| row(&tr, if u.name.is_empty() { "–".into() } else { u.name.clone() }, &u.figures, most))
        .collect();
    Ok(render(&DashboardTemplate {
        page: permit.ctx.page(&state, tr.t1("dashboard-title", "programme", &programme.title), "programmes"),
        id: programme.id.to_string(),
        total: row(&tr, String::new(), &d.total, most),
        cohorts,
        units,
    }))
}
