//! The role model, competence goals and self-ratings in the API.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Created, programme_of};
use crate::AppState;
use crate::platform::api::{ApiJson, Problem, created, json};
use crate::platform::i18n::Tr;
use crate::platform::web::{AppError, Permit, Result};
use crate::programmes::model::{
    Audience, CompetenceGoal, GroupKind, Moment, Programme, ProgrammeRole, RATING_MAX, RATING_MIN, TITLE_MAX_CHARS,
};
use crate::programmes::roles::shown_mean;
use crate::programmes::{ManageProgrammes, ReadProgrammes, store};

const DESCRIPTION_MAX_CHARS: usize = 500;

/// The municipality's roles (the defaults on first use).
pub async fn role_list(state: &AppState) -> Result<Vec<ProgrammeRole>> {
    store::roles::ensure_defaults(&state.db, state.municipality).await?;
    Ok(store::roles::roles(&state.db, state.municipality).await?)
}

/// The roles of the model.
#[utoipa::path(get, path = "/api/v1/programme-roles", tag = "programmes", responses((status = 200, body = [ProgrammeRole])))]
pub async fn list_roles(State(state): State<AppState>, _permit: Permit<ReadProgrammes>) -> Result<Response> {
    Ok(json(&role_list(&state).await?))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct RoleJson {
    /// Letters a–z, digits and dashes; fixed once made.
    #[serde(default)]
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// employee or leader
    #[serde(default)]
    pub audience: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn check_role_text(tr: &Tr, name: &str, description: &str) -> Result<()> {
    if name.trim().is_empty() || name.trim().chars().count() > TITLE_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("role-error-name", "max", TITLE_MAX_CHARS)));
    }
    if description.trim().chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("role-error-description", "max", DESCRIPTION_MAX_CHARS)));
    }
    Ok(())
}

/// Checks and adds a role (the API's and the page's way).
pub async fn add_role_checked(state: &AppState, permit: &Permit<ManageProgrammes>, body: &RoleJson) -> Result<Uuid> {
    let tr = permit.tr();
    let key = body.key.trim();
    if !(2..=40).contains(&key.len()) || !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(AppError::BadRequest(tr.t("role-error-key")));
    }
    check_role_text(&tr, &body.name, &body.description)?;
    let audience = Audience::parse(&body.audience).ok_or_else(|| AppError::BadRequest(tr.t("role-error-audience")))?;
    store::roles::ensure_defaults(&state.db, state.municipality).await?;
    let entry = permit.ctx.audit("programme_role.created");
    let made = store::roles::add_role(
        &state.db,
        state.municipality,
        key,
        body.name.trim(),
        body.description.trim(),
        audience,
        entry,
    )
    .await?;
    made.ok_or_else(|| AppError::Conflict(tr.t1("role-error-taken", "key", key)))
}

/// Adds a role to the model.
#[utoipa::path(post, path = "/api/v1/programme-roles", tag = "programmes", request_body = RoleJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 409, body = Problem)))]
pub async fn add_role(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    ApiJson(body): ApiJson<RoleJson>,
) -> Result<Response> {
    Ok(created(&Created { id: add_role_checked(&state, &permit, &body).await? }))
}

/// Checks and changes a role's name, description and whether it is in use.
pub async fn change_role_checked(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    id: &str,
    body: &RoleJson,
) -> Result<()> {
    check_role_text(&permit.tr(), &body.name, &body.description)?;
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let entry = permit.ctx.audit("programme_role.changed");
    let name = body.name.trim();
    let description = body.description.trim();
    if store::roles::update_role(&state.db, state.municipality, id, name, description, body.active, entry).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// Changes a role (its key and audience stay).
#[utoipa::path(patch, path = "/api/v1/programme-roles/{id}", tag = "programmes", request_body = RoleJson,
    responses((status = 200, body = [ProgrammeRole]), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn change_role(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RoleJson>,
) -> Result<Response> {
    change_role_checked(&state, &permit, &id, &body).await?;
    Ok(json(&role_list(&state).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct GoalJson {
    pub text: String,
    /// The key of the role the goal points to.
    pub role: Option<String>,
    pub module: Option<Uuid>,
}

/// Checks and adds a competence goal (the API's and the page's way).
pub async fn add_goal_checked(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    programme: &Programme,
    body: &GoalJson,
) -> Result<Uuid> {
    let tr = permit.tr();
    let text = body.text.trim();
    if text.is_empty() || text.chars().count() > TITLE_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("goal-error-text", "max", TITLE_MAX_CHARS)));
    }
    if body.module.is_some_and(|m| !programme.modules.iter().any(|x| x.id == m)) {
        return Err(AppError::BadRequest(tr.t("activity-error-module")));
    }
    let role = match body.role.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(key) => Some(
            role_list(state)
                .await?
                .into_iter()
                .find(|r| r.key == key && r.active)
                .map(|r| r.id)
                .ok_or_else(|| AppError::BadRequest(tr.t1("goal-error-role", "role", key)))?,
        ),
    };
    let entry = permit.ctx.audit("programme.goal_added");
    Ok(store::roles::add_goal(&state.db, state.municipality, programme.id, body.module, role, text, entry).await?)
}

/// A programme's competence goals.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/goals", tag = "programmes",
    responses((status = 200, body = [CompetenceGoal]), (status = 404, body = Problem)))]
pub async fn list_goals(
    State(state): State<AppState>,
    _permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(json(&store::roles::goals(&state.db, programme.id).await?))
}

/// Adds a competence goal that points to a role (and a module).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/goals", tag = "programmes", request_body = GoalJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn add_goal(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GoalJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(created(&Created { id: add_goal_checked(&state, &permit, &programme, &body).await? }))
}

/// The roles a person rates themselves on: the active roles of their audience.
pub async fn roles_of(state: &AppState, person: Uuid) -> Result<Vec<ProgrammeRole>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let audience = if org.person(person).is_some_and(|p| p.is_leader) { Audience::Leader } else { Audience::Employee };
    Ok(role_list(state).await?.into_iter().filter(|r| r.active && r.audience == audience).collect())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RatingJson {
    /// start or end
    pub moment: String,
    /// A score from 1 to 5 for each of the person's roles, by role key.
    pub ratings: BTreeMap<String, i32>,
}

/// Checks and saves the signed-in participant's self-rating: every one of their roles, each
/// 1–5, only when they take part in the programme.
pub async fn rate_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    programme: &Programme,
    body: &RatingJson,
) -> Result<usize> {
    let tr = permit.tr();
    let person = permit.user.account.person_id.ok_or_else(|| AppError::BadRequest(tr.t("enrolment-error-person")))?;
    if !store::is_enrolled(&state.db, programme.id, person).await? {
        return Err(AppError::Conflict(tr.t("rating-error-not-enrolled")));
    }
    let moment = Moment::parse(&body.moment).ok_or_else(|| AppError::BadRequest(tr.t("rating-error-moment")))?;
    let roles = roles_of(state, person).await?;
    if let Some(unknown) = body.ratings.keys().find(|k| !roles.iter().any(|r| &r.key == *k)) {
        return Err(AppError::BadRequest(tr.t1("rating-error-role", "role", unknown)));
    }
    let mut ratings = Vec::with_capacity(roles.len());
    for role in &roles {
        match body.ratings.get(&role.key) {
            Some(score) if (RATING_MIN..=RATING_MAX).contains(score) => ratings.push((role.id, *score)),
            Some(_) => {
                return Err(AppError::BadRequest(
                    tr.ta("rating-error-score", &[("role", &role.name), ("min", &RATING_MIN), ("max", &RATING_MAX)]),
                ));
            }
            None => return Err(AppError::BadRequest(tr.t1("rating-error-missing", "role", &role.name))),
        }
    }
    let entry = permit.ctx.audit("programme.self_rated");
    store::roles::rate(&state.db, state.municipality, programme.id, person, moment, &ratings, entry).await?;
    Ok(ratings.len())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Saved {
    pub saved: usize,
}

/// The signed-in participant rates themselves on their roles (again replaces).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/self-ratings", tag = "programmes", request_body = RatingJson,
    responses((status = 201, body = Saved), (status = 400, body = Problem), (status = 409, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RatingJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(created(&Saved { saved: rate_checked(&state, &permit, &programme, &body).await? }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct MyRating {
    pub key: String,
    pub name: String,
    pub description: String,
    pub start: Option<i32>,
    pub end: Option<i32>,
}

/// The signed-in person's roles with their own ratings.
pub async fn my_ratings(state: &AppState, programme: Uuid, person: Uuid) -> Result<Vec<MyRating>> {
    let all = store::roles::ratings(&state.db, programme).await?;
    let mine = |role: Uuid, moment: Moment| {
        all.iter().find(|(p, r, m, _, _)| *p == person && *r == role && *m == moment).map(|(_, _, _, s, _)| *s)
    };
    Ok(roles_of(state, person)
        .await?
        .into_iter()
        .map(|r| MyRating {
            start: mine(r.id, Moment::Start),
            end: mine(r.id, Moment::End),
            key: r.key,
            name: r.name,
            description: r.description,
        })
        .collect())
}

/// The change in one role for one cohort: means only from five people who rated both times.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct RatingChange {
    /// The cohort's number; null for those in no cohort (or a programme without cohorts).
    pub cohort: Option<i32>,
    pub role: String,
    pub role_name: String,
    /// People who rated themselves on the role both at the start and the end (null when
    /// fewer than five: the count alone says too much in a small cohort).
    pub n: Option<usize>,
    pub start_mean: Option<f64>,
    pub end_mean: Option<f64>,
    pub change: Option<f64>,
    /// Fewer than five people: nothing is shown.
    pub suppressed: bool,
}

/// The change per cohort and role.
pub async fn changes(state: &AppState, programme: Uuid) -> Result<Vec<RatingChange>> {
    let ratings = store::roles::ratings(&state.db, programme).await?;
    if ratings.is_empty() {
        return Ok(Vec::new());
    }
    let roles = role_list(state).await?;
    let cohort_of: HashMap<Uuid, i32> = store::groups::groups(&state.db, programme)
        .await?
        .into_iter()
        .filter(|g| g.kind == GroupKind::Cohort)
        .flat_map(|g| g.members.into_iter().map(move |(p, _)| (p, g.number)))
        .collect();
    // (cohort, role) → person → (start, end)
    let mut pairs: BTreeMap<(Option<i32>, usize), HashMap<Uuid, (Option<i32>, Option<i32>)>> = BTreeMap::new();
    for (person, role, moment, score, _) in ratings {
        let Some(position) = roles.iter().position(|r| r.id == role) else { continue };
        let slot = pairs.entry((cohort_of.get(&person).copied(), position)).or_default().entry(person).or_default();
        match moment {
            Moment::Start => slot.0 = Some(score),
            Moment::End => slot.1 = Some(score),
        }
    }
    Ok(pairs
        .into_iter()
        .map(|((cohort, position), people)| {
            let both: Vec<(i32, i32)> = people.values().filter_map(|(s, e)| Some(((*s)?, (*e)?))).collect();
            let start = shown_mean(&both.iter().map(|b| b.0).collect::<Vec<_>>());
            let end = shown_mean(&both.iter().map(|b| b.1).collect::<Vec<_>>());
            let shown = start.is_some() && end.is_some();
            RatingChange {
                cohort,
                role: roles[position].key.clone(),
                role_name: roles[position].name.clone(),
                n: shown.then_some(both.len()),
                start_mean: start,
                end_mean: end,
                change: start.zip(end).map(|(s, e)| e - s),
                suppressed: !shown,
            }
        })
        .collect())
}

/// The change in the self-ratings per cohort and role (nothing for fewer than five people).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/self-ratings", tag = "programmes",
    responses((status = 200, body = [RatingChange]), (status = 404, body = Problem)))]
pub async fn rating_changes(
    State(state): State<AppState>,
    _permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(json(&changes(&state, programme.id).await?))
}

/// The signed-in person's roles and ratings in a programme.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/self-ratings/mine", tag = "programmes",
    responses((status = 200, body = [MyRating]), (status = 404, body = Problem)))]
pub async fn mine(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let Some(person) = permit.user.account.person_id else { return Ok(json(&Vec::<MyRating>::new())) };
    Ok(json(&my_ratings(&state, programme.id, person).await?))
}
