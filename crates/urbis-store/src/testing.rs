//! Test support: a fresh, migrated database per test on SQLite or PostgreSQL.
//!
//! PostgreSQL tests use the server named by `URBIS_TEST_POSTGRES_URL` (for example
//! `postgres://postgres@127.0.0.1:5432/postgres`); each test creates its own database there.
//! Without that variable PostgreSQL tests cannot run: they fail when `CI` is set (CI must run them)
//! and otherwise report that they did not run.

use crate::{Backend, Store};
use uuid::Uuid;

/// A database made for one test. SQLite files live in a temporary directory removed on drop.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Having a `Drop` makes closures capture a `TestDb` whole, so the temporary directory lives as long
/// as the test body that uses its store.
impl Drop for TestDb {
    fn drop(&mut self) {}
}

/// The PostgreSQL server for tests, if configured.
pub fn postgres_server() -> Option<String> {
    match std::env::var("URBIS_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => Some(u),
        _ => {
            if std::env::var("CI").is_ok() {
                panic!("CI is set but URBIS_TEST_POSTGRES_URL is not: PostgreSQL tests must run in CI");
            }
            eprintln!("URBIS_TEST_POSTGRES_URL is not set: this PostgreSQL test did not run");
            None
        }
    }
}

impl TestDb {
    /// A fresh migrated database on `backend`, with reference data when `reference` is true.
    /// Returns `None` only for PostgreSQL without a configured server (see module docs).
    pub async fn new(backend: Backend, reference: bool) -> Option<TestDb> {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                (format!("sqlite://{}/urbis.db", dir.path().display()), Some(dir))
            }
            Backend::Postgres => {
                let server = postgres_server()?;
                let name = format!("urbis_test_{}", Uuid::now_v7().simple());
                let admin = Store::connect(&server).await.expect("connect to PostgreSQL test server");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&admin.pool)
                    .await
                    .expect("create test database");
                admin.close().await;
                let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
                (format!("{base}/{name}"), None)
            }
        };
        let store = Store::connect(&url).await.expect("connect");
        // SQLite finds (makes) its key file beside the database; PostgreSQL is given one.
        let store = match backend {
            Backend::Sqlite => store,
            Backend::Postgres => store.with_outbox_keys(crate::network::OutboxKeys::generate()),
        };
        store.migrate().await.expect("migrate");
        if reference {
            store.load_reference().await.expect("reference data");
        }
        Some(TestDb { store, url, _dir: dir })
    }
}

impl Store {
    /// Create a database on this PostgreSQL server (test support; `name` is made by the caller
    /// from letters, digits and underscores only).
    pub async fn create_database(&self, name: &str) -> crate::Result<()> {
        assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&self.pool).await?;
        Ok(())
    }
}

/// Write a test once and run it on both databases:
/// `both_backends!(name, |db: TestDb| async move { ... });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $reference:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let db = $crate::testing::TestDb::new($crate::Backend::Sqlite, $reference).await.unwrap();
                ($body)(db).await;
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(db) = $crate::testing::TestDb::new($crate::Backend::Postgres, $reference).await {
                    ($body)(db).await;
                }
            }
        }
    };
}
