//! Forward-only migrations. DDL is written out per version (not derived from the entities)
//! so an old migration never changes when an entity does; a few type names differ between
//! PostgreSQL and SQLite and are substituted.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Catalog),
            Box::new(M0002TaskNotify),
            Box::new(M0003Shares),
            Box::new(M0004SearchTasks),
            Box::new(M0005DatasetVisibility),
            Box::new(M0006RestrictedDatasets),
            Box::new(M0007ReadersNotify),
            Box::new(M0008Stacks),
            Box::new(M0009SecretPreview),
            Box::new(M0010TablesDeleted),
        ]
    }
}

/// Runs `ddl` statement by statement with `{ts}`, `{json}` substituted for the backend.
async fn run_ddl(manager: &SchemaManager<'_>, ddl: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let (ts, json) = match backend {
        DbBackend::Postgres => ("TIMESTAMPTZ", "JSONB"),
        _ => ("TEXT", "TEXT"),
    };
    let sql = ddl.replace("{ts}", ts).replace("{json}", json);
    let conn = manager.get_connection();
    for stmt in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        conn.execute_unprepared(stmt).await?;
    }
    Ok(())
}

/// A table gone from the lake is marked deleted, not removed: its shares' history and audit
/// keep pointing at it. Lists, counts and search skip it.
struct M0010TablesDeleted;

impl MigrationName for M0010TablesDeleted {
    fn name(&self) -> &str {
        "m0010_tables_deleted"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0010TablesDeleted {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(
            manager,
            "ALTER TABLE dataset_table ADD COLUMN deleted_at {ts}",
        )
        .await
    }
}

/// The owners of a SECRET dataset may let teams holding a granted share preview its tables.
struct M0009SecretPreview;

impl MigrationName for M0009SecretPreview {
    fn name(&self) -> &str {
        "m0009_secret_preview"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0009SecretPreview {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(
            manager,
            "ALTER TABLE dataset ADD COLUMN secret_preview BOOLEAN NOT NULL DEFAULT FALSE",
        )
        .await
    }
}

/// Stacks are deployed: at most one `stack.deploy` task waits per target (a second request
/// joins it), and environments have a stack row like datasets.
struct M0008Stacks;

impl MigrationName for M0008Stacks {
    fn name(&self) -> &str {
        "m0008_stacks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0008Stacks {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(
            manager,
            "CREATE UNIQUE INDEX task_pending_stack_deploy ON task (target_id)
                 WHERE kind = 'stack.deploy' AND status = 'PENDING';
             INSERT INTO stack (id, target_id, status, outputs, events, error, created_at, updated_at)
                 SELECT 'stk_' || substr(id, 5), id, 'PENDING', CAST('{}' AS {json}),
                        CAST('[]' AS {json}), NULL, created_at, created_at
                 FROM environment WHERE id NOT IN (SELECT target_id FROM stack)",
        )
        .await
    }
}

/// PostgreSQL tells every listening process when a transaction changes a row that a search's
/// readers are read from (`CatalogStore::search_readers`): grants of organization membership
/// and of restricted datasets, dataset visibility, shares and their items. The in-process
/// readers cache (`readers_cache`) trusts what it keeps only while it hears these. A
/// notification is sent at commit, once per transaction; notifying transactions commit one at
/// a time, so grants on open datasets (every dataset creation's) do not notify. SQLite has no
/// notifications, and no readers cache.
struct M0007ReadersNotify;

impl MigrationName for M0007ReadersNotify {
    fn name(&self) -> &str {
        "m0007_readers_notify"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0007ReadersNotify {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        // Function bodies hold semicolons: one statement per string, not `run_ddl`.
        let conn = manager.get_connection();
        for stmt in M0007 {
            conn.execute_unprepared(stmt).await?;
        }
        Ok(())
    }
}

const M0007: &[&str] = &[
    r#"CREATE FUNCTION lakecat_readers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('lakecat_readers', '');
    RETURN NULL;
END $$"#,
    r#"CREATE FUNCTION lakecat_readers_grant_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r resource_permission;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF r.permission = 'GET_ORGANIZATION'
        OR (r.permission = 'GET_DATASET' AND EXISTS (
            SELECT 1 FROM dataset WHERE id = r.resource_id AND visibility = 'RESTRICTED'))
    THEN
        PERFORM pg_notify('lakecat_readers', '');
    END IF;
    RETURN NULL;
END $$"#,
    "CREATE TRIGGER readers_grant AFTER INSERT OR DELETE ON resource_permission
        FOR EACH ROW EXECUTE FUNCTION lakecat_readers_grant_changed()",
    "CREATE TRIGGER readers_grant_update AFTER UPDATE OR TRUNCATE ON resource_permission
        FOR EACH STATEMENT EXECUTE FUNCTION lakecat_readers_changed()",
    "CREATE TRIGGER readers_dataset_insert AFTER INSERT ON dataset
        FOR EACH ROW WHEN (NEW.visibility = 'RESTRICTED')
        EXECUTE FUNCTION lakecat_readers_changed()",
    "CREATE TRIGGER readers_dataset_update AFTER UPDATE ON dataset
        FOR EACH ROW WHEN (OLD.visibility IS DISTINCT FROM NEW.visibility OR OLD.id <> NEW.id)
        EXECUTE FUNCTION lakecat_readers_changed()",
    "CREATE TRIGGER readers_dataset_delete AFTER DELETE ON dataset
        FOR EACH ROW WHEN (OLD.visibility = 'RESTRICTED')
        EXECUTE FUNCTION lakecat_readers_changed()",
    "CREATE TRIGGER readers_dataset_truncate AFTER TRUNCATE ON dataset
        FOR EACH STATEMENT EXECUTE FUNCTION lakecat_readers_changed()",
    "CREATE TRIGGER readers_share_request AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON share_request FOR EACH STATEMENT EXECUTE FUNCTION lakecat_readers_changed()",
    "CREATE TRIGGER readers_share_item AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
        ON share_item FOR EACH STATEMENT EXECUTE FUNCTION lakecat_readers_changed()",
];

/// The restricted datasets, found without reading every dataset: each search expands its
/// caller's readers from them (a scan of 100,000 datasets cost 50 ms per search).
struct M0006RestrictedDatasets;

impl MigrationName for M0006RestrictedDatasets {
    fn name(&self) -> &str {
        "m0006_restricted_datasets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006RestrictedDatasets {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(
            manager,
            "CREATE INDEX dataset_restricted ON dataset (id) WHERE visibility = 'RESTRICTED'",
        )
        .await
    }
}

/// Who discovers a dataset in search.
struct M0005DatasetVisibility;

impl MigrationName for M0005DatasetVisibility {
    fn name(&self) -> &str {
        "m0005_dataset_visibility"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0005DatasetVisibility {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(
            manager,
            "ALTER TABLE dataset ADD COLUMN visibility TEXT NOT NULL DEFAULT 'EVERYONE'",
        )
        .await
    }
}

/// One pending `search.index` task per dataset: mutations join it rather than add another.
struct M0004SearchTasks;

impl MigrationName for M0004SearchTasks {
    fn name(&self) -> &str {
        "m0004_search_tasks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004SearchTasks {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(
            manager,
            "CREATE UNIQUE INDEX task_pending_search ON task (target_id)
                 WHERE kind = 'search.index' AND status = 'PENDING'",
        )
        .await
    }
}

/// Share requests and items (one open request per dataset, consumer environment and team),
/// the local lake adapter's grants, and the locks that serialize policy edits.
struct M0003Shares;

impl MigrationName for M0003Shares {
    fn name(&self) -> &str {
        "m0003_shares"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0003Shares {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, M0003).await
    }
}

const M0003: &str = r#"
CREATE TABLE share_request (
    id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL,
    environment_id TEXT NOT NULL,
    team TEXT NOT NULL,
    principal_role_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    access TEXT NOT NULL,
    purpose TEXT NOT NULL,
    reject_reason TEXT,
    expires_at {ts},
    requested_expiry {ts},
    reminded_at {ts},
    expired_at {ts},
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX share_request_open ON share_request (dataset_id, environment_id, team)
    WHERE status <> 'Deleted';
CREATE INDEX share_request_by_team ON share_request (team, id);
CREATE INDEX share_request_by_dataset ON share_request (dataset_id, id);
CREATE INDEX share_request_by_expiry ON share_request (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE share_item (
    id TEXT PRIMARY KEY,
    share_id TEXT NOT NULL REFERENCES share_request (id),
    kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    consumption {json},
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (share_id, target_id)
);
CREATE INDEX share_item_by_target ON share_item (target_id);
CREATE TABLE lake_grant (
    item_id TEXT PRIMARY KEY,
    share_id TEXT NOT NULL,
    dataset_id TEXT NOT NULL,
    principal TEXT NOT NULL,
    target {json} NOT NULL,
    access TEXT NOT NULL,
    granted_at {ts} NOT NULL
);
CREATE INDEX lake_grant_by_dataset ON lake_grant (dataset_id, item_id);
CREATE TABLE resource_lock (
    key TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    expires_at {ts} NOT NULL
)
"#;

/// Tasks name the team told when they finally fail.
struct M0002TaskNotify;

impl MigrationName for M0002TaskNotify {
    fn name(&self) -> &str {
        "m0002_task_notify"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002TaskNotify {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(
            manager,
            "ALTER TABLE task ADD COLUMN notify_team TEXT;
             CREATE INDEX task_by_lease ON task (status, lease_until)",
        )
        .await
    }
}

struct M0001Catalog;

impl MigrationName for M0001Catalog {
    fn name(&self) -> &str {
        "m0001_catalog"
    }
}

const M0001: &str = r#"
CREATE TABLE team (
    name TEXT PRIMARY KEY,
    created_at {ts} NOT NULL
);
CREATE TABLE tenant_permission (
    team TEXT NOT NULL,
    permission TEXT NOT NULL,
    PRIMARY KEY (team, permission)
);
CREATE TABLE resource_permission (
    resource_id TEXT NOT NULL,
    team TEXT NOT NULL,
    permission TEXT NOT NULL,
    PRIMARY KEY (resource_id, team, permission)
);
CREATE INDEX resource_permission_by_team ON resource_permission (team, permission, resource_id);
CREATE TABLE organization (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    description TEXT NOT NULL,
    tags {json} NOT NULL,
    admin_team TEXT NOT NULL,
    archived BOOLEAN NOT NULL,
    created_by TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE TABLE environment (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organization (id),
    label TEXT NOT NULL,
    description TEXT NOT NULL,
    tags {json} NOT NULL,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    owner_team TEXT NOT NULL,
    env_type TEXT NOT NULL,
    resource_prefix TEXT NOT NULL,
    pivot_role_name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (account_id, region)
);
CREATE INDEX environment_by_org ON environment (organization_id, id);
CREATE TABLE dataset (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organization (id),
    environment_id TEXT NOT NULL REFERENCES environment (id),
    label TEXT NOT NULL,
    slug TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_team TEXT NOT NULL,
    stewards_team TEXT,
    confidentiality TEXT NOT NULL,
    topics {json} NOT NULL,
    tags {json} NOT NULL,
    auto_approval BOOLEAN NOT NULL,
    imported BOOLEAN NOT NULL,
    account_id TEXT NOT NULL,
    region TEXT NOT NULL,
    bucket TEXT NOT NULL,
    glue_database TEXT NOT NULL,
    kms_alias TEXT,
    admin_role_arn TEXT NOT NULL,
    stack_status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (environment_id, slug)
);
CREATE INDEX dataset_by_env ON dataset (environment_id, id);
CREATE INDEX dataset_by_org ON dataset (organization_id, id);
CREATE INDEX dataset_by_owner ON dataset (owner_team, id);
CREATE TABLE resource_tag (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    PRIMARY KEY (kind, value, resource_id)
);
CREATE INDEX resource_tag_by_resource ON resource_tag (resource_id);
CREATE TABLE dataset_table (
    id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES dataset (id),
    glue_name TEXT NOT NULL,
    label TEXT NOT NULL,
    location TEXT NOT NULL,
    format TEXT NOT NULL,
    properties {json} NOT NULL,
    description TEXT NOT NULL,
    tags {json} NOT NULL,
    fingerprint TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (dataset_id, glue_name)
);
CREATE INDEX dataset_table_by_dataset ON dataset_table (dataset_id, id);
CREATE TABLE dataset_column (
    id TEXT PRIMARY KEY,
    table_id TEXT NOT NULL REFERENCES dataset_table (id),
    name TEXT NOT NULL,
    data_type TEXT NOT NULL,
    is_partition BOOLEAN NOT NULL,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    tags {json} NOT NULL,
    classification TEXT,
    version BIGINT NOT NULL,
    UNIQUE (table_id, position)
);
CREATE TABLE folder (
    id TEXT PRIMARY KEY,
    dataset_id TEXT NOT NULL REFERENCES dataset (id),
    label TEXT NOT NULL,
    prefix TEXT NOT NULL,
    description TEXT NOT NULL,
    tags {json} NOT NULL,
    created_by TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    UNIQUE (dataset_id, prefix)
);
CREATE INDEX folder_by_dataset ON folder (dataset_id, id);
CREATE TABLE stack (
    id TEXT PRIMARY KEY,
    target_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    outputs {json} NOT NULL,
    events {json} NOT NULL,
    error TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE TABLE task (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    target_id TEXT,
    payload {json} NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    lease_until {ts},
    run_after {ts} NOT NULL,
    result {json},
    error TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX task_by_status ON task (status, run_after);
CREATE INDEX task_by_target ON task (target_id, id);
CREATE TABLE glossary_node (
    id TEXT PRIMARY KEY,
    glossary_id TEXT NOT NULL,
    parent_id TEXT REFERENCES glossary_node (id),
    label TEXT NOT NULL,
    description TEXT NOT NULL,
    admin_team TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX glossary_node_by_parent ON glossary_node (parent_id, id);
CREATE INDEX glossary_node_by_glossary ON glossary_node (glossary_id);
CREATE TABLE term_link (
    id TEXT PRIMARY KEY,
    term_id TEXT NOT NULL REFERENCES glossary_node (id),
    target_id TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    approved BOOLEAN NOT NULL,
    created_by TEXT NOT NULL,
    created_at {ts} NOT NULL,
    UNIQUE (term_id, target_id)
);
CREATE INDEX term_link_by_target ON term_link (target_id);
CREATE TABLE vote (
    target_id TEXT NOT NULL,
    username TEXT NOT NULL,
    created_at {ts} NOT NULL,
    PRIMARY KEY (target_id, username)
);
CREATE TABLE feed_message (
    id TEXT PRIMARY KEY,
    target_id TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX feed_message_by_target ON feed_message (target_id, id);
CREATE TABLE notification (
    id TEXT PRIMARY KEY,
    recipient_team TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    target_id TEXT,
    created_at {ts} NOT NULL
);
CREATE INDEX notification_by_team ON notification (recipient_team, id);
CREATE TABLE notification_read (
    notification_id TEXT NOT NULL REFERENCES notification (id),
    username TEXT NOT NULL,
    PRIMARY KEY (notification_id, username)
);
CREATE TABLE audit_event (
    id TEXT PRIMARY KEY,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    before {json},
    after {json},
    request_id TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX audit_event_by_target ON audit_event (target_id, id)
"#;

#[async_trait::async_trait]
impl MigrationTrait for M0001Catalog {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run_ddl(manager, M0001).await
    }
}
