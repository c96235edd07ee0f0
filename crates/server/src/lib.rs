//! The lakecat server: one axum router (GraphQL, login, health) shared by `lakecat serve`,
//! the API Lambda and tests; its configuration, validated at start; authentication; and the
//! wiring of adapters. Depends on core, store and graphql; never on AWS SDK crates.

pub mod auth;
pub mod config;
pub mod local_users;
mod router;
mod telemetry;

use std::sync::Arc;

use lakecat_core::ports::CatalogStore;
use lakecat_graphql::{LakecatSchema, SchemaConfig, build_schema};
use lakecat_store::{SeaStore, StoreConfig};

pub use auth::{Authenticator, TrustedClaims};
pub use config::{AuthMode, Config};
pub use router::router;
pub use telemetry::init_tracing;

/// Everything a running server holds.
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub store: SeaStore,
    pub schema: LakecatSchema,
    pub auth: Arc<Authenticator>,
}

impl App {
    /// Connects to the database (migrating it when `migrate`), prepares authentication and
    /// builds the schema.
    pub async fn build(config: Config, migrate: bool) -> Result<App, String> {
        let mut sc = StoreConfig::new(config.database_url.clone());
        sc.max_connections = config.max_connections;
        let store = SeaStore::connect(&sc).await.map_err(|e| e.message)?;
        if migrate {
            store.migrate().await.map_err(|e| e.message)?;
        }
        let auth = Authenticator::from_config(&config).await?;
        let dyn_store: Arc<dyn CatalogStore> = Arc::new(store.clone());
        let schema = build_schema(SchemaConfig {
            store: dyn_store,
            cursor_key: config.cursor_key.clone(),
            introspection: config.introspection,
            default_tenant_permissions: config.default_tenant_permissions.clone(),
        });
        Ok(App {
            config: Arc::new(config),
            store,
            schema,
            auth: Arc::new(auth),
        })
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
    axum::serve(listener, app.router())
        .with_graceful_shutdown(shutdown_signal())
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
