//! Port traits: what the domain needs from the outside world. Adapters live in other crates
//! (`lakecat-store` implements [`CatalogStore`] on PostgreSQL and SQLite).
//!
//! Every mutating method is one transaction in the adapter: the change, its grants, its
//! notifications and its audit event commit together or not at all.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::audit::AuditEvent;
use crate::caller::MutationMeta;
use crate::catalog::*;
use crate::error::Result;
use crate::glossary::{GlossaryNode, TermLink};
use crate::ids::*;
use crate::names::TeamName;
use crate::page::{Page, PageRequest};
use crate::permissions::{Grant, Permission, TenantPermission};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationFilter {
    /// Only organizations where one of these teams holds GET_ORGANIZATION; None = all (admin).
    pub visible_to: Option<Vec<String>>,
    pub include_archived: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentFilter {
    pub organization_id: Option<OrganizationId>,
    /// Only environments where one of these teams holds GET_ENVIRONMENT; None = all (admin).
    pub visible_to: Option<Vec<String>>,
}

/// What a connection's `totalCount` counts; computed only when a client asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountQuery {
    Teams,
    Organizations(OrganizationFilter),
    Environments(EnvironmentFilter),
    Datasets(DatasetFilter),
    Tables(DatasetId),
    Columns(TableId),
    Folders(DatasetId),
    Glossaries,
    GlossaryChildren(GlossaryNodeId),
    /// A term's links whose targets `readers` may see (None: all).
    TermLinks {
        term: GlossaryNodeId,
        readers: Option<Vec<String>>,
    },
    Feed(String),
    Notifications {
        teams: Vec<String>,
        user: String,
        unread_only: bool,
    },
    Audit(String),
    /// Tasks working on a target.
    Tasks(String),
    Shares(crate::shares::ShareFilter),
}

/// The result of recording a lake listing for one dataset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub tables_created: u64,
    pub tables_updated: u64,
    pub tables_unchanged: u64,
    pub columns_written: u64,
}

/// The catalog's persistence, task outbox included (one database, so a mutation and the
/// tasks it needs commit together).
#[async_trait]
pub trait CatalogStore:
    crate::tasks::TaskStore + crate::shares::ShareStore + Send + Sync + 'static
{
    /// Checks the store answers (readiness).
    async fn ping(&self) -> Result<()>;

    // --- teams and permissions -------------------------------------------------------
    async fn list_teams(&self, page: &PageRequest) -> Result<Page<Team>>;
    async fn teams_by_names(&self, names: &[String]) -> Result<Vec<Team>>;
    /// Tenant permissions held by any of `teams`.
    async fn tenant_permissions(&self, teams: &[String]) -> Result<Vec<TenantPermission>>;
    /// Replaces a team's tenant permissions (registering the team if new).
    async fn set_tenant_permissions(
        &self,
        meta: &MutationMeta,
        team: &TeamName,
        permissions: &[TenantPermission],
    ) -> Result<Vec<TenantPermission>>;
    /// The permissions any of `teams` holds on each of `resource_ids`: one indexed query.
    async fn resource_permissions(
        &self,
        teams: &[String],
        resource_ids: &[String],
    ) -> Result<HashMap<String, Vec<Permission>>>;
    async fn resource_teams(&self, resource_id: &str) -> Result<Vec<TeamMembership>>;
    /// Grants `permissions` to `team` on a resource (adding to what it holds).
    async fn invite_team(
        &self,
        meta: &MutationMeta,
        resource_id: &str,
        team: &TeamName,
        permissions: &[Permission],
        notify: Option<NewNotification>,
    ) -> Result<TeamMembership>;
    /// Removes every permission `team` holds on a resource; NOT_FOUND if it held none.
    async fn remove_team(
        &self,
        meta: &MutationMeta,
        resource_id: &str,
        team: &TeamName,
    ) -> Result<()>;

    async fn count(&self, query: &CountQuery) -> Result<i64>;

    // --- organizations and environments ---------------------------------------------
    async fn create_organization(
        &self,
        meta: &MutationMeta,
        org: &Organization,
        grants: &[Grant],
    ) -> Result<()>;
    async fn update_organization(
        &self,
        meta: &MutationMeta,
        id: &OrganizationId,
        patch: &OrganizationPatch,
    ) -> Result<Organization>;
    async fn archive_organization(
        &self,
        meta: &MutationMeta,
        id: &OrganizationId,
    ) -> Result<Organization>;
    async fn organizations_by_ids(&self, ids: &[String]) -> Result<Vec<Organization>>;
    async fn list_organizations(
        &self,
        filter: &OrganizationFilter,
        page: &PageRequest,
    ) -> Result<Page<Organization>>;

    async fn create_environment(
        &self,
        meta: &MutationMeta,
        env: &Environment,
        grants: &[Grant],
    ) -> Result<()>;
    async fn update_environment(
        &self,
        meta: &MutationMeta,
        id: &EnvironmentId,
        patch: &EnvironmentPatch,
    ) -> Result<Environment>;
    /// Deletes an environment; CONFLICT while datasets remain in it.
    async fn delete_environment(&self, meta: &MutationMeta, id: &EnvironmentId) -> Result<()>;
    async fn environments_by_ids(&self, ids: &[String]) -> Result<Vec<Environment>>;
    async fn list_environments(
        &self,
        filter: &EnvironmentFilter,
        page: &PageRequest,
    ) -> Result<Page<Environment>>;

    // --- datasets, tables, columns, folders -----------------------------------------
    /// Inserts the dataset, its stack row (PENDING) and its grants.
    async fn create_dataset(
        &self,
        meta: &MutationMeta,
        dataset: &Dataset,
        grants: &[Grant],
    ) -> Result<()>;
    /// Applies `patch` if the stored version is `expected_version`; CONFLICT otherwise.
    async fn update_dataset(
        &self,
        meta: &MutationMeta,
        id: &DatasetId,
        expected_version: i64,
        patch: &DatasetPatch,
    ) -> Result<Dataset>;
    /// Deletes a dataset with its tables, columns, folders, links, votes and grants.
    async fn delete_dataset(&self, meta: &MutationMeta, id: &DatasetId) -> Result<()>;
    async fn datasets_by_ids(&self, ids: &[String]) -> Result<Vec<Dataset>>;
    async fn list_datasets(
        &self,
        filter: &DatasetFilter,
        page: &PageRequest,
    ) -> Result<Page<Dataset>>;
    async fn table_counts(&self, dataset_ids: &[String]) -> Result<HashMap<String, i64>>;

    /// Records the tables found in the lake for a dataset: new tables are created, changed
    /// ones updated in place, unchanged ones left alone; catalog edits are kept.
    async fn record_discovered_tables(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: &[DiscoveredTable],
    ) -> Result<SyncSummary>;
    async fn tables_by_ids(&self, ids: &[String]) -> Result<Vec<Table>>;
    async fn list_tables(&self, dataset_id: &DatasetId, page: &PageRequest) -> Result<Page<Table>>;
    async fn update_table(
        &self,
        meta: &MutationMeta,
        id: &TableId,
        expected_version: i64,
        patch: &DocumentPatch,
    ) -> Result<Table>;
    async fn column_counts(&self, table_ids: &[String]) -> Result<HashMap<String, i64>>;
    async fn columns_by_ids(&self, ids: &[String]) -> Result<Vec<Column>>;
    /// Columns in position order; the page key is the position.
    async fn list_columns(&self, table_id: &TableId, page: &PageRequest) -> Result<Page<Column>>;
    async fn update_column(
        &self,
        meta: &MutationMeta,
        id: &ColumnId,
        expected_version: i64,
        patch: &DocumentPatch,
        classification: Option<Option<String>>,
    ) -> Result<Column>;

    async fn create_folder(&self, meta: &MutationMeta, folder: &Folder) -> Result<()>;
    async fn update_folder(
        &self,
        meta: &MutationMeta,
        id: &FolderId,
        patch: &FolderPatch,
    ) -> Result<Folder>;
    async fn delete_folder(&self, meta: &MutationMeta, id: &FolderId) -> Result<()>;
    async fn folders_by_ids(&self, ids: &[String]) -> Result<Vec<Folder>>;
    async fn list_folders(
        &self,
        dataset_id: &DatasetId,
        page: &PageRequest,
    ) -> Result<Page<Folder>>;

    /// Every table of the given datasets, every column of the given tables (in position order
    /// per table), every folder of the given datasets: the search index reads a page of
    /// datasets in a few statements. Callers bound the batch.
    async fn tables_of_datasets(&self, dataset_ids: &[String]) -> Result<Vec<Table>>;
    async fn columns_of_tables(&self, table_ids: &[String]) -> Result<Vec<Column>>;
    async fn folders_of_datasets(&self, dataset_ids: &[String]) -> Result<Vec<Folder>>;

    async fn stack_for_target(&self, target_id: &str) -> Result<Option<Stack>>;

    // --- glossary --------------------------------------------------------------------
    async fn create_glossary_node(
        &self,
        meta: &MutationMeta,
        node: &GlossaryNode,
        grants: &[Grant],
    ) -> Result<()>;
    /// Updates label/description; for terms `expected_version` is checked (CONFLICT if stale).
    async fn update_glossary_node(
        &self,
        meta: &MutationMeta,
        id: &GlossaryNodeId,
        expected_version: Option<i64>,
        label: Option<&crate::names::Label>,
        description: Option<&crate::names::Description>,
    ) -> Result<GlossaryNode>;
    /// Deletes a node, its subtree and their term links.
    async fn delete_glossary_node(&self, meta: &MutationMeta, id: &GlossaryNodeId) -> Result<()>;
    async fn glossary_nodes_by_ids(&self, ids: &[String]) -> Result<Vec<GlossaryNode>>;
    /// The datasets with an entry linked (approved) to a term at or under `node`: their
    /// search documents carry the terms' paths.
    async fn datasets_linked_under(&self, node: &GlossaryNodeId) -> Result<Vec<String>>;
    /// Every node of the given glossaries, the glossaries included.
    async fn glossary_nodes_of(&self, glossary_ids: &[String]) -> Result<Vec<GlossaryNode>>;
    async fn list_glossaries(&self, page: &PageRequest) -> Result<Page<GlossaryNode>>;
    async fn list_glossary_children(
        &self,
        parent: &GlossaryNodeId,
        page: &PageRequest,
    ) -> Result<Page<GlossaryNode>>;
    /// CONFLICT if the term is already linked to the target.
    async fn link_term(&self, meta: &MutationMeta, link: &TermLink) -> Result<()>;
    async fn approve_term_link(&self, meta: &MutationMeta, id: &TermLinkId) -> Result<TermLink>;
    /// Removes a link (unlink by its creator or owner, or dismissal by a steward).
    async fn delete_term_link(&self, meta: &MutationMeta, id: &TermLinkId) -> Result<()>;
    async fn term_links_by_ids(&self, ids: &[String]) -> Result<Vec<TermLink>>;
    async fn term_links_for_targets(&self, target_ids: &[String]) -> Result<Vec<TermLink>>;
    /// A term's links, leaving out those whose target `readers` may not see (None: all).
    async fn list_term_links(
        &self,
        term_id: &GlossaryNodeId,
        readers: Option<&[String]>,
        page: &PageRequest,
    ) -> Result<Page<TermLink>>;

    // --- collaboration ---------------------------------------------------------------
    async fn set_upvote(
        &self,
        meta: &MutationMeta,
        target: &ResourceId,
        user: &str,
        up: bool,
    ) -> Result<VoteSummary>;
    async fn vote_summaries(
        &self,
        user: &str,
        target_ids: &[String],
    ) -> Result<HashMap<String, VoteSummary>>;
    async fn post_feed_message(
        &self,
        meta: &MutationMeta,
        message: &FeedMessage,
        notify: Option<NewNotification>,
    ) -> Result<()>;
    async fn list_feed(&self, target_id: &str, page: &PageRequest) -> Result<Page<FeedMessage>>;
    async fn list_notifications(
        &self,
        teams: &[String],
        user: &str,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<Notification>>;
    async fn mark_notification_read(
        &self,
        meta: &MutationMeta,
        teams: &[String],
        user: &str,
        id: &NotificationId,
    ) -> Result<()>;
    async fn mark_all_notifications_read(
        &self,
        meta: &MutationMeta,
        teams: &[String],
        user: &str,
    ) -> Result<i64>;

    // --- search ----------------------------------------------------------------------
    /// The visibility grants `teams` hold, as search readers: `org:<id>` for organizations
    /// they belong to, `ds:<id>` for restricted datasets they own, steward or were invited
    /// to, and for restricted datasets shared with them (an item granted). Open datasets are
    /// indexed for everyone or their organization, so they need no `ds:` reader.
    async fn search_readers(&self, teams: &[String]) -> Result<Vec<String>>;

    // --- audit -----------------------------------------------------------------------
    async fn list_audit_events(
        &self,
        target_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>>;
}
