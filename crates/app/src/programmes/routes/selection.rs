//! The selection page: everyone with the chosen roles in a unit (and below) for a phase.

use axum::extract::{Path, State};
use axum::response::Response;
use uuid::Uuid;

use super::super::api::programme_of;
use super::super::api::selection::{SelectionJson, select_checked};
use super::super::model::Programme;
use super::super::views::SelectionTemplate;
use super::super::{ManageProgrammes, actions};
use crate::AppState;
use crate::platform::layout::{FormErrors, render_form};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result};

pub fn routes() -> Routes {
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new().get("/programmer/{id}/udvaelg", manage, form).post("/programmer/{id}/udvaelg", manage, select)
}

async fn form(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    view(&state, &permit, &programme, Vec::new(), FormErrors::default(), None).await
}

async fn view(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    programme: &Programme,
    fields: Vec<(String, String)>,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let mut units: Vec<_> = org.all_units().collect();
    units.sort_by_key(|u| u.tree_left);
    let chosen = |name: &str| fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &SelectionTemplate {
            page: permit.ctx.page(state, tr.t("selection-title"), "programmes"),
            id: programme.id.to_string(),
            programme: programme.title.clone(),
            phases: programme.phases.iter().map(|p| (p.id.to_string(), p.title.clone())).collect(),
            units: units
                .iter()
                .map(|u| (u.id.to_string(), format!("{}{}", "– ".repeat(u.depth.max(0) as usize), u.name)))
                .collect(),
            phase: chosen("phase").pop().unwrap_or_default(),
            unit: chosen("unit").pop().unwrap_or_default(),
            leaders: chosen("role").iter().any(|r| r == "leader"),
            employees: chosen("role").iter().any(|r| r == "employee"),
            errors,
            notice,
        },
        has_errors,
    ))
}

async fn select(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let tr = permit.tr();
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let uuid = |name: &str| -> std::result::Result<Option<Uuid>, String> {
        match value(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Uuid::parse_str(&v).map(Some).map_err(|_| tr.t("error-form")),
        }
    };
    let body = match (uuid("phase"), uuid("unit")) {
        (Ok(phase), Ok(unit)) => SelectionJson {
            phase,
            units: unit.into_iter().collect(),
            roles: fields.iter().filter(|(k, _)| k == "role").map(|(_, v)| v.clone()).collect(),
        },
        (Err(message), _) | (_, Err(message)) => {
            let errors = FormErrors::one("roles", message);
            return view(&state, &permit, &programme, fields, errors, None).await;
        }
    };
    match select_checked(&state, &permit, &tr, &programme, &body).await {
        Ok(done) => {
            let notice = tr.ta("selection-done", &[("enrolled", &done.enrolled), ("already", &done.already)]);
            let programme = programme_of(&state, &id).await?;
            view(&state, &permit, &programme, fields, FormErrors::default(), Some(notice)).await
        }
        Err(AppError::BadRequest(message) | AppError::Conflict(message)) => {
            view(&state, &permit, &programme, fields, FormErrors::one("roles", message), None).await
        }
        Err(e) => Err(e),
    }
}
