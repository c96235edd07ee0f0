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

/// Who a test's mutation is by: the actor `test`, doing `action`.
pub fn meta(action: &str) -> lakecat_core::caller::MutationMeta {
    lakecat_core::caller::MutationMeta {
        actor: "test".into(),
        action: action.into(),
        request_id: action.into(),
    }
}

/// An environment of a new organization in `account` and `region`: label Analytics, owned
/// by `platform`, resource prefix `lake`, the default pivot role. Built by the caller (who
/// may change any field first), not recorded.
pub fn new_environment(
    account: &str,
    region: &str,
) -> Result<lakecat_core::catalog::NewEnvironment, String> {
    use lakecat_core::catalog::*;
    use lakecat_core::ids::OrganizationId;
    use lakecat_core::names::*;
    let e = |e: lakecat_core::Error| e.message;
    Ok(NewEnvironment {
        organization_id: OrganizationId::generate(),
        label: Label::parse("l", "Analytics").map_err(e)?,
        description: Description::parse("d", "").map_err(e)?,
        tags: vec![],
        account_id: AwsAccountId::parse("a", account).map_err(e)?,
        region: AwsRegion::parse("r", region).map_err(e)?,
        owner_team: TeamName::parse("t", "platform").map_err(e)?,
        env_type: EnvironmentType::Data,
        resource_prefix: Slug::parse("p", "lake").map_err(e)?,
        pivot_role_name: DEFAULT_PIVOT_ROLE.into(),
    })
}

/// A dataset `slug` labelled `label` in `env`, owned by `sales`, UNCLASSIFIED, visible to the
/// organization. Built by the caller (who may change any field first), not recorded.
pub fn new_dataset(
    env: &lakecat_core::catalog::Environment,
    label: &str,
    slug: &str,
) -> Result<lakecat_core::catalog::NewDataset, String> {
    use lakecat_core::catalog::*;
    use lakecat_core::names::*;
    let e = |e: lakecat_core::Error| e.message;
    Ok(NewDataset {
        environment_id: env.id.clone(),
        label: Label::parse("l", label).map_err(e)?,
        slug: Slug::parse("s", slug).map_err(e)?,
        description: Description::parse("d", "").map_err(e)?,
        owner_team: TeamName::parse("t", "sales").map_err(e)?,
        stewards_team: None,
        confidentiality: Confidentiality::Unclassified,
        topics: vec![Topic::Sales],
        tags: vec![],
        auto_approval: false,
        visibility: Visibility::Organization,
        imported: None,
    })
}

/// An organization, an environment in `account` (eu-west-1) and a dataset `slug` in it,
/// recorded through the store's ports with their grants; the dataset's stack recorded as
/// `stack` (CREATE_COMPLETE: ready for syncs).
pub async fn seed_dataset(
    store: &SeaStore,
    account: &str,
    slug: &str,
    stack: lakecat_core::catalog::StackStatus,
) -> Result<
    (
        lakecat_core::catalog::Environment,
        lakecat_core::catalog::Dataset,
    ),
    String,
> {
    use lakecat_core::catalog::*;
    use lakecat_core::names::*;
    use lakecat_core::ports::{CatalogStore, DatasetStore, OrganizationStore, StackUpdate};
    let e = |e: lakecat_core::Error| e.message;
    let now = chrono::Utc::now();
    let meta = meta("seed");
    let (org, grants) = NewOrganization {
        label: Label::parse("l", "Acme").map_err(e)?,
        description: Description::parse("d", "").map_err(e)?,
        tags: vec![],
        admin_team: TeamName::parse("t", "admins").map_err(e)?,
    }
    .build("test", now);
    store
        .create_organization(&meta, &org, &grants)
        .await
        .map_err(e)?;
    let (env, grants) = NewEnvironment {
        organization_id: org.id.clone(),
        ..new_environment(account, "eu-west-1")?
    }
    .build("test", now);
    store
        .create_environment(&meta, &env, &grants)
        .await
        .map_err(e)?;
    let (ds, grants) = new_dataset(&env, slug, slug)?
        .build(&env, "test", now)
        .map_err(e)?;
    store.create_dataset(&meta, &ds, &grants).await.map_err(e)?;
    let update = StackUpdate {
        status: stack,
        events: vec![],
        outputs: None,
        error: None,
    };
    let store: &dyn CatalogStore = store;
    store
        .record_stack(ds.id.as_str(), &update)
        .await
        .map_err(e)?;
    let ds = store
        .datasets_by_ids(&[ds.id.as_str().to_owned()])
        .await
        .map_err(e)?
        .pop()
        .ok_or("the seeded dataset is gone")?;
    Ok((env, ds))
}
