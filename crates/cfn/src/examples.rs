//! Every template with example inputs: what `lakecat synth` writes, what the snapshots and
//! `cfn-lint` check, and what the benchmark renders.

use std::path::{Path, PathBuf};

use lakecat_core::ids::{DatasetId, EnvironmentId, OrganizationId};
use lakecat_core::names::{GlueName, TeamName};

use crate::Template;
use crate::error::CfnError;
use crate::inputs::{BucketName, DatasetRef, EnvironmentRef, KmsAlias, ResourcePrefix, RoleName};
use crate::tags::UserTags;
use crate::templates::*;

const ORGANIZATION: &str = "org_01J9Z3K6W8Q2D4F7H1M5N0P3RS";
const ENVIRONMENT: &str = "env_01J9Z3M2B7C8D9E0F1G2H3J4KM";
const DATASET: &str = "ds_01J9Z3P5X6Y7Z8A9B0C1D2E3FG";
const IMPORTED: &str = "ds_01J9Z3Q8R9S0T1V2W3X4Y5Z6AB";

fn environment() -> Result<EnvironmentRef, CfnError> {
    Ok(EnvironmentRef {
        organization: OrganizationId::parse("organization", ORGANIZATION)?,
        environment: EnvironmentId::parse("environment", ENVIRONMENT)?,
        prefix: ResourcePrefix::parse("prefix", "datalake")?,
        pivot_role: RoleName::parse("pivotRole", "lakecat-pivot-role")?,
    })
}

fn user_tags() -> Result<UserTags, CfnError> {
    UserTags::parse(
        "tags",
        &[("cost-center", "4711"), ("owner", "data-platform")],
    )
}

/// A created dataset with the names `NewDataset::aws_details` gives one.
fn dataset(env: &EnvironmentRef, id: &str, slug: &str) -> Result<DatasetRef, CfnError> {
    let p = env.prefix.as_str();
    let suffix: String = id.chars().rev().take(6).collect::<String>().to_lowercase();
    Ok(DatasetRef {
        id: DatasetId::parse("dataset", id)?,
        label: "Sales orders".to_owned(),
        owner_team: TeamName::parse("ownerTeam", "sales-analysts")?,
        bucket: BucketName::parse("bucket", &format!("{p}-{slug}-{suffix}"))?,
        glue_database: GlueName::parse(
            "glueDatabase",
            &format!("{}_{}", env.prefix.glue(), slug.replace('-', "_")),
        )?,
        admin_role: RoleName::parse("adminRole", &format!("{p}-{slug}-admin"))?,
    })
}

fn dataset_input(env: &EnvironmentRef, id: &str, slug: &str) -> Result<DatasetStack, CfnError> {
    Ok(DatasetStack {
        dataset: dataset(env, id, slug)?,
        kms_alias: KmsAlias::parse("kmsAlias", &format!("alias/{}-{slug}", env.prefix.as_str()))?,
        env: env.clone(),
        tags: user_tags()?,
    })
}

/// `(file stem, template)` for every template, with example inputs.
pub fn examples() -> Result<Vec<(String, Template)>, CfnError> {
    let env = environment()?;
    let bootstrap = environment_bootstrap(&EnvironmentBootstrap {
        env: env.clone(),
        tags: user_tags()?,
    })?;
    let environment = environment_stack(&EnvironmentStack {
        env: env.clone(),
        teams: ["sales-analysts", "data.science", "finance/controlling"]
            .iter()
            .map(|t| TeamName::parse("teams", t))
            .collect::<Result<_, _>>()?,
        tags: user_tags()?,
    })?;
    let dataset = dataset_stack(&dataset_input(&env, DATASET, "sales-orders")?)?;
    let imported = |admin_role: AdminRole, kms: Option<&str>| -> Result<Template, CfnError> {
        imported_dataset_stack(&ImportedDatasetStack {
            dataset: DatasetRef {
                id: DatasetId::parse("dataset", IMPORTED)?,
                label: "Legacy clickstream".to_owned(),
                owner_team: TeamName::parse("ownerTeam", "data.science")?,
                bucket: BucketName::parse("bucket", "acme-clickstream-raw")?,
                glue_database: GlueName::parse("glueDatabase", "clickstream")?,
                admin_role: RoleName::parse("adminRole", "datalake-clickstream-admin")?,
            },
            kms_alias: kms.map(|a| KmsAlias::parse("kmsAlias", a)).transpose()?,
            admin_role,
            env: env.clone(),
            tags: UserTags::default(),
        })
    };
    Ok(vec![
        ("environment-bootstrap".to_owned(), bootstrap),
        ("environment".to_owned(), environment),
        ("dataset".to_owned(), dataset),
        (
            "imported-dataset".to_owned(),
            imported(AdminRole::Create, Some("alias/acme-clickstream"))?,
        ),
        (
            "imported-dataset-existing-role".to_owned(),
            imported(
                AdminRole::Existing(RoleArn::parse(
                    "adminRole",
                    "arn:aws:iam::111122223333:role/etl/clickstream-loader",
                )?),
                None,
            )?,
        ),
    ])
}

/// Renders `n` dataset templates (distinct slugs) to compact JSON: the benchmark's workload.
pub fn render_datasets(n: usize) -> Result<Vec<String>, CfnError> {
    let env = environment()?;
    (0..n)
        .map(|i| {
            // A valid dataset id per i: the ULID's last characters vary.
            let id = format!("ds_01J9Z3P5X6Y7Z8A9B0C1{i:06}");
            let input = dataset_input(&env, &id, &format!("dataset-{i}"))?;
            Ok(dataset_stack(&input)?.to_json())
        })
        .collect()
}

/// Writes every example template to `dir` as `<name>.json` (pretty JSON) and returns the paths.
pub fn synth(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let templates =
        examples().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::with_capacity(templates.len());
    for (name, template) in templates {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, template.to_json_pretty() + "\n")?;
        written.push(path);
    }
    Ok(written)
}
