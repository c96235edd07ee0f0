//! The first rows of a table, read from its files: what `previewTable` shows. Values are
//! matched to the catalog's columns by name and typed by the catalog's types; partition
//! columns take their folder's value. Only as many rows as asked are read (plus one, to say
//! whether there are more), file by file in name order.

use std::fs::File;
use std::path::{Path, PathBuf};

use lakecat_core::lake::{TablePreview, typed_text};
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value;

use crate::{FileFormat, TableFile, collect};

/// A catalog column to fill: its name, its type, whether it is a partition key.
pub struct Wanted<'a> {
    pub name: &'a str,
    pub data_type: &'a str,
    pub is_partition: bool,
}

/// The folder or file of a `file://` location.
pub fn location_path(location: &str) -> Result<PathBuf, String> {
    location
        .strip_prefix("file://")
        .map(PathBuf::from)
        .ok_or_else(|| format!("{location} is not in the local lake (a file:// location)"))
}

/// Up to `limit` rows of the table at `location`.
pub fn preview(
    location: &Path,
    columns: &[Wanted<'_>],
    limit: usize,
) -> Result<TablePreview, String> {
    let (files, root) = table_files(location)?;
    let mut rows: Vec<Vec<Value>> = vec![];
    let mut more = false;
    let mut files_read = 0;
    for f in &files {
        if rows.len() > limit {
            break;
        }
        files_read += 1;
        let shown = f
            .path
            .strip_prefix(&root)
            .unwrap_or(&f.path)
            .display()
            .to_string();
        let want = limit + 1 - rows.len();
        let objects = match FileFormat::of(&f.path) {
            Some(FileFormat::Parquet) => parquet_rows(&f.path, want),
            Some(FileFormat::Csv) => csv_rows(&f.path, columns, want),
            Some(FileFormat::Json) => crate::infer::json_objects(&f.path, want),
            None => Err("not .parquet, .csv, .json, .jsonl or .ndjson".into()),
        }
        .map_err(|e| format!("file {shown}: {e}"))?;
        for object in objects {
            rows.push(
                columns
                    .iter()
                    .map(|c| {
                        if c.is_partition {
                            f.partitions
                                .iter()
                                .find(|(k, _)| k.eq_ignore_ascii_case(c.name))
                                .map(|(_, v)| typed_text(v, c.data_type))
                                .unwrap_or(Value::Null)
                        } else {
                            field(&object, c.name)
                        }
                    })
                    .collect(),
            );
        }
    }
    if rows.len() > limit {
        rows.truncate(limit);
        more = true;
    }
    Ok(TablePreview {
        columns: columns
            .iter()
            .map(|c| (c.name.to_owned(), c.data_type.to_owned()))
            .collect(),
        rows,
        more,
        files_read,
        query_id: None,
    })
}

/// A table's data files in name order (a single file, or a folder's files with their
/// partitions), and the folder their paths are shown relative to.
pub(crate) fn table_files(location: &Path) -> Result<(Vec<TableFile>, PathBuf), String> {
    let files = if location.is_file() {
        vec![TableFile {
            path: location.to_path_buf(),
            partitions: vec![],
        }]
    } else if location.is_dir() {
        let mut files = vec![];
        collect(location, location, &mut vec![], &mut files)?;
        files
    } else {
        return Err(format!(
            "{} does not exist any more: sync the dataset's tables",
            location.display()
        ));
    };
    let root = if location.is_dir() {
        location.to_path_buf()
    } else {
        location.parent().unwrap_or(location).to_path_buf()
    };
    Ok((files, root))
}

/// A value of a row by column name (exact, else ignoring case as Glue does).
fn field(object: &serde_json::Map<String, Value>, name: &str) -> Value {
    object
        .get(name)
        .or_else(|| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .cloned()
        .unwrap_or(Value::Null)
}

fn csv_rows(
    path: &Path,
    columns: &[Wanted<'_>],
    want: usize,
) -> Result<Vec<serde_json::Map<String, Value>>, String> {
    let (mut reader, header) = crate::infer::open_csv(path)?;
    let mut out = vec![];
    for record in reader.records().take(want) {
        let record = record.map_err(|e| e.to_string())?;
        let mut object = serde_json::Map::new();
        for (h, v) in header.iter().zip(record.iter()) {
            let t = columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(h))
                .map(|c| c.data_type)
                .unwrap_or("string");
            object.insert(h.clone(), typed_text(v, t));
        }
        out.push(object);
    }
    Ok(out)
}

fn parquet_rows(path: &Path, want: usize) -> Result<Vec<serde_json::Map<String, Value>>, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let reader = SerializedFileReader::new(file).map_err(|e| format!("not a Parquet file: {e}"))?;
    let mut out = vec![];
    for row in reader
        .get_row_iter(None)
        .map_err(|e| e.to_string())?
        .take(want)
    {
        let row = row.map_err(|e| e.to_string())?;
        match row.to_json_value() {
            Value::Object(map) => out.push(map),
            other => return Err(format!("a row that is not a record: {other}")),
        }
    }
    Ok(out)
}
