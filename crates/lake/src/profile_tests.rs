#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on unexpected errors"
)]

use std::fs;
use std::path::Path;
use std::sync::Arc;

use lakecat_core::lake::{ColumnStats, HistogramBucket, TableProfile, ValueCount};
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FixedLenByteArray, FixedLenByteArrayType,
    FloatType, Int32Type, Int64Type, Int96, Int96Type,
};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use serde_json::{Value, json};

use super::{Hll, hash_bytes, hash_int, profile};
use crate::preview::Wanted;

/// One column's values in a row group.
enum Values {
    I64(Vec<Option<i64>>),
    I32(Vec<Option<i32>>),
    F64(Vec<Option<f64>>),
    F32(Vec<Option<f32>>),
    Bool(Vec<Option<bool>>),
    /// Julian day and nanoseconds of the day.
    I96(Vec<Option<(u32, u64)>>),
    Text(Vec<Option<String>>),
    Fixed(Vec<Option<Vec<u8>>>),
    /// An optional group of one optional string: None is a null group, Some(None) a null
    /// string in it.
    Group(Vec<Option<Option<String>>>),
    /// An optional three-level list of optional strings.
    List(Vec<Option<Vec<String>>>),
}

/// Definition levels (1 where a value is) and the values, for an optional flat column.
fn split<T: Clone>(values: &[Option<T>]) -> (Vec<i16>, Vec<T>) {
    (
        values.iter().map(|v| i16::from(v.is_some())).collect(),
        values.iter().flatten().cloned().collect(),
    )
}

fn text(s: &str) -> ByteArray {
    ByteArray::from(s)
}

/// A real Parquet file, a row group per entry of `groups`, with or without statistics.
fn write_parquet(path: &Path, message: &str, groups: Vec<Vec<Values>>, statistics: bool) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let schema = Arc::new(parse_message_type(message).unwrap());
    let props = WriterProperties::builder()
        .set_statistics_enabled(if statistics {
            EnabledStatistics::Chunk
        } else {
            EnabledStatistics::None
        })
        .build();
    let file = fs::File::create(path).unwrap();
    let mut writer = SerializedFileWriter::new(file, schema, Arc::new(props)).unwrap();
    for group in groups {
        let mut g = writer.next_row_group().unwrap();
        for values in group {
            let mut col = g.next_column().unwrap().unwrap();
            match values {
                Values::I64(v) => {
                    let (defs, v) = split(&v);
                    col.typed::<Int64Type>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::I32(v) => {
                    let (defs, v) = split(&v);
                    col.typed::<Int32Type>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::F64(v) => {
                    let (defs, v) = split(&v);
                    col.typed::<DoubleType>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::F32(v) => {
                    let (defs, v) = split(&v);
                    col.typed::<FloatType>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::Bool(v) => {
                    let (defs, v) = split(&v);
                    col.typed::<BoolType>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::I96(v) => {
                    let (defs, v) = split(&v);
                    let v: Vec<Int96> = v
                        .into_iter()
                        .map(|(day, nanos)| {
                            let mut x = Int96::new();
                            x.set_data(nanos as u32, (nanos >> 32) as u32, day);
                            x
                        })
                        .collect();
                    col.typed::<Int96Type>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::Text(v) => {
                    let (defs, v) = split(&v);
                    let v: Vec<ByteArray> = v.iter().map(|s| text(s)).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::Fixed(v) => {
                    let (defs, v) = split(&v);
                    let v: Vec<FixedLenByteArray> =
                        v.into_iter().map(FixedLenByteArray::from).collect();
                    col.typed::<FixedLenByteArrayType>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::Group(v) => {
                    let defs: Vec<i16> = v
                        .iter()
                        .map(|g| match g {
                            None => 0,
                            Some(None) => 1,
                            Some(Some(_)) => 2,
                        })
                        .collect();
                    let v: Vec<ByteArray> = v.iter().flatten().flatten().map(|s| text(s)).collect();
                    col.typed::<ByteArrayType>()
                        .write_batch(&v, Some(&defs), None)
                        .unwrap();
                }
                Values::List(v) => {
                    let (mut defs, mut reps, mut items) = (vec![], vec![], vec![]);
                    for list in &v {
                        match list {
                            None => {
                                defs.push(0);
                                reps.push(0);
                            }
                            Some(l) if l.is_empty() => {
                                defs.push(1);
                                reps.push(0);
                            }
                            Some(l) => {
                                for (i, s) in l.iter().enumerate() {
                                    defs.push(3);
                                    reps.push(i16::from(i > 0));
                                    items.push(text(s));
                                }
                            }
                        }
                    }
                    col.typed::<ByteArrayType>()
                        .write_batch(&items, Some(&defs), Some(&reps))
                        .unwrap();
                }
            }
            col.close().unwrap();
        }
        g.close().unwrap();
    }
    writer.close().unwrap();
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

fn wanted<'a>(cols: &'a [(&'a str, &'a str, bool)]) -> Vec<Wanted<'a>> {
    cols.iter()
        .map(|(name, data_type, is_partition)| Wanted {
            name,
            data_type,
            is_partition: *is_partition,
        })
        .collect()
}

fn column<'p>(p: &'p TableProfile, name: &str) -> &'p ColumnStats {
    p.columns.iter().find(|c| c.name == name).unwrap()
}

fn top(pairs: &[(Value, u64)]) -> Vec<ValueCount> {
    pairs
        .iter()
        .map(|(value, count)| ValueCount {
            value: value.clone(),
            count: *count,
        })
        .collect()
}

fn counts(histogram: &[HistogramBucket]) -> Vec<u64> {
    histogram.iter().map(|b| b.count).collect()
}

fn within(estimate: u64, truth: u64, percent: f64) -> bool {
    (estimate as f64 - truth as f64).abs() <= truth as f64 * percent / 100.0
}

const SALES: &str = "message sales {
    REQUIRED INT64 id;
    OPTIONAL DOUBLE amount;
    OPTIONAL BYTE_ARRAY region (UTF8);
    OPTIONAL INT32 day (DATE);
    OPTIONAL INT64 at (TIMESTAMP(MILLIS,true));
    OPTIONAL FIXED_LEN_BYTE_ARRAY (8) price (DECIMAL(12,2));
    OPTIONAL INT32 qty;
    OPTIONAL GROUP device { OPTIONAL BYTE_ARRAY os (UTF8); }
    OPTIONAL GROUP tags (LIST) { REPEATED GROUP list { OPTIONAL BYTE_ARRAY element (UTF8); } }
}";

/// Rows `from..to` of the sales table as one row group.
fn sales_group(rows: std::ops::Range<i64>) -> Vec<Values> {
    let regions = ["north", "south", "east", "west"];
    let all = || rows.clone();
    vec![
        Values::I64(all().map(Some).collect()),
        Values::F64(
            all()
                .map(|i| (i % 10 != 3).then_some(i as f64 * 0.5))
                .collect(),
        ),
        Values::Text(
            all()
                .map(|i| (i % 7 != 0).then(|| regions[(i % 4) as usize].to_owned()))
                .collect(),
        ),
        // 2024-01-01 is day 19723.
        Values::I32(all().map(|i| Some(19_723 + (i % 31) as i32)).collect()),
        Values::I64(
            all()
                .map(|i| (i != 5).then_some(1_704_067_200_000 + i * 3_600_000))
                .collect(),
        ),
        Values::Fixed(
            all()
                .map(|i| (i % 50 != 49).then(|| ((i - 50) * 125).to_be_bytes().to_vec()))
                .collect(),
        ),
        Values::I32(all().map(|i| Some((i % 5 + 1) as i32)).collect()),
        Values::Group(
            all()
                .map(|i| match i % 4 {
                    0 => None,
                    1 => Some(None),
                    2 => Some(Some("ios".to_owned())),
                    _ => Some(Some("android".to_owned())),
                })
                .collect(),
        ),
        Values::List(
            all()
                .map(|i| match i % 3 {
                    0 => None,
                    1 => Some(vec![]),
                    _ => Some(vec!["a".to_owned(), "b".to_owned()]),
                })
                .collect(),
        ),
    ]
}

/// Two files of two row groups of 50 rows: ids 0 to 199.
fn write_sales(dir: &Path, statistics: bool) {
    write_parquet(
        &dir.join("part-0.parquet"),
        SALES,
        vec![sales_group(0..50), sales_group(50..100)],
        statistics,
    );
    write_parquet(
        &dir.join("part-1.parquet"),
        SALES,
        vec![sales_group(100..150), sales_group(150..200)],
        statistics,
    );
}

const SALES_COLUMNS: [(&str, &str, bool); 10] = [
    ("id", "bigint", false),
    ("amount", "double", false),
    ("REGION", "string", false),
    ("day", "date", false),
    ("at", "timestamp", false),
    ("price", "decimal(12,2)", false),
    ("qty", "int", false),
    ("device", "struct<os:string>", false),
    ("tags", "array<string>", false),
    ("gone", "string", false),
];

#[test]
fn a_parquet_table_is_profiled_from_every_row_of_every_row_group() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("sales");
    write_sales(&table, true);
    let p = profile(&table, &wanted(&SALES_COLUMNS)).unwrap();
    assert_eq!(p.row_count, 200);
    assert_eq!(p.rows_scanned, 200);
    assert_eq!(p.files_read, 2);
    assert_eq!(p.method, "files + Parquet statistics");
    let names: Vec<&str> = p.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "id", "amount", "REGION", "day", "at", "price", "qty", "device", "tags", "gone"
        ]
    );

    let id = column(&p, "id");
    assert_eq!(id.nulls, 0);
    assert!(within(id.distinct, 200, 2.0), "{}", id.distinct);
    assert_eq!(
        (id.min.clone(), id.max.clone()),
        (Some(json!(0)), Some(json!(199)))
    );
    assert_eq!(id.top_values, vec![], "200 distinct values: no top values");
    assert_eq!(counts(&id.histogram), vec![20; 10]);
    assert_eq!(id.histogram[0].low, 0.0);
    assert_eq!(id.histogram[0].high, 19.9);
    assert_eq!(id.histogram[9].high, 199.0);

    let amount = column(&p, "amount");
    assert_eq!(amount.nulls, 20);
    assert!(within(amount.distinct, 180, 2.0), "{}", amount.distinct);
    assert_eq!(amount.min, Some(json!(0.0)));
    assert_eq!(amount.max, Some(json!(99.5)));
    assert_eq!(counts(&amount.histogram).iter().sum::<u64>(), 180);

    // Nulls where i % 7 == 0: 8 norths (i % 28 == 0), 7 of each other region.
    let region = column(&p, "REGION");
    assert_eq!(region.nulls, 29);
    assert_eq!(region.distinct, 4);
    assert_eq!(
        region.top_values,
        top(&[
            (json!("east"), 43),
            (json!("south"), 43),
            (json!("west"), 43),
            (json!("north"), 42),
        ])
    );
    assert_eq!(region.min, Some(json!("east")));
    assert_eq!(region.max, Some(json!("west")));
    assert_eq!(region.histogram, vec![], "not numeric");

    // 200 rows over 31 days: the first 14 days 7 times, the others 6.
    let day = column(&p, "day");
    assert_eq!((day.nulls, day.distinct), (0, 31));
    assert_eq!(day.min, Some(json!("2024-01-01")));
    assert_eq!(day.max, Some(json!("2024-01-31")));
    let first_ten: Vec<(Value, u64)> = (1..=10)
        .map(|d| (json!(format!("2024-01-{d:02}")), 7))
        .collect();
    assert_eq!(day.top_values, top(&first_ten));
    assert_eq!(day.histogram, vec![]);

    let at = column(&p, "at");
    assert_eq!(at.nulls, 1);
    assert!(within(at.distinct, 199, 2.0), "{}", at.distinct);
    assert_eq!(at.min, Some(json!("2024-01-01T00:00:00Z")));
    assert_eq!(at.max, Some(json!("2024-01-09T07:00:00Z")));
    assert_eq!(at.histogram, vec![]);

    // Unscaled (i - 50) * 125 with two decimals; nulls where i % 50 == 49.
    let price = column(&p, "price");
    assert_eq!(price.nulls, 4);
    assert!(within(price.distinct, 196, 2.0), "{}", price.distinct);
    assert_eq!(price.min, Some(json!(-62.5)));
    assert_eq!(price.max, Some(json!(185.0)));
    assert_eq!(counts(&price.histogram).iter().sum::<u64>(), 196);
    assert_eq!(price.histogram[0].low, -62.5);
    assert_eq!(price.histogram[9].high, 185.0);

    let qty = column(&p, "qty");
    assert_eq!((qty.nulls, qty.distinct), (0, 5));
    assert_eq!(
        qty.top_values,
        top(&[
            (json!(1), 40),
            (json!(2), 40),
            (json!(3), 40),
            (json!(4), 40),
            (json!(5), 40)
        ])
    );
    assert_eq!(
        counts(&qty.histogram),
        vec![40, 0, 40, 0, 0, 40, 0, 40, 0, 40]
    );

    // Nested columns: nulls only (an empty list is a value).
    let device = column(&p, "device");
    assert_eq!(
        device,
        &ColumnStats {
            name: "device".into(),
            nulls: 50,
            ..ColumnStats::default()
        }
    );
    assert_eq!(column(&p, "tags").nulls, 67);
    assert_eq!(column(&p, "tags").distinct, 0);

    let gone = column(&p, "gone");
    assert_eq!(
        (gone.nulls, gone.distinct, gone.min.clone()),
        (200, 0, None)
    );
}

#[test]
fn parquet_logical_types_become_json_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("types.parquet");
    write_parquet(
        &file,
        "message types {
            REQUIRED INT64 local_ns (TIMESTAMP(NANOS,false));
            REQUIRED INT64 utc_us (TIMESTAMP(MICROS,true));
            OPTIONAL INT96 legacy;
            REQUIRED FLOAT ratio;
            REQUIRED INT32 cents (DECIMAL(9,2));
            REQUIRED BYTE_ARRAY wide (DECIMAL(30,3));
            REQUIRED INT32 big (UINT_32);
            REQUIRED BOOLEAN flag;
        }",
        vec![vec![
            Values::I64(vec![
                Some(1_704_067_200_123_456_789),
                Some(1_704_153_600_000_000_000),
            ]),
            Values::I64(vec![Some(1_704_067_200_500_000), Some(-1_000_000)]),
            // 2024-01-01 is Julian day 2,460,311; one hour in.
            Values::I96(vec![Some((2_460_311, 3_600_000_000_000)), None]),
            Values::F32(vec![Some(0.1), Some(0.25)]),
            Values::I32(vec![Some(1234), Some(-5)]),
            Values::Text(vec![Some("\u{1}\u{0}".into()), Some("\u{ff}".into())]),
            Values::I32(vec![Some(-1), Some(1)]),
            Values::Bool(vec![Some(true), Some(false)]),
        ]],
        true,
    );
    let cols = [
        ("local_ns", "timestamp", false),
        ("utc_us", "timestamp", false),
        ("legacy", "timestamp", false),
        ("ratio", "float", false),
        ("cents", "decimal(9,2)", false),
        ("wide", "decimal(30,3)", false),
        ("big", "bigint", false),
        ("flag", "boolean", false),
    ];
    let p = profile(&file, &wanted(&cols)).unwrap();
    let range = |name: &str| {
        let c = column(&p, name);
        (c.min.clone().unwrap(), c.max.clone().unwrap())
    };
    assert_eq!(
        range("local_ns"),
        (
            json!("2024-01-01T00:00:00.123456789"),
            json!("2024-01-02T00:00:00")
        )
    );
    assert_eq!(
        range("utc_us"),
        (
            json!("1969-12-31T23:59:59Z"),
            json!("2024-01-01T00:00:00.500Z")
        )
    );
    assert_eq!(
        range("legacy"),
        (json!("2024-01-01T01:00:00Z"), json!("2024-01-01T01:00:00Z"))
    );
    assert_eq!(column(&p, "legacy").nulls, 1);
    assert_eq!(range("ratio"), (json!(0.1), json!(0.25)));
    assert_eq!(range("cents"), (json!(-0.05), json!(12.34)));
    // Big-endian two's complement with three decimals: 0x0100 is 256; "\u{ff}" is the
    // UTF-8 bytes 0xC3 0xBF, -15425.
    assert_eq!(range("wide"), (json!(-15.425), json!(0.256)));
    assert_eq!(range("big"), (json!(1), json!(4_294_967_295u64)));
    assert_eq!(range("flag"), (json!(false), json!(true)));
    assert_eq!(
        column(&p, "flag").top_values,
        top(&[(json!(false), 1), (json!(true), 1)])
    );
    assert_eq!(counts(&column(&p, "big").histogram).iter().sum::<u64>(), 2);
    assert_eq!(column(&p, "local_ns").histogram, vec![], "not numeric");
}

#[test]
fn without_footer_statistics_a_second_pass_gives_the_same_profile() {
    let dir = tempfile::tempdir().unwrap();
    write_sales(&dir.path().join("with"), true);
    write_sales(&dir.path().join("without"), false);
    let with = profile(&dir.path().join("with"), &wanted(&SALES_COLUMNS)).unwrap();
    let without = profile(&dir.path().join("without"), &wanted(&SALES_COLUMNS)).unwrap();
    assert_eq!(without.method, "files");
    assert_eq!(with.columns, without.columns);
    assert_eq!(without.row_count, 200);
    assert_eq!(counts(&column(&without, "id").histogram), vec![20; 10]);
}

#[test]
fn partition_columns_count_each_file_rows_for_their_folder_value() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let message = "message t { REQUIRED INT64 n; }";
    let ns = |r: std::ops::Range<i64>| vec![Values::I64(r.map(Some).collect())];
    write_parquet(
        &table.join("country=fr/year=2023/part-0.parquet"),
        message,
        vec![ns(0..20), ns(20..30)],
        true,
    );
    write_parquet(
        &table.join("country=de/year=2024/part-0.parquet"),
        message,
        vec![ns(30..50)],
        true,
    );
    write_parquet(
        &table.join("country=__HIVE_DEFAULT_PARTITION__/year=2024/part-0.parquet"),
        message,
        vec![ns(50..55)],
        true,
    );
    let cols = [
        ("n", "bigint", false),
        ("country", "string", true),
        ("year", "bigint", true),
    ];
    let p = profile(&table, &wanted(&cols)).unwrap();
    assert_eq!((p.row_count, p.files_read), (55, 3));
    assert_eq!(p.method, "files + Parquet statistics");

    let country = column(&p, "country");
    assert_eq!((country.nulls, country.distinct), (5, 2));
    assert_eq!(
        country.top_values,
        top(&[(json!("fr"), 30), (json!("de"), 20)])
    );
    assert_eq!(country.min, Some(json!("de")));
    assert_eq!(country.max, Some(json!("fr")));
    assert_eq!(country.histogram, vec![]);

    let year = column(&p, "year");
    assert_eq!((year.nulls, year.distinct), (0, 2));
    assert_eq!(
        year.top_values,
        top(&[(json!(2023), 30), (json!(2024), 25)])
    );
    assert_eq!(
        (year.min.clone(), year.max.clone()),
        (Some(json!(2023)), Some(json!(2024)))
    );
    assert_eq!(
        counts(&year.histogram),
        vec![30, 0, 0, 0, 0, 0, 0, 0, 0, 25]
    );

    let n = column(&p, "n");
    assert_eq!(
        (n.min.clone(), n.max.clone()),
        (Some(json!(0)), Some(json!(54)))
    );
    assert_eq!(n.distinct, 55);
    assert_eq!(counts(&n.histogram).iter().sum::<u64>(), 55);
}

#[test]
fn csv_cells_are_typed_by_the_catalog_and_empty_cells_are_null() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("people");
    write(
        &table.join("a.csv"),
        "id,name,score,active,since,notes\n1,Ana,3,true,2024-01-02,\n2,Ben,4.5,false,2024-02-03,x\n3,Ana,n/a,TRUE,2023-12-31,\n",
    );
    write(
        &table.join("b.csv"),
        "id,name,score,active,since,notes\n4,Carla,,false,2024-03-04,y\n",
    );
    let cols = [
        ("id", "bigint", false),
        ("name", "string", false),
        ("score", "double", false),
        ("active", "boolean", false),
        ("since", "date", false),
        ("notes", "string", false),
        ("missing", "string", false),
    ];
    let p = profile(&table, &wanted(&cols)).unwrap();
    assert_eq!((p.row_count, p.files_read), (4, 2));
    assert_eq!(p.method, "files");

    let id = column(&p, "id");
    assert_eq!(id.distinct, 4);
    assert_eq!(
        (id.min.clone(), id.max.clone()),
        (Some(json!(1)), Some(json!(4)))
    );
    assert_eq!(counts(&id.histogram), vec![1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);

    let name = column(&p, "name");
    assert_eq!(
        name.top_values,
        top(&[(json!("Ana"), 2), (json!("Ben"), 1), (json!("Carla"), 1)])
    );

    // `n/a` is a value, but not a number: outside the range and the histogram.
    let score = column(&p, "score");
    assert_eq!((score.nulls, score.distinct), (1, 3));
    assert_eq!(score.min, Some(json!(3.0)));
    assert_eq!(score.max, Some(json!(4.5)));
    assert_eq!(
        score.top_values,
        top(&[(json!(3.0), 1), (json!(4.5), 1), (json!("n/a"), 1)])
    );
    assert_eq!(counts(&score.histogram), vec![1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

    let active = column(&p, "active");
    assert_eq!(
        active.top_values,
        top(&[(json!(false), 2), (json!(true), 2)])
    );
    assert_eq!(
        (active.min.clone(), active.max.clone()),
        (Some(json!(false)), Some(json!(true)))
    );
    assert_eq!(active.histogram, vec![]);

    let since = column(&p, "since");
    assert_eq!(since.min, Some(json!("2023-12-31")));
    assert_eq!(since.max, Some(json!("2024-03-04")));

    let notes = column(&p, "notes");
    assert_eq!((notes.nulls, notes.distinct), (2, 2));
    assert_eq!(column(&p, "missing").nulls, 4);

    // A table of one file.
    let one = profile(&table.join("b.csv"), &wanted(&cols)).unwrap();
    assert_eq!((one.row_count, one.files_read), (1, 1));
    assert_eq!(column(&one, "name").top_values, top(&[(json!("Carla"), 1)]));
    assert_eq!(column(&one, "score").nulls, 1);
    assert_eq!(
        column(&one, "id").histogram,
        vec![HistogramBucket {
            low: 4.0,
            high: 4.0,
            count: 1
        }],
        "one value: one bucket"
    );
}

#[test]
fn json_lines_are_profiled_by_key_with_nested_values_counted_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clicks.jsonl");
    write(
        &file,
        "{\"user\": \"ana\", \"n\": 1, \"meta\": {\"mobile\": true}, \"score\": 1.5}\n{\"user\": \"ben\", \"n\": 2, \"score\": 2}\n\n{\"USER\": \"ana\", \"n\": null, \"meta\": null, \"score\": \"bad\"}\n",
    );
    let cols = [
        ("user", "string", false),
        ("n", "bigint", false),
        ("meta", "struct<mobile:boolean>", false),
        ("score", "double", false),
    ];
    let p = profile(&file, &wanted(&cols)).unwrap();
    assert_eq!((p.row_count, p.files_read), (3, 1));
    let user = column(&p, "user");
    assert_eq!(
        user.top_values,
        top(&[(json!("ana"), 2), (json!("ben"), 1)])
    );
    let n = column(&p, "n");
    assert_eq!((n.nulls, n.distinct), (1, 2));
    assert_eq!(
        (n.min.clone(), n.max.clone()),
        (Some(json!(1)), Some(json!(2)))
    );
    assert_eq!(counts(&n.histogram), vec![1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    let meta = column(&p, "meta");
    assert_eq!((meta.nulls, meta.distinct, meta.min.clone()), (2, 0, None));
    let score = column(&p, "score");
    assert_eq!((score.nulls, score.distinct), (0, 3));
    assert_eq!(
        (score.min.clone(), score.max.clone()),
        (Some(json!(1.5)), Some(json!(2.0)))
    );
}

#[test]
fn a_high_cardinality_column_gets_an_estimate_and_no_top_values() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.parquet");
    let group = |r: std::ops::Range<i64>| {
        vec![
            Values::I64(r.clone().map(Some).collect()),
            Values::Text(r.map(|i| Some(format!("user-{i}"))).collect()),
        ]
    };
    write_parquet(
        &file,
        "message big { REQUIRED INT64 id; REQUIRED BYTE_ARRAY name (UTF8); }",
        vec![
            group(0..40_000),
            group(40_000..70_000),
            group(70_000..100_000),
        ],
        true,
    );
    let cols = [("id", "bigint", false), ("name", "string", false)];
    let p = profile(&file, &wanted(&cols)).unwrap();
    assert_eq!(p.row_count, 100_000);
    let id = column(&p, "id");
    assert!(within(id.distinct, 100_000, 2.0), "{}", id.distinct);
    assert_eq!(id.top_values, vec![]);
    assert_eq!(
        (id.min.clone(), id.max.clone()),
        (Some(json!(0)), Some(json!(99_999)))
    );
    assert_eq!(counts(&id.histogram), vec![10_000; 10]);
    let name = column(&p, "name");
    assert!(within(name.distinct, 100_000, 2.0), "{}", name.distinct);
    assert_eq!(name.top_values, vec![]);
    assert_eq!(name.min, Some(json!("user-0")));
    assert_eq!(name.max, Some(json!("user-99999")));
}

#[test]
fn hyperloglog_stays_within_two_percent_from_small_to_large() {
    for n in [1_000u64, 10_000, 45_000, 100_000, 1_000_000] {
        let mut ints = Hll::new();
        let mut texts = Hll::new();
        for i in 0..n {
            ints.add(hash_int(i128::from(i)));
            texts.add(hash_bytes(format!("key-{i}").as_bytes(), 7));
        }
        for (what, sketch) in [("ints", &ints), ("texts", &texts)] {
            let estimate = sketch.estimate().round() as u64;
            assert!(within(estimate, n, 2.0), "{what} {n}: {estimate}");
        }
    }
}

#[test]
fn a_broken_file_fails_the_profile_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let cols = [("n", "bigint", false)];
    let bad = dir.path().join("bad");
    write_parquet(
        &bad.join("a.parquet"),
        "message t { REQUIRED INT64 n; }",
        vec![vec![Values::I64(vec![Some(1)])]],
        true,
    );
    write(&bad.join("b.parquet"), "nope");
    let e = profile(&bad, &wanted(&cols)).unwrap_err();
    assert!(e.starts_with("file b.parquet: not a Parquet file"), "{e}");

    write(&dir.path().join("ragged/a.csv"), "n\n1\n");
    write(&dir.path().join("ragged/b.csv"), "n,m\n1,2\n3\n");
    let e = profile(&dir.path().join("ragged"), &wanted(&cols)).unwrap_err();
    assert!(e.starts_with("file b.csv: "), "{e}");
    assert!(e.contains("found record with 1 field"), "{e}");

    write(
        &dir.path().join("lines/p=1/a.jsonl"),
        "{\"n\": 1}\n{\"n\": \n",
    );
    let e = profile(&dir.path().join("lines"), &wanted(&cols)).unwrap_err();
    assert!(e.starts_with("file p=1/a.jsonl: line 2: not JSON"), "{e}");

    let e = profile(&dir.path().join("gone"), &wanted(&cols)).unwrap_err();
    assert!(
        e.ends_with("does not exist any more: sync the dataset's tables"),
        "{e}"
    );
}

/// A release-mode timing of a generated Parquet file of about 50 MB:
/// `cargo test -p lakecat-lake --release -- --ignored --nocapture profile_speed`.
#[test]
#[ignore = "a timing, not a check: run by hand in release mode"]
fn profile_speed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("speed.parquet");
    let regions = ["north", "south", "east", "west", "centre"];
    let per_group: i64 = 500_000;
    let groups: Vec<Vec<Values>> = (0..4)
        .map(|g| {
            let r = g * per_group..(g + 1) * per_group;
            vec![
                Values::I64(r.clone().map(Some).collect()),
                Values::F64(
                    r.clone()
                        .map(|i| (i % 10 != 0).then_some((i % 100_003) as f64 * 0.37))
                        .collect(),
                ),
                Values::Text(
                    r.clone()
                        .map(|i| Some(regions[(i % 5) as usize].to_owned()))
                        .collect(),
                ),
                Values::Text(
                    r.clone()
                        .map(|i| Some(format!("customer-{}", i % 300_007)))
                        .collect(),
                ),
                Values::I32(r.map(|i| Some(19_723 + (i % 700) as i32)).collect()),
            ]
        })
        .collect();
    write_parquet(
        &file,
        "message speed { REQUIRED INT64 id; OPTIONAL DOUBLE amount; REQUIRED BYTE_ARRAY region (UTF8); REQUIRED BYTE_ARRAY customer (UTF8); REQUIRED INT32 day (DATE); }",
        groups,
        true,
    );
    let size = fs::metadata(&file).unwrap().len();
    let cols = [
        ("id", "bigint", false),
        ("amount", "double", false),
        ("region", "string", false),
        ("customer", "string", false),
        ("day", "date", false),
    ];
    let started = std::time::Instant::now();
    let p = profile(&file, &wanted(&cols)).unwrap();
    let took = started.elapsed();
    println!(
        "{} rows, {:.1} MB in {:.2?} ({})",
        p.row_count,
        size as f64 / 1e6,
        took,
        p.method
    );
    assert_eq!(p.row_count, 2_000_000);
}
