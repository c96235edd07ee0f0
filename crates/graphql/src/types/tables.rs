//! Tables and columns (discovered from the lake, documented here) and folders (S3 prefixes).

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use lakecat_core::Error;
use lakecat_core::catalog::{self as core, DocumentPatch, FolderPatch};
use lakecat_core::ids::{ColumnId, DatasetId, FolderId, ResourceId, ResourceKind, TableId};
use lakecat_core::names::*;
use lakecat_core::ports::CountQuery;

use super::datasets::Dataset;
use super::glossary::TermLink;
use super::{connection, not_found, page_args};
use crate::authz::{authorize, authorize_with};
use crate::context::{meta, publish_now, request, services, store};
use crate::errors::{ApiError, ApiResult};
use crate::visibility::{may_see_dataset, visible_dataset};

#[derive(Clone)]
pub struct Table(pub core::Table);
#[derive(Clone)]
pub struct Column(pub core::Column);
#[derive(Clone)]
pub struct Folder(pub core::Folder);

connection!(TableConnection, TableEdge, Table);
connection!(ColumnConnection, ColumnEdge, Column);
connection!(FolderConnection, FolderEdge, Folder);

async fn terms_of(ctx: &Context<'_>, id: &str) -> ApiResult<Vec<TermLink>> {
    let links = request(ctx)?
        .loaders
        .term_links
        .load_one(id.to_owned())
        .await?
        .unwrap_or_default();
    Ok(links.into_iter().map(TermLink).collect())
}

#[Object]
impl Table {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn dataset_id(&self) -> &str {
        self.0.dataset_id.as_str()
    }
    async fn dataset(&self, ctx: &Context<'_>) -> ApiResult<Option<Dataset>> {
        Ok(request(ctx)?
            .loaders
            .datasets
            .load_one(self.0.dataset_id.to_string())
            .await?
            .map(Dataset))
    }
    /// Name in the Glue catalog.
    async fn name(&self) -> &str {
        &self.0.glue_name
    }
    async fn label(&self) -> &str {
        &self.0.label
    }
    async fn location(&self) -> &str {
        &self.0.location
    }
    async fn format(&self) -> &str {
        &self.0.format
    }
    async fn properties(&self) -> async_graphql::Json<&serde_json::Value> {
        async_graphql::Json(&self.0.properties)
    }
    async fn description(&self) -> &str {
        self.0.description.as_str()
    }
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().map(|t| t.as_str()).collect()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// When a sync found the table gone from the lake (its files or its Glue table); null
    /// while it is there. A deleted table is kept for its audit and shares' history, and is
    /// gone from lists, counts and search.
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
    async fn column_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(request(ctx)?
            .loaders
            .column_counts
            .load_one(self.0.id.to_string())
            .await?
            .unwrap_or(0))
    }
    /// Columns in position order; page through wide tables with `after`.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn columns(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ColumnConnection> {
        list_columns(ctx, &self.0.id, first, after).await
    }
    async fn upvotes(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(request(ctx)?
            .loaders
            .votes
            .load_one(self.0.id.to_string())
            .await?
            .unwrap_or_default()
            .upvotes)
    }
    async fn terms(&self, ctx: &Context<'_>) -> ApiResult<Vec<TermLink>> {
        terms_of(ctx, self.0.id.as_str()).await
    }
    /// Statistics of the table's columns from its latest succeeded profile (`profileTable`);
    /// null until one succeeds, and for callers who may not read the table's data (the
    /// teams that may preview it).
    async fn profile(&self, ctx: &Context<'_>) -> ApiResult<Option<TableProfile>> {
        if !may_read_data(ctx, self.0.id.as_str()).await? {
            return Ok(None);
        }
        profile_of(ctx, self.0.id.as_str()).await
    }
    /// The latest `profileTable` run, whatever its outcome (null if never profiled).
    async fn profile_run(&self, ctx: &Context<'_>) -> ApiResult<Option<TableProfileRun>> {
        Ok(store(ctx)
            .table_profile_runs(&[self.0.id.to_string()])
            .await?
            .remove(self.0.id.as_str())
            .map(TableProfileRun::from))
    }
}

/// A table's latest profile (parsed once per request).
async fn loaded_profile(
    ctx: &Context<'_>,
    table_id: &str,
) -> ApiResult<Option<std::sync::Arc<crate::loaders::LoadedProfile>>> {
    request(ctx)?
        .loaders
        .table_profiles
        .load_one(table_id.to_owned())
        .await
}

async fn profile_of(ctx: &Context<'_>, table_id: &str) -> ApiResult<Option<TableProfile>> {
    let Some(l) = loaded_profile(ctx, table_id).await? else {
        return Ok(None);
    };
    let p = &l.profile;
    Ok(Some(TableProfile {
        task_id: l.task_id.clone(),
        computed_at: l.computed_at,
        row_count: p.row_count as i64,
        rows_scanned: p.rows_scanned as i64,
        files_read: p.files_read as i64,
        method: p.method.clone(),
        columns: p.columns.iter().cloned().map(ColumnStats::from).collect(),
    }))
}

/// Statistics of a table's columns, computed from its data by `profileTable`.
#[derive(SimpleObject)]
pub struct TableProfile {
    pub task_id: String,
    /// When it was computed (the profile task's end).
    pub computed_at: DateTime<Utc>,
    pub row_count: i64,
    /// Rows read to compute it (all of them: profiles scan every row).
    pub rows_scanned: i64,
    pub files_read: i64,
    /// How: "files" (read by lakecat), "files + Parquet statistics" (footers' min/max used).
    pub method: String,
    /// One per column, in position order.
    pub columns: Vec<ColumnStats>,
}

/// What a profile says of one column.
#[derive(SimpleObject, Clone)]
pub struct ColumnStats {
    pub name: String,
    pub nulls: i64,
    /// Approximate distinct non-null values (HyperLogLog, about 1 % error; exact up to 50).
    pub distinct: i64,
    /// Smallest and largest non-null value (numbers as numbers, the rest as text); null for
    /// nested columns.
    pub min: Option<async_graphql::Json<serde_json::Value>>,
    pub max: Option<async_graphql::Json<serde_json::Value>>,
    /// The most frequent values, for columns of at most 50 distinct values; else empty.
    pub top_values: Vec<ValueCount>,
    /// Equal-width buckets over [min, max], for numeric columns; else empty.
    pub histogram: Vec<HistogramBucket>,
}

#[derive(SimpleObject, Clone)]
pub struct ValueCount {
    pub value: async_graphql::Json<serde_json::Value>,
    pub count: i64,
}

/// Values in [low, high) (the last bucket includes `high`).
#[derive(SimpleObject, Clone)]
pub struct HistogramBucket {
    pub low: f64,
    pub high: f64,
    pub count: i64,
}

impl From<lakecat_core::lake::ColumnStats> for ColumnStats {
    fn from(c: lakecat_core::lake::ColumnStats) -> Self {
        ColumnStats {
            name: c.name,
            nulls: c.nulls as i64,
            distinct: c.distinct as i64,
            min: c.min.map(async_graphql::Json),
            max: c.max.map(async_graphql::Json),
            top_values: c
                .top_values
                .into_iter()
                .map(|v| ValueCount {
                    value: async_graphql::Json(v.value),
                    count: v.count as i64,
                })
                .collect(),
            histogram: c
                .histogram
                .into_iter()
                .map(|b| HistogramBucket {
                    low: b.low,
                    high: b.high,
                    count: b.count as i64,
                })
                .collect(),
        }
    }
}

/// A table's latest profile run (its `tables.profile` task).
#[derive(SimpleObject, Clone)]
pub struct TableProfileRun {
    pub task_id: String,
    /// PENDING or RUNNING while it reads, SUCCEEDED (see `Table.profile`), or FAILED with
    /// `error` (e.g. a file that is not valid Parquet, named).
    pub status: super::tasks::TaskStatus,
    pub error: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<core::Task> for TableProfileRun {
    fn from(t: core::Task) -> Self {
        TableProfileRun {
            task_id: t.id.to_string(),
            status: t.status.into(),
            finished_at: t.status.is_finished().then_some(t.updated_at),
            error: t.error,
            requested_at: t.created_at,
        }
    }
}

#[Object]
impl Column {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn table_id(&self) -> &str {
        self.0.table_id.as_str()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    #[graphql(name = "type")]
    async fn data_type(&self) -> &str {
        &self.0.data_type
    }
    async fn is_partition(&self) -> bool {
        self.0.is_partition
    }
    async fn position(&self) -> i64 {
        self.0.position
    }
    async fn description(&self) -> &str {
        self.0.description.as_str()
    }
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().map(|t| t.as_str()).collect()
    }
    /// PII, SENSITIVE, PUBLIC or INTERNAL.
    async fn classification(&self) -> Option<&str> {
        self.0.classification.as_deref()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    async fn terms(&self, ctx: &Context<'_>) -> ApiResult<Vec<TermLink>> {
        terms_of(ctx, self.0.id.as_str()).await
    }
    /// This column's statistics from its table's latest profile (see `Table.profile`): null
    /// until the table is profiled, and for callers who may not read its data.
    async fn stats(&self, ctx: &Context<'_>) -> ApiResult<Option<ColumnStats>> {
        let table = self.0.table_id.as_str();
        if !may_read_data(ctx, table).await? {
            return Ok(None);
        }
        Ok(loaded_profile(ctx, table).await?.and_then(|l| {
            l.by_name
                .get(&self.0.name)
                .and_then(|&i| l.profile.columns.get(i))
                .cloned()
                .map(ColumnStats::from)
        }))
    }
}

#[Object]
impl Folder {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn dataset_id(&self) -> &str {
        self.0.dataset_id.as_str()
    }
    async fn dataset(&self, ctx: &Context<'_>) -> ApiResult<Option<Dataset>> {
        Ok(request(ctx)?
            .loaders
            .datasets
            .load_one(self.0.dataset_id.to_string())
            .await?
            .map(Dataset))
    }
    async fn label(&self) -> &str {
        self.0.label.as_str()
    }
    /// S3 prefix inside the dataset's bucket, ending with `/`.
    async fn prefix(&self) -> &str {
        self.0.prefix.as_str()
    }
    async fn description(&self) -> &str {
        self.0.description.as_str()
    }
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().map(|t| t.as_str()).collect()
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn upvotes(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(request(ctx)?
            .loaders
            .votes
            .load_one(self.0.id.to_string())
            .await?
            .unwrap_or_default()
            .upvotes)
    }
    async fn terms(&self, ctx: &Context<'_>) -> ApiResult<Vec<TermLink>> {
        terms_of(ctx, self.0.id.as_str()).await
    }
}

pub(crate) async fn list_tables(
    ctx: &Context<'_>,
    id: &DatasetId,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<TableConnection> {
    let list = format!("tables:{id}");
    let page = page_args(ctx, &list, first, after)?;
    let rows = store(ctx).list_tables(id, &page).await?;
    TableConnection::from_page(ctx, &list, rows, CountQuery::Tables(id.clone()), Table)
}

pub(crate) async fn list_columns(
    ctx: &Context<'_>,
    id: &TableId,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<ColumnConnection> {
    let list = format!("columns:{id}");
    let page = page_args(ctx, &list, first, after)?;
    let rows = store(ctx).list_columns(id, &page).await?;
    ColumnConnection::from_page(ctx, &list, rows, CountQuery::Columns(id.clone()), Column)
}

pub(crate) async fn list_folders(
    ctx: &Context<'_>,
    id: &DatasetId,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<FolderConnection> {
    let list = format!("folders:{id}");
    let page = page_args(ctx, &list, first, after)?;
    let rows = store(ctx).list_folders(id, &page).await?;
    FolderConnection::from_page(ctx, &list, rows, CountQuery::Folders(id.clone()), Folder)
}

pub(crate) async fn get_table(ctx: &Context<'_>, id: &TableId) -> ApiResult<core::Table> {
    request(ctx)?
        .loaders
        .tables
        .load_one(id.to_string())
        .await?
        .ok_or_else(|| not_found("table", id.as_str()))
}

async fn get_column(ctx: &Context<'_>, id: &ColumnId) -> ApiResult<core::Column> {
    store(ctx)
        .columns_by_ids(&[id.to_string()])
        .await?
        .pop()
        .ok_or_else(|| not_found("column", id.as_str()))
}

async fn get_folder(ctx: &Context<'_>, id: &FolderId) -> ApiResult<core::Folder> {
    request(ctx)?
        .loaders
        .folders
        .load_one(id.to_string())
        .await?
        .ok_or_else(|| not_found("folder", id.as_str()))
}

/// For fields that take any target id: the resource whose permission guards the target —
/// itself; its dataset for tables, columns and folders (NOT_FOUND unless the caller may see
/// it, as on every read); its glossary for categories and terms — and the permission `pick`
/// asks for the target's kind (None: no owner team to delegate to, admins only).
pub(crate) async fn guard_of(
    ctx: &Context<'_>,
    target: &ResourceId,
    pick: impl Fn(ResourceKind) -> Option<lakecat_core::permissions::Permission>,
) -> ApiResult<(String, Option<lakecat_core::permissions::Permission>)> {
    let resource = match target.kind() {
        ResourceKind::Dataset
        | ResourceKind::Table
        | ResourceKind::Column
        | ResourceKind::Folder => crate::visibility::visible_target(ctx, target)
            .await?
            .to_string(),
        ResourceKind::GlossaryCategory | ResourceKind::GlossaryTerm => {
            let id = lakecat_core::ids::GlossaryNodeId::parse_kind(
                "targetId",
                target.as_str(),
                target.kind(),
            )?;
            request(ctx)?
                .loaders
                .glossary_nodes
                .load_one(id.to_string())
                .await?
                .ok_or_else(|| {
                    not_found(&crate::authz::kind_words(target.kind()), target.as_str())
                })?
                .glossary_id
                .to_string()
        }
        _ => target.to_string(),
    };
    Ok((resource, pick(target.kind())))
}

/// The dataset a dataset, table, column or folder belongs to (permissions live there).
pub(crate) async fn dataset_of(ctx: &Context<'_>, target: &ResourceId) -> ApiResult<DatasetId> {
    let raw = target.as_str();
    match target.kind() {
        ResourceKind::Dataset => {
            let id = DatasetId::parse("targetId", raw)?;
            request(ctx)?
                .loaders
                .datasets
                .load_one(id.to_string())
                .await?
                .ok_or_else(|| not_found("dataset", raw))?;
            Ok(id)
        }
        ResourceKind::Table => Ok(get_table(ctx, &TableId::parse("targetId", raw)?)
            .await?
            .dataset_id),
        ResourceKind::Column => {
            let col = get_column(ctx, &ColumnId::parse("targetId", raw)?).await?;
            Ok(get_table(ctx, &col.table_id).await?.dataset_id)
        }
        ResourceKind::Folder => Ok(get_folder(ctx, &FolderId::parse("targetId", raw)?)
            .await?
            .dataset_id),
        other => Err(Error::bad_input(
            "targetId",
            format!("a {} is not part of a dataset", other.as_str()),
        )
        .into()),
    }
}

#[derive(Default)]
pub struct TableQuery;

/// The first rows of a table, read from the lake.
#[derive(SimpleObject)]
pub struct TablePreview {
    pub table_id: String,
    /// The table's columns in position order, partition keys included.
    pub columns: Vec<PreviewColumn>,
    /// One array per row with a value per column (null where the row has none), typed as
    /// the catalog's column types say.
    pub rows: Vec<async_graphql::Json<Vec<serde_json::Value>>>,
    /// Whether the table has more rows than returned.
    pub more: bool,
    /// The Athena query that read them (on AWS; null for the local lake's files), also in the
    /// preview's audit event.
    pub query_id: Option<String>,
}

#[derive(SimpleObject)]
pub struct PreviewColumn {
    pub name: String,
    #[graphql(name = "type")]
    pub data_type: String,
}

/// Whether one of the caller's teams holds a granted share of `table` (the table itself, or
/// the dataset's whole bucket).
async fn holds_granted_share(
    ctx: &Context<'_>,
    teams: Vec<String>,
    table: &core::Table,
) -> ApiResult<bool> {
    use lakecat_core::shares::{ItemStatus, ShareFilter};
    let filter = ShareFilter {
        consumer_teams: Some(teams),
        dataset_id: Some(table.dataset_id.clone()),
        ..ShareFilter::default()
    };
    let shares = store(ctx)
        .list_share_requests(&filter, &lakecat_core::page::PageRequest::first(100))
        .await?;
    let ids: Vec<String> = shares.items.iter().map(|(_, s)| s.id.to_string()).collect();
    if ids.is_empty() {
        return Ok(false);
    }
    let items = store(ctx).share_items(&ids).await?;
    Ok(items.iter().any(|i| {
        matches!(
            i.status,
            ItemStatus::ShareSucceeded | ItemStatus::PendingExtension
        ) && (i.target_id == table.id.as_str() || i.target_id == table.dataset_id.as_str())
    }))
}

/// Whether the caller may read `table`'s data (previews, profiles): its dataset's owners and
/// admins; teams holding a granted share of the table (or of the dataset's bucket), unless the
/// dataset is SECRET and its owners have not allowed it (`secretPreview`). The dataset, or the
/// refusal saying why.
async fn data_access(
    ctx: &Context<'_>,
    table: &core::Table,
) -> ApiResult<Result<core::Dataset, Error>> {
    let who = crate::context::caller(ctx)?;
    let ds = store(ctx)
        .datasets_by_ids(&[table.dataset_id.to_string()])
        .await?
        .pop()
        .ok_or_else(|| not_found("table", table.id.as_str()))?;
    let owner = who.is_admin
        || request(ctx)?
            .loaders
            .permissions_on(ds.id.as_str())
            .await?
            .contains(&lakecat_core::permissions::Permission::UpdateDataset);
    if owner {
        return Ok(Ok(ds));
    }
    if ds.confidentiality == core::Confidentiality::Secret && !ds.secret_preview {
        return Ok(Err(Error::forbidden(format!(
            "the data of {} (SECRET) is for its owner team, {}, unless it allows teams with a granted share (secretPreview)",
            ds.label.as_str(),
            ds.owner_team.as_str()
        ))));
    }
    let teams = who.groups.iter().map(|t| t.as_str().to_owned()).collect();
    if !holds_granted_share(ctx, teams, table).await? {
        return Ok(Err(Error::forbidden(format!(
            "none of your teams holds a granted share of {}: request access to read its data",
            table.glue_name.as_str()
        ))));
    }
    Ok(Ok(ds))
}

/// [`data_access`] as a yes or no, decided once per table and request (a table's columns
/// each ask for their statistics).
async fn may_read_data(ctx: &Context<'_>, table_id: &str) -> ApiResult<bool> {
    let r = request(ctx)?;
    if let Some(known) = r
        .data_access
        .lock()
        .ok()
        .and_then(|m| m.get(table_id).copied())
    {
        return Ok(known);
    }
    let Some(table) = r.loaders.tables.load_one(table_id.to_owned()).await? else {
        return Ok(false);
    };
    let allowed = data_access(ctx, &table).await?.is_ok();
    if let Ok(mut m) = r.data_access.lock() {
        m.insert(table_id.to_owned(), allowed);
    }
    Ok(allowed)
}

#[Object]
impl TableQuery {
    /// The first rows of a table, read from the lake (1–100, 20 by default): for its
    /// dataset's owners, admins, and teams holding a granted share of the table or of the
    /// dataset's bucket; a SECRET dataset's for its owners only. Every preview is audited
    /// on the table.
    async fn preview_table(
        &self,
        ctx: &Context<'_>,
        table_id: String,
        #[graphql(default = 20)] limit: i32,
    ) -> ApiResult<TablePreview> {
        let id = TableId::parse("tableId", &table_id)?;
        if !(1..=lakecat_core::lake::MAX_PREVIEW_ROWS as i32).contains(&limit) {
            return Err(Error::bad_input("limit", "must be 1–100").into());
        }
        authorize(ctx, "previewTable", None).await?;
        let table = visible_table(ctx, &id).await?;
        let ds = data_access(ctx, &table).await?.map_err(ApiError::from)?;
        refuse_deleted(&table)?;
        refuse_unverified(ctx, &ds).await?;
        let Some(lake) = services(ctx).lake.clone() else {
            return Err(ApiError::not_offered(
                "no lake reader here: previews are read by lakecat serve (the local lake's files, or Athena with LAKECAT_LAKE=aws)",
            ));
        };
        let env = store(ctx)
            .environments_by_ids(&[ds.environment_id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("table", id.as_str()))?;
        let mut columns = store(ctx).columns_of_tables(&[id.to_string()]).await?;
        columns.sort_by_key(|c| c.position);
        let p = lake
            .preview(&env, &ds, &table, &columns, limit as usize)
            .await?;
        store(ctx)
            .record_read(
                &meta(ctx)?,
                id.as_str(),
                &serde_json::json!({ "preview": { "rows": p.rows.len(), "filesRead": p.files_read, "queryId": p.query_id } }),
            )
            .await?;
        Ok(TablePreview {
            table_id: id.to_string(),
            columns: p
                .columns
                .into_iter()
                .map(|(name, data_type)| PreviewColumn { name, data_type })
                .collect(),
            rows: p.rows.into_iter().map(async_graphql::Json).collect(),
            more: p.more,
            query_id: p.query_id,
        })
    }

    async fn table(&self, ctx: &Context<'_>, id: String) -> ApiResult<Option<Table>> {
        let id = TableId::parse("id", &id)?;
        authorize(ctx, "table", None).await?;
        Ok(Some(Table(visible_table(ctx, &id).await?)))
    }
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn tables(
        &self,
        ctx: &Context<'_>,
        dataset_id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<TableConnection> {
        let id = DatasetId::parse("datasetId", &dataset_id)?;
        authorize(ctx, "tables", None).await?;
        visible_dataset(ctx, &id).await?;
        list_tables(ctx, &id, first, after).await
    }
    async fn column(&self, ctx: &Context<'_>, id: String) -> ApiResult<Option<Column>> {
        let id = ColumnId::parse("id", &id)?;
        authorize(ctx, "column", None).await?;
        let column = get_column(ctx, &id).await?;
        let table = get_table(ctx, &column.table_id).await?;
        if !may_see_dataset(ctx, &table.dataset_id).await? {
            return Err(not_found("column", id.as_str()));
        }
        Ok(Some(Column(column)))
    }
    /// Columns of a table in position order (pages of at most 100, however wide the table).
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn columns(
        &self,
        ctx: &Context<'_>,
        table_id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ColumnConnection> {
        let id = TableId::parse("tableId", &table_id)?;
        authorize(ctx, "columns", None).await?;
        visible_table(ctx, &id).await?;
        list_columns(ctx, &id, first, after).await
    }
    async fn folder(&self, ctx: &Context<'_>, id: String) -> ApiResult<Option<Folder>> {
        let id = FolderId::parse("id", &id)?;
        authorize(ctx, "folder", None).await?;
        let folder = get_folder(ctx, &id).await?;
        if !may_see_dataset(ctx, &folder.dataset_id).await? {
            return Err(not_found("folder", id.as_str()));
        }
        Ok(Some(Folder(folder)))
    }
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn folders(
        &self,
        ctx: &Context<'_>,
        dataset_id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<FolderConnection> {
        let id = DatasetId::parse("datasetId", &dataset_id)?;
        authorize(ctx, "folders", None).await?;
        visible_dataset(ctx, &id).await?;
        list_folders(ctx, &id, first, after).await
    }
}

/// The table `id` if the caller may see its dataset, else NOT_FOUND.
async fn visible_table(ctx: &Context<'_>, id: &TableId) -> ApiResult<core::Table> {
    let table = get_table(ctx, id).await?;
    if !may_see_dataset(ctx, &table.dataset_id).await? {
        return Err(not_found("table", id.as_str()));
    }
    Ok(table)
}

#[derive(InputObject)]
pub struct UpdateTableInput {
    pub id: String,
    pub expected_version: i64,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct UpdateColumnInput {
    pub id: String,
    pub expected_version: i64,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
    /// PII, SENSITIVE, PUBLIC, INTERNAL, or "" to clear.
    pub classification: Option<String>,
}

#[derive(InputObject)]
pub struct CreateFolderInput {
    pub dataset_id: String,
    pub label: String,
    /// S3 prefix inside the dataset's bucket, e.g. `raw/sales/`.
    pub prefix: String,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct UpdateFolderInput {
    pub id: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct DeleteFolderInput {
    pub id: String,
}

fn doc_patch(description: Option<&str>, tags: Option<&[String]>) -> ApiResult<DocumentPatch> {
    Ok(DocumentPatch {
        description: description
            .map(|d| Description::parse("input.description", d))
            .transpose()?,
        tags: tags.map(|t| Tag::parse_list("input.tags", t)).transpose()?,
    })
}

#[derive(Default)]
pub struct TableMutation;

/// A table gone from the lake has no data to read.
fn refuse_deleted(table: &core::Table) -> Result<(), Error> {
    match table.deleted_at {
        Some(at) => Err(Error::conflict(format!(
            "table {} is gone from the lake: a sync marked it deleted on {}",
            table.glue_name,
            at.format("%Y-%m-%d %H:%M UTC")
        ))
        .with_reason(lakecat_core::Reason::TableDeleted)),
        None => Ok(()),
    }
}

/// A dataset's latest sync of its tables from the lake (Glue, or the local lake's files).
#[derive(SimpleObject, Clone)]
pub struct TableSync {
    /// The sync's task (its attempts and history are in `tasks(targetId)`).
    pub task_id: String,
    /// PENDING or RUNNING while it runs, SUCCEEDED (some tables may have failed: see
    /// `failures`), or FAILED with `error` (the lake could not be read at all).
    pub status: super::tasks::TaskStatus,
    /// The tables this sync is of, when it is of some only (those Glue's events named);
    /// null: the whole dataset.
    pub tables: Option<Vec<String>>,
    pub tables_created: i64,
    pub tables_updated: i64,
    /// Found unchanged: nothing written.
    pub tables_unchanged: i64,
    /// Gone from the lake: marked deleted (see `Table.deletedAt`), gone from lists and search.
    pub tables_deleted: i64,
    /// Marked deleted by an earlier sync and found again.
    pub tables_restored: i64,
    /// Tables that could not be read, each with the reason; the others were recorded.
    pub failures: Vec<TableSyncFailure>,
    pub error: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// When it ended (None while it runs).
    pub finished_at: Option<DateTime<Utc>>,
}

/// A table a sync could not read, and why (e.g. "file part-0.parquet: not a Parquet file").
#[derive(SimpleObject, Clone)]
pub struct TableSyncFailure {
    pub table: String,
    pub reason: String,
}

impl From<core::Task> for TableSync {
    fn from(t: core::Task) -> Self {
        let result = t.result.clone().unwrap_or(serde_json::Value::Null);
        let count = |k: &str| {
            result
                .get(k)
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0)
        };
        let failures = result
            .get("failures")
            .and_then(|f| {
                serde_json::from_value::<Vec<lakecat_core::lake::TableFailure>>(f.clone()).ok()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|f| TableSyncFailure {
                table: f.table,
                reason: f.reason,
            })
            .collect();
        TableSync {
            task_id: t.id.to_string(),
            status: t.status.into(),
            tables: lakecat_core::lake::sync_scope(&t.payload),
            tables_created: count("tablesCreated"),
            tables_updated: count("tablesUpdated"),
            tables_unchanged: count("tablesUnchanged"),
            tables_deleted: count("tablesDeleted"),
            tables_restored: count("tablesRestored"),
            failures,
            finished_at: t.status.is_finished().then_some(t.updated_at),
            error: t.error,
            requested_at: t.created_at,
        }
    }
}

/// A dataset's latest crawl (its `tables.crawl` task).
#[derive(SimpleObject, Clone)]
pub struct TableCrawlRun {
    pub task_id: String,
    /// PENDING or RUNNING while it starts the crawler; SUCCEEDED once it started (Glue) or
    /// once the sync was requested (the local lake); FAILED with `error` (e.g. a dataset
    /// stack without a crawler).
    pub status: super::tasks::TaskStatus,
    pub error: Option<String>,
    /// The Glue crawler started (null for the local lake, which needs none).
    pub crawler: Option<String>,
    /// What was crawled (`s3://bucket/prefix`, or the local folder).
    pub path: Option<String>,
    /// The prefix asked for.
    pub prefix: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<core::Task> for TableCrawlRun {
    fn from(t: core::Task) -> Self {
        let result = t.result.clone().unwrap_or(serde_json::Value::Null);
        let text = |v: &serde_json::Value, k: &str| {
            v.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        TableCrawlRun {
            task_id: t.id.to_string(),
            status: t.status.into(),
            crawler: text(&result, "crawler"),
            path: text(&result, "path"),
            prefix: text(&t.payload, "prefix"),
            finished_at: t.status.is_finished().then_some(t.updated_at),
            error: t.error,
            requested_at: t.created_at,
        }
    }
}

/// A crawl's prefix: a relative path in the bucket (no `s3://`, no `..`, at most 1,024
/// characters, no control characters); empty means the whole bucket.
fn crawl_prefix(raw: Option<&str>) -> Result<Option<String>, Error> {
    let Some(p) = raw.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let bad = |why: &str| Err(Error::bad_input("input.prefix", why));
    if p.len() > 1024 {
        return bad("must be at most 1,024 characters");
    }
    if p.contains("://") {
        return bad("must be a path in the dataset's bucket, not a URL");
    }
    if p.split('/').any(|s| s == "..") {
        return bad("must not contain '..'");
    }
    if p.chars().any(char::is_control) {
        return bad("must not contain control characters");
    }
    Ok(Some(p.trim_start_matches('/').to_owned()))
}

/// An imported dataset's latest verification (its `dataset.verify` task).
#[derive(SimpleObject, Clone)]
pub struct ImportCheckRun {
    pub task_id: String,
    /// PENDING or RUNNING while it checks, SUCCEEDED (every check passed), or FAILED (see
    /// `checks`: the failed ones, each with its field and reason).
    pub status: super::tasks::TaskStatus,
    /// What was checked: every check once it succeeded, the failed ones when it failed.
    pub checks: Vec<ImportCheckItem>,
    pub requested_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One check of an import: its field (`aws.bucket`, `aws.kmsAlias`, `aws.glueDatabase`),
/// whether it passed, and what was found (e.g. "bucket sales-raw: 403 AccessDenied (Access
/// Denied) for arn:aws:iam::…:role/lakecat-pivot-role").
#[derive(SimpleObject, Clone)]
pub struct ImportCheckItem {
    pub field: String,
    pub ok: bool,
    pub message: String,
}

impl From<core::Task> for ImportCheckRun {
    fn from(t: core::Task) -> Self {
        use lakecat_core::lake::ImportCheck;
        let checks: Vec<ImportCheck> = match (&t.result, &t.error) {
            (Some(r), _) if t.status == core::TaskStatus::Succeeded => r
                .get("checks")
                .and_then(|c| serde_json::from_value(c.clone()).ok())
                .unwrap_or_default(),
            (_, Some(e)) if t.status == core::TaskStatus::Failed => ImportCheck::from_error(e),
            _ => vec![],
        };
        ImportCheckRun {
            task_id: t.id.to_string(),
            status: t.status.into(),
            checks: checks
                .into_iter()
                .map(|c| ImportCheckItem {
                    field: c.field,
                    ok: c.ok,
                    message: c.message,
                })
                .collect(),
            finished_at: t.status.is_finished().then_some(t.updated_at),
            requested_at: t.created_at,
        }
    }
}

/// An imported dataset's latest verification.
pub(crate) async fn import_check(
    ctx: &Context<'_>,
    dataset_id: &str,
) -> ApiResult<Option<ImportCheckRun>> {
    Ok(store(ctx)
        .dataset_verifications(&[dataset_id.to_owned()])
        .await?
        .remove(dataset_id)
        .map(ImportCheckRun::from))
}

/// An imported dataset whose resources failed their verification cannot be read: CONFLICT
/// `dataset_not_ready`, saying what failed.
async fn refuse_unverified(ctx: &Context<'_>, ds: &core::Dataset) -> ApiResult<()> {
    if !ds.imported {
        return Ok(());
    }
    match import_check(ctx, ds.id.as_str()).await? {
        Some(c) if c.status == super::tasks::TaskStatus::Failed => {
            let failed: Vec<String> = c
                .checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| format!("{}: {}", c.field, c.message))
                .collect();
            Err(Error::conflict(format!(
                "dataset {} is not ready: its imported resources failed verification ({}); fix them and run verifyDataset",
                ds.label.as_str(),
                failed.join("; ")
            ))
            .with_reason(lakecat_core::Reason::DatasetNotReady)
            .into())
        }
        _ => Ok(()),
    }
}

/// A dataset's latest table sync, for [`Dataset`].
pub(crate) async fn table_sync(
    ctx: &Context<'_>,
    dataset_id: &str,
) -> ApiResult<Option<TableSync>> {
    Ok(store(ctx)
        .table_sync(dataset_id)
        .await?
        .map(TableSync::from))
}

#[derive(InputObject)]
pub struct SyncTablesInput {
    pub dataset_id: String,
}

#[derive(InputObject)]
pub struct ProfileTableInput {
    pub table_id: String,
}

#[derive(InputObject)]
pub struct VerifyDatasetInput {
    pub dataset_id: String,
}

#[derive(InputObject)]
pub struct StartCrawlerInput {
    pub dataset_id: String,
    /// A path in the dataset's bucket to crawl (`sales/2024/`); the whole bucket without one.
    pub prefix: Option<String>,
}

#[Object]
impl TableMutation {
    /// Reads the dataset's tables from the lake and records them (a `tables.sync` task):
    /// new tables are added, changed ones updated with the catalog's descriptions, tags and
    /// terms kept. A request while a sync waits joins it.
    async fn sync_tables(&self, ctx: &Context<'_>, input: SyncTablesInput) -> ApiResult<TableSync> {
        let id = DatasetId::parse("input.datasetId", &input.dataset_id)?;
        authorize_with(ctx, "syncTables", Some(id.as_str()), None).await?;
        if !services(ctx).tables_sync {
            return Err(ApiError::not_offered(
                "no worker here reads the lake: tables are synced by lakecat serve's worker or by the worker Lambda behind the task queue",
            ));
        }
        if let Some(ds) = store(ctx).datasets_by_ids(&[id.to_string()]).await?.pop() {
            refuse_unverified(ctx, &ds).await?;
        }
        let (task, tasks) = store(ctx)
            .request_table_sync(&meta(ctx)?, &id, None)
            .await?;
        publish_now(ctx, &tasks).await;
        Ok(task.into())
    }

    /// Runs the dataset's Glue crawler over a prefix of its bucket, then syncs its tables
    /// when it ends (a `tables.crawl` task; a request while one waits joins it): its owners.
    /// The local lake needs no crawler: its tables are synced at once.
    async fn start_crawler(
        &self,
        ctx: &Context<'_>,
        input: StartCrawlerInput,
    ) -> ApiResult<TableCrawlRun> {
        let id = DatasetId::parse("input.datasetId", &input.dataset_id)?;
        let prefix = crawl_prefix(input.prefix.as_deref())?;
        authorize_with(ctx, "startCrawler", Some(id.as_str()), None).await?;
        if !services(ctx).tables_sync {
            return Err(ApiError::not_offered(
                "no worker here reads the lake: crawls are run by lakecat serve's worker or by the worker Lambda behind the task queue",
            ));
        }
        if let Some(ds) = store(ctx).datasets_by_ids(&[id.to_string()]).await?.pop() {
            refuse_unverified(ctx, &ds).await?;
        }
        let (task, tasks) = store(ctx)
            .request_table_crawl(&meta(ctx)?, &id, prefix.as_deref())
            .await?;
        publish_now(ctx, &tasks).await;
        Ok(task.into())
    }

    /// Checks again that lakecat can use an imported dataset's bucket, key and Glue database
    /// (a `dataset.verify` task, also written when the dataset is imported): its owners.
    /// The outcome is `Dataset.importCheck`.
    async fn verify_dataset(
        &self,
        ctx: &Context<'_>,
        input: VerifyDatasetInput,
    ) -> ApiResult<ImportCheckRun> {
        let id = DatasetId::parse("input.datasetId", &input.dataset_id)?;
        authorize_with(ctx, "verifyDataset", Some(id.as_str()), None).await?;
        if !services(ctx).tables_sync {
            return Err(ApiError::not_offered(
                "no worker here reads the lake: imports are verified by lakecat serve's worker or by the worker Lambda behind the task queue",
            ));
        }
        let (task, tasks) = store(ctx).request_dataset_verify(&meta(ctx)?, &id).await?;
        publish_now(ctx, &tasks).await;
        Ok(task.into())
    }

    /// Computes per-column statistics of a table from all its rows (a `tables.profile`
    /// task; a request while one waits joins it): its dataset's owners. Read the outcome in
    /// `Table.profileRun`, the statistics in `Table.profile` and `Column.stats`.
    async fn profile_table(
        &self,
        ctx: &Context<'_>,
        input: ProfileTableInput,
    ) -> ApiResult<TableProfileRun> {
        let id = TableId::parse("input.tableId", &input.table_id)?;
        crate::context::caller(ctx)?;
        let table = get_table(ctx, &id).await?;
        authorize(ctx, "profileTable", Some(table.dataset_id.as_str())).await?;
        refuse_deleted(&table)?;
        if let Some(ds) = store(ctx)
            .datasets_by_ids(&[table.dataset_id.to_string()])
            .await?
            .pop()
        {
            refuse_unverified(ctx, &ds).await?;
        }
        if !services(ctx).tables_sync {
            return Err(ApiError::not_offered(
                "no lake reader here: profiles are computed by lakecat serve's worker (the local lake's files, or Athena with LAKECAT_LAKE=aws)",
            ));
        }
        let (task, tasks) = store(ctx).request_table_profile(&meta(ctx)?, &id).await?;
        publish_now(ctx, &tasks).await;
        Ok(task.into())
    }

    async fn update_table(&self, ctx: &Context<'_>, input: UpdateTableInput) -> ApiResult<Table> {
        let id = TableId::parse("input.id", &input.id)?;
        let patch = doc_patch(input.description.as_deref(), input.tags.as_deref())?;
        crate::context::caller(ctx)?;
        let table = get_table(ctx, &id).await?;
        authorize(ctx, "updateTable", Some(table.dataset_id.as_str())).await?;
        let updated = store(ctx)
            .update_table(&meta(ctx)?, &id, input.expected_version, &patch)
            .await?;
        crate::context::refresh_search(ctx, table.dataset_id.as_str()).await;
        Ok(Table(updated))
    }

    async fn update_column(
        &self,
        ctx: &Context<'_>,
        input: UpdateColumnInput,
    ) -> ApiResult<Column> {
        let id = ColumnId::parse("input.id", &input.id)?;
        let patch = doc_patch(input.description.as_deref(), input.tags.as_deref())?;
        let classification = match input.classification.as_deref() {
            None => None,
            Some(c) => Some(core::parse_classification("input.classification", Some(c))?),
        };
        crate::context::caller(ctx)?;
        let col = get_column(ctx, &id).await?;
        let table = get_table(ctx, &col.table_id).await?;
        authorize(ctx, "updateColumn", Some(table.dataset_id.as_str())).await?;
        let updated = store(ctx)
            .update_column(
                &meta(ctx)?,
                &id,
                input.expected_version,
                &patch,
                classification,
            )
            .await?;
        crate::context::refresh_search(ctx, table.dataset_id.as_str()).await;
        Ok(Column(updated))
    }

    async fn create_folder(
        &self,
        ctx: &Context<'_>,
        input: CreateFolderInput,
    ) -> ApiResult<Folder> {
        let dataset_id = DatasetId::parse("input.datasetId", &input.dataset_id)?;
        let label = Label::parse("input.label", &input.label)?;
        let prefix = S3Prefix::parse("input.prefix", &input.prefix)?;
        let description = Description::parse(
            "input.description",
            input.description.as_deref().unwrap_or(""),
        )?;
        let tags = Tag::parse_list("input.tags", input.tags.as_deref().unwrap_or(&[]))?;
        let c = authorize(ctx, "createFolder", Some(dataset_id.as_str())).await?;
        let folder = core::NewFolder {
            dataset_id,
            label,
            prefix,
            description,
            tags,
        }
        .build(&c.subject, Utc::now());
        store(ctx).create_folder(&meta(ctx)?, &folder).await?;
        crate::context::refresh_search(ctx, folder.dataset_id.as_str()).await;
        Ok(Folder(folder))
    }

    async fn update_folder(
        &self,
        ctx: &Context<'_>,
        input: UpdateFolderInput,
    ) -> ApiResult<Folder> {
        let id = FolderId::parse("input.id", &input.id)?;
        let patch = FolderPatch {
            label: input
                .label
                .as_deref()
                .map(|l| Label::parse("input.label", l))
                .transpose()?,
            description: input
                .description
                .as_deref()
                .map(|d| Description::parse("input.description", d))
                .transpose()?,
            tags: input
                .tags
                .as_deref()
                .map(|t| Tag::parse_list("input.tags", t))
                .transpose()?,
        };
        crate::context::caller(ctx)?;
        let folder = get_folder(ctx, &id).await?;
        authorize(ctx, "updateFolder", Some(folder.dataset_id.as_str())).await?;
        let updated = store(ctx).update_folder(&meta(ctx)?, &id, &patch).await?;
        crate::context::refresh_search(ctx, folder.dataset_id.as_str()).await;
        Ok(Folder(updated))
    }

    async fn delete_folder(&self, ctx: &Context<'_>, input: DeleteFolderInput) -> ApiResult<bool> {
        let id = FolderId::parse("input.id", &input.id)?;
        crate::context::caller(ctx)?;
        let folder = get_folder(ctx, &id).await?;
        authorize(ctx, "deleteFolder", Some(folder.dataset_id.as_str())).await?;
        store(ctx).delete_folder(&meta(ctx)?, &id).await?;
        crate::context::refresh_search(ctx, folder.dataset_id.as_str()).await;
        Ok(true)
    }
}
