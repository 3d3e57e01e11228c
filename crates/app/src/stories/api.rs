//! The story bank's JSON API (`/api/v1/stories`), with the same rules as the pages.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{Story, StoryFilter, StoryInput, StoryState, Visibility, normalise_tag};
use super::routes::{SEARCH_MAX_CHARS, may_edit, readable, readers};
use super::{ReadStories, WriteStories, actions, check, store};
use crate::AppState;
use crate::platform::api::{ApiJson, Paging, Problem, invalid, json};
use crate::platform::module::{Guard, Routes};
use crate::platform::permissions::can;
use crate::platform::search;
use crate::platform::web::{AppError, Permit, Result};

pub fn routes() -> Routes {
    Routes::new()
        .get("/api/v1/stories", Guard::Action(&actions::READ), list)
        .post("/api/v1/stories", Guard::Action(&actions::WRITE), create)
        .get("/api/v1/stories/{id}", Guard::Action(&actions::READ), get)
        .patch("/api/v1/stories/{id}", Guard::Action(&actions::WRITE), patch)
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, get, patch),
    components(schemas(StoryJson, StoryList, NewStory, StoryChange, StoryState, Visibility))
)]
pub struct Api;

/// A story.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct StoryJson {
    pub id: Uuid,
    pub title: String,
    /// Plain text: blank lines part paragraphs, lines starting with "- " are a list.
    pub body: String,
    /// Core task keys (`laering`, …).
    pub core_tasks: Vec<String>,
    pub tags: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub author: String,
    pub state: StoryState,
    pub visibility: Visibility,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// For a search: where the words were found, as escaped HTML with `<mark>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

impl StoryJson {
    fn from(s: Story, snippet: Option<String>) -> StoryJson {
        StoryJson {
            id: s.id,
            title: s.title,
            body: s.body,
            core_tasks: s.core_tasks,
            tags: s.tags,
            unit_id: s.unit_id,
            author: s.author_name,
            state: s.state,
            visibility: s.visibility,
            created_at: s.created_at,
            updated_at: s.updated_at,
            published_at: s.published_at,
            snippet,
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StoryList {
    pub items: Vec<StoryJson>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StoryQuery {
    /// Danish search words (quotes and operators are read as words).
    #[serde(default)]
    q: String,
    /// A core task key.
    core_task: Option<String>,
    tag: Option<String>,
    unit_id: Option<String>,
    /// draft, published or archived.
    state: Option<String>,
}

/// Stories the caller may read, best match first for a search, else newest first.
#[utoipa::path(get, path = "/api/v1/stories", tag = "stories", params(StoryQuery, Paging),
    responses((status = 200, body = StoryList), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    permit: Permit<ReadStories>,
    Query(q): Query<StoryQuery>,
    Query(paging): Query<Paging>,
) -> Result<Response> {
    let tr = permit.tr();
    let (limit, offset) = paging.parse(&tr)?;
    let query = q.q.trim().to_string();
    if query.chars().count() > SEARCH_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("story-error-search-long", "max", SEARCH_MAX_CHARS)));
    }
    let core_task = q.core_task.map(|k| k.trim().to_string()).filter(|k| !k.is_empty());
    if let Some(k) = &core_task {
        let known = crate::platform::site::store::core_tasks(&state.db, state.municipality).await?;
        if !known.iter().any(|t| &t.key == k) {
            return Err(AppError::BadRequest(tr.t1("story-error-core-task-unknown", "key", k)));
        }
    }
    let unit_id = match q.unit_id.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => Some(Uuid::parse_str(u).map_err(|_| AppError::BadRequest(tr.t("story-error-unit")))?),
        None => None,
    };
    let state_filter = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(StoryState::parse(s).ok_or_else(|| AppError::BadRequest(tr.t("story-error-state")))?),
        None => None,
    };
    let filter = StoryFilter {
        q: query.clone(),
        core_task,
        tag: q.tag.map(|t| normalise_tag(&t)).filter(|t| !t.is_empty()),
        unit_id,
        state: state_filter,
    };
    let readers = readers(Some(&permit.user));
    let (stories, total) = store::list(&state.db, state.municipality, readers, &filter, limit, offset).await?;
    let searching = !search::query_stems(&query).is_empty();
    let items = stories
        .into_iter()
        .map(|s| {
            let snippet = searching.then(|| search::snippet(&s.body, &query, 30));
            StoryJson::from(s, snippet)
        })
        .collect();
    Ok(json(&StoryList { items, total, limit, offset }))
}

/// A new story (a draft).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewStory {
    pub title: String,
    pub body: String,
    /// One or more core task keys.
    pub core_tasks: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub visibility: Option<Visibility>,
}

fn tags_of(tags: &[String]) -> Vec<String> {
    super::model::unique_tags(tags.iter().map(String::as_str))
}

/// Writes a draft story.
#[utoipa::path(post, path = "/api/v1/stories", tag = "stories", request_body = NewStory,
    responses((status = 201, body = StoryJson), (status = 400, body = Problem), (status = 401, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    permit: Permit<WriteStories>,
    ApiJson(new): ApiJson<NewStory>,
) -> Result<Response> {
    let input = StoryInput {
        title: new.title.trim().to_string(),
        body: new.body.trim().to_string(),
        core_tasks: new.core_tasks,
        tags: tags_of(&new.tags),
        unit_id: new.unit_id,
        visibility: Some(new.visibility.unwrap_or(Visibility::Internal)),
    };
    check(&state, &permit.tr(), &input).await.map_err(invalid)?;
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
    let story = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let mut r = json(&StoryJson::from(story, None));
    *r.status_mut() = StatusCode::CREATED;
    Ok(r.into_response())
}

/// One story.
#[utoipa::path(get, path = "/api/v1/stories/{id}", tag = "stories", params(("id" = Uuid, Path)),
    responses((status = 200, body = StoryJson), (status = 404, body = Problem)))]
async fn get(State(state): State<AppState>, permit: Permit<ReadStories>, Path(id): Path<String>) -> Result<Response> {
    let story = readable(&state, readers(Some(&permit.user)), &id).await?;
    Ok(json(&StoryJson::from(story, None)))
}

/// Changes to a story; what is left out stays.
#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct StoryChange {
    pub title: Option<String>,
    pub body: Option<String>,
    pub core_tasks: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub unit_id: Option<Uuid>,
    pub visibility: Option<Visibility>,
    /// Publishing, archiving or back to draft: for facilitators and HR only.
    pub state: Option<StoryState>,
}

/// Changes a story: its writer while it is a draft, or those who publish.
#[utoipa::path(patch, path = "/api/v1/stories/{id}", tag = "stories", params(("id" = Uuid, Path)), request_body = StoryChange,
    responses((status = 200, body = StoryJson), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn patch(
    State(state): State<AppState>,
    permit: Permit<WriteStories>,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<StoryChange>,
) -> Result<Response> {
    let story = readable(&state, readers(Some(&permit.user)), &id).await?;
    let content = change.title.is_some()
        || change.body.is_some()
        || change.core_tasks.is_some()
        || change.tags.is_some()
        || change.unit_id.is_some()
        || change.visibility.is_some();
    if content && !may_edit(&permit.user, &story) {
        return Err(AppError::Forbidden);
    }
    if change.state.is_some() && !can(&permit.user.grants, actions::PUBLISH.anywhere()) {
        return Err(AppError::Forbidden);
    }
    if content {
        let input = StoryInput {
            title: change.title.map(|t| t.trim().to_string()).unwrap_or(story.title.clone()),
            body: change.body.map(|b| b.trim().to_string()).unwrap_or(story.body.clone()),
            core_tasks: change.core_tasks.unwrap_or(story.core_tasks.clone()),
            tags: change.tags.map(|t| tags_of(&t)).unwrap_or(story.tags.clone()),
            unit_id: change.unit_id.or(story.unit_id),
            visibility: Some(change.visibility.unwrap_or(story.visibility)),
        };
        check(&state, &permit.tr(), &input).await.map_err(invalid)?;
        store::update(&state.db, state.municipality, story.id, &input, permit.ctx.audit("story.updated")).await?;
    }
    if let Some(new) = change.state {
        store::set_state(&state.db, state.municipality, story.id, new, permit.ctx.audit("story.state_changed")).await?;
    }
    let story = store::get(&state.db, state.municipality, story.id).await?.ok_or(AppError::NotFound)?;
    Ok(json(&StoryJson::from(story, None)))
}
