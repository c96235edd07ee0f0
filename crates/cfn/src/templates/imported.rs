//! The imported-dataset stack: only what an existing bucket, key and Glue database lack —
//! the admin role (unless one was given) and the Lake Formation registration and grants.
//! It never creates a bucket, a key or a database.

use serde_json::{Value, json};

use super::lake::{admin_role, key_usage, register_and_grant};
use crate::error::CfnError;
use crate::iam::{arn, boundary_option, boundary_value, when};
use crate::inputs::{DatasetRef, EnvironmentRef, KmsAlias};
use crate::intrinsic::get_att;
use crate::tags::UserTags;
use crate::{Output, Template, id};

/// The admin role of an imported dataset: created by the stack, or one the owner gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminRole {
    Create,
    Existing(RoleArn),
}

/// An IAM role ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn(String);

impl RoleArn {
    pub fn parse(field: &str, raw: &str) -> Result<Self, CfnError> {
        Ok(RoleArn(lakecat_core::catalog::parse_role_arn(field, raw)?))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedDatasetStack {
    pub env: EnvironmentRef,
    pub dataset: DatasetRef,
    /// The alias of the bucket's customer key, if it has one (else SSE-S3 or an AWS key).
    pub kms_alias: Option<KmsAlias>,
    pub admin_role: AdminRole,
    pub tags: UserTags,
}

pub fn imported_dataset_stack(input: &ImportedDatasetStack) -> Result<Template, CfnError> {
    let (env, ds) = (&input.env, &input.dataset);
    let mut t = Template::new(
        &format!(
            "lakecat imported dataset stack ({}): admin role and Lake Formation registration.",
            ds.bucket.as_str()
        ),
        ds.tags(env),
        &input.tags,
    );
    let role_arn: Value = match &input.admin_role {
        AdminRole::Existing(arn) => json!(arn.as_str()),
        AdminRole::Create => {
            let boundary = boundary_option(&mut t)?;
            // The key is known by its alias only: any key of the account carrying it.
            let key = input.kms_alias.as_ref().map(|a| {
                when(
                    key_usage(vec![arn("kms:${AWS::Region}:${AWS::AccountId}:key/*")]),
                    json!({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": a.as_str() } }),
                )
            });
            let admin = id!("DatasetAdminRole");
            t.add(&admin, admin_role(ds, key, boundary_value(&boundary, None)))?;
            get_att(&admin, "Arn")
        }
    };
    register_and_grant(
        &mut t,
        env,
        ds,
        role_arn.clone(),
        json!(ds.glue_database.as_str()),
    )?;
    t.output(
        &id!("AdminRoleArn"),
        Output::new("The dataset's admin role.", role_arn),
    )?;
    Ok(t)
}
