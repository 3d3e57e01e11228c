//! Selection for a cascade phase: everyone with the chosen roles in the chosen units (and
//! the units below them) is enrolled at once — heads of department first, then all leaders,
//! then all employees, as Rødovre ran its programme.

use std::collections::HashSet;

use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::programme_of;
use crate::AppState;
use crate::organisation::cache::OrgView;
use crate::platform::api::{ApiJson, Problem, created};
use crate::platform::i18n::Tr;
use crate::platform::web::{AppError, Permit, Result};
use crate::programmes::ManageProgrammes;
use crate::programmes::model::{Programme, Via};
use crate::programmes::store;

/// The roles a selection takes.
pub const SELECTION_ROLES: &[&str] = &["leader", "employee"];

#[derive(Serialize, Deserialize, ToSchema, Default, Clone)]
pub struct SelectionJson {
    /// The cascade phase the people take part in.
    pub phase: Option<Uuid>,
    /// Units whose people (in the units below too) are enrolled; empty: the whole municipality.
    #[serde(default)]
    pub units: Vec<Uuid>,
    /// leader and/or employee.
    pub roles: Vec<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Selected {
    /// People enrolled now.
    pub enrolled: usize,
    /// People in the selection who were enrolled before.
    pub already: usize,
    /// Placed into adopted groups (late enrolments).
    pub placed: usize,
}

/// The people a selection covers, in a stable order.
pub fn select(org: &OrgView, units: &[Uuid], leaders: bool, employees: bool) -> Vec<Uuid> {
    let roots: Vec<(i64, i64)> = if units.is_empty() {
        org.all_units().filter(|u| u.parent_id.is_none()).map(|u| (u.tree_left, u.tree_right)).collect()
    } else {
        units.iter().filter_map(|u| org.unit(*u)).map(|u| (u.tree_left, u.tree_right)).collect()
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for unit in org.all_units().filter(|u| roots.iter().any(|(l, r)| (*l..=*r).contains(&u.tree_left))) {
        if leaders {
            out.extend(org.leaders(unit.id).iter().map(|p| p.id).filter(|p| seen.insert(*p)));
        }
        if employees {
            let staff = org.staff(unit.id).iter().map(|m| m.person_id);
            out.extend(staff.filter(|p| !org.person(*p).is_some_and(|at| at.is_leader)).filter(|p| seen.insert(*p)));
        }
    }
    out
}

/// Checks and makes a selection (the API's and the page's way).
pub async fn select_checked(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    tr: &Tr,
    programme: &Programme,
    body: &SelectionJson,
) -> Result<Selected> {
    if programme.archived {
        return Err(AppError::Conflict(tr.t("programme-error-archived")));
    }
    if body.phase.is_some_and(|p| !programme.phases.iter().any(|x| x.id == p)) {
        return Err(AppError::BadRequest(tr.t("activity-error-phase")));
    }
    let roles: Vec<&str> = body.roles.iter().map(|r| r.trim()).filter(|r| !r.is_empty()).collect();
    if roles.is_empty() || roles.iter().any(|r| !SELECTION_ROLES.contains(r)) {
        return Err(AppError::BadRequest(tr.t1("selection-error-roles", "keys", SELECTION_ROLES.join(", "))));
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    if let Some(unknown) = body.units.iter().find(|u| org.unit(**u).is_none()) {
        return Err(AppError::BadRequest(tr.t1("selection-error-unit", "unit", unknown)));
    }
    let people = select(&org, &body.units, roles.contains(&"leader"), roles.contains(&"employee"));
    if people.is_empty() {
        return Err(AppError::BadRequest(tr.t("selection-error-nobody")));
    }
    let entry = permit.ctx.audit("programme.enrolled");
    let added =
        store::enrol_people(&state.db, state.municipality, programme.id, &people, Via::Selection, body.phase, entry)
            .await?;
    let mut placed = 0;
    for person in &added {
        let at = super::groups::place_late(state, programme.id, *person, permit.ctx.audit("programme.placed")).await?;
        placed += usize::from(!at.is_empty());
    }
    Ok(Selected { enrolled: added.len(), already: people.len() - added.len(), placed })
}

/// Enrols everyone with the chosen roles in the chosen units (and below) for a phase.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/selection", tag = "programmes", request_body = SelectionJson,
    responses((status = 201, body = Selected), (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn selection(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SelectionJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let tr = permit.tr();
    Ok(created(&select_checked(&state, &permit, &tr, &programme, &body).await?))
}
