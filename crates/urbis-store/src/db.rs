use crate::{Result, StoreError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A write transaction: on SQLite it begins IMMEDIATE (takes the write lock up front, so a
/// read-then-write never fails on upgrade); on PostgreSQL it is a plain READ COMMITTED transaction
/// whose writes are guarded by version columns.
pub type WriteTx = sqlx::Transaction<'static, sqlx::Any>;

/// The handle to the database, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// The keys that seal the outbox's secrets (see `network::outbox`): for a SQLite file, the key
    /// file beside it unless others are given; for PostgreSQL, only those given.
    pub(crate) outbox_keys: Option<crate::network::OutboxKeys>,
    /// SQLite: a connection of its own that only reads `PRAGMA data_version` (see [`Store::generation`]).
    watcher: std::sync::Arc<tokio::sync::Mutex<Option<Watcher>>>,
}

/// The connection [`Store::generation`] reads SQLite's `data_version` on.
struct Watcher(sqlx::AnyConnection);

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watcher")
    }
}

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/0001_foundation.sql")),
    (2, "diagnostic", include_str!("../migrations/0002_diagnostic.sql")),
    (3, "diagnostic-results", include_str!("../migrations/0003_diagnostic_results.sql")),
    (4, "services", include_str!("../migrations/0004_services.sql")),
    (5, "pulse", include_str!("../migrations/0005_pulse.sql")),
    (6, "auth-hardening", include_str!("../migrations/0006_auth_hardening.sql")),
    (7, "outbox-secrets", include_str!("../migrations/0007_outbox_secrets.sql")),
    (8, "person-deactivation", include_str!("../migrations/0008_person_deactivation.sql")),
    (9, "grants", include_str!("../migrations/0009_grants.sql")),
    (10, "convenings", include_str!("../migrations/0010_convenings.sql")),
    (11, "results-changes", include_str!("../migrations/0011_results_changes.sql")),
];

/// SQLite's durability on commit (`PRAGMA synchronous` in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// Every commit is synced to disk before it is acknowledged: nothing acknowledged is lost on
    /// power loss (the default).
    Full,
    /// Commits are synced at checkpoints only: faster, but the last acknowledged commits can be
    /// lost on power loss or an OS crash (not on a crash of Urbis alone).
    Normal,
}

/// Take the `synchronous=full|normal` parameter out of a SQLite URL (sqlx does not know it).
fn sqlite_synchronous(url: &str) -> Result<(String, Synchronous)> {
    let Some((base, query)) = url.split_once('?') else { return Ok((url.to_string(), Synchronous::Full)) };
    let mut mode = Synchronous::Full;
    let mut rest = vec![];
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("synchronous", v)) => {
                mode = match v.to_ascii_lowercase().as_str() {
                    "full" => Synchronous::Full,
                    "normal" => Synchronous::Normal,
                    _ => {
                        return Err(StoreError::Invalid(urbis_domain::Invalid::one(
                            "database_url",
                            "invalid-synchronous",
                            "synchronous must be full or normal",
                        )));
                    }
                }
            }
            _ => rest.push(pair),
        }
    }
    let url = if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) };
    Ok((url, mode))
}

/// The outbox key file of a SQLite database file: beside it, named `<file>.outbox-key` (none for
/// a database in memory).
pub fn sqlite_key_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(std::path::PathBuf::from(format!("{path}.outbox-key")))
}

impl Store {
    /// Connect to `sqlite://path` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Invalid(urbis_domain::Invalid::one(
                "database_url",
                "unsupported-database",
                "must start with sqlite: or postgres:",
            )));
        };
        let (url, synchronous) = match backend {
            Backend::Sqlite => sqlite_synchronous(url)?,
            Backend::Postgres => (url.to_string(), Synchronous::Full),
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url,
        };
        let opts = AnyConnectOptions::from_str(&url)?;
        let pool_opts = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10));
        let pool_opts = if backend == Backend::Sqlite {
            pool_opts.after_connect(move |conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                        .await?;
                    conn.execute(match synchronous {
                        Synchronous::Full => "PRAGMA synchronous = FULL",
                        Synchronous::Normal => "PRAGMA synchronous = NORMAL",
                    })
                    .await?;
                    Ok(())
                })
            })
        } else {
            pool_opts
        };
        let pool = pool_opts.connect_with(opts).await?;
        let outbox_keys = match backend {
            Backend::Sqlite => Some(match sqlite_key_file(&url) {
                Some(path) => crate::network::OutboxKeys::load_or_create(&path)?,
                // A database in memory lives as long as the process: so does its key.
                None => crate::network::OutboxKeys::generate(),
            }),
            Backend::Postgres => None,
        };
        Ok(Store { pool, backend, outbox_keys, watcher: Default::default() })
    }

    /// The database's commit generation: a value that changes whenever any transaction commits, in
    /// this process or any other sharing the database (other Urbis instances, the CLI), and stays
    /// the same while nothing commits. What was read after the generation was `g` is current for as
    /// long as the generation is still `g`, which is how the in-memory caches know they are fresh
    /// (`urbis_app::cache`).
    ///
    /// PostgreSQL: the text of `pg_current_snapshot()` (`xmin:xmax:in-progress ids`), which changes
    /// as transaction ids are handed out and as transactions end; it counts every database of the
    /// server, so a busy neighbour only makes caches miss more often. SQLite: `PRAGMA data_version`
    /// on a connection that never writes, which changes whenever another connection commits.
    /// Neither writes anything.
    pub async fn generation(&self) -> Result<String> {
        match self.backend {
            Backend::Postgres => {
                Ok(sqlx::query_scalar("SELECT pg_current_snapshot()::text").fetch_one(&self.pool).await?)
            }
            Backend::Sqlite => {
                let mut watcher = self.watcher.lock().await;
                if watcher.is_none() {
                    *watcher = Some(Watcher(self.pool.acquire().await?.detach()));
                }
                let Some(conn) = watcher.as_mut() else { return Err(StoreError::Corrupt("no watcher".into())) };
                match sqlx::query_scalar::<_, i64>("PRAGMA data_version").fetch_one(&mut conn.0).await {
                    Ok(v) => Ok(v.to_string()),
                    Err(e) => {
                        *watcher = None;
                        Err(e.into())
                    }
                }
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Begin a write transaction (see [`WriteTx`]).
    pub async fn begin_write(&self) -> Result<WriteTx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Begin a read transaction that sees one consistent snapshot (used by backups).
    pub(crate) async fn begin_snapshot(&self) -> Result<WriteTx> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN DEFERRED").await?,
            Backend::Postgres => self.pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await?,
        })
    }

    /// Is the database answering?
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Apply pending migrations, each in its own transaction. Returns how many were applied.
    pub async fn migrate(&self) -> Result<usize> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        let mut applied = 0;
        for (version, name, sql) in MIGRATIONS {
            let mut tx = self.begin_write().await?;
            let done: Option<i64> = sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut *tx)
                .await?;
            if done.is_some() {
                continue;
            }
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::Migrate(format!("{version} {name}: {e}")))?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(*version)
                .bind(*name)
                .bind(crate::ts(crate::now()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            applied += 1;
        }
        Ok(applied)
    }

    /// The newest schema version this build knows.
    pub fn schema_version() -> i64 {
        MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
    }

    /// The schema version of the connected database (0 when empty).
    pub async fn current_schema_version(&self) -> Result<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
            .fetch_optional(&self.pool)
            .await
            .unwrap_or(None);
        Ok(v.unwrap_or(0))
    }

    /// Close the pool (used by tests and the CLI before exit).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The installation's secret for signing cookies, made on first use.
    pub async fn secret(&self) -> Result<Vec<u8>> {
        let mut tx = self.begin_write().await?;
        let existing: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = 'cookie-secret'")
            .fetch_optional(&mut *tx)
            .await?;
        let hexed = match existing {
            Some(v) => v,
            None => {
                let v = hex::encode(crate::auth::random_bytes::<32>());
                sqlx::query("INSERT INTO settings (key, value) VALUES ('cookie-secret', $1)")
                    .bind(&v)
                    .execute(&mut *tx)
                    .await?;
                v
            }
        };
        tx.commit().await?;
        hex::decode(hexed).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

#[cfg(test)]
mod durability_tests {
    use super::*;
    use sqlx::Row;

    async fn synchronous_of(url: &str) -> i64 {
        let store = Store::connect(url).await.unwrap();
        sqlx::query("PRAGMA synchronous").fetch_one(&store.pool).await.unwrap().try_get::<i64, _>(0).unwrap()
    }

    #[tokio::test]
    async fn sqlite_commits_are_synced_to_disk_unless_the_url_says_normal() {
        let dir = std::env::temp_dir().join(format!("urbis-sync-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("t.db");
        let url = format!("sqlite://{}", file.display());
        assert_eq!(synchronous_of(&url).await, 2, "FULL by default");
        assert_eq!(synchronous_of(&format!("{url}?synchronous=normal")).await, 1);
        assert_eq!(synchronous_of(&format!("{url}?mode=rwc&synchronous=FULL")).await, 2);
        let Err(StoreError::Invalid(e)) = Store::connect(&format!("{url}?synchronous=off")).await else {
            panic!("a bad synchronous value is refused")
        };
        assert_eq!((e.0[0].field.as_str(), e.0[0].code), ("database_url", "invalid-synchronous"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
