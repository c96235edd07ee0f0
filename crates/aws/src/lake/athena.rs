//! A table's data on AWS, read by Athena in the environment's workgroup (`<prefix>-workgroup`,
//! made by the environment stack, results encrypted in its bucket) as the environment's pivot
//! role. A preview is `SELECT <columns> FROM "<db>"."<table>" LIMIT n+1`; a profile one query
//! of `count(*)` and, per column, `count`, `approx_distinct`, `min`, `max`, the most frequent
//! values (`approx_most_frequent`, exact while the column has few distinct values) and, for
//! numeric columns, an equal-width histogram over [min, max] (`histogram` of `width_bucket`,
//! the bounds from a subquery of the same query). A query is polled with backoff until it
//! ends, and stopped when it outlasts its timeout.

use std::time::{Duration, Instant};

use aws_sdk_athena::Client as Athena;
use aws_sdk_athena::error::DisplayErrorContext;
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState};
use lakecat_core::catalog::{Column, Dataset, Environment, Table};
use lakecat_core::lake::{
    ColumnStats, HISTOGRAM_BUCKETS, HistogramBucket, TOP_VALUES, TOP_VALUES_MAX_DISTINCT,
    TablePreview, TableProfile, ValueCount, typed_text,
};
use lakecat_core::{Error, Reason};
use serde_json::Value;

/// The workgroup lakecat's queries run in: the environment stack's.
pub(crate) fn workgroup(environment: &Environment) -> String {
    format!("{}-workgroup", environment.resource_prefix.as_str())
}

/// `name` as an Athena (Trino) identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn unreadable(m: String) -> Error {
    Error::unavailable(m).with_reason(Reason::LakeUnreadable)
}

/// A finished query: its id and its rows as text, the header row left out.
pub(crate) struct Answer {
    pub id: String,
    pub rows: Vec<Vec<Option<String>>>,
}

/// Runs `sql` against the dataset's Glue database in the environment's workgroup.
pub(crate) async fn run(
    athena: &Athena,
    environment: &Environment,
    dataset: &Dataset,
    sql: &str,
    timeout: Duration,
) -> lakecat_core::Result<Answer> {
    let wg = workgroup(environment);
    let started = athena
        .start_query_execution()
        .query_string(sql)
        .work_group(&wg)
        .query_execution_context(
            QueryExecutionContext::builder()
                .database(&dataset.aws.glue_database)
                .build(),
        )
        .send()
        .await
        .map_err(|e| {
            unreadable(format!(
                "athena StartQueryExecution in workgroup {wg}: {}",
                DisplayErrorContext(&e)
            ))
        })?;
    let id = started
        .query_execution_id()
        .ok_or_else(|| unreadable("athena StartQueryExecution: no query id returned".into()))?
        .to_owned();
    let deadline = Instant::now() + timeout;
    let mut delay = Duration::from_millis(100);
    loop {
        let got = athena
            .get_query_execution()
            .query_execution_id(&id)
            .send()
            .await
            .map_err(|e| {
                unreadable(format!(
                    "athena GetQueryExecution {id}: {}",
                    DisplayErrorContext(&e)
                ))
            })?;
        let status = got.query_execution().and_then(|q| q.status());
        match status.and_then(|s| s.state()) {
            Some(QueryExecutionState::Succeeded) => break,
            Some(QueryExecutionState::Failed | QueryExecutionState::Cancelled) => {
                let why = status
                    .and_then(|s| s.state_change_reason())
                    .unwrap_or("no reason given");
                return Err(unreadable(format!("athena query {id} failed: {why}")));
            }
            _ => {}
        }
        if Instant::now() + delay > deadline {
            // Stopped, so a forgotten query costs nothing more; its outcome is not waited for.
            let _ = athena
                .stop_query_execution()
                .query_execution_id(&id)
                .send()
                .await;
            return Err(Error::unavailable(format!(
                "athena query {id} did not finish within {} s and was stopped",
                timeout.as_secs_f64()
            ))
            .with_reason(Reason::QueryTimeout));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
    let mut rows = vec![];
    let mut pages = athena
        .get_query_results()
        .query_execution_id(&id)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| {
            unreadable(format!(
                "athena GetQueryResults {id}: {}",
                DisplayErrorContext(&e)
            ))
        })?;
        if let Some(set) = page.result_set() {
            rows.extend(set.rows().iter().map(|row| {
                row.data()
                    .iter()
                    .map(|d| d.var_char_value().map(str::to_owned))
                    .collect()
            }));
        }
    }
    // A SELECT's first row is its header.
    if !rows.is_empty() {
        rows.remove(0);
    }
    Ok(Answer { id, rows })
}

pub(crate) fn preview_sql(
    dataset: &Dataset,
    table: &Table,
    columns: &[Column],
    limit: usize,
) -> String {
    let cols: Vec<String> = columns.iter().map(|c| quoted(&c.name)).collect();
    format!(
        "SELECT {} FROM {}.{} LIMIT {}",
        cols.join(", "),
        quoted(&dataset.aws.glue_database),
        quoted(&table.glue_name),
        limit + 1
    )
}

/// The preview of `answer`, its values typed by the catalog's columns.
pub(crate) fn preview(columns: &[Column], answer: Answer, limit: usize) -> TablePreview {
    let more = answer.rows.len() > limit;
    let rows = answer
        .rows
        .into_iter()
        .take(limit)
        .map(|r| {
            columns
                .iter()
                .enumerate()
                .map(|(i, c)| match r.get(i).cloned().flatten() {
                    Some(v) => typed_text(&v, &c.data_type),
                    None => Value::Null,
                })
                .collect()
        })
        .collect();
    TablePreview {
        columns: columns
            .iter()
            .map(|c| (c.name.clone(), c.data_type.clone()))
            .collect(),
        rows,
        more,
        files_read: 0,
        query_id: Some(answer.id),
    }
}

/// Whether Athena takes min, max and distinct counts of a column of this type.
fn scalar(data_type: &str) -> bool {
    let t = data_type.to_ascii_lowercase();
    !["array", "map", "struct", "uniontype", "binary"]
        .iter()
        .any(|k| t.starts_with(k))
}

/// Whether a column of this type gets a histogram.
fn numeric(data_type: &str) -> bool {
    let t = data_type.to_ascii_lowercase();
    [
        "tinyint", "smallint", "int", "integer", "bigint", "float", "real", "double",
    ]
    .contains(&t.as_str())
        || t.starts_with("decimal")
}

/// Values `approx_most_frequent` keeps counters for: above the most distinct values a column
/// may have and still list its top values, so their counts are exact.
const FREQUENT_CAPACITY: u64 = 2 * TOP_VALUES_MAX_DISTINCT;

/// One row: `count(*)`, then per column `count`, and for scalar columns `approx_distinct`,
/// `min`, `max` (as text) and the most frequent values (a JSON object of value → count), and
/// for numeric ones the histogram (a JSON object of bucket 1..=10 → count). The histogram's
/// bounds come from a subquery (`b`) over the same table; a value is bucketed only when the
/// bounds differ and it and they are finite (`width_bucket` refuses the rest). The table's
/// columns are qualified (`t.`) so none can be taken for a bound's.
pub(crate) fn profile_sql(dataset: &Dataset, table: &Table, columns: &[Column]) -> String {
    let from = format!(
        "{}.{}",
        quoted(&dataset.aws.glue_database),
        quoted(&table.glue_name)
    );
    let mut parts = vec!["count(*)".to_owned()];
    let mut bounds = vec![];
    for (i, c) in columns.iter().enumerate() {
        let name = quoted(&c.name);
        let q = format!("t.{name}");
        parts.push(format!("count({q})"));
        if !scalar(&c.data_type) {
            continue;
        }
        parts.push(format!("approx_distinct({q})"));
        parts.push(format!("CAST(min({q}) AS varchar)"));
        parts.push(format!("CAST(max({q}) AS varchar)"));
        parts.push(format!(
            "json_format(CAST(approx_most_frequent({TOP_VALUES}, CAST({q} AS varchar), {FREQUENT_CAPACITY}) AS json))"
        ));
        if numeric(&c.data_type) {
            let (lo, hi) = (format!("b.lo{i}"), format!("b.hi{i}"));
            bounds.push(format!(
                "CAST(min({name}) AS double) AS lo{i}, CAST(max({name}) AS double) AS hi{i}"
            ));
            let v = format!("CAST({q} AS double)");
            parts.push(format!(
                "json_format(CAST(histogram(CASE WHEN {hi} > {lo} AND is_finite({lo}) AND is_finite({hi}) AND is_finite({v}) THEN least(width_bucket({v}, {lo}, {hi}, {HISTOGRAM_BUCKETS}), {HISTOGRAM_BUCKETS}) END) AS json))"
            ));
        }
    }
    if bounds.is_empty() {
        format!("SELECT {} FROM {from} AS t", parts.join(", "))
    } else {
        format!(
            "WITH b AS (SELECT {} FROM {from}) SELECT {} FROM {from} AS t CROSS JOIN b",
            bounds.join(", "),
            parts.join(", ")
        )
    }
}

/// A JSON object of the answer (`json_format`'s text) as pairs; none for a null cell.
fn json_object(
    id: &str,
    what: &str,
    cell: Option<String>,
) -> lakecat_core::Result<Vec<(String, u64)>> {
    let Some(text) = cell else {
        return Ok(vec![]);
    };
    let map: serde_json::Map<String, Value> = serde_json::from_str(&text).map_err(|e| {
        unreadable(format!(
            "athena query {id}: {what} is not a JSON object: {e}"
        ))
    })?;
    map.into_iter()
        .map(|(k, v)| {
            v.as_u64().map(|n| (k, n)).ok_or_else(|| {
                unreadable(format!(
                    "athena query {id}: {what} has a count that is not one"
                ))
            })
        })
        .collect()
}

/// Equal-width buckets over [lo, hi] from `width_bucket`'s counts (bucket 1..=10); one bucket
/// of every non-null value when lo is hi, as the local profiler gives.
fn histogram(lo: f64, hi: f64, non_null: u64, counts: &[(String, u64)]) -> Vec<HistogramBucket> {
    if !(lo.is_finite() && hi.is_finite()) || non_null == 0 {
        return vec![];
    }
    if hi <= lo {
        return vec![HistogramBucket {
            low: lo,
            high: hi,
            count: non_null,
        }];
    }
    let width = (hi - lo) / HISTOGRAM_BUCKETS as f64;
    let mut buckets: Vec<HistogramBucket> = (0..HISTOGRAM_BUCKETS)
        .map(|i| HistogramBucket {
            low: lo + width * i as f64,
            high: if i + 1 == HISTOGRAM_BUCKETS {
                hi
            } else {
                lo + width * (i + 1) as f64
            },
            count: 0,
        })
        .collect();
    for (bucket, n) in counts {
        if let Ok(b) = bucket.trim().parse::<usize>() {
            let i = b.clamp(1, HISTOGRAM_BUCKETS) - 1;
            buckets[i].count += n;
        }
    }
    buckets
}

/// The profile in the one row of a [`profile_sql`] query's answer.
pub(crate) fn profile(columns: &[Column], answer: Answer) -> lakecat_core::Result<TableProfile> {
    let id = answer.id;
    let row = answer
        .rows
        .into_iter()
        .next()
        .ok_or_else(|| unreadable(format!("athena query {id} returned no row")))?;
    let mut cells = row.into_iter();
    let count = |cells: &mut std::vec::IntoIter<Option<String>>, what: &str| {
        cells
            .next()
            .flatten()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| unreadable(format!("athena query {id}: {what} is not a count")))
    };
    let total = count(&mut cells, "count(*)")?;
    let mut stats = Vec::with_capacity(columns.len());
    for c in columns {
        let non_null = count(&mut cells, &format!("count({})", c.name))?;
        let mut column = ColumnStats {
            name: c.name.clone(),
            nulls: total.saturating_sub(non_null),
            distinct: 0,
            min: None,
            max: None,
            top_values: vec![],
            histogram: vec![],
        };
        if scalar(&c.data_type) {
            column.distinct = cells
                .next()
                .flatten()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0);
            let min = cells.next().flatten();
            let max = cells.next().flatten();
            let frequent = json_object(
                &id,
                &format!("the top values of {}", c.name),
                cells.next().flatten(),
            )?;
            if column.distinct <= TOP_VALUES_MAX_DISTINCT {
                let mut top: Vec<ValueCount> = frequent
                    .into_iter()
                    .map(|(v, count)| ValueCount {
                        value: typed_text(&v, &c.data_type),
                        count,
                    })
                    .collect();
                top.sort_by(|a, b| {
                    b.count
                        .cmp(&a.count)
                        .then_with(|| a.value.to_string().cmp(&b.value.to_string()))
                });
                top.truncate(TOP_VALUES);
                column.top_values = top;
            }
            if numeric(&c.data_type) {
                let counts = json_object(
                    &id,
                    &format!("the histogram of {}", c.name),
                    cells.next().flatten(),
                )?;
                let bound =
                    |v: &Option<String>| v.as_deref().and_then(|v| v.trim().parse::<f64>().ok());
                if let (Some(lo), Some(hi)) = (bound(&min), bound(&max)) {
                    column.histogram = histogram(lo, hi, non_null, &counts);
                }
            }
            column.min = min.map(|v| typed_text(&v, &c.data_type));
            column.max = max.map(|v| typed_text(&v, &c.data_type));
        }
        stats.push(column);
    }
    Ok(TableProfile {
        row_count: total,
        rows_scanned: total,
        files_read: 0,
        method: format!("athena (query {id})"),
        columns: stats,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakecat_core::ids::*;
    use lakecat_core::names::*;

    fn fixture(cols: &[(&str, &str)]) -> (Environment, Dataset, Table, Vec<Column>) {
        let now = chrono::Utc::now();
        let (env, _) = lakecat_testkit::new_environment("444455556666", "eu-west-1")
            .unwrap()
            .build("test", now);
        let (ds, _) = lakecat_testkit::new_dataset(&env, "Sales", "sales")
            .unwrap()
            .build(&env, "test", now)
            .unwrap();
        let t = Table {
            id: TableId::generate(),
            dataset_id: ds.id.clone(),
            glue_name: "order_lines".into(),
            label: "order_lines".into(),
            location: String::new(),
            format: "parquet".into(),
            properties: serde_json::json!({}),
            description: Description::parse("d", "").unwrap(),
            tags: vec![],
            version: 1,
            created_at: now,
            updated_at: now,
            deleted_at: None,
        };
        let columns = cols
            .iter()
            .enumerate()
            .map(|(i, (n, ty))| Column {
                id: ColumnId::generate(),
                table_id: t.id.clone(),
                name: (*n).into(),
                data_type: (*ty).into(),
                is_partition: *n == "dt",
                position: i as i64,
                description: Description::parse("d", "").unwrap(),
                tags: vec![],
                classification: None,
                version: 1,
            })
            .collect();
        (env, ds, t, columns)
    }

    fn cells(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|c| c.map(str::to_owned)).collect()
    }

    #[test]
    fn a_preview_asks_one_row_more_and_types_the_answer_by_the_catalog() {
        let (env, ds, t, cols) = fixture(&[
            ("order_id", "bigint"),
            ("amount", "double"),
            ("tags", "array<string>"),
            ("dt", "date"),
        ]);
        assert_eq!(workgroup(&env), "lake-workgroup");
        let db = &ds.aws.glue_database;
        assert_eq!(
            preview_sql(&ds, &t, &cols, 2),
            format!(
                "SELECT \"order_id\", \"amount\", \"tags\", \"dt\" FROM \"{db}\".\"order_lines\" LIMIT 3"
            )
        );
        let answer = Answer {
            id: "q-1".into(),
            rows: vec![
                cells(&[Some("1"), Some("2.5"), Some("[a, b]"), Some("2024-05-01")]),
                cells(&[Some("2"), None, Some("[]"), Some("2024-05-01")]),
                cells(&[Some("3"), Some("4"), None, Some("2024-05-02")]),
            ],
        };
        let p = preview(&cols, answer, 2);
        assert_eq!(
            p.rows,
            [
                vec![
                    serde_json::json!(1),
                    serde_json::json!(2.5),
                    serde_json::json!("[a, b]"),
                    serde_json::json!("2024-05-01")
                ],
                vec![
                    serde_json::json!(2),
                    Value::Null,
                    serde_json::json!("[]"),
                    serde_json::json!("2024-05-01")
                ],
            ]
        );
        assert!(p.more);
        assert_eq!(p.query_id.as_deref(), Some("q-1"));
    }

    #[test]
    fn a_profile_is_one_query_whose_row_gives_every_column() {
        let (_, ds, t, cols) = fixture(&[
            ("amount", "double"),
            ("tags", "array<string>"),
            ("dt", "date"),
            ("qty", "int"),
        ]);
        let db = &ds.aws.glue_database;
        let hist = |i: usize, q: &str| {
            let v = format!("CAST(t.\"{q}\" AS double)");
            format!(
                "json_format(CAST(histogram(CASE WHEN b.hi{i} > b.lo{i} AND is_finite(b.lo{i}) AND is_finite(b.hi{i}) AND is_finite({v}) THEN least(width_bucket({v}, b.lo{i}, b.hi{i}, 10), 10) END) AS json))"
            )
        };
        let top = |q: &str| {
            format!(
                "json_format(CAST(approx_most_frequent(10, CAST(t.\"{q}\" AS varchar), 100) AS json))"
            )
        };
        assert_eq!(
            profile_sql(&ds, &t, &cols),
            format!(
                "WITH b AS (SELECT CAST(min(\"amount\") AS double) AS lo0, CAST(max(\"amount\") AS double) AS hi0, CAST(min(\"qty\") AS double) AS lo3, CAST(max(\"qty\") AS double) AS hi3 FROM \"{db}\".\"order_lines\") \
                 SELECT count(*), \
                 count(t.\"amount\"), approx_distinct(t.\"amount\"), CAST(min(t.\"amount\") AS varchar), CAST(max(t.\"amount\") AS varchar), {}, {}, \
                 count(t.\"tags\"), \
                 count(t.\"dt\"), approx_distinct(t.\"dt\"), CAST(min(t.\"dt\") AS varchar), CAST(max(t.\"dt\") AS varchar), {}, \
                 count(t.\"qty\"), approx_distinct(t.\"qty\"), CAST(min(t.\"qty\") AS varchar), CAST(max(t.\"qty\") AS varchar), {}, {} \
                 FROM \"{db}\".\"order_lines\" AS t CROSS JOIN b",
                top("amount"),
                hist(0, "amount"),
                top("dt"),
                top("qty"),
                hist(3, "qty"),
            )
        );
        let answer = Answer {
            id: "q-2".into(),
            rows: vec![cells(&[
                Some("1000"),
                // amount: many distinct values, so no top values; ten buckets over [0.5, 99.5].
                Some("950"),
                Some("700"),
                Some("0.5"),
                Some("99.5"),
                Some(r#"{"1.5":9,"2.5":8}"#),
                Some(
                    r#"{"1":100,"2":95,"3":95,"4":95,"5":95,"6":95,"7":95,"8":95,"9":95,"10":90}"#,
                ),
                // tags: nested, its count alone.
                Some("990"),
                // dt: five days, listed by count then value.
                Some("1000"),
                Some("5"),
                Some("2024-05-01"),
                Some("2024-05-05"),
                Some(
                    r#"{"2024-05-03":200,"2024-05-01":300,"2024-05-02":200,"2024-05-04":150,"2024-05-05":150}"#,
                ),
                // qty: one value, so one bucket of every non-null row.
                Some("800"),
                Some("1"),
                Some("7"),
                Some("7"),
                Some(r#"{"7":800}"#),
                Some("{}"),
            ])],
        };
        let p = profile(&cols, answer).unwrap();
        assert_eq!(
            (p.row_count, p.rows_scanned, p.method.as_str()),
            (1000, 1000, "athena (query q-2)")
        );
        let amount = &p.columns[0];
        assert_eq!((amount.nulls, amount.distinct), (50, 700));
        assert_eq!(
            (amount.min.clone(), amount.max.clone()),
            (Some(serde_json::json!(0.5)), Some(serde_json::json!(99.5)))
        );
        assert!(amount.top_values.is_empty(), "700 distinct: no top values");
        assert_eq!(amount.histogram.len(), 10);
        assert_eq!(
            (
                amount.histogram[0].low,
                amount.histogram[0].high,
                amount.histogram[0].count
            ),
            (0.5, 10.4, 100)
        );
        assert_eq!(
            (amount.histogram[9].high, amount.histogram[9].count),
            (99.5, 90)
        );
        assert_eq!(
            amount.histogram.iter().map(|b| b.count).sum::<u64>(),
            950,
            "every non-null value in a bucket"
        );
        assert_eq!(
            (
                p.columns[1].nulls,
                p.columns[1].distinct,
                p.columns[1].min.clone(),
                p.columns[1].top_values.len()
            ),
            (10, 0, None, 0)
        );
        let dt = &p.columns[2];
        assert_eq!(dt.max, Some(serde_json::json!("2024-05-05")));
        assert_eq!(
            dt.top_values
                .iter()
                .map(|v| (v.value.as_str().unwrap(), v.count))
                .collect::<Vec<_>>(),
            [
                ("2024-05-01", 300),
                ("2024-05-02", 200),
                ("2024-05-03", 200),
                ("2024-05-04", 150),
                ("2024-05-05", 150)
            ]
        );
        assert!(dt.histogram.is_empty(), "a date has no histogram");
        let qty = &p.columns[3];
        assert_eq!(
            qty.top_values,
            [ValueCount {
                value: serde_json::json!(7),
                count: 800
            }]
        );
        assert_eq!(
            qty.histogram,
            [HistogramBucket {
                low: 7.0,
                high: 7.0,
                count: 800
            }]
        );
        // A short answer is an error naming the query, not a made-up profile.
        let short = Answer {
            id: "q-3".into(),
            rows: vec![cells(&[Some("1000"), Some("x")])],
        };
        let e = profile(&cols, short).unwrap_err();
        assert_eq!(e.message, "athena query q-3: count(amount) is not a count");
        // So is a frequency that is not the JSON asked for.
        let garbled = Answer {
            id: "q-4".into(),
            rows: vec![cells(&[
                Some("10"),
                Some("10"),
                Some("3"),
                Some("1"),
                Some("2"),
                Some("{1=4, 2=6}"),
            ])],
        };
        let e = profile(&cols, garbled).unwrap_err();
        assert!(
            e.message
                .starts_with("athena query q-4: the top values of amount is not a JSON object: "),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_profile_without_numeric_columns_reads_the_table_once() {
        let (_, ds, t, cols) = fixture(&[("status", "string")]);
        let db = &ds.aws.glue_database;
        assert_eq!(
            profile_sql(&ds, &t, &cols),
            format!(
                "SELECT count(*), count(t.\"status\"), approx_distinct(t.\"status\"), CAST(min(t.\"status\") AS varchar), CAST(max(t.\"status\") AS varchar), json_format(CAST(approx_most_frequent(10, CAST(t.\"status\" AS varchar), 100) AS json)) FROM \"{db}\".\"order_lines\" AS t"
            )
        );
        // All null: no distinct values, no top values (Athena answers null), a zero count.
        let answer = Answer {
            id: "q-5".into(),
            rows: vec![cells(&[Some("4"), Some("0"), Some("0"), None, None, None])],
        };
        let p = profile(&cols, answer).unwrap();
        let status = &p.columns[0];
        assert_eq!((status.nulls, status.distinct), (4, 0));
        assert!(status.top_values.is_empty() && status.min.is_none());
    }

    #[test]
    fn identifiers_are_quoted_so_a_name_cannot_end_the_query() {
        assert_eq!(quoted("order_id"), "\"order_id\"");
        assert_eq!(
            quoted("a\"; DROP TABLE x; --"),
            "\"a\"\"; DROP TABLE x; --\""
        );
    }
}
