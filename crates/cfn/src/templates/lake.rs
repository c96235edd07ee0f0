//! What created and imported datasets share: the dataset admin role, the Lake Formation
//! registration of the bucket and the grants of the owner team and the admin role.

use serde_json::{Value, json};

use crate::error::CfnError;
use crate::iam::{allow, arn, document, trust};
use crate::inputs::{DatasetRef, EnvironmentRef, RoleName};
use crate::intrinsic::account_id;
use crate::{LogicalId, Resource, Template};

/// Permissions on the database, and on all its tables, for the owner team and the admin role
/// (whose crawler creates tables).
const DATABASE_PERMISSIONS: &[&str] = &["ALTER", "CREATE_TABLE", "DESCRIBE", "DROP"];
const TABLE_PERMISSIONS: &[&str] = &["ALTER", "DELETE", "DESCRIBE", "INSERT", "SELECT"];
/// What lakecat's pivot role reads: the tables' data, for previews and profiles (Athena
/// reads a registered location with the querying principal's Lake Formation permissions).
const PIVOT_DATABASE_PERMISSIONS: &[&str] = &["DESCRIBE"];
const PIVOT_TABLE_PERMISSIONS: &[&str] = &["DESCRIBE", "SELECT"];

/// The admin role: Glue (its crawler) and Lake Formation (the bucket's data access) assume
/// it. `key` is the statement on the dataset's customer key, if it has one (S3 decrypts with
/// AWS-managed keys by itself).
pub fn admin_role(ds: &DatasetRef, key: Option<Value>, boundary: Value) -> Resource {
    let bucket = ds.bucket.as_str();
    let db = ds.glue_database.as_str();
    let glue = |what: &str| arn(&format!("glue:${{AWS::Region}}:${{AWS::AccountId}}:{what}"));
    let mut statements = vec![
        allow(
            "DatasetObjects",
            &[
                "s3:GetObject",
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
            ],
            vec![
                arn(&format!("s3:::{bucket}")),
                arn(&format!("s3:::{bucket}/*")),
            ],
        ),
        allow(
            "DatasetCatalog",
            &[
                "glue:GetDatabase",
                "glue:GetTable",
                "glue:GetTables",
                "glue:CreateTable",
                "glue:UpdateTable",
                "glue:DeleteTable",
                "glue:GetPartition",
                "glue:GetPartitions",
                "glue:BatchCreatePartition",
                "glue:BatchGetPartition",
                "glue:CreatePartition",
                "glue:UpdatePartition",
            ],
            vec![
                glue("catalog"),
                glue(&format!("database/{db}")),
                glue(&format!("table/{db}/*")),
            ],
        ),
        allow(
            "DataAccess",
            &["lakeformation:GetDataAccess"],
            vec![json!("*")],
        ),
        allow(
            "CrawlerLogs",
            &[
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            vec![arn(
                "logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws-glue/*",
            )],
        ),
    ];
    statements.extend(key);
    Resource::new("AWS::IAM::Role")
        .prop("RoleName", json!(ds.admin_role.as_str()))
        .prop(
            "Description",
            json!(format!("lakecat dataset {} administration", ds.id.as_str())),
        )
        .prop(
            "AssumeRolePolicyDocument",
            trust(json!({ "Service": ["glue.amazonaws.com", "lakeformation.amazonaws.com"] })),
        )
        .prop("PermissionsBoundary", boundary)
        .prop(
            "Policies",
            json!([{ "PolicyName": "lakecat-dataset", "PolicyDocument": document(statements) }]),
        )
}

pub fn key_usage(actions_on: Vec<Value>) -> Value {
    allow(
        "DatasetKey",
        &[
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:ReEncryptFrom",
            "kms:ReEncryptTo",
            "kms:DescribeKey",
        ],
        actions_on,
    )
}

/// Registers the bucket with Lake Formation (data access through `role`), grants the owner
/// team's role and the admin role the database, its tables and the data location, and the
/// environment's pivot role the tables' data to read (previews and profiles).
pub fn register_and_grant(
    t: &mut Template,
    env: &EnvironmentRef,
    ds: &DatasetRef,
    role_arn: Value,
    database: Value,
) -> Result<(), CfnError> {
    let bucket_arn = arn(&format!("s3:::{}", ds.bucket.as_str()));
    let location = LogicalId::parse("LakeFormationLocation")?;
    t.add(
        &location,
        Resource::new("AWS::LakeFormation::Resource")
            .prop("ResourceArn", bucket_arn.clone())
            .prop("UseServiceLinkedRole", json!(false))
            .prop("RoleArn", role_arn.clone()),
    )?;
    let owner = arn(&format!(
        "iam::${{AWS::AccountId}}:role/{}",
        RoleName::team(&env.prefix, &ds.owner_team).as_str()
    ));
    for (who, principal) in [("Owner", owner), ("Admin", role_arn)] {
        let grant = |resource: Value, permissions: &[&str]| {
            Resource::new("AWS::LakeFormation::PrincipalPermissions")
                .prop("Catalog", account_id())
                .prop(
                    "Principal",
                    json!({ "DataLakePrincipalIdentifier": principal }),
                )
                .prop("Resource", resource)
                .prop("Permissions", json!(permissions))
                .prop("PermissionsWithGrantOption", json!([]))
        };
        t.add(
            &LogicalId::parse(&format!("{who}DatabasePermissions"))?,
            grant(
                json!({ "Database": { "CatalogId": account_id(), "Name": database } }),
                DATABASE_PERMISSIONS,
            ),
        )?;
        t.add(
            &LogicalId::parse(&format!("{who}TablePermissions"))?,
            grant(
                json!({ "Table": {
                    "CatalogId": account_id(),
                    "DatabaseName": database,
                    "TableWildcard": {},
                } }),
                TABLE_PERMISSIONS,
            ),
        )?;
        t.add(
            &LogicalId::parse(&format!("{who}LocationPermissions"))?,
            grant(
                json!({ "DataLocation": {
                    "CatalogId": account_id(),
                    "ResourceArn": bucket_arn,
                } }),
                &["DATA_LOCATION_ACCESS"],
            )
            .depends_on(&location),
        )?;
    }
    let pivot = arn(&format!(
        "iam::${{AWS::AccountId}}:role/{}",
        env.pivot_role.as_str()
    ));
    let reader = |resource: Value, permissions: &[&str]| {
        Resource::new("AWS::LakeFormation::PrincipalPermissions")
            .prop("Catalog", account_id())
            .prop("Principal", json!({ "DataLakePrincipalIdentifier": pivot }))
            .prop("Resource", resource)
            .prop("Permissions", json!(permissions))
            .prop("PermissionsWithGrantOption", json!([]))
    };
    t.add(
        &LogicalId::parse("PivotDatabasePermissions")?,
        reader(
            json!({ "Database": { "CatalogId": account_id(), "Name": database } }),
            PIVOT_DATABASE_PERMISSIONS,
        ),
    )?;
    t.add(
        &LogicalId::parse("PivotTablePermissions")?,
        reader(
            json!({ "Table": {
                    "CatalogId": account_id(),
                    "DatabaseName": database,
                    "TableWildcard": {},
                } }),
            PIVOT_TABLE_PERMISSIONS,
        ),
    )?;
    Ok(())
}
