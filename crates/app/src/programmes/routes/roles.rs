//! The role model's pages, a programme's competence goals (added on its page) and a
//! participant's self-rating.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::super::api::programme_of;
use super::super::api::roles::{
    GoalJson, RatingJson, RoleJson, add_goal_checked, add_role_checked, change_role_checked, my_ratings, rate_checked,
    role_list,
};
use super::super::views::{RatingRoleView, RatingTemplate, RoleFormTemplate, RoleRowView, RolesTemplate};
use super::super::{ManageProgrammes, ReadProgrammes, actions};
use super::{Saved, programme_view};
use crate::AppState;
use crate::platform::layout::{FormErrors, render_form};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new()
        .get("/programmer/roller", read, roles_page)
        .post("/programmer/roller", manage, add_role)
        .get("/programmer/roller/{id}", manage, role_form)
        .post("/programmer/roller/{id}", manage, change_role)
        .post("/programmer/{id}/maal", manage, add_goal)
        .get("/programmer/{id}/selvvurdering", read, rating_form)
        .post("/programmer/{id}/selvvurdering", read, rate)
}

async fn roles_view(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    form: RoleJson,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let rows = role_list(state)
        .await?
        .into_iter()
        .map(|r| RoleRowView {
            id: r.id.to_string(),
            audience: tr.t(&r.audience.label_id()),
            name: r.name,
            description: r.description,
            active: r.active,
        })
        .collect();
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &RolesTemplate {
            page: permit.ctx.page(state, tr.t("roles-title"), "programmes"),
            rows,
            may_manage: permit.may(actions::MANAGE.anywhere()),
            key: form.key,
            name: form.name,
            description: form.description,
            audience: form.audience,
            errors,
            notice,
        },
        has_errors,
    ))
}

async fn roles_page(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let notice = q.gemt.map(|_| permit.tr().t("roles-saved"));
    roles_view(&state, &permit, RoleJson::default(), FormErrors::default(), notice).await
}

#[derive(serde::Deserialize, Default)]
struct RoleForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    active: Option<String>,
}

impl RoleForm {
    fn json(self) -> RoleJson {
        RoleJson {
            key: self.key,
            name: self.name,
            description: self.description,
            audience: self.audience,
            active: self.active.is_some(),
        }
    }
}

async fn add_role(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response> {
    let body = form.json();
    match add_role_checked(&state, &permit, &body).await {
        Ok(_) => Ok(Redirect::to("/programmer/roller?gemt=1").into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            let read = permit.also::<ReadProgrammes>()?;
            roles_view(&state, &read, body, FormErrors::one("key", m), None).await
        }
        Err(e) => Err(e),
    }
}

async fn role_form_view(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    id: &str,
    form: Option<RoleJson>,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let role_id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let role = role_list(state).await?.into_iter().find(|r| r.id == role_id).ok_or(AppError::NotFound)?;
    let form = form.unwrap_or(RoleJson {
        name: role.name.clone(),
        description: role.description.clone(),
        active: role.active,
        ..Default::default()
    });
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &RoleFormTemplate {
            page: permit.ctx.page(state, tr.t1("roles-edit-title", "name", &role.name), "programmes"),
            id: role.id.to_string(),
            name: form.name,
            description: form.description,
            active: form.active,
            errors,
        },
        has_errors,
    ))
}

async fn role_form(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    role_form_view(&state, &permit, &id, None, FormErrors::default()).await
}

async fn change_role(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response> {
    let body = form.json();
    match change_role_checked(&state, &permit, &id, &body).await {
        Ok(()) => Ok(Redirect::to("/programmer/roller?gemt=1").into_response()),
        Err(AppError::BadRequest(m)) => {
            role_form_view(&state, &permit, &id, Some(body), FormErrors::one("key", m)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(serde::Deserialize, Default)]
struct GoalForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    module: String,
}

async fn add_goal(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<GoalForm>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let module = match form.module.trim() {
        "" => None,
        m => Some(Uuid::parse_str(m).map_err(|_| AppError::BadRequest(permit.tr().t("activity-error-module")))?),
    };
    let body = GoalJson { text: form.text, role: Some(form.role), module };
    match add_goal_checked(&state, &permit, &programme, &body).await {
        Ok(_) => Ok(Redirect::to(&format!("/programmer/{}?gemt=maal", programme.id)).into_response()),
        Err(AppError::BadRequest(m)) => {
            let read = permit.also::<ReadProgrammes>()?;
            programme_view(&state, &read, &id, None, FormErrors::one("text", m)).await
        }
        Err(e) => Err(e),
    }
}

async fn rating_view(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    moment: &str,
    chosen: &[(String, i32)],
    errors: FormErrors,
    notice: Option<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let programme = programme_of(state, id).await?;
    let person = permit.user.account.person_id.ok_or_else(|| AppError::BadRequest(tr.t("enrolment-error-person")))?;
    let roles = my_ratings(state, programme.id, person)
        .await?
        .into_iter()
        .map(|r| RatingRoleView {
            chosen: chosen.iter().find(|(k, _)| *k == r.key).map(|(_, s)| *s).unwrap_or(0),
            key: r.key,
            name: r.name,
            description: r.description,
            start: r.start,
            end: r.end,
        })
        .collect();
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &RatingTemplate {
            page: permit.ctx.page(state, tr.t1("ratings-title", "programme", &programme.title), "programmes"),
            id: programme.id.to_string(),
            moment: moment.to_string(),
            roles,
            errors,
            notice,
        },
        has_errors,
    ))
}

async fn rating_form(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let notice = q.gemt.map(|_| permit.tr().t("ratings-saved"));
    rating_view(&state, &permit, &id, "start", &[], FormErrors::default(), notice).await
}

async fn rate(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let moment = fields.iter().find(|(k, _)| k == "moment").map(|(_, v)| v.clone()).unwrap_or_default();
    let chosen: Vec<(String, i32)> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("r-")?.to_string(), v.trim().parse::<i32>().unwrap_or(0))))
        .collect();
    let body = RatingJson { moment: moment.clone(), ratings: chosen.iter().cloned().collect() };
    match rate_checked(&state, &permit, &programme, &body).await {
        Ok(_) => Ok(Redirect::to(&format!("/programmer/{}/selvvurdering?gemt=1", programme.id)).into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            rating_view(&state, &permit, &id, &moment, &chosen, FormErrors::one("ratings", m), None).await
        }
        Err(e) => Err(e),
    }
}
