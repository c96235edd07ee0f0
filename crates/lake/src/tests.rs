#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly on unexpected errors"
)]

use std::fs;
use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use serde_json::{Value, json};

use super::*;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A real Parquet file: `id` INT64, `name` UTF8 (optional), `amount` DOUBLE, `day` DATE.
fn write_parquet(path: &Path, message: &str, rows: i64) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let schema = Arc::new(parse_message_type(message).unwrap());
    let props = Arc::new(WriterProperties::builder().build());
    let file = fs::File::create(path).unwrap();
    let mut writer = SerializedFileWriter::new(file, schema, props).unwrap();
    let mut group = writer.next_row_group().unwrap();
    let n = rows as usize;
    while let Some(mut col) = group.next_column().unwrap() {
        // A file without rows still has its whole schema in the footer.
        if rows == 0 {
            col.close().unwrap();
            continue;
        }
        match col.untyped() {
            parquet::column::writer::ColumnWriter::Int64ColumnWriter(_) => {
                let values: Vec<i64> = (0..rows).collect();
                col.typed::<Int64Type>()
                    .write_batch(&values, None, None)
                    .unwrap();
            }
            parquet::column::writer::ColumnWriter::Int32ColumnWriter(_) => {
                let values: Vec<i32> = (0..n as i32).map(|d| 19_800 + d).collect();
                col.typed::<Int32Type>()
                    .write_batch(&values, None, None)
                    .unwrap();
            }
            parquet::column::writer::ColumnWriter::DoubleColumnWriter(_) => {
                let values: Vec<f64> = (0..n).map(|i| i as f64 * 1.5).collect();
                col.typed::<DoubleType>()
                    .write_batch(&values, None, None)
                    .unwrap();
            }
            parquet::column::writer::ColumnWriter::ByteArrayColumnWriter(_) => {
                let values: Vec<ByteArray> = (0..n)
                    .map(|i| ByteArray::from(format!("row {i}").as_str()))
                    .collect();
                let defs = vec![1i16; n];
                col.typed::<ByteArrayType>()
                    .write_batch(&values, Some(&defs), None)
                    .unwrap();
            }
            other => panic!("no test values for {}", std::any::type_name_of_val(&other)),
        }
        col.close().unwrap();
    }
    group.close().unwrap();
    writer.close().unwrap();
}

const ORDERS: &str = "message orders {
    REQUIRED INT64 order_id;
    OPTIONAL BYTE_ARRAY customer (UTF8);
    REQUIRED DOUBLE amount;
    REQUIRED INT32 order_day (DATE);
}";

fn columns(t: &DiscoveredTable) -> Vec<(String, String, bool)> {
    t.columns
        .iter()
        .map(|c| (c.name.clone(), c.data_type.clone(), c.is_partition))
        .collect()
}

fn col(name: &str, t: &str) -> (String, String, bool) {
    (name.into(), t.into(), false)
}

#[test]
fn parquet_schemas_come_from_the_footer_with_partitions_from_folders() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("orders");
    write_parquet(&table.join("year=2024/month=05/part-0.parquet"), ORDERS, 10);
    write_parquet(&table.join("year=2025/month=01/part-0.parquet"), ORDERS, 3);
    write(&table.join("_SUCCESS"), "");
    write(&table.join(".part-0.parquet.crc"), "x");
    let d = LocalLake::discover_dir(dir.path()).unwrap();
    assert_eq!(d.failures, vec![]);
    let t = &d.tables[0];
    assert_eq!(t.glue_name.as_str(), "orders");
    assert_eq!(t.format, "parquet");
    assert_eq!(
        t.properties,
        serde_json::json!({ "classification": "parquet" })
    );
    assert!(t.location.starts_with("file:///"), "{}", t.location);
    assert!(t.location.ends_with("/orders"), "{}", t.location);
    assert_eq!(
        columns(t),
        vec![
            col("order_id", "bigint"),
            col("customer", "string"),
            col("amount", "double"),
            col("order_day", "date"),
            ("year".into(), "bigint".into(), true),
            ("month".into(), "bigint".into(), true),
        ]
    );
}

#[test]
fn parquet_nested_and_logical_types_map_to_glue_types() {
    let dir = tempfile::tempdir().unwrap();
    // The footer is all that is read, so a file with no rows carries the whole schema.
    write_parquet(
        &dir.path().join("events.parquet"),
        "message events {
            REQUIRED INT64 at (TIMESTAMP(MICROS,true));
            OPTIONAL FIXED_LEN_BYTE_ARRAY (16) price (DECIMAL(12,2));
            OPTIONAL GROUP tags (LIST) { REPEATED GROUP list { OPTIONAL BYTE_ARRAY element (UTF8); } }
            OPTIONAL GROUP attrs (MAP) { REPEATED GROUP key_value { REQUIRED BYTE_ARRAY key (UTF8); OPTIONAL INT32 value; } }
            OPTIONAL GROUP device { OPTIONAL BYTE_ARRAY os (UTF8); OPTIONAL INT32 version (INT_16); }
            REPEATED INT64 scores;
            OPTIONAL BYTE_ARRAY payload;
            OPTIONAL INT96 legacy_ts;
            OPTIONAL FLOAT ratio;
            OPTIONAL BOOLEAN flag;
        }",
        0,
    );
    let d = LocalLake::discover_dir(dir.path()).unwrap();
    assert_eq!(d.failures, vec![]);
    assert_eq!(d.tables[0].glue_name.as_str(), "events");
    assert_eq!(
        columns(&d.tables[0]),
        vec![
            col("at", "timestamp"),
            col("price", "decimal(12,2)"),
            col("tags", "array<string>"),
            col("attrs", "map<string,int>"),
            col("device", "struct<os:string,version:smallint>"),
            col("scores", "array<bigint>"),
            col("payload", "binary"),
            col("legacy_ts", "timestamp"),
            col("ratio", "float"),
            col("flag", "boolean"),
        ]
    );
}

#[test]
fn csv_types_are_inferred_from_values_and_widened_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("customers");
    write(
        &table.join("a.csv"),
        "id,name,score,active,since,seen_at,notes\n1,Ana,3,true,2024-01-02,2024-01-02 10:00:00,\n2,Ben,4,false,2024-02-03,2024-02-03T11:00:00Z,\n",
    );
    write(
        &table.join("b.csv"),
        "id,name,score,active,since,seen_at,notes\n3,Carla,4.5,TRUE,2024-03-04 09:00:00,2024-03-04 12:00:00,vip\n",
    );
    let d = LocalLake::discover_dir(dir.path()).unwrap();
    assert_eq!(d.failures, vec![]);
    let t = &d.tables[0];
    assert_eq!(t.format, "csv");
    assert_eq!(t.properties["delimiter"], ",");
    assert_eq!(
        columns(t),
        vec![
            col("id", "bigint"),
            col("name", "string"),
            col("score", "double"),
            col("active", "boolean"),
            col("since", "timestamp"),
            col("seen_at", "timestamp"),
            col("notes", "string"),
        ]
    );
}

#[test]
fn json_lines_take_every_key_in_first_seen_order() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("clicks/2024.jsonl"),
        "{\"user\": \"ana\", \"n\": 1, \"meta\": {\"ua\": \"x\", \"mobile\": true}}\n\n{\"user\": \"ben\", \"n\": 2.5, \"tags\": [\"a\", \"b\"], \"extra\": null}\n",
    );
    let d = LocalLake::discover_dir(dir.path()).unwrap();
    assert_eq!(d.failures, vec![]);
    assert_eq!(d.tables[0].format, "json");
    assert_eq!(
        columns(&d.tables[0]),
        vec![
            col("meta", "struct<mobile:boolean,ua:string>"),
            col("n", "double"),
            col("user", "string"),
            col("extra", "string"),
            col("tags", "array<string>"),
        ]
    );
}

#[test]
fn a_broken_table_fails_alone_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("good/a.csv"), "x,y\n1,2\n");
    write(
        &root.join("not_parquet/part-0.parquet"),
        "this is not parquet",
    );
    write(&root.join("ragged/a.csv"), "a,b,c\n1,2,3\n4,5\n");
    write(&root.join("mixed/a.csv"), "a\n1\n");
    write(&root.join("mixed/b.jsonl"), "{\"a\": 1}\n");
    write(&root.join("headers/a.csv"), "a,b\n1,2\n");
    write(&root.join("headers/b.csv"), "a,c\n1,2\n");
    write(&root.join("Bad-Name/a.csv"), "a\n1\n");
    write(&root.join("notes/readme.txt"), "hello");
    write(&root.join("not_json/a.json"), "[1, 2]\n");
    write(&root.join("empty/.keep"), "");
    write(&root.join("dup/a.csv"), "a,a\n1,2\n");
    write(&root.join("partitioned/day=1/a.csv"), "day\n1\n");
    write(&root.join("loose/sub/a.csv"), "a\n1\n");
    write(&root.join("README.md"), "not a table");
    let d = LocalLake::discover_dir(root).unwrap();
    let names: Vec<&str> = d.tables.iter().map(|t| t.glue_name.as_str()).collect();
    assert_eq!(names, vec!["good"]);
    let reasons: BTreeMap<&str, &str> = d
        .failures
        .iter()
        .map(|f| (f.table.as_str(), f.reason.as_str()))
        .collect();
    let has = |table: &str, text: &str| {
        let r = reasons
            .get(table)
            .unwrap_or_else(|| panic!("{table} did not fail: {reasons:?}"));
        assert!(r.contains(text), "{table}: {r}");
    };
    has("not_parquet", "file part-0.parquet: not a Parquet file");
    has("ragged", "file a.csv: ");
    has("ragged", "found record with 2 fields");
    has("mixed", "is not csv like a.csv");
    has(
        "headers",
        "file b.csv does not match a.csv: its header is (a, c), not (a, b)",
    );
    has("Bad-Name", "Bad-Name is not a table name");
    has(
        "notes",
        "file readme.txt is not .parquet, .csv, .json, .jsonl or .ndjson",
    );
    has("not_json", "file a.json: line 1: not a JSON object");
    has("empty", "no data file yet");
    has("dup", "column a appears twice in the header");
    has(
        "partitioned",
        "partition key day is also a column of the files",
    );
    has("loose", "folder sub is not a partition (key=value)");
    assert_eq!(d.failures.len(), 11, "{:?}", d.failures);
}

#[test]
fn a_missing_dataset_folder_has_no_tables() {
    let dir = tempfile::tempdir().unwrap();
    let d = LocalLake::discover_dir(&dir.path().join("nothing")).unwrap();
    assert_eq!(d, Discovery::default());
}

#[test]
fn widening_keeps_the_narrowest_type_holding_both() {
    assert_eq!(widen("bigint", "double"), "double");
    assert_eq!(widen("date", "timestamp"), "timestamp");
    assert_eq!(widen("null", "boolean"), "boolean");
    assert_eq!(widen("bigint", "boolean"), "string");
    assert_eq!(
        infer::partition_type(["2024-01-01", "2024-01-02"].into_iter()),
        "date"
    );
    assert_eq!(infer::partition_type(["1", "x"].into_iter()), "string");
    assert_eq!(
        infer::partition_type(["__HIVE_DEFAULT_PARTITION__", "7"].into_iter()),
        "bigint"
    );
}

fn wanted<'a>(cols: &'a [(&'a str, &'a str, bool)]) -> Vec<preview::Wanted<'a>> {
    cols.iter()
        .map(|(name, data_type, is_partition)| preview::Wanted {
            name,
            data_type,
            is_partition: *is_partition,
        })
        .collect()
}

#[test]
fn a_preview_reads_the_first_rows_typed_by_the_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("returns");
    write(
        &table.join("month=2024-05/part-0.csv"),
        "return_id,reason,refund,ok\n1,damaged,9.5,true\n2,late,,false\n",
    );
    write(
        &table.join("month=2024-06/part-0.csv"),
        "return_id,reason,refund,ok\n3,x,1,TRUE\n",
    );
    let cols = [
        ("return_id", "bigint", false),
        ("reason", "string", false),
        ("refund", "double", false),
        ("ok", "boolean", false),
        ("missing", "string", false),
        ("month", "string", true),
    ];
    let p = preview::preview(&table, &wanted(&cols), 2).unwrap();
    assert_eq!(
        p.rows,
        vec![
            vec![
                json!(1),
                json!("damaged"),
                json!(9.5),
                json!(true),
                Value::Null,
                json!("2024-05")
            ],
            vec![
                json!(2),
                json!("late"),
                Value::Null,
                json!(false),
                Value::Null,
                json!("2024-05")
            ],
        ]
    );
    assert!(p.more, "a third row exists");
    assert_eq!(p.files_read, 2, "one row more was read to know");
    let all = preview::preview(&table, &wanted(&cols), 100).unwrap();
    assert_eq!(all.rows.len(), 3);
    assert!(!all.more);
    assert_eq!(all.rows[2][3], json!(true));
    assert_eq!(all.rows[2][5], json!("2024-06"));
}

#[test]
fn a_preview_reads_parquet_records_and_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    write_parquet(&dir.path().join("orders/part-0.parquet"), ORDERS, 5);
    let cols = [
        ("order_id", "bigint", false),
        ("customer", "string", false),
        ("amount", "double", false),
    ];
    let p = preview::preview(&dir.path().join("orders"), &wanted(&cols), 3).unwrap();
    assert_eq!(
        p.rows,
        vec![
            vec![json!(0), json!("row 0"), json!(0.0)],
            vec![json!(1), json!("row 1"), json!(1.5)],
            vec![json!(2), json!("row 2"), json!(3.0)],
        ]
    );
    assert!(p.more);
    write(
        &dir.path().join("clicks.jsonl"),
        "{\"user\": \"ana\", \"meta\": {\"mobile\": true}}\n{\"user\": \"ben\"}\n",
    );
    let cols = [
        ("USER", "string", false),
        ("meta", "struct<mobile:boolean>", false),
    ];
    let p = preview::preview(&dir.path().join("clicks.jsonl"), &wanted(&cols), 10).unwrap();
    assert_eq!(
        p.rows,
        vec![
            vec![json!("ana"), json!({"mobile": true})],
            vec![json!("ben"), Value::Null]
        ]
    );
    assert!(!p.more);
}

#[test]
fn a_preview_of_a_broken_or_missing_file_says_which_and_why() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("bad/part-0.parquet"), "nope");
    let cols = [("a", "string", false)];
    let e = preview::preview(&dir.path().join("bad"), &wanted(&cols), 10).unwrap_err();
    assert!(
        e.starts_with("file part-0.parquet: not a Parquet file"),
        "{e}"
    );
    let e = preview::preview(&dir.path().join("gone"), &wanted(&cols), 10).unwrap_err();
    assert!(
        e.ends_with("does not exist any more: sync the dataset's tables"),
        "{e}"
    );
    assert!(preview::location_path("s3://bucket/t/").is_err());
}
