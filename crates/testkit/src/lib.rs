//! Real parts for tests and benchmarks, no mocks: a private PostgreSQL 15 cluster with one
//! fresh database per test (cloned from a migrated template), a SQLite file store, and moto
//! server for AWS APIs. Used by tests in every crate and by `lakecat-bench`.

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

/// Starts `store`'s search readers cache (PostgreSQL) and waits, up to ten seconds, until its
/// listener hears: from then on, searches take their readers from the cache.
pub async fn listening_readers_cache(store: &SeaStore) -> Result<(), String> {
    store.cache_search_readers().map_err(|e| e.message)?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !store.search_readers_cache().0 {
        if std::time::Instant::now() > deadline {
            return Err("the readers cache's listener never connected".into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    Ok(())
}
