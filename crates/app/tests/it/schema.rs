//! Both backends end up with one schema after migration: the same tables, columns, types,
//! nullability and indexes. (The search index is the one designed difference: an FTS5
//! table on SQLite, a table with a tsvector on PostgreSQL.)

use std::collections::BTreeMap;

use app::platform::db::Db;

/// table → column → (type, nullable)
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

/// Types as both backends name them.
fn normal_type(t: &str) -> String {
    match t.to_ascii_lowercase().as_str() {
        "uuid" => "uuid",
        "text" | "character varying" => "text",
        "bigint" | "int8" => "bigint",
        "integer" | "int" | "int4" => "integer",
        "timestamptz" | "timestamp with time zone" => "timestamptz",
        "date" => "date",
        "boolean" | "bool" => "boolean",
        "double precision" | "real" => "double",
        other => return other.to_string(),
    }
    .to_string()
}

/// Tables that differ by design.
fn compared(table: &str) -> bool {
    !table.starts_with("search_doc") && !table.starts_with("sqlite_") && table != "schema_migration"
}

async fn sqlite_schema(db: &Db) -> (Columns, BTreeMap<String, Vec<String>>) {
    let Db::Sqlite(p) = db else { panic!("SQLite") };
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .fetch_all(p)
        .await
        .expect("tables");
    let mut columns = Columns::new();
    let mut indexes = BTreeMap::new();
    for table in tables.into_iter().filter(|t| compared(t)) {
        let rows: Vec<(String, String, bool, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{table}')"
        )))
        .fetch_all(p)
        .await
        .expect("columns");
        let cols = rows.into_iter().map(|(n, t, notnull, pk)| (n, (normal_type(&t), !(notnull || pk)))).collect();
        columns.insert(table.clone(), cols);
        let mut names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND name NOT LIKE 'sqlite_autoindex%'",
        )
        .bind(&table)
        .fetch_all(p)
        .await
        .expect("indexes");
        names.sort();
        indexes.insert(table, names);
    }
    (columns, indexes)
}

#[cfg_attr(not(feature = "postgres-tests"), allow(dead_code))]
async fn postgres_schema(db: &Db) -> (Columns, BTreeMap<String, Vec<String>>) {
    let Db::Postgres(p) = db else { panic!("PostgreSQL") };
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text FROM information_schema.columns
         WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )
    .fetch_all(p)
    .await
    .expect("columns");
    let mut columns = Columns::new();
    for (table, column, t, nullable) in rows.into_iter().filter(|r| compared(&r.0)) {
        columns.entry(table).or_default().insert(column, (normal_type(&t), nullable == "YES"));
    }
    let rows: Vec<(String, String)> = sqlx::query_as(
        // Indexes made with CREATE INDEX, not those behind a primary key or UNIQUE constraint
        // (SQLite's autoindexes).
        "SELECT t.relname::text, i.relname::text FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
         ORDER BY i.relname",
    )
    .fetch_all(p)
    .await
    .expect("indexes");
    let mut indexes: BTreeMap<String, Vec<String>> = columns.keys().map(|t| (t.clone(), Vec::new())).collect();
    for (table, index) in rows.into_iter().filter(|r| compared(&r.0)) {
        indexes.entry(table).or_default().push(index);
    }
    (columns, indexes)
}

#[cfg(feature = "postgres-tests")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_have_the_same_schema() {
    let sqlite = crate::support::TestDb::sqlite().await;
    let postgres = crate::support::TestDb::postgres().await;
    let (s_columns, s_indexes) = sqlite_schema(&sqlite.db).await;
    let (p_columns, p_indexes) = postgres_schema(&postgres.db).await;
    assert!(s_columns.len() >= 20, "tables: {:?}", s_columns.keys());
    assert_eq!(s_columns.keys().collect::<Vec<_>>(), p_columns.keys().collect::<Vec<_>>(), "the same tables");
    for (table, columns) in &s_columns {
        assert_eq!(Some(columns), p_columns.get(table), "columns of {table} (SQLite, then PostgreSQL)");
    }
    assert_eq!(s_indexes, p_indexes, "the same indexes");
    sqlite.finish().await;
    postgres.finish().await;
}

/// The comparison itself works on SQLite alone: every table is read with its columns.
#[tokio::test]
async fn the_sqlite_schema_reads_whole() {
    let sqlite = crate::support::TestDb::sqlite().await;
    let (columns, indexes) = sqlite_schema(&sqlite.db).await;
    assert_eq!(columns["story"]["title"], ("text".to_string(), false));
    assert_eq!(columns["story"]["unit_id"], ("uuid".to_string(), true));
    assert!(indexes["job"].contains(&"job_ready".to_string()));
    sqlite.finish().await;
}
