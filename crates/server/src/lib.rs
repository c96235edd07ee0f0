//! The lakecat server: one axum router (GraphQL, login, health) shared by `lakecat serve`,
//! the API Lambda and tests; its configuration, validated at start; authentication. The
//! adapters (search engine, task queue, AWS share processing) are wired by each binary and
//! handed in as [`Adapters`], so the server depends on core, store and graphql only: building
//! the workspace never gives one binary another's adapters.

pub mod auth;
pub mod graphiql;
pub mod introspection;
pub mod local_users;
pub mod parsed;
mod router;
mod telemetry;
pub mod throttle;
pub mod user_directory;
#[cfg(feature = "web-ui")]
pub mod web;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use lakecat_core::ports::CatalogStore;
use lakecat_core::search::SearchIndex;
use lakecat_core::shares::{ResourceLock, ShareProcessor};
use lakecat_core::stacks::StackDeployer;
use lakecat_core::tasks::{RetryPolicy, TaskQueue};
use lakecat_graphql::{
    LakecatSchema, SchemaConfig, build_introspection_schema, build_schema, build_schema_validating,
};
use lakecat_store::{SeaStore, StoreConfig};
use lakecat_worker::{
    InProcessQueue, LocalLakeProcessor, LocalStackDeployer, NoopHandler, QueueReceiver,
    SearchHandler, SearchRebuildHandler, ShareExpiry, ShareHandler, StackHandler, Worker,
};

/// The configuration, read in one place for every binary (see `lakecat-config`).
pub use lakecat_config as config;

pub use auth::{Authenticator, TrustedClaims};
pub use config::{AuthMode, Config, LakeMode};
pub use router::router;
pub use telemetry::init_tracing;

/// Everything a running server holds.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub store: SeaStore,
    pub schema: LakecatSchema,
    pub auth: Arc<Authenticator>,
    /// Limits on sign-in: concurrent password checks, failures per username and address.
    pub login: Arc<throttle::LoginThrottle>,
    /// The in-process worker and its queue's receiving end (embedded default), taken by
    /// [`App::start_worker`].
    pub worker: Option<Arc<Worker>>,
    receiver: Arc<Mutex<Option<QueueReceiver>>>,
    /// The embedded search index (with the in-process worker), if built in.
    pub search: Option<Arc<dyn SearchIndex>>,
    /// Parsed documents of recent query texts, and whether each passed validation.
    pub parsed: Arc<parsed::ParsedQueries>,
    /// The schema that runs documents [`parsed`] knows passed validation (built at the first).
    validated: Arc<(SchemaConfig, OnceLock<LakecatSchema>)>,
    /// The schema for introspection-only documents (built at the first).
    introspection: Arc<OnceLock<LakecatSchema>>,
}

/// How often the in-process sweep looks for stranded tasks, and how long a PENDING task may
/// wait for its publish before the sweep republishes it. The sweep is one indexed query; it
/// is also how this process hears of tasks written by another one (`lakecat reindex` while
/// `lakecat serve` holds the index), so it runs often.
const SWEEP_INTERVAL: Duration = Duration::from_secs(2);
const SWEEP_GRACE: Duration = Duration::from_secs(10);

/// Builds the share processor of `LAKECAT_LAKE=aws` from the lock store the server opens
/// (policy edits are serialized across processes by lease locks in the database).
pub type ShareProcessorFactory =
    Arc<dyn Fn(Arc<dyn ResourceLock>) -> Arc<dyn ShareProcessor> + Send + Sync>;

/// What a binary wires into the server: the adapters it was built with.
#[derive(Clone, Default)]
pub struct Adapters {
    /// The search index: searches answer NOT_OFFERED without one; the in-process worker keeps
    /// it current.
    pub search: Option<Arc<dyn SearchIndex>>,
    /// Where task ids are published after commit when there is no in-process worker (the API
    /// Lambda's SQS queue); without either, tasks wait for a sweep.
    pub queue: Option<Arc<dyn TaskQueue>>,
    /// Share processing on AWS for the in-process worker (`LAKECAT_LAKE=aws`).
    pub aws_lake: Option<ShareProcessorFactory>,
    /// The in-process worker's stack deployer; without one, the local lake's deployer when
    /// there is a lake directory (`LAKECAT_LAKE=local`), else stacks wait for a stack service.
    pub stacks: Option<Arc<dyn StackDeployer>>,
    /// Where the in-process worker reads tables from for `syncTables` (the local lake's
    /// files); without one, `syncTables` is not offered.
    pub tables: Option<Arc<dyn lakecat_core::lake::LakeReader>>,
    /// Where previews are read when this process reads no lake itself (the API Lambda asks
    /// the worker Lambda); without either, previews are not offered.
    pub previews: Option<Arc<dyn lakecat_core::lake::TableReader>>,
}

impl App {
    /// Connects to the database (migrating it when `migrate`), prepares authentication and
    /// builds the schema over `adapters`.
    pub async fn build(config: Config, migrate: bool, adapters: Adapters) -> Result<App, String> {
        let Adapters {
            search,
            queue,
            aws_lake,
            stacks,
            tables,
            previews,
        } = adapters;
        let mut sc = StoreConfig::new(config.database_url.clone());
        sc.max_connections = config.max_connections;
        let store = SeaStore::connect(&sc).await.map_err(|e| e.message)?;
        if migrate {
            store.migrate().await.map_err(|e| e.message)?;
            tracing::info!("database migrations applied");
        }
        let auth = Authenticator::from_config(&config).await?;
        let dyn_store: Arc<dyn CatalogStore> = Arc::new(store.clone());
        // Tables are synced by the in-process worker where it reads a lake, or by the worker
        // behind the task queue (the worker Lambda reads Glue).
        let tables_sync = if config.in_process_worker {
            tables.is_some()
        } else {
            queue.is_some()
        };
        let lake_reader: Option<Arc<dyn lakecat_core::lake::TableReader>> = match &tables {
            Some(lake) => Some(lake.clone() as Arc<dyn lakecat_core::lake::TableReader>),
            None => previews,
        };
        let (queue, worker, receiver) = if config.in_process_worker {
            let (queue, rx) = InProcessQueue::new();
            let queue: Arc<dyn TaskQueue> = Arc::new(queue);
            let lake: Arc<dyn ShareProcessor> = match (&config.lake, aws_lake) {
                (LakeMode::Local, _) => Arc::new(LocalLakeProcessor::new(dyn_store.clone())),
                (LakeMode::Aws { .. }, Some(factory)) => factory(Arc::new(store.clone())),
                (LakeMode::Aws { .. }, None) => {
                    return Err(
                        "LAKECAT_LAKE=aws: this binary has no AWS share processing (its in-process worker works on the local lake only)"
                            .into(),
                    );
                }
            };
            let worker = Worker::new(
                Arc::new(store.clone()),
                queue.clone(),
                RetryPolicy::default(),
            )
            .with_handler(Arc::new(NoopHandler))
            .with_handler(Arc::new(ShareHandler::new(dyn_store.clone(), lake)))
            .with_share_expiry(Arc::new(ShareExpiry::new(dyn_store.clone(), queue.clone())));
            let deployer: Option<Arc<dyn StackDeployer>> = match (stacks, &config.lake) {
                (Some(d), _) => Some(d),
                (None, LakeMode::Local) => config
                    .lake_dir
                    .as_ref()
                    .map(|dir| Arc::new(LocalStackDeployer::new(dir)) as Arc<dyn StackDeployer>),
                (None, LakeMode::Aws { .. }) => None,
            };
            let worker = match deployer {
                Some(d) => worker
                    .with_handler(Arc::new(StackHandler::deploy(dyn_store.clone(), d.clone())))
                    .with_handler(Arc::new(StackHandler::check(dyn_store.clone(), d.clone())))
                    .with_handler(Arc::new(StackHandler::delete(dyn_store.clone(), d))),
                None => worker,
            };
            // Where tables are read, every dataset's are synced in full on a schedule too.
            let worker = match tables {
                Some(lake) => worker
                    .with_handler(Arc::new(lakecat_worker::TablesSyncHandler::new(
                        dyn_store.clone(),
                        lake.clone(),
                    )))
                    .with_handler(Arc::new(lakecat_worker::TablesProfileHandler::new(
                        dyn_store.clone(),
                        lake.clone(),
                    )))
                    .with_handler(Arc::new(lakecat_worker::DatasetVerifyHandler::new(
                        dyn_store.clone(),
                        lake.clone(),
                    )))
                    .with_handler(Arc::new(lakecat_worker::TablesCrawlHandler::new(
                        dyn_store.clone(),
                        lake,
                        queue.clone(),
                    )))
                    .with_table_schedule(Arc::new(lakecat_worker::TableSyncSchedule::new(
                        dyn_store.clone(),
                        queue.clone(),
                        config.table_sync_every,
                    ))),
                None => worker,
            };
            let worker = match &search {
                Some(index) => worker
                    .with_handler(Arc::new(SearchHandler::new(
                        dyn_store.clone(),
                        index.clone(),
                    )))
                    .with_handler(Arc::new(SearchRebuildHandler::new(
                        dyn_store.clone(),
                        index.clone(),
                    ))),
                None => worker,
            };
            (Some(queue), Some(Arc::new(worker)), Some(rx))
        } else {
            (queue, None, None)
        };
        let login = Arc::new(throttle::LoginThrottle::new(config.login_limits.clone()));
        // Local mode manages its users through the API too; an identity provider holds them
        // otherwise.
        let users = auth.local_users_shared().map(|local| {
            Arc::new(user_directory::LocalUserDirectory::new(
                local,
                login.clone(),
            )) as Arc<dyn lakecat_core::ports::UserDirectory>
        });
        let schema_config = SchemaConfig {
            store: dyn_store,
            cursor_key: config.cursor_key.clone(),
            introspection: config.introspection,
            default_tenant_permissions: config.default_tenant_permissions.clone(),
            queue,
            search: search.clone(),
            users,
            platform: config.platform.clone(),
            tables_sync,
            lake: lake_reader,
        };
        let schema = build_schema(schema_config.clone());
        Ok(App {
            config: Arc::new(config),
            store,
            schema,
            auth: Arc::new(auth),
            login,
            worker,
            receiver: Arc::new(Mutex::new(receiver)),
            search,
            parsed: Arc::new(parsed::ParsedQueries::new(parsed::ENTRIES)),
            validated: Arc::new((schema_config, OnceLock::new())),
            introspection: Arc::new(OnceLock::new()),
        })
    }

    /// The schema for a request whose document passed validation before (see
    /// [`parsed::Validation::Passed`]): the same resolvers and limits, validating only depth,
    /// complexity and fragment cycles.
    pub fn validated_schema(&self) -> &LakecatSchema {
        let (config, schema) = &*self.validated;
        schema.get_or_init(|| {
            build_schema_validating(config.clone(), async_graphql::ValidationMode::Fast)
        })
    }

    /// The schema for a document that only introspects (see
    /// [`introspection::is_bounded_introspection`]): introspection without the depth limit
    /// the standard introspection query exceeds, and no other field.
    pub fn introspection_schema(&self) -> &LakecatSchema {
        self.introspection
            .get_or_init(|| build_introspection_schema(self.validated.0.clone()))
    }

    /// Starts the in-process worker (once): republishes what an earlier run left behind, runs
    /// deliveries, and sweeps on an interval. No-op without an in-process worker.
    pub fn start_worker(&self) {
        let (Some(worker), Some(rx)) = (
            self.worker.clone(),
            self.receiver.lock().ok().and_then(|mut r| r.take()),
        ) else {
            return;
        };
        tokio::spawn(worker.clone().run(rx, 8));
        if let Some(index) = self.search.clone() {
            let store = self.store.clone();
            tokio::spawn(async move {
                // A new or in-memory index is built from the database (which does the work of
                // the search.index tasks written before); an existing one is kept current by
                // those tasks.
                match index.count().await {
                    Ok(0) => {
                        match lakecat_worker::rebuild(&store, &store, index.as_ref(), |_, _| {})
                            .await
                        {
                            Ok((d, n, t)) => tracing::info!(
                                datasets = d,
                                documents = n,
                                superseded_tasks = t,
                                "search index built"
                            ),
                            Err(e) => {
                                tracing::warn!(error = %e.message, "search index build failed")
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e.message, "search index unreadable"),
                }
            });
        }
        tokio::spawn(async move {
            if let Err(e) = worker.sweep(Duration::ZERO, 10_000).await {
                tracing::warn!(error = %e.message, "start-up sweep failed");
            }
            worker.run_sweeper(SWEEP_INTERVAL, SWEEP_GRACE).await;
        });
    }

    pub fn router(&self) -> axum::Router {
        router(self.clone())
    }
}

/// Serves until SIGINT/SIGTERM, then drains in-flight requests.
pub async fn serve(app: App) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(app.config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", app.config.listen))?;
    tracing::info!(addr = %app.config.listen, "listening");
    app.start_worker();
    serve_on(listener, app, shutdown_signal()).await
}

/// Serves on `listener` until `shutdown` completes. Each request knows its peer's address
/// (`ConnectInfo`), which sign-in limits count by.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    axum::serve(
        listener,
        app.router()
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
