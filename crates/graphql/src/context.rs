//! What a resolver can reach: the services (shared) and the request context (one per
//! request: the caller, the request id, the caller's permissions loaded once, the loaders).

use std::sync::Arc;

use async_graphql::Context;
use lakecat_core::Error;
use lakecat_core::caller::{Caller, MutationMeta};
use lakecat_core::permissions::TenantPermission;
use lakecat_core::ports::{CatalogStore, UserDirectory};
use lakecat_core::tasks::TaskQueue;
use tokio::sync::OnceCell;

use crate::errors::ApiResult;
use crate::loaders::Loaders;

#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn CatalogStore>,
    pub cursor_key: Arc<Vec<u8>>,
    /// Tenant permissions every signed-in caller holds by configuration
    /// (`LAKECAT_DEFAULT_TENANT_PERMISSIONS`); empty unless an operator lists some.
    pub default_tenant_permissions: Arc<Vec<TenantPermission>>,
    /// Where task ids are published after commit; None where no worker listens yet (the
    /// rows stay PENDING for the sweep of whichever worker starts).
    pub queue: Option<Arc<dyn TaskQueue>>,
    /// The search index, refreshed after a mutation for the caller's read-your-writes (the
    /// mutation's `search.index` task makes it converge in any case).
    pub search: Option<Arc<dyn lakecat_core::search::SearchIndex>>,
    /// Local users; None where an identity provider holds them.
    pub users: Option<Arc<dyn UserDirectory>>,
    /// What environment bootstrap templates are filled in with.
    pub platform: lakecat_core::stacks::PlatformRoles,
    /// Whether a worker syncs tables from the lake (see `SchemaConfig::tables_sync`).
    pub tables_sync: bool,
    /// Where table previews are read (see `SchemaConfig::lake`).
    pub lake: Option<Arc<dyn lakecat_core::lake::TableReader>>,
}

impl Services {
    pub fn new(
        store: Arc<dyn CatalogStore>,
        cursor_key: Vec<u8>,
        default_tenant_permissions: Vec<TenantPermission>,
        queue: Option<Arc<dyn TaskQueue>>,
    ) -> Self {
        Services {
            store,
            cursor_key: Arc::new(cursor_key),
            default_tenant_permissions: Arc::new(default_tenant_permissions),
            queue,
            search: None,
            users: None,
            platform: Default::default(),
            tables_sync: false,
            lake: None,
        }
    }

    pub fn with_search(
        mut self,
        search: Option<Arc<dyn lakecat_core::search::SearchIndex>>,
    ) -> Self {
        self.search = search;
        self
    }

    pub fn with_users(mut self, users: Option<Arc<dyn UserDirectory>>) -> Self {
        self.users = users;
        self
    }

    pub fn with_platform(mut self, platform: lakecat_core::stacks::PlatformRoles) -> Self {
        self.platform = platform;
        self
    }

    pub fn with_tables_sync(mut self, tables_sync: bool) -> Self {
        self.tables_sync = tables_sync;
        self
    }

    pub fn with_lake(mut self, lake: Option<Arc<dyn lakecat_core::lake::TableReader>>) -> Self {
        self.lake = lake;
        self
    }
}

/// Per-request state, inserted into each `async_graphql::Request` by the server.
pub struct RequestContext {
    pub caller: Option<Caller>,
    pub request_id: String,
    tenant: OnceCell<Vec<TenantPermission>>,
    /// What the caller may see ([`crate::visibility::readers`]), loaded once.
    pub(crate) readers: OnceCell<lakecat_core::catalog::Readers>,
    pub(crate) loaders: Loaders,
    /// Whether the caller may read each table's data (previews, profiles), decided once.
    pub(crate) data_access: std::sync::Mutex<std::collections::HashMap<String, bool>>,
}

impl RequestContext {
    pub fn new(store: Arc<dyn CatalogStore>, caller: Option<Caller>, request_id: String) -> Self {
        let groups = caller.as_ref().map(|c| c.group_names()).unwrap_or_default();
        let user = caller
            .as_ref()
            .map(|c| c.subject.clone())
            .unwrap_or_default();
        RequestContext {
            caller,
            request_id,
            tenant: OnceCell::new(),
            readers: OnceCell::new(),
            loaders: Loaders::new(store, groups, user),
            data_access: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Tenant permissions of the caller's teams plus the configured defaults, loaded at most
    /// once per request.
    pub async fn tenant_permissions(&self, services: &Services) -> ApiResult<&[TenantPermission]> {
        let groups = self
            .caller
            .as_ref()
            .map(|c| c.group_names())
            .unwrap_or_default();
        let perms = self
            .tenant
            .get_or_try_init(|| async {
                let mut held = services.store.tenant_permissions(&groups).await?;
                if self.caller.is_some() {
                    held.extend(services.default_tenant_permissions.iter().copied());
                }
                held.sort();
                held.dedup();
                Ok::<_, Error>(held)
            })
            .await?;
        Ok(perms)
    }
}

pub(crate) fn services<'a>(ctx: &Context<'a>) -> &'a Services {
    ctx.data_unchecked::<Services>()
}

pub(crate) fn store<'a>(ctx: &Context<'a>) -> &'a dyn CatalogStore {
    services(ctx).store.as_ref()
}

pub(crate) fn request<'a>(ctx: &Context<'a>) -> ApiResult<&'a RequestContext> {
    ctx.data::<RequestContext>()
        .map_err(|_| Error::internal("request context missing").into())
}

/// The signed-in caller, or UNAUTHENTICATED.
pub(crate) fn caller<'a>(ctx: &Context<'a>) -> ApiResult<&'a Caller> {
    request(ctx)?
        .caller
        .as_ref()
        .ok_or_else(|| Error::unauthenticated("sign in first").into())
}

/// Audit metadata for the mutation being resolved.
pub(crate) fn meta(ctx: &Context<'_>) -> ApiResult<MutationMeta> {
    let req = request(ctx)?;
    let c = caller(ctx)?;
    Ok(MutationMeta {
        actor: c.subject.clone(),
        action: ctx.field().name().to_owned(),
        request_id: req.request_id.clone(),
    })
}

/// Publishes the ids of tasks a mutation committed. A lost publish is not an error: the rows
/// are PENDING and the sweep publishes them.
pub(crate) async fn publish_committed(ctx: &Context<'_>, tasks: &[lakecat_core::tasks::NewTask]) {
    let envelopes: Vec<_> = tasks.iter().map(|t| t.envelope()).collect();
    publish_now(ctx, &envelopes).await;
}

pub(crate) async fn publish_now(
    ctx: &Context<'_>,
    envelopes: &[lakecat_core::tasks::TaskEnvelope],
) {
    let Some(queue) = &services(ctx).queue else {
        return;
    };
    if envelopes.is_empty() {
        return;
    }
    if let Err(e) = queue.publish(envelopes, std::time::Duration::ZERO).await {
        tracing::warn!(tasks = envelopes.len(), error = %e.message, "cannot publish committed tasks; the sweep will");
    }
}

/// How long a mutation's refresh holds the dataset's `search.index` task: if the process dies
/// during the refresh, a sweep runs the task once this has passed.
const REFRESH_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// The most datasets a rename of their organization or environment refreshes before it
/// returns; the tasks the rename wrote bring the rest.
const REFRESH_INLINE_DATASETS: usize = 1_000;

/// After a rename of an organization or environment (`filter` names it): rebuilds the
/// documents of the datasets in it now, up to [`REFRESH_INLINE_DATASETS`], in one index
/// commit, so the caller's next search shows the new label. The rename's tasks stay pending:
/// the worker finds these datasets current, and brings any beyond the limit. A failure is
/// logged, not returned.
pub(crate) async fn refresh_search_datasets(
    ctx: &Context<'_>,
    filter: lakecat_core::catalog::DatasetFilter,
) {
    use lakecat_core::page::{MAX_PAGE_SIZE, PageRequest};
    let s = services(ctx);
    if s.search.is_none() {
        return;
    }
    let listed = async {
        let mut ids = Vec::new();
        let mut after = None;
        while ids.len() < REFRESH_INLINE_DATASETS {
            let page = s
                .store
                .list_datasets(
                    &filter,
                    &PageRequest {
                        first: MAX_PAGE_SIZE,
                        after: after.clone(),
                    },
                )
                .await?;
            after = page.items.last().map(|(k, _)| k.clone());
            ids.extend(page.items.iter().map(|(_, d)| d.id.to_string()));
            if !page.has_next || after.is_none() {
                break;
            }
        }
        Ok::<_, lakecat_core::Error>(ids)
    };
    match listed.await {
        Ok(ids) => refresh_search_of(ctx, ids).await,
        Err(e) => {
            tracing::warn!(error = %e.message, "search refresh after a rename failed; the index tasks will bring it")
        }
    }
}

/// Rebuilds the documents of the datasets `ids` (up to [`REFRESH_INLINE_DATASETS`]) in one
/// index commit; their pending tasks stay for the worker. A failure is logged, not returned.
pub(crate) async fn refresh_search_of(ctx: &Context<'_>, mut ids: Vec<String>) {
    let s = services(ctx);
    let Some(index) = &s.search else {
        return;
    };
    ids.truncate(REFRESH_INLINE_DATASETS);
    let refresh = async {
        let sets = lakecat_core::search::datasets_documents(s.store.as_ref(), &ids).await?;
        index.replace_datasets(sets).await
    };
    if let Err(e) = refresh.await {
        tracing::warn!(error = %e.message, "search refresh failed; the index tasks will bring it");
    }
}

/// After a mutation committed a change to a dataset or an entry in it, or to a glossary:
/// rebuilds the documents of that unit of the index now, so the caller's next search shows
/// the change. It claims the unit's pending `search.index` task first and finishes it, so the
/// worker does not read and index it a second time; a change committed after the claim
/// writes a new task. A failure is logged, not returned: the task goes back to the worker
/// (or, if none was claimed, the one pending brings the index in line).
pub(crate) async fn refresh_search(ctx: &Context<'_>, target: &str) {
    use lakecat_core::search::SEARCH_TASK_KIND;
    use lakecat_core::tasks::TaskOutcome;
    let s = services(ctx);
    let Some(index) = &s.search else {
        return;
    };
    let claimed = s
        .store
        .claim_pending(SEARCH_TASK_KIND, target, REFRESH_LEASE)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(search.target = %target, error = %e.message, "cannot claim the search task; the worker will run it");
            None
        });
    let outcome =
        lakecat_core::search::index_target(s.store.as_ref(), index.as_ref(), target).await;
    if let Err(e) = &outcome {
        tracing::warn!(search.target = %target, error = %e.message, "search refresh failed; the index task will retry");
    }
    let Some(claimed) = claimed else {
        return;
    };
    let finished = match outcome {
        Ok(documents) => {
            TaskOutcome::Succeeded(serde_json::json!({ "documents": documents, "by": "mutation" }))
        }
        Err(e) => TaskOutcome::Retry {
            error: e.message,
            run_after: chrono::Utc::now(),
        },
    };
    if let Err(e) = s
        .store
        .finish(&claimed.task.id, claimed.attempt, &finished)
        .await
    {
        tracing::warn!(search.target = %target, error = %e.message, "cannot finish the search task; a sweep will run it");
    }
}
