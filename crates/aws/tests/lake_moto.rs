//! The Glue reader against moto server: a dataset's Glue database, made with the SDK in the
//! environment's account, read back through the pivot role as `tables.sync` records it.
//!
//! moto's Glue keeps tables as given (columns, partition keys, parameters, storage
//! descriptor) and pages GetTables; it evaluates no trust policy (its STS assumes any role),
//! so a refused AssumeRole is covered by the session's unit tests.

#![cfg(feature = "lake")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_glue::types::{
    Column as GlueColumn, DatabaseInput, SerDeInfo, StorageDescriptor, TableIdentifier, TableInput,
};
use lakecat_aws::{AwsConfig, GlueLake};
use lakecat_core::catalog::{Dataset, Environment};
use lakecat_core::lake::{LakeReader, TableReader};
use lakecat_core::names::Description;
use lakecat_testkit::moto::Moto;

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "444455556666";

struct Cloud {
    _moto: Moto,
    lake: GlueLake,
    /// An administrator of the dataset's account, to make its Glue database.
    account: SdkConfig,
}

async fn cloud() -> Cloud {
    let moto = lakecat_testkit::moto::start().unwrap();
    let aws = AwsConfig {
        region: Some(REGION.into()),
        endpoint: Some(moto.endpoint.clone()),
    };
    let base = aws.load().await;
    let account = lakecat_aws::emulator::as_account(&base, ACCOUNT)
        .await
        .unwrap();
    Cloud {
        _moto: moto,
        lake: GlueLake::new(&base, None),
        account,
    }
}

fn environment() -> Environment {
    lakecat_testkit::new_environment(ACCOUNT, REGION)
        .unwrap()
        .build("test", chrono::Utc::now())
        .0
}

fn dataset(env: &Environment) -> Dataset {
    lakecat_testkit::new_dataset(env, "Sales orders", "sales-orders")
        .unwrap()
        .build(env, "test", chrono::Utc::now())
        .unwrap()
        .0
}

fn column(name: &str, t: &str, comment: Option<&str>) -> GlueColumn {
    GlueColumn::builder()
        .name(name)
        .r#type(t)
        .set_comment(comment.map(str::to_owned))
        .build()
        .unwrap()
}

fn glue(c: &Cloud) -> aws_sdk_glue::Client {
    aws_sdk_glue::Client::new(&c.account)
}

async fn create_database(c: &Cloud, name: &str) {
    glue(c)
        .create_database()
        .database_input(DatabaseInput::builder().name(name).build().unwrap())
        .send()
        .await
        .unwrap();
}

fn parquet_table(name: &str, columns: Vec<GlueColumn>, params: &[(&str, &str)]) -> TableInput {
    TableInput::builder()
        .name(name)
        .description("One row per order line")
        .table_type("EXTERNAL_TABLE")
        .set_parameters(Some(
            params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ))
        .storage_descriptor(
            StorageDescriptor::builder()
                .set_columns(Some(columns))
                .location(format!("s3://sales-raw/{name}/"))
                .input_format("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
                .serde_info(
                    SerDeInfo::builder()
                        .serialization_library(
                            "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                        )
                        .build(),
                )
                .build(),
        )
        .partition_keys(column("dt", "date", Some("Order date")))
        .build()
        .unwrap()
}

async fn create_table(c: &Cloud, db: &str, input: TableInput) {
    glue(c)
        .create_table()
        .database_name(db)
        .table_input(input)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_glue_database_reads_as_the_catalog_records_it() {
    let c = cloud().await;
    let env = environment();
    let ds = dataset(&env);
    let db = ds.aws.glue_database.clone();
    create_database(&c, &db).await;
    create_table(
        &c,
        &db,
        parquet_table(
            "order_lines",
            vec![
                column("order_id", "bigint", Some("Order number")),
                column("amount", "decimal(12,2)", None),
                column("Items", "array<struct<sku:string,qty:int>>", Some("  ")),
            ],
            &[("classification", "parquet"), ("numRows", "1000")],
        ),
    )
    .await;
    // A CSV table without a classification: its format comes from its SerDe.
    create_table(
        &c,
        &db,
        TableInput::builder()
            .name("returns")
            .storage_descriptor(
                StorageDescriptor::builder()
                    .columns(column("return_id", "int", None))
                    .location("s3://sales-raw/returns/")
                    .input_format("org.apache.hadoop.mapred.TextInputFormat")
                    .serde_info(
                        SerDeInfo::builder()
                            .serialization_library("org.apache.hadoop.hive.serde2.OpenCSVSerde")
                            .build(),
                    )
                    .build(),
            )
            .build()
            .unwrap(),
    )
    .await;
    // A type lakecat does not know fails that table alone.
    create_table(
        &c,
        &db,
        parquet_table("shapes", vec![column("area", "geometry", None)], &[]),
    )
    .await;
    // A resource link (what a share makes) is not a table of the dataset.
    create_table(
        &c,
        &db,
        TableInput::builder()
            .name("linked")
            .target_table(
                TableIdentifier::builder()
                    .catalog_id("111122223333")
                    .database_name("other")
                    .name("t")
                    .build(),
            )
            .build()
            .unwrap(),
    )
    .await;

    // The tables an event names, one GetTable each: read as the listing reads them; one
    // Glue no longer has is missing; the resource link is neither.
    let (named, missing) = c
        .lake
        .discover_named(
            &env,
            &ds,
            &[
                "returns".into(),
                "dropped".into(),
                "linked".into(),
                "shapes".into(),
                "returns".into(),
            ],
        )
        .await
        .unwrap();
    let names: Vec<&str> = named.tables.iter().map(|t| t.glue_name.as_str()).collect();
    assert_eq!(names, ["returns"]);
    assert_eq!(missing, ["dropped"]);
    assert_eq!(
        named
            .failures
            .iter()
            .map(|f| f.table.as_str())
            .collect::<Vec<_>>(),
        ["shapes"]
    );

    let found = c.lake.discover(&env, &ds).await.unwrap();
    assert_eq!(
        found
            .tables
            .iter()
            .find(|t| t.glue_name.as_str() == "returns"),
        named.tables.first(),
        "read alike"
    );
    let names: Vec<&str> = found.tables.iter().map(|t| t.glue_name.as_str()).collect();
    assert_eq!(names, ["order_lines", "returns"]);
    assert_eq!(found.failures.len(), 1, "{:?}", found.failures);
    assert_eq!(found.failures[0].table, "shapes");
    assert_eq!(
        found.failures[0].reason,
        "column area has type 'geometry', which lakecat does not know"
    );

    let lines = &found.tables[0];
    assert_eq!(lines.format, "parquet");
    assert_eq!(lines.location, "s3://sales-raw/order_lines/");
    assert_eq!(
        lines.description.as_ref().map(|d| d.as_str()),
        Some("One row per order line")
    );
    let columns: Vec<(String, String, bool, Option<String>)> = lines
        .columns
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.data_type.clone(),
                c.is_partition,
                c.description.as_ref().map(|d| d.as_str().to_owned()),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            (
                "order_id".into(),
                "bigint".into(),
                false,
                Some("Order number".into())
            ),
            ("amount".into(), "decimal(12,2)".into(), false, None),
            (
                "Items".into(),
                "array<struct<sku:string,qty:int>>".into(),
                false,
                None
            ),
            ("dt".into(), "date".into(), true, Some("Order date".into())),
        ]
    );
    // Glue's statistics are not properties: a crawler rewriting them changes nothing.
    assert_eq!(lines.properties["classification"], "parquet");
    assert_eq!(lines.properties["tableType"], "EXTERNAL_TABLE");
    assert!(lines.properties.get("numRows").is_none());
    assert_eq!(found.tables[1].format, "csv");

    glue(&c)
        .update_table()
        .database_name(&db)
        .table_input(parquet_table(
            "order_lines",
            vec![
                column("order_id", "bigint", Some("Order number")),
                column("amount", "decimal(12,2)", None),
                column("Items", "array<struct<sku:string,qty:int>>", Some("  ")),
            ],
            &[("classification", "parquet"), ("numRows", "2000")],
        ))
        .send()
        .await
        .unwrap();
    let again = c.lake.discover(&env, &ds).await.unwrap();
    assert_eq!(again.tables, found.tables, "only statistics changed");
}

#[tokio::test]
async fn every_page_of_a_large_database_is_read() {
    let c = cloud().await;
    let env = environment();
    let ds = dataset(&env);
    let db = ds.aws.glue_database.clone();
    create_database(&c, &db).await;
    let n = 260;
    let g = glue(&c);
    let mut pending = futures::stream::FuturesUnordered::new();
    for i in 0..n {
        let input = parquet_table(
            &format!("t{i:04}"),
            vec![column("id", "bigint", None)],
            &[("classification", "parquet")],
        );
        let g = g.clone();
        let db = db.clone();
        pending.push(async move {
            g.create_table()
                .database_name(db)
                .table_input(input)
                .send()
                .await
                .unwrap()
        });
        if pending.len() >= 16 {
            use futures::StreamExt;
            pending.next().await;
        }
    }
    use futures::StreamExt;
    while pending.next().await.is_some() {}
    let found = c.lake.discover(&env, &ds).await.unwrap();
    assert_eq!(found.tables.len(), n);
    let distinct: HashMap<&str, ()> = found
        .tables
        .iter()
        .map(|t| (t.glue_name.as_str(), ()))
        .collect();
    assert_eq!(distinct.len(), n, "no table read twice across pages");
}

#[tokio::test]
async fn a_missing_database_is_a_permanent_error_that_names_it() {
    let c = cloud().await;
    let env = environment();
    let ds = dataset(&env);
    let e = c.lake.discover(&env, &ds).await.unwrap_err();
    assert!(!e.retryable);
    assert_eq!(
        e.message,
        format!(
            "Glue database {} does not exist in account {ACCOUNT} (region {REGION})",
            ds.aws.glue_database
        )
    );
    // A sync of named tables of it fails the same way (not every table marked deleted).
    let e = c
        .lake
        .discover_named(&env, &ds, &["order_lines".into()])
        .await
        .unwrap_err();
    assert!(!e.retryable);
    assert!(e.message.starts_with("Glue database "), "{}", e.message);
}

#[tokio::test]
async fn an_import_is_verified_through_the_pivot_role() {
    let c = cloud().await;
    let env = environment();
    let mut ds = dataset(&env);
    ds.imported = true;
    ds.aws.bucket = "sales-raw".into();
    ds.aws.glue_database = "sales_raw".into();
    ds.aws.kms_alias = Some("alias/sales-raw".into());

    // Nothing exists yet: each resource fails on its own field, saying what is missing.
    let checks = c.lake.verify_import(&env, &ds).await.unwrap();
    let failed: Vec<(String, bool, String)> = checks
        .iter()
        .map(|c| (c.field.clone(), c.ok, c.message.clone()))
        .collect();
    assert_eq!(
        failed,
        [
            (
                "aws.bucket".into(),
                false,
                "bucket sales-raw does not exist".into()
            ),
            (
                "aws.kmsAlias".into(),
                false,
                "key alias/sales-raw does not exist".into()
            ),
            (
                "aws.glueDatabase".into(),
                false,
                format!(
                    "Glue database sales_raw does not exist in account {ACCOUNT} (region {REGION})"
                )
            ),
        ]
    );

    // The account's admin creates them: every check passes, as the pivot role.
    let s3 = lakecat_aws::s3_client(&c.account);
    s3.create_bucket()
        .bucket("sales-raw")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let kms = aws_sdk_kms::Client::new(&c.account);
    let key = kms.create_key().send().await.unwrap();
    kms.create_alias()
        .alias_name("alias/sales-raw")
        .target_key_id(key.key_metadata().unwrap().key_id())
        .send()
        .await
        .unwrap();
    create_database(&c, "sales_raw").await;
    let checks = c.lake.verify_import(&env, &ds).await.unwrap();
    assert!(checks.iter().all(|c| c.ok), "{checks:?}");
    assert_eq!(checks.len(), 3);
    assert_eq!(
        checks[1].message,
        format!(
            "key alias/sales-raw encrypts and decrypts for {}",
            env.pivot_role_arn()
        )
    );
}

#[tokio::test]
async fn a_crawl_points_the_datasets_crawler_at_the_prefix_and_starts_it() {
    let c = cloud().await;
    let env = environment();
    let ds = dataset(&env);
    // Without the stack's crawler, the crawl fails for good, saying what to do.
    let e = c.lake.crawl(&env, &ds, Some("sales/")).await.unwrap_err();
    assert!(!e.retryable, "{}", e.message);
    assert!(
        e.message
            .ends_with("deploy its stack with CreateCrawler=true"),
        "{}",
        e.message
    );

    create_database(&c, &ds.aws.glue_database).await;
    let name = format!("{}-crawler", ds.aws.bucket);
    glue(&c)
        .create_crawler()
        .name(&name)
        .role(format!("arn:aws:iam::{ACCOUNT}:role/lake-dataset-admin"))
        .database_name(&ds.aws.glue_database)
        .targets(
            aws_sdk_glue::types::CrawlerTargets::builder()
                .s3_targets(
                    aws_sdk_glue::types::S3Target::builder()
                        .path(format!("s3://{}/", ds.aws.bucket))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    // moto has no UpdateCrawler (it answers 500): the crawl here keeps the crawler's targets.
    let started = c.lake.crawl(&env, &ds, None).await.unwrap();
    assert_eq!(started.crawler.as_deref(), Some(name.as_str()));
    assert_eq!(started.path, format!("s3://{}/", ds.aws.bucket));
    assert!(!started.sync_now, "the crawler's end syncs");
    let got = glue(&c).get_crawler().name(&name).send().await.unwrap();
    assert_eq!(
        got.crawler().and_then(|c| c.state()).map(|s| s.as_str()),
        Some("RUNNING")
    );
    // Asked again while it runs, with a prefix: left to finish, not changed, not an error.
    let again = c.lake.crawl(&env, &ds, Some("sales/2024/")).await.unwrap();
    assert_eq!(again.crawler.as_deref(), Some(name.as_str()));
    assert!(!again.sync_now);
}

// --- Athena: previews and profiles ---------------------------------------------------------

fn table_of(ds: &Dataset, name: &str) -> lakecat_core::catalog::Table {
    let now = chrono::Utc::now();
    lakecat_core::catalog::Table {
        id: lakecat_core::ids::TableId::generate(),
        dataset_id: ds.id.clone(),
        glue_name: name.into(),
        label: name.into(),
        location: format!("s3://{}/{name}/", ds.aws.bucket),
        format: "parquet".into(),
        properties: serde_json::json!({}),
        description: Description::parse("d", "").unwrap(),
        tags: vec![],
        version: 1,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}

fn columns_of(
    t: &lakecat_core::catalog::Table,
    cols: &[(&str, &str)],
) -> Vec<lakecat_core::catalog::Column> {
    cols.iter()
        .enumerate()
        .map(|(i, (name, data_type))| lakecat_core::catalog::Column {
            id: lakecat_core::ids::ColumnId::generate(),
            table_id: t.id.clone(),
            name: (*name).into(),
            data_type: (*data_type).into(),
            is_partition: *name == "dt",
            position: i as i64,
            description: Description::parse("d", "").unwrap(),
            tags: vec![],
            classification: None,
            version: 1,
        })
        .collect()
}

/// Queues the rows moto answers the next query with (a header row first, as Athena's).
async fn athena_answers(c: &Cloud, rows: &[&[Option<&str>]]) {
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            serde_json::json!({ "Data": r.iter().map(|v| match v {
                Some(v) => serde_json::json!({ "VarCharValue": v }),
                None => serde_json::json!({}),
            }).collect::<Vec<_>>() })
        })
        .collect();
    let body = serde_json::json!({
        "account_id": ACCOUNT, "region": REGION,
        "results": [{ "rows": rows, "column_info": [] }],
    });
    c._moto
        .api("static/athena/query-results", body)
        .await
        .unwrap();
}

/// The environment stack's Athena workgroup, made in the dataset's account.
async fn athena_workgroup(c: &Cloud, env: &Environment) {
    aws_sdk_athena::Client::new(&c.account)
        .create_work_group()
        .name(format!("{}-workgroup", env.resource_prefix.as_str()))
        .send()
        .await
        .unwrap();
}

/// The query strings moto was sent, and their workgroups.
async fn athena_queries(c: &Cloud) -> Vec<(String, String)> {
    let athena = aws_sdk_athena::Client::new(&c.account);
    let ids = athena.list_query_executions().send().await.unwrap();
    let mut out = vec![];
    for id in ids.query_execution_ids() {
        let q = athena
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .unwrap();
        let q = q.query_execution().unwrap();
        out.push((
            q.query().unwrap_or_default().to_owned(),
            q.work_group().unwrap_or_default().to_owned(),
        ));
    }
    out
}

#[tokio::test]
async fn previews_and_profiles_are_athena_queries_in_the_environments_workgroup() {
    let c = cloud().await;
    let env = environment();
    let ds = dataset(&env);
    let t = table_of(&ds, "order_lines");
    let cols = columns_of(
        &t,
        &[
            ("order_id", "bigint"),
            ("amount", "double"),
            ("tags", "array<string>"),
            ("dt", "date"),
        ],
    );

    // Without the environment stack's workgroup, a clear error naming it.
    let e = c.lake.preview(&env, &ds, &t, &cols, 2).await.unwrap_err();
    assert_eq!(e.reason, lakecat_core::Reason::LakeUnreadable);
    assert!(
        e.message
            .starts_with("athena StartQueryExecution in workgroup lake-workgroup: ")
            && e.message.contains("WorkGroup does not exist"),
        "{}",
        e.message
    );
    athena_workgroup(&c, &env).await;

    athena_answers(
        &c,
        &[
            &[Some("order_id"), Some("amount"), Some("tags"), Some("dt")],
            &[Some("1"), Some("2.5"), Some("[a, b]"), Some("2024-05-01")],
            &[Some("2"), None, Some("[]"), Some("2024-05-01")],
            &[Some("3"), Some("4"), None, Some("2024-05-02")],
        ],
    )
    .await;
    let p = c.lake.preview(&env, &ds, &t, &cols, 2).await.unwrap();
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
                serde_json::Value::Null,
                serde_json::json!("[]"),
                serde_json::json!("2024-05-01")
            ],
        ]
    );
    assert!(p.more, "a third row was there");
    let query_id = p.query_id.clone().unwrap();
    assert!(!query_id.is_empty());

    athena_answers(
        &c,
        &[
            &[Some("_col0")],
            &[
                Some("1000"),
                // order_id: unique, ten even buckets.
                Some("1000"),
                Some("998"),
                Some("1"),
                Some("1000"),
                Some(r#"{"1":1,"2":1}"#),
                Some(r#"{"1":100,"2":100,"3":100,"4":100,"5":100,"6":100,"7":100,"8":100,"9":100,"10":100}"#),
                // amount
                Some("950"),
                Some("700"),
                Some("0.5"),
                Some("99.5"),
                Some(r#"{"4.0":3}"#),
                Some(r#"{"1":500,"10":450}"#),
                // tags
                Some("990"),
                // dt
                Some("1000"),
                Some("2"),
                Some("2024-05-01"),
                Some("2024-05-05"),
                Some(r#"{"2024-05-05":400,"2024-05-01":600}"#),
            ],
        ],
    )
    .await;
    let profile = c.lake.profile(&env, &ds, &t, &cols).await.unwrap();
    assert_eq!((profile.row_count, profile.rows_scanned), (1000, 1000));
    assert!(
        profile.method.starts_with("athena (query "),
        "{}",
        profile.method
    );
    let order_id = &profile.columns[0];
    assert!(order_id.top_values.is_empty(), "998 distinct: none listed");
    assert_eq!(
        order_id
            .histogram
            .iter()
            .map(|b| b.count)
            .collect::<Vec<_>>(),
        [100; 10]
    );
    let amount = &profile.columns[1];
    assert_eq!((amount.nulls, amount.distinct), (50, 700));
    assert_eq!(
        (amount.min.clone(), amount.max.clone()),
        (Some(serde_json::json!(0.5)), Some(serde_json::json!(99.5)))
    );
    assert_eq!(
        amount.histogram.iter().map(|b| b.count).collect::<Vec<_>>(),
        [500, 0, 0, 0, 0, 0, 0, 0, 0, 450]
    );
    let tags = &profile.columns[2];
    assert_eq!(
        (tags.nulls, tags.distinct, tags.min.clone()),
        (10, 0, None),
        "nested: nulls only"
    );
    let dt = &profile.columns[3];
    assert_eq!(dt.max, Some(serde_json::json!("2024-05-05")));
    assert_eq!(
        dt.top_values
            .iter()
            .map(|v| (v.value.clone(), v.count))
            .collect::<Vec<_>>(),
        [
            (serde_json::json!("2024-05-01"), 600),
            (serde_json::json!("2024-05-05"), 400)
        ]
    );

    let db = &ds.aws.glue_database;
    let sent = athena_queries(&c).await;
    let wg = format!("{}-workgroup", env.resource_prefix.as_str());
    assert!(
        sent.contains(&(
            format!("SELECT \"order_id\", \"amount\", \"tags\", \"dt\" FROM \"{db}\".\"order_lines\" LIMIT 3"),
            wg.clone()
        )),
        "{sent:?}"
    );
    let top = |q: &str| {
        format!(
            "json_format(CAST(approx_most_frequent(10, CAST(t.\"{q}\" AS varchar), 100) AS json))"
        )
    };
    let hist = |i: usize, q: &str| {
        let v = format!("CAST(t.\"{q}\" AS double)");
        format!(
            "json_format(CAST(histogram(CASE WHEN b.hi{i} > b.lo{i} AND is_finite(b.lo{i}) AND is_finite(b.hi{i}) AND is_finite({v}) THEN least(width_bucket({v}, b.lo{i}, b.hi{i}, 10), 10) END) AS json))"
        )
    };
    let scalar = |q: &str| {
        format!(
            "count(t.\"{q}\"), approx_distinct(t.\"{q}\"), CAST(min(t.\"{q}\") AS varchar), CAST(max(t.\"{q}\") AS varchar), {}",
            top(q)
        )
    };
    let profile_sql = format!(
        "WITH b AS (SELECT CAST(min(\"order_id\") AS double) AS lo0, CAST(max(\"order_id\") AS double) AS hi0, CAST(min(\"amount\") AS double) AS lo1, CAST(max(\"amount\") AS double) AS hi1 FROM \"{db}\".\"order_lines\") SELECT count(*), {}, {}, {}, {}, count(t.\"tags\"), {} FROM \"{db}\".\"order_lines\" AS t CROSS JOIN b",
        scalar("order_id"),
        hist(0, "order_id"),
        scalar("amount"),
        hist(1, "amount"),
        scalar("dt"),
    );
    assert!(sent.contains(&(profile_sql, wg)), "{sent:?}");
}

#[tokio::test]
async fn a_query_that_outlasts_its_timeout_is_stopped_with_a_clear_error() {
    let c = cloud().await;
    // moto's executions stay QUEUED until polled a thousand times.
    c._moto
        .api(
            "state-manager/set-transition",
            serde_json::json!({ "model_name": "athena::execution",
                                "transition": { "progression": "manual", "times": 1000 } }),
        )
        .await
        .unwrap();
    let base = AwsConfig {
        region: Some(REGION.into()),
        endpoint: Some(c._moto.endpoint.clone()),
    }
    .load()
    .await;
    let lake = GlueLake::new(&base, None).with_query_timeout(std::time::Duration::from_millis(500));
    let env = environment();
    let ds = dataset(&env);
    let t = table_of(&ds, "order_lines");
    let cols = columns_of(&t, &[("order_id", "bigint")]);
    athena_workgroup(&c, &env).await;
    let started = std::time::Instant::now();
    let e = lake.preview(&env, &ds, &t, &cols, 10).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(e.reason, lakecat_core::Reason::QueryTimeout);
    assert!(e.message.starts_with("athena query "), "{}", e.message);
    assert!(
        e.message
            .ends_with("did not finish within 0.5 s and was stopped"),
        "{}",
        e.message
    );
}
