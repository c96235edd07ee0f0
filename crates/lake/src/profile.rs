//! Per-column statistics of a table, read from every row of its files: what `profileTable`
//! shows. Columns are matched to the files by name and, for CSV, JSON lines and partition
//! folders, typed by the catalog's types as in a preview; Parquet values keep the types of the
//! file's own schema (dates and timestamps as ISO text, decimals as numbers).
//!
//! Parquet is read through its column readers, one wanted column chunk at a time, never row
//! by row; CSV and JSON-lines files record by record. Row groups (Parquet) and files (CSV,
//! JSON lines) are spread over the machine's cores, each with its own statistics, merged at
//! the end. Memory stays bounded: a few batches of values per core, a 16 KiB HyperLogLog
//! sketch and at most [`TOP_VALUES_MAX_DISTINCT`] exact counts per column.
//!
//! Histograms need a column's range before its values: it comes from the Parquet footers'
//! statistics when every row group has them, and from the folder names for partition
//! columns; otherwise (CSV, JSON lines, Parquet without statistics) a second pass reads the
//! numeric columns again.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use lakecat_core::lake::{
    ColumnStats, HISTOGRAM_BUCKETS, HistogramBucket, TOP_VALUES, TOP_VALUES_MAX_DISTINCT,
    TableProfile, ValueCount,
};
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::DataType;
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::statistics::Statistics;
use parquet::schema::types::{ColumnDescriptor, SchemaDescriptor};
use serde_json::{Map, Value};

use crate::preview::{Wanted, table_files};
use crate::{FileFormat, TableFile};

/// Values read from a Parquet column chunk at a time.
const BATCH: usize = 8192;
/// Reader threads at most, whatever the machine has.
const MAX_THREADS: usize = 8;

/// Statistics of every wanted column of the table at `location` (a folder or a single file),
/// from all its rows.
///
/// Every column gets its nulls; flat columns also get their distinct values (exact up to
/// [`TOP_VALUES_MAX_DISTINCT`], then a HyperLogLog estimate), smallest and largest values and,
/// when few enough, their most frequent values; numeric columns (integers, floating point,
/// decimals) get a histogram. Nested columns (Parquet groups, lists and maps; `struct`,
/// `array` and `map` columns of JSON lines) get their nulls only: no distinct count, range or
/// top values. A file that cannot be read fails the profile, naming the file.
pub fn profile(location: &Path, columns: &[Wanted<'_>]) -> Result<TableProfile, String> {
    let table = Table::plan(location, columns)?;
    let mut template: Vec<Acc> = table
        .reprs
        .iter()
        .zip(&table.bounds)
        .map(|(repr, bounds)| {
            let mut acc = Acc::new(*repr, Mode::Full);
            if let Some(b) = bounds {
                acc.hist = Some(Hist::new(b.lo, b.hi));
            }
            acc
        })
        .collect();
    let (mut accs, rows) = table.scan(&template)?;
    // Histograms whose range was not known beforehand (or not the one foreseen) are counted
    // by a second pass over the numeric columns alone.
    let mut again = false;
    for ((acc, t), bounds) in accs.iter_mut().zip(template.iter_mut()).zip(&table.bounds) {
        let range = acc.range.numeric();
        let known = acc
            .hist
            .as_ref()
            .is_some_and(|h| range == Some((h.lo, h.hi)));
        if known {
            acc.footer |= bounds.as_ref().is_some_and(|b| b.footer);
        } else {
            acc.hist = None;
        }
        *t = match range {
            Some((lo, hi)) if acc.repr.numeric() && !known => {
                again = true;
                let mut only = Acc::new(acc.repr, Mode::Histogram);
                only.hist = Some(Hist::new(lo, hi));
                only
            }
            _ => Acc::new(acc.repr, Mode::Skip),
        };
    }
    if again {
        let (second, _) = table.scan(&template)?;
        for (acc, counted) in accs.iter_mut().zip(second) {
            if counted.mode == Mode::Histogram {
                acc.hist = counted.hist;
            }
        }
    }
    let footer = accs.iter().any(|a| a.footer);
    Ok(TableProfile {
        row_count: rows,
        rows_scanned: rows,
        files_read: table.files.len() as u64,
        method: if footer {
            "files + Parquet statistics".into()
        } else {
            "files".into()
        },
        columns: columns
            .iter()
            .zip(accs)
            .map(|(c, acc)| acc.finish(c.name))
            .collect(),
    })
}

/// What a profile reads: the table's files, how each wanted column is found in each Parquet
/// file, and the units of work (a Parquet row group, a CSV or JSON-lines file).
struct Table<'a> {
    root: PathBuf,
    files: Vec<TableFile>,
    columns: &'a [Wanted<'a>],
    /// Per file (empty for CSV and JSON lines), per wanted column.
    sources: Vec<Vec<Source>>,
    /// Per wanted column: how its values are held.
    reprs: Vec<Repr>,
    /// Per wanted numeric column: its range when known before reading.
    bounds: Vec<Option<Bounds>>,
    units: Vec<Unit>,
}

/// A numeric column's range foreseen: from the Parquet footers when every row group has
/// statistics, or from the partition folders' values.
struct Bounds {
    lo: f64,
    hi: f64,
    /// Whether they are the footers'.
    footer: bool,
}

/// A unit of work: a row group of a Parquet file, or a whole CSV or JSON-lines file.
struct Unit {
    file: usize,
    row_group: Option<usize>,
}

/// Where a wanted column is in a Parquet file.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// Not in the file: null in all its rows.
    Missing,
    /// A primitive top-level column, not repeated.
    Flat { leaf: usize, decode: Decode },
    /// A group, list, map or repeated field: `leaf` is its first primitive column, and a
    /// row's value is absent below definition level `top_def`.
    Nested { leaf: usize, top_def: i16 },
}

/// What the footers say of one column across a table's files, for a histogram's range.
#[derive(Debug, Clone, Copy)]
enum Footer {
    /// Every column chunk so far is all nulls.
    Nothing,
    Bounds(f64, f64),
    /// A chunk without usable statistics.
    Unknown,
}

impl Footer {
    /// What two sets of chunks say together.
    fn and(self, other: Footer) -> Footer {
        match (self, other) {
            (Footer::Unknown, _) | (_, Footer::Unknown) => Footer::Unknown,
            (f, Footer::Nothing) | (Footer::Nothing, f) => f,
            (Footer::Bounds(a, b), Footer::Bounds(c, d)) => Footer::Bounds(a.min(c), b.max(d)),
        }
    }
}

impl<'a> Table<'a> {
    /// Lists the files, reads the Parquet footers (schemas, row groups, statistics).
    fn plan(location: &Path, columns: &'a [Wanted<'a>]) -> Result<Table<'a>, String> {
        let (files, root) = table_files(location)?;
        let mut table = Table {
            root,
            files,
            columns,
            sources: vec![],
            reprs: columns
                .iter()
                .map(|c| Repr::of_catalog(c.data_type))
                .collect(),
            bounds: columns.iter().map(|_| None).collect(),
            units: vec![],
        };
        let mut footers: Vec<Footer> = columns.iter().map(|_| Footer::Nothing).collect();
        // The Parquet file each column's representation was taken from, to name on a mismatch.
        let mut first: Vec<Option<usize>> = vec![None; columns.len()];
        for i in 0..table.files.len() {
            let path = table.files[i].path.clone();
            match FileFormat::of(&path) {
                Some(FileFormat::Parquet) => {
                    let shown = table.shown(i);
                    let (reader, sources) =
                        open_parquet(&path, columns).map_err(|e| format!("file {shown}: {e}"))?;
                    let meta = reader.metadata();
                    for (c, source) in sources.iter().enumerate() {
                        if columns[c].is_partition {
                            continue;
                        }
                        let (repr, flat) = match *source {
                            Source::Missing => continue,
                            Source::Flat { leaf, decode } => (decode.repr(), Some((leaf, decode))),
                            Source::Nested { .. } => (Repr::Nested, None),
                        };
                        match first[c] {
                            None => {
                                table.reprs[c] = repr;
                                first[c] = Some(i);
                            }
                            Some(f) if !table.reprs[c].same(repr) => {
                                return Err(format!(
                                    "file {shown}: column {} holds {} where {} holds {}",
                                    columns[c].name,
                                    repr.describe(),
                                    table.shown(f),
                                    table.reprs[c].describe()
                                ));
                            }
                            Some(_) => {}
                        }
                        let Some((leaf, decode)) = flat else {
                            footers[c] = Footer::Unknown;
                            continue;
                        };
                        for group in meta.row_groups() {
                            footers[c] = footers[c].and(chunk_footer(group.column(leaf), decode));
                        }
                    }
                    for g in 0..reader.num_row_groups() {
                        table.units.push(Unit {
                            file: i,
                            row_group: Some(g),
                        });
                    }
                    table.sources.push(sources);
                }
                Some(FileFormat::Csv | FileFormat::Json) => {
                    for (c, col) in columns.iter().enumerate() {
                        if !col.is_partition {
                            footers[c] = Footer::Unknown;
                        }
                    }
                    table.units.push(Unit {
                        file: i,
                        row_group: None,
                    });
                    table.sources.push(vec![]);
                }
                None => {
                    return Err(format!(
                        "file {} is not .parquet, .csv, .json, .jsonl or .ndjson",
                        table.shown(i)
                    ));
                }
            }
        }
        for (c, col) in columns.iter().enumerate() {
            if !table.reprs[c].numeric() {
                continue;
            }
            let footer = !col.is_partition;
            if col.is_partition {
                footers[c] = table
                    .files
                    .iter()
                    .filter_map(|f| {
                        let (_, v) = f
                            .partitions
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(col.name))?;
                        text_number(table.reprs[c], v).map(|x| Footer::Bounds(x, x))
                    })
                    .fold(Footer::Nothing, Footer::and);
            }
            if let Footer::Bounds(lo, hi) = footers[c] {
                table.bounds[c] = Some(Bounds { lo, hi, footer });
            }
        }
        Ok(table)
    }

    /// A file's path as shown in errors: relative to the table's folder.
    fn shown(&self, file: usize) -> String {
        let path = &self.files[file].path;
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Reads every unit into copies of `template`, on as many threads as the machine has
    /// cores; returns the merged statistics and the rows read.
    fn scan(&self, template: &[Acc]) -> Result<(Vec<Acc>, u64), String> {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .clamp(1, MAX_THREADS)
            .min(self.units.len())
            .max(1);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let results: Vec<_> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| s.spawn(|| self.work(template, &next, &stop)))
                .collect();
            workers.into_iter().map(|w| w.join()).collect()
        });
        let mut merged: Option<(Vec<Acc>, u64)> = None;
        let mut failure: Option<(usize, String)> = None;
        for result in results {
            match result {
                Ok(Ok((accs, rows))) => match merged.as_mut() {
                    None => merged = Some((accs, rows)),
                    Some((all, total)) => {
                        for (a, b) in all.iter_mut().zip(accs) {
                            a.merge(b);
                        }
                        *total += rows;
                    }
                },
                Ok(Err((unit, reason))) => {
                    if failure.as_ref().is_none_or(|(u, _)| unit < *u) {
                        failure = Some((unit, reason));
                    }
                }
                Err(_) => {
                    if failure.is_none() {
                        failure = Some((usize::MAX, "a reader thread stopped".into()));
                    }
                }
            }
        }
        match (failure, merged) {
            (Some((_, reason)), _) => Err(reason),
            (None, Some(done)) => Ok(done),
            (None, None) => Ok((template.to_vec(), 0)),
        }
    }

    /// One thread's share: units taken in turn until none is left or one fails.
    fn work(
        &self,
        template: &[Acc],
        next: &AtomicUsize,
        stop: &AtomicBool,
    ) -> Result<(Vec<Acc>, u64), (usize, String)> {
        let mut accs = template.to_vec();
        let mut open: Option<(usize, SerializedFileReader<File>)> = None;
        let mut rows = 0;
        while !stop.load(Ordering::Relaxed) {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(unit) = self.units.get(i) else {
                break;
            };
            match self.read_unit(unit, &mut accs, &mut open) {
                Ok(n) => rows += n,
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err((i, format!("file {}: {e}", self.shown(unit.file))));
                }
            }
        }
        Ok((accs, rows))
    }

    /// Reads one unit into `accs`; returns its rows. `open` keeps the last Parquet file open
    /// for the thread's next row group.
    fn read_unit(
        &self,
        unit: &Unit,
        accs: &mut [Acc],
        open: &mut Option<(usize, SerializedFileReader<File>)>,
    ) -> Result<u64, String> {
        let file = &self.files[unit.file];
        let rows = match unit.row_group {
            Some(group) => {
                if !matches!(open, Some((f, _)) if *f == unit.file) {
                    let file = File::open(&file.path).map_err(|e| e.to_string())?;
                    let reader = SerializedFileReader::new(file)
                        .map_err(|e| format!("not a Parquet file: {e}"))?;
                    *open = Some((unit.file, reader));
                }
                let Some((_, reader)) = open.as_ref() else {
                    return Err("the file is not open".into());
                };
                row_group(reader, group, &self.sources[unit.file], self.columns, accs)?
            }
            None => match FileFormat::of(&file.path) {
                Some(FileFormat::Json) => json_file(&file.path, self.columns, accs)?,
                _ => csv_file(&file.path, self.columns, accs)?,
            },
        };
        if rows > 0 {
            for (c, acc) in self.columns.iter().zip(accs.iter_mut()) {
                if !c.is_partition || acc.mode == Mode::Skip {
                    continue;
                }
                match file
                    .partitions
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(c.name))
                {
                    Some((_, v)) => add_text(acc, v, rows),
                    None => acc.null(rows),
                }
            }
        }
        Ok(rows)
    }
}

/// A Parquet file's reader and where each wanted column is in it.
fn open_parquet(
    path: &Path,
    columns: &[Wanted<'_>],
) -> Result<(SerializedFileReader<File>, Vec<Source>), String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let reader = SerializedFileReader::new(file).map_err(|e| format!("not a Parquet file: {e}"))?;
    let schema = reader.metadata().file_metadata().schema_descr();
    let sources = columns
        .iter()
        .map(|c| {
            if c.is_partition {
                Source::Missing
            } else {
                source(schema, c.name)
            }
        })
        .collect();
    Ok((reader, sources))
}

/// Where a top-level column is (exact name, else ignoring case as Glue does).
fn source(schema: &SchemaDescriptor, name: &str) -> Source {
    let fields = schema.root_schema().get_fields();
    let Some(root) = fields.iter().position(|f| f.name() == name).or_else(|| {
        fields
            .iter()
            .position(|f| f.name().eq_ignore_ascii_case(name))
    }) else {
        return Source::Missing;
    };
    let Some(leaf) = (0..schema.num_columns()).find(|&i| schema.get_column_root_idx(i) == root)
    else {
        return Source::Missing;
    };
    let info = fields[root].get_basic_info();
    let repetition = if info.has_repetition() {
        info.repetition()
    } else {
        Repetition::REQUIRED
    };
    if fields[root].is_primitive() && repetition != Repetition::REPEATED {
        Source::Flat {
            leaf,
            decode: Decode::of(&schema.column(leaf)),
        }
    } else {
        Source::Nested {
            leaf,
            top_def: i16::from(repetition != Repetition::REQUIRED),
        }
    }
}

/// Reads one row group's wanted columns into `accs`; returns its rows.
fn row_group(
    reader: &SerializedFileReader<File>,
    group: usize,
    sources: &[Source],
    columns: &[Wanted<'_>],
    accs: &mut [Acc],
) -> Result<u64, String> {
    let group = reader.get_row_group(group).map_err(|e| e.to_string())?;
    let rows = u64::try_from(group.metadata().num_rows()).unwrap_or(0);
    for ((source, acc), c) in sources.iter().zip(accs.iter_mut()).zip(columns) {
        if c.is_partition || acc.mode == Mode::Skip {
            continue;
        }
        let column = |e: parquet::errors::ParquetError| format!("column {}: {e}", c.name);
        match *source {
            Source::Missing => acc.null(rows),
            Source::Flat { leaf, decode } => {
                if let Footer::Nothing = chunk_footer(group.metadata().column(leaf), decode) {
                    acc.null(rows);
                    acc.footer = true;
                    continue;
                }
                let reader = group.get_column_reader(leaf).map_err(column)?;
                read_flat(reader, decode, acc).map_err(column)?;
            }
            Source::Nested { leaf, top_def } => {
                if acc.mode != Mode::Full {
                    continue;
                }
                let reader = group.get_column_reader(leaf).map_err(column)?;
                let nulls = nested_nulls(reader, top_def).map_err(column)?;
                acc.null(nulls);
                acc.present(rows.saturating_sub(nulls));
            }
        }
    }
    Ok(rows)
}

/// Every value of a flat column chunk, converted as `decode` says.
fn read_flat(reader: ColumnReader, decode: Decode, acc: &mut Acc) -> parquet::errors::Result<()> {
    use ColumnReader as R;
    let scale = match decode {
        Decode::Decimal { scale } => 10f64.powi(scale),
        _ => 1.0,
    };
    match (reader, decode) {
        (R::BoolColumnReader(r), _) => values(r, acc, |a, v| a.int(i128::from(*v), 1)),
        (R::Int32ColumnReader(r), Decode::Decimal { .. }) => {
            values(r, acc, |a, v| a.float(f64::from(*v) / scale, 1))
        }
        (R::Int32ColumnReader(r), Decode::Int { unsigned: true }) => {
            values(r, acc, |a, v| a.int(i128::from(*v as u32), 1))
        }
        (R::Int32ColumnReader(r), _) => values(r, acc, |a, v| a.int(i128::from(*v), 1)),
        (R::Int64ColumnReader(r), Decode::Decimal { .. }) => {
            values(r, acc, |a, v| a.float(*v as f64 / scale, 1))
        }
        (R::Int64ColumnReader(r), Decode::Int { unsigned: true }) => {
            values(r, acc, |a, v| a.int(i128::from(*v as u64), 1))
        }
        (R::Int64ColumnReader(r), Decode::Timestamp { nanos, .. }) => {
            let nanos = i128::from(nanos);
            values(r, acc, |a, v| a.int(i128::from(*v) * nanos, 1))
        }
        (R::Int64ColumnReader(r), _) => values(r, acc, |a, v| a.int(i128::from(*v), 1)),
        (R::Int96ColumnReader(r), _) => values(r, acc, |a, v| a.int(i128::from(v.to_nanos()), 1)),
        (R::FloatColumnReader(r), _) => values(r, acc, |a, v| a.float(f64::from(*v), 1)),
        (R::DoubleColumnReader(r), _) => values(r, acc, |a, v| a.float(*v, 1)),
        (R::ByteArrayColumnReader(r), Decode::Decimal { .. }) => {
            values(r, acc, |a, v| a.float(be_decimal(v.data()) / scale, 1))
        }
        (R::ByteArrayColumnReader(r), _) => values(r, acc, |a, v| a.bytes(v.data(), 1)),
        (R::FixedLenByteArrayColumnReader(r), Decode::Decimal { .. }) => {
            values(r, acc, |a, v| a.float(be_decimal(v.data()) / scale, 1))
        }
        (R::FixedLenByteArrayColumnReader(r), _) => values(r, acc, |a, v| a.bytes(v.data(), 1)),
    }
}

/// Reads a flat column chunk in batches: its nulls counted from the definition levels, each
/// value handed to `add`.
fn values<T: DataType>(
    mut reader: ColumnReaderImpl<T>,
    acc: &mut Acc,
    mut add: impl FnMut(&mut Acc, &T::T),
) -> parquet::errors::Result<()> {
    let mut values: Vec<T::T> = Vec::with_capacity(BATCH);
    let mut defs: Vec<i16> = Vec::with_capacity(BATCH);
    loop {
        values.clear();
        defs.clear();
        let (_, read, levels) = reader.read_records(BATCH, Some(&mut defs), None, &mut values)?;
        if levels == 0 {
            return Ok(());
        }
        acc.null((levels - read) as u64);
        for v in &values {
            add(acc, v);
        }
    }
}

/// The rows of a column chunk whose nested column is null (or an empty repeated field):
/// their first level is defined below `top_def`.
fn nested_nulls(reader: ColumnReader, top_def: i16) -> parquet::errors::Result<u64> {
    fn count<T: DataType>(
        mut reader: ColumnReaderImpl<T>,
        top_def: i16,
    ) -> parquet::errors::Result<u64> {
        let mut values: Vec<T::T> = Vec::with_capacity(BATCH);
        let mut defs: Vec<i16> = Vec::with_capacity(BATCH);
        let mut reps: Vec<i16> = Vec::with_capacity(BATCH);
        let mut nulls = 0;
        loop {
            values.clear();
            defs.clear();
            reps.clear();
            let (_, _, levels) =
                reader.read_records(BATCH, Some(&mut defs), Some(&mut reps), &mut values)?;
            if levels == 0 {
                return Ok(nulls);
            }
            if top_def == 0 || defs.is_empty() {
                continue;
            }
            nulls += if reps.is_empty() {
                defs.iter().filter(|d| **d < top_def).count()
            } else {
                reps.iter()
                    .zip(&defs)
                    .filter(|(r, d)| **r == 0 && **d < top_def)
                    .count()
            } as u64;
        }
    }
    use ColumnReader as R;
    match reader {
        R::BoolColumnReader(r) => count(r, top_def),
        R::Int32ColumnReader(r) => count(r, top_def),
        R::Int64ColumnReader(r) => count(r, top_def),
        R::Int96ColumnReader(r) => count(r, top_def),
        R::FloatColumnReader(r) => count(r, top_def),
        R::DoubleColumnReader(r) => count(r, top_def),
        R::ByteArrayColumnReader(r) => count(r, top_def),
        R::FixedLenByteArrayColumnReader(r) => count(r, top_def),
    }
}

/// What a column chunk's statistics say of its range, for a histogram.
fn chunk_footer(chunk: &ColumnChunkMetaData, decode: Decode) -> Footer {
    let Some(stats) = chunk.statistics() else {
        return Footer::Unknown;
    };
    if u64::try_from(chunk.num_values()).is_ok_and(|n| stats.null_count_opt() == Some(n)) {
        return Footer::Nothing;
    }
    let scale = |v: f64| match decode {
        Decode::Decimal { scale } => v / 10f64.powi(scale),
        _ => v,
    };
    // Statistics written before `min_value` and `max_value` are ordered as signed numbers
    // (bytes as unsigned): right for signed integers and floating point only.
    let signed = !matches!(
        (stats, decode),
        (_, Decode::Int { unsigned: true })
            | (
                Statistics::ByteArray(_) | Statistics::FixedLenByteArray(_),
                _
            )
    );
    if stats.is_min_max_deprecated() && !signed {
        return Footer::Unknown;
    }
    let pair = match (stats, decode) {
        (Statistics::Int32(s), Decode::Int { unsigned }) => {
            s.min_opt().zip(s.max_opt()).map(|(a, b)| match unsigned {
                true => (f64::from(*a as u32), f64::from(*b as u32)),
                false => (f64::from(*a), f64::from(*b)),
            })
        }
        (Statistics::Int64(s), Decode::Int { unsigned }) => {
            s.min_opt().zip(s.max_opt()).map(|(a, b)| match unsigned {
                true => (*a as u64 as f64, *b as u64 as f64),
                false => (*a as f64, *b as f64),
            })
        }
        (Statistics::Int32(s), Decode::Decimal { .. }) => s
            .min_opt()
            .zip(s.max_opt())
            .map(|(a, b)| (scale(f64::from(*a)), scale(f64::from(*b)))),
        (Statistics::Int64(s), Decode::Decimal { .. }) => s
            .min_opt()
            .zip(s.max_opt())
            .map(|(a, b)| (scale(*a as f64), scale(*b as f64))),
        (Statistics::FixedLenByteArray(s), Decode::Decimal { .. }) => s
            .min_opt()
            .zip(s.max_opt())
            .map(|(a, b)| (scale(be_decimal(a.data())), scale(be_decimal(b.data())))),
        (Statistics::ByteArray(s), Decode::Decimal { .. }) => s
            .min_opt()
            .zip(s.max_opt())
            .map(|(a, b)| (scale(be_decimal(a.data())), scale(be_decimal(b.data())))),
        (Statistics::Float(s), Decode::Float { .. }) => s
            .min_opt()
            .zip(s.max_opt())
            .map(|(a, b)| (f64::from(*a), f64::from(*b))),
        (Statistics::Double(s), Decode::Float { .. }) => {
            s.min_opt().zip(s.max_opt()).map(|(a, b)| (*a, *b))
        }
        _ => None,
    };
    match pair {
        // Also refuses NaN bounds.
        Some((lo, hi)) if lo <= hi => Footer::Bounds(lo, hi),
        _ => Footer::Unknown,
    }
}

/// A CSV file's rows into `accs`, cells typed by the catalog's types; returns its rows.
fn csv_file(path: &Path, columns: &[Wanted<'_>], accs: &mut [Acc]) -> Result<u64, String> {
    let (mut reader, header) = crate::infer::open_csv(path)?;
    let cells: Vec<Option<usize>> = columns
        .iter()
        .zip(accs.iter())
        .map(|(c, acc)| {
            if c.is_partition || acc.mode == Mode::Skip {
                return None;
            }
            header
                .iter()
                .position(|h| h == c.name)
                .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(c.name)))
        })
        .collect();
    let mut record = csv::StringRecord::new();
    let mut rows = 0;
    while reader.read_record(&mut record).map_err(|e| e.to_string())? {
        rows += 1;
        for (cell, acc) in cells.iter().zip(accs.iter_mut()) {
            if let Some(i) = cell {
                add_text(acc, record.get(*i).unwrap_or(""), 1);
            }
        }
    }
    for ((cell, acc), c) in cells.iter().zip(accs.iter_mut()).zip(columns) {
        if cell.is_none() && !c.is_partition {
            acc.null(rows);
        }
    }
    Ok(rows)
}

/// A JSON-lines file's objects into `accs`; returns its rows.
fn json_file(path: &Path, columns: &[Wanted<'_>], accs: &mut [Acc]) -> Result<u64, String> {
    let mut rows = 0;
    crate::infer::each_json_object(path, |object| {
        rows += 1;
        for (c, acc) in columns.iter().zip(accs.iter_mut()) {
            if c.is_partition || acc.mode == Mode::Skip {
                continue;
            }
            match field(&object, c.name) {
                Some(v) => add_json(acc, v),
                None => acc.null(1),
            }
        }
        true
    })?;
    Ok(rows)
}

/// A value of an object by column name (exact, else ignoring case as Glue does).
fn field<'v>(object: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A text value (a CSV cell, a partition value) counted `n` times, typed as a preview types
/// it: empty (or Hive's null partition) is null; a value its type cannot read is counted as
/// text, outside the range and histogram.
fn add_text(acc: &mut Acc, v: &str, n: u64) {
    if v.is_empty() || v == "__HIVE_DEFAULT_PARTITION__" {
        acc.null(n);
        return;
    }
    match acc.repr {
        Repr::Int => match v.trim().parse::<i64>() {
            Ok(i) => acc.int(i128::from(i), n),
            Err(_) => acc.other(v, n),
        },
        Repr::Float { .. } => match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => acc.float(x, n),
            _ => acc.other(v, n),
        },
        Repr::Bool => match v.trim().to_ascii_lowercase().as_str() {
            "true" => acc.int(1, n),
            "false" => acc.int(0, n),
            _ => acc.other(v, n),
        },
        Repr::Text => acc.bytes(v.as_bytes(), n),
        Repr::Date | Repr::Timestamp { .. } => acc.other(v, n),
        Repr::Nested => acc.present(n),
    }
}

/// A numeric column's text value as [`add_text`] reads it, for a histogram's range.
fn text_number(repr: Repr, v: &str) -> Option<f64> {
    match repr {
        Repr::Int => v.trim().parse::<i64>().ok().map(|i| i as f64),
        Repr::Float { .. } => v.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        _ => None,
    }
}

/// A JSON value typed by the catalog's type; one that does not fit it is counted as text,
/// outside the range and histogram.
fn add_json(acc: &mut Acc, v: &Value) {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match (acc.repr, v) {
        (_, Value::Null) => acc.null(1),
        (Repr::Nested, _) => acc.present(1),
        (Repr::Int, Value::Number(n)) if n.is_i64() => {
            acc.int(i128::from(n.as_i64().unwrap_or(0)), 1)
        }
        (Repr::Int, Value::Number(n)) if n.is_u64() => {
            acc.int(i128::from(n.as_u64().unwrap_or(0)), 1)
        }
        (Repr::Float { .. }, Value::Number(n)) => match n.as_f64() {
            Some(x) => acc.float(x, 1),
            None => acc.other(&n.to_string(), 1),
        },
        (Repr::Bool, Value::Bool(b)) => acc.int(i128::from(*b), 1),
        (Repr::Text, Value::String(s)) => acc.bytes(s.as_bytes(), 1),
        (Repr::Text, other) => acc.bytes(other.to_string().as_bytes(), 1),
        (_, other) => acc.other(&text(other), 1),
    }
}

/// How a Parquet column's physical values become statistics' values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Decode {
    Int {
        unsigned: bool,
    },
    /// Days since 1970-01-01.
    Date,
    /// `nanos` nanoseconds per unit since 1970-01-01.
    Timestamp {
        nanos: i64,
        utc: bool,
    },
    /// Spark's and Hive's legacy timestamps.
    Int96,
    /// An unscaled integer (INT32, INT64, or big-endian bytes) and its scale.
    Decimal {
        scale: i32,
    },
    Float {
        single: bool,
    },
    Bool,
    Text,
}

impl Decode {
    /// As `parquet_schema` maps a column to a Glue type: the logical type first, then the
    /// legacy annotation, then the physical type.
    fn of(c: &ColumnDescriptor) -> Decode {
        let physical = c.physical_type();
        let converted = match c.logical_type_ref() {
            Some(lt) => ConvertedType::from(Some(lt.clone())),
            None => c.converted_type(),
        };
        if let Some(LogicalType::Timestamp(t)) = c.logical_type_ref()
            && physical == Physical::INT64
        {
            let nanos = match t.unit {
                TimeUnit::MILLIS => 1_000_000,
                TimeUnit::MICROS => 1_000,
                TimeUnit::NANOS => 1,
            };
            return Decode::Timestamp {
                nanos,
                utc: t.is_adjusted_to_u_t_c,
            };
        }
        match (physical, converted) {
            (_, ConvertedType::DECIMAL) => Decode::Decimal {
                scale: c.type_scale(),
            },
            (Physical::BOOLEAN, _) => Decode::Bool,
            (Physical::INT32, ConvertedType::DATE) => Decode::Date,
            (
                Physical::INT32,
                ConvertedType::UINT_8 | ConvertedType::UINT_16 | ConvertedType::UINT_32,
            )
            | (Physical::INT64, ConvertedType::UINT_64) => Decode::Int { unsigned: true },
            (Physical::INT64, ConvertedType::TIMESTAMP_MILLIS) => Decode::Timestamp {
                nanos: 1_000_000,
                utc: true,
            },
            (Physical::INT64, ConvertedType::TIMESTAMP_MICROS) => Decode::Timestamp {
                nanos: 1_000,
                utc: true,
            },
            (Physical::INT32 | Physical::INT64, _) => Decode::Int { unsigned: false },
            (Physical::INT96, _) => Decode::Int96,
            (Physical::FLOAT, _) => Decode::Float { single: true },
            (Physical::DOUBLE, _) => Decode::Float { single: false },
            (Physical::BYTE_ARRAY | Physical::FIXED_LEN_BYTE_ARRAY, _) => Decode::Text,
        }
    }

    fn repr(self) -> Repr {
        match self {
            Decode::Int { .. } => Repr::Int,
            Decode::Date => Repr::Date,
            Decode::Timestamp { utc, .. } => Repr::Timestamp { utc },
            Decode::Int96 => Repr::Timestamp { utc: true },
            Decode::Decimal { .. } => Repr::Float { single: false },
            Decode::Float { single } => Repr::Float { single },
            Decode::Bool => Repr::Bool,
            Decode::Text => Repr::Text,
        }
    }
}

/// How a column's values are held and shown.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Repr {
    /// Integers, shown as JSON numbers.
    Int,
    /// 0 and 1, shown as JSON booleans.
    Bool,
    /// Days since 1970-01-01, shown as `YYYY-MM-DD`.
    Date,
    /// Nanoseconds since 1970-01-01, shown as ISO 8601 (with `Z` when adjusted to UTC).
    Timestamp { utc: bool },
    /// Floating point and decimals, shown as JSON numbers (`single`: read as 32 bits, shown
    /// with the digits of a 32-bit float).
    Float { single: bool },
    /// Text (and binary), compared byte by byte.
    Text,
    /// Groups, lists and maps: only nulls are counted.
    Nested,
}

impl Repr {
    /// From a catalog type: for CSV, JSON lines and partition values, and Parquet columns
    /// absent from every file.
    fn of_catalog(data_type: &str) -> Repr {
        let t = data_type.trim().to_ascii_lowercase();
        match t.as_str() {
            "bigint" | "int" | "integer" | "smallint" | "tinyint" => Repr::Int,
            "double" | "float" | "real" => Repr::Float { single: false },
            "boolean" => Repr::Bool,
            _ if t.starts_with("decimal") => Repr::Float { single: false },
            _ if t.starts_with("struct<") || t.starts_with("array<") || t.starts_with("map<") => {
                Repr::Nested
            }
            _ => Repr::Text,
        }
    }

    /// Whether the column gets a histogram.
    fn numeric(self) -> bool {
        matches!(self, Repr::Int | Repr::Float { .. })
    }

    /// Whether two files' columns can share statistics.
    fn same(self, other: Repr) -> bool {
        match (self, other) {
            (Repr::Timestamp { .. }, Repr::Timestamp { .. }) => true,
            (Repr::Float { .. }, Repr::Float { .. }) => true,
            (a, b) => a == b,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Repr::Int => "integers",
            Repr::Bool => "booleans",
            Repr::Date => "dates",
            Repr::Timestamp { .. } => "timestamps",
            Repr::Float { .. } => "numbers",
            Repr::Text => "text",
            Repr::Nested => "nested values",
        }
    }
}

/// What a scan does with a column.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// Every statistic (the histogram only when its range is known).
    Full,
    /// The histogram alone (the second pass).
    Histogram,
    /// Nothing: the column is not read.
    Skip,
}

/// One column's statistics while reading.
#[derive(Clone)]
struct Acc {
    repr: Repr,
    mode: Mode,
    nulls: u64,
    values: u64,
    hll: Hll,
    /// Every distinct value and its count, while there are at most
    /// [`TOP_VALUES_MAX_DISTINCT`]; keyed by the value's hash.
    exact: Option<HashMap<u64, (Key, u64), BuildHasherDefault<Prehashed>>>,
    range: Range,
    hist: Option<Hist>,
    /// Whether Parquet statistics were used (a range, an all-null chunk skipped).
    footer: bool,
}

impl Acc {
    fn new(repr: Repr, mode: Mode) -> Acc {
        Acc {
            repr,
            mode,
            nulls: 0,
            values: 0,
            hll: Hll::new(),
            exact: Some(HashMap::with_capacity_and_hasher(
                TOP_VALUES_MAX_DISTINCT as usize + 1,
                BuildHasherDefault::default(),
            )),
            range: Range::Empty,
            hist: None,
            footer: false,
        }
    }

    fn null(&mut self, n: u64) {
        self.nulls += n;
    }

    /// Values counted without being looked at (nested columns).
    fn present(&mut self, n: u64) {
        self.values += n;
    }

    #[inline]
    fn int(&mut self, v: i128, n: u64) {
        if self.mode == Mode::Full {
            self.values += n;
            self.seen(hash_int(v), Probe::Int(v), n);
            self.range.int(v);
        }
        if let Some(h) = &mut self.hist {
            h.add(v as f64, n);
        }
    }

    #[inline]
    fn float(&mut self, v: f64, n: u64) {
        // One zero and one NaN: -0.0 is 0.0, every NaN the same value.
        let v = if v == 0.0 {
            0.0
        } else if v.is_nan() {
            f64::NAN
        } else {
            v
        };
        if self.mode == Mode::Full {
            self.values += n;
            let bits = ordered(v);
            self.seen(mix(bits ^ SEED_FLOAT), Probe::Float(bits), n);
            if !v.is_nan() {
                self.range.float(v);
            }
        }
        if let Some(h) = &mut self.hist
            && !v.is_nan()
        {
            h.add(v, n);
        }
    }

    #[inline]
    fn bytes(&mut self, v: &[u8], n: u64) {
        if self.mode == Mode::Full {
            self.values += n;
            self.seen(hash_bytes(v, SEED_BYTES), Probe::Bytes(v), n);
            self.range.bytes(v);
        }
    }

    /// A value its column's type cannot read (a CSV cell `n/a` in a `bigint` column).
    fn other(&mut self, v: &str, n: u64) {
        if self.mode == Mode::Full {
            self.values += n;
            self.seen(hash_bytes(v.as_bytes(), SEED_OTHER), Probe::Other(v), n);
        }
    }

    #[inline]
    fn seen(&mut self, hash: u64, probe: Probe<'_>, n: u64) {
        self.hll.add(hash);
        let Some(exact) = &mut self.exact else {
            return;
        };
        let full = exact.len() as u64 >= TOP_VALUES_MAX_DISTINCT;
        let keep = match exact.get_mut(&hash) {
            Some((key, count)) if probe.is(key) => {
                *count += n;
                true
            }
            // Two values with one hash: counts are no longer exact.
            Some(_) => false,
            None if full => false,
            None => {
                exact.insert(hash, (probe.key(), n));
                true
            }
        };
        if !keep {
            self.exact = None;
        }
    }

    fn merge(&mut self, other: Acc) {
        self.nulls += other.nulls;
        self.values += other.values;
        self.footer |= other.footer;
        self.hll.merge(&other.hll);
        self.exact = match (self.exact.take(), other.exact) {
            (Some(mut a), Some(b)) => {
                let mut exact = true;
                for (hash, (key, count)) in b {
                    match a.get_mut(&hash) {
                        Some((k, c)) if *k == key => *c += count,
                        Some(_) => exact = false,
                        None => {
                            a.insert(hash, (key, count));
                        }
                    }
                }
                (exact && a.len() as u64 <= TOP_VALUES_MAX_DISTINCT).then_some(a)
            }
            _ => None,
        };
        self.range.merge(other.range);
        if let (Some(a), Some(b)) = (&mut self.hist, &other.hist) {
            for (x, y) in a.counts.iter_mut().zip(b.counts) {
                *x += y;
            }
        }
    }

    fn finish(self, name: &str) -> ColumnStats {
        let mut stats = ColumnStats {
            name: name.to_owned(),
            nulls: self.nulls,
            ..ColumnStats::default()
        };
        if self.repr == Repr::Nested {
            return stats;
        }
        match &self.exact {
            Some(exact) => {
                stats.distinct = exact.len() as u64;
                let mut top: Vec<&(Key, u64)> = exact.values().collect();
                top.sort_by(|(a, x), (b, y)| y.cmp(x).then_with(|| a.cmp(b)));
                stats.top_values = top
                    .into_iter()
                    .take(TOP_VALUES)
                    .map(|(key, count)| ValueCount {
                        value: self.value(key),
                        count: *count,
                    })
                    .collect();
            }
            None => {
                let estimate = self.hll.estimate().round() as u64;
                stats.distinct = estimate.max(TOP_VALUES_MAX_DISTINCT + 1).min(self.values);
            }
        }
        let bounds = match &self.range {
            Range::Empty => None,
            Range::Int(lo, hi) => Some((Key::Int(*lo), Key::Int(*hi))),
            Range::Float(lo, hi) => Some((Key::Float(ordered(*lo)), Key::Float(ordered(*hi)))),
            Range::Bytes(lo, hi) => Some((
                Key::Bytes(lo.as_slice().into()),
                Key::Bytes(hi.as_slice().into()),
            )),
        };
        if let Some((lo, hi)) = bounds {
            stats.min = Some(self.value(&lo));
            stats.max = Some(self.value(&hi));
        }
        if let Some(h) = &self.hist {
            stats.histogram = h.buckets();
        }
        stats
    }

    /// A value as JSON, shown as its column's type says.
    fn value(&self, key: &Key) -> Value {
        match key {
            Key::Int(v) => match self.repr {
                Repr::Bool => Value::Bool(*v != 0),
                Repr::Date => date_text(*v),
                Repr::Timestamp { utc } => timestamp_text(*v, utc),
                _ => int_value(*v),
            },
            Key::Float(bits) => {
                let v = unordered(*bits);
                let v = match self.repr {
                    Repr::Float { single: true } => {
                        (v as f32).to_string().parse::<f64>().unwrap_or(v)
                    }
                    _ => v,
                };
                serde_json::Number::from_f64(v)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(v.to_string()))
            }
            Key::Bytes(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
            Key::Other(s) => Value::String(s.to_string()),
        }
    }
}

/// A value as kept in the exact counts; ordered as its column's values are (numbers by value,
/// text byte by byte), values of another type last.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Int(i128),
    /// A float's bits, flipped to sort as the numbers do (see [`ordered`]).
    Float(u64),
    Bytes(Box<[u8]>),
    Other(Box<str>),
}

/// A value being counted, borrowed until it is kept.
enum Probe<'a> {
    Int(i128),
    Float(u64),
    Bytes(&'a [u8]),
    Other(&'a str),
}

impl Probe<'_> {
    fn is(&self, key: &Key) -> bool {
        match (self, key) {
            (Probe::Int(a), Key::Int(b)) => a == b,
            (Probe::Float(a), Key::Float(b)) => a == b,
            (Probe::Bytes(a), Key::Bytes(b)) => *a == &**b,
            (Probe::Other(a), Key::Other(b)) => *a == &**b,
            _ => false,
        }
    }

    fn key(&self) -> Key {
        match self {
            Probe::Int(v) => Key::Int(*v),
            Probe::Float(v) => Key::Float(*v),
            Probe::Bytes(v) => Key::Bytes((*v).into()),
            Probe::Other(v) => Key::Other((*v).into()),
        }
    }
}

/// The smallest and largest values read, of the column's own type.
#[derive(Debug, Clone)]
enum Range {
    Empty,
    Int(i128, i128),
    /// NaN aside.
    Float(f64, f64),
    Bytes(Vec<u8>, Vec<u8>),
}

impl Range {
    #[inline]
    fn int(&mut self, v: i128) {
        match self {
            Range::Int(lo, hi) => {
                if v < *lo {
                    *lo = v;
                } else if v > *hi {
                    *hi = v;
                }
            }
            Range::Empty => *self = Range::Int(v, v),
            _ => {}
        }
    }

    #[inline]
    fn float(&mut self, v: f64) {
        match self {
            Range::Float(lo, hi) => {
                if v < *lo {
                    *lo = v;
                } else if v > *hi {
                    *hi = v;
                }
            }
            Range::Empty => *self = Range::Float(v, v),
            _ => {}
        }
    }

    #[inline]
    fn bytes(&mut self, v: &[u8]) {
        match self {
            Range::Bytes(lo, hi) => {
                if v < lo.as_slice() {
                    lo.clear();
                    lo.extend_from_slice(v);
                } else if v > hi.as_slice() {
                    hi.clear();
                    hi.extend_from_slice(v);
                }
            }
            Range::Empty => *self = Range::Bytes(v.to_vec(), v.to_vec()),
            _ => {}
        }
    }

    fn merge(&mut self, other: Range) {
        match other {
            Range::Empty => {}
            Range::Int(lo, hi) => {
                self.int(lo);
                self.int(hi);
            }
            Range::Float(lo, hi) => {
                self.float(lo);
                self.float(hi);
            }
            Range::Bytes(lo, hi) => {
                self.bytes(&lo);
                self.bytes(&hi);
            }
        }
    }

    /// The range as numbers, for a histogram.
    fn numeric(&self) -> Option<(f64, f64)> {
        match self {
            Range::Int(lo, hi) => Some((*lo as f64, *hi as f64)),
            Range::Float(lo, hi) => Some((*lo, *hi)),
            _ => None,
        }
    }
}

/// Equal-width buckets over [lo, hi]; one bucket when lo is hi.
#[derive(Debug, Clone)]
struct Hist {
    lo: f64,
    hi: f64,
    /// Buckets per unit of value.
    per: f64,
    counts: [u64; HISTOGRAM_BUCKETS],
}

impl Hist {
    fn new(lo: f64, hi: f64) -> Hist {
        Hist {
            lo,
            hi,
            per: if hi > lo {
                HISTOGRAM_BUCKETS as f64 / (hi - lo)
            } else {
                0.0
            },
            counts: [0; HISTOGRAM_BUCKETS],
        }
    }

    #[inline]
    fn add(&mut self, v: f64, n: u64) {
        // `as usize` saturates: a value under lo (never, but for rounding) is in the first.
        let i = (((v - self.lo) * self.per) as usize).min(HISTOGRAM_BUCKETS - 1);
        self.counts[i] += n;
    }

    fn buckets(&self) -> Vec<HistogramBucket> {
        if self.hi <= self.lo {
            return vec![HistogramBucket {
                low: self.lo,
                high: self.hi,
                count: self.counts.iter().sum(),
            }];
        }
        let width = (self.hi - self.lo) / HISTOGRAM_BUCKETS as f64;
        self.counts
            .iter()
            .enumerate()
            .map(|(i, count)| HistogramBucket {
                low: self.lo + width * i as f64,
                high: if i + 1 == HISTOGRAM_BUCKETS {
                    self.hi
                } else {
                    self.lo + width * (i + 1) as f64
                },
                count: *count,
            })
            .collect()
    }
}

/// Bits of a register index: 2^14 registers, a standard error of about 0.8 %.
const PRECISION: u32 = 14;
const REGISTERS: usize = 1 << PRECISION;

/// A HyperLogLog sketch of 64-bit hashes: each register keeps the longest run of leading
/// zeros (plus one) seen among the hashes whose first bits are its index.
#[derive(Clone)]
struct Hll {
    registers: Box<[u8]>,
}

impl Hll {
    fn new() -> Hll {
        Hll {
            registers: vec![0; REGISTERS].into_boxed_slice(),
        }
    }

    #[inline]
    fn add(&mut self, hash: u64) {
        let index = (hash >> (64 - PRECISION)) as usize;
        // A guard bit caps the rank at 64 - PRECISION + 1.
        let rest = (hash << PRECISION) | (1 << (PRECISION - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        if let Some(r) = self.registers.get_mut(index)
            && rank > *r
        {
            *r = rank;
        }
    }

    fn merge(&mut self, other: &Hll) {
        for (a, b) in self.registers.iter_mut().zip(other.registers.iter()) {
            *a = (*a).max(*b);
        }
    }

    /// The estimate of distinct hashes: linear counting while the raw estimate is at most
    /// 2.5 times the registers and some are empty (the standard small-range correction),
    /// else Ertl's improved estimator ("New cardinality estimation algorithms for
    /// HyperLogLog sketches", 2017) in place of the original raw formula, which
    /// overestimates by about 1.5 % between 2.5 and 3 times the registers.
    fn estimate(&self) -> f64 {
        let m = REGISTERS as f64;
        // Registers by value: 0 to 64 - PRECISION + 1.
        let q = 64 - PRECISION as usize;
        let mut by_rank = vec![0.0f64; q + 2];
        let mut sum = 0.0;
        for r in self.registers.iter() {
            sum += 1.0 / (1u64 << *r) as f64;
            if let Some(c) = by_rank.get_mut(usize::from(*r)) {
                *c += 1.0;
            }
        }
        let zeros = by_rank[0];
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let raw = alpha * m * m / sum;
        if raw <= 2.5 * m && zeros > 0.0 {
            return m * (m / zeros).ln();
        }
        let mut z = m * ertl_tau(1.0 - by_rank[q + 1] / m);
        for k in (1..=q).rev() {
            z = 0.5 * (z + by_rank[k]);
        }
        z += m * ertl_sigma(zeros / m);
        m * m / (2.0 * std::f64::consts::LN_2) / z
    }
}

/// Ertl's σ(x) = x + Σ x^(2^k)·2^(k-1), for the empty registers' share x.
fn ertl_sigma(mut x: f64) -> f64 {
    if x >= 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

/// Ertl's τ(x), for the share of registers at the largest rank.
fn ertl_tau(mut x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// Seeds keeping the hashes of different kinds of values apart.
const SEED_INT: u64 = 0x243F_6A88_85A3_08D3;
const SEED_FLOAT: u64 = 0x1319_8A2E_0370_7344;
const SEED_BYTES: u64 = 0xA409_3822_299F_31D0;
const SEED_OTHER: u64 = 0x082E_FA98_EC4E_6C89;

/// splitmix64's finalizer: every input bit changes about half the output bits.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[inline]
fn hash_int(v: i128) -> u64 {
    mix((v as u64) ^ mix(((v >> 64) as u64) ^ SEED_INT))
}

/// A fixed-seed hash of bytes: eight at a time, each word mixed in with splitmix64's
/// finalizer (so a difference in any byte reaches every bit before the next word).
#[inline]
fn hash_bytes(bytes: &[u8], seed: u64) -> u64 {
    let mut h = seed ^ (bytes.len() as u64).wrapping_mul(0x9FB2_1C65_1E98_DF25);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = mix(h ^ u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    let mut word = [0u8; 8];
    word[..rest.len()].copy_from_slice(rest);
    mix(h ^ u64::from_le_bytes(word))
}

/// A hasher for keys that are hashes already.
#[derive(Default, Clone, Copy)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

/// A float's bits as an integer ordered as the floats are (negatives flipped).
fn ordered(v: f64) -> u64 {
    let bits = v.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

fn unordered(bits: u64) -> f64 {
    f64::from_bits(if bits >> 63 == 1 {
        bits & !(1 << 63)
    } else {
        !bits
    })
}

/// A decimal's unscaled value from its big-endian two's complement bytes.
fn be_decimal(bytes: &[u8]) -> f64 {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    if bytes.len() <= 16 {
        let mut word = if negative { [0xFF; 16] } else { [0; 16] };
        word[16 - bytes.len()..].copy_from_slice(bytes);
        return i128::from_be_bytes(word) as f64;
    }
    // Wider than 128 bits: the magnitude in floating point.
    let magnitude = bytes.iter().fold(0.0, |x, b| {
        x * 256.0 + f64::from(if negative { !b } else { *b })
    });
    if negative {
        -(magnitude + 1.0)
    } else {
        magnitude
    }
}

fn int_value(v: i128) -> Value {
    if let Ok(i) = i64::try_from(v) {
        Value::from(i)
    } else if let Ok(u) = u64::try_from(v) {
        Value::from(u)
    } else {
        Value::from(v as f64)
    }
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (the number itself when out of chrono's range).
fn date_text(days: i128) -> Value {
    i32::try_from(days)
        .ok()
        .and_then(|d| d.checked_add(719_163))
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
        .unwrap_or_else(|| int_value(days))
}

/// Nanoseconds since 1970-01-01 as ISO 8601 (`Z` when adjusted to UTC; fractions only when
/// there are).
fn timestamp_text(nanos: i128, utc: bool) -> Value {
    let seconds = i64::try_from(nanos.div_euclid(1_000_000_000)).ok();
    let fraction = nanos.rem_euclid(1_000_000_000) as u32;
    match seconds.and_then(|s| DateTime::<Utc>::from_timestamp(s, fraction)) {
        Some(t) => {
            let text = t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            Value::String(if utc {
                text
            } else {
                text.trim_end_matches('Z').to_owned()
            })
        }
        None => int_value(nanos),
    }
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
