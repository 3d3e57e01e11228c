//! The programmes' JSON API: programmes (from a template, copied, archived), activities,
//! enrolments with the waiting list, and the calendar feeds; groups in `groups.rs`.

pub mod attendance;
pub mod dashboard;
pub mod enrolments;
pub mod groups;
pub mod materials;
pub mod mine;
pub mod projects;
pub mod roles;
pub mod selection;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
pub use enrolments::*;
pub use mine::*;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{Activity, EnrolmentStatus, NewProgramme, Programme, Via};
use super::notices::{Facts, Letters, REMINDER_BEFORE};
use super::store::Changed;
use super::{ActivityInput, ManageProgrammes, ReadProgrammes, actions, check_activity, check_programme, store};
use crate::AppState;
use crate::platform::api::{ApiJson, Problem, created, invalid, json};
use crate::platform::jobs::NewJob;
use crate::platform::module::{Guard, Routes};
use crate::platform::permissions::UnitRef;
use crate::platform::web::site_url;
use crate::platform::web::{AppError, Permit, Result};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new()
        .get("/api/v1/programmes", read, list)
        .post("/api/v1/programmes", manage, create)
        .get("/api/v1/programmes/{id}", read, get_one)
        .post("/api/v1/programmes/{id}/copy", manage, copy)
        .post("/api/v1/programmes/{id}/archive", manage, archive)
        .post("/api/v1/programmes/{id}/activities", manage, add_activity)
        .get("/api/v1/programmes/{id}/enrolments", manage, programme_enrolments)
        .post("/api/v1/programmes/{id}/enrolments", read, enrol_in_programme)
        .post("/api/v1/programmes/{id}/selection", manage, selection::selection)
        .get("/api/v1/programmes/{id}/groups", manage, groups::list)
        .post("/api/v1/programmes/{id}/groups/preview", manage, groups::preview_groups)
        .post("/api/v1/programmes/{id}/groups/adopt", manage, groups::adopt_groups)
        .get("/api/v1/programmes/{id}/dashboard", manage, dashboard::get_dashboard)
        .get("/api/v1/activities/{id}/materials", read, materials::list)
        .post("/api/v1/activities/{id}/materials", manage, materials::upload)
        .get("/api/v1/materials/{id}", read, materials::get_file)
        .delete("/api/v1/materials/{id}", manage, materials::remove)
        .get("/api/v1/programmes/{id}/projects", read, projects::list)
        .post("/api/v1/programmes/{id}/projects", read, projects::create)
        .get("/api/v1/projects/{id}", read, projects::get_one)
        .patch("/api/v1/projects/{id}", read, projects::update)
        .post("/api/v1/projects/{id}/trials", read, projects::add_trial)
        .post("/api/v1/projects/{id}/story", read, projects::make_story)
        .patch("/api/v1/trials/{id}", read, projects::update_trial)
        .post("/api/v1/trials/{id}/feedback", read, projects::add_feedback)
        .get("/api/v1/groups/{id}/notes", read, projects::notes)
        .post("/api/v1/groups/{id}/notes", read, projects::add_note)
        .get("/api/v1/programme-roles", read, roles::list_roles)
        .post("/api/v1/programme-roles", manage, roles::add_role)
        .patch("/api/v1/programme-roles/{id}", manage, roles::change_role)
        .get("/api/v1/programmes/{id}/goals", read, roles::list_goals)
        .post("/api/v1/programmes/{id}/goals", manage, roles::add_goal)
        .get("/api/v1/programmes/{id}/self-ratings", read, roles::rating_changes)
        .post("/api/v1/programmes/{id}/self-ratings", read, roles::rate)
        .get("/api/v1/programmes/{id}/self-ratings/mine", read, roles::mine)
        .get("/api/v1/programmes/{id}/attendance", manage, attendance::get_progress)
        .get("/api/v1/activities/{id}/attendance", manage, attendance::get_list)
        .post("/api/v1/activities/{id}/attendance", manage, attendance::post_list)
        .post("/api/v1/activities/{id}/checkin-code", manage, attendance::post_code)
        .post("/api/v1/activities/{id}/checkin", read, attendance::post_check_in)
        .get("/api/v1/activities/{id}", read, activity)
        .patch("/api/v1/activities/{id}", manage, change_activity)
        .post("/api/v1/activities/{id}/enrolments", read, enrol)
        .delete("/api/v1/activities/{id}/enrolments/{person}", read, cancel)
        .get("/api/v1/me/programme", read, mine)
        .post("/api/v1/me/calendar-feed", read, new_feed)
}

#[derive(OpenApi)]
#[openapi(paths(
    list,
    create,
    get_one,
    copy,
    archive,
    add_activity,
    programme_enrolments,
    enrol_in_programme,
    selection::selection,
    dashboard::get_dashboard,
    materials::list,
    materials::upload,
    materials::get_file,
    materials::remove,
    projects::list,
    projects::create,
    projects::get_one,
    projects::update,
    projects::add_trial,
    projects::make_story,
    projects::update_trial,
    projects::add_feedback,
    projects::notes,
    projects::add_note,
    roles::list_roles,
    roles::add_role,
    roles::change_role,
    roles::list_goals,
    roles::add_goal,
    roles::rating_changes,
    roles::rate,
    roles::mine,
    attendance::get_progress,
    attendance::get_list,
    attendance::post_list,
    attendance::post_code,
    attendance::post_check_in,
    groups::list,
    groups::preview_groups,
    groups::adopt_groups,
    activity,
    change_activity,
    enrol,
    cancel,
    mine,
    new_feed
))]
pub struct Api;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// A programme of the municipality, or a 404.
pub async fn programme_of(state: &AppState, id: &str) -> Result<Programme> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)
}

/// An activity of the municipality, or a 404.
pub async fn activity_of(state: &AppState, id: &str) -> Result<Activity> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    store::activity_of(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)
}

/// The letters of an activity, with links to `site`.
async fn letters(state: &AppState, facts: Facts, site: &str) -> Result<Letters> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    Ok(Letters::new(facts, org, site.to_string()))
}

/// Schedules an activity's reminder two days before it starts (none when that has passed).
/// The job checks the start again, so a moved activity's old reminder does nothing.
pub async fn schedule_reminder(state: &AppState, activity: &Activity, site: &str) -> Result<()> {
    let at = activity.starts_at - REMINDER_BEFORE;
    if at <= Utc::now() {
        return Ok(());
    }
    let mut job = NewJob::new(
        super::REMINDERS.kind,
        serde_json::json!({ "activity": activity.id, "starts_at": activity.starts_at, "site": site }),
    );
    job.run_after = Some(at);
    job.dedupe_key = Some(format!("reminder:{}:{}", activity.id, activity.starts_at.timestamp()));
    crate::platform::jobs::store::enqueue(&state.db, state.municipality, &job).await?;
    Ok(())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProgrammeList {
    pub items: Vec<Programme>,
}

/// The municipality's active programmes, newest first.
#[utoipa::path(get, path = "/api/v1/programmes", tag = "programmes", responses((status = 200, body = ProgrammeList)))]
async fn list(State(state): State<AppState>, _permit: Permit<ReadProgrammes>) -> Result<Response> {
    Ok(json(&ProgrammeList { items: store::list(&state.db, state.municipality, false).await? }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewProgrammeJson {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// hedensted, rodovre, koege, or null for an empty programme.
    pub template: Option<String>,
    /// The template's activities are laid out from the first Monday on or after this day
    /// (default: four weeks from today).
    pub starts_on: Option<NaiveDate>,
}

/// Makes a programme, empty or from a template (its phases, modules and activities).
#[utoipa::path(post, path = "/api/v1/programmes", tag = "programmes", request_body = NewProgrammeJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<NewProgrammeJson>,
) -> Result<Response> {
    let template = body.template.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let site = site_url(&state, &headers);
    let id = create_checked(&state, &permit, &body.title, &body.description, template, body.starts_on, &site).await?;
    Ok(created(&Created { id }))
}

/// Checks and makes a programme (the API's and the form's way).
pub async fn create_checked(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    title: &str,
    description: &str,
    template: Option<&str>,
    starts_on: Option<NaiveDate>,
    site: &str,
) -> Result<Uuid> {
    let tr = permit.tr();
    let (title, description) = check_programme(&tr, title, description).map_err(invalid)?;
    let today = super::today();
    let from = starts_on.unwrap_or(today + chrono::Duration::weeks(4));
    if from < today {
        return Err(AppError::BadRequest(tr.t("programme-error-starts-on")));
    }
    let mut new = match template {
        None => NewProgramme::default(),
        Some(key) => super::templates::programme(key, from).ok_or_else(|| {
            AppError::BadRequest(tr.t1("programme-error-template", "keys", super::templates::KEYS.join(", ")))
        })?,
    };
    new.title = title;
    if !description.is_empty() || new.description.is_empty() {
        new.description = description;
    }
    store::roles::ensure_defaults(&state.db, state.municipality).await?;
    let id = store::create(&state.db, state.municipality, &new, permit.ctx.audit("programme.created")).await?;
    for a in store::activities(&state.db, id).await? {
        schedule_reminder(state, &a, site).await?;
    }
    Ok(id)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProgrammeDetail {
    #[serde(flatten)]
    pub programme: Programme,
    pub activities: Vec<Activity>,
}

/// A programme with its phases, modules and activities.
#[utoipa::path(get, path = "/api/v1/programmes/{id}", tag = "programmes",
    responses((status = 200, body = ProgrammeDetail), (status = 404, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    _permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let activities = store::activities(&state.db, programme.id).await?;
    Ok(json(&ProgrammeDetail { programme, activities }))
}

/// Copies a programme: its phases, modules and activities (at the same times), without the
/// people; the copy is titled "… (kopi)".
#[utoipa::path(post, path = "/api/v1/programmes/{id}/copy", tag = "programmes",
    responses((status = 201, body = Created), (status = 404, body = Problem)))]
async fn copy(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    let id = copy_programme(&state, &permit, &id, &site_url(&state, &headers)).await?;
    Ok(created(&Created { id }))
}

pub async fn copy_programme(state: &AppState, permit: &Permit<ManageProgrammes>, id: &str, site: &str) -> Result<Uuid> {
    let tr = permit.tr();
    let original = programme_of(state, id).await?;
    let activities = store::activities(&state.db, original.id).await?;
    let title: String =
        tr.t1("programme-copy-title", "title", &original.title).chars().take(super::model::TITLE_MAX_CHARS).collect();
    let position = |list: &[Uuid], id: Option<Uuid>| id.and_then(|id| list.iter().position(|x| *x == id));
    let modules: Vec<Uuid> = original.modules.iter().map(|m| m.id).collect();
    let phases: Vec<Uuid> = original.phases.iter().map(|p| p.id).collect();
    let role_keys: std::collections::HashMap<Uuid, String> =
        store::roles::roles(&state.db, state.municipality).await?.into_iter().map(|r| (r.id, r.key)).collect();
    let goals = store::roles::goals(&state.db, original.id)
        .await?
        .into_iter()
        .map(|g| {
            let role = g.role_id.and_then(|r| role_keys.get(&r).cloned()).unwrap_or_default();
            (position(&modules, g.module_id), role, g.text)
        })
        .collect();
    let new = NewProgramme {
        goals,
        title,
        description: original.description.clone(),
        template: original.template.clone(),
        phases: original.phases.iter().map(|p| (p.title.clone(), p.audience.clone())).collect(),
        modules: original.modules.iter().map(|m| (m.title.clone(), m.description.clone())).collect(),
        activities: activities
            .into_iter()
            .filter(|a| !a.cancelled)
            .map(|a| {
                (
                    position(&modules, a.module_id),
                    position(&phases, a.phase_id),
                    super::model::NewActivity {
                        module_id: None,
                        phase_id: None,
                        kind: a.kind,
                        title: a.title,
                        starts_at: a.starts_at,
                        ends_at: a.ends_at,
                        mode: a.mode,
                        place: a.place,
                        meeting_url: a.meeting_url,
                        capacity: a.capacity,
                        facilitator: a.facilitator,
                        agenda: a.agenda,
                    },
                )
            })
            .collect(),
    };
    let id = store::create(&state.db, state.municipality, &new, permit.ctx.audit("programme.copied")).await?;
    for a in store::activities(&state.db, id).await? {
        schedule_reminder(state, &a, site).await?;
    }
    Ok(id)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ArchiveJson {
    /// false takes the programme back from the archive.
    #[serde(default = "yes")]
    pub archived: bool,
}

fn yes() -> bool {
    true
}

/// Archives a programme (it leaves the list; its history stays), or takes it back.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/archive", tag = "programmes", request_body = ArchiveJson,
    responses((status = 200, body = Programme), (status = 404, body = Problem)))]
async fn archive(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ArchiveJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let action = if body.archived { "programme.archived" } else { "programme.restored" };
    store::set_archived(&state.db, state.municipality, programme.id, body.archived, permit.ctx.audit(action)).await?;
    Ok(json(&programme_of(&state, &id).await?))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct ActivityJson {
    pub title: String,
    /// workshop, seminar, coaching, leader_group, residential, kick_off, after_work, course,
    /// e_learning, home_assignment
    pub kind: String,
    /// RFC 3339, or a local time in Europe/Copenhagen ("2027-03-04T09:00").
    pub starts_at: String,
    pub ends_at: String,
    /// physical (default), virtual or hybrid.
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub meeting_url: String,
    /// No limit when absent.
    pub capacity: Option<i64>,
    #[serde(default)]
    pub facilitator: String,
    #[serde(default)]
    pub agenda: String,
    pub module: Option<Uuid>,
    pub phase: Option<Uuid>,
}

impl From<ActivityJson> for ActivityInput {
    fn from(b: ActivityJson) -> ActivityInput {
        ActivityInput {
            title: b.title,
            kind: b.kind,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            mode: b.mode,
            place: b.place,
            meeting_url: b.meeting_url,
            capacity: b.capacity,
            facilitator: b.facilitator,
            agenda: b.agenda,
            module: b.module,
            phase: b.phase,
        }
    }
}

/// Adds an activity (a time in the past, an end before its start or a meeting without its
/// link: 400 with the reasons).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/activities", tag = "programmes", request_body = ActivityJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn add_activity(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActivityJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let new = check_activity(&permit.tr(), &programme, &body.into(), Utc::now(), None).map_err(invalid)?;
    let id = add_checked(&state, &permit, &programme, &new, &site_url(&state, &headers)).await?;
    Ok(created(&Created { id }))
}

/// Saves a checked activity and schedules its reminder (the API's and the form's way).
pub async fn add_checked(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    programme: &Programme,
    new: &super::model::NewActivity,
    site: &str,
) -> Result<Uuid> {
    let id =
        store::add_activity(&state.db, state.municipality, programme.id, new, permit.ctx.audit("activity.created"))
            .await?;
    schedule_reminder(state, &activity_of(state, &id.to_string()).await?, site).await?;
    Ok(id)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ActivityDetail {
    #[serde(flatten)]
    pub activity: Activity,
    /// Enrolled and waiting, in the order they came (for those who run the programme).
    pub enrolments: Option<Vec<super::model::Enrolment>>,
}

/// An activity; those who run programmes see who is enrolled and waiting.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "programmes",
    responses((status = 200, body = ActivityDetail), (status = 404, body = Problem)))]
async fn activity(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let enrolments =
        if permit.may(actions::MANAGE.anywhere()) { Some(enrolment_list(&state, activity.id).await?) } else { None };
    Ok(json(&ActivityDetail { activity, enrolments }))
}

pub async fn enrolment_list(state: &AppState, activity: Uuid) -> Result<Vec<super::model::Enrolment>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    Ok(store::enrolments(&state.db, activity)
        .await?
        .into_iter()
        .map(|(person, status, since)| super::model::Enrolment {
            person,
            name: org.person(person).map(|p| p.name.clone()).unwrap_or_default(),
            status,
            since,
        })
        .collect())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ChangedJson {
    #[serde(flatten)]
    pub activity: Activity,
    /// People moved up from the waiting list by a larger capacity.
    pub promoted: Vec<Uuid>,
}

/// Changes an activity (all its fields, as when it was made): calendars get the change
/// through its raised SEQUENCE. A capacity below the number enrolled is refused (409).
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "programmes", request_body = ActivityJson,
    responses((status = 200, body = ChangedJson), (status = 400, body = Problem), (status = 409, body = Problem)))]
async fn change_activity(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActivityJson>,
) -> Result<Response> {
    let promoted = change_checked(&state, &permit, &id, body.into(), &site_url(&state, &headers)).await?;
    Ok(json(&ChangedJson { activity: activity_of(&state, &id).await?, promoted }))
}

/// Checks and saves a changed activity, telling the people moved up.
pub async fn change_checked(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    id: &str,
    input: ActivityInput,
    site: &str,
) -> Result<Vec<Uuid>> {
    let tr = permit.tr();
    let activity = activity_of(state, id).await?;
    let programme = programme_of(state, &activity.programme_id.to_string()).await?;
    let new = check_activity(&tr, &programme, &input, Utc::now(), Some(&activity)).map_err(invalid)?;
    let after = Facts::changed(activity.id, &new, &programme.title);
    let tell = after.differs_for_participants(&Facts::of(&activity, &programme.title));
    let letters = letters(state, after, site).await?;
    let entry = permit.ctx.audit("activity.changed");
    match store::update_activity(&state.db, state.municipality, activity.id, &new, &letters, tell, entry).await? {
        Changed::BelowEnrolled(n) => Err(AppError::Conflict(tr.t1("activity-error-below-enrolled", "count", n))),
        Changed::Saved(promoted) => {
            if tell || !promoted.is_empty() {
                crate::platform::mail::wake(state);
            }
            let saved = activity_of(state, id).await?;
            if saved.starts_at != activity.starts_at {
                schedule_reminder(state, &saved, site).await?;
            }
            Ok(promoted)
        }
    }
}
