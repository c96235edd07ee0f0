//! The catalog store adapter: sea-orm over PostgreSQL (production, Aurora compatible) and
//! SQLite (embedded default), with forward-only migrations. Implements
//! [`lakecat_core::ports::CatalogStore`]; every mutation is one transaction that also writes
//! its audit event. Depends on core, never on the API or AWS crates.

mod audit;
pub(crate) mod catalog;
mod convert;
mod datasets;
pub mod entities;
mod errors;
mod glossary;
pub mod migration;
mod organizations;
mod readers_cache;
mod search;
mod share_store;
mod social;
mod stacks;
mod support;
mod task_store;
mod teams;
mod visibility;

pub use task_store::write_tasks;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lakecat_core::{Error, Result};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;

pub use errors::db_err;

/// The store. Cheap to clone; shares one connection pool.
#[derive(Clone)]
pub struct SeaStore {
    db: DatabaseConnection,
    statements: Arc<AtomicU64>,
    /// [`search::ReadersSql`] by number of teams.
    readers_sql: Arc<std::sync::Mutex<HashMap<usize, Arc<search::ReadersSql>>>>,
    readers_cache: Arc<readers_cache::ReadersCache>,
}

/// A write transaction of the store. Its commit tells the readers cache, before the mutation
/// returns, that what it kept may be stale: [`WriteTxn::commit`] is the only way to commit it.
pub(crate) struct WriteTxn {
    txn: sea_orm::DatabaseTransaction,
    readers_cache: Arc<readers_cache::ReadersCache>,
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<sea_orm::ExecResult, sea_orm::DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(
        &self,
        sql: &str,
    ) -> std::result::Result<sea_orm::ExecResult, sea_orm::DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<Option<sea_orm::QueryResult>, sea_orm::DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<Vec<sea_orm::QueryResult>, sea_orm::DbErr> {
        self.txn.query_all_raw(stmt).await
    }
}

impl WriteTxn {
    pub async fn commit(self) -> std::result::Result<(), sea_orm::DbErr> {
        let done = self.txn.commit().await;
        // Even a failed commit may have committed (a connection lost after COMMIT was sent).
        self.readers_cache.invalidate();
        done
    }
}

/// Connection settings.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub url: String,
    pub max_connections: u32,
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> Self {
        StoreConfig {
            url: url.into(),
            max_connections: 16,
        }
    }
}

impl SeaStore {
    /// Begins a transaction that writes. On SQLite it takes the write lock at BEGIN
    /// (IMMEDIATE), so a transaction that reads before it writes waits for another writer
    /// (busy timeout) instead of failing when it upgrades; PostgreSQL ignores the mode.
    pub(crate) async fn write_txn(&self) -> Result<WriteTxn> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        let txn = self
            .db
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await
            .map_err(db_err)?;
        Ok(WriteTxn {
            txn,
            readers_cache: self.readers_cache.clone(),
        })
    }

    /// Keeps the search readers of recent team sets in process (see [`readers_cache`]):
    /// starts the listener that hears PostgreSQL's notifications of changes, once per store.
    /// Until it is listening, and whenever it is not, every search asks the database. On
    /// SQLite this is an error: the statement runs in process, and another process's writes
    /// could not be heard.
    pub fn cache_search_readers(&self) -> Result<()> {
        if self.backend() != DbBackend::Postgres {
            return Err(Error::unavailable(
                "the search readers cache needs PostgreSQL (its notifications)",
            ));
        }
        if self.readers_cache.start() {
            tokio::spawn(readers_cache::listen(
                self.db.clone(),
                self.readers_cache.clone(),
            ));
        }
        Ok(())
    }

    /// Whether the readers cache is in use now (its listener connected), and the answers it
    /// served so far.
    pub fn search_readers_cache(&self) -> (bool, u64) {
        (self.readers_cache.listening(), self.readers_cache.hits())
    }

    /// Connects (creating a SQLite file if needed). Does not migrate.
    pub async fn connect(config: &StoreConfig) -> Result<Self> {
        let is_sqlite = config.url.starts_with("sqlite:");
        let mut opts = ConnectOptions::new(config.url.clone());
        opts.max_connections(if is_sqlite {
            config.max_connections.min(8)
        } else {
            config.max_connections
        })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // A ping on every checkout doubles the round trips of short queries; only connections
        // idle long enough to have been dropped by a proxy or the server are pinged.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
        let mut db = Database::connect(opts)
            .await
            .map_err(|e| Error::unavailable(format!("cannot connect to the database: {e}")))?;
        if is_sqlite {
            // WAL lets readers run beside the single writer; the busy timeout queues writers.
            for pragma in [
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
            ] {
                db.execute_unprepared(pragma).await.map_err(db_err)?;
            }
        }
        let statements = Arc::new(AtomicU64::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_info| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(SeaStore {
            db,
            statements,
            readers_sql: Arc::default(),
            readers_cache: Arc::default(),
        })
    }

    /// Connects and applies pending migrations.
    pub async fn open(config: &StoreConfig) -> Result<Self> {
        let store = SeaStore::connect(config).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        migration::Migrator::up(&self.db, None)
            .await
            .map_err(|e| Error::internal(format!("migration failed: {e}")))
    }

    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// SQL statements executed through this store so far (for statement-count tests).
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}

/// The SQLite URL for a data directory's catalog file.
pub fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}
