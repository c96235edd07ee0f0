//! The whole share loop against moto server: `lakecat serve`'s router with its in-process
//! worker on `LAKECAT_LAKE=aws`, the demo catalog, and the dataset's bucket, key and Glue
//! tables created in moto. A finance analyst in the US account asks for a table, a folder and
//! the whole bucket of a sales dataset in the EU account (cross-account); after approval Lake
//! Formation, the bucket policy, the key policy and an access point show the grants; after
//! revoke they are gone. moto does not create RAM shares for cross-account Lake Formation
//! grants nor resolve resource links (see `crates/aws/tests/shares_moto.rs`); this test
//! checks what moto records.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use std::time::Duration;

use aws_config::SdkConfig;
use common::{dataset_of, environment_in, gql, sign_in, wait_for};
use lakecat_aws::emulator::{EmulatedDataset, as_account};
use lakecat_aws::{AwsConfig, s3_client, s3control_client};
use lakecat_cli::demo::seed_demo;
use lakecat_server::{App, Config, LakeMode};

const EU: &str = "123456789012";
const US: &str = "210987654321";

/// Who holds Lake Formation permissions on `table` in the dataset account.
async fn lf_principals(source: &SdkConfig, db: &str, table: &str) -> Vec<String> {
    use aws_sdk_lakeformation::types::{Resource, TableResource};
    let out = aws_sdk_lakeformation::Client::new(source)
        .list_permissions()
        .resource(
            Resource::builder()
                .table(
                    TableResource::builder()
                        .database_name(db)
                        .name(table)
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut v: Vec<String> = out
        .principal_resource_permissions()
        .iter()
        .filter_map(|p| {
            p.principal()?
                .data_lake_principal_identifier()
                .map(str::to_owned)
        })
        .collect();
    v.sort();
    v
}

async fn bucket_policy(source: &SdkConfig, bucket: &str) -> String {
    match s3_client(source)
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(p) => p.policy().unwrap_or_default().to_owned(),
        Err(_) => String::new(),
    }
}

async fn key_policy(source: &SdkConfig, alias: &str) -> String {
    let kms = aws_sdk_kms::Client::new(source);
    let key = kms.describe_key().key_id(alias).send().await.unwrap();
    let id = key.key_metadata().unwrap().key_id().to_owned();
    let p = kms
        .get_key_policy()
        .key_id(id)
        .policy_name("default")
        .send()
        .await
        .unwrap();
    p.policy().unwrap_or_default().to_owned()
}

async fn access_points(source: &SdkConfig, bucket: &str) -> usize {
    s3control_client(source)
        .list_access_points()
        .account_id(EU)
        .bucket(bucket)
        .send()
        .await
        .unwrap()
        .access_point_list()
        .len()
}

#[tokio::test]
async fn a_cross_account_share_is_granted_and_revoked_on_aws() {
    let moto = lakecat_testkit::moto::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.lake = LakeMode::Aws {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    };
    let wired = lakecat_cli::adapters(&config).await.unwrap();
    let app = App::build(config, true, wired).await.unwrap();
    seed_demo(&app.store, app.auth.local_users()).await.unwrap();
    app.start_worker();

    let ben = sign_in(&app, "ben").await; // finance, works in the US account
    let ana = sign_in(&app, "ana").await; // sales-analytics, owns the EU sales datasets
    let (ds, table, glue_name) = dataset_of(&app, &ana, "sales-analytics", EU).await;
    let ds_id = ds["id"].as_str().unwrap().to_owned();
    let aws = &ds["aws"];
    let (bucket, db) = (
        aws["bucket"].as_str().unwrap(),
        aws["glueDatabase"].as_str().unwrap(),
    );
    let alias = aws["kmsAlias"]
        .as_str()
        .unwrap_or("alias/lakecat-e2e")
        .to_owned();
    let base = AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;
    EmulatedDataset {
        account_id: EU,
        region: aws["region"].as_str().unwrap(),
        bucket,
        glue_database: db,
        tables: &[glue_name.as_str()],
        kms_alias: Some(&alias),
    }
    .create(&base)
    .await
    .unwrap();
    let source = as_account(&base, EU).await.unwrap();
    let folder = gql(&app, &ana, &format!(r#"mutation {{ createFolder(input: {{datasetId: "{ds_id}", label: "Exports", prefix: "exports/"}}) {{ id }} }}"#)).await;
    let folder = folder["createFolder"]["id"].as_str().unwrap().to_owned();

    let env = environment_in(&app, &ben, US).await;
    let s = gql(&app, &ben, &format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{ds_id}", environmentId: "{env}", teamName: "finance", purpose: "margin report"}}) {{ id principalRoleArn }} }}"#)).await;
    let id = s["createShareRequest"]["id"].as_str().unwrap().to_owned();
    let role = s["createShareRequest"]["principalRoleArn"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        role.starts_with(&format!("arn:aws:iam::{US}:role/")),
        "{role}"
    );
    for (kind, item) in [
        ("TABLE", Some(table.as_str())),
        ("FOLDER", Some(folder.as_str())),
        ("BUCKET", None),
    ] {
        let item = item
            .map(|i| format!(r#", itemId: "{i}""#))
            .unwrap_or_default();
        gql(&app, &ben, &format!(r#"mutation {{ addShareItem(input: {{shareId: "{id}", itemType: {kind}{item}}}) {{ id }} }}"#)).await;
    }
    gql(
        &app,
        &ben,
        &format!(r#"mutation {{ submitShareRequest(input: {{shareId: "{id}"}}) {{ status }} }}"#),
    )
    .await;
    assert!(lf_principals(&source, db, &glue_name).await.is_empty());
    gql(
        &app,
        &ana,
        &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ status }} }}"#),
    )
    .await;

    let done = wait_for(&app, &ben, &id, "PROCESSED", Duration::from_secs(60)).await;
    for item in done["items"].as_array().unwrap() {
        assert_eq!(item["status"], "SHARE_SUCCEEDED", "{item}");
    }
    let items = done["items"].as_array().unwrap();
    let table_item = items.iter().find(|i| i["itemType"] == "TABLE").unwrap();
    assert_eq!(
        table_item["consumption"]["glueDatabase"],
        format!("{db}_shared")
    );
    let folder_item = items.iter().find(|i| i["itemType"] == "FOLDER").unwrap();
    assert!(
        folder_item["consumption"]["accessPointAlias"].is_string(),
        "{folder_item}"
    );
    // Cross-account: the dataset account grants the consumer account.
    assert_eq!(
        lf_principals(&source, db, &glue_name).await,
        [US.to_owned()]
    );
    assert!(bucket_policy(&source, bucket).await.contains(&role));
    assert!(key_policy(&source, &alias).await.contains(&role));
    assert_eq!(access_points(&source, bucket).await, 1);

    gql(
        &app,
        &ana,
        &format!(r#"mutation {{ revokeShareItems(input: {{shareId: "{id}"}}) {{ status }} }}"#),
    )
    .await;
    let done = wait_for(&app, &ben, &id, "PROCESSED", Duration::from_secs(60)).await;
    for item in done["items"].as_array().unwrap() {
        assert_eq!(item["status"], "REVOKE_SUCCEEDED", "{item}");
    }
    assert!(lf_principals(&source, db, &glue_name).await.is_empty());
    assert!(!bucket_policy(&source, bucket).await.contains(&role));
    assert!(!key_policy(&source, &alias).await.contains(&role));
    assert_eq!(access_points(&source, bucket).await, 0);
    assert_eq!(
        bucket_policy(&source, bucket).await,
        "",
        "the bucket had no policy: neither the share's statement nor lakecat's delegation is left"
    );
}

/// data.all #941: approvals of several shares on one dataset processed at the same time must
/// not overwrite each other's bucket- and key-policy statements. The in-process worker runs
/// up to eight tasks at once; every policy edit holds a lease lock in the database.
#[tokio::test]
async fn parallel_approvals_keep_every_policy_statement() {
    let moto = lakecat_testkit::moto::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.lake = LakeMode::Aws {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    };
    let wired = lakecat_cli::adapters(&config).await.unwrap();
    let app = App::build(config, true, wired).await.unwrap();
    seed_demo(&app.store, app.auth.local_users()).await.unwrap();
    app.start_worker();
    let users = app.auth.local_users().unwrap();
    let admin = users.token_for("root", &["lakecat-admins".into()]).unwrap();
    let ana = sign_in(&app, "ana").await;
    let (ds, _, glue_name) = dataset_of(&app, &ana, "sales-analytics", EU).await;
    let ds_id = ds["id"].as_str().unwrap().to_owned();
    let aws = &ds["aws"];
    let bucket = aws["bucket"].as_str().unwrap();
    let alias = aws["kmsAlias"]
        .as_str()
        .unwrap_or("alias/lakecat-e2e")
        .to_owned();
    let base = AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;
    EmulatedDataset {
        account_id: EU,
        region: aws["region"].as_str().unwrap(),
        bucket,
        glue_database: aws["glueDatabase"].as_str().unwrap(),
        tables: &[glue_name.as_str()],
        kms_alias: Some(&alias),
    }
    .create(&base)
    .await
    .unwrap();
    let env = environment_in(&app, &ana, US).await;

    let mut shares = vec![];
    for i in 0..6 {
        let team = format!("consumers-{i}");
        gql(&app, &admin, &format!(r#"mutation {{ inviteTeamToEnvironment(input: {{environmentId: "{env}", team: "{team}"}}) {{ team }} }}"#)).await;
        let token = users
            .token_for(&format!("user-{i}"), std::slice::from_ref(&team))
            .unwrap();
        let s = gql(&app, &token, &format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{ds_id}", environmentId: "{env}", teamName: "{team}"}}) {{ id principalRoleArn }} }}"#)).await;
        let id = s["createShareRequest"]["id"].as_str().unwrap().to_owned();
        let role = s["createShareRequest"]["principalRoleArn"]
            .as_str()
            .unwrap()
            .to_owned();
        gql(&app, &token, &format!(r#"mutation {{ addShareItem(input: {{shareId: "{id}", itemType: BUCKET}}) {{ id }} }}"#)).await;
        gql(
            &app,
            &token,
            &format!(r#"mutation {{ submitShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await;
        shares.push((id, role, token));
    }
    // Approve all at once: six tasks editing one bucket policy and one key policy together.
    let approvals = shares.iter().map(|(id, _, _)| {
        let (app, ana) = (&app, &ana);
        async move {
            gql(
                app,
                ana,
                &format!(
                    r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ status }} }}"#
                ),
            )
            .await
        }
    });
    futures::future::join_all(approvals).await;
    for (id, _, token) in &shares {
        let done = wait_for(&app, token, id, "PROCESSED", Duration::from_secs(60)).await;
        assert_eq!(done["items"][0]["status"], "SHARE_SUCCEEDED", "{done}");
    }
    let source = as_account(&base, EU).await.unwrap();
    let (bucket_policy, key_policy) = (
        bucket_policy(&source, bucket).await,
        key_policy(&source, &alias).await,
    );
    for (_, role, _) in &shares {
        assert!(
            bucket_policy.contains(role.as_str()),
            "{role} lost from the bucket policy"
        );
        assert!(
            key_policy.contains(role.as_str()),
            "{role} lost from the key policy"
        );
    }
}

/// A table share whose table is not in Glue (the catalog knows it, the lake no longer has it)
/// ends Share_Failed with the reason on the item, at the first attempt, and nothing is
/// granted: Lake Formation would have granted the missing table, and a resource link pointed
/// at nothing.
#[tokio::test]
async fn a_table_missing_from_glue_fails_its_item_with_the_reason() {
    let moto = lakecat_testkit::moto::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.lake = LakeMode::Aws {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    };
    let wired = lakecat_cli::adapters(&config).await.unwrap();
    let app = App::build(config, true, wired).await.unwrap();
    seed_demo(&app.store, app.auth.local_users()).await.unwrap();
    app.start_worker();

    let ben = sign_in(&app, "ben").await;
    let ana = sign_in(&app, "ana").await;
    let (ds, table, glue_name) = dataset_of(&app, &ana, "sales-analytics", EU).await;
    let ds_id = ds["id"].as_str().unwrap().to_owned();
    let aws = &ds["aws"];
    let (bucket, db, region) = (
        aws["bucket"].as_str().unwrap(),
        aws["glueDatabase"].as_str().unwrap(),
        aws["region"].as_str().unwrap(),
    );
    let base = AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;
    // The bucket, key and Glue database, but not the table.
    EmulatedDataset {
        account_id: EU,
        region,
        bucket,
        glue_database: db,
        tables: &[],
        kms_alias: aws["kmsAlias"].as_str(),
    }
    .create(&base)
    .await
    .unwrap();

    let env = environment_in(&app, &ben, US).await;
    let s = gql(&app, &ben, &format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{ds_id}", environmentId: "{env}", teamName: "finance", purpose: "margin report"}}) {{ id }} }}"#)).await;
    let id = s["createShareRequest"]["id"].as_str().unwrap().to_owned();
    gql(&app, &ben, &format!(r#"mutation {{ addShareItem(input: {{shareId: "{id}", itemType: TABLE, itemId: "{table}"}}) {{ id }} }}"#)).await;
    gql(
        &app,
        &ben,
        &format!(r#"mutation {{ submitShareRequest(input: {{shareId: "{id}"}}) {{ status }} }}"#),
    )
    .await;
    gql(
        &app,
        &ana,
        &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ status }} }}"#),
    )
    .await;

    let done = wait_for(&app, &ben, &id, "PROCESSED", Duration::from_secs(60)).await;
    let item = &done["items"][0];
    assert_eq!(item["status"], "SHARE_FAILED", "{item}");
    assert_eq!(
        item["error"],
        format!(
            "table {glue_name} not found in Glue database {db} of account {EU} (region {region})"
        ),
        "{item}"
    );
    assert!(item["consumption"].is_null(), "{item}");
    // No grant (the resource link's absence is checked in crates/aws/tests/shares_moto.rs).
    let source = as_account(&base, EU).await.unwrap();
    assert!(lf_principals(&source, db, &glue_name).await.is_empty());
}
