//! Per-request DataLoaders: nested fields of a page of results cost one query per field, not
//! one per row. Results are cached for the request, so a permission checked twice is loaded
//! once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use lakecat_core::catalog::*;
use lakecat_core::glossary::{GlossaryNode, TermLink};
use lakecat_core::permissions::Permission;
use lakecat_core::ports::CatalogStore;

use crate::errors::{ApiError, ApiResult};

type Store = Arc<dyn CatalogStore>;

macro_rules! by_id_loader {
    ($name:ident, $value:ty, $method:ident, $key:expr) => {
        pub struct $name(Store);
        impl Loader<String> for $name {
            type Value = $value;
            type Error = ApiError;
            async fn load(&self, keys: &[String]) -> Result<HashMap<String, $value>, ApiError> {
                let rows = self.0.$method(keys).await?;
                Ok(rows.into_iter().map(|v| ($key(&v), v)).collect())
            }
        }
    };
}

by_id_loader!(
    OrganizationLoader,
    Organization,
    organizations_by_ids,
    |v: &Organization| v.id.to_string()
);
by_id_loader!(
    EnvironmentLoader,
    Environment,
    environments_by_ids,
    |v: &Environment| v.id.to_string()
);
by_id_loader!(DatasetLoader, Dataset, datasets_by_ids, |v: &Dataset| v
    .id
    .to_string());
by_id_loader!(TableLoader, Table, tables_by_ids, |v: &Table| v
    .id
    .to_string());
by_id_loader!(FolderLoader, Folder, folders_by_ids, |v: &Folder| v
    .id
    .to_string());
by_id_loader!(
    GlossaryNodeLoader,
    GlossaryNode,
    glossary_nodes_by_ids,
    |v: &GlossaryNode| v.id.to_string()
);
by_id_loader!(TeamLoader, Team, teams_by_names, |v: &Team| v
    .name
    .to_string());

pub struct TableCountLoader(Store);
impl Loader<String> for TableCountLoader {
    type Value = i64;
    type Error = ApiError;
    async fn load(&self, keys: &[String]) -> Result<HashMap<String, i64>, ApiError> {
        Ok(self.0.table_counts(keys).await?)
    }
}

pub struct ColumnCountLoader(Store);
impl Loader<String> for ColumnCountLoader {
    type Value = i64;
    type Error = ApiError;
    async fn load(&self, keys: &[String]) -> Result<HashMap<String, i64>, ApiError> {
        Ok(self.0.column_counts(keys).await?)
    }
}

/// A table's latest profile, parsed once per request (a wide table's columns each read their
/// statistics from it).
pub struct LoadedProfile {
    pub task_id: String,
    pub computed_at: chrono::DateTime<chrono::Utc>,
    pub profile: lakecat_core::lake::TableProfile,
    /// Column name → its index in `profile.columns`.
    pub by_name: HashMap<String, usize>,
}

/// The latest succeeded `tables.profile` task per table, its result parsed.
pub struct TableProfileLoader(Store);
impl Loader<String> for TableProfileLoader {
    type Value = Arc<LoadedProfile>;
    type Error = ApiError;
    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Arc<LoadedProfile>>, ApiError> {
        let mut out = HashMap::new();
        for (table, task) in self.0.table_profiles(keys).await? {
            let Some(result) = task.result else { continue };
            let profile: lakecat_core::lake::TableProfile = serde_json::from_value(result)
                .map_err(|e| {
                    ApiError::from(lakecat_core::Error::internal(format!(
                        "profile of {table}: {e}"
                    )))
                })?;
            let by_name = profile
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), i))
                .collect();
            out.insert(
                table,
                Arc::new(LoadedProfile {
                    task_id: task.id.to_string(),
                    computed_at: task.updated_at,
                    profile,
                    by_name,
                }),
            );
        }
        Ok(out)
    }
}

pub struct VoteLoader {
    store: Store,
    user: String,
}
impl Loader<String> for VoteLoader {
    type Value = VoteSummary;
    type Error = ApiError;
    async fn load(&self, keys: &[String]) -> Result<HashMap<String, VoteSummary>, ApiError> {
        Ok(self.store.vote_summaries(&self.user, keys).await?)
    }
}

pub struct TermLinksLoader(Store);
impl Loader<String> for TermLinksLoader {
    type Value = Vec<TermLink>;
    type Error = ApiError;
    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Vec<TermLink>>, ApiError> {
        let mut out: HashMap<String, Vec<TermLink>> = HashMap::new();
        for l in self.0.term_links_for_targets(keys).await? {
            out.entry(l.target_id.clone()).or_default().push(l);
        }
        Ok(out)
    }
}

/// The permissions the caller's teams hold, per resource id.
pub struct PermissionLoader {
    store: Store,
    groups: Vec<String>,
}
impl Loader<String> for PermissionLoader {
    type Value = Vec<Permission>;
    type Error = ApiError;
    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Vec<Permission>>, ApiError> {
        Ok(self.store.resource_permissions(&self.groups, keys).await?)
    }
}

type Cached<T> = DataLoader<T, HashMapCache>;

fn cached<T: Loader<String>>(loader: T) -> Cached<T> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default())
        .delay(Duration::from_micros(500))
}

pub struct Loaders {
    pub organizations: Cached<OrganizationLoader>,
    pub environments: Cached<EnvironmentLoader>,
    pub datasets: Cached<DatasetLoader>,
    pub tables: Cached<TableLoader>,
    pub folders: Cached<FolderLoader>,
    pub glossary_nodes: Cached<GlossaryNodeLoader>,
    pub teams: Cached<TeamLoader>,
    pub table_counts: Cached<TableCountLoader>,
    pub column_counts: Cached<ColumnCountLoader>,
    pub table_profiles: Cached<TableProfileLoader>,
    pub votes: Cached<VoteLoader>,
    pub term_links: Cached<TermLinksLoader>,
    pub permissions: Cached<PermissionLoader>,
}

impl Loaders {
    pub fn new(store: Store, groups: Vec<String>, user: String) -> Self {
        Loaders {
            organizations: cached(OrganizationLoader(store.clone())),
            environments: cached(EnvironmentLoader(store.clone())),
            datasets: cached(DatasetLoader(store.clone())),
            tables: cached(TableLoader(store.clone())),
            folders: cached(FolderLoader(store.clone())),
            glossary_nodes: cached(GlossaryNodeLoader(store.clone())),
            teams: cached(TeamLoader(store.clone())),
            table_counts: cached(TableCountLoader(store.clone())),
            column_counts: cached(ColumnCountLoader(store.clone())),
            table_profiles: cached(TableProfileLoader(store.clone())),
            votes: cached(VoteLoader {
                store: store.clone(),
                user,
            }),
            term_links: cached(TermLinksLoader(store.clone())),
            permissions: cached(PermissionLoader { store, groups }),
        }
    }

    pub async fn permissions_on(&self, resource_id: &str) -> ApiResult<Vec<Permission>> {
        Ok(self
            .permissions
            .load_one(resource_id.to_owned())
            .await?
            .unwrap_or_default())
    }
}
