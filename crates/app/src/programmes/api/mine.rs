//! "Mit forløb" in the API: the signed-in person's activities with clashes, their groups,
//! and their calendar feed; the iCalendar response.

use super::*;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct MyActivity {
    #[serde(flatten)]
    pub activity: Activity,
    pub programme_title: String,
    /// enrolled or waiting
    pub status: EnrolmentStatus,
    /// It overlaps another of the person's activities.
    pub clash: bool,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct MyProgramme {
    /// Coming and running activities first, in time order.
    pub activities: Vec<MyActivity>,
    /// Whether the person has a calendar feed (its address is shown once, when made).
    pub has_calendar_feed: bool,
    /// The person's cohorts, learning groups and buddies, with the other members.
    pub groups: Vec<MyGroup>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct MyGroup {
    pub programme_id: Uuid,
    pub programme_title: String,
    pub group: Uuid,
    pub kind: crate::programmes::model::GroupKind,
    pub number: i32,
    /// The others in the group.
    pub members: Vec<GroupPerson>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct GroupPerson {
    pub person: Uuid,
    pub name: String,
    pub email: String,
}

/// "Mit forløb": the signed-in person's activities, with clashes flagged.
#[utoipa::path(get, path = "/api/v1/me/programme", tag = "programmes", responses((status = 200, body = MyProgramme)))]
pub async fn mine(State(state): State<AppState>, permit: Permit<ReadProgrammes>) -> Result<Response> {
    Ok(json(&my_programme(&state, &permit).await?))
}

pub async fn my_programme(state: &AppState, permit: &Permit<ReadProgrammes>) -> Result<MyProgramme> {
    let Some(person) = permit.user.account.person_id else {
        return Ok(MyProgramme { activities: Vec::new(), has_calendar_feed: false, groups: Vec::new() });
    };
    let mine = store::person_activities(&state.db, person).await?;
    let enrolled: Vec<&Activity> =
        mine.iter().filter(|m| m.status == EnrolmentStatus::Enrolled).map(|m| &m.activity).collect();
    let clashes = crate::programmes::calendar::clashes(&enrolled);
    let activities = mine
        .iter()
        .map(|m| MyActivity {
            clash: clashes.contains(&m.activity.id),
            activity: m.activity.clone(),
            programme_title: m.programme_title.clone(),
            status: m.status,
        })
        .collect();
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let groups = store::groups::person_groups(&state.db, person)
        .await?
        .into_iter()
        .map(|g| MyGroup {
            programme_id: g.programme_id,
            programme_title: g.programme_title,
            group: g.group,
            kind: g.kind,
            number: g.number,
            members: g
                .members
                .into_iter()
                .filter(|m| *m != person)
                .map(|m| {
                    let at = org.person(m);
                    GroupPerson {
                        person: m,
                        name: at.map(|p| p.name.clone()).unwrap_or_default(),
                        email: at.map(|p| p.email.clone()).unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(MyProgramme { activities, has_calendar_feed: store::has_feed(&state.db, person).await?, groups })
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Feed {
    /// The feed's address (shown only now; a new one ends the old one).
    pub url: String,
}

/// Makes a new calendar feed address for the signed-in person; the old one stops working.
#[utoipa::path(post, path = "/api/v1/me/calendar-feed", tag = "programmes",
    responses((status = 201, body = Feed), (status = 400, body = Problem)))]
pub async fn new_feed(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    headers: HeaderMap,
) -> Result<Response> {
    Ok(created(&Feed { url: renew_feed(&state, &permit, &headers).await? }))
}

pub async fn renew_feed(state: &AppState, permit: &Permit<ReadProgrammes>, headers: &HeaderMap) -> Result<String> {
    let Some(person) = permit.user.account.person_id else {
        return Err(AppError::BadRequest(permit.tr().t("calendar-error-no-person")));
    };
    let secret = crate::platform::accounts::random_token();
    store::renew_feed(&state.db, person, &crate::platform::accounts::hash_token(&secret)).await?;
    Ok(format!("{}/mit-forloeb/kalender/{secret}.ics", crate::platform::web::site_url(state, headers)))
}

/// An iCalendar response.
pub fn ics(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "private, max-age=300")], body)
        .into_response()
}
