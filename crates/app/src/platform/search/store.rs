//! All of the search index's SQL: writing an object's entry, matching a query inside a
//! module's own query, and the version that remembered result pages are kept under.

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::{Dialect, match_expression, query_stems, stems};
use crate::on_db;
use crate::platform::db::{Db, new_id};

/// Writes (or replaces) the index entry of one object, inside the caller's transaction.
pub async fn index_in<C, DB>(conn: &mut C, municipality: Uuid, kind: &str, object: Uuid, text: &str) -> sqlx::Result<()>
where
    C: Send,
    DB: sqlx::Database,
    for<'e> &'e mut C: sqlx::Executor<'e, Database = DB>,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    for<'q> &'q str: sqlx::Type<DB> + sqlx::Encode<'q, DB>,
{
    sqlx::query("DELETE FROM search_doc WHERE kind = $1 AND object_id = $2")
        .bind(kind)
        .bind(object)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO search_doc (kind, object_id, municipality_id, stems) VALUES ($1, $2, $3, $4)")
        .bind(kind)
        .bind(object)
        .bind(municipality)
        .bind(stems(text))
        .execute(&mut *conn)
        .await?;
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
) -> &'static str
where
    for<'a> String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    for<'a> &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let stems = query_stems(query);
    let expression = if stems.is_empty() { None } else { Some(match_expression(dialect, &stems)) };
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
