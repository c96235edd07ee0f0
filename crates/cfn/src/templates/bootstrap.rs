//! The environment bootstrap: deployed once by the account's admin, it creates the pivot role
//! lakecat assumes in the account and the role CloudFormation runs lakecat's stacks with.
//! Both are scoped to the environment's resource prefix.

use serde_json::{Value, json};

use crate::error::CfnError;
use crate::iam::{allow, arn, boundary_option, boundary_value, document, trust, when};
use crate::inputs::{EnvironmentRef, RoleName};
use crate::intrinsic::{get_att, ref_};
use crate::tags::UserTags;
use crate::{Output, Parameter, Resource, Template, id};

/// Access points the share processor creates are named `lakecat-…` whatever the prefix.
const SHARE_ACCESS_POINTS: &str = "lakecat-*";
/// Stacks and their change sets are named `lakecat-…` whatever the prefix.
const STACKS: &str = "lakecat-*";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentBootstrap {
    pub env: EnvironmentRef,
    pub tags: UserTags,
}

pub fn environment_bootstrap(input: &EnvironmentBootstrap) -> Result<Template, CfnError> {
    let env = &input.env;
    let mut t = Template::new(
        &format!(
            "lakecat environment bootstrap ({}): the pivot role and the CloudFormation execution role.",
            env.prefix.as_str()
        ),
        env.tags(),
        &input.tags,
    );
    let arn_pattern = "^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$";
    let worker = id!("PlatformWorkerRoleArn");
    t.parameter(
        &worker,
        Parameter::string("ARN of the lakecat worker role in the platform account.")
            .allowed_pattern(arn_pattern, "an IAM role ARN"),
    )?;
    let stack_service = id!("PlatformStackServiceRoleArn");
    t.parameter(
        &stack_service,
        Parameter::string("ARN of the lakecat stack-service role in the platform account.")
            .allowed_pattern(arn_pattern, "an IAM role ARN"),
    )?;
    let external_id = id!("ExternalId");
    t.parameter(
        &external_id,
        Parameter::string("The external id lakecat presents when it assumes the pivot role.")
            .allowed_pattern(
                "^[A-Za-z0-9+=,.@:/_-]{16,1224}$",
                "16 or more of letters, digits and +=,.@:/_-",
            )
            .no_echo(),
    )?;
    let boundary = boundary_option(&mut t)?;

    let pivot = id!("PivotRole");
    t.add(
        &pivot,
        Resource::new("AWS::IAM::Role")
            .prop("RoleName", json!(env.pivot_role.as_str()))
            .prop(
                "Description",
                json!("lakecat acts in this account through this role."),
            )
            .prop(
                "AssumeRolePolicyDocument",
                document(vec![json!({
                    "Effect": "Allow",
                    "Principal": { "AWS": [ref_(&worker), ref_(&stack_service)] },
                    "Action": "sts:AssumeRole",
                    "Condition": { "StringEquals": { "sts:ExternalId": ref_(&external_id) } },
                })]),
            )
            .prop("PermissionsBoundary", boundary_value(&boundary, None))
            .prop(
                "Policies",
                json!([{ "PolicyName": "lakecat-pivot", "PolicyDocument": pivot_policy(env) }]),
            ),
    )?;

    let execution = id!("CloudFormationExecutionRole");
    t.add(
        &execution,
        Resource::new("AWS::IAM::Role")
            .prop(
                "RoleName",
                json!(RoleName::cfn_execution(&env.prefix).as_str()),
            )
            .prop(
                "Description",
                json!("CloudFormation deploys lakecat's environment and dataset stacks with this role."),
            )
            .prop(
                "AssumeRolePolicyDocument",
                trust(json!({ "Service": "cloudformation.amazonaws.com" })),
            )
            .prop("PermissionsBoundary", boundary_value(&boundary, None))
            .prop(
                "Policies",
                json!([{ "PolicyName": "lakecat-stacks", "PolicyDocument": execution_policy(env) }]),
            ),
    )?;

    t.output(
        &id!("PivotRoleArn"),
        Output::new("The role lakecat assumes.", get_att(&pivot, "Arn"))
            .export(json!(env.export("pivot-role-arn"))),
    )?;
    t.output(
        &id!("CloudFormationExecutionRoleArn"),
        Output::new(
            "The role lakecat's stacks are deployed with.",
            get_att(&execution, "Arn"),
        )
        .export(json!(env.export("cfn-execution-role-arn"))),
    )?;
    Ok(t)
}

/// What lakecat does in the account: share processing (bucket, access-point and key policies,
/// Lake Formation grants, resource links), table sync, and deploying stacks.
fn pivot_policy(env: &EnvironmentRef) -> Value {
    let p = env.prefix.as_str();
    let g = env.prefix.glue();
    let buckets = vec![arn(&format!("s3:::{p}-*")), arn(&format!("s3:::{p}-*/*"))];
    let access_points = vec![
        arn(&format!(
            "s3:${{AWS::Region}}:${{AWS::AccountId}}:accesspoint/{p}-*"
        )),
        arn(&format!(
            "s3:${{AWS::Region}}:${{AWS::AccountId}}:accesspoint/{SHARE_ACCESS_POINTS}"
        )),
    ];
    let glue = |what: &str| arn(&format!("glue:${{AWS::Region}}:${{AWS::AccountId}}:{what}"));
    document(vec![
        allow(
            "BucketPolicies",
            &[
                "s3:GetBucketLocation",
                "s3:GetBucketPolicy",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
                "s3:GetEncryptionConfiguration",
                "s3:ListBucket",
            ],
            buckets,
        ),
        allow(
            "AccessPoints",
            &[
                "s3:CreateAccessPoint",
                "s3:DeleteAccessPoint",
                "s3:GetAccessPoint",
                "s3:GetAccessPointPolicy",
                "s3:PutAccessPointPolicy",
                "s3:DeleteAccessPointPolicy",
            ],
            access_points,
        ),
        // Listing has no resource-level permission.
        allow(
            "ListAccessPoints",
            &["s3:ListAccessPoints"],
            vec![json!("*")],
        ),
        // Table sync reads every database of the account (imported datasets keep their names).
        allow(
            "GlueRead",
            &[
                "glue:GetDatabase",
                "glue:GetDatabases",
                "glue:GetTable",
                "glue:GetTables",
                "glue:GetPartitions",
            ],
            vec![glue("catalog"), glue("database/*"), glue("table/*/*")],
        ),
        // Its own databases, and the `<db>_shared` databases of resource links, which are
        // named after the producer's database.
        allow(
            "GlueWrite",
            &[
                "glue:CreateDatabase",
                "glue:UpdateDatabase",
                "glue:DeleteDatabase",
                "glue:CreateTable",
                "glue:UpdateTable",
                "glue:DeleteTable",
            ],
            vec![
                glue("catalog"),
                glue(&format!("database/{g}_*")),
                glue(&format!("table/{g}_*/*")),
                glue("database/*_shared"),
                glue("table/*_shared/*"),
            ],
        ),
        // Lake Formation has no resource-level permissions; its own grants are the scope.
        allow(
            "LakeFormation",
            &[
                "lakeformation:GrantPermissions",
                "lakeformation:RevokePermissions",
                "lakeformation:BatchGrantPermissions",
                "lakeformation:BatchRevokePermissions",
                "lakeformation:ListPermissions",
                "lakeformation:GetDataAccess",
                "lakeformation:GetDataLakeSettings",
                "lakeformation:DescribeResource",
            ],
            vec![json!("*")],
        ),
        allow(
            "ResourceShares",
            &[
                "ram:GetResourceShareInvitations",
                "ram:AcceptResourceShareInvitation",
                "ram:GetResourceShares",
            ],
            vec![json!("*")],
        ),
        when(
            allow(
                "KeyPolicies",
                &["kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy"],
                vec![arn("kms:${AWS::Region}:${AWS::AccountId}:key/*")],
            ),
            json!({ "ForAnyValue:StringLike": { "kms:ResourceAliases": format!("alias/{p}-*") } }),
        ),
        allow("KeyAliases", &["kms:ListAliases"], vec![json!("*")]),
        when(
            allow(
                "PassRoles",
                &["iam:PassRole"],
                vec![arn(&format!("iam::${{AWS::AccountId}}:role/{p}-*"))],
            ),
            json!({ "StringEquals": { "iam:PassedToService": [
                "cloudformation.amazonaws.com",
                "glue.amazonaws.com",
                "lakeformation.amazonaws.com",
            ] } }),
        ),
        allow(
            "ReadRoles",
            &["iam:GetRole"],
            vec![arn(&format!("iam::${{AWS::AccountId}}:role/{p}-*"))],
        ),
        // The stack service deploys through change sets; stacks and change sets are named
        // `lakecat-<environment or dataset id>` (`lakecat_core::stacks::stack_name`).
        allow(
            "Stacks",
            &[
                "cloudformation:CreateStack",
                "cloudformation:UpdateStack",
                "cloudformation:DeleteStack",
                "cloudformation:DescribeStacks",
                "cloudformation:DescribeStackEvents",
                "cloudformation:GetTemplate",
                "cloudformation:CreateChangeSet",
                "cloudformation:DescribeChangeSet",
                "cloudformation:ExecuteChangeSet",
                "cloudformation:DeleteChangeSet",
                "cloudformation:TagResource",
            ],
            vec![
                arn(&format!(
                    "cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{STACKS}/*"
                )),
                arn(&format!(
                    "cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:changeSet/{STACKS}/*"
                )),
            ],
        ),
        // Previews and profiles: Athena queries in the environment's workgroup (a query
        // that outlasts its timeout is stopped), their results written to and read from the
        // environment's results bucket under its key.
        allow(
            "Athena",
            &[
                "athena:GetWorkGroup",
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
            ],
            vec![arn(&format!(
                "athena:${{AWS::Region}}:${{AWS::AccountId}}:workgroup/{p}-*"
            ))],
        ),
        allow(
            "QueryResults",
            &[
                "s3:GetObject",
                "s3:PutObject",
                "s3:AbortMultipartUpload",
                "s3:ListBucket",
                "s3:GetBucketLocation",
            ],
            vec![
                arn(&format!(
                    "s3:::{p}-athena-${{AWS::AccountId}}-${{AWS::Region}}"
                )),
                arn(&format!(
                    "s3:::{p}-athena-${{AWS::AccountId}}-${{AWS::Region}}/*"
                )),
            ],
        ),
        when(
            allow(
                "QueryResultsKey",
                &["kms:Decrypt", "kms:GenerateDataKey"],
                vec![arn("kms:${AWS::Region}:${AWS::AccountId}:key/*")],
            ),
            json!({ "ForAnyValue:StringLike": { "kms:ResourceAliases": format!("alias/{p}-environment") } }),
        ),
        // startCrawler: the dataset stack's crawler pointed at a prefix and started.
        allow(
            "Crawlers",
            &["glue:GetCrawler", "glue:UpdateCrawler", "glue:StartCrawler"],
            vec![glue(&format!("crawler/{p}-*"))],
        ),
    ])
}

/// What lakecat's environment and dataset stacks create, all under the resource prefix.
fn execution_policy(env: &EnvironmentRef) -> Value {
    let p = env.prefix.as_str();
    let g = env.prefix.glue();
    let region_account = |service: &str, what: &str| {
        arn(&format!(
            "{service}:${{AWS::Region}}:${{AWS::AccountId}}:{what}"
        ))
    };
    let roles = arn(&format!("iam::${{AWS::AccountId}}:role/{p}-*"));
    let env_tag = json!({
        "StringEquals": { "aws:ResourceTag/lakecat:environment": env.environment.as_str() }
    });
    document(vec![
        allow(
            "Buckets",
            &[
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:ListBucket",
                "s3:GetBucket*",
                "s3:PutBucket*",
                "s3:DeleteBucketPolicy",
                "s3:GetEncryptionConfiguration",
                "s3:PutEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:PutLifecycleConfiguration",
            ],
            vec![arn(&format!("s3:::{p}-*"))],
        ),
        // Key creation cannot be scoped to a resource; the key must carry the environment tag.
        when(
            allow(
                "CreateKeys",
                &["kms:CreateKey", "kms:TagResource"],
                vec![json!("*")],
            ),
            json!({ "StringEquals": { "aws:RequestTag/lakecat:environment": env.environment.as_str() } }),
        ),
        when(
            allow(
                "ManageKeys",
                &[
                    "kms:DescribeKey",
                    "kms:GetKeyPolicy",
                    "kms:PutKeyPolicy",
                    "kms:GetKeyRotationStatus",
                    "kms:EnableKeyRotation",
                    "kms:ListResourceTags",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CreateAlias",
                    "kms:DeleteAlias",
                    "kms:UpdateAlias",
                    "kms:GenerateDataKey",
                    "kms:Decrypt",
                ],
                vec![region_account("kms", "key/*")],
            ),
            env_tag,
        ),
        allow(
            "Aliases",
            &["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            vec![region_account("kms", &format!("alias/{p}-*"))],
        ),
        allow("ListAliases", &["kms:ListAliases"], vec![json!("*")]),
        allow(
            "Glue",
            &[
                "glue:CreateDatabase",
                "glue:UpdateDatabase",
                "glue:DeleteDatabase",
                "glue:GetDatabase",
                "glue:CreateCrawler",
                "glue:UpdateCrawler",
                "glue:DeleteCrawler",
                "glue:GetCrawler",
                "glue:TagResource",
                "glue:UntagResource",
                "glue:GetTags",
            ],
            vec![
                region_account("glue", "catalog"),
                region_account("glue", &format!("database/{g}_*")),
                region_account("glue", &format!("crawler/{p}-*")),
            ],
        ),
        allow(
            "Roles",
            &[
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:UpdateRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:PutRolePolicy",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:AttachRolePolicy",
                "iam:DetachRolePolicy",
                "iam:PutRolePermissionsBoundary",
                "iam:DeleteRolePermissionsBoundary",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
            ],
            vec![roles.clone()],
        ),
        allow(
            "ManagedPolicies",
            &[
                "iam:CreatePolicy",
                "iam:DeletePolicy",
                "iam:GetPolicy",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:ListPolicyVersions",
            ],
            vec![arn(&format!("iam::${{AWS::AccountId}}:policy/{p}-*"))],
        ),
        when(
            allow("PassRoles", &["iam:PassRole"], vec![roles]),
            json!({ "StringEquals": { "iam:PassedToService": [
                "glue.amazonaws.com",
                "lakeformation.amazonaws.com",
            ] } }),
        ),
        allow(
            "LakeFormation",
            &[
                "lakeformation:RegisterResource",
                "lakeformation:DeregisterResource",
                "lakeformation:DescribeResource",
                "lakeformation:GrantPermissions",
                "lakeformation:RevokePermissions",
                "lakeformation:ListPermissions",
                "lakeformation:GetDataLakeSettings",
                "lakeformation:PutDataLakeSettings",
            ],
            vec![json!("*")],
        ),
        allow(
            "Athena",
            &[
                "athena:CreateWorkGroup",
                "athena:DeleteWorkGroup",
                "athena:UpdateWorkGroup",
                "athena:GetWorkGroup",
                "athena:TagResource",
                "athena:UntagResource",
                "athena:ListTagsForResource",
            ],
            vec![region_account("athena", &format!("workgroup/{p}-*"))],
        ),
        allow(
            "Parameters",
            &[
                "ssm:PutParameter",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:DeleteParameter",
                "ssm:AddTagsToResource",
                "ssm:RemoveTagsFromResource",
                "ssm:ListTagsForResource",
            ],
            vec![region_account("ssm", &format!("parameter/{p}/*"))],
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intrinsic::sub;

    /// `format!` needs the `${…}` of a pseudo parameter doubled; this checks they survive.

    #[test]
    fn arns_keep_pseudo_parameters() {
        assert_eq!(arn("s3:::p-*"), sub("arn:${AWS::Partition}:s3:::p-*"),);
    }
}
