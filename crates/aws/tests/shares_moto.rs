//! The share processor against moto server, with real calls in two accounts: a dataset
//! account (the bucket, its KMS key, the Glue database) and a consumer account. moto decides
//! a call's account from its credentials: keys from AssumeRole of a role in account X act in
//! X, so the processor's pivot roles really land in their accounts. moto does not require the
//! roles to exist and does not evaluate trust policies or external ids.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_lakeformation::types::{DatabaseResource, Resource, TableResource};
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use lakecat_aws::{AwsConfig, AwsShareProcessor};
use lakecat_core::shares::{
    Consumption, ItemTarget, ResourceLock, ShareAccess, ShareItemGrant, ShareProcessor,
    ShareSource, ShareTarget,
};
use lakecat_core::tasks::TaskError;
use lakecat_testkit::moto::Moto;
use serde_json::{Value, json};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

const REGION: &str = "eu-west-1";
const SOURCE: &str = "111111111111";
const CONSUMER: &str = "222222222222";
const BUCKET: &str = "sales-raw";
const DB: &str = "sales";
const KEY_ALIAS: &str = "alias/sales";

// --- a real lock for the test: one tokio mutex per key -------------------------------------

/// `ResourceLock` over tokio mutexes (core has no runtime). The lease is not enforced: a
/// holder in these tests always releases. Counts acquisitions, and keeps the held guards so
/// a test can check that every path released its lock.
#[derive(Default)]
struct TokioLocks {
    mutexes: std::sync::Mutex<HashMap<String, Arc<AsyncMutex<()>>>>,
    held: std::sync::Mutex<HashMap<String, (String, OwnedMutexGuard<()>)>>,
    acquired: AtomicUsize,
}

#[async_trait::async_trait]
impl ResourceLock for TokioLocks {
    async fn acquire(
        &self,
        key: &str,
        _lease: Duration,
        wait: Duration,
    ) -> Result<String, TaskError> {
        let mutex = self
            .mutexes
            .lock()
            .unwrap()
            .entry(key.to_owned())
            .or_default()
            .clone();
        let guard = tokio::time::timeout(wait, mutex.lock_owned())
            .await
            .map_err(|_| TaskError::retryable(format!("lock {key} busy")))?;
        let token = format!("token-{}", self.acquired.fetch_add(1, Ordering::SeqCst));
        self.held
            .lock()
            .unwrap()
            .insert(key.to_owned(), (token.clone(), guard));
        Ok(token)
    }

    async fn release(&self, key: &str, token: &str) {
        let mut held = self.held.lock().unwrap();
        if held.get(key).is_some_and(|(t, _)| t == token) {
            held.remove(key);
        }
    }
}

impl TokioLocks {
    fn held_keys(&self) -> Vec<String> {
        self.held.lock().unwrap().keys().cloned().collect()
    }
}

// --- the lake in moto ----------------------------------------------------------------------

struct Lake {
    _moto: Moto,
    /// Administrators of each account (any assumed role there), to set up and inspect.
    source: SdkConfig,
    consumer: SdkConfig,
    locks: Arc<TokioLocks>,
    processor: Arc<AwsShareProcessor>,
}

/// Credentials acting in `account`: AssumeRole of a role there.
async fn as_account(base: &SdkConfig, account: &str) -> SdkConfig {
    let out = aws_sdk_sts::Client::new(base)
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/admin"))
        .role_session_name("test-admin")
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    let creds = Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "test",
    );
    base.to_builder()
        .credentials_provider(SharedCredentialsProvider::new(creds))
        .build()
}

fn s3(config: &SdkConfig) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(config)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// moto serves S3 Control at its one address; the SDK would put the account id in the host.
#[derive(Debug)]
struct FixedEndpoint(String);

impl ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(&'a self, _: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

fn s3control(config: &SdkConfig) -> aws_sdk_s3control::Client {
    let conf = aws_sdk_s3control::config::Builder::from(config)
        .endpoint_resolver(FixedEndpoint(config.endpoint_url().unwrap().to_owned()))
        .build();
    aws_sdk_s3control::Client::from_conf(conf)
}

async fn lake() -> Lake {
    let moto = lakecat_testkit::moto::start().unwrap();
    // lakecat's own account is moto's default (123456789012); static keys spare the SDK a
    // search of the credential chain.
    let base = AwsConfig {
        region: Some(REGION.into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await
    .into_builder()
    .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
        "test", "test", None, None, "test",
    )))
    .build();
    let source = as_account(&base, SOURCE).await;
    let consumer = as_account(&base, CONSUMER).await;

    s3(&source)
        .create_bucket()
        .bucket(BUCKET)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let kms = aws_sdk_kms::Client::new(&source);
    let key = kms.create_key().send().await.unwrap();
    let key_id = key.key_metadata().unwrap().key_id().to_owned();
    kms.create_alias()
        .alias_name(KEY_ALIAS)
        .target_key_id(&key_id)
        .send()
        .await
        .unwrap();
    let glue = aws_sdk_glue::Client::new(&source);
    glue.create_database()
        .database_input(
            aws_sdk_glue::types::DatabaseInput::builder()
                .name(DB)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    for table in ["orders", "customers"] {
        glue.create_table()
            .database_name(DB)
            .table_input(
                aws_sdk_glue::types::TableInput::builder()
                    .name(table)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }

    let locks = Arc::new(TokioLocks::default());
    let processor = Arc::new(AwsShareProcessor::new(&base, locks.clone()));
    Lake {
        _moto: moto,
        source,
        consumer,
        locks,
        processor,
    }
}

fn role(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

/// One item of `share` for `consumer_role` (whose account is read from its ARN).
fn item(
    share: &str,
    item: &str,
    consumer_role: &str,
    access: ShareAccess,
    target: ItemTarget,
) -> ShareItemGrant {
    let account = consumer_role.split(':').nth(4).unwrap().to_owned();
    ShareItemGrant {
        share_id: share.into(),
        item_id: item.into(),
        dataset_id: "01HXDATASETSALES000000000".into(),
        access,
        source: ShareSource {
            account_id: SOURCE.into(),
            region: REGION.into(),
            bucket: BUCKET.into(),
            glue_database: DB.into(),
            kms_alias: Some(KEY_ALIAS.into()),
            pivot_role_arn: role(SOURCE, "lakecat-pivot"),
            external_id: "ext-source".into(),
        },
        target: ShareTarget {
            pivot_role_arn: role(&account, "lakecat-pivot"),
            account_id: account,
            region: REGION.into(),
            role_arn: consumer_role.into(),
            external_id: "ext-consumer".into(),
        },
        item: target,
        share_keeps_access: false,
    }
}

fn table(name: &str) -> ItemTarget {
    ItemTarget::Table {
        glue_table: name.into(),
    }
}

fn folder(prefix: &str) -> ItemTarget {
    ItemTarget::Folder {
        prefix: prefix.into(),
    }
}

// --- reading what was granted --------------------------------------------------------------

/// One Lake Formation grant, spelled out: principal, resource, permissions, grantable ones.
type Grant = (String, String, Vec<String>, Vec<String>);

fn table_resource(catalog: &str, db: &str, name: &str) -> Resource {
    let t = TableResource::builder()
        .catalog_id(catalog)
        .database_name(db)
        .name(name)
        .build()
        .unwrap();
    Resource::builder().table(t).build()
}

fn database_resource(catalog: &str, name: &str) -> Resource {
    let d = DatabaseResource::builder()
        .catalog_id(catalog)
        .name(name)
        .build()
        .unwrap();
    Resource::builder().database(d).build()
}

/// Every grant in `catalog` on `resource`, sorted.
async fn grants(config: &SdkConfig, catalog: &str, resource: Resource) -> Vec<Grant> {
    let out = aws_sdk_lakeformation::Client::new(config)
        .list_permissions()
        .catalog_id(catalog)
        .resource(resource)
        .send()
        .await
        .unwrap();
    let names = |ps: &[aws_sdk_lakeformation::types::Permission]| {
        let mut v: Vec<String> = ps.iter().map(|p| p.as_str().to_owned()).collect();
        v.sort();
        v
    };
    let mut all: Vec<Grant> = out
        .principal_resource_permissions()
        .iter()
        .map(|g| {
            let r = g.resource().unwrap();
            let resource = match (r.table(), r.database()) {
                (Some(t), _) => format!(
                    "table {}:{}.{}",
                    t.catalog_id().unwrap(),
                    t.database_name(),
                    t.name().unwrap()
                ),
                (None, Some(d)) => format!("database {}:{}", d.catalog_id().unwrap(), d.name()),
                _ => panic!("unexpected resource {r:?}"),
            };
            (
                g.principal()
                    .unwrap()
                    .data_lake_principal_identifier()
                    .unwrap()
                    .to_owned(),
                resource,
                names(g.permissions()),
                names(g.permissions_with_grant_option()),
            )
        })
        .collect();
    all.sort();
    all
}

fn grant(principal: &str, resource: &str, perms: &[&str], grantable: &[&str]) -> Grant {
    let strings = |v: &[&str]| {
        let mut v: Vec<String> = v.iter().map(|s| (*s).to_owned()).collect();
        v.sort();
        v
    };
    (
        principal.into(),
        resource.into(),
        strings(perms),
        strings(grantable),
    )
}

async fn bucket_policy(lake: &Lake) -> Option<Value> {
    match s3(&lake.source)
        .get_bucket_policy()
        .bucket(BUCKET)
        .send()
        .await
    {
        Ok(out) => Some(serde_json::from_str(out.policy().unwrap()).unwrap()),
        Err(e) => {
            assert_eq!(
                aws_sdk_s3::error::ProvideErrorMetadata::code(&e),
                Some("NoSuchBucketPolicy"),
                "{e:?}"
            );
            None
        }
    }
}

async fn key_policy(lake: &Lake) -> Value {
    // GetKeyPolicy takes a key id, not an alias.
    let kms = aws_sdk_kms::Client::new(&lake.source);
    let key = kms.describe_key().key_id(KEY_ALIAS).send().await.unwrap();
    let id = key.key_metadata().unwrap().key_id().to_owned();
    let out = kms
        .get_key_policy()
        .key_id(id)
        .policy_name("default")
        .send()
        .await
        .unwrap();
    serde_json::from_str(out.policy().unwrap()).unwrap()
}

fn sids(policy: &Value) -> Vec<String> {
    let mut v: Vec<String> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["Sid"].as_str().map(str::to_owned))
        .collect();
    v.sort();
    v
}

fn statement<'a>(policy: &'a Value, sid: &str) -> &'a Value {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {policy}"))
}

async fn access_point_policy(lake: &Lake, name: &str) -> Option<Value> {
    let control = s3control(&lake.source);
    match control
        .get_access_point()
        .account_id(SOURCE)
        .name(name)
        .send()
        .await
    {
        Ok(_) => {}
        Err(e) => {
            assert_eq!(
                aws_sdk_s3control::error::ProvideErrorMetadata::code(&e),
                Some("NoSuchAccessPoint")
            );
            return None;
        }
    }
    let out = control
        .get_access_point_policy()
        .account_id(SOURCE)
        .name(name)
        .send()
        .await
        .unwrap();
    Some(serde_json::from_str(out.policy().unwrap()).unwrap())
}

// --- tables --------------------------------------------------------------------------------

#[tokio::test]
async fn same_account_table_read_is_granted_once_and_revoked_alone() {
    let lake = lake().await;
    let analyst = role(SOURCE, "analyst");
    let other = role(SOURCE, "auditor");
    let orders = item(
        "share-a",
        "item-a",
        &analyst,
        ShareAccess::Read,
        table("orders"),
    );
    let customers = item(
        "share-b",
        "item-b",
        &other,
        ShareAccess::Read,
        table("customers"),
    );

    let consumption = lake.processor.grant(&orders).await.unwrap();
    assert_eq!(
        consumption,
        Consumption {
            glue_database: Some(DB.into()),
            glue_table: Some("orders".into()),
            bucket: BUCKET.into(),
            region: REGION.into(),
            ..Consumption::default()
        }
    );
    lake.processor.grant(&orders).await.unwrap();
    lake.processor.grant(&customers).await.unwrap();
    let on_orders = table_resource(SOURCE, DB, "orders");
    let on_customers = table_resource(SOURCE, DB, "customers");
    assert_eq!(
        grants(&lake.source, SOURCE, on_orders.clone()).await,
        [grant(
            &analyst,
            "table 111111111111:sales.orders",
            &["DESCRIBE", "SELECT"],
            &[]
        )],
        "granted twice, listed once"
    );

    lake.processor.revoke(&orders).await.unwrap();
    lake.processor.revoke(&orders).await.unwrap();
    assert_eq!(grants(&lake.source, SOURCE, on_orders).await, []);
    assert_eq!(
        grants(&lake.source, SOURCE, on_customers).await,
        [grant(
            &other,
            "table 111111111111:sales.customers",
            &["DESCRIBE", "SELECT"],
            &[]
        )],
        "another share's grant stays"
    );
    // No consumer-side objects in one account.
    let glue = aws_sdk_glue::Client::new(&lake.source);
    assert!(
        glue.get_database()
            .name("sales_shared")
            .send()
            .await
            .is_err()
    );
    assert_eq!(lake.locks.held_keys(), Vec::<String>::new());
}

#[tokio::test]
async fn write_access_adds_insert_and_delete() {
    let lake = lake().await;
    let writer = role(SOURCE, "loader");
    let orders = item(
        "share-w",
        "item-w",
        &writer,
        ShareAccess::Write,
        table("orders"),
    );
    lake.processor.grant(&orders).await.unwrap();
    assert_eq!(
        grants(&lake.source, SOURCE, table_resource(SOURCE, DB, "orders")).await,
        [grant(
            &writer,
            "table 111111111111:sales.orders",
            &["DELETE", "DESCRIBE", "INSERT", "SELECT"],
            &[]
        )]
    );
    lake.processor.revoke(&orders).await.unwrap();
    assert_eq!(
        grants(&lake.source, SOURCE, table_resource(SOURCE, DB, "orders")).await,
        []
    );
}

/// Lake Formation grants a table Glue does not have; lakecat checks Glue first, and a missing
/// table fails the item for good (a retry would not make it appear) with nothing granted, in
/// one account as across accounts.
#[tokio::test]
async fn a_table_missing_from_glue_is_refused_and_nothing_is_granted() {
    let lake = lake().await;
    let missing = "table sales_orders not found in Glue database sales of account 111111111111 \
                   (region eu-west-1)";
    for consumer in [role(CONSUMER, "analyst"), role(SOURCE, "analyst")] {
        let g = item(
            "share-m",
            "item-m",
            &consumer,
            ShareAccess::Read,
            table("sales_orders"),
        );
        let e = lake.processor.grant(&g).await.unwrap_err();
        assert!(!e.retryable, "{consumer}: {e:?}");
        assert_eq!(e.message, missing, "{consumer}");
    }
    let on_missing = table_resource(SOURCE, DB, "sales_orders");
    assert_eq!(grants(&lake.source, SOURCE, on_missing.clone()).await, []);
    assert_eq!(grants(&lake.consumer, CONSUMER, on_missing).await, []);
    let glue = aws_sdk_glue::Client::new(&lake.consumer);
    let no_link = glue
        .get_database()
        .name("sales_shared")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_glue::error::ProvideErrorMetadata::code(&no_link),
        Some("EntityNotFoundException"),
        "no shared database, so no resource link"
    );
    assert_eq!(lake.locks.held_keys(), Vec::<String>::new());

    // A table Glue has is granted as before.
    let orders = item(
        "share-o",
        "item-o",
        &role(CONSUMER, "analyst"),
        ShareAccess::Read,
        table("orders"),
    );
    lake.processor.grant(&orders).await.unwrap();
    assert_eq!(
        grants(&lake.source, SOURCE, source_table()).await.len(),
        1,
        "the consumer account's grant"
    );
}

// moto records Lake Formation grants per account and catalog but has none of Lake
// Formation's cross-account semantics: no RAM share is created, grant options are not
// enforced, and the consumer account's grant on the source table would be accepted without
// the source account's. moto's Glue stores a resource link's TargetTable without resolving
// it. The assertions below are on the grants and tables as recorded, in the account holding
// them.

fn source_table() -> Resource {
    table_resource(SOURCE, DB, "orders")
}

fn link() -> Resource {
    table_resource(CONSUMER, "sales_shared", "orders")
}

fn shared_db() -> Resource {
    database_resource(CONSUMER, "sales_shared")
}

/// Two consumer roles of one account read one table: they share the account-level grant, the
/// resource link and the `_shared` database, which go with the last of them. (Two readers,
/// not a reader and a writer: moto corrupts a grant it widens, rehashing a set element in
/// place, and revoking it then fails with a 500. Narrowing the account grant when a writer
/// leaves is covered by the unit test `the_account_grant_keeps_what_other_consumers_hold`.)
#[tokio::test]
async fn cross_account_table_goes_through_a_resource_link() {
    let lake = lake().await;
    let analyst = role(CONSUMER, "analyst");
    let auditor = role(CONSUMER, "auditor");
    let first = item(
        "share-x",
        "item-x",
        &analyst,
        ShareAccess::Read,
        table("orders"),
    );
    let second = item(
        "share-y",
        "item-y",
        &auditor,
        ShareAccess::Read,
        table("orders"),
    );

    let consumption = lake.processor.grant(&first).await.unwrap();
    assert_eq!(
        consumption,
        Consumption {
            glue_database: Some("sales_shared".into()),
            glue_table: Some("orders".into()),
            bucket: BUCKET.into(),
            region: REGION.into(),
            ..Consumption::default()
        }
    );
    lake.processor.grant(&first).await.unwrap();
    lake.processor.grant(&second).await.unwrap();

    let read = ["DESCRIBE", "SELECT"];
    let orders = "table 111111111111:sales.orders";
    let link_name = "table 222222222222:sales_shared.orders";
    let db_name = "database 222222222222:sales_shared";
    assert_eq!(
        grants(&lake.source, SOURCE, source_table()).await,
        [grant(CONSUMER, orders, &read, &read)],
        "the dataset account grants the consumer account, with grant option, once"
    );
    let glue = aws_sdk_glue::Client::new(&lake.consumer);
    glue.get_database()
        .name("sales_shared")
        .send()
        .await
        .unwrap();
    let link_table = glue
        .get_table()
        .database_name("sales_shared")
        .name("orders")
        .send()
        .await
        .unwrap();
    let target = link_table.table().unwrap().target_table().unwrap();
    assert_eq!(
        (target.catalog_id(), target.database_name(), target.name()),
        (Some(SOURCE), Some(DB), Some("orders"))
    );
    assert_eq!(
        grants(&lake.consumer, CONSUMER, shared_db()).await,
        [
            grant(&analyst, db_name, &["DESCRIBE"], &[]),
            grant(&auditor, db_name, &["DESCRIBE"], &[]),
        ]
    );
    assert_eq!(
        grants(&lake.consumer, CONSUMER, link()).await,
        [
            grant(&analyst, link_name, &["DESCRIBE"], &[]),
            grant(&auditor, link_name, &["DESCRIBE"], &[]),
        ]
    );
    assert_eq!(
        grants(&lake.consumer, CONSUMER, source_table()).await,
        [
            grant(&analyst, orders, &read, &[]),
            grant(&auditor, orders, &read, &[]),
        ]
    );

    // The first share goes; the second keeps the account grant, the link and the database.
    lake.processor.revoke(&first).await.unwrap();
    assert_eq!(
        grants(&lake.source, SOURCE, source_table()).await,
        [grant(CONSUMER, orders, &read, &read)]
    );
    assert_eq!(
        grants(&lake.consumer, CONSUMER, link()).await,
        [grant(&auditor, link_name, &["DESCRIBE"], &[])]
    );
    assert_eq!(
        grants(&lake.consumer, CONSUMER, shared_db()).await,
        [grant(&auditor, db_name, &["DESCRIBE"], &[])]
    );
    assert_eq!(
        grants(&lake.consumer, CONSUMER, source_table()).await,
        [grant(&auditor, orders, &read, &[])]
    );
    glue.get_table()
        .database_name("sales_shared")
        .name("orders")
        .send()
        .await
        .unwrap();

    // The last share gone, so are the account grant, the link and the `_shared` database.
    lake.processor.revoke(&second).await.unwrap();
    lake.processor.revoke(&second).await.unwrap();
    assert_eq!(grants(&lake.source, SOURCE, source_table()).await, []);
    assert_eq!(grants(&lake.consumer, CONSUMER, link()).await, []);
    assert_eq!(grants(&lake.consumer, CONSUMER, shared_db()).await, []);
    assert_eq!(grants(&lake.consumer, CONSUMER, source_table()).await, []);
    let gone = glue
        .get_database()
        .name("sales_shared")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_glue::error::ProvideErrorMetadata::code(&gone),
        Some("EntityNotFoundException")
    );
    assert_eq!(lake.locks.held_keys(), Vec::<String>::new());
}

#[tokio::test]
async fn cross_account_write_passes_on_insert_and_delete() {
    let lake = lake().await;
    let loader = role(CONSUMER, "loader");
    let write = item(
        "share-w",
        "item-w",
        &loader,
        ShareAccess::Write,
        table("orders"),
    );
    lake.processor.grant(&write).await.unwrap();
    let all = ["DELETE", "DESCRIBE", "INSERT", "SELECT"];
    let orders = "table 111111111111:sales.orders";
    assert_eq!(
        grants(&lake.source, SOURCE, source_table()).await,
        [grant(CONSUMER, orders, &all, &all)]
    );
    assert_eq!(
        grants(&lake.consumer, CONSUMER, source_table()).await,
        [grant(&loader, orders, &all, &[])]
    );
    lake.processor.revoke(&write).await.unwrap();
    assert_eq!(grants(&lake.source, SOURCE, source_table()).await, []);
    assert_eq!(grants(&lake.consumer, CONSUMER, source_table()).await, []);
    assert_eq!(grants(&lake.consumer, CONSUMER, link()).await, []);
}

// --- folders and buckets -------------------------------------------------------------------

#[tokio::test]
async fn folders_share_one_access_point_per_consumer() {
    let lake = lake().await;
    let analyst = role(CONSUMER, "analyst");
    let raw = item(
        "share-f",
        "item-f1",
        &analyst,
        ShareAccess::Read,
        folder("raw/2024/"),
    );
    let curated = item(
        "share-f",
        "item-f2",
        &analyst,
        ShareAccess::Write,
        folder("curated/"),
    );

    let consumption = lake.processor.grant(&raw).await.unwrap();
    let ap_arn = consumption.access_point_arn.clone().unwrap();
    let name = ap_arn.rsplit('/').next().unwrap().to_owned();
    assert!(name.starts_with("lakecat-01hxdatasetsales-"), "{name}");
    // moto's access point ARNs always say us-east-1, whatever the region; AWS's name the
    // bucket's. The policy uses the ARN AWS would, so only account and name are compared here.
    assert!(
        ap_arn.contains(&format!(":{SOURCE}:accesspoint/{name}")),
        "{ap_arn}"
    );
    assert!(
        consumption
            .access_point_alias
            .as_deref()
            .unwrap()
            .starts_with(&name)
    );
    assert_eq!(consumption.s3_prefix.as_deref(), Some("raw/2024/"));
    assert_eq!(
        (consumption.bucket.as_str(), consumption.region.as_str()),
        (BUCKET, REGION)
    );

    lake.processor.grant(&curated).await.unwrap();
    lake.processor.grant(&raw).await.unwrap();
    let policy = access_point_policy(&lake, &name).await.unwrap();
    assert_eq!(
        sids(&policy),
        [
            "LakecatItemitemf1List",
            "LakecatItemitemf1Objects",
            "LakecatItemitemf2List",
            "LakecatItemitemf2Objects"
        ]
    );
    let arn = format!("arn:aws:s3:{REGION}:{SOURCE}:accesspoint/{name}");
    assert_eq!(
        statement(&policy, "LakecatItemitemf1Objects"),
        &json!({
            "Sid": "LakecatItemitemf1Objects",
            "Effect": "Allow",
            "Principal": { "AWS": analyst },
            "Action": ["s3:GetObject"],
            "Resource": format!("{arn}/object/raw/2024/*"),
        })
    );
    assert_eq!(
        statement(&policy, "LakecatItemitemf1List"),
        &json!({
            "Sid": "LakecatItemitemf1List",
            "Effect": "Allow",
            "Principal": { "AWS": analyst },
            "Action": "s3:ListBucket",
            "Resource": arn,
            "Condition": { "StringLike": { "s3:prefix": ["raw/2024/*"] } },
        })
    );
    assert_eq!(
        statement(&policy, "LakecatItemitemf2Objects")["Action"],
        json!(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
    );
    let delegation = json!({
        "Sid": "LakecatDelegateToAccessPoints",
        "Effect": "Allow",
        "Principal": { "AWS": "*" },
        "Action": "*",
        "Resource": ["arn:aws:s3:::sales-raw", "arn:aws:s3:::sales-raw/*"],
        "Condition": { "StringEquals": { "s3:DataAccessPointAccount": SOURCE } },
    });
    let bucket = bucket_policy(&lake).await.unwrap();
    assert_eq!(bucket["Statement"], json!([delegation]), "delegated once");

    let mut partial = raw.clone();
    partial.share_keeps_access = true;
    lake.processor.revoke(&partial).await.unwrap();
    let policy = access_point_policy(&lake, &name).await.unwrap();
    assert_eq!(
        sids(&policy),
        ["LakecatItemitemf2List", "LakecatItemitemf2Objects"]
    );

    let bucket = bucket_policy(&lake).await.unwrap();
    assert_eq!(
        bucket["Statement"],
        json!([delegation]),
        "the access point is still there"
    );

    lake.processor.revoke(&curated).await.unwrap();
    assert_eq!(
        access_point_policy(&lake, &name).await,
        None,
        "access point deleted"
    );
    assert_eq!(
        bucket_policy(&lake).await,
        None,
        "lakecat's delegation went with its last access point, and the policy it alone made"
    );
    lake.processor.revoke(&curated).await.unwrap();
    assert_eq!(bucket_policy(&lake).await, None);
    assert_eq!(lake.locks.held_keys(), Vec::<String>::new());
}

fn bucket_arns() -> Value {
    json!([
        format!("arn:aws:s3:::{BUCKET}"),
        format!("arn:aws:s3:::{BUCKET}/*")
    ])
}

async fn put_bucket_policy(lake: &Lake, policy: &Value) {
    s3(&lake.source)
        .put_bucket_policy()
        .bucket(BUCKET)
        .policy(policy.to_string())
        .send()
        .await
        .unwrap();
}

/// Two folders of one bucket shared to two consumer roles (two access points): lakecat's
/// delegation stays while either is shared and goes with the last, leaving the operator's
/// bucket policy exactly as it was.
#[tokio::test]
async fn the_delegation_goes_with_the_last_folder_share_of_the_bucket() {
    let lake = lake().await;
    let operator = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "OperatorAuditRead",
            "Effect": "Allow",
            "Principal": { "AWS": role(SOURCE, "auditor") },
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": bucket_arns(),
        }],
    });
    put_bucket_policy(&lake, &operator).await;
    let raw = item(
        "share-1",
        "item-1",
        &role(CONSUMER, "analyst"),
        ShareAccess::Read,
        folder("raw/"),
    );
    let curated = item(
        "share-2",
        "item-2",
        &role(SOURCE, "auditor"),
        ShareAccess::Read,
        folder("curated/"),
    );
    let first = lake.processor.grant(&raw).await.unwrap();
    let second = lake.processor.grant(&curated).await.unwrap();
    assert_ne!(first.access_point_arn, second.access_point_arn);
    let both = ["LakecatDelegateToAccessPoints", "OperatorAuditRead"];
    assert_eq!(sids(&bucket_policy(&lake).await.unwrap()), both);

    lake.processor.revoke(&raw).await.unwrap();
    assert_eq!(
        sids(&bucket_policy(&lake).await.unwrap()),
        both,
        "the other access point still needs the delegation"
    );

    lake.processor.revoke(&curated).await.unwrap();
    assert_eq!(bucket_policy(&lake).await, Some(operator.clone()));
    lake.processor.revoke(&curated).await.unwrap();
    lake.processor.revoke(&raw).await.unwrap();
    assert_eq!(bucket_policy(&lake).await, Some(operator));
    assert_eq!(lake.locks.held_keys(), Vec::<String>::new());
}

/// A delegation lakecat did not write (an operator's, or one lakecat wrote before its
/// statement had a Sid of its own) is never removed; lakecat adds and removes its own beside it.
#[tokio::test]
async fn a_delegation_lakecat_did_not_write_is_never_removed() {
    let lake = lake().await;
    let operator = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DelegateToAccessPoints",
            "Effect": "Allow",
            "Principal": { "AWS": "*" },
            "Action": "*",
            "Resource": bucket_arns(),
            "Condition": { "StringEquals": { "s3:DataAccessPointAccount": SOURCE } },
        }],
    });
    put_bucket_policy(&lake, &operator).await;
    let raw = item(
        "share-1",
        "item-1",
        &role(CONSUMER, "analyst"),
        ShareAccess::Read,
        folder("raw/"),
    );
    lake.processor.grant(&raw).await.unwrap();
    assert_eq!(
        sids(&bucket_policy(&lake).await.unwrap()),
        ["DelegateToAccessPoints", "LakecatDelegateToAccessPoints"]
    );
    lake.processor.revoke(&raw).await.unwrap();
    assert_eq!(bucket_policy(&lake).await, Some(operator));
}

/// A revoke deciding that its access point was the bucket's last races a grant of another
/// consumer's folder: whatever the interleaving, the granted folder keeps its delegation.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_racing_grant_keeps_the_delegation() {
    let lake = lake().await;
    let leaving = item(
        "share-1",
        "item-1",
        &role(CONSUMER, "analyst"),
        ShareAccess::Read,
        folder("raw/"),
    );
    let arriving = item(
        "share-2",
        "item-2",
        &role(CONSUMER, "auditor"),
        ShareAccess::Read,
        folder("curated/"),
    );
    for round in 0..5 {
        lake.processor.grant(&leaving).await.unwrap();
        let (revoke, grant) = (lake.processor.clone(), lake.processor.clone());
        let (going, coming) = (leaving.clone(), arriving.clone());
        let (revoked, granted) = tokio::join!(
            tokio::spawn(async move { revoke.revoke(&going).await }),
            tokio::spawn(async move { grant.grant(&coming).await }),
        );
        revoked.unwrap().unwrap();
        granted.unwrap().unwrap();
        let policy = bucket_policy(&lake).await.unwrap();
        assert_eq!(
            sids(&policy),
            ["LakecatDelegateToAccessPoints"],
            "round {round}"
        );
        lake.processor.revoke(&arriving).await.unwrap();
        assert_eq!(bucket_policy(&lake).await, None, "round {round}");
    }
}

#[tokio::test]
async fn bucket_statements_are_per_share() {
    let lake = lake().await;
    let reader = role(CONSUMER, "analyst");
    let writer = role(CONSUMER, "loader");
    let mut read = item(
        "share-r",
        "item-r",
        &reader,
        ShareAccess::Read,
        ItemTarget::Bucket,
    );
    let mut write = item(
        "share-w",
        "item-w",
        &writer,
        ShareAccess::Write,
        ItemTarget::Bucket,
    );
    read.source.kms_alias = None;
    write.source.kms_alias = None;

    let consumption = lake.processor.grant(&read).await.unwrap();
    assert_eq!(
        consumption,
        Consumption {
            bucket: BUCKET.into(),
            region: REGION.into(),
            ..Consumption::default()
        }
    );
    lake.processor.grant(&write).await.unwrap();
    lake.processor.grant(&read).await.unwrap();
    let policy = bucket_policy(&lake).await.unwrap();
    assert_eq!(sids(&policy), ["LakecatSharesharer", "LakecatSharesharew"]);
    assert_eq!(
        statement(&policy, "LakecatSharesharer"),
        &json!({
            "Sid": "LakecatSharesharer",
            "Effect": "Allow",
            "Principal": { "AWS": reader },
            "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
            "Resource": ["arn:aws:s3:::sales-raw", "arn:aws:s3:::sales-raw/*"],
        })
    );
    assert_eq!(
        statement(&policy, "LakecatSharesharew")["Action"],
        json!([
            "s3:GetObject",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:PutObject",
            "s3:DeleteObject"
        ])
    );

    lake.processor.revoke(&read).await.unwrap();
    let policy = bucket_policy(&lake).await.unwrap();
    assert_eq!(
        sids(&policy),
        ["LakecatSharesharew"],
        "another share's statement survives"
    );
    lake.processor.revoke(&write).await.unwrap();
    assert_eq!(
        bucket_policy(&lake).await,
        None,
        "an empty bucket policy is deleted"
    );
    lake.processor.revoke(&write).await.unwrap();
}

#[tokio::test]
async fn key_policy_statement_follows_the_share() {
    let lake = lake().await;
    let original = key_policy(&lake).await;
    let analyst = role(CONSUMER, "analyst");
    let bucket = item(
        "share-k",
        "item-k1",
        &analyst,
        ShareAccess::Read,
        ItemTarget::Bucket,
    );
    let curated = item(
        "share-k",
        "item-k2",
        &analyst,
        ShareAccess::Write,
        folder("curated/"),
    );

    lake.processor.grant(&bucket).await.unwrap();
    lake.processor.grant(&bucket).await.unwrap();
    let policy = key_policy(&lake).await;
    assert_eq!(
        statement(&policy, "LakecatSharesharekRead"),
        &json!({
            "Sid": "LakecatSharesharekRead",
            "Effect": "Allow",
            "Principal": { "AWS": analyst },
            "Action": ["kms:Decrypt", "kms:DescribeKey"],
            "Resource": "*",
        })
    );
    lake.processor.grant(&curated).await.unwrap();
    let policy = key_policy(&lake).await;
    assert_eq!(
        statement(&policy, "LakecatSharesharekWrite")["Action"],
        json!([
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKey*"
        ])
    );
    let count = |p: &Value| p["Statement"].as_array().unwrap().len();
    assert_eq!(count(&policy), count(&original) + 2);

    // The share keeps its bucket item: the key statements stay.
    let mut partial = curated.clone();
    partial.share_keeps_access = true;
    lake.processor.revoke(&partial).await.unwrap();
    assert_eq!(count(&key_policy(&lake).await), count(&original) + 2);

    // The last item goes: so do the share's statements, and nothing else.
    lake.processor.revoke(&bucket).await.unwrap();
    assert_eq!(key_policy(&lake).await, original);
    lake.processor.revoke(&bucket).await.unwrap();
}

// --- concurrency (data.all #941) -----------------------------------------------------------

/// Ten shares approved at once on one bucket, one key and one access point. Each grant reads
/// a policy, adds its statement and writes the policy back; without the lock two grants could
/// read the same version and the later write would drop the earlier one's statement (data.all
/// issue #941). Whether that race shows depends on timing, so there is no negative test: this
/// one checks that with the lock every statement survives. (Run once with a lock that does
/// not exclude, this test lost statements every time: 1 to 3 of 10 bucket statements left.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_approvals_keep_every_statement() {
    let lake = lake().await;
    let analyst = role(CONSUMER, "analyst");
    let mut grants = vec![];
    for i in 0..10 {
        // One consumer role: ten shares editing one access point policy too.
        grants.push(item(
            &format!("share-{i}"),
            &format!("bucket-{i}"),
            &analyst,
            ShareAccess::Read,
            ItemTarget::Bucket,
        ));
        grants.push(item(
            &format!("share-{i}"),
            &format!("folder-{i}"),
            &analyst,
            ShareAccess::Read,
            folder(&format!("part-{i}/")),
        ));
    }
    let tasks = grants.into_iter().map(|g| {
        let processor = lake.processor.clone();
        tokio::spawn(async move { processor.grant(&g).await })
    });
    let results = futures::future::join_all(tasks).await;
    let mut access_points = vec![];
    for r in results {
        let consumption = r.unwrap().unwrap();
        if let Some(arn) = consumption.access_point_arn {
            access_points.push(arn.rsplit('/').next().unwrap().to_owned());
        }
    }
    access_points.sort();
    access_points.dedup();
    assert_eq!(
        access_points.len(),
        1,
        "one access point for the one consumer role"
    );

    let bucket = bucket_policy(&lake).await.unwrap();
    let mut want: Vec<String> = (0..10).map(|i| format!("LakecatShareshare{i}")).collect();
    want.push("LakecatDelegateToAccessPoints".into());
    want.sort();
    assert_eq!(sids(&bucket), want);

    let key = key_policy(&lake).await;
    let shares = sids(&key)
        .into_iter()
        .filter(|s| s.starts_with("LakecatShare"))
        .count();
    assert_eq!(shares, 10);

    let ap = access_point_policy(&lake, &access_points[0]).await.unwrap();
    assert_eq!(
        sids(&ap).len(),
        20,
        "objects and list statements of ten folders"
    );
    assert_eq!(lake.locks.held_keys(), Vec::<String>::new());
    // Per bucket item: bucket and key policy; per folder: bucket, access point and key policy.
    assert_eq!(lake.locks.acquired.load(Ordering::SeqCst), 50);
}
