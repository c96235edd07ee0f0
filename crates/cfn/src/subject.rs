//! The template a catalog entity's stack is deployed from: the environment stack for an
//! environment, the dataset stack for a created dataset, the imported-dataset stack for an
//! imported one. The names come from the catalog entities as stored, so the stack creates
//! exactly what the catalog says the dataset has.

use lakecat_core::catalog::{Dataset, Environment};
use lakecat_core::stacks::StackSubject;

use crate::error::CfnError;
use crate::inputs::{DatasetRef, EnvironmentRef, KmsAlias};
use crate::tags::UserTags;
use crate::templates::{
    AdminRole, DatasetStack, EnvironmentStack, ImportedDatasetStack, RoleArn, dataset_stack,
    environment_stack, imported_dataset_stack,
};
use crate::{RoleName, Template};

/// The template of `subject`'s stack.
pub fn subject_template(subject: &StackSubject) -> Result<Template, CfnError> {
    match subject {
        StackSubject::Environment { environment, teams } => environment_stack(&EnvironmentStack {
            env: EnvironmentRef::from_environment(environment)?,
            teams: teams.clone(),
            tags: UserTags::from_catalog(&environment.tags, &[]),
        }),
        StackSubject::Dataset {
            environment,
            dataset,
        } => {
            if dataset.environment_id != environment.id {
                return Err(CfnError::input(
                    "dataset.environmentId",
                    format!(
                        "the dataset belongs to {}, not {}",
                        dataset.environment_id, environment.id
                    ),
                ));
            }
            let env = EnvironmentRef::from_environment(environment)?;
            let tags = UserTags::from_catalog(&dataset.tags, &dataset.topics);
            let kms_alias = dataset
                .aws
                .kms_alias
                .as_deref()
                .map(|a| KmsAlias::parse("dataset.kmsAlias", a))
                .transpose()?;
            let ds = DatasetRef::from_dataset(dataset)?;
            if dataset.imported {
                imported_dataset_stack(&ImportedDatasetStack {
                    admin_role: imported_admin_role(environment, dataset)?,
                    env,
                    dataset: ds,
                    kms_alias,
                    tags,
                })
            } else {
                let kms_alias = kms_alias.ok_or_else(|| {
                    CfnError::input("dataset.kmsAlias", "a created dataset has its key's alias")
                })?;
                dataset_stack(&DatasetStack {
                    env,
                    dataset: ds,
                    kms_alias,
                    tags,
                })
            }
        }
    }
}

/// The stack creates the admin role of an imported dataset when the dataset kept the name the
/// catalog gives one without a role of its own (`NewDataset::aws_details`); any other ARN is a
/// role the owner gave, used as it is.
fn imported_admin_role(env: &Environment, ds: &Dataset) -> Result<AdminRole, CfnError> {
    let base: String = format!("{}-{}", env.resource_prefix, ds.slug)
        .chars()
        .take(58)
        .collect();
    let default = format!(
        "arn:aws:iam::{}:role/{}-admin",
        env.account_id,
        base.trim_end_matches('-')
    );
    if ds.aws.admin_role_arn == default {
        Ok(AdminRole::Create)
    } else {
        Ok(AdminRole::Existing(RoleArn::parse(
            "dataset.adminRoleArn",
            &ds.aws.admin_role_arn,
        )?))
    }
}

/// The role CloudFormation deploys an environment's stacks with: the environment bootstrap's
/// execution role.
pub fn execution_role_name(env: &Environment) -> Result<RoleName, CfnError> {
    Ok(RoleName::cfn_execution(
        &EnvironmentRef::from_environment(env)?.prefix,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;
    use lakecat_core::catalog::{
        Confidentiality, EnvironmentType, ImportedResources, NewDataset, NewEnvironment, Topic,
        Visibility,
    };
    use lakecat_core::ids::OrganizationId;
    use lakecat_core::names::{AwsAccountId, AwsRegion, Description, Label, Slug, Tag, TeamName};
    use serde_json::Value;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn environment() -> Result<Environment, Box<dyn std::error::Error>> {
        Ok(NewEnvironment {
            organization_id: OrganizationId::generate(),
            label: Label::parse("l", "Prod")?,
            description: Description::parse("d", "")?,
            tags: vec![Tag::parse("t", "finance")?],
            account_id: AwsAccountId::parse("a", "111122223333")?,
            region: AwsRegion::parse("r", "eu-west-1")?,
            owner_team: TeamName::parse("t", "admins")?,
            env_type: EnvironmentType::Data,
            resource_prefix: Slug::parse("p", "datalake")?,
            pivot_role_name: "lakecat-pivot-role".into(),
        }
        .build("me", chrono::Utc::now())
        .0)
    }

    fn dataset(
        env: &Environment,
        imported: Option<ImportedResources>,
    ) -> Result<Dataset, Box<dyn std::error::Error>> {
        Ok(NewDataset {
            environment_id: env.id.clone(),
            label: Label::parse("l", "Sales orders")?,
            slug: Slug::parse("s", "sales-orders")?,
            description: Description::parse("d", "")?,
            owner_team: TeamName::parse("t", "sales")?,
            stewards_team: None,
            confidentiality: Confidentiality::Unclassified,
            topics: vec![Topic::Finances],
            tags: vec![Tag::parse("t", "orders")?],
            auto_approval: false,
            visibility: Visibility::Organization,
            imported,
        }
        .build(env, "me", chrono::Utc::now())?
        .0)
    }

    fn resources_of(t: &Template, kind: &str) -> Vec<Value> {
        let rendered = t.to_value();
        rendered["Resources"]
            .as_object()
            .map(|r| {
                r.values()
                    .filter(|r| r["Type"] == kind)
                    .map(|r| r["Properties"].clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn passes_the_rules(t: &Template) {
        let broken = rules::check(t);
        assert!(broken.is_empty(), "{broken:#?}");
    }

    #[test]
    fn an_environment_gets_the_environment_stack() -> TestResult {
        let environment = environment()?;
        let teams = vec![TeamName::parse("t", "sales")?, TeamName::parse("t", "ops")?];
        let t = subject_template(&StackSubject::Environment { environment, teams })?;
        passes_the_rules(&t);
        let roles: Vec<Value> = resources_of(&t, "AWS::IAM::Role")
            .into_iter()
            .map(|p| p["RoleName"].clone())
            .collect();
        assert!(roles.contains(&Value::from("datalake-sales")), "{roles:?}");
        assert!(roles.contains(&Value::from("datalake-ops")), "{roles:?}");
        let json = t.to_json();
        assert!(
            json.contains("\"lakecat:tag:finance\""),
            "user tags: {json}"
        );
        Ok(())
    }

    #[test]
    fn a_created_dataset_gets_its_bucket_key_and_database() -> TestResult {
        let env = environment()?;
        let ds = dataset(&env, None)?;
        let t = subject_template(&StackSubject::Dataset {
            environment: env,
            dataset: ds.clone(),
        })?;
        passes_the_rules(&t);
        let buckets = resources_of(&t, "AWS::S3::Bucket");
        assert_eq!(buckets.len(), 1);
        assert_eq!(buckets[0]["BucketName"], ds.aws.bucket.as_str());
        let aliases = resources_of(&t, "AWS::KMS::Alias");
        let alias = ds.aws.kms_alias.as_deref().unwrap_or_default();
        assert_eq!(aliases[0]["AliasName"], alias);
        let databases = resources_of(&t, "AWS::Glue::Database");
        assert_eq!(
            databases[0]["DatabaseInput"]["Name"],
            ds.aws.glue_database.as_str()
        );
        let role = ds.aws.admin_role_arn.rsplit('/').next().unwrap_or_default();
        let roles = resources_of(&t, "AWS::IAM::Role");
        assert_eq!(roles[0]["RoleName"], role);
        let json = t.to_json();
        assert!(json.contains("\"lakecat:tag:orders\""), "{json}");
        assert!(json.contains("\"lakecat:topic:Finances\""), "{json}");
        Ok(())
    }

    #[test]
    fn an_imported_dataset_creates_no_bucket_and_its_admin_role_only_when_it_has_none() -> TestResult
    {
        let env = environment()?;
        let without_role = ImportedResources::parse(
            "i",
            "acme-clickstream",
            "clickstream",
            Some("alias/acme"),
            None,
        )?;
        let ds = dataset(&env, Some(without_role))?;
        let t = subject_template(&StackSubject::Dataset {
            environment: env.clone(),
            dataset: ds.clone(),
        })?;
        passes_the_rules(&t);
        assert!(resources_of(&t, "AWS::S3::Bucket").is_empty());
        assert!(resources_of(&t, "AWS::KMS::Key").is_empty());
        assert!(resources_of(&t, "AWS::Glue::Database").is_empty());
        let roles = resources_of(&t, "AWS::IAM::Role");
        assert_eq!(roles.len(), 1);
        let created = ds.aws.admin_role_arn.rsplit('/').next().unwrap_or_default();
        assert_eq!(roles[0]["RoleName"], created);
        assert!(t.to_json().contains("acme-clickstream"));

        let given = "arn:aws:iam::111122223333:role/etl/loader";
        let with_role =
            ImportedResources::parse("i", "acme-clickstream", "clickstream", None, Some(given))?;
        let ds = dataset(&env, Some(with_role))?;
        let t = subject_template(&StackSubject::Dataset {
            environment: env,
            dataset: ds,
        })?;
        passes_the_rules(&t);
        assert!(resources_of(&t, "AWS::IAM::Role").is_empty());
        assert!(t.to_json().contains(given));
        Ok(())
    }

    #[test]
    fn a_dataset_of_another_environment_is_refused() -> TestResult {
        let env = environment()?;
        let ds = dataset(&env, None)?;
        let other = environment()?;
        let e = subject_template(&StackSubject::Dataset {
            environment: other,
            dataset: ds,
        });
        assert!(matches!(e, Err(CfnError::Input { .. })), "{e:?}");
        Ok(())
    }

    #[test]
    fn the_execution_role_is_the_bootstraps() -> TestResult {
        let env = environment()?;
        let bootstrap = crate::environment_bootstrap(&crate::EnvironmentBootstrap {
            env: EnvironmentRef::from_environment(&env)?,
            tags: UserTags::default(),
        })?;
        let name = execution_role_name(&env)?;
        let roles: Vec<Value> = resources_of(&bootstrap, "AWS::IAM::Role")
            .into_iter()
            .map(|p| p["RoleName"].clone())
            .collect();
        assert!(roles.contains(&Value::from(name.as_str())), "{roles:?}");
        Ok(())
    }
}
