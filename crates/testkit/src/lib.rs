//! Real parts for tests and benchmarks, no mocks: a private PostgreSQL 15 cluster with one
//! fresh database per test (cloned from a migrated template), a SQLite file store, and moto
//! server for AWS APIs. Used by tests in every crate and by `lakecat bench`.

pub mod moto;
pub mod pg;

use lakecat_store::{SeaStore, StoreConfig};

/// Which database a contract test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A migrated store on a fresh database, plus what keeps that database alive.
pub struct TestStore {
    pub store: SeaStore,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// Opens a fresh, migrated store on the given backend.
pub async fn fresh_store(backend: Backend) -> Result<TestStore, String> {
    match backend {
        Backend::Postgres => {
            let url = tokio::task::spawn_blocking(pg::fresh_database_url)
                .await
                .map_err(|e| e.to_string())??;
            let store = SeaStore::open(&StoreConfig::new(url.clone()))
                .await
                .map_err(|e| e.to_string())?;
            Ok(TestStore {
                store,
                url,
                _dir: None,
            })
        }
        Backend::Sqlite => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
            let store = SeaStore::open(&StoreConfig::new(url.clone()))
                .await
                .map_err(|e| e.to_string())?;
            Ok(TestStore {
                store,
                url,
                _dir: Some(dir),
            })
        }
    }
}
