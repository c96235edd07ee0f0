//! The demo's sample data: a few thousand believable rows per demo table, written as Snappy
//! Parquet files into the local lake where the demo's tables say they are, so previews work
//! on `lakecat serve --demo` out of the box and a sync finds what the catalog describes.
//! Deterministic: the same files every time (a fixed seed, no clock).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use chrono::{Duration, NaiveDate};
use parquet::basic::Compression;
use parquet::column::writer::ColumnWriter;
use parquet::data_type::{
    ByteArray, ByteArrayType, DoubleType, FixedLenByteArray, FixedLenByteArrayType, Int32Type,
    Int64Type,
};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

/// Rows per table (spread over the partitions of a partitioned one).
pub const SAMPLE_ROWS: usize = 2_000;
/// The days a partitioned table's rows fall on (`dt=…` folders).
const DAYS: i64 = 5;

/// splitmix64: small, fast, and the same sequence on every machine (the demo's sample
/// tables, and the bench's profiled table).
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Below `n` (0 for an `n` of 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const FIRST: &[&str] = &[
    "Ana", "Ben", "Carla", "David", "Eva", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Katja",
    "Luis", "Mara", "Nils", "Olga", "Pablo",
];
const LAST: &[&str] = &[
    "Schmidt", "Martin", "Rossi", "Garcia", "Jansen", "Dubois", "Novak", "Silva", "Fischer",
    "Moreau", "Bianchi", "Lopez",
];
const COUNTRIES: &[&str] = &[
    "DE", "FR", "NL", "ES", "IT", "GB", "AT", "BE", "PL", "SE", "IE", "PT",
];
const CATEGORIES: &[&str] = &[
    "Kitchen",
    "Garden",
    "Outdoor",
    "Home office",
    "Lighting",
    "Storage",
];
const BRANDS: &[&str] = &["Nordvik", "Casa Alta", "Brightline", "Oakhaven", "Tessel"];
const PRODUCT_WORDS: &[&str] = &[
    "Chef's knife",
    "Desk lamp",
    "Garden hose",
    "Camping stool",
    "Storage box",
    "Ceramic bowl",
    "Office chair",
    "Watering can",
];
const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Sales",
    "Marketing",
    "Logistics",
    "IT",
    "Customer service",
];
const OFFICES: &[&str] = &["Berlin", "Paris", "Amsterdam", "Madrid", "Milan", "Dublin"];

/// The value kinds of a generated column.
enum Values {
    Int64(Vec<Option<i64>>),
    Int32(Vec<Option<i32>>),
    Double(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
    /// Unscaled decimal values and the byte width their precision needs.
    Decimal(Vec<Option<i128>>, usize),
}

/// `decimal(p,s)` → (p, s).
fn decimal_of(t: &str) -> Option<(u32, u32)> {
    let inner = t.strip_prefix("decimal(")?.strip_suffix(')')?;
    let (p, s) = inner.split_once(',')?;
    Some((p.trim().parse().ok()?, s.trim().parse().ok()?))
}

/// Bytes a two's-complement decimal of `precision` digits needs (as Spark and pyarrow size it).
fn decimal_width(precision: u32) -> usize {
    ((precision as f64 * 10f64.log2() + 1.0) / 8.0).ceil() as usize
}

/// Choices listed by a column's description: "open, paid, overdue or written_off".
fn choices(description: &str) -> Option<Vec<String>> {
    let list = description.rsplit(':').next()?.trim();
    if !list.contains(',') {
        return None;
    }
    let items: Vec<String> = list
        .replace(" or ", ", ")
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    items
        .iter()
        .all(|s| !s.contains(' ') && s.len() <= 20)
        .then_some(items)
}

/// One column's values for `n` rows; `days[i]` is row i's day.
fn generate(
    rng: &mut Rng,
    column: (&str, &str, &str),
    position: usize,
    days: &[NaiveDate],
    first_names: &[usize],
) -> Values {
    let (name, data_type, description) = column;
    let n = days.len();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    if let Some((precision, scale)) = decimal_of(data_type) {
        let (lo, hi) = if name.contains("budget") {
            (5_000.0, 80_000.0)
        } else if name.contains("price") {
            (4.0, 400.0)
        } else {
            (8.0, 900.0)
        };
        let values = (0..n)
            .map(|_| {
                let v = lo + (hi - lo) * rng.unit();
                Some((v * 10f64.powi(scale as i32)).round() as i128)
            })
            .collect();
        return Values::Decimal(values, decimal_width(precision));
    }
    match data_type {
        "bigint" => {
            let optional = description.contains("if ");
            Values::Int64(
                (0..n)
                    .map(|i| {
                        if position == 0 && name.ends_with("_id") {
                            Some(100_000 + i as i64)
                        } else if optional && rng.below(10) < 3 {
                            None
                        } else {
                            Some(10_000 + rng.below(40_000) as i64)
                        }
                    })
                    .collect(),
            )
        }
        "int" => {
            let (lo, hi) = match name {
                "line_no" => (1, 6),
                "quantity" => (1, 7),
                "on_hand" => (0, 500),
                "reserved" => (0, 40),
                _ => (1, 41),
            };
            Values::Int32(
                (0..n)
                    .map(|_| Some(lo + rng.below((hi - lo) as u64) as i32))
                    .collect(),
            )
        }
        "double" => {
            let (lo, hi) = match name {
                "fte" => (0.5, 1.0),
                "gross_margin_pct" => (0.12, 0.58),
                _ => (0.0, 1.0),
            };
            Values::Double(
                (0..n)
                    .map(|_| Some(((lo + (hi - lo) * rng.unit()) * 1000.0).round() / 1000.0))
                    .collect(),
            )
        }
        "date" => Values::Int32(
            (0..n)
                .map(|i| {
                    let d = if name == "month" {
                        NaiveDate::from_ymd_opt(2024, 1 + rng.below(12) as u32, 1)
                            .unwrap_or(days[i])
                    } else if name.contains("due") {
                        days[i] + Duration::days(30)
                    } else if name.contains("issued")
                        || name.contains("scored")
                        || name.contains("start")
                    {
                        days[i] - Duration::days(rng.below(60) as i64)
                    } else {
                        days[i] - Duration::days(rng.below(5 * 365) as i64)
                    };
                    Some((d - epoch).num_days() as i32)
                })
                .collect(),
        ),
        "timestamp" => Values::Int64(
            (0..n)
                .map(|i| {
                    let midnight = days[i]
                        .and_hms_opt(0, 0, 0)
                        .unwrap_or_default()
                        .and_utc()
                        .timestamp();
                    Some((midnight + rng.below(86_400) as i64) * 1_000_000)
                })
                .collect(),
        ),
        _ => {
            let listed = choices(description);
            Values::Text(
                (0..n)
                    .map(|i| {
                        let first = FIRST[first_names[i] % FIRST.len()];
                        let last = LAST[(first_names[i] / FIRST.len()) % LAST.len()];
                        Some(match (name, &listed) {
                            (_, Some(items)) => {
                                items[rng.below(items.len() as u64) as usize].clone()
                            }
                            ("email", _) => format!(
                                "{}.{}{}@example.com",
                                first.to_lowercase(),
                                last.to_lowercase(),
                                i % 97
                            ),
                            ("first_name", _) => first.to_owned(),
                            ("last_name", _) => last.to_owned(),
                            ("country", _) => rng.pick(COUNTRIES).to_owned(),
                            ("currency", _) => {
                                rng.pick(&["EUR", "EUR", "EUR", "GBP", "USD"]).to_owned()
                            }
                            ("sku", _) => format!("SKU-{:05}", 10_000 + rng.below(900)),
                            ("url", _) => format!("/products/sku-{:05}", 10_000 + rng.below(900)),
                            ("product_name", _) => rng.pick(PRODUCT_WORDS).to_owned(),
                            ("category", _) => rng.pick(CATEGORIES).to_owned(),
                            ("brand", _) => rng.pick(BRANDS).to_owned(),
                            ("department", _) => rng.pick(DEPARTMENTS).to_owned(),
                            ("location", _) => rng.pick(OFFICES).to_owned(),
                            ("model_version", _) => {
                                rng.pick(&["churn-2024.04", "churn-2024.05"]).to_owned()
                            }
                            ("invoice_id", _) => format!("INV-2024-{:06}", 1 + rng.below(1_500)),
                            ("payment_id", _) => format!("PAY-{:08X}", rng.next() as u32),
                            ("campaign_id", _) => format!("CMP-{:03}", 1 + rng.below(40)),
                            ("employee_id", _) => format!("E{:05}", 1 + i),
                            _ => format!("{:016x}", rng.next()),
                        })
                    })
                    .collect(),
            )
        }
    }
}

/// The Parquet schema line of a column.
fn schema_line(name: &str, data_type: &str) -> String {
    if let Some((p, s)) = decimal_of(data_type) {
        return format!(
            "OPTIONAL FIXED_LEN_BYTE_ARRAY ({}) {name} (DECIMAL({p},{s}));",
            decimal_width(p)
        );
    }
    match data_type {
        "bigint" => format!("OPTIONAL INT64 {name};"),
        "int" => format!("OPTIONAL INT32 {name};"),
        "double" => format!("OPTIONAL DOUBLE {name};"),
        "date" => format!("OPTIONAL INT32 {name} (DATE);"),
        "timestamp" => format!("OPTIONAL INT64 {name} (TIMESTAMP(MICROS,true));"),
        _ => format!("OPTIONAL BYTE_ARRAY {name} (UTF8);"),
    }
}

/// Writes `columns`' values (the rows `rows` of them) as one Snappy Parquet file.
fn write_file(
    path: &Path,
    columns: &[(&str, &str, &str)],
    values: &[Values],
    rows: &[usize],
) -> Result<()> {
    let message = format!(
        "message sample {{ {} }}",
        columns
            .iter()
            .map(|(n, t, _)| schema_line(n, t))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let schema = Arc::new(parse_message_type(&message)?);
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
    let mut group = writer.next_row_group()?;
    let mut i = 0;
    while let Some(mut col) = group.next_column()? {
        let v = values
            .get(i)
            .ok_or_else(|| anyhow!("more columns than values"))?;
        fn split<T: Clone>(all: &[Option<T>], rows: &[usize]) -> (Vec<T>, Vec<i16>) {
            let mut out = vec![];
            let defs = rows
                .iter()
                .map(|&r| match &all[r] {
                    Some(x) => {
                        out.push(x.clone());
                        1
                    }
                    None => 0,
                })
                .collect();
            (out, defs)
        }
        match (v, col.untyped()) {
            (Values::Int64(all), ColumnWriter::Int64ColumnWriter(_)) => {
                let (vals, defs) = split(all, rows);
                col.typed::<Int64Type>()
                    .write_batch(&vals, Some(&defs), None)?;
            }
            (Values::Int32(all), ColumnWriter::Int32ColumnWriter(_)) => {
                let (vals, defs) = split(all, rows);
                col.typed::<Int32Type>()
                    .write_batch(&vals, Some(&defs), None)?;
            }
            (Values::Double(all), ColumnWriter::DoubleColumnWriter(_)) => {
                let (vals, defs) = split(all, rows);
                col.typed::<DoubleType>()
                    .write_batch(&vals, Some(&defs), None)?;
            }
            (Values::Text(all), ColumnWriter::ByteArrayColumnWriter(_)) => {
                let (vals, defs) = split(all, rows);
                let vals: Vec<ByteArray> =
                    vals.iter().map(|s| ByteArray::from(s.as_str())).collect();
                col.typed::<ByteArrayType>()
                    .write_batch(&vals, Some(&defs), None)?;
            }
            (Values::Decimal(all, width), ColumnWriter::FixedLenByteArrayColumnWriter(_)) => {
                let (vals, defs) = split(all, rows);
                let vals: Vec<FixedLenByteArray> = vals
                    .iter()
                    .map(|v| FixedLenByteArray::from(v.to_be_bytes()[16 - width..].to_vec()))
                    .collect();
                col.typed::<FixedLenByteArrayType>()
                    .write_batch(&vals, Some(&defs), None)?;
            }
            _ => {
                return Err(anyhow!(
                    "column {} got values of another type",
                    columns[i].0
                ));
            }
        }
        col.close()?;
        i += 1;
    }
    group.close()?;
    writer.close()?;
    Ok(())
}

/// Writes a demo table's sample files under `dir` (its folder in the lake): partitioned by
/// `dt` over [`DAYS`] days when it has that column, else one file. Returns the files written.
pub fn write_table(dir: &Path, seed: u64, columns: &[(&str, &str, &str)]) -> Result<Vec<PathBuf>> {
    let mut rng = Rng(seed);
    let start = NaiveDate::from_ymd_opt(2024, 5, 1).ok_or_else(|| anyhow!("start day"))?;
    let days: Vec<NaiveDate> = (0..SAMPLE_ROWS)
        .map(|i| start + Duration::days(i as i64 * DAYS / SAMPLE_ROWS as i64))
        .collect();
    let first_names: Vec<usize> = (0..SAMPLE_ROWS)
        .map(|_| rng.below(1_000) as usize)
        .collect();
    let data: Vec<(&str, &str, &str)> = columns
        .iter()
        .copied()
        .filter(|(n, _, _)| *n != "dt")
        .collect();
    let values: Vec<Values> = data
        .iter()
        .enumerate()
        .map(|(position, c)| generate(&mut rng, *c, position, &days, &first_names))
        .collect();
    let partitioned = columns.iter().any(|(n, _, _)| *n == "dt");
    let mut written = vec![];
    if partitioned {
        for d in 0..DAYS {
            let day = start + Duration::days(d);
            let rows: Vec<usize> = (0..SAMPLE_ROWS).filter(|&i| days[i] == day).collect();
            let path = dir
                .join(format!("dt={day}"))
                .join("part-00000.snappy.parquet");
            write_file(&path, &data, &values, &rows)?;
            written.push(path);
        }
    } else {
        let path = dir.join("part-00000.snappy.parquet");
        write_file(&path, &data, &values, &(0..SAMPLE_ROWS).collect::<Vec<_>>())?;
        written.push(path);
    }
    Ok(written)
}
