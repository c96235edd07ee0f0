//! The lake behind the catalog: what a reader finds for a dataset (its tables, their columns,
//! partition keys, location and format), and the `tables.sync` task that records it. One
//! port, an adapter per lake: the local lake's folders and files in the embedded default
//! (`lakecat-lake`), Glue on AWS.
//!
//! A table that cannot be read (a broken file, files that disagree) fails alone: the others
//! are recorded, and the failure is reported with the table's name and the reason.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::catalog::{Column, Dataset, DiscoveredTable, Environment, Table};
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

/// Tables named to a sync of some tables (a Glue event's) past which the dataset is synced
/// whole instead: a listing reads 100 tables a call, a table alone one.
pub const SYNC_TABLES_MAX: usize = 100;

/// The tables a `tables.sync` task's payload names (`{"tables": [...]}`); None: all of them.
pub fn sync_scope(payload: &serde_json::Value) -> Option<Vec<String>> {
    payload
        .get("tables")
        .and_then(|t| t.as_array())
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
}

/// A table the reader could not read, and why, for a person to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableFailure {
    pub table: String,
    pub reason: String,
}

/// The most rows `previewTable` returns.
pub const MAX_PREVIEW_ROWS: usize = 100;

/// The first rows of a table, read from the lake.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TablePreview {
    /// The catalog's columns (name, type), partition keys included, in order.
    pub columns: Vec<(String, String)>,
    /// One value per column; null where a row has none.
    pub rows: Vec<Vec<serde_json::Value>>,
    /// Whether the table has more rows than returned.
    pub more: bool,
    /// Data files opened to read them (0 when a query engine read them).
    pub files_read: usize,
    /// The query that read them, where one did (Athena's query execution id), for the audit.
    pub query_id: Option<String>,
}

/// A text value (a CSV cell, a partition value, a query engine's answer) as the catalog's
/// type says: integers and floating-point numbers as JSON numbers, booleans as booleans,
/// anything else (and what does not parse) as text; empty text and Hive's default partition
/// are null.
pub fn typed_text(v: &str, data_type: &str) -> serde_json::Value {
    use serde_json::Value;
    if v.is_empty() || v == "__HIVE_DEFAULT_PARTITION__" {
        return Value::Null;
    }
    let t = data_type.to_ascii_lowercase();
    let parsed = match t.as_str() {
        "bigint" | "int" | "integer" | "smallint" | "tinyint" => {
            v.trim().parse::<i64>().ok().map(Value::from)
        }
        "double" | "float" => v
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
        "boolean" => match v.trim().to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    parsed.unwrap_or_else(|| Value::String(v.to_owned()))
}

/// Runs a dataset's crawler over (a prefix of) its bucket, then syncs its tables.
pub const TABLES_CRAWL_KIND: &str = "tables.crawl";

/// What starting a crawl did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CrawlStarted {
    /// The crawler started (Glue's), or None where the lake needs none (the local lake's
    /// files are read directly).
    pub crawler: Option<String>,
    /// The path crawled.
    pub path: String,
    /// Whether the tables should be synced now; otherwise the crawler's end (its
    /// EventBridge event) requests the sync.
    pub sync_now: bool,
}

/// Verifies that lakecat can use an imported dataset's resources.
pub const DATASET_VERIFY_KIND: &str = "dataset.verify";

/// One thing an import verification checked: the field it concerns (`aws.bucket`,
/// `aws.kmsAlias`, `aws.glueDatabase`), whether it passed, and what was found, for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportCheck {
    pub field: String,
    pub ok: bool,
    pub message: String,
}

impl ImportCheck {
    pub fn passed(field: &str, message: impl Into<String>) -> Self {
        ImportCheck {
            field: field.into(),
            ok: true,
            message: message.into(),
        }
    }
    pub fn failed(field: &str, message: impl Into<String>) -> Self {
        ImportCheck {
            field: field.into(),
            ok: false,
            message: message.into(),
        }
    }

    /// Failed checks as a task's error: one `field: message` line each, read back by
    /// [`ImportCheck::from_error`].
    pub fn to_error(checks: &[ImportCheck]) -> String {
        checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The failed checks of a task's error written by [`ImportCheck::to_error`]; a line
    /// without a field (the task failed before checking) is the dataset's.
    pub fn from_error(error: &str) -> Vec<ImportCheck> {
        error
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match l.split_once(": ") {
                Some((field, message)) if field.starts_with("aws.") => {
                    ImportCheck::failed(field, message)
                }
                _ => ImportCheck::failed("dataset", l),
            })
            .collect()
    }
}

/// Reads a table's rows: what a preview needs, apart from the rest of the lake, so a process
/// that only answers requests (the API Lambda) can preview through another that reads the
/// lake (the worker Lambda).
#[async_trait]
pub trait TableReader: Send + Sync + 'static {
    /// Up to `limit` rows of `table` ([`MAX_PREVIEW_ROWS`] at most), its `columns` in
    /// position order. A table whose files cannot be read is UNAVAILABLE with reason
    /// `lake_unreadable` and says which file and why.
    async fn preview(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        table: &Table,
        columns: &[Column],
        limit: usize,
    ) -> crate::Result<TablePreview>;
}

/// The key of a worker invocation asking for a preview: `{"lakecatPreview": PreviewRequest}`.
/// The caller has authorized the preview; the worker reads the table as the catalog has it.
pub const PREVIEW_EVENT: &str = "lakecatPreview";

/// A preview asked of the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRequest {
    pub table_id: String,
    pub limit: usize,
}

/// The worker's answer to a [`PreviewRequest`]: the preview, or the error with its code and
/// reason, so the caller answers as if it had read the table itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PreviewAnswer {
    Preview(TablePreview),
    Error {
        code: String,
        reason: String,
        message: String,
    },
}

impl PreviewAnswer {
    pub fn from_result(result: crate::Result<TablePreview>) -> PreviewAnswer {
        match result {
            Ok(p) => PreviewAnswer::Preview(p),
            Err(e) => PreviewAnswer::Error {
                code: e.code.as_str().to_owned(),
                reason: e.reason.as_str().to_owned(),
                message: e.message,
            },
        }
    }

    /// The preview, or the worker's error as it was (an unknown code or reason, from a newer
    /// worker, is UNAVAILABLE or the code's generic reason).
    pub fn into_result(self) -> crate::Result<TablePreview> {
        match self {
            PreviewAnswer::Preview(p) => Ok(p),
            PreviewAnswer::Error {
                code,
                reason,
                message,
            } => {
                let code = crate::ErrorCode::parse(&code).unwrap_or(crate::ErrorCode::Unavailable);
                let reason = crate::Reason::parse("reason", &reason)
                    .unwrap_or_else(|_| code.generic_reason());
                Err(crate::Error::new(code, message).with_reason(reason))
            }
        }
    }
}

#[async_trait]
pub trait LakeReader: TableReader {
    /// Whether lakecat can use an imported dataset's resources, each checked as the lake
    /// would use it. Failed checks are results, not errors; an error is a lake that did not
    /// answer (retried).
    async fn verify_import(
        &self,
        environment: &Environment,
        dataset: &Dataset,
    ) -> std::result::Result<Vec<ImportCheck>, TaskError>;

    /// Every table of `dataset` in `environment`'s lake. A dataset with no table yet is an
    /// empty discovery; an unreadable dataset (its folder or database unreachable) is an error.
    async fn discover(
        &self,
        environment: &Environment,
        dataset: &Dataset,
    ) -> std::result::Result<Discovery, TaskError>;

    /// Just the tables `names` of `dataset` (a Glue event's), each read as [`discover`]
    /// reads it; a name the lake does not have (any more) is in the second list.
    ///
    /// [`discover`]: LakeReader::discover
    async fn discover_named(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        names: &[String],
    ) -> std::result::Result<(Discovery, Vec<String>), TaskError>;

    /// Starts the dataset's crawler over `prefix` of its bucket (all of it without one).
    async fn crawl(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        prefix: Option<&str>,
    ) -> std::result::Result<CrawlStarted, TaskError>;

    /// Per-column statistics of `table` from all its rows, its `columns` in position order.
    /// Unreadable files are UNAVAILABLE with reason `lake_unreadable`, as for previews.
    async fn profile(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        table: &Table,
        columns: &[Column],
    ) -> crate::Result<TableProfile>;
}

/// Profiles a table's columns.
pub const TABLES_PROFILE_KIND: &str = "tables.profile";

/// Distinct values at or under which a column's most frequent values are listed.
pub const TOP_VALUES_MAX_DISTINCT: u64 = 50;
/// Most frequent values listed per low-cardinality column.
pub const TOP_VALUES: usize = 10;
/// Buckets of a numeric column's histogram.
pub const HISTOGRAM_BUCKETS: usize = 10;

/// Per-column statistics of a table, computed from its data.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableProfile {
    /// Rows in the table.
    pub row_count: u64,
    /// Rows read to compute the statistics (equal to `row_count` for a full scan).
    pub rows_scanned: u64,
    /// Data files opened.
    pub files_read: u64,
    /// How they were computed, for a person: "files" (read here), "athena" (a query), and
    /// whether Parquet footers' statistics were used.
    pub method: String,
    /// One per catalog column, in position order.
    pub columns: Vec<ColumnStats>,
}

/// What a profile says of one column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ColumnStats {
    pub name: String,
    /// Rows where the column is null (or empty in CSV).
    pub nulls: u64,
    /// Approximate distinct non-null values (HyperLogLog, ~1 % error; exact when small).
    pub distinct: u64,
    /// Smallest and largest non-null value, as JSON (numbers as numbers, the rest as text).
    pub min: Option<serde_json::Value>,
    pub max: Option<serde_json::Value>,
    /// The most frequent values with their counts, for columns with at most
    /// [`TOP_VALUES_MAX_DISTINCT`] distinct values; empty otherwise.
    pub top_values: Vec<ValueCount>,
    /// Equal-width buckets over [min, max] for numeric columns; empty otherwise.
    pub histogram: Vec<HistogramBucket>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueCount {
    pub value: serde_json::Value,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistogramBucket {
    /// Inclusive lower bound; the last bucket includes its upper bound too.
    pub low: f64,
    pub high: f64,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, ErrorCode, Reason};

    #[test]
    fn a_preview_answer_carries_the_error_as_it_was() {
        let e = Error::unavailable("athena query q did not finish within 20 s and was stopped")
            .with_reason(Reason::QueryTimeout);
        let wire = serde_json::to_value(PreviewAnswer::from_result(Err(e.clone()))).unwrap();
        assert_eq!(
            wire,
            serde_json::json!({ "error": { "code": "UNAVAILABLE", "reason": "query_timeout",
                "message": "athena query q did not finish within 20 s and was stopped" } })
        );
        let back: PreviewAnswer = serde_json::from_value(wire).unwrap();
        assert_eq!(back.into_result().unwrap_err(), e);
        // From a newer worker: a code or reason this one does not know.
        let newer = PreviewAnswer::Error {
            code: "TEAPOT".into(),
            reason: "brewing".into(),
            message: "m".into(),
        }
        .into_result()
        .unwrap_err();
        assert_eq!(
            (newer.code, newer.reason),
            (ErrorCode::Unavailable, Reason::Unavailable)
        );
        let p = TablePreview {
            columns: vec![("a".into(), "int".into())],
            rows: vec![vec![serde_json::json!(1)]],
            more: false,
            files_read: 1,
            query_id: None,
        };
        let wire = serde_json::to_string(&PreviewAnswer::from_result(Ok(p.clone()))).unwrap();
        let back: PreviewAnswer = serde_json::from_str(&wire).unwrap();
        assert_eq!(back.into_result().unwrap(), p);
    }
}
