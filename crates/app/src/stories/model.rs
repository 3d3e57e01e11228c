//! The story bank's records and the rules a story must meet.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where a story is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StoryState {
    Draft,
    Published,
    Archived,
}

impl StoryState {
    pub const ALL: [StoryState; 3] = [StoryState::Draft, StoryState::Published, StoryState::Archived];

    pub fn key(self) -> &'static str {
        match self {
            StoryState::Draft => "draft",
            StoryState::Published => "published",
            StoryState::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<StoryState> {
        StoryState::ALL.into_iter().find(|v| v.key() == s)
    }

    /// The Fluent id of the state's name.
    pub fn label_id(self) -> &'static str {
        match self {
            StoryState::Draft => "story-state-draft",
            StoryState::Published => "story-state-published",
            StoryState::Archived => "story-state-archived",
        }
    }
}

/// Who may read a published story.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Everyone in the municipality who is signed in.
    Internal,
    /// Anyone, also without logging in.
    Public,
}

impl Visibility {
    pub fn key(self) -> &'static str {
        match self {
            Visibility::Internal => "internal",
            Visibility::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Visibility> {
        [Visibility::Internal, Visibility::Public].into_iter().find(|v| v.key() == s)
    }
}

/// A story as stored, with its core tasks (keys) and tags.
#[derive(Clone, Debug)]
pub struct Story {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub unit_id: Option<Uuid>,
    pub author_account_id: Option<Uuid>,
    pub author_name: String,
    pub state: StoryState,
    pub visibility: Visibility,
    pub core_tasks: Vec<String>,
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A story in a list: the story and, for a search, its snippet (escaped HTML).
#[derive(Clone, Debug)]
pub struct StoryHit {
    pub story: Story,
    pub snippet: Option<String>,
}

/// What a writer sends: a new story or the new version of one.
#[derive(Clone, Debug, Default)]
pub struct StoryInput {
    pub title: String,
    pub body: String,
    pub core_tasks: Vec<String>,
    pub tags: Vec<String>,
    pub unit_id: Option<Uuid>,
    pub visibility: Option<Visibility>,
}

pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 50_000;
pub const TAG_MAX_CHARS: usize = 40;
pub const MAX_TAGS: usize = 10;

/// A tag as it is kept: trimmed, single spaces, lower case.
pub fn normalise_tag(tag: &str) -> String {
    tag.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Tags as kept: normalised, without empties and repeats, in the order given.
pub fn unique_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags.into_iter().map(normalise_tag).filter(|t| !t.is_empty()) {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Tags from a comma-separated field.
pub fn parse_tags(field: &str) -> Vec<String> {
    unique_tags(field.split(','))
}

/// Which stories a reader may see; a finder takes one, never "all" by leaving it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readers {
    /// A visitor who is not signed in: published public stories.
    Public,
    /// A signed-in member: every published story, and their own in any state.
    Member(Uuid),
    /// Those who publish (facilitators, HR): every story.
    Editors,
}

/// Filters of the story list.
#[derive(Clone, Debug, Default)]
pub struct StoryFilter {
    /// Danish search words.
    pub q: String,
    pub core_task: Option<String>,
    pub tag: Option<String>,
    pub unit_id: Option<Uuid>,
    pub state: Option<StoryState>,
}
