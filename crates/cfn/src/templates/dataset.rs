//! The dataset stack: the customer key and its alias, the bucket and its TLS-only policy, the
//! Glue database, the admin role, the Lake Formation registration and the owner's grants,
//! and an optional crawler. The bucket, key and database are retained: a stack mistake must
//! never delete data.

use serde_json::json;

use super::lake::{admin_role, key_usage, register_and_grant};
use super::storage::{alias, customer_key, encrypted_bucket, tls_only_policy};
use crate::error::CfnError;
use crate::iam::{boundary_option, boundary_value};
use crate::inputs::{DatasetRef, EnvironmentRef, KmsAlias};
use crate::intrinsic::{account_id, equals, get_att, ref_};
use crate::tags::UserTags;
use crate::{Output, Parameter, Resource, Template, id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetStack {
    pub env: EnvironmentRef,
    pub dataset: DatasetRef,
    pub kms_alias: KmsAlias,
    pub tags: UserTags,
}

pub fn dataset_stack(input: &DatasetStack) -> Result<Template, CfnError> {
    let (env, ds) = (&input.env, &input.dataset);
    let mut t = Template::new(
        &format!(
            "lakecat dataset stack ({}): bucket, key, Glue database, admin role, Lake Formation.",
            ds.bucket.as_str()
        ),
        ds.tags(env),
        &input.tags,
    );
    let boundary = boundary_option(&mut t)?;
    let crawler_param = id!("CreateCrawler");
    t.parameter(
        &crawler_param,
        Parameter::string("Whether to create a Glue crawler over the bucket.")
            .allowed_values(&["true", "false"])
            .default("false"),
    )?;
    let with_crawler = id!("WithCrawler");
    t.condition(&with_crawler, equals(ref_(&crawler_param), json!("true")))?;

    let key = id!("DatasetKey");
    t.add(
        &key,
        customer_key(&format!("lakecat dataset {}", ds.id.as_str())),
    )?;
    t.add(
        &id!("DatasetKeyAlias"),
        alias(input.kms_alias.as_str(), &key),
    )?;
    let bucket = id!("DatasetBucket");
    t.add(
        &bucket,
        encrypted_bucket(json!(ds.bucket.as_str()), &key, vec![]),
    )?;
    t.add(&id!("DatasetBucketPolicy"), tls_only_policy(&bucket))?;
    let database = id!("GlueDatabase");
    t.add(
        &database,
        Resource::new("AWS::Glue::Database")
            .prop("CatalogId", account_id())
            .prop(
                "DatabaseInput",
                json!({
                    "Name": ds.glue_database.as_str(),
                    "Description": ds.label,
                    "LocationUri": format!("s3://{}/", ds.bucket.as_str()),
                    // Lake Formation alone decides access to new tables (no IAM_ALLOWED_PRINCIPALS).
                    "CreateTableDefaultPermissions": [],
                }),
            )
            .retain(),
    )?;
    let admin = id!("DatasetAdminRole");
    t.add(
        &admin,
        admin_role(
            ds,
            Some(key_usage(vec![get_att(&key, "Arn")])),
            boundary_value(&boundary, None),
        ),
    )?;
    register_and_grant(&mut t, env, ds, get_att(&admin, "Arn"), ref_(&database))?;

    let crawler = id!("DatasetCrawler");
    t.add(
        &crawler,
        Resource::new("AWS::Glue::Crawler")
            .condition(&with_crawler)
            .prop("Name", json!(format!("{}-crawler", ds.bucket.as_str())))
            .prop("Role", get_att(&admin, "Arn"))
            .prop("DatabaseName", ref_(&database))
            .prop(
                "Targets",
                json!({ "S3Targets": [{ "Path": format!("s3://{}/", ds.bucket.as_str()) }] }),
            )
            .prop(
                "SchemaChangePolicy",
                json!({ "UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG" }),
            )
            .depends_on(&id!("AdminDatabasePermissions"))
            .depends_on(&id!("AdminLocationPermissions")),
    )?;

    t.output(
        &id!("BucketName"),
        Output::new("The dataset's bucket.", ref_(&bucket)),
    )?;
    t.output(
        &id!("KmsKeyArn"),
        Output::new("The dataset's key.", get_att(&key, "Arn")),
    )?;
    t.output(
        &id!("KmsAliasName"),
        Output::new(
            "The alias of the dataset's key.",
            json!(input.kms_alias.as_str()),
        ),
    )?;
    t.output(
        &id!("GlueDatabaseName"),
        Output::new("The dataset's Glue database.", ref_(&database)),
    )?;
    t.output(
        &id!("AdminRoleArn"),
        Output::new("The dataset's admin role.", get_att(&admin, "Arn")),
    )?;
    t.output(
        &id!("CrawlerName"),
        Output::new("The dataset's Glue crawler.", ref_(&crawler)).condition(&with_crawler),
    )?;
    Ok(t)
}
