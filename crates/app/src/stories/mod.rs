//! The story bank: good examples from practice, which Hedensted's programme collects and
//! Hvidovre's strategy shares. Employees write drafts; facilitators and HR publish and
//! archive; visitors who are not signed in read published public stories. Stories are
//! found by core task, tag, unit and Danish search, on the pages and in the API.
//!
//! The first module built on the platform's module template: see docs/architecture.md,
//! "Adding a module", which it follows file by file.

pub mod api;
pub mod demo;
pub mod model;
pub mod routes;
pub mod store;
pub mod views;

use uuid::Uuid;

use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::FormErrors;
use crate::platform::module::{Module, NavEntry, no_start};
use crate::platform::permissions::{ActionDef, EVERYONE, Role};
use model::{BODY_MAX_CHARS, MAX_TAGS, StoryInput, TAG_MAX_CHARS, TITLE_MAX_CHARS};

pub mod actions {
    use super::*;

    /// Read the municipality's published stories (and one's own drafts).
    pub static READ: ActionDef = ActionDef { key: "stories.read", roles: EVERYONE };
    /// Write a story (a draft) and edit one's own.
    pub static WRITE: ActionDef = ActionDef { key: "stories.write", roles: EVERYONE };
    /// Publish, archive and edit any story.
    pub static PUBLISH: ActionDef =
        ActionDef { key: "stories.publish", roles: &[Role::Administrator, Role::Facilitator] };
}

crate::policy!(pub ReadStories = actions::READ);
crate::policy!(pub WriteStories = actions::WRITE);
crate::policy!(pub PublishStories = actions::PUBLISH);

pub static MODULE: Module = Module {
    name: "stories",
    routes: || routes::routes().merge(api::routes()),
    nav: &[NavEntry { href: "/historier", label: "nav-stories", section: "stories", action: &actions::READ }],
    locales: (include_str!("../../locales/da/stories.ftl"), include_str!("../../locales/en/stories.ftl")),
    actions: &[&actions::READ, &actions::WRITE, &actions::PUBLISH],
    start: no_start,
    home: None,
    code_door: None,
    audit_links: &[crate::platform::module::AuditLink { kind: "story", prefix: "/historier/" }],
    jobs: &[],
    openapi: Some(<api::Api as utoipa::OpenApi>::openapi),
};

/// Checks a story against the rules (lengths, known core tasks, an existing unit); the
/// errors name the field, in the reader's language. Nothing is written on an error.
pub async fn check(state: &AppState, tr: &Tr, input: &StoryInput) -> Result<(), FormErrors> {
    let mut errors = FormErrors::default();
    let title = input.title.trim().chars().count();
    if title == 0 {
        errors.push("title", tr.t("story-error-title"));
    } else if title > TITLE_MAX_CHARS {
        errors.push("title", tr.t1("story-error-title-long", "max", TITLE_MAX_CHARS));
    }
    let body = input.body.trim().chars().count();
    if body == 0 {
        errors.push("body", tr.t("story-error-body"));
    } else if body > BODY_MAX_CHARS {
        errors.push("body", tr.t1("story-error-body-long", "max", tr.num(BODY_MAX_CHARS as i64)));
    }
    let known = match crate::platform::site::store::core_tasks(&state.db, state.municipality).await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "could not read the core tasks");
            errors.push("core_tasks", tr.t("error-500-text"));
            return Err(errors);
        }
    };
    if input.core_tasks.is_empty() {
        errors.push("core_tasks", tr.t("story-error-core-task"));
    } else if let Some(unknown) = input.core_tasks.iter().find(|k| !known.iter().any(|c| &c.key == *k)) {
        errors.push("core_tasks", tr.t1("story-error-core-task-unknown", "key", unknown));
    }
    if input.tags.len() > MAX_TAGS || input.tags.iter().any(|t| t.chars().count() > TAG_MAX_CHARS) {
        errors.push("tags", tr.t1("story-error-tags", "max", MAX_TAGS));
    }
    if let Some(unit) = input.unit_id
        && !unit_exists(state, unit).await
    {
        errors.push("unit_id", tr.t("story-error-unit"));
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// Whether the organisation has this unit (through its public functions).
async fn unit_exists(state: &AppState, unit: Uuid) -> bool {
    crate::organisation::org_cache(state).get(&state.db).await.is_ok_and(|view| view.unit(unit).is_some())
}
