//! The story bank's pages: the list with filters and search, a page per story, writing
//! and editing, and publishing.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;
use uuid::Uuid;

use super::model::{Readers, Story, StoryFilter, StoryHit, StoryInput, StoryState, Visibility, parse_tags};
use super::views::*;
use super::{PublishStories, WriteStories, actions, check, store};
use crate::AppState;
use crate::platform::accounts::CurrentUser;
use crate::platform::layout::{FormErrors, render};
use crate::platform::module::{Guard, Routes};
use crate::platform::participants::{self, Actor};
use crate::platform::permissions::can;
use crate::platform::search;
use crate::platform::site::store::core_tasks;
use crate::platform::web::{AppError, CsrfForm, Ctx, Permit, Result, page_number};

pub fn routes() -> Routes {
    Routes::new()
        .get("/historier", Guard::Public, list)
        .get("/historier/ny", Guard::Action(&actions::WRITE), new_form)
        .post("/historier/ny", Guard::Action(&actions::WRITE), create)
        .get("/historier/{id}", Guard::Public, story_page)
        .get("/historier/{id}/rediger", Guard::Action(&actions::WRITE), edit_form)
        .post("/historier/{id}/rediger", Guard::Action(&actions::WRITE), update)
        .post("/historier/{id}/status", Guard::Action(&actions::PUBLISH), change_state)
}

/// Who is reading: a visitor, a member, or one who publishes.
pub fn readers(user: Option<&CurrentUser>) -> Readers {
    match user {
        None => Readers::Public,
        Some(u) if can(&u.grants, actions::PUBLISH.anywhere()) => Readers::Editors,
        Some(u) => Readers::Member(u.account.id),
    }
}

/// Whether `user` may edit `story`: those who publish, and the writer while it is a draft.
pub fn may_edit(user: &CurrentUser, story: &Story) -> bool {
    can(&user.grants, actions::PUBLISH.anywhere())
        || (story.author_account_id == Some(user.account.id) && story.state == StoryState::Draft)
}

/// Whether `readers` may see `story`.
pub fn visible_to(readers: Readers, story: &Story) -> bool {
    match readers {
        Readers::Editors => true,
        Readers::Member(account) => story.state == StoryState::Published || story.author_account_id == Some(account),
        Readers::Public => story.state == StoryState::Published && story.visibility == Visibility::Public,
    }
}

const STORY_PAGE: i64 = 20;
/// Longer than any sensible search; a longer one is refused rather than searched.
pub const SEARCH_MAX_CHARS: usize = 200;

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kerneopgave: String,
    #[serde(default)]
    emne: String,
    side: Option<String>,
}

/// Searches a visitor (or a participant without an account) may make per minute from one
/// address; a search costs the database far more than a page.
pub const VISITOR_SEARCHES_PER_MINUTE: i64 = 120;

async fn list(State(state): State<AppState>, ctx: Ctx, actor: Actor, Query(lq): Query<ListQuery>) -> Result<Response> {
    let tr = ctx.tr();
    if !lq.q.trim().is_empty() {
        participants::limit(&state, &ctx, &actor, "stories.search", VISITOR_SEARCHES_PER_MINUTE, Duration::minutes(1))
            .await?;
    }
    let page_number = page_number(&tr, lq.side.as_deref())?;
    let readers = readers(ctx.user.as_deref());
    let tasks = core_tasks(&state.db, state.municipality).await?;
    let mut errors = FormErrors::default();
    let q = lq.q.trim().to_string();
    if q.chars().count() > SEARCH_MAX_CHARS {
        errors.push("q", tr.t1("story-error-search-long", "max", SEARCH_MAX_CHARS));
    }
    let core_task = Some(lq.kerneopgave.trim().to_string()).filter(|k| !k.is_empty());
    if let Some(k) = &core_task
        && !tasks.iter().any(|t| &t.key == k)
    {
        errors.push("kerneopgave", tr.t1("story-error-core-task-unknown", "key", k));
    }
    let tag = Some(super::model::normalise_tag(&lq.emne)).filter(|t| !t.is_empty());
    let (hits, total) = if errors.is_empty() {
        let filter = StoryFilter { q: q.clone(), core_task: core_task.clone(), tag: tag.clone(), ..Default::default() };
        let (stories, total) =
            store::list(&state.db, state.municipality, readers, &filter, STORY_PAGE, (page_number - 1) * STORY_PAGE)
                .await?;
        let searching = !search::query_stems(&q).is_empty();
        let hits = stories
            .into_iter()
            .map(|story| StoryHit { snippet: searching.then(|| search::snippet(&story.body, &q, 30)), story })
            .collect();
        (hits, total)
    } else {
        (Vec::new(), 0)
    };
    let tags = store::tags(&state.db, state.municipality, readers).await?;
    let query = serde_urlencoded::to_string([
        ("q", q.as_str()),
        ("kerneopgave", core_task.as_deref().unwrap_or("")),
        ("emne", tag.as_deref().unwrap_or("")),
    ])
    .unwrap_or_default();
    let bad = !errors.is_empty();
    let mut r = render(&ListTemplate {
        page: ctx.page(&state, tr.t("stories-title"), "stories"),
        hits,
        total,
        core_tasks: tasks,
        tags,
        q: if bad { String::new() } else { q },
        core_task: core_task.unwrap_or_default(),
        tag: tag.unwrap_or_default(),
        may_write: ctx.user.as_ref().is_some_and(|u| can(&u.grants, actions::WRITE.anywhere())),
        errors,
        page_number,
        pages: ((total + STORY_PAGE - 1) / STORY_PAGE).max(1),
        page_link: format!("/historier?{query}&side="),
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

fn parse_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| AppError::NotFound)
}

/// The story if `readers` may see it; otherwise it does not exist for them.
pub async fn readable(state: &AppState, readers: Readers, id: &str) -> Result<Story> {
    let story = store::get(&state.db, state.municipality, parse_id(id)?).await?.ok_or(AppError::NotFound)?;
    if visible_to(readers, &story) { Ok(story) } else { Err(AppError::NotFound) }
}

#[derive(Deserialize)]
struct SavedQuery {
    gemt: Option<String>,
}

async fn story_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(sq): Query<SavedQuery>,
) -> Result<Response> {
    let story = readable(&state, readers(ctx.user.as_deref()), &id).await?;
    let tasks = core_tasks(&state.db, state.municipality).await?;
    let names = story
        .core_tasks
        .iter()
        .filter_map(|k| tasks.iter().find(|t| &t.key == k).map(|t| t.name(&ctx.lang).to_string()))
        .collect();
    let unit_name = match story.unit_id {
        Some(unit) => crate::organisation::org_cache(&state).get(&state.db).await?.unit(unit).map(|u| u.name.clone()),
        None => None,
    };
    let (may_edit, may_publish) = match &ctx.user {
        Some(u) => (may_edit(u, &story), can(&u.grants, actions::PUBLISH.anywhere())),
        None => (false, false),
    };
    Ok(render(&StoryTemplate {
        page: ctx.page(&state, story.title.clone(), "stories"),
        body: body_html(&story.body),
        story,
        unit_name,
        core_tasks: names,
        may_edit,
        may_publish,
        saved: sq.gemt.is_some(),
    }))
}

/// The units a story can be placed in: the top three levels (a story is about a place
/// people recognise, not a team of three).
async fn unit_choices(state: &AppState) -> Result<Vec<(String, String)>> {
    let view = crate::organisation::org_cache(state).get(&state.db).await?;
    Ok(view
        .all_units()
        .filter(|u| u.depth <= 3)
        .map(|u| (u.id.to_string(), format!("{}{}", "– ".repeat((u.depth - 1).max(0) as usize), u.name)))
        .collect())
}

async fn form(
    state: &AppState,
    ctx: &Ctx,
    action: String,
    input: &StoryInput,
    errors: FormErrors,
    editing: bool,
) -> Result<Response> {
    let tr = ctx.tr();
    let title = tr.t(if editing { "story-edit-title" } else { "story-new-title" });
    let bad = !errors.is_empty();
    let mut r = render(&FormTemplate {
        page: ctx.page(state, title, "stories"),
        action,
        title: input.title.clone(),
        body: input.body.clone(),
        tags: input.tags.join(", "),
        chosen: input.core_tasks.clone(),
        core_tasks: core_tasks(&state.db, state.municipality).await?,
        unit_id: input.unit_id.map(|u| u.to_string()).unwrap_or_default(),
        units: unit_choices(state).await?,
        public: input.visibility == Some(Visibility::Public),
        errors,
        editing,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, permit: Permit<WriteStories>) -> Result<Response> {
    form(&state, &permit.ctx, "/historier/ny".into(), &StoryInput::default(), FormErrors::default(), false).await
}

/// The story form's fields (core tasks are repeated checkboxes).
fn input_from(fields: &[(String, String)], tr: &crate::platform::i18n::Tr) -> (StoryInput, FormErrors) {
    let mut input = StoryInput::default();
    let mut errors = FormErrors::default();
    for (k, v) in fields {
        match k.as_str() {
            "title" => input.title = v.trim().to_string(),
            "body" => input.body = v.trim().to_string(),
            "core_task" => input.core_tasks.push(v.clone()),
            "tags" => input.tags = parse_tags(v),
            "unit_id" if !v.trim().is_empty() => match Uuid::parse_str(v.trim()) {
                Ok(u) => input.unit_id = Some(u),
                Err(_) => errors.push("unit_id", tr.t("story-error-unit")),
            },
            "visibility" => input.visibility = Visibility::parse(v),
            _ => {}
        }
    }
    input.visibility = Some(input.visibility.unwrap_or(Visibility::Internal));
    (input, errors)
}

async fn create(
    State(state): State<AppState>,
    permit: Permit<WriteStories>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let tr = permit.tr();
    let (input, mut errors) = input_from(&fields, &tr);
    if let Err(more) = check(&state, &tr, &input).await {
        errors.0.extend(more.0);
    }
    if !errors.is_empty() {
        return form(&state, &permit.ctx, "/historier/ny".into(), &input, errors, false).await;
    }
    let account = &permit.user.account;
    let id = store::create(
        &state.db,
        state.municipality,
        &input,
        (Some(account.id), &account.display_name),
        StoryState::Draft,
        permit.ctx.audit("story.created"),
    )
    .await?;
    Ok(Redirect::to(&format!("/historier/{id}?gemt=1")).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    permit: Permit<WriteStories>,
    Path(id): Path<String>,
) -> Result<Response> {
    let story = readable(&state, readers(Some(&permit.user)), &id).await?;
    if !may_edit(&permit.user, &story) {
        return Err(AppError::Forbidden);
    }
    let input = StoryInput {
        title: story.title.clone(),
        body: story.body.clone(),
        core_tasks: story.core_tasks.clone(),
        tags: story.tags.clone(),
        unit_id: story.unit_id,
        visibility: Some(story.visibility),
    };
    form(&state, &permit.ctx, format!("/historier/{}/rediger", story.id), &input, FormErrors::default(), true).await
}

async fn update(
    State(state): State<AppState>,
    permit: Permit<WriteStories>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let story = readable(&state, readers(Some(&permit.user)), &id).await?;
    if !may_edit(&permit.user, &story) {
        return Err(AppError::Forbidden);
    }
    let tr = permit.tr();
    let (input, mut errors) = input_from(&fields, &tr);
    if let Err(more) = check(&state, &tr, &input).await {
        errors.0.extend(more.0);
    }
    if !errors.is_empty() {
        return form(&state, &permit.ctx, format!("/historier/{}/rediger", story.id), &input, errors, true).await;
    }
    store::update(&state.db, state.municipality, story.id, &input, permit.ctx.audit("story.updated")).await?;
    Ok(Redirect::to(&format!("/historier/{}?gemt=1", story.id)).into_response())
}

#[derive(Deserialize)]
struct StateInput {
    #[serde(default)]
    state: String,
}

async fn change_state(
    State(state): State<AppState>,
    permit: Permit<PublishStories>,
    Path(id): Path<String>,
    CsrfForm(input): CsrfForm<StateInput>,
) -> Result<Response> {
    let story = readable(&state, Readers::Editors, &id).await?;
    let new =
        StoryState::parse(&input.state).ok_or_else(|| AppError::BadRequest(permit.tr().t("story-error-state")))?;
    store::set_state(&state.db, state.municipality, story.id, new, permit.ctx.audit("story.state_changed")).await?;
    Ok(Redirect::to(&format!("/historier/{}?gemt=1", story.id)).into_response())
}
