//! The environment stack: one role per invited team (the consumer role shares grant to), an
//! Athena workgroup writing to an encrypted results bucket, the pivot role as a Lake
//! Formation admin, and SSM parameters describing the environment.

use lakecat_core::names::TeamName;
use serde_json::{Value, json};

use super::storage::{alias, customer_key, encrypted_bucket, tls_only_policy};
use crate::error::CfnError;
use crate::iam::{allow, arn, boundary_option, boundary_value, document, when};
use crate::inputs::{EnvironmentRef, RoleName};
use crate::intrinsic::{account_id, condition, get_att, import_value, not, ref_, sub};
use crate::tags::{self, UserTags};
use crate::{LogicalId, Output, Resource, Template, id};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentStack {
    pub env: EnvironmentRef,
    /// The teams invited to the environment, each getting its role.
    pub teams: Vec<TeamName>,
    pub tags: UserTags,
}

pub fn environment_stack(input: &EnvironmentStack) -> Result<Template, CfnError> {
    let env = &input.env;
    let p = env.prefix.as_str();
    let mut t = Template::new(
        &format!("lakecat environment stack ({p}): team roles, Athena, Lake Formation settings."),
        env.tags(),
        &input.tags,
    );
    let boundary = boundary_option(&mut t)?;
    // Without a boundary of the account's, team roles get the stack's own.
    let default_boundary = id!("UseDefaultBoundary");
    t.condition(&default_boundary, not(condition(&boundary.1)))?;
    let team_boundary = id!("TeamBoundary");
    t.add(
        &team_boundary,
        Resource::new("AWS::IAM::ManagedPolicy")
            .condition(&default_boundary)
            .prop("ManagedPolicyName", json!(format!("{p}-team-boundary")))
            .prop(
                "Description",
                json!("The most a lakecat team role may do: data services, never IAM."),
            )
            .prop("PolicyDocument", boundary_policy()),
    )?;

    let key = id!("EnvironmentKey");
    t.add(
        &key,
        customer_key(&format!("lakecat environment {p}: Athena results")),
    )?;
    t.add(
        &id!("EnvironmentKeyAlias"),
        alias(&format!("alias/{p}-environment"), &key),
    )?;
    let results = id!("AthenaResultsBucket");
    t.add(
        &results,
        encrypted_bucket(
            sub(&format!("{p}-athena-${{AWS::AccountId}}-${{AWS::Region}}")),
            &key,
            vec![json!({
                "Id": "ExpireQueryResults",
                "Status": "Enabled",
                "ExpirationInDays": 30,
            })],
        ),
    )?;
    t.add(&id!("AthenaResultsBucketPolicy"), tls_only_policy(&results))?;
    let workgroup = id!("AthenaWorkGroup");
    t.add(
        &workgroup,
        Resource::new("AWS::Athena::WorkGroup")
            .prop("Name", json!(format!("{p}-workgroup")))
            .prop("Description", json!("lakecat teams' queries"))
            .prop("State", json!("ENABLED"))
            .prop("RecursiveDeleteOption", json!(true))
            .prop(
                "WorkGroupConfiguration",
                json!({
                    "EnforceWorkGroupConfiguration": true,
                    "PublishCloudWatchMetricsEnabled": true,
                    "ResultConfiguration": {
                        "OutputLocation": sub("s3://${AthenaResultsBucket}/results/"),
                        "EncryptionConfiguration": {
                            "EncryptionOption": "SSE_KMS",
                            "KmsKey": get_att(&key, "Arn"),
                        },
                    },
                }),
            ),
    )?;

    // The pivot role grants shares; the execution role grants the owner teams in dataset
    // stacks. APPEND: the account's other Lake Formation admins stay.
    let admins: Vec<Value> = ["pivot-role-arn", "cfn-execution-role-arn"]
        .iter()
        .map(|name| json!({ "DataLakePrincipalIdentifier": import_value(json!(env.export(name))) }))
        .collect();
    t.add(
        &id!("LakeFormationSettings"),
        Resource::new("AWS::LakeFormation::DataLakeSettings")
            .prop("MutationType", json!("APPEND"))
            .prop("Admins", json!(admins)),
    )?;

    let boundary_arn = boundary_value(&boundary, Some(ref_(&team_boundary)));
    let mut seen = std::collections::BTreeSet::new();
    for team in &input.teams {
        let role = RoleName::team(&env.prefix, team);
        if !seen.insert(role.as_str().to_owned()) {
            return Err(CfnError::input(
                "teams",
                format!("two teams share the role name {}", role.as_str()),
            ));
        }
        let role_id = LogicalId::pascal("TeamRole", team.as_str())?;
        t.add(
            &role_id,
            team_role(
                &role,
                team,
                &key,
                &workgroup,
                &results,
                boundary_arn.clone(),
            ),
        )?;
        t.output(
            &LogicalId::pascal("TeamRoleArn", team.as_str())?,
            Output::new(
                &format!("The role of team {}.", team.as_str()),
                get_att(&role_id, "Arn"),
            ),
        )?;
    }

    let parameters: [(&str, &str, Value); 4] = [
        (
            "OrganizationIdParameter",
            "organization-id",
            json!(env.organization.as_str()),
        ),
        (
            "EnvironmentIdParameter",
            "environment-id",
            json!(env.environment.as_str()),
        ),
        ("WorkGroupParameter", "athena-workgroup", ref_(&workgroup)),
        (
            "ResultsBucketParameter",
            "athena-results-bucket",
            ref_(&results),
        ),
    ];
    for (id, name, value) in parameters {
        t.add(
            &LogicalId::parse(id)?,
            Resource::new("AWS::SSM::Parameter")
                .prop("Name", json!(format!("/{p}/{name}")))
                .prop("Type", json!("String"))
                .prop("Value", value)
                .prop(
                    "Description",
                    json!(format!("lakecat environment {p}: {name}")),
                ),
        )?;
    }

    t.output(
        &id!("AthenaWorkGroupName"),
        Output::new("The teams' Athena workgroup.", ref_(&workgroup)),
    )?;
    t.output(
        &id!("AthenaResultsBucketName"),
        Output::new("Where Athena writes query results.", ref_(&results)),
    )?;
    t.output(
        &id!("EnvironmentKeyArn"),
        Output::new("The key of the results bucket.", get_att(&key, "Arn")),
    )?;
    Ok(t)
}

/// A team's role: assumable from the account (its admins decide who), Glue jobs and
/// crawlers. Data in the account reaches it through Lake Formation grants and resource
/// policies; its own policy adds what cross-account access needs on the consumer side.
fn team_role(
    role: &RoleName,
    team: &TeamName,
    key: &LogicalId,
    workgroup: &LogicalId,
    results: &LogicalId,
    boundary: Value,
) -> Resource {
    let other_accounts = json!({
        "StringNotEquals": { "aws:ResourceAccount": account_id() }
    });
    let policy = document(vec![
        allow(
            "Athena",
            &[
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
                "athena:GetWorkGroup",
            ],
            vec![arn(&format!(
                "athena:${{AWS::Region}}:${{AWS::AccountId}}:workgroup/${{{}}}",
                workgroup.as_str()
            ))],
        ),
        allow(
            "QueryResults",
            &[
                "s3:GetObject",
                "s3:PutObject",
                "s3:ListBucket",
                "s3:GetBucketLocation",
            ],
            vec![
                get_att(results, "Arn"),
                sub(&format!("${{{}.Arn}}/*", results.as_str())),
            ],
        ),
        allow(
            "EnvironmentKey",
            &["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
            vec![get_att(key, "Arn")],
        ),
        allow(
            "Catalog",
            &[
                "glue:GetDatabase",
                "glue:GetDatabases",
                "glue:GetTable",
                "glue:GetTables",
                "glue:GetPartition",
                "glue:GetPartitions",
                "lakeformation:GetDataAccess",
            ],
            vec![json!("*")],
        ),
        // In another account the data's bucket, access point and key policies grant access;
        // IAM also needs this side's allow. Same-account data stays with those policies alone.
        when(
            allow(
                "CrossAccountData",
                &[
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:ListBucket",
                    "s3:GetBucketLocation",
                ],
                vec![
                    arn("s3:::*"),
                    arn("s3:::*/*"),
                    arn("s3:*:*:accesspoint/*"),
                    arn("s3:*:*:accesspoint/*/object/*"),
                ],
            ),
            other_accounts.clone(),
        ),
        when(
            allow(
                "CrossAccountKeys",
                &["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                vec![arn("kms:*:*:key/*")],
            ),
            other_accounts,
        ),
    ]);
    Resource::new("AWS::IAM::Role")
        .prop("RoleName", json!(role.as_str()))
        .prop(
            "Description",
            json!(format!("lakecat team {}", team.as_str())),
        )
        .prop(
            "AssumeRolePolicyDocument",
            document(vec![json!({
                "Effect": "Allow",
                "Principal": {
                    "AWS": arn("iam::${AWS::AccountId}:root"),
                    "Service": "glue.amazonaws.com",
                },
                "Action": "sts:AssumeRole",
            })]),
        )
        .prop("PermissionsBoundary", boundary)
        .prop(
            "Policies",
            json!([{ "PolicyName": "lakecat-team", "PolicyDocument": policy }]),
        )
        .tag(tags::TEAM, team.as_str())
}

/// The default boundary of team roles: the data services lakecat teams use, and no IAM,
/// Organizations or account administration.
fn boundary_policy() -> Value {
    document(vec![allow(
        "DataServices",
        &[
            "s3:*",
            "kms:Decrypt",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:DescribeKey",
            "glue:*",
            "athena:*",
            "lakeformation:GetDataAccess",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            "cloudwatch:PutMetricData",
        ],
        vec![json!("*")],
    )])
}
