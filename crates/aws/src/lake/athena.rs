//! A table's data on AWS, read by Athena in the environment's workgroup (`<prefix>-workgroup`,
//! made by the environment stack, results encrypted in its bucket) as the environment's pivot
//! role. A preview is `SELECT <columns> FROM "<db>"."<table>" LIMIT n+1`; a profile one query
//! of `count(*)` and, per column, `count`, `approx_distinct`, `min` and `max`. A query is
//! polled with backoff until it ends, and stopped when it outlasts its timeout.

use std::time::{Duration, Instant};

use aws_sdk_athena::Client as Athena;
use aws_sdk_athena::error::DisplayErrorContext;
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState};
use lakecat_core::catalog::{Column, Dataset, Environment, Table};
use lakecat_core::lake::{ColumnStats, TablePreview, TableProfile, typed_text};
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

pub(crate) fn profile_sql(dataset: &Dataset, table: &Table, columns: &[Column]) -> String {
    let mut parts = vec!["count(*)".to_owned()];
    for c in columns {
        let q = quoted(&c.name);
        parts.push(format!("count({q})"));
        if scalar(&c.data_type) {
            parts.push(format!("approx_distinct({q})"));
            parts.push(format!("CAST(min({q}) AS varchar)"));
            parts.push(format!("CAST(max({q}) AS varchar)"));
        }
    }
    format!(
        "SELECT {} FROM {}.{}",
        parts.join(", "),
        quoted(&dataset.aws.glue_database),
        quoted(&table.glue_name)
    )
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
        let (distinct, min, max) = if scalar(&c.data_type) {
            let distinct = cells
                .next()
                .flatten()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0);
            let min = cells.next().flatten().map(|v| typed_text(&v, &c.data_type));
            let max = cells.next().flatten().map(|v| typed_text(&v, &c.data_type));
            (distinct, min, max)
        } else {
            (0, None, None)
        };
        stats.push(ColumnStats {
            name: c.name.clone(),
            nulls: total.saturating_sub(non_null),
            distinct,
            min,
            max,
            top_values: vec![],
            histogram: vec![],
        });
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
    use lakecat_core::catalog::*;
    use lakecat_core::ids::*;
    use lakecat_core::names::*;

    fn fixture(cols: &[(&str, &str)]) -> (Environment, Dataset, Table, Vec<Column>) {
        let now = chrono::Utc::now();
        let (env, _) = NewEnvironment {
            organization_id: OrganizationId::generate(),
            label: Label::parse("l", "Analytics").unwrap(),
            description: Description::parse("d", "").unwrap(),
            tags: vec![],
            account_id: AwsAccountId::parse("a", "444455556666").unwrap(),
            region: AwsRegion::parse("r", "eu-west-1").unwrap(),
            owner_team: TeamName::parse("t", "platform").unwrap(),
            env_type: EnvironmentType::Data,
            resource_prefix: Slug::parse("p", "lake").unwrap(),
            pivot_role_name: "lakecat-pivot-role".into(),
        }
        .build("test", now);
        let (ds, _) = NewDataset {
            environment_id: env.id.clone(),
            label: Label::parse("l", "Sales").unwrap(),
            slug: Slug::parse("s", "sales").unwrap(),
            description: Description::parse("d", "").unwrap(),
            owner_team: TeamName::parse("t", "sales").unwrap(),
            stewards_team: None,
            confidentiality: Confidentiality::Unclassified,
            topics: vec![],
            tags: vec![],
            auto_approval: false,
            visibility: Visibility::Organization,
            imported: None,
        }
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
        ]);
        let db = &ds.aws.glue_database;
        assert_eq!(
            profile_sql(&ds, &t, &cols),
            format!(
                "SELECT count(*), count(\"amount\"), approx_distinct(\"amount\"), CAST(min(\"amount\") AS varchar), CAST(max(\"amount\") AS varchar), count(\"tags\"), count(\"dt\"), approx_distinct(\"dt\"), CAST(min(\"dt\") AS varchar), CAST(max(\"dt\") AS varchar) FROM \"{db}\".\"order_lines\""
            )
        );
        let answer = Answer {
            id: "q-2".into(),
            rows: vec![cells(&[
                Some("1000"),
                Some("950"),
                Some("700"),
                Some("0.5"),
                Some("99.5"),
                Some("990"),
                Some("1000"),
                Some("5"),
                Some("2024-05-01"),
                Some("2024-05-05"),
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
        assert_eq!(
            (
                p.columns[1].nulls,
                p.columns[1].distinct,
                p.columns[1].min.clone()
            ),
            (10, 0, None)
        );
        assert_eq!(p.columns[2].max, Some(serde_json::json!("2024-05-05")));
        // A short answer is an error naming the query, not a made-up profile.
        let short = Answer {
            id: "q-3".into(),
            rows: vec![cells(&[Some("1000"), Some("x")])],
        };
        let e = profile(&cols, short).unwrap_err();
        assert_eq!(e.message, "athena query q-3: count(amount) is not a count");
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
