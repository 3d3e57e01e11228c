//! All of the story bank's SQL. Every write and its audit entry are one transaction, and
//! the story's search entry is written in it too.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::model::{Readers, Story, StoryFilter, StoryInput, StoryState, Visibility};
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::platform::search::{self, Dialect, Matching};

/// The search index's name for stories.
pub const SEARCH_KIND: &str = "story";

const COLUMNS: &str = "s.id, s.title, s.body, s.unit_id, s.author_account_id, s.author_name, s.state, s.visibility, \
     s.created_at, s.updated_at, s.published_at";

type Row = (
    Uuid,
    String,
    String,
    Option<Uuid>,
    Option<Uuid>,
    String,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

fn story(row: Row) -> Story {
    let (
        id,
        title,
        body,
        unit_id,
        author_account_id,
        author_name,
        state,
        visibility,
        created_at,
        updated_at,
        published_at,
    ) = row;
    Story {
        id,
        title,
        body,
        unit_id,
        author_account_id,
        author_name,
        state: StoryState::parse(&state).unwrap_or(StoryState::Draft),
        visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Internal),
        core_tasks: Vec::new(),
        tags: Vec::new(),
        created_at,
        updated_at,
        published_at,
    }
}

/// The text a story is found by.
fn searchable(input: &StoryInput) -> String {
    format!("{}\n{}\n{}", input.title, input.body, input.tags.join(" "))
}

/// Core tasks and tags of a story, replaced.
macro_rules! write_links {
    ($tx:ident, $municipality:expr, $id:expr, $input:expr) => {
        sqlx::query("DELETE FROM story_core_task WHERE story_id = $1").bind($id).execute(&mut *$tx).await?;
        sqlx::query("DELETE FROM story_tag WHERE story_id = $1").bind($id).execute(&mut *$tx).await?;
        for key in &$input.core_tasks {
            sqlx::query(
                "INSERT INTO story_core_task (story_id, core_task_id)
                 SELECT $1, id FROM core_task WHERE municipality_id = $2 AND key = $3",
            )
            .bind($id)
            .bind($municipality)
            .bind(key)
            .execute(&mut *$tx)
            .await?;
        }
        for tag in &$input.tags {
            sqlx::query("INSERT INTO story_tag (story_id, tag) VALUES ($1, $2)")
                .bind($id)
                .bind(tag)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

/// Writes a new story (checked by the caller) and its audit entry; returns its id.
pub async fn create(
    db: &Db,
    municipality: Uuid,
    input: &StoryInput,
    author: (Option<Uuid>, &str),
    state: StoryState,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let id = new_id();
    let now = Utc::now();
    let visibility = input.visibility.unwrap_or(Visibility::Internal);
    let published_at = (state == StoryState::Published).then_some(now);
    let entry = entry.subject(SEARCH_KIND, id, &input.title);
    let text = searchable(input);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO story (id, municipality_id, title, body, unit_id, author_account_id, author_name, state,
                 visibility, created_at, updated_at, published_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
        )
        .bind(id)
        .bind(municipality)
        .bind(&input.title)
        .bind(&input.body)
        .bind(input.unit_id)
        .bind(author.0)
        .bind(author.1)
        .bind(state.key())
        .bind(visibility.key())
        .bind(now)
        .bind(published_at)
        .execute(&mut *tx)
        .await?;
        write_links!(tx, municipality, id, input);
        search::index_in(&mut *tx, municipality, SEARCH_KIND, id, &text).await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Writes the new version of a story and its audit entry.
pub async fn update(db: &Db, municipality: Uuid, id: Uuid, input: &StoryInput, entry: AuditEntry) -> sqlx::Result<()> {
    let now = Utc::now();
    let entry = entry.subject(SEARCH_KIND, id, &input.title);
    let text = searchable(input);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE story SET title = $3, body = $4, unit_id = $5, visibility = COALESCE($6, visibility), updated_at = $7
             WHERE id = $1 AND municipality_id = $2",
        )
        .bind(id)
        .bind(municipality)
        .bind(&input.title)
        .bind(&input.body)
        .bind(input.unit_id)
        .bind(input.visibility.map(Visibility::key))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        write_links!(tx, municipality, id, input);
        search::index_in(&mut *tx, municipality, SEARCH_KIND, id, &text).await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Moves a story to `state` (publishing stamps the time once), with its audit entry.
pub async fn set_state(
    db: &Db,
    municipality: Uuid,
    id: Uuid,
    state: StoryState,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let entry = entry.subject(SEARCH_KIND, id, "").fields([("state", serde_json::Value::from(state.key()))]);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE story SET state = $3, updated_at = $4,
                 published_at = CASE WHEN $3 = 'published' THEN COALESCE(published_at, $4) ELSE published_at END
             WHERE id = $1 AND municipality_id = $2",
        )
        .bind(id)
        .bind(municipality)
        .bind(state.key())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        search::touch_in(&mut *tx, municipality, SEARCH_KIND).await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// One story of the municipality, with its core tasks and tags (whoever may read it).
pub async fn get(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Story>> {
    let row: Option<Row> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM story s WHERE s.id = $1 AND s.municipality_id = $2"
        )))
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    let Some(row) = row else { return Ok(None) };
    let mut stories = vec![story(row)];
    attach_links(db, &mut stories).await?;
    Ok(stories.pop())
}

/// Adds the conditions of who reads and which filters to a query on `story s`.
fn push_conditions<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, municipality: Uuid, readers: Readers, f: &StoryFilter)
where
    for<'a> Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push(" WHERE s.municipality_id = ").push_bind(municipality);
    match readers {
        Readers::Public => {
            q.push(" AND s.state = 'published' AND s.visibility = 'public'");
        }
        Readers::Member(account) => {
            q.push(" AND (s.state = 'published' OR s.author_account_id = ").push_bind(account).push(")");
        }
        Readers::Editors => {}
    }
    if let Some(key) = &f.core_task {
        q.push(
            " AND s.id IN (SELECT sc.story_id FROM story_core_task sc JOIN core_task c ON c.id = sc.core_task_id
              WHERE c.municipality_id = ",
        )
        .push_bind(municipality)
        .push(" AND c.key = ")
        .push_bind(key.clone())
        .push(")");
    }
    if let Some(tag) = &f.tag {
        q.push(" AND s.id IN (SELECT story_id FROM story_tag WHERE tag = ").push_bind(tag.clone()).push(")");
    }
    if let Some(unit) = f.unit_id {
        q.push(" AND s.unit_id = ").push_bind(unit);
    }
    if let Some(state) = f.state {
        q.push(" AND s.state = ").push_bind(state.key());
    }
}

/// The stories `readers` may see that match `filter`: `limit` from `offset`, best match
/// first for a search, else newest first; and how many match in all.
pub async fn list(
    db: &Db,
    municipality: Uuid,
    readers: Readers,
    filter: &StoryFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Story>, i64)> {
    let dialect = Dialect::of(db);
    let stems = search::query_stems(&filter.q);
    let searching = !stems.is_empty();
    // The page's ids and the total are remembered until a story changes; the key holds
    // everything they depend on (the search as its stems, so "Borgerne" meets "borgerne").
    let key = format!(
        "list {readers:?} {stems:?} {:?} {:?} {:?} {:?} {limit} {offset}",
        filter.core_task, filter.tag, filter.unit_id, filter.state
    );
    let (ids, total): (Vec<Uuid>, i64) = search::remember(db, municipality, SEARCH_KIND, key, || async {
        // Ranking and counting touch every match, so they read ids only (one statement, a
        // window count); the page's stories are read whole afterwards. Only a page past
        // the end needs a count of its own.
        on_db!(db, |p| {
            let mut page = QueryBuilder::new("SELECT s.id, CAST(COUNT(*) OVER () AS BIGINT) FROM story s");
            let rank = searching
                .then(|| search::push_match(&mut page, dialect, SEARCH_KIND, "s.id", &filter.q, Matching::Words));
            push_conditions(&mut page, municipality, readers, filter);
            match rank {
                Some(rank) => page.push(format!(" ORDER BY {rank} DESC, s.id")),
                None => page.push(" ORDER BY COALESCE(s.published_at, s.updated_at) DESC, s.id"),
            };
            page.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
            let counted: Vec<(Uuid, i64)> = page.build_query_as().fetch_all(p).await?;
            let total = match counted.first() {
                Some((_, total)) => *total,
                None if offset == 0 => 0,
                None => {
                    let mut count = QueryBuilder::new("SELECT CAST(COUNT(*) AS BIGINT) FROM story s");
                    if searching {
                        search::push_match(&mut count, dialect, SEARCH_KIND, "s.id", &filter.q, Matching::Words);
                    }
                    push_conditions(&mut count, municipality, readers, filter);
                    count.build_query_scalar().fetch_one(p).await?
                }
            };
            Ok::<_, sqlx::Error>((counted.into_iter().map(|(id, _)| id).collect(), total))
        })
    })
    .await?;
    let rows: Vec<Row> = if ids.is_empty() {
        Vec::new()
    } else {
        on_db!(db, |p| {
            let mut q = QueryBuilder::new(format!("SELECT {COLUMNS} FROM story s WHERE s.id IN ("));
            let mut list = q.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as().fetch_all(p).await
        })?
    };
    let mut by_id: HashMap<Uuid, Row> = rows.into_iter().map(|r| (r.0, r)).collect();
    let rows: Vec<Row> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    let mut stories: Vec<Story> = rows.into_iter().map(story).collect();
    attach_links(db, &mut stories).await?;
    Ok((stories, total))
}

/// Fills in the core tasks and tags of `stories` (two queries for the whole page).
async fn attach_links(db: &Db, stories: &mut [Story]) -> sqlx::Result<()> {
    if stories.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = stories.iter().map(|s| s.id).collect();
    let (tasks, tags): (Vec<(Uuid, String)>, Vec<(Uuid, String)>) = on_db!(db, |p| {
        let mut q = QueryBuilder::new(
            "SELECT sc.story_id, c.key FROM story_core_task sc JOIN core_task c ON c.id = sc.core_task_id
             WHERE sc.story_id IN (",
        );
        let mut list = q.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        q.push(") ORDER BY c.position, c.key");
        let tasks = q.build_query_as().fetch_all(p).await?;
        let mut q = QueryBuilder::new("SELECT story_id, tag FROM story_tag WHERE story_id IN (");
        let mut list = q.separated(", ");
        for id in &ids {
            list.push_bind(*id);
        }
        q.push(") ORDER BY tag");
        let tags = q.build_query_as().fetch_all(p).await?;
        Ok::<_, sqlx::Error>((tasks, tags))
    })?;
    let mut by_id: HashMap<Uuid, &mut Story> = stories.iter_mut().map(|s| (s.id, s)).collect();
    for (id, key) in tasks {
        if let Some(s) = by_id.get_mut(&id) {
            s.core_tasks.push(key);
        }
    }
    for (id, tag) in tags {
        if let Some(s) = by_id.get_mut(&id) {
            s.tags.push(tag);
        }
    }
    Ok(())
}

/// The tags in use among the stories `readers` may see, most used first.
pub async fn tags(db: &Db, municipality: Uuid, readers: Readers) -> sqlx::Result<Vec<(String, i64)>> {
    search::remember(db, municipality, SEARCH_KIND, format!("tags {readers:?}"), || async {
        on_db!(db, |p| {
            let mut q = QueryBuilder::new(
                "SELECT t.tag, CAST(COUNT(*) AS BIGINT) FROM story_tag t JOIN story s ON s.id = t.story_id",
            );
            push_conditions(&mut q, municipality, readers, &StoryFilter::default());
            q.push(" GROUP BY t.tag ORDER BY 2 DESC, t.tag LIMIT 50");
            q.build_query_as().fetch_all(p).await
        })
    })
    .await
}

/// How many stories the municipality has (the demo installs them only once).
pub async fn count(db: &Db, municipality: Uuid) -> sqlx::Result<i64> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM story WHERE municipality_id = $1")
            .bind(municipality)
            .fetch_one(p)
            .await
    })
}
