//! The typed inputs of the templates, and the AWS names derived from them. A value of these
//! types has passed its rules, so the templates never re-check a name.

use lakecat_core::catalog::{Dataset, Environment, parse_bucket_name, parse_kms_alias};
use lakecat_core::ids::{DatasetId, EnvironmentId, OrganizationId};
use lakecat_core::names::{GlueName, Slug, TeamName};

use crate::error::CfnError;
use crate::tags::{self, Tags};

/// An environment's resource prefix: a slug of at most 20 characters, so every name built
/// from it (`<prefix>-athena-<account>-<region>`, `<prefix>-<team>`) fits AWS's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePrefix(Slug);

impl ResourcePrefix {
    pub const MAX: usize = 20;

    pub fn parse(field: &str, raw: &str) -> Result<Self, CfnError> {
        let slug = Slug::parse(field, raw)?;
        if slug.as_str().len() > Self::MAX {
            return Err(CfnError::input(
                field,
                format!("must be at most {} characters", Self::MAX),
            ));
        }
        Ok(ResourcePrefix(slug))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The Glue form (`data-lake` → `data_lake`), for database names.
    pub fn glue(&self) -> String {
        self.0.glue_name().as_str().to_owned()
    }
}

/// An IAM role name: 1–64 of letters, digits and `_+=,.@-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleName(String);

impl RoleName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, CfnError> {
        Ok(RoleName(lakecat_core::catalog::parse_role_name(
            field, raw,
        )?))
    }

    /// The name part of a role ARN (`arn:aws:iam::1:role/path/name` → `name`).
    pub fn from_arn(field: &str, arn: &str) -> Result<Self, CfnError> {
        let arn = lakecat_core::catalog::parse_role_arn(field, arn)?;
        let name = arn.rsplit('/').next().unwrap_or_default();
        RoleName::parse(field, name)
    }

    /// The role a team uses in an environment, `<prefix>-<team>` with the characters IAM
    /// refuses replaced by `-`, at most 64 characters. It must stay the name
    /// `lakecat_core::shares::consumer_role_arn` gives: the share processor grants to it.
    pub fn team(prefix: &ResourcePrefix, team: &TeamName) -> Self {
        let name = format!("{}-{}", prefix.as_str(), team.as_str())
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        RoleName(name)
    }

    /// The role CloudFormation runs an environment's stacks with (the bootstrap creates it).
    pub fn cfn_execution(prefix: &ResourcePrefix) -> Self {
        RoleName(format!("{}-cfn-execution", prefix.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The environment a stack belongs to: the ids it is tagged with and its resource prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentRef {
    pub organization: OrganizationId,
    pub environment: EnvironmentId,
    pub prefix: ResourcePrefix,
    /// The role lakecat assumes in the account (`lakecat-pivot-role` by default).
    pub pivot_role: RoleName,
}

impl EnvironmentRef {
    pub fn from_environment(env: &Environment) -> Result<Self, CfnError> {
        Ok(EnvironmentRef {
            organization: env.organization_id.clone(),
            environment: env.id.clone(),
            prefix: ResourcePrefix::parse(
                "environment.resourcePrefix",
                env.resource_prefix.as_str(),
            )?,
            pivot_role: RoleName::parse("environment.pivotRoleName", &env.pivot_role_name)?,
        })
    }

    pub(crate) fn tags(&self) -> Tags {
        Tags::lakecat(tags::ORGANIZATION, self.organization.as_str())
            .with(tags::ENVIRONMENT, self.environment.as_str())
    }

    /// The name the environment stacks export an output under, `<prefix>-<what>`.
    pub(crate) fn export(&self, what: &str) -> String {
        format!("{}-{what}", self.prefix.as_str())
    }
}

/// An S3 bucket name (3–63 of lower-case letters, digits, `-` and `.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketName(String);

impl BucketName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, CfnError> {
        Ok(BucketName(parse_bucket_name(field, raw)?))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A customer KMS alias, `alias/<name>` (never an AWS-managed `alias/aws/…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsAlias(String);

impl KmsAlias {
    pub fn parse(field: &str, raw: &str) -> Result<Self, CfnError> {
        Ok(KmsAlias(parse_kms_alias(field, raw)?))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a dataset stack is about: the dataset, its owner team and its AWS names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetRef {
    pub id: DatasetId,
    pub label: String,
    pub owner_team: TeamName,
    pub bucket: BucketName,
    pub glue_database: GlueName,
    pub admin_role: RoleName,
}

impl DatasetRef {
    pub(crate) fn tags(&self, env: &EnvironmentRef) -> Tags {
        env.tags()
            .with(tags::DATASET, self.id.as_str())
            .with(tags::TEAM, self.owner_team.as_str())
    }

    /// The names a catalog dataset was given (`NewDataset::aws_details`).
    pub fn from_dataset(ds: &Dataset) -> Result<Self, CfnError> {
        Ok(DatasetRef {
            id: ds.id.clone(),
            label: ds.label.as_str().to_owned(),
            owner_team: ds.owner_team.clone(),
            bucket: BucketName::parse("dataset.bucket", &ds.aws.bucket)?,
            glue_database: GlueName::parse("dataset.glueDatabase", &ds.aws.glue_database)?,
            admin_role: RoleName::from_arn("dataset.adminRoleArn", &ds.aws.admin_role_arn)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakecat_core::catalog::{
        Confidentiality, EnvironmentType, NewDataset, NewEnvironment, Visibility,
    };
    use lakecat_core::names::{AwsAccountId, AwsRegion, Description, Label};

    fn environment(prefix: &str) -> Result<Environment, Box<dyn std::error::Error>> {
        Ok(NewEnvironment {
            organization_id: OrganizationId::generate(),
            label: Label::parse("l", "Prod")?,
            description: Description::parse("d", "")?,
            tags: vec![],
            account_id: AwsAccountId::parse("a", "111122223333")?,
            region: AwsRegion::parse("r", "eu-west-1")?,
            owner_team: TeamName::parse("t", "admins")?,
            env_type: EnvironmentType::Data,
            resource_prefix: Slug::parse("p", prefix)?,
            pivot_role_name: "lakecat-pivot-role".into(),
        }
        .build("me", chrono::Utc::now())
        .0)
    }

    /// The bootstrap's policies are scoped to `<prefix>-*` names: the names the catalog gives a
    /// created dataset must fall inside them.
    #[test]
    fn created_datasets_are_named_inside_the_prefix() -> Result<(), Box<dyn std::error::Error>> {
        let env = environment("datalake")?;
        let (ds, _) = NewDataset {
            environment_id: env.id.clone(),
            label: Label::parse("l", "Sales orders")?,
            slug: Slug::parse("s", "sales-orders")?,
            description: Description::parse("d", "")?,
            owner_team: TeamName::parse("t", "sales")?,
            stewards_team: None,
            confidentiality: Confidentiality::Unclassified,
            topics: vec![],
            tags: vec![],
            auto_approval: false,
            visibility: Visibility::Organization,
            imported: None,
        }
        .build(&env, "me", chrono::Utc::now())?;
        let env_ref = EnvironmentRef::from_environment(&env)?;
        let ds_ref = DatasetRef::from_dataset(&ds)?;
        let p = env_ref.prefix.as_str();
        assert!(ds_ref.bucket.as_str().starts_with(&format!("{p}-")));
        assert!(ds_ref.admin_role.as_str().starts_with(&format!("{p}-")));
        let glue = format!("{}_", env_ref.prefix.glue());
        assert!(ds_ref.glue_database.as_str().starts_with(&glue));
        let alias = ds.aws.kms_alias.as_deref().unwrap_or_default();
        assert!(
            KmsAlias::parse("k", alias)?
                .as_str()
                .starts_with(&format!("alias/{p}-"))
        );
        Ok(())
    }

    #[test]
    fn prefixes_are_short_slugs() {
        assert!(ResourcePrefix::parse("p", "lakecat").is_ok());
        assert!(ResourcePrefix::parse("p", "Lakecat").is_err());
        assert!(ResourcePrefix::parse("p", &"a".repeat(21)).is_err());
    }

    #[test]
    fn team_roles_are_the_roles_shares_grant_to() -> Result<(), Box<dyn std::error::Error>> {
        let env = environment("lake")?;
        let prefix = ResourcePrefix::parse("p", "lake")?;
        for team in ["analysts", "data#science/eu", &"x".repeat(80)] {
            let team = TeamName::parse("t", team)?;
            let ours = RoleName::team(&prefix, &team);
            let theirs = lakecat_core::shares::consumer_role_arn(&env, &team);
            assert_eq!(theirs.rsplit('/').next(), Some(ours.as_str()));
        }
        Ok(())
    }
}
