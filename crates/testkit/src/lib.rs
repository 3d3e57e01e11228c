//! The one test harness of Samskab, used by the app's integration tests and the command
//! line's tests alike: fresh databases on both backends ([`FreshDatabase`], [`TestDb`],
//! [`db_test!`], [`url_test!`]) and the app driven without a network ([`TestApp`],
//! [`Client`]).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client;
mod database;
mod mail;

pub use crate::client::{Client, Reply, TestApp, demo_app, demo_app_with, demo_app_with_relay, kolding_csv};
pub use crate::database::{FreshDatabase, TestDb};
pub use crate::mail::{ReceivedMail, SmtpServer};
pub use app::platform::db::Db;

/// Runs one async test body on a migrated database: SQLite, and PostgreSQL when the
/// calling crate's `postgres-tests` feature is on (the PostgreSQL suite in .ci/run).
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($db: $crate::Db) {
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let test_db = $crate::TestDb::sqlite().await;
                body(test_db.db.clone()).await;
                test_db.finish().await;
            }

            #[cfg(feature = "postgres-tests")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let test_db = $crate::TestDb::postgres().await;
                body(test_db.db.clone()).await;
                test_db.finish().await;
            }
        }
    };
}

/// Runs one async test body with the URL of a fresh, empty database (not migrated: the
/// command line does that) on SQLite, and on PostgreSQL when the calling crate's
/// `postgres-tests` feature is on.
#[macro_export]
macro_rules! url_test {
    ($name:ident, |$url:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body($url: &str) {
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let fresh = $crate::FreshDatabase::sqlite();
                body(&fresh.url).await;
                fresh.finish().await;
            }

            #[cfg(feature = "postgres-tests")]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let fresh = $crate::FreshDatabase::postgres().await;
                body(&fresh.url).await;
                fresh.finish().await;
            }
        }
    };
}
