//! Types from values: a CSV file's header and first rows, a JSON-lines file's first lines,
//! partition folder values. The names are Glue's, and a column's type is the narrowest that
//! holds every sampled value (`bigint` and `double` widen to `double`, `date` and `timestamp`
//! to `timestamp`, anything else that disagrees to `string`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Rows (CSV) or lines (JSON) read per file to infer types.
pub const SAMPLE_ROWS: usize = 1000;
/// Files of a table whose values are sampled; the others' headers are still checked (CSV).
pub const SAMPLED_FILES: usize = 8;

/// No value seen yet (only empty cells or nulls).
const UNKNOWN: &str = "null";

/// The narrowest type holding both.
pub fn widen(a: &str, b: &str) -> String {
    match (a, b) {
        _ if a == b => a.to_owned(),
        (UNKNOWN, x) | (x, UNKNOWN) => x.to_owned(),
        ("bigint", "double") | ("double", "bigint") => "double".into(),
        ("date", "timestamp") | ("timestamp", "date") => "timestamp".into(),
        _ => "string".into(),
    }
}

fn finish(t: String) -> String {
    if t == UNKNOWN { "string".into() } else { t }
}

/// The type of one text value (a CSV cell, a partition value); None for an empty one.
fn text_type(v: &str) -> Option<&'static str> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    if v.parse::<i64>().is_ok() {
        return Some("bigint");
    }
    if v.bytes().any(|b| b.is_ascii_digit()) && v.parse::<f64>().is_ok_and(f64::is_finite) {
        return Some("double");
    }
    if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
        return Some("boolean");
    }
    if NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok() {
        return Some("date");
    }
    if DateTime::parse_from_rfc3339(v).is_ok()
        || NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S%.f").is_ok()
        || NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
    {
        return Some("timestamp");
    }
    Some("string")
}

/// A partition key's type from its folders' values (Hive's null partition aside).
pub fn partition_type<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut t = UNKNOWN.to_owned();
    for v in values.filter(|v| *v != "__HIVE_DEFAULT_PARTITION__") {
        let this = match text_type(v) {
            // Partition values are compared as text by engines unless typed: only the
            // unambiguous integer and date forms are typed.
            Some(x @ ("bigint" | "date")) => x,
            Some(_) => "string",
            None => continue,
        };
        t = widen(&t, this);
    }
    finish(t)
}

/// A CSV file's columns: its header, and types from its first [`SAMPLE_ROWS`] rows when
/// `sample` (else `string` placeholders, widened by the sampled files).
pub fn csv_columns(path: &Path, sample: bool) -> Result<Vec<(String, String)>, String> {
    let (mut reader, header) = open_csv(path)?;
    let mut types: Vec<String> = vec![UNKNOWN.to_owned(); header.len()];
    if sample {
        for record in reader.records().take(SAMPLE_ROWS) {
            let record = record.map_err(|e| e.to_string())?;
            for (t, v) in types.iter_mut().zip(record.iter()) {
                if let Some(this) = text_type(v) {
                    *t = widen(t, this);
                }
            }
        }
    }
    Ok(header
        .into_iter()
        .zip(types)
        .map(|(h, t)| (h, if sample { finish(t) } else { t }))
        .collect())
}

/// A CSV file opened past its header (names trimmed; an empty or repeated name refused).
pub(crate) fn open_csv(path: &Path) -> Result<(csv::Reader<File>, Vec<String>), String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_path(path)
        .map_err(|e| e.to_string())?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("not a CSV file: {e}"))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if header.is_empty() || header.iter().all(String::is_empty) {
        return Err("no header row".into());
    }
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            return Err(format!("column {} of the header has no name", i + 1));
        }
        if header[..i].contains(h) {
            return Err(format!("column {h} appears twice in the header"));
        }
    }
    Ok((reader, header))
}

/// A JSON value's type (`null` until a value is seen).
fn json_type(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => UNKNOWN.into(),
        Value::Bool(_) => "boolean".into(),
        Value::Number(n) if n.is_i64() || n.is_u64() => "bigint".into(),
        Value::Number(_) => "double".into(),
        Value::String(_) => "string".into(),
        Value::Array(items) => {
            let t = items
                .iter()
                .fold(UNKNOWN.to_owned(), |t, v| widen(&t, &json_type(v)));
            format!("array<{}>", finish(t))
        }
        Value::Object(map) => format!(
            "struct<{}>",
            map.iter()
                .map(|(k, v)| format!("{k}:{}", finish(json_type(v))))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// A JSON-lines file's columns: the keys of its first [`SAMPLE_ROWS`] objects in the order
/// first seen, typed by their values.
pub fn json_columns(path: &Path) -> Result<Vec<(String, String)>, String> {
    let objects = json_objects(path, SAMPLE_ROWS)?;
    if objects.is_empty() {
        return Err("no JSON object in the file".into());
    }
    let mut columns: Vec<(String, String)> = vec![];
    for map in &objects {
        for (k, v) in map {
            let t = json_type(v);
            match columns.iter_mut().find(|(n, _)| n == k) {
                Some((_, old)) => *old = widen(old, &t),
                None => columns.push((k.clone(), t)),
            }
        }
    }
    Ok(columns.into_iter().map(|(n, t)| (n, finish(t))).collect())
}

/// The first `limit` objects of a JSON-lines file (blank lines skipped); a line that is not a
/// JSON object is an error naming it.
pub(crate) fn json_objects(
    path: &Path,
    limit: usize,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, String> {
    let mut out = vec![];
    if limit == 0 {
        return Ok(out);
    }
    each_json_object(path, |object| {
        out.push(object);
        out.len() < limit
    })?;
    Ok(out)
}

/// Hands the objects of a JSON-lines file to `each` in order (blank lines skipped) until it
/// returns false or the file ends; a line that is not a JSON object is an error naming it.
pub(crate) fn each_json_object(
    path: &Path,
    mut each: impl FnMut(serde_json::Map<String, serde_json::Value>) -> bool,
) -> Result<(), String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| format!("line {}: {e}", i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(map)) => {
                if !each(map) {
                    break;
                }
            }
            Ok(_) => return Err(format!("line {}: not a JSON object", i + 1)),
            Err(e) => return Err(format!("line {}: not JSON: {e}", i + 1)),
        }
    }
    Ok(())
}
