//! The lake behind the catalog: what a reader finds for a dataset (its tables, their columns,
//! partition keys, location and format), and the `tables.sync` task that records it. One
//! port, an adapter per lake: the local lake's folders and files in the embedded default
//! (`lakecat-lake`), Glue on AWS.
//!
//! A table that cannot be read (a broken file, files that disagree) fails alone: the others
//! are recorded, and the failure is reported with the table's name and the reason.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::catalog::{Dataset, DiscoveredTable, Environment};
use crate::tasks::TaskError;

/// Reads a dataset's tables from the lake and records them in the catalog.
pub const TABLES_SYNC_KIND: &str = "tables.sync";

/// What a reader found for one dataset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Discovery {
    /// Tables read whole, in name order.
    pub tables: Vec<DiscoveredTable>,
    /// Tables that could not be read, in name order.
    pub failures: Vec<TableFailure>,
}

/// A table the reader could not read, and why, for a person to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableFailure {
    pub table: String,
    pub reason: String,
}

#[async_trait]
pub trait LakeReader: Send + Sync + 'static {
    /// Every table of `dataset` in `environment`'s lake. A dataset with no table yet is an
    /// empty discovery; an unreadable dataset (its folder or database unreachable) is an error.
    async fn discover(
        &self,
        environment: &Environment,
        dataset: &Dataset,
    ) -> std::result::Result<Discovery, TaskError>;
}
