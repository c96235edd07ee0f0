//! The GraphQL API of lakecat (async-graphql 7): queries are nouns, mutations are verbs
//! taking one input object, lists are Relay connections with signed keyset cursors. Every
//! root field declares its permission in [`authz::requirement`]; DataLoaders batch what
//! nested fields need; errors carry a code from a closed set. No I/O of its own: it talks to
//! the ports of `lakecat-core`.

pub mod authz;
pub mod context;
mod cursor;
pub mod errors;
mod loaders;
pub mod order;
pub mod plain;
mod types;
mod visibility;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema, ValidationMode};
use lakecat_core::ports::CatalogStore;

pub use context::{RequestContext, Services};
pub use errors::ApiError;
pub use order::execute;
pub use types::{MutationRoot, QueryRoot};

pub type LakecatSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Query limits (§ limits of the API).
pub const MAX_DEPTH: usize = 12;
/// Connections count `first × what each node asks for`: a full page of 100 datasets with
/// every field fits; a page of pages of pages does not.
pub const MAX_COMPLEXITY: usize = 10_000;
/// The depth limit of [`build_introspection_schema`], a backstop: the server sends it only
/// documents whose depth is within [`MAX_DEPTH`] once `ofType` steps are not counted.
pub const MAX_INTROSPECTION_DEPTH: usize = 32;

#[derive(Clone)]
pub struct SchemaConfig {
    pub store: Arc<dyn CatalogStore>,
    /// Key that signs pagination cursors.
    pub cursor_key: Vec<u8>,
    /// Introspection on (local mode) or off (production default).
    pub introspection: bool,
    /// Tenant permissions every signed-in caller holds (explicit configuration; none by default).
    pub default_tenant_permissions: Vec<lakecat_core::permissions::TenantPermission>,
    /// The task queue, for publishing after commit (None: the sweep publishes).
    pub queue: Option<Arc<dyn lakecat_core::tasks::TaskQueue>>,
    /// The search index; None where no index is configured (`search` answers UNAVAILABLE).
    pub search: Option<Arc<dyn lakecat_core::search::SearchIndex>>,
    /// Local users (the embedded default); None where an identity provider holds users
    /// (Cognito, OIDC), and the user mutations answer UNAVAILABLE.
    pub users: Option<Arc<dyn lakecat_core::ports::UserDirectory>>,
    /// What environment bootstrap templates are filled in with.
    pub platform: lakecat_core::stacks::PlatformRoles,
    /// Whether a worker syncs tables from the lake (the embedded default's local lake); where
    /// none does, `syncTables` answers UNAVAILABLE (`not_offered`) instead of writing a task
    /// nothing would run.
    pub tables_sync: bool,
    /// Reads table previews from the lake (the local lake's files); None: `previewTable`
    /// answers UNAVAILABLE (`not_offered`).
    pub lake: Option<Arc<dyn lakecat_core::lake::TableReader>>,
}

pub fn build_schema(config: SchemaConfig) -> LakecatSchema {
    build_schema_validating(config, ValidationMode::Strict)
}

/// The schema with the given validation. `ValidationMode::Fast` checks only the query's
/// depth, complexity and fragment cycles: it is for documents that already passed the strict
/// schema's validation, run with variables that cannot change its outcome (the server's
/// `parsed` cache decides).
pub fn build_schema_validating(config: SchemaConfig, validation: ValidationMode) -> LakecatSchema {
    build(config, validation, MAX_DEPTH, false)
}

/// A schema that answers introspection only (any other field is refused), for documents that
/// introspect and nothing else: the standard introspection query nests `ofType` deeper than
/// [`MAX_DEPTH`]. Introspection off in `config` leaves it off here too.
pub fn build_introspection_schema(config: SchemaConfig) -> LakecatSchema {
    build(
        config,
        ValidationMode::Strict,
        MAX_INTROSPECTION_DEPTH,
        true,
    )
}

fn build(
    config: SchemaConfig,
    validation: ValidationMode,
    depth: usize,
    introspection_only: bool,
) -> LakecatSchema {
    let introspection = config.introspection;
    let services = Services::new(
        config.store,
        config.cursor_key,
        config.default_tenant_permissions,
        config.queue,
    )
    .with_search(config.search)
    .with_users(config.users)
    .with_platform(config.platform)
    .with_tables_sync(config.tables_sync)
    .with_lake(config.lake);
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .data(services)
    .limit_depth(depth)
    .limit_complexity(MAX_COMPLEXITY)
    .validation_mode(validation);
    match (introspection, introspection_only) {
        (false, _) => builder.disable_introspection().finish(),
        (true, true) => builder.introspection_only().finish(),
        (true, false) => builder.finish(),
    }
}

/// The schema in SDL, as exported to `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}
