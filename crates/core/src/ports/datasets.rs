//! Datasets and what is in them: tables, columns and folders.

use super::*;
use crate::caller::MutationMeta;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::permissions::Grant;
use crate::tasks::TaskEnvelope;
use async_trait::async_trait;
use std::collections::HashMap;

#[async_trait]
pub trait DatasetStore: Send + Sync {
    /// Inserts the dataset, its stack row (PENDING), its grants and the `stack.deploy` task;
    /// returns the tasks to publish after commit.
    async fn create_dataset(
        &self,
        meta: &MutationMeta,
        dataset: &Dataset,
        grants: &[Grant],
    ) -> Result<Vec<TaskEnvelope>>;

    /// Applies `patch` if the stored version is `expected_version`; CONFLICT otherwise.
    async fn update_dataset(
        &self,
        meta: &MutationMeta,
        id: &DatasetId,
        expected_version: i64,
        patch: &DatasetPatch,
    ) -> Result<Dataset>;

    /// Deletes a dataset with its tables, columns, folders, links, votes, grants and stack
    /// row, and writes the `stack.delete` task (its payload the [`StackSubject`] as it was:
    /// the row is gone when it runs); returns the tasks to publish after commit.
    ///
    /// [`StackSubject`]: crate::stacks::StackSubject
    async fn delete_dataset(
        &self,
        meta: &MutationMeta,
        id: &DatasetId,
    ) -> Result<Vec<TaskEnvelope>>;

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

    /// Writes a `tables.crawl` task for the dataset over `prefix` of its bucket (joining one
    /// that waits, with its prefix), audited.
    async fn request_table_crawl(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        prefix: Option<&str>,
    ) -> Result<(Task, Vec<crate::tasks::TaskEnvelope>)>;

    /// The latest `tables.crawl` task of the dataset.
    async fn table_crawl(&self, dataset_id: &str) -> Result<Option<Task>>;

    /// Writes a `dataset.verify` task for an imported dataset (joining one that waits),
    /// audited; BAD_USER_INPUT for a dataset lakecat made.
    async fn request_dataset_verify(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
    ) -> Result<(Task, Vec<crate::tasks::TaskEnvelope>)>;

    /// The latest `dataset.verify` task of each dataset, whatever its status.
    async fn dataset_verifications(&self, dataset_ids: &[String]) -> Result<HashMap<String, Task>>;

    /// Writes a `tables.profile` task for the table (joining one that waits), audited on the
    /// table; its owner team hears of a failure.
    async fn request_table_profile(
        &self,
        meta: &MutationMeta,
        table_id: &TableId,
    ) -> Result<(Task, Vec<crate::tasks::TaskEnvelope>)>;

    /// The latest `tables.profile` task of each table, whatever its status.
    async fn table_profile_runs(&self, table_ids: &[String]) -> Result<HashMap<String, Task>>;

    /// The latest succeeded `tables.profile` task of each table (its result is the profile).
    async fn table_profiles(&self, table_ids: &[String]) -> Result<HashMap<String, Task>>;

    /// Datasets whose stack is usable (CREATE_, UPDATE_, IMPORT_COMPLETE or
    /// UPDATE_ROLLBACK_COMPLETE), created before `since`, with no `tables.sync` requested
    /// since `since`: what
    /// the scheduled full sync syncs, at most `limit`, in id order.
    async fn datasets_due_for_table_sync(
        &self,
        since: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> Result<Vec<DatasetId>>;

    /// [`record_discovered_tables`](Self::record_discovered_tables) for some tables of the
    /// dataset (a Glue event's), in the same transaction as marking the tables named in
    /// `gone` (no longer in the lake) deleted; the dataset's other tables are left alone.
    async fn record_table_changes(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: &[DiscoveredTable],
        gone: &[String],
    ) -> Result<SyncSummary>;

    /// [`record_discovered_tables`](Self::record_discovered_tables) for a complete listing
    /// of the dataset's tables, in the same transaction: a table the listing no longer has
    /// is marked deleted (kept, with its shares' history and audit, but gone from lists,
    /// counts and search), unless it is in `kept` (tables the reader could not read this
    /// time); a deleted table listed again is restored.
    async fn record_table_listing(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: &[DiscoveredTable],
        kept: &[String],
    ) -> Result<SyncSummary>;

    /// The dataset's latest `tables.sync` task; None before the first.
    async fn table_sync(&self, dataset_id: &str) -> Result<Option<Task>>;

    /// Asks for a sync of the dataset's tables from the lake, audited: a `tables.sync` task
    /// (its owner team is told when it fails), or the one already waiting. With `tables`,
    /// of those tables only (a Glue event's); a waiting sync joined then covers both — a
    /// full one stays full, and past [`SYNC_TABLES_MAX`](crate::lake::SYNC_TABLES_MAX)
    /// names one becomes full. Returns the task and what to publish after commit.
    async fn request_table_sync(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: Option<&[String]>,
    ) -> Result<(Task, Vec<TaskEnvelope>)>;

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
}
