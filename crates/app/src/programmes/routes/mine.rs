//! "Mit forløb" and the calendar feeds: the person's next activities, groups and projects,
//! the feed address, and the feeds themselves (a person's by the secret in its address).

use super::*;

async fn mine_view(state: &AppState, permit: &Permit<ReadProgrammes>, new_feed: Option<String>) -> Result<Response> {
    let tr = permit.tr();
    let projects = match permit.user.account.person_id {
        Some(p) => {
            store::projects::of_person(&state.db, p).await?.into_iter().map(|p| (p.id.to_string(), p.title)).collect()
        }
        None => Vec::new(),
    };
    let mine = my_programme(state, permit).await?;
    let now = Utc::now();
    let activities = mine
        .activities
        .into_iter()
        .filter(|m| m.activity.ends_at >= now)
        .map(|m| MyActivityView {
            id: m.activity.id.to_string(),
            when: when(&tr, &m.activity),
            place: if m.activity.place.is_empty() {
                tr.t(&m.activity.mode.label_id())
            } else {
                m.activity.place.clone()
            },
            status: tr.t(&m.status.label_id()),
            clash: m.clash,
            title: m.activity.title,
            programme: m.programme_title,
        })
        .collect();
    Ok(render(&MineTemplate {
        page: permit.ctx.page(state, tr.t("my-programme-title"), "my-programme"),
        activities,
        is_person: permit.user.account.person_id.is_some(),
        has_feed: mine.has_calendar_feed,
        new_feed,
        groups: mine
            .groups
            .into_iter()
            .map(|g| MyGroupView {
                link: (g.kind == crate::programmes::model::GroupKind::Learning)
                    .then(|| format!("/grupper/{}", g.group)),
                heading: tr.ta(
                    &format!("my-group-{}", g.kind.key()),
                    &[("number", &g.number), ("programme", &g.programme_title)],
                ),
                members: g.members.into_iter().map(|m| (m.name, m.email)).collect(),
            })
            .collect(),
        projects,
    }))
}

pub(super) async fn mine(State(state): State<AppState>, permit: Permit<ReadProgrammes>) -> Result<Response> {
    mine_view(&state, &permit, None).await
}

pub(super) async fn new_feed(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let url = renew_feed(&state, &permit, &headers).await?;
    mine_view(&state, &permit, Some(url)).await
}

pub(super) async fn programme_feed(
    State(state): State<AppState>,
    _permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let activities = store::activities(&state.db, programme.id).await?;
    let refs: Vec<&crate::programmes::model::Activity> = activities.iter().collect();
    Ok(ics(crate::programmes::calendar::feed(&programme.title, "samskab", &refs)))
}

/// A person's feed by the secret in its address (calendar programs cannot sign in).
pub(super) async fn person_feed(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response> {
    let secret = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let hash = crate::platform::accounts::hash_token(secret);
    let person = store::feed_person(&state.db, &hash).await?.ok_or(AppError::NotFound)?;
    let mine = store::person_activities(&state.db, person).await?;
    let refs: Vec<&crate::programmes::model::Activity> =
        mine.iter().filter(|m| m.status == EnrolmentStatus::Enrolled).map(|m| &m.activity).collect();
    Ok(ics(crate::programmes::calendar::feed("Mit forløb", "samskab", &refs)))
}
