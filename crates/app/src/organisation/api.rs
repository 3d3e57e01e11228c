//! The organisation's JSON API (`/api/v1/`): units, people and the span-of-control
//! report, scoped exactly as the pages are.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{SpanRow, Unit};
use super::routes::{SEARCH_MAX_CHARS, ViewUnits};
use super::store::{self, SpanFilter};
use super::{Browse, ViewSpan, actions, org_cache};
use crate::AppState;
use crate::platform::api::{Paging, Problem, json};
use crate::platform::module::{Guard, Routes};
use crate::platform::permissions::{UnitRef, can, reach};
use crate::platform::web::{AppError, Permit, Result};

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/units", Guard::Action(&actions::VIEW_UNIT), units)
        .get("/api/v1/units/{id}", Guard::Action(&actions::VIEW_UNIT), unit)
        .get("/api/v1/people", Guard::Action(&actions::BROWSE), people)
        .get("/api/v1/span-of-control", Guard::Action(&actions::VIEW_SPAN), span_of_control)
}

#[derive(OpenApi)]
#[openapi(
    paths(units, unit, people, span_of_control),
    components(schemas(
        UnitJson,
        UnitList,
        UnitDetail,
        PersonRef,
        StaffJson,
        PersonJson,
        PersonList,
        SpanRowJson,
        SpanList
    ))
)]
pub struct Api;

/// A unit of the organisation.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UnitJson {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub unit_type: String,
    /// 1 for the top of the organisation.
    pub level: i64,
    /// Current engagements in the unit and every unit below it.
    pub headcount: i64,
}

impl From<&Unit> for UnitJson {
    fn from(u: &Unit) -> UnitJson {
        UnitJson {
            id: u.id,
            parent_id: u.parent_id,
            name: u.name.clone(),
            unit_type: u.unit_type.clone(),
            level: u.depth,
            headcount: u.headcount,
        }
    }
}

/// One page of units, in hierarchy order.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UnitList {
    pub items: Vec<UnitJson>,
    /// All units the caller may see.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PersonRef {
    pub id: Uuid,
    pub name: String,
}

/// Someone engaged in a unit. The pay type is there only for those who may see
/// employment details in the unit (its leaders, HR, the executive board).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct StaffJson {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub job_title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_type: Option<String>,
}

/// A unit with its leaders, the units right below it and its staff.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: UnitJson,
    pub leaders: Vec<PersonRef>,
    pub children: Vec<UnitJson>,
    pub staff: Vec<StaffJson>,
}

/// A person found by a search, with their primary engagement.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct PersonJson {
    pub id: Uuid,
    pub name: String,
    pub unit_id: Uuid,
    pub unit: String,
    pub job_title: String,
    pub email: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PersonList {
    pub items: Vec<PersonJson>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// One leader's line of the span-of-control report (as `samskab report span-of-control
/// --format json`).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct SpanRowJson {
    pub leader: String,
    pub email: String,
    pub unit: String,
    pub level: i64,
    pub direct: i64,
    pub total: i64,
    pub leaders: i64,
    pub hourly: i64,
    pub salaried: i64,
}

impl From<&SpanRow> for SpanRowJson {
    fn from(r: &SpanRow) -> SpanRowJson {
        SpanRowJson {
            leader: r.leader_name.clone(),
            email: r.email.clone(),
            unit: r.unit_name.clone(),
            level: r.level,
            direct: r.direct_reports,
            total: r.total_reports,
            leaders: r.leader_reports,
            hourly: r.hourly,
            salaried: r.salaried,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SpanList {
    pub items: Vec<SpanRowJson>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// The units the caller may see.
#[utoipa::path(get, path = "/api/v1/units", tag = "organisation", params(Paging),
    responses((status = 200, body = UnitList), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn units(
    State(state): State<AppState>,
    permit: Permit<ViewUnits>,
    Query(paging): Query<Paging>,
) -> Result<Response> {
    let (limit, offset) = paging.parse(&permit.tr())?;
    let view = org_cache(&state).get(&state.db).await?;
    let reach = permit.reach();
    let visible: Vec<&Unit> = view.all_units().filter(|u| reach.covers(u.tree_left, u.depth)).collect();
    let items = visible.iter().skip(offset as usize).take(limit as usize).map(|u| UnitJson::from(*u)).collect();
    Ok(json(&UnitList { items, total: visible.len() as i64, limit, offset }))
}

/// One unit, with its leaders, children and staff.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "organisation", params(("id" = Uuid, Path)),
    responses((status = 200, body = UnitDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn unit(State(state): State<AppState>, permit: Permit<ViewUnits>, Path(id): Path<String>) -> Result<Response> {
    let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound)?;
    let view = org_cache(&state).get(&state.db).await?;
    let unit = view.unit(id).ok_or(AppError::NotFound)?;
    let place = UnitRef { left: unit.tree_left, depth: unit.depth };
    permit.require(actions::VIEW_UNIT.on_unit(place))?;
    let grants = &permit.user.grants;
    let show_pay = can(grants, actions::VIEW_EMPLOYMENT.on_unit(place));
    let detail = UnitDetail {
        unit: UnitJson::from(unit),
        leaders: view.leaders(id).iter().map(|p| PersonRef { id: p.id, name: p.name.clone() }).collect(),
        children: view
            .children(id)
            .filter(|c| can(grants, actions::VIEW_UNIT.on_unit(UnitRef { left: c.tree_left, depth: c.depth })))
            .map(UnitJson::from)
            .collect(),
        staff: view
            .staff(id)
            .iter()
            .map(|s| StaffJson {
                id: s.person_id,
                name: s.name.clone(),
                email: s.email.clone(),
                job_title: s.job_title.clone(),
                pay_type: show_pay.then(|| s.pay_type.clone()),
            })
            .collect(),
    };
    Ok(json(&detail))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Words of a name or job title (Danish search; each word matches the beginning of a
    /// word, case-insensitive); empty lists everyone the caller may see, by name.
    #[serde(default)]
    q: String,
}

/// People the caller may see: best match first, then by name.
#[utoipa::path(get, path = "/api/v1/people", tag = "organisation", params(PeopleQuery, Paging),
    responses((status = 200, body = PersonList), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn people(
    State(state): State<AppState>,
    permit: Permit<Browse>,
    Query(q): Query<PeopleQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response> {
    let tr = permit.tr();
    let (limit, offset) = paging.parse(&tr)?;
    let query = q.q.trim();
    if query.chars().count() > SEARCH_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("people-error-long", "max", SEARCH_MAX_CHARS)));
    }
    let reach = reach(&permit.user.grants, &actions::VIEW_UNIT);
    let found = store::search_people(&state.db, state.municipality, query, &reach, limit, offset).await?;
    let items = found
        .people
        .into_iter()
        .map(|h| PersonJson {
            id: h.person.id,
            name: h.person.name,
            unit_id: h.unit_id,
            unit: h.unit,
            job_title: h.job_title,
            email: h.person.email,
        })
        .collect();
    Ok(json(&PersonList { items, total: found.total, limit, offset }))
}

/// The span-of-control report: every leader the caller may see, in hierarchy order.
#[utoipa::path(get, path = "/api/v1/span-of-control", tag = "organisation", params(Paging),
    responses((status = 200, body = SpanList), (status = 401, body = Problem), (status = 403, body = Problem)))]
async fn span_of_control(
    State(state): State<AppState>,
    permit: Permit<ViewSpan>,
    Query(paging): Query<Paging>,
) -> Result<Response> {
    let (limit, offset) = paging.parse(&permit.tr())?;
    let view = org_cache(&state).get(&state.db).await?;
    let rows: Vec<&SpanRow> = view.span(&SpanFilter::within(permit.reach())).collect();
    let items = rows.iter().skip(offset as usize).take(limit as usize).map(|r| SpanRowJson::from(*r)).collect();
    Ok(json(&SpanList { items, total: rows.len() as i64, limit, offset }))
}
