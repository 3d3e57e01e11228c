//! The organisation's tables. Only this folder writes SQL for them; other modules call
//! these functions. Reads are here; the write path is [`apply`].

mod apply;
mod switch;
pub use apply::{ApplyError, apply_snapshot, import_in_progress};

use std::collections::{HashMap, HashSet};

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::model::*;
use crate::on_db;
use crate::platform::db::Db;
use crate::platform::permissions::{Reach, Subtree};
use crate::platform::search::{self, Dialect, Matching};

// ---------------------------------------------------------------------------------------
// Reads

const UNIT_COLUMNS: &str =
    "id, parent_id, name, unit_type, depth, tree_left, tree_right, headcount, valid_from, valid_to";

pub async fn unit(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Unit>> {
    on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM org_unit WHERE municipality_id = $1 AND id = $2 AND NOT closed"
        )))
        .bind(municipality)
        .bind(id)
        .fetch_optional(p)
        .await
    })
}

/// The unit whose subtree starts at `tree_left`.
pub async fn unit_at(db: &Db, municipality: Uuid, tree_left: i64) -> sqlx::Result<Option<Unit>> {
    on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM org_unit WHERE municipality_id = $1 AND tree_left = $2 AND NOT closed"
        )))
        .bind(municipality)
        .bind(tree_left)
        .fetch_optional(p)
        .await
    })
}

/// Units at `depth` (1 = the top), in hierarchy order.
pub async fn units_at_depth(db: &Db, municipality: Uuid, depth: i64) -> sqlx::Result<Vec<Unit>> {
    on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM org_unit WHERE municipality_id = $1 AND depth = $2 AND NOT closed ORDER BY tree_left"
        )))
        .bind(municipality)
        .bind(depth)
        .fetch_all(p)
        .await
    })
}

pub async fn children(db: &Db, municipality: Uuid, parent: Uuid) -> sqlx::Result<Vec<Unit>> {
    on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM org_unit WHERE municipality_id = $1 AND parent_id = $2 AND NOT closed ORDER BY tree_left"
        )))
        .bind(municipality)
        .bind(parent)
        .fetch_all(p)
        .await
    })
}

pub async fn person(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Person>> {
    on_db!(db, |p| {
        sqlx::query_as("SELECT id, name, email, phone FROM person WHERE municipality_id = $1 AND id = $2")
            .bind(municipality)
            .bind(id)
            .fetch_optional(p)
            .await
    })
}

pub async fn person_by_key(db: &Db, municipality: Uuid, key: &str) -> sqlx::Result<Option<Person>> {
    on_db!(db, |p| {
        sqlx::query_as("SELECT id, name, email, phone FROM person WHERE municipality_id = $1 AND external_key = $2")
            .bind(municipality)
            .bind(key)
            .fetch_optional(p)
            .await
    })
}

pub async fn person_by_email(db: &Db, municipality: Uuid, email: &str) -> sqlx::Result<Option<Person>> {
    on_db!(db, |p| {
        sqlx::query_as("SELECT id, name, email, phone FROM person WHERE municipality_id = $1 AND lower(email) = $2 ORDER BY id LIMIT 1")
            .bind(municipality)
            .bind(email.trim().to_lowercase())
            .fetch_optional(p)
            .await
    })
}

/// A person's current engagements and manager posts, with the units' tree positions.
pub async fn person_posts(db: &Db, municipality: Uuid, person: Uuid) -> sqlx::Result<Vec<(PersonPost, i64, i64)>> {
    let rows: Vec<(Uuid, String, String, String, bool, i64, i64)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT u.id, u.name, e.job_title, e.pay_type, FALSE, u.tree_left, u.depth
             FROM engagement e JOIN org_unit u ON u.id = e.unit_id
             WHERE e.person_id = $1 AND u.municipality_id = $2 AND NOT e.closed AND NOT u.closed
             UNION ALL
             SELECT u.id, u.name, m.title, '', TRUE, u.tree_left, u.depth
             FROM manager_post m JOIN org_unit u ON u.id = m.unit_id
             WHERE m.person_id = $1 AND u.municipality_id = $2 AND NOT m.closed AND NOT u.closed
             ORDER BY 6",
        )
        .bind(person)
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(unit_id, unit_name, title, pay_type, is_manager, left, depth)| {
            (PersonPost { unit_id, unit_name, title, pay_type, is_manager }, left, depth)
        })
        .collect())
}

/// The units a person leads (current posts), as (tree_left, tree_right, depth).
pub async fn led_subtrees(db: &Db, municipality: Uuid, person: Uuid) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT u.tree_left, u.tree_right, u.depth FROM manager_post m JOIN org_unit u ON u.id = m.unit_id
             WHERE m.person_id = $1 AND u.municipality_id = $2 AND NOT m.closed AND NOT u.closed",
        )
        .bind(person)
        .bind(municipality)
        .fetch_all(p)
        .await
    })
}

/// One page of a people search, and how many match in all.
pub struct PeopleFound {
    /// Each person with their primary engagement, by name.
    pub people: Vec<PersonHit>,
    pub total: i64,
}

/// The search index's name for people.
pub const PERSON_KIND: &str = "person";

/// What each person of the municipality is found by: their name and the job titles of
/// their current engagements.
pub(crate) async fn people_search_texts(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    let rows: Vec<(Uuid, String, Option<String>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT p.id, p.name, e.job_title FROM person p
             LEFT JOIN engagement e ON e.person_id = p.id AND NOT e.closed
             WHERE p.municipality_id = $1 ORDER BY p.id, e.job_title",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    let mut texts: Vec<(Uuid, String)> = Vec::new();
    for (id, name, title) in rows {
        if texts.last().is_none_or(|(last, _)| *last != id) {
            texts.push((id, name));
        }
        if let (Some(title), Some((_, text))) = (title, texts.last_mut())
            && !text.split('\n').skip(1).any(|t| t == title)
        {
            text.push('\n');
            text.push_str(&title);
        }
    }
    Ok(texts)
}

/// Adds the search and scope conditions of a people search (the primary engagement's unit
/// must be visible), so ranking, counting and paging happen in the database. Returns the
/// rank expression when there are words to search for.
fn push_people_conditions<DB: sqlx::Database>(
    q: &mut QueryBuilder<DB>,
    dialect: Dialect,
    municipality: Uuid,
    query: &str,
    reach: &Reach,
) -> Option<&'static str>
where
    Uuid: sqlx::Type<DB> + for<'a> sqlx::Encode<'a, DB>,
    String: sqlx::Type<DB> + for<'a> sqlx::Encode<'a, DB>,
    i64: sqlx::Type<DB> + for<'a> sqlx::Encode<'a, DB>,
    for<'a> &'a str: sqlx::Type<DB> + sqlx::Encode<'a, DB>,
{
    q.push(" FROM person p");
    let searching = !search::query_stems(query).is_empty();
    let rank = searching.then(|| search::push_match(q, dialect, PERSON_KIND, "p.id", query, Matching::WordBeginnings));
    q.push(
        " JOIN engagement e ON e.person_id = p.id AND NOT e.closed AND e.is_primary
          JOIN org_unit u ON u.id = e.unit_id AND NOT u.closed
          WHERE p.municipality_id = ",
    )
    .push_bind(municipality);
    if let Reach::Subtrees(trees) = reach {
        q.push(" AND (FALSE");
        for Subtree { left, right, max_depth } in trees {
            q.push(" OR (u.tree_left BETWEEN ")
                .push_bind(*left)
                .push(" AND ")
                .push_bind(*right)
                .push(" AND u.depth <= ")
                .push_bind(*max_depth)
                .push(")");
        }
        q.push(")");
    }
    rank
}

/// People found by the shared Danish search among those within `reach` — by name or job
/// title, each word matching the beginning of a word ("Mett" finds Mette) — best match
/// first, then by name; with no words, everyone within `reach` by name. `limit` of them
/// from `offset`, and the count of all.
pub async fn search_people(
    db: &Db,
    municipality: Uuid,
    query: &str,
    reach: &Reach,
    limit: i64,
    offset: i64,
) -> sqlx::Result<PeopleFound> {
    let dialect = Dialect::of(db);
    type Row = (Uuid, String, String, String, Uuid, String, String);
    let (rows, total): (Vec<Row>, i64) = on_db!(db, |p| {
        let mut count = QueryBuilder::new("SELECT CAST(COUNT(*) AS BIGINT)");
        push_people_conditions(&mut count, dialect, municipality, query, reach);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut page = QueryBuilder::new("SELECT p.id, p.name, p.email, p.phone, u.id, u.name, e.job_title");
        match push_people_conditions(&mut page, dialect, municipality, query, reach) {
            Some(rank) => page.push(format!(" ORDER BY {rank} DESC, p.name_norm, p.id")),
            None => page.push(" ORDER BY p.name_norm, p.id"),
        };
        page.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
        let rows = page.build_query_as().fetch_all(p).await?;
        Ok::<_, sqlx::Error>((rows, total))
    })?;
    Ok(PeopleFound {
        people: rows
            .into_iter()
            .map(|(id, name, email, phone, unit_id, unit, job_title)| PersonHit {
                person: Person { id, name, email, phone },
                unit_id,
                unit,
                job_title,
            })
            .collect(),
        total,
    })
}

/// Which rows of the span-of-control report to return.
#[derive(Clone, Debug)]
pub struct SpanFilter {
    /// The part of the organisation the reader may see; never everything by omission.
    pub reach: Reach,
    pub department: Option<Uuid>,
    pub level: Option<i64>,
    /// Only leaders with more direct reports than this.
    pub over: Option<i64>,
}

impl SpanFilter {
    /// Every row within `reach`.
    pub fn within(reach: Reach) -> SpanFilter {
        SpanFilter { reach, department: None, level: None, over: None }
    }
}

/// Adds the filter's conditions to a query on `span_of_control`.
fn push_span_filter<DB: sqlx::Database>(q: &mut QueryBuilder<DB>, municipality: Uuid, filter: &SpanFilter)
where
    for<'t> Uuid: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push(" FROM span_of_control WHERE municipality_id = ").push_bind(municipality);
    if let Some(d) = filter.department {
        q.push(" AND department_id = ").push_bind(d);
    }
    if let Some(l) = filter.level {
        q.push(" AND level = ").push_bind(l);
    }
    if let Some(o) = filter.over {
        q.push(" AND direct_reports > ").push_bind(o);
    }
    if let Reach::Subtrees(within) = &filter.reach {
        if within.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(" AND (");
            for (i, Subtree { left, right, max_depth: max_level }) in within.iter().enumerate() {
                if i > 0 {
                    q.push(" OR ");
                }
                q.push("(tree_left BETWEEN ")
                    .push_bind(*left)
                    .push(" AND ")
                    .push_bind(*right)
                    .push(" AND level <= ")
                    .push_bind(*max_level)
                    .push(")");
            }
            q.push(")");
        }
    }
}

const SPAN_COLUMNS: &str = "SELECT person_id, unit_id, leader_name, email, unit_name, level, direct_reports, \
     total_reports, leader_reports, hourly, salaried";

/// The span-of-control report in hierarchy order (all rows; for exports and the CLI).
pub async fn span_rows(db: &Db, municipality: Uuid, filter: &SpanFilter) -> sqlx::Result<Vec<SpanRow>> {
    on_db!(db, |p| {
        let mut q = QueryBuilder::new(SPAN_COLUMNS);
        push_span_filter(&mut q, municipality, filter);
        q.push(" ORDER BY position");
        q.build_query_as().fetch_all(p).await
    })
}

/// Counts of what the organisation holds, for the overview page.
pub async fn totals(db: &Db, municipality: Uuid) -> sqlx::Result<(i64, i64, i64)> {
    on_db!(db, |p| {
        let units: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM org_unit WHERE municipality_id = $1 AND NOT closed",
        )
        .bind(municipality)
        .fetch_one(p)
        .await?;
        let people: i64 = sqlx::query_scalar(
            "SELECT CAST(COUNT(DISTINCT person_id) AS BIGINT) FROM engagement WHERE municipality_id = $1 AND NOT closed",
        )
        .bind(municipality)
        .fetch_one(p)
        .await?;
        let leaders: i64 =
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM span_of_control WHERE municipality_id = $1")
                .bind(municipality)
                .fetch_one(p)
                .await?;
        Ok((units, people, leaders))
    })
}

// ---------------------------------------------------------------------------------------
// Whole-organisation reads for the in-memory view (see `organisation::cache`)

/// The organisation's version counter; every import bumps it.
pub async fn org_version(db: &Db, municipality: Uuid) -> sqlx::Result<i64> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT COALESCE((SELECT version FROM org_state WHERE municipality_id = $1), 0)")
            .bind(municipality)
            .fetch_one(p)
            .await
    })
}

/// Every open unit, in hierarchy order.
pub async fn all_units(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<Unit>> {
    on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {UNIT_COLUMNS} FROM org_unit WHERE municipality_id = $1 AND NOT closed ORDER BY tree_left"
        )))
        .bind(municipality)
        .fetch_all(p)
        .await
    })
}

/// The leaders of every open unit and which units have a vacant post.
pub async fn all_leadership(db: &Db, municipality: Uuid) -> sqlx::Result<(HashMap<Uuid, Vec<Person>>, HashSet<Uuid>)> {
    let rows: Vec<(Uuid, Option<Uuid>, Option<String>, Option<String>, Option<String>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT m.unit_id, p.id, p.name, p.email, p.phone FROM manager_post m LEFT JOIN person p ON p.id = m.person_id
             WHERE m.municipality_id = $1 AND NOT m.closed ORDER BY p.name_norm",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    let mut leaders: HashMap<Uuid, Vec<Person>> = HashMap::new();
    let mut vacant = HashSet::new();
    for (unit, id, name, email, phone) in rows {
        match id {
            Some(id) => leaders.entry(unit).or_default().push(Person {
                id,
                name: name.unwrap_or_default(),
                email: email.unwrap_or_default(),
                phone: phone.unwrap_or_default(),
            }),
            None => {
                vacant.insert(unit);
            }
        }
    }
    Ok((leaders, vacant))
}

/// Everyone engaged directly in each unit, by name.
pub async fn all_staff(db: &Db, municipality: Uuid) -> sqlx::Result<HashMap<Uuid, Vec<StaffMember>>> {
    let rows: Vec<(Uuid, Uuid, String, String, String, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT e.unit_id, p.id, p.name, p.email, e.job_title, e.pay_type
             FROM engagement e JOIN person p ON p.id = e.person_id
             WHERE e.municipality_id = $1 AND NOT e.closed ORDER BY e.unit_id, p.name_norm, p.id",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    let mut staff: HashMap<Uuid, Vec<StaffMember>> = HashMap::new();
    for (unit, person_id, name, email, job_title, pay_type) in rows {
        staff.entry(unit).or_default().push(StaffMember { person_id, name, email, job_title, pay_type });
    }
    Ok(staff)
}

/// The whole span-of-control report in hierarchy order, each row with its department and
/// tree position so the view can filter without SQL.
pub async fn all_span_entries(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<SpanEntry>> {
    let rows: Vec<(Option<Uuid>, i64, SpanRow)> = on_db!(db, |p| {
        let rows: Vec<SpanEntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SPAN_COLUMNS}, department_id, tree_left FROM span_of_control WHERE municipality_id = $1 ORDER BY position"
        )))
        .bind(municipality)
        .fetch_all(p)
        .await?;
        Ok::<_, sqlx::Error>(rows.into_iter().map(|r| (r.department_id, r.tree_left, r.row)).collect())
    })?;
    Ok(rows.into_iter().map(|(department, tree_left, row)| SpanEntry { row, department, tree_left }).collect())
}

#[derive(sqlx::FromRow)]
struct SpanEntryRow {
    #[sqlx(flatten)]
    row: SpanRow,
    department_id: Option<Uuid>,
    tree_left: i64,
}
