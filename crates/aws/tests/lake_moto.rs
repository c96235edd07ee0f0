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
use lakecat_core::catalog::{
    Confidentiality, Dataset, Environment, EnvironmentType, NewDataset, NewEnvironment, Topic,
    Visibility,
};
use lakecat_core::ids::OrganizationId;
use lakecat_core::lake::LakeReader;
use lakecat_core::names::{AwsAccountId, AwsRegion, Description, Label, Slug, TeamName};
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
    NewEnvironment {
        organization_id: OrganizationId::generate(),
        label: Label::parse("l", "Analytics").unwrap(),
        description: Description::parse("d", "").unwrap(),
        tags: vec![],
        account_id: AwsAccountId::parse("a", ACCOUNT).unwrap(),
        region: AwsRegion::parse("r", REGION).unwrap(),
        owner_team: TeamName::parse("t", "platform").unwrap(),
        env_type: EnvironmentType::Data,
        resource_prefix: Slug::parse("p", "lake").unwrap(),
        pivot_role_name: "lakecat-pivot-role".into(),
    }
    .build("test", chrono::Utc::now())
    .0
}

fn dataset(env: &Environment) -> Dataset {
    NewDataset {
        environment_id: env.id.clone(),
        label: Label::parse("l", "Sales orders").unwrap(),
        slug: Slug::parse("s", "sales-orders").unwrap(),
        description: Description::parse("d", "").unwrap(),
        owner_team: TeamName::parse("t", "sales").unwrap(),
        stewards_team: None,
        confidentiality: Confidentiality::Unclassified,
        topics: vec![Topic::Sales],
        tags: vec![],
        auto_approval: false,
        visibility: Visibility::Organization,
        imported: None,
    }
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

    let found = c.lake.discover(&env, &ds).await.unwrap();
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
                format!("Glue database sales_raw does not exist in account {ACCOUNT} (region {REGION})")
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
