//! Fresh databases for tests: an empty one per test on SQLite, and on the PostgreSQL
//! server named by `SAMSKAB_TEST_POSTGRES_URL`; each disappears when its test finishes.

use app::platform::db::Db;

/// An empty database nobody else uses, as a URL (for the command line, which migrates it
/// itself). Call [`FreshDatabase::finish`] at the end: it drops a PostgreSQL database.
pub struct FreshDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl FreshDatabase {
    pub fn sqlite() -> FreshDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        FreshDatabase { url, _dir: Some(dir), pg: None }
    }

    /// A new database on the server named by SAMSKAB_TEST_POSTGRES_URL. The variable is
    /// required: the PostgreSQL suite fails rather than skips without it.
    pub async fn postgres() -> FreshDatabase {
        let admin = std::env::var("SAMSKAB_TEST_POSTGRES_URL")
            .expect("SAMSKAB_TEST_POSTGRES_URL must name a PostgreSQL server for the PostgreSQL suite");
        let name = format!("samskab_test_{}", uuid::Uuid::new_v4().simple());
        administer(&admin, &format!("CREATE DATABASE {name}")).await;
        let (base, _) = admin.rsplit_once('/').expect("URL with a database name");
        FreshDatabase { url: format!("{base}/{name}"), _dir: None, pg: Some((admin, name)) }
    }

    pub async fn finish(self) {
        if let Some((admin, name)) = self.pg {
            administer(&admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
    }
}

/// Runs one statement on the PostgreSQL server's administration database.
async fn administer(admin_url: &str, statement: &str) {
    let pool = sqlx::PgPool::connect(admin_url).await.expect("connect to the PostgreSQL test server");
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string())).execute(&pool).await.expect("administration statement");
    pool.close().await;
}

/// A migrated, empty database that disappears after the test.
pub struct TestDb {
    pub db: Db,
    fresh: FreshDatabase,
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        TestDb::open(FreshDatabase::sqlite()).await
    }

    pub async fn postgres() -> TestDb {
        TestDb::open(FreshDatabase::postgres().await).await
    }

    async fn open(fresh: FreshDatabase) -> TestDb {
        let db = Db::open(&fresh.url).await.expect("open the test database");
        TestDb { db, fresh }
    }

    pub async fn finish(self) {
        self.db.close().await;
        self.fresh.finish().await;
    }
}
