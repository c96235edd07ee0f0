//! The `table-profile` scenario: profiling a local-lake table of about `--profile-mb` MB of
//! Snappy Parquet (1,024 by default) — what a `tables.profile` task runs. The table is
//! written first (not measured): order events partitioned by day, eight columns of the kinds
//! a profile treats differently (unique and high-cardinality ids, a double with nulls, low-
//! and mid-cardinality strings, a timestamp, a small int), a million rows per row group. Then
//! every row is profiled once; the figure is that run's time, its throughput and the peak
//! RSS of this process while it ran (the table is written by a child process, so that is the
//! profile's memory and the benchmark's own). The files are in the page cache (just
//! written), as for a table read again; a cold read adds the disk's time.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use hdrhistogram::Histogram;
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::Outcome;

const ROWS_PER_GROUP: usize = 1_000_000;
/// Rows per file (a file per day folder).
const ROWS_PER_FILE: usize = 4 * ROWS_PER_GROUP;

const SCHEMA: &str = "message events {
    required int64 event_id;
    required int64 customer_id;
    optional double amount;
    required binary channel (UTF8);
    required binary country (UTF8);
    required binary sku (UTF8);
    required int64 event_ts (TIMESTAMP(MICROS,true));
    required int32 quantity;
}";

/// (name, Glue type) of the table's columns, the partition key last.
const COLUMNS: &[(&str, &str, bool)] = &[
    ("event_id", "bigint", false),
    ("customer_id", "bigint", false),
    ("amount", "double", false),
    ("channel", "string", false),
    ("country", "string", false),
    ("sku", "string", false),
    ("event_ts", "timestamp", false),
    ("quantity", "int", false),
    ("dt", "date", true),
];

const CHANNELS: &[&str] = &["web", "store", "app", "phone", "partner"];
const COUNTRIES: &[&str] = &[
    "DE", "FR", "ES", "IT", "NL", "BE", "AT", "CH", "PL", "SE", "DK", "NO", "FI", "IE", "PT", "CZ",
    "HU", "RO", "GR", "GB", "US", "CA", "MX", "BR", "JP", "KR", "AU", "NZ", "IN", "ZA",
];

// The demo's splitmix64: the same data on every run.
use lakecat_cli::demo_lake::Rng;

/// Writes one file of `rows` rows starting at event id `first`; returns its size in bytes.
fn write_file(path: &Path, first: u64, rows: usize, rng: &mut Rng) -> Result<u64> {
    let schema = Arc::new(parse_message_type(SCHEMA)?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let file =
        fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = SerializedFileWriter::new(file, schema, props)?;
    let mut written = 0;
    while written < rows {
        let n = ROWS_PER_GROUP.min(rows - written);
        let start = first + written as u64;
        let ids: Vec<i64> = (0..n).map(|i| (start + i as u64) as i64).collect();
        let customers: Vec<i64> = (0..n).map(|_| rng.below(2_000_000) as i64).collect();
        let mut amount_defs = Vec::with_capacity(n);
        let mut amounts = Vec::with_capacity(n);
        for _ in 0..n {
            if rng.below(20) == 0 {
                amount_defs.push(0);
            } else {
                amount_defs.push(1);
                amounts.push((rng.below(100_000) as f64) / 100.0);
            }
        }
        let channels: Vec<ByteArray> = (0..n)
            .map(|_| ByteArray::from(CHANNELS[rng.below(CHANNELS.len() as u64) as usize]))
            .collect();
        let countries: Vec<ByteArray> = (0..n)
            .map(|_| ByteArray::from(COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize]))
            .collect();
        let skus: Vec<ByteArray> = (0..n)
            .map(|_| ByteArray::from(format!("SKU-{:06}", rng.below(200_000)).as_str()))
            .collect();
        // 2024-05-01T00:00:00Z plus up to a day, in microseconds.
        let ts: Vec<i64> = (0..n)
            .map(|_| 1_714_521_600_000_000 + rng.below(86_400_000_000) as i64)
            .collect();
        let quantities: Vec<i32> = (0..n).map(|_| 1 + rng.below(12) as i32).collect();

        let mut group = writer.next_row_group()?;
        let mut i = 0;
        while let Some(mut col) = group.next_column()? {
            match i {
                0 => col.typed::<Int64Type>().write_batch(&ids, None, None)?,
                1 => col
                    .typed::<Int64Type>()
                    .write_batch(&customers, None, None)?,
                2 => col
                    .typed::<DoubleType>()
                    .write_batch(&amounts, Some(&amount_defs), None)?,
                3 => col
                    .typed::<ByteArrayType>()
                    .write_batch(&channels, None, None)?,
                4 => col
                    .typed::<ByteArrayType>()
                    .write_batch(&countries, None, None)?,
                5 => col
                    .typed::<ByteArrayType>()
                    .write_batch(&skus, None, None)?,
                6 => col.typed::<Int64Type>().write_batch(&ts, None, None)?,
                7 => col
                    .typed::<Int32Type>()
                    .write_batch(&quantities, None, None)?,
                _ => return Err(anyhow!("more columns than the schema's")),
            };
            col.close()?;
            i += 1;
        }
        group.close()?;
        written += n;
    }
    writer.close()?;
    Ok(fs::metadata(path)?.len())
}

/// Writes day folders of [`ROWS_PER_FILE`] rows until the table holds `mb` MB; returns
/// (rows, bytes, files).
pub(crate) fn write_table(dir: &Path, mb: u64) -> Result<(u64, u64, u64)> {
    let mut rng = Rng(42);
    let (mut rows, mut bytes, mut files) = (0u64, 0u64, 0u64);
    let day0 = chrono::NaiveDate::from_ymd_opt(2024, 5, 1).ok_or_else(|| anyhow!("day"))?;
    while bytes < mb * 1024 * 1024 {
        let day = day0 + chrono::Duration::days(files as i64);
        let path = dir
            .join(format!("dt={day}"))
            .join("part-00000.snappy.parquet");
        bytes += write_file(&path, rows, ROWS_PER_FILE, &mut rng)?;
        rows += ROWS_PER_FILE as u64;
        files += 1;
    }
    Ok((rows, bytes, files))
}

fn rss_kb(field: &str) -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Profiles a table of about `mb` MB written under `dir` (a temporary folder by default).
pub(crate) fn table_profile(mb: u64, dir: Option<PathBuf>, json: bool) -> Result<Outcome> {
    let tmp;
    let root = match dir {
        Some(d) => d,
        None => {
            tmp = tempfile::tempdir()?;
            tmp.path().to_path_buf()
        }
    };
    let table = root.join("events");
    if table.exists() {
        fs::remove_dir_all(&table)?;
    }
    // Written by a child process: this one's memory is then the profile's alone.
    let t = Instant::now();
    let out = std::process::Command::new(std::env::current_exe()?)
        .args([
            "--profile-write-only",
            "--profile-mb",
            &mb.to_string(),
            "--profile-dir",
        ])
        .arg(&table)
        .output()
        .context("cannot start the table writer")?;
    if !out.status.success() {
        return Err(anyhow!(
            "the table writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let written = String::from_utf8_lossy(&out.stdout);
    let mut parts = written.split_whitespace().map(str::parse::<u64>);
    let mut next = || -> Result<u64> {
        parts
            .next()
            .ok_or_else(|| anyhow!("the table writer said nothing"))?
            .map_err(|e| anyhow!("the table writer said {written}: {e}"))
    };
    let (rows, bytes, files) = (next()?, next()?, next()?);
    if !json {
        eprintln!(
            "table-profile: wrote {rows} rows in {files} files, {:.0} MB of Snappy Parquet, in {:.1} s",
            bytes as f64 / 1048576.0,
            t.elapsed().as_secs_f64()
        );
    }
    let wanted: Vec<lakecat_lake::Wanted<'_>> = COLUMNS
        .iter()
        .map(|(name, data_type, is_partition)| lakecat_lake::Wanted {
            name,
            data_type,
            is_partition: *is_partition,
        })
        .collect();
    // The peak RSS of the profile: the kernel's high-water mark restarts here.
    fs::write("/proc/self/clear_refs", "5").context("cannot reset the peak RSS")?;
    let before = rss_kb("VmRSS:").unwrap_or(0);
    let t = Instant::now();
    let profile = lakecat_lake::profile_files(&table, &wanted).map_err(|e| anyhow!(e))?;
    let took = t.elapsed();
    let peak = rss_kb("VmHWM:").unwrap_or(0);
    if profile.row_count != rows {
        return Err(anyhow!("profiled {} rows of {rows}", profile.row_count));
    }
    let mut hist = Histogram::<u64>::new(3)?;
    hist.record(took.as_micros() as u64)?;
    if !json {
        eprintln!(
            "  profiled {} rows ({} columns, {}) in {:.2} s: {:.0} MB/s, {:.1} M rows/s; peak RSS {:.1} MB ({:.1} MB before)",
            profile.row_count,
            profile.columns.len(),
            profile.method,
            took.as_secs_f64(),
            bytes as f64 / 1048576.0 / took.as_secs_f64(),
            rows as f64 / 1e6 / took.as_secs_f64(),
            peak as f64 / 1024.0,
            before as f64 / 1024.0,
        );
        for c in &profile.columns {
            eprintln!(
                "    {:<12} nulls {:>9}  distinct ≈{:>9}  min {}  max {}",
                c.name,
                c.nulls,
                c.distinct,
                c.min.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                c.max.as_ref().map(|v| v.to_string()).unwrap_or_default()
            );
        }
    }
    Ok(Outcome {
        scenario: "table-profile".into(),
        requests: 1,
        errors: 0,
        rps: None,
        hist,
        rss_mb: Some(peak as f64 / 1024.0),
    })
}
