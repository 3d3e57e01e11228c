//! Enrolment in the API: who may put whom on a programme or activity (oneself, a leader's
//! nomination, those who run programmes), sign-up with the waiting list, cancellation.

use super::*;

/// How the signed-in user may put `person` on a programme or activity: themselves (self
/// sign-up), anyone when they run programmes, or people of their own part of the
/// organisation when they lead it (nomination). A 400 for someone not in the organisation,
/// a 403 for someone out of reach.
pub async fn may_enrol<P: crate::platform::web::Policy>(
    state: &AppState,
    permit: &Permit<P>,
    person: Uuid,
) -> Result<Via> {
    if permit.user.account.person_id == Some(person) {
        return Ok(Via::SelfSignUp);
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let Some(at) = org.person(person) else {
        return Err(AppError::BadRequest(permit.tr().t("enrolment-error-person")));
    };
    if permit.may(actions::MANAGE.anywhere()) {
        return Ok(Via::Nomination);
    }
    let unit = org.unit(at.unit).map(|u| UnitRef { left: u.tree_left, depth: u.depth });
    match unit {
        Some(unit) if permit.may(actions::NOMINATE.on_unit(unit)) => Ok(Via::Nomination),
        _ => Err(AppError::Forbidden),
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PersonJson {
    pub person: Uuid,
    /// The cascade phase the person takes part in.
    pub phase: Option<Uuid>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Enrolled {
    /// enrolled or waiting
    pub status: EnrolmentStatus,
    /// false when the person already was (nothing changed).
    pub changed: bool,
    /// The groups a late enrolment was placed in (when the programme's groups are adopted).
    pub placed: Vec<groups::Placement>,
}

/// Enrols a person in a programme (oneself, or by nomination).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/enrolments", tag = "programmes", request_body = PersonJson,
    responses((status = 201, body = Enrolled), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn enrol_in_programme(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PersonJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let (changed, placed) = enrol_programme_checked(&state, &permit, &programme, body.person, body.phase).await?;
    Ok(created(&Enrolled { status: EnrolmentStatus::Enrolled, changed, placed }))
}

/// Checks and enrols a person in a programme — oneself, or by nomination — and places them
/// in the adopted groups (the API's and the page's way).
pub async fn enrol_programme_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    programme: &Programme,
    person: Uuid,
    phase: Option<Uuid>,
) -> Result<(bool, Vec<groups::Placement>)> {
    let tr = permit.tr();
    if programme.archived {
        return Err(AppError::Conflict(tr.t("programme-error-archived")));
    }
    if phase.is_some_and(|p| !programme.phases.iter().any(|x| x.id == p)) {
        return Err(AppError::BadRequest(tr.t("activity-error-phase")));
    }
    let via = may_enrol(state, permit, person).await?;
    let entry = permit.ctx.audit("programme.enrolled");
    let changed =
        store::enrol_in_programme(&state.db, state.municipality, programme.id, person, via, phase, entry).await?;
    let placed = if changed {
        groups::place_late(state, programme.id, person, permit.ctx.audit("programme.placed")).await?
    } else {
        Vec::new()
    };
    Ok((changed, placed))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProgrammePerson {
    pub person: Uuid,
    pub name: String,
    pub unit: Option<Uuid>,
    /// nomination, self or selection
    pub via: Via,
}

/// The people enrolled in a programme.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/enrolments", tag = "programmes",
    responses((status = 200, body = [ProgrammePerson]), (status = 404, body = Problem)))]
pub async fn programme_enrolments(
    State(state): State<AppState>,
    _permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let org = crate::organisation::org_cache(&state).get(&state.db).await?;
    let people: Vec<ProgrammePerson> = store::programme_enrolments(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|(person, via, _)| {
            let at = org.person(person);
            ProgrammePerson {
                person,
                name: at.map(|p| p.name.clone()).unwrap_or_default(),
                unit: at.map(|p| p.unit),
                via,
            }
        })
        .collect();
    Ok(json(&people))
}

/// Signs a person up for an activity (and the programme, if they were not in it): a place
/// while there is one, else the waiting list, which moves up by itself.
#[utoipa::path(post, path = "/api/v1/activities/{id}/enrolments", tag = "programmes", request_body = PersonJson,
    responses((status = 201, body = Enrolled), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem)))]
pub async fn enrol(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PersonJson>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let site = site_url(&state, &headers);
    let (status, changed, placed) = enrol_checked(&state, &permit, &activity, body.person, &site).await?;
    Ok(created(&Enrolled { status, changed, placed }))
}

/// Checks and makes a sign-up (the API's and the page's way).
pub async fn enrol_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    activity: &Activity,
    person: Uuid,
    site: &str,
) -> Result<(EnrolmentStatus, bool, Vec<groups::Placement>)> {
    let tr = permit.tr();
    let via = may_enrol(state, permit, person).await?;
    if activity.cancelled {
        return Err(AppError::Conflict(tr.t("activity-error-cancelled")));
    }
    if activity.ends_at < Utc::now() {
        return Err(AppError::Conflict(tr.t("activity-error-over")));
    }
    let programme = programme_of(state, &activity.programme_id.to_string()).await?;
    if programme.archived {
        return Err(AppError::Conflict(tr.t("programme-error-archived")));
    }
    let mut placed = Vec::new();
    if !store::is_enrolled(&state.db, programme.id, person).await?
        && store::enrol_in_programme(
            &state.db,
            state.municipality,
            programme.id,
            person,
            via,
            activity.phase_id,
            permit.ctx.audit("programme.enrolled"),
        )
        .await?
    {
        placed = groups::place_late(state, programme.id, person, permit.ctx.audit("programme.placed")).await?;
    }
    let letters = letters(state, Facts::of(activity, &programme.title), site).await?;
    let entry = permit.ctx.audit("activity.enrolled");
    let (status, changed) = store::enrol(&state.db, state.municipality, activity.id, person, &letters, entry).await?;
    if changed {
        crate::platform::mail::wake(state);
    }
    Ok((status, changed, placed))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Cancelled {
    pub cancelled: bool,
    /// Who moved up from the waiting list into the freed place.
    pub promoted: Vec<Uuid>,
}

/// Cancels a person's place (or spot on the waiting list); the first on the waiting list
/// moves up.
#[utoipa::path(delete, path = "/api/v1/activities/{id}/enrolments/{person}", tag = "programmes",
    responses((status = 200, body = Cancelled), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    headers: HeaderMap,
    Path((id, person)): Path<(String, String)>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let person = Uuid::parse_str(person.trim()).map_err(|_| AppError::NotFound)?;
    let (cancelled, promoted) = cancel_checked(&state, &permit, &activity, person, &site_url(&state, &headers)).await?;
    Ok(json(&Cancelled { cancelled, promoted }))
}

pub async fn cancel_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    activity: &Activity,
    person: Uuid,
    site: &str,
) -> Result<(bool, Vec<Uuid>)> {
    may_enrol(state, permit, person).await?;
    let programme = programme_of(state, &activity.programme_id.to_string()).await?;
    let letters = letters(state, Facts::of(activity, &programme.title), site).await?;
    let entry = permit.ctx.audit("activity.cancelled");
    let (cancelled, promoted) =
        store::cancel(&state.db, state.municipality, activity.id, person, &letters, entry).await?;
    if !promoted.is_empty() {
        crate::platform::mail::wake(state);
    }
    Ok((cancelled, promoted))
}
