//! Port traits: what the domain needs from the outside world. Adapters live in other crates
//! (`lakecat-store` implements [`CatalogStore`] on PostgreSQL and SQLite).
//!
//! Every mutating method is one transaction in the adapter: the change, its grants, its
//! notifications and its audit event commit together or not at all.

use async_trait::async_trait;

use crate::catalog::*;
use crate::error::Result;
use crate::ids::*;

mod audit;
mod datasets;
mod glossary;
mod organizations;
mod search;
mod social;
mod stacks;
mod teams;
mod users;
pub use audit::AuditStore;
pub use datasets::DatasetStore;
pub use glossary::GlossaryStore;
pub use organizations::OrganizationStore;
pub use search::SearchReaders;
pub use social::SocialStore;
pub use stacks::{StackStore, StackUpdate};
pub use teams::TeamStore;
pub use users::UserDirectory;

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
    /// Tables the listing no longer has, marked deleted (a complete listing only).
    pub tables_deleted: u64,
    /// Tables marked deleted earlier that the listing has again.
    pub tables_restored: u64,
    pub columns_written: u64,
}

/// The catalog's persistence, task outbox included (one database, so a mutation and the
/// tasks it needs commit together).
#[async_trait]
pub trait CatalogStore:
    crate::tasks::TaskStore
    + crate::shares::ShareStore
    + TeamStore
    + OrganizationStore
    + DatasetStore
    + GlossaryStore
    + SocialStore
    + StackStore
    + SearchReaders
    + AuditStore
    + Send
    + Sync
    + 'static
{
    /// Checks the store answers (readiness).
    async fn ping(&self) -> Result<()>;

    async fn count(&self, query: &CountQuery) -> Result<i64>;
}
