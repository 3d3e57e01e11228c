//! The database: one enum over two concrete sqlx pools, so every query keeps native
//! types (UUID, timestamps) on both SQLite and PostgreSQL. Queries are written once with
//! `$1` placeholders inside [`on_db!`], which expands the body once per backend.
//!
//! SQLite runs in WAL mode with a busy timeout, and every write transaction starts with
//! `BEGIN IMMEDIATE` (see [`WritePool::begin_write`]) so that two writers queue instead of
//! failing with `SQLITE_BUSY`.

use std::str::FromStr;
use std::time::Duration;

use rust_embed::RustEmbed;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// A connection pool to one of the two supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$p` bound to the concrete pool of `$db`. The body is type-checked
/// once per backend.
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::platform::db::Db::Sqlite($p) => $body,
            $crate::platform::db::Db::Postgres($p) => $body,
        }
    };
}

/// The longest a long write (an import, a re-index) holds the write lock in one
/// transaction before it commits and lets others in.
pub const WRITE_SLICE: Duration = Duration::from_millis(200);

/// Which backend a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The errors of opening a database, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("unsupported database URL (use sqlite://FILE, a file path, or postgres://…): {0}")]
    Scheme(String),
    #[error("could not open the database: {0}")]
    Connect(#[from] sqlx::Error),
    #[error("could not apply migrations: {0}")]
    Migrate(String),
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend, OpenError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") || !url.contains("://") {
            Ok(Backend::Sqlite)
        } else {
            Err(OpenError::Scheme(redact_url(url)))
        }
    }
}

/// Hides the password of a database URL for logs and messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Whether a database error means another writer held the database too long (SQLite's
/// "database is locked"/busy, or PostgreSQL's lock timeout).
pub fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            matches!(d.code().as_deref(), Some("5" | "6" | "517" | "55P03"))
                || d.message().contains("database is locked")
        }
        _ => false,
    }
}

impl Db {
    /// Opens `url` (a `postgres://` URL, a `sqlite://` URL or a plain file path) and applies
    /// pending migrations.
    pub async fn open(url: &str) -> Result<Db, OpenError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Opens `url` without migrating.
    pub async fn connect(url: &str) -> Result<Db, OpenError> {
        match Backend::of_url(url)? {
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await?;
                Ok(Db::Postgres(pool))
            }
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .pragma("cache_size", "-16000");
                let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
                Ok(Db::Sqlite(pool))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The pause after each slice of a long write. SQLite lets one writer in at a time and
    /// its busy handler lets a waiting writer look again at most every 100 ms, so a shorter
    /// pause could starve it; PostgreSQL needs none.
    pub fn pause_between_slices(&self) -> Duration {
        match self {
            Db::Sqlite(_) => Duration::from_millis(120),
            Db::Postgres(_) => Duration::ZERO,
        }
    }

    pub async fn close(&self) {
        on_db!(self, |p| p.close().await)
    }

    /// Applies every migration in `migrations/` that this database has not seen, each in
    /// its own transaction, in file-name order. A database that is up to date is only read,
    /// so opening it never waits for another process's long write (an import).
    pub async fn migrate(&self) -> Result<(), OpenError> {
        let steps = migration_steps(self.backend());
        let err = |e: sqlx::Error| OpenError::Migrate(e.to_string());
        on_db!(self, |p| {
            let applied: Option<Vec<String>> =
                sqlx::query_scalar("SELECT version FROM schema_migration").fetch_all(p).await.ok();
            if let Some(applied) = &applied
                && steps.iter().all(|(version, _)| applied.contains(version))
            {
                return Ok(());
            }
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migration (
                    version TEXT PRIMARY KEY,
                    applied_at TEXT NOT NULL
                )",
            )
            .execute(p)
            .await
            .map_err(err)?;
            for (version, sql) in steps {
                let mut tx = p.begin_write().await.map_err(err)?;
                let seen: Option<String> =
                    sqlx::query_scalar("SELECT version FROM schema_migration WHERE version = $1")
                        .bind(&version)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(err)?;
                if seen.is_some() {
                    continue;
                }
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| OpenError::Migrate(format!("{version}: {e}")))?;
                sqlx::query("INSERT INTO schema_migration (version, applied_at) VALUES ($1, $2)")
                    .bind(&version)
                    .bind(chrono::Utc::now().to_rfc3339())
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                tx.commit().await.map_err(err)?;
            }
            Ok(())
        })
    }
}

#[derive(RustEmbed)]
#[folder = "../../migrations/"]
struct Migrations;

/// The migration steps for `backend`, sorted: `NNNN_name.sql` applies to both, and
/// `NNNN_name.sqlite.sql` / `NNNN_name.postgres.sql` to one each.
pub fn migration_steps(backend: Backend) -> Vec<(String, String)> {
    let own = match backend {
        Backend::Sqlite => ".sqlite.sql",
        Backend::Postgres => ".postgres.sql",
    };
    let other = match backend {
        Backend::Sqlite => ".postgres.sql",
        Backend::Postgres => ".sqlite.sql",
    };
    let mut steps: Vec<(String, String)> = Migrations::iter()
        .filter(|name| name.ends_with(".sql") && !name.ends_with(other))
        .filter_map(|name| {
            let file = Migrations::get(&name)?;
            let sql = String::from_utf8_lossy(&file.data).into_owned();
            let version = name.strip_suffix(own).or_else(|| name.strip_suffix(".sql")).unwrap_or(&name).to_string();
            Some((version, sql))
        })
        .collect();
    steps.sort();
    steps
}

/// Starting a transaction that will write. On SQLite this takes the write lock up front.
pub trait WritePool {
    type Database: sqlx::Database;
    fn begin_write(&self) -> impl std::future::Future<Output = sqlx::Result<WriteTx<Self::Database>>> + Send;
}

/// A write transaction. It derefs to the connection (`&mut *tx` runs a query in it) and
/// ends with [`WriteTx::commit`]; dropped, it rolls back. On SQLite it also holds this
/// process's write gate.
pub struct WriteTx<DB: sqlx::Database> {
    tx: Transaction<'static, DB>,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<DB: sqlx::Database> WriteTx<DB> {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.tx.rollback().await
    }
}

impl<DB: sqlx::Database> std::ops::Deref for WriteTx<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        &self.tx
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }
}

/// SQLite lets one writer in at a time, and a writer that finds the lock taken sleeps in
/// its busy handler (1 ms, then longer and longer, up to 100 ms) even after the lock is free.
/// Under many concurrent writes that sleeping, not the writing, sets the pace. So the
/// writers of this process queue here first (fairly, in arrival order) and meet SQLite's
/// lock only when the one before them has finished; other processes (a command-line
/// import) still meet it through the busy timeout. One gate per database file.
fn sqlite_write_gate(pool: &SqlitePool) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static GATES: std::sync::LazyLock<
        std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    > = std::sync::LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut gates = GATES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    gates.entry(file).or_default().clone()
}

impl WritePool for SqlitePool {
    type Database = Sqlite;
    async fn begin_write(&self) -> sqlx::Result<WriteTx<Sqlite>> {
        let gate = sqlite_write_gate(self).lock_owned().await;
        let tx = self.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _gate: Some(gate) })
    }
}

impl WritePool for PgPool {
    type Database = Postgres;
    async fn begin_write(&self) -> sqlx::Result<WriteTx<Postgres>> {
        Ok(WriteTx { tx: self.begin().await?, _gate: None })
    }
}

/// A new time-ordered primary key.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_url_scheme() {
        assert_eq!(Backend::of_url("samskab.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("sqlite://x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgres://u@h/db").ok(), Some(Backend::Postgres));
        assert!(Backend::of_url("mysql://h/db").is_err());
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact_url("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn migrations_pick_the_backend_file() {
        let sqlite = migration_steps(Backend::Sqlite);
        let pg = migration_steps(Backend::Postgres);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite.iter().map(|s| &s.0).collect::<Vec<_>>(), pg.iter().map(|s| &s.0).collect::<Vec<_>>());
    }
}
