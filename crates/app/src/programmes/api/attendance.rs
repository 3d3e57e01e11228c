//! Attendance in the API: the facilitator's list for an activity, the check-in code shown in
//! the room and check-in with it, each participant's progress through a programme, and the
//! completed activities as CSV or XLSX for the HR system.

use std::collections::{BTreeMap, HashSet};

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::Copenhagen;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{activity_of, programme_of};
use crate::AppState;
use crate::platform::api::{ApiJson, Problem, created, json};
use crate::platform::exports::{self, Cell, CsvDialect};
use crate::platform::i18n::Tr;
use crate::platform::web::{AppError, Ctx, Permit, Result};
use crate::programmes::model::{Activity, EnrolmentStatus, Programme};
use crate::programmes::store::{self, attendance::AttendanceRow};
use crate::programmes::{ManageProgrammes, ReadProgrammes};

/// Check-in is open from an hour before the start until two hours after the end.
pub fn check_in_open(a: &Activity, now: DateTime<Utc>) -> bool {
    !a.cancelled && now >= a.starts_at - Duration::hours(1) && now <= a.ends_at + Duration::hours(2)
}

/// The list can be kept from the activity's day on (Danish time), not before.
pub fn list_open(a: &Activity, now: DateTime<Utc>) -> bool {
    !a.cancelled && now.with_timezone(&Copenhagen).date_naive() >= a.starts_at.with_timezone(&Copenhagen).date_naive()
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AttendanceEntry {
    pub person: Uuid,
    pub name: String,
    pub present: bool,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AttendanceList {
    /// The code participants check in with, while it is shown.
    pub code: Option<String>,
    /// Whether the list can be kept now (from the activity's day).
    pub open: bool,
    /// The people enrolled, with whether they are recorded present.
    pub people: Vec<AttendanceEntry>,
}

/// An activity's attendance list.
pub async fn list_of(state: &AppState, activity: &Activity) -> Result<AttendanceList> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let present: HashSet<Uuid> = store::attendance::present(&state.db, activity.id).await?.into_iter().collect();
    let mut people: Vec<AttendanceEntry> = store::enrolments(&state.db, activity.id)
        .await?
        .into_iter()
        .filter(|(_, status, _)| *status == EnrolmentStatus::Enrolled)
        .map(|(person, _, _)| AttendanceEntry {
            person,
            name: org.person(person).map(|p| p.name.clone()).unwrap_or_default(),
            present: present.contains(&person),
        })
        .collect();
    people.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(AttendanceList {
        code: store::attendance::code(&state.db, activity.id).await?,
        open: list_open(activity, Utc::now()),
        people,
    })
}

/// Saves the list: the people named present, the other enrolled people absent. Someone not
/// enrolled, or a list kept before the day: a message, nothing saved.
pub async fn record_checked(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    activity: &Activity,
    present: &[Uuid],
) -> Result<()> {
    let tr = permit.tr();
    if !list_open(activity, Utc::now()) {
        return Err(AppError::Conflict(tr.t("attendance-error-early")));
    }
    let enrolled: Vec<Uuid> = store::enrolled_people(&state.db, activity.id).await?;
    if let Some(stranger) = present.iter().find(|p| !enrolled.contains(p)) {
        return Err(AppError::BadRequest(tr.t1("attendance-error-not-enrolled", "person", stranger)));
    }
    let entry = permit.ctx.audit("activity.attendance");
    Ok(store::attendance::record_list(&state.db, state.municipality, activity.id, &enrolled, present, entry).await?)
}

/// Makes a new check-in code for an activity.
pub async fn new_code(state: &AppState, permit: &Permit<ManageProgrammes>, activity: &Activity) -> Result<String> {
    if activity.cancelled {
        return Err(AppError::Conflict(permit.tr().t("activity-error-cancelled")));
    }
    let code = crate::platform::participants::short_code();
    let entry = permit.ctx.audit("activity.checkin_code");
    store::attendance::set_code(&state.db, state.municipality, activity.id, &code, entry).await?;
    Ok(code)
}

/// Checks the signed-in person in with the code shown in the room.
pub async fn check_in_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    activity: &Activity,
    typed: &str,
) -> Result<()> {
    let tr = permit.tr();
    let person = permit.user.account.person_id.ok_or_else(|| AppError::BadRequest(tr.t("enrolment-error-person")))?;
    if !store::enrolled_people(&state.db, activity.id).await?.contains(&person) {
        return Err(AppError::Conflict(tr.t("attendance-error-not-yours")));
    }
    if !check_in_open(activity, Utc::now()) {
        return Err(AppError::Conflict(tr.t("attendance-error-closed")));
    }
    let code = store::attendance::code(&state.db, activity.id).await?.unwrap_or_default();
    let typed = crate::platform::participants::normalise_code(typed);
    if code.is_empty() || !crate::platform::web::constant_time_eq(typed.as_bytes(), code.as_bytes()) {
        return Err(AppError::BadRequest(tr.t("attendance-error-code")));
    }
    let entry = permit.ctx.audit("activity.checked_in");
    Ok(store::attendance::check_in(&state.db, state.municipality, activity.id, person, entry).await?)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Progress {
    pub person: Uuid,
    pub name: String,
    pub unit: Option<Uuid>,
    /// Activities begun that the person is enrolled on.
    pub activities: usize,
    pub present: usize,
    pub absent: usize,
    /// Not recorded either way.
    pub unrecorded: usize,
}

/// Each participant's progress through a programme, by name (a second's copy).
pub async fn progress(state: &AppState, programme: &Programme) -> Result<std::sync::Arc<Vec<Progress>>> {
    let copies = &crate::programmes::cache::PROGRESS;
    if let Some(kept) = copies.get(programme.id) {
        return Ok(kept);
    }
    let generation = copies.generation();
    let read = std::sync::Arc::new(progress_now(state, programme).await?);
    copies.keep(programme.id, generation, read.clone());
    Ok(read)
}

async fn progress_now(state: &AppState, programme: &Programme) -> Result<Vec<Progress>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let rows = store::attendance::programme_attendance(&state.db, programme.id, Utc::now()).await?;
    let mut by_person: BTreeMap<Uuid, (usize, usize, usize)> = store::programme_enrolments(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|(p, _, _)| (p, (0, 0, 0)))
        .collect();
    for r in &rows {
        let e = by_person.entry(r.person).or_default();
        match r.present {
            Some(true) => e.0 += 1,
            Some(false) => e.1 += 1,
            None => e.2 += 1,
        }
    }
    let mut out: Vec<Progress> = by_person
        .into_iter()
        .map(|(person, (present, absent, unrecorded))| {
            let at = org.person(person);
            Progress {
                person,
                name: at.map(|p| p.name.clone()).unwrap_or_default(),
                unit: at.map(|p| p.unit),
                activities: present + absent + unrecorded,
                present,
                absent,
                unrecorded,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name).then(a.person.cmp(&b.person)));
    Ok(out)
}

/// The completed activities (recorded present) as a table for the HR system.
async fn completed_table(state: &AppState, tr: &Tr, programme: &Programme) -> Result<(Vec<String>, Vec<Vec<Cell>>)> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let rows: Vec<AttendanceRow> = store::attendance::programme_attendance(&state.db, programme.id, Utc::now())
        .await?
        .into_iter()
        .filter(|r| r.present == Some(true))
        .collect();
    let headings = ["name", "email", "unit", "programme", "activity", "kind", "date", "minutes"]
        .iter()
        .map(|h| tr.t(&format!("completed-{h}")))
        .collect();
    let cells = rows
        .into_iter()
        .map(|r| {
            let at = org.person(r.person);
            let unit = at.and_then(|p| org.unit(p.unit)).map(|u| u.name.clone()).unwrap_or_default();
            vec![
                Cell::Text(at.map(|p| p.name.clone()).unwrap_or_default()),
                Cell::Text(at.map(|p| p.email.clone()).unwrap_or_default()),
                Cell::Text(unit),
                Cell::Text(programme.title.clone()),
                Cell::Text(r.title),
                Cell::Text(r.kind),
                Cell::Text(r.starts_at.with_timezone(&Copenhagen).date_naive().to_string()),
                Cell::Number((r.ends_at - r.starts_at).num_minutes()),
            ]
        })
        .collect();
    Ok((headings, cells))
}

/// The completed activities as a download (CSV for a Danish spreadsheet, or XLSX), recorded
/// in the audit log: it names people.
pub async fn completed_file(state: &AppState, ctx: &Ctx, programme: &Programme, xlsx: bool) -> Result<Response> {
    let tr = ctx.tr();
    let (headings, rows) = completed_table(state, &tr, programme).await?;
    let (bytes, kind, file) = if xlsx {
        (
            exports::xlsx(&tr.t("completed-sheet"), &headings, &rows, &[24.0, 28.0, 24.0, 28.0, 36.0])?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "gennemfoert.xlsx",
        )
    } else {
        (exports::csv(&headings, &rows, CsvDialect::DanishSpreadsheet)?, "text/csv; charset=utf-8", "gennemfoert.csv")
    };
    let entry = ctx.audit("programme.exported").subject(store::AUDIT_KIND, programme.id, &programme.title).detail(file);
    crate::platform::audit::record(&state.db, Some(state.municipality), &entry).await?;
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// An activity's attendance list and check-in code.
#[utoipa::path(get, path = "/api/v1/activities/{id}/attendance", tag = "programmes",
    responses((status = 200, body = AttendanceList), (status = 404, body = Problem)))]
pub async fn get_list(
    State(state): State<AppState>,
    _permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    Ok(json(&list_of(&state, &activity).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PresentJson {
    /// Everyone present; the other enrolled people are recorded absent.
    pub present: Vec<Uuid>,
}

/// Keeps the attendance list (from the activity's day on).
#[utoipa::path(post, path = "/api/v1/activities/{id}/attendance", tag = "programmes", request_body = PresentJson,
    responses((status = 200, body = AttendanceList), (status = 400, body = Problem), (status = 409, body = Problem)))]
pub async fn post_list(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PresentJson>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    record_checked(&state, &permit, &activity, &body.present).await?;
    Ok(json(&list_of(&state, &activity).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CodeJson {
    pub code: String,
}

/// Makes a new check-in code for the room (the old one stops working).
#[utoipa::path(post, path = "/api/v1/activities/{id}/checkin-code", tag = "programmes",
    responses((status = 201, body = CodeJson), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn post_code(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    Ok(created(&CodeJson { code: new_code(&state, &permit, &activity).await? }))
}

/// Checks the signed-in person in with the code shown in the room.
#[utoipa::path(post, path = "/api/v1/activities/{id}/checkin", tag = "programmes", request_body = CodeJson,
    responses((status = 201, body = AttendanceEntry), (status = 400, body = Problem), (status = 409, body = Problem)))]
pub async fn post_check_in(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CodeJson>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    check_in_checked(&state, &permit, &activity, &body.code).await?;
    Ok(created(&AttendanceEntry {
        person: permit.user.account.person_id.unwrap_or_default(),
        name: permit.user.account.display_name.clone(),
        present: true,
    }))
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct FormatQuery {
    /// csv or xlsx: the completed activities as a file; absent: progress as JSON.
    pub format: Option<String>,
}

/// Each participant's progress (activities begun, present, absent, not recorded), or with
/// `format=csv|xlsx` the completed activities for the HR system.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/attendance", tag = "programmes", params(FormatQuery),
    responses((status = 200, body = [Progress]), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get_progress(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    match q.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Ok(json(&*progress(&state, &programme).await?)),
        Some("csv") => completed_file(&state, &permit.ctx, &programme, false).await,
        Some("xlsx") => completed_file(&state, &permit.ctx, &programme, true).await,
        Some(_) => Err(AppError::BadRequest(permit.tr().t("completed-error-format"))),
    }
}
