//! The embedded default's lake: a directory on the local disk, read the way the AWS adapter
//! reads Glue. One folder per environment (its id), per dataset (its slug, made by the local
//! stack deployer), per table; a table's folder holds Parquet, CSV or JSON-lines files,
//! possibly under Hive-style partition folders (`year=2024/month=05/…`). A file directly in
//! the dataset's folder is a table of one file, named after the file.
//!
//! Schemas come from the files: Parquet's own schema (its footer only: no data page is read),
//! a CSV file's header and the values of its first rows, the keys and values of a JSON-lines
//! file's first lines. Types are Glue's (`bigint`, `double`, `string`, `timestamp`, …), so a
//! table reads the same whether it came from here or from Glue.
//!
//! Parquet through the `parquet` crate without Arrow: the footer is all a schema needs, and
//! Arrow (or DataFusion) would add tens of crates to every build for no use here yet.
//! Profiles ([`profile_files`]) read every row, Parquet through its column readers.

mod infer;
mod parquet_schema;
mod preview;
mod profile;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use lakecat_core::catalog::{
    Column, Dataset, DiscoveredColumn, DiscoveredTable, Environment, Table,
};
use lakecat_core::lake::{
    CrawlStarted, Discovery, ImportCheck, LakeReader, MAX_PREVIEW_ROWS, TableFailure, TablePreview,
    TableProfile, TableReader,
};
use lakecat_core::names::GlueName;
use lakecat_core::tasks::TaskError;
use lakecat_core::{Error, Reason};

pub use infer::{SAMPLE_ROWS, widen};
pub use preview::{Wanted, location_path};
pub use profile::profile as profile_files;

/// The files a table may hold, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Parquet,
    Csv,
    Json,
}

impl FileFormat {
    fn of(path: &Path) -> Option<FileFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" => Some(FileFormat::Parquet),
            "csv" => Some(FileFormat::Csv),
            "json" | "jsonl" | "ndjson" => Some(FileFormat::Json),
            _ => None,
        }
    }

    /// Glue's `classification` and the catalog's `format`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::Csv => "csv",
            FileFormat::Json => "json",
        }
    }
}

/// The local lake under `root`.
#[derive(Debug, Clone)]
pub struct LocalLake {
    root: PathBuf,
}

impl LocalLake {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalLake { root: root.into() }
    }

    /// Where a dataset's tables live: `<root>/<environment id>/<dataset slug>`, the folder the
    /// local stack deployer makes.
    pub fn dataset_dir(&self, environment: &Environment, dataset: &Dataset) -> PathBuf {
        self.root
            .join(environment.id.as_str())
            .join(dataset.slug.as_str())
    }

    /// Every table under a dataset's folder (blocking: file reads).
    pub fn discover_dir(dir: &Path) -> std::io::Result<Discovery> {
        let mut found: BTreeMap<String, Result<DiscoveredTable, String>> = BTreeMap::new();
        if !dir.exists() {
            return Ok(Discovery::default());
        }
        let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                found.insert(
                    entry.file_name().to_string_lossy().into_owned(),
                    Err("its name is not UTF-8".into()),
                );
                continue;
            };
            if hidden(&name) {
                continue;
            }
            let file_type = entry.file_type()?;
            let (table, result) = if file_type.is_dir() {
                (name.clone(), read_table(&name, &path))
            } else if file_type.is_file() {
                match FileFormat::of(&path) {
                    Some(_) => {
                        let stem = path
                            .file_stem()
                            .and_then(|s| s.to_str())
                            .unwrap_or(&name)
                            .to_owned();
                        let file = TableFile {
                            path: path.clone(),
                            partitions: vec![],
                        };
                        (stem.clone(), read_files(&stem, &path, vec![file]))
                    }
                    // Other files beside the tables (notes, the deployer's record) are not tables.
                    None => continue,
                }
            } else {
                continue;
            };
            if found.contains_key(&table) {
                found.insert(
                    table.clone(),
                    Err(format!(
                        "both a folder and a file are named {table}: keep one"
                    )),
                );
            } else {
                found.insert(table, result);
            }
        }
        let mut discovery = Discovery::default();
        for (table, result) in found {
            match result {
                Ok(t) => discovery.tables.push(t),
                Err(reason) => discovery.failures.push(TableFailure { table, reason }),
            }
        }
        Ok(discovery)
    }
}

#[async_trait]
impl LakeReader for LocalLake {
    async fn discover(
        &self,
        environment: &Environment,
        dataset: &Dataset,
    ) -> Result<Discovery, TaskError> {
        let dir = self.dataset_dir(environment, dataset);
        let shown = dir.display().to_string();
        // No folder is not "no tables": a sync must not mark every table deleted because the
        // lake moved or the dataset's stack has not made its folder yet.
        if !dir.is_dir() {
            return Err(TaskError::permanent(format!(
                "{shown} does not exist: the dataset's stack has not made its folder yet, or the lake moved (LAKECAT_LAKE_DIR)"
            )));
        }
        tokio::task::spawn_blocking(move || LocalLake::discover_dir(&dir))
            .await
            .map_err(|e| TaskError::retryable(format!("reading {shown}: {e}")))?
            .map_err(|e| TaskError::retryable(format!("cannot read {shown}: {e}")))
    }

    /// The dataset's folder read as [`discover`](LakeReader::discover) reads it, kept to
    /// `names` (the local lake has no events naming tables; this serves a sync that does).
    async fn discover_named(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        names: &[String],
    ) -> Result<(Discovery, Vec<String>), TaskError> {
        let all = self.discover(environment, dataset).await?;
        let wanted: std::collections::BTreeSet<&str> = names.iter().map(String::as_str).collect();
        let mut seen = std::collections::BTreeSet::new();
        let mut discovery = Discovery::default();
        for t in all.tables {
            if wanted.contains(t.glue_name.as_str()) {
                seen.insert(t.glue_name.as_str().to_owned());
                discovery.tables.push(t);
            }
        }
        for f in all.failures {
            if wanted.contains(f.table.as_str()) {
                seen.insert(f.table.clone());
                discovery.failures.push(f);
            }
        }
        let missing = wanted
            .into_iter()
            .filter(|n| !seen.contains(*n))
            .map(str::to_owned)
            .collect();
        Ok((discovery, missing))
    }

    /// The local lake has a dataset's folder for a bucket, and neither keys nor a Glue
    /// catalog: the folder must exist and be readable.
    async fn verify_import(
        &self,
        environment: &Environment,
        dataset: &Dataset,
    ) -> Result<Vec<ImportCheck>, TaskError> {
        let dir = self.dataset_dir(environment, dataset);
        let bucket = match fs::read_dir(&dir) {
            Ok(_) => ImportCheck::passed(
                "aws.bucket",
                format!(
                    "folder {} is readable (the local lake's bucket)",
                    dir.display()
                ),
            ),
            Err(e) => ImportCheck::failed("aws.bucket", format!("folder {}: {e}", dir.display())),
        };
        let mut checks = vec![bucket];
        if dataset.aws.kms_alias.is_some() {
            checks.push(ImportCheck::passed(
                "aws.kmsAlias",
                "the local lake does not encrypt: no key to check",
            ));
        }
        checks.push(ImportCheck::passed(
            "aws.glueDatabase",
            "the local lake reads its files: no Glue database to check",
        ));
        Ok(checks)
    }

    /// The local lake has no crawler: its files are read directly, so a crawl is a sync now.
    async fn crawl(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        prefix: Option<&str>,
    ) -> Result<CrawlStarted, TaskError> {
        let dir = self.dataset_dir(environment, dataset);
        let path = match prefix {
            Some(p) => dir.join(p),
            None => dir,
        };
        Ok(CrawlStarted {
            crawler: None,
            path: path.display().to_string(),
            sync_now: true,
        })
    }

    /// Every row of every file, read where the table's location says (under the lake's root).
    async fn profile(
        &self,
        _environment: &Environment,
        _dataset: &Dataset,
        table: &Table,
        columns: &[Column],
    ) -> lakecat_core::Result<TableProfile> {
        let real = self.table_path(table)?;
        let wanted = wanted(columns);
        tokio::task::spawn_blocking(move || profile::profile(&real, &as_wanted(&wanted)))
            .await
            .map_err(|e| Error::internal(format!("profile: {e}")))?
            .map_err(unreadable)
    }
}

#[async_trait]
impl TableReader for LocalLake {
    /// Reads the table's files under the lake's root: a location outside it (another
    /// lake's, an `s3://` one) is refused, never followed.
    async fn preview(
        &self,
        _environment: &Environment,
        _dataset: &Dataset,
        table: &Table,
        columns: &[Column],
        limit: usize,
    ) -> lakecat_core::Result<TablePreview> {
        let real = self.table_path(table)?;
        let wanted = wanted(columns);
        let limit = limit.min(MAX_PREVIEW_ROWS);
        tokio::task::spawn_blocking(move || preview::preview(&real, &as_wanted(&wanted), limit))
            .await
            .map_err(|e| Error::internal(format!("preview: {e}")))?
            .map_err(unreadable)
    }
}

impl LocalLake {
    /// The table's folder or file, checked to be under the lake's root.
    fn table_path(&self, table: &Table) -> lakecat_core::Result<PathBuf> {
        let path = preview::location_path(&table.location).map_err(unreadable)?;
        let root = fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let real = fs::canonicalize(&path).map_err(|e| {
            unreadable(format!(
                "{}: {e}; sync the dataset's tables",
                path.display()
            ))
        })?;
        if !real.starts_with(&root) {
            return Err(unreadable(format!(
                "{} is not in this lake ({})",
                path.display(),
                root.display()
            )));
        }
        Ok(real)
    }
}

fn unreadable(m: String) -> Error {
    Error::unavailable(m).with_reason(Reason::LakeUnreadable)
}

/// The catalog's columns as the readers take them: (name, type, partition key).
fn wanted(columns: &[Column]) -> Vec<(String, String, bool)> {
    columns
        .iter()
        .map(|c| (c.name.clone(), c.data_type.clone(), c.is_partition))
        .collect()
}

fn as_wanted(columns: &[(String, String, bool)]) -> Vec<Wanted<'_>> {
    columns
        .iter()
        .map(|(name, data_type, is_partition)| Wanted {
            name,
            data_type,
            is_partition: *is_partition,
        })
        .collect()
}

/// Dot files, `_SUCCESS`, `_temporary`: what Spark, Hive and editors leave beside data.
fn hidden(name: &str) -> bool {
    name.starts_with('.') || name.starts_with('_')
}

/// A data file and the partition values of the folders above it (`key=value`, outermost
/// first).
pub(crate) struct TableFile {
    path: PathBuf,
    partitions: Vec<(String, String)>,
}

/// Reads a table folder: its files, partition folders included.
fn read_table(name: &str, dir: &Path) -> Result<DiscoveredTable, String> {
    let mut files = vec![];
    collect(dir, dir, &mut vec![], &mut files)?;
    read_files(name, dir, files)
}

pub(crate) fn collect(
    root: &Path,
    dir: &Path,
    partitions: &mut Vec<(String, String)>,
    out: &mut Vec<TableFile>,
) -> Result<(), String> {
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let mut entries: Vec<_> = fs::read_dir(dir)
        .and_then(|r| r.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read {}: {e}", rel(dir)))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if hidden(&name) {
            continue;
        }
        let file_type = entry
            .file_type()
            .map_err(|e| format!("cannot read {}: {e}", rel(&path)))?;
        if file_type.is_dir() {
            let Some((key, value)) = name.split_once('=') else {
                return Err(format!(
                    "folder {} is not a partition (key=value)",
                    rel(&path)
                ));
            };
            partitions.push((key.to_owned(), value.to_owned()));
            collect(root, &path, partitions, out)?;
            partitions.pop();
        } else if file_type.is_file() {
            if FileFormat::of(&path).is_none() {
                return Err(format!(
                    "file {} is not .parquet, .csv, .json, .jsonl or .ndjson",
                    rel(&path)
                ));
            }
            out.push(TableFile {
                path,
                partitions: partitions.clone(),
            });
        }
    }
    Ok(())
}

/// One schema from a table's files: they must share a format and partition keys, and their
/// columns must agree (CSV and JSON types are widened; Parquet schemas must be equal).
fn read_files(
    name: &str,
    location: &Path,
    files: Vec<TableFile>,
) -> Result<DiscoveredTable, String> {
    let glue_name = GlueName::parse("table", name).map_err(|e| {
        format!(
            "{name} is not a table name: it {}",
            e.message.trim_start_matches("table: ")
        )
    })?;
    let Some(first) = files.first() else {
        return Err("no data file yet".into());
    };
    let root = if location.is_dir() {
        location.to_path_buf()
    } else {
        location.parent().unwrap_or(location).to_path_buf()
    };
    let rel = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    let format = FileFormat::of(&first.path).ok_or("unknown format")?;
    let keys: Vec<String> = first.partitions.iter().map(|(k, _)| k.clone()).collect();
    let mut columns: Vec<(String, String)> = vec![];
    let mut first_file: Option<String> = None;
    for (i, f) in files.iter().enumerate() {
        let shown = rel(&f.path);
        if FileFormat::of(&f.path) != Some(format) {
            return Err(format!(
                "file {shown} is not {} like {}: a table holds one format",
                format.as_str(),
                rel(&first.path)
            ));
        }
        let these: Vec<&String> = f.partitions.iter().map(|(k, _)| k).collect();
        if these != keys.iter().collect::<Vec<_>>() {
            return Err(format!(
                "file {shown} is under partitions ({}) where {} is under ({})",
                these
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                rel(&first.path),
                keys.join(", ")
            ));
        }
        let read = match format {
            FileFormat::Parquet => parquet_schema::columns(&f.path),
            // Every CSV header is checked; values are sampled from the first files only.
            FileFormat::Csv => infer::csv_columns(&f.path, i < infer::SAMPLED_FILES),
            FileFormat::Json => {
                if i < infer::SAMPLED_FILES {
                    infer::json_columns(&f.path)
                } else {
                    continue;
                }
            }
        }
        .map_err(|e| format!("file {shown}: {e}"))?;
        match &first_file {
            None => {
                columns = read;
                first_file = Some(shown);
            }
            Some(earlier) => {
                columns = merge(format, &columns, read)
                    .map_err(|e| format!("file {shown} does not match {earlier}: {e}"))?;
            }
        }
    }
    if columns.is_empty() {
        return Err(format!("file {} has no columns", rel(&first.path)));
    }
    let mut out: Vec<DiscoveredColumn> = columns
        .into_iter()
        .map(|(name, data_type)| DiscoveredColumn {
            name,
            data_type,
            is_partition: false,
            description: None,
        })
        .collect();
    for (i, key) in keys.iter().enumerate() {
        if out.iter().any(|c| c.name.eq_ignore_ascii_case(key)) {
            return Err(format!("partition key {key} is also a column of the files"));
        }
        let values = files.iter().map(|f| f.partitions[i].1.as_str());
        out.push(DiscoveredColumn {
            name: key.clone(),
            data_type: infer::partition_type(values),
            is_partition: true,
            description: None,
        });
    }
    let mut properties = serde_json::json!({ "classification": format.as_str() });
    if format == FileFormat::Csv {
        properties["delimiter"] = serde_json::json!(",");
        properties["skip.header.line.count"] = serde_json::json!("1");
    }
    let absolute = fs::canonicalize(location).unwrap_or_else(|_| location.to_path_buf());
    Ok(DiscoveredTable {
        glue_name,
        location: format!("file://{}", absolute.display()),
        format: format.as_str().to_owned(),
        properties,
        description: None,
        columns: out,
    })
}

/// The columns of a table from two of its files.
fn merge(
    format: FileFormat,
    have: &[(String, String)],
    next: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, String> {
    match format {
        FileFormat::Parquet => {
            if have == next.as_slice() {
                Ok(next)
            } else {
                let a: Vec<String> = have.iter().map(|(n, t)| format!("{n} {t}")).collect();
                let b: Vec<String> = next.iter().map(|(n, t)| format!("{n} {t}")).collect();
                Err(format!(
                    "its columns are ({}), not ({})",
                    b.join(", "),
                    a.join(", ")
                ))
            }
        }
        FileFormat::Csv => {
            let names_a: Vec<&String> = have.iter().map(|(n, _)| n).collect();
            let names_b: Vec<&String> = next.iter().map(|(n, _)| n).collect();
            if names_a != names_b {
                return Err(format!(
                    "its header is ({}), not ({})",
                    names_b
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    names_a
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Ok(have
                .iter()
                .zip(next)
                .map(|((n, a), (_, b))| (n.clone(), widen(a, &b)))
                .collect())
        }
        FileFormat::Json => {
            let mut out: Vec<(String, String)> = have.to_vec();
            for (n, t) in next {
                match out.iter_mut().find(|(m, _)| *m == n) {
                    Some((_, old)) => *old = widen(old, &t),
                    None => out.push((n, t)),
                }
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests;
