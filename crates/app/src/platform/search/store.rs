//! All of the search index's SQL: writing an object's entry, matching a query inside a
//! module's own query, and the version that remembered result pages are kept under.

use std::collections::HashMap;
use std::time::Instant;

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{Dialect, Matching, match_expression, query_stems, stems};
use crate::on_db;
use crate::platform::db::{Db, WRITE_SLICE, WritePool, new_id};

/// Writes (or replaces) the index entry of one object, inside the caller's transaction.
pub async fn index_in<C, DB>(conn: &mut C, municipality: Uuid, kind: &str, object: Uuid, text: &str) -> sqlx::Result<()>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    i64: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    index_all_in(conn, municipality, kind, &[(object, text.to_string())]).await
}

/// How many entries one statement writes.
const ENTRIES_PER_STATEMENT: usize = 400;

/// Writes (or replaces) the index entries of many objects of one kind, inside the
/// caller's transaction: a handful of statements per few hundred objects.
pub async fn index_all_in<C, DB>(
    conn: &mut C,
    municipality: Uuid,
    kind: &str,
    entries: &[(Uuid, String)],
) -> sqlx::Result<()>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    i64: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let sqlite = DB::NAME == "SQLite";
    for chunk in entries.chunks(ENTRIES_PER_STATEMENT) {
        if sqlite {
            // FTS5 rows are found by rowid (see migration 0017): reuse an object's rowid,
            // give a new object the next free one (writes are serialised on SQLite).
            let mut q = QueryBuilder::<DB>::new("SELECT object_id, doc_rowid FROM search_doc_entry WHERE kind = ");
            q.push_bind(kind.to_string()).push(" AND object_id IN (");
            let mut list = q.separated(", ");
            for (object, _) in chunk {
                list.push_bind(*object);
            }
            q.push(")");
            let known: HashMap<Uuid, i64> =
                q.build_query_as::<(Uuid, i64)>().fetch_all(&mut *conn).await?.into_iter().collect();
            if !known.is_empty() {
                let mut q = QueryBuilder::<DB>::new("DELETE FROM search_doc WHERE rowid IN (");
                let mut list = q.separated(", ");
                for rowid in known.values() {
                    list.push_bind(*rowid);
                }
                q.push(")");
                q.build().execute(&mut *conn).await?;
            }
            let mut next: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM search_doc").fetch_one(&mut *conn).await?;
            let rows: Vec<(i64, Uuid, &String)> = chunk
                .iter()
                .map(|(object, text)| {
                    let rowid = known.get(object).copied().unwrap_or_else(|| {
                        next += 1;
                        next
                    });
                    (rowid, *object, text)
                })
                .collect();
            let mut q =
                QueryBuilder::<DB>::new("INSERT INTO search_doc (rowid, kind, object_id, municipality_id, stems) ");
            q.push_values(&rows, |mut b, (rowid, object, text)| {
                b.push_bind(*rowid)
                    .push_bind(kind.to_string())
                    .push_bind(*object)
                    .push_bind(municipality)
                    .push_bind(stems(text));
            });
            q.build().execute(&mut *conn).await?;
            let new: Vec<&(i64, Uuid, &String)> =
                rows.iter().filter(|(_, object, _)| !known.contains_key(object)).collect();
            if !new.is_empty() {
                let mut q = QueryBuilder::<DB>::new("INSERT INTO search_doc_entry (kind, object_id, doc_rowid) ");
                q.push_values(new, |mut b, (rowid, object, _)| {
                    b.push_bind(kind.to_string()).push_bind(*object).push_bind(*rowid);
                });
                q.build().execute(&mut *conn).await?;
            }
        } else {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM search_doc WHERE kind = ");
            q.push_bind(kind.to_string()).push(" AND object_id IN (");
            let mut list = q.separated(", ");
            for (object, _) in chunk {
                list.push_bind(*object);
            }
            q.push(")");
            q.build().execute(&mut *conn).await?;
            let mut q = QueryBuilder::<DB>::new("INSERT INTO search_doc (kind, object_id, municipality_id, stems) ");
            q.push_values(chunk, |mut b, (object, text)| {
                b.push_bind(kind.to_string()).push_bind(*object).push_bind(municipality).push_bind(stems(text));
            });
            q.build().execute(&mut *conn).await?;
        }
    }
    if entries.is_empty() {
        return Ok(());
    }
    touch_in(conn, municipality, kind).await
}

/// Gives the municipality's objects of `kind` a new version, inside the caller's
/// transaction: remembered result pages of that kind are not used again. Every write that
/// can change what a search or list of the kind returns calls it ([`index_in`] does).
pub async fn touch_in<C, DB>(conn: &mut C, municipality: Uuid, kind: &str) -> sqlx::Result<()>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
{
    sqlx::query(
        "INSERT INTO search_version (municipality_id, kind, version) VALUES ($1, $2, $3)
         ON CONFLICT (municipality_id, kind) DO UPDATE SET version = excluded.version",
    )
    .bind(municipality)
    .bind(kind)
    .bind(new_id())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The current version of the municipality's objects of `kind`; none before the first write.
pub async fn version(db: &Db, municipality: Uuid, kind: &str) -> sqlx::Result<Option<Uuid>> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT version FROM search_version WHERE municipality_id = $1 AND kind = $2")
            .bind(municipality)
            .bind(kind)
            .fetch_optional(p)
            .await
    })
}

/// Adds ` JOIN` of the matching index entries of `kind` to a query over a table whose id
/// column is `id_column`, and returns the SQL expression of the rank (higher is better)
/// for its `ORDER BY`. Call it right after the `FROM` clause. With no words in the query,
/// nothing matches.
pub fn push_match<DB: sqlx::Database>(
    q: &mut QueryBuilder<DB>,
    dialect: Dialect,
    kind: &'static str,
    id_column: &str,
    query: &str,
    matching: Matching,
) -> &'static str
where
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let stems = query_stems(query);
    let expression = if stems.is_empty() { None } else { Some(match_expression(dialect, &stems, matching)) };
    match dialect {
        Dialect::Sqlite => {
            // No filter on `kind` here: FTS5 reads an unindexed column row by row, and the
            // join on the module's own ids already keeps only its objects (ids are UUIDv7,
            // unique across kinds).
            q.push(" JOIN (SELECT object_id AS search_id, -bm25(search_doc) AS search_rank FROM search_doc WHERE search_doc MATCH ");
            match expression {
                Some(e) => q.push_bind(e),
                None => q.push("'\"x\"' AND 1 = 0"),
            };
            q.push(format!(") search_hit ON search_hit.search_id = {id_column}"));
        }
        Dialect::Postgres => {
            q.push(" JOIN (SELECT object_id AS search_id, ts_rank(tsv, to_tsquery('simple', ");
            match &expression {
                Some(e) => q.push_bind(e.clone()),
                None => q.push("''"),
            };
            q.push(")) AS search_rank FROM search_doc WHERE kind = ")
                .push_bind(kind)
                .push(" AND tsv @@ to_tsquery('simple', ");
            match expression {
                Some(e) => q.push_bind(e),
                None => q.push("''"),
            };
            q.push(format!(")) search_hit ON search_hit.search_id = {id_column}"));
        }
    }
    "search_hit.search_rank"
}

/// Brings the index entries of a module's objects of `kind` to `wanted` (each object's
/// text): only entries whose words changed are written, in transactions that hold the
/// write lock at most [`WRITE_SLICE`] each. For a module that changes many objects at
/// once (an import); returns how many entries were written.
pub async fn sync(db: &Db, municipality: Uuid, kind: &str, wanted: Vec<(Uuid, String)>) -> sqlx::Result<usize> {
    let indexed: HashMap<Uuid, String> = on_db!(db, |p| {
        sqlx::query_as::<_, (Uuid, String)>(
            "SELECT object_id, stems FROM search_doc WHERE kind = $1 AND municipality_id = $2",
        )
        .bind(kind)
        .bind(municipality)
        .fetch_all(p)
        .await
    })?
    .into_iter()
    .collect();
    let changed: Vec<(Uuid, String)> =
        wanted.into_iter().filter(|(id, text)| indexed.get(id).is_none_or(|old| *old != stems(text))).collect();
    let pause = db.pause_between_slices();
    let mut rest = changed.as_slice();
    while !rest.is_empty() {
        on_db!(db, |p| {
            let mut tx = p.begin_write().await?;
            let started = Instant::now();
            while !rest.is_empty() && started.elapsed() < WRITE_SLICE {
                let (now, later) = rest.split_at(rest.len().min(ENTRIES_PER_STATEMENT));
                index_all_in(&mut *tx, municipality, kind, now).await?;
                rest = later;
            }
            tx.commit().await
        })?;
        if !rest.is_empty() {
            tokio::time::sleep(pause).await;
        }
    }
    Ok(changed.len())
}
