//! The entities of the catalog: teams, organizations, environments, datasets, tables,
//! columns, folders, votes, comments, notifications, stacks and tasks — and the rules that
//! derive one from another (AWS names of a dataset, grants on creation).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::*;
use crate::names::*;
use crate::permissions::{Bundle, Grant, Permission};
use crate::text_enum::text_enum;

text_enum!(Confidentiality { Unclassified => "Unclassified", Official => "Official", Secret => "Secret" });
text_enum!(Topic {
    Finances => "Finances", HumanResources => "HumanResources", Products => "Products",
    Services => "Services", Operations => "Operations", Research => "Research", Sales => "Sales",
    Orders => "Orders", Sites => "Sites", Energy => "Energy", Customers => "Customers", Misc => "Misc",
});
text_enum!(EnvironmentType { Data => "Data", Compute => "Compute" });
// Who discovers a dataset in search: every signed-in user; members of its organization's
// teams; or only its owner, stewards, invited teams and the teams it is shared with.
text_enum!(Visibility {
    Everyone => "EVERYONE",
    Organization => "ORGANIZATION",
    Restricted => "RESTRICTED",
});
text_enum!(StackStatus {
    Pending => "PENDING", CreateInProgress => "CREATE_IN_PROGRESS", CreateComplete => "CREATE_COMPLETE",
    CreateFailed => "CREATE_FAILED", UpdateInProgress => "UPDATE_IN_PROGRESS",
    UpdateComplete => "UPDATE_COMPLETE", UpdateFailed => "UPDATE_FAILED",
    DeleteInProgress => "DELETE_IN_PROGRESS", DeleteComplete => "DELETE_COMPLETE", DeleteFailed => "DELETE_FAILED",
    RollbackInProgress => "ROLLBACK_IN_PROGRESS", RollbackComplete => "ROLLBACK_COMPLETE",
    RollbackFailed => "ROLLBACK_FAILED", UpdateCompleteCleanupInProgress => "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    UpdateRollbackInProgress => "UPDATE_ROLLBACK_IN_PROGRESS", UpdateRollbackComplete => "UPDATE_ROLLBACK_COMPLETE",
    UpdateRollbackFailed => "UPDATE_ROLLBACK_FAILED",
    UpdateRollbackCompleteCleanupInProgress => "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    ReviewInProgress => "REVIEW_IN_PROGRESS", ImportInProgress => "IMPORT_IN_PROGRESS",
    ImportComplete => "IMPORT_COMPLETE", ImportRollbackInProgress => "IMPORT_ROLLBACK_IN_PROGRESS",
    ImportRollbackComplete => "IMPORT_ROLLBACK_COMPLETE", ImportRollbackFailed => "IMPORT_ROLLBACK_FAILED",
});
text_enum!(TaskStatus { Pending => "PENDING", Running => "RUNNING", Succeeded => "SUCCEEDED", Failed => "FAILED" });

impl Topic {
    pub fn parse_list(field: &str, raw: &[String]) -> Result<Vec<Topic>> {
        let mut out = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            let t = Topic::parse(&format!("{field}[{i}]"), r)?;
            if !out.contains(&t) {
                out.push(t);
            }
        }
        Ok(out)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub name: TeamName,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrganizationId,
    pub label: Label,
    pub description: Description,
    pub tags: Vec<Tag>,
    pub admin_team: TeamName,
    pub archived: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganization {
    pub label: Label,
    pub description: Description,
    pub tags: Vec<Tag>,
    pub admin_team: TeamName,
}

impl NewOrganization {
    /// The organization `actor` creates, and its admin team's grants (ORGANIZATION_ALL).
    pub fn build(self, actor: &str, now: DateTime<Utc>) -> (Organization, Vec<Grant>) {
        let org = Organization {
            id: OrganizationId::generate(),
            label: self.label,
            description: self.description,
            tags: self.tags,
            admin_team: self.admin_team,
            archived: false,
            created_by: actor.to_owned(),
            created_at: now,
            updated_at: now,
        };
        let grants = Grant::bundle(&org.admin_team, org.id.as_str(), Bundle::OrganizationAll);
        (org, grants)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrganizationPatch {
    pub label: Option<Label>,
    pub description: Option<Description>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Environment {
    pub id: EnvironmentId,
    pub organization_id: OrganizationId,
    pub label: Label,
    pub description: Description,
    pub tags: Vec<Tag>,
    pub account_id: AwsAccountId,
    pub region: AwsRegion,
    pub owner_team: TeamName,
    pub env_type: EnvironmentType,
    pub resource_prefix: Slug,
    pub pivot_role_name: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Environment {
    pub fn pivot_role_arn(&self) -> String {
        format!(
            "arn:aws:iam::{}:role/{}",
            self.account_id, self.pivot_role_name
        )
    }
}

/// Validates an IAM role name (1–64 characters of `\w+=,.@-`).
pub fn parse_role_name(field: &str, raw: &str) -> Result<String> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(Error::bad_input(
            field,
            "must be an IAM role name (1–64 of letters, digits, _+=,.@-)",
        ))
    }
}

pub const DEFAULT_PIVOT_ROLE: &str = "lakecat-pivot-role";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnvironment {
    pub organization_id: OrganizationId,
    pub label: Label,
    pub description: Description,
    pub tags: Vec<Tag>,
    pub account_id: AwsAccountId,
    pub region: AwsRegion,
    pub owner_team: TeamName,
    pub env_type: EnvironmentType,
    pub resource_prefix: Slug,
    pub pivot_role_name: String,
}

impl NewEnvironment {
    /// The environment `actor` links, and its owner team's grants (ENVIRONMENT_ALL).
    pub fn build(self, actor: &str, now: DateTime<Utc>) -> (Environment, Vec<Grant>) {
        let env = Environment {
            id: EnvironmentId::generate(),
            organization_id: self.organization_id,
            label: self.label,
            description: self.description,
            tags: self.tags,
            account_id: self.account_id,
            region: self.region,
            owner_team: self.owner_team,
            env_type: self.env_type,
            resource_prefix: self.resource_prefix,
            pivot_role_name: self.pivot_role_name,
            created_by: actor.to_owned(),
            created_at: now,
            updated_at: now,
        };
        let grants = Grant::bundle(&env.owner_team, env.id.as_str(), Bundle::EnvironmentAll);
        (env, grants)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentPatch {
    pub label: Option<Label>,
    pub description: Option<Description>,
    pub tags: Option<Vec<Tag>>,
    pub pivot_role_name: Option<String>,
}

/// Where a dataset lives on AWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetAws {
    pub account_id: AwsAccountId,
    pub region: AwsRegion,
    pub bucket: String,
    pub glue_database: String,
    pub kms_alias: Option<String>,
    pub admin_role_arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub id: DatasetId,
    pub organization_id: OrganizationId,
    pub environment_id: EnvironmentId,
    pub label: Label,
    pub slug: Slug,
    pub description: Description,
    pub owner_team: TeamName,
    pub stewards_team: Option<TeamName>,
    pub confidentiality: Confidentiality,
    pub topics: Vec<Topic>,
    pub tags: Vec<Tag>,
    pub auto_approval: bool,
    /// Who discovers it in search (and its tables, columns and folders).
    pub visibility: Visibility,
    /// For a SECRET dataset: whether teams holding a granted share may preview its tables
    /// (its owners always may); its owners' choice, off until they make it.
    pub secret_preview: bool,
    pub imported: bool,
    pub aws: DatasetAws,
    pub stack_status: StackStatus,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Existing AWS resources for an imported dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedResources {
    pub bucket: String,
    pub glue_database: String,
    pub kms_alias: Option<String>,
    pub admin_role_arn: Option<String>,
}

impl ImportedResources {
    pub fn parse(
        field: &str,
        bucket: &str,
        glue_database: &str,
        kms_alias: Option<&str>,
        admin_role_arn: Option<&str>,
    ) -> Result<Self> {
        Ok(ImportedResources {
            bucket: parse_bucket_name(&format!("{field}.bucket"), bucket)?,
            glue_database: GlueName::parse(&format!("{field}.glueDatabase"), glue_database)?
                .as_str()
                .to_owned(),
            kms_alias: kms_alias
                .map(|a| parse_kms_alias(&format!("{field}.kmsAlias"), a))
                .transpose()?,
            admin_role_arn: admin_role_arn
                .map(|a| parse_role_arn(&format!("{field}.adminRoleArn"), a))
                .transpose()?,
        })
    }
}

/// S3 bucket naming rules: 3–63 of lower-case letters, digits, `-` and `.`, starting and
/// ending with a letter or digit, no `..`, not an IP address.
pub fn parse_bucket_name(field: &str, raw: &str) -> Result<String> {
    let b = raw.as_bytes();
    let ok = (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'.')
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && !raw.contains("..")
        && raw.parse::<std::net::Ipv4Addr>().is_err();
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(Error::bad_input(field, "must be a valid S3 bucket name"))
    }
}

pub fn parse_kms_alias(field: &str, raw: &str) -> Result<String> {
    let ok = raw.starts_with("alias/")
        && raw.len() > 6
        && raw.len() <= 256
        && !raw.starts_with("alias/aws/")
        && raw[6..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-".contains(c));
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(Error::bad_input(
            field,
            "must be a KMS alias like alias/my-key",
        ))
    }
}

pub fn parse_role_arn(field: &str, raw: &str) -> Result<String> {
    let parts: Vec<&str> = raw.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && AwsAccountId::parse(field, parts[4]).is_ok()
        && parts[5]
            .strip_prefix("role/")
            .is_some_and(|n| !n.is_empty() && n.len() <= 512);
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(Error::bad_input(field, "must be an IAM role ARN"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDataset {
    pub environment_id: EnvironmentId,
    pub label: Label,
    pub slug: Slug,
    pub description: Description,
    pub owner_team: TeamName,
    pub stewards_team: Option<TeamName>,
    pub confidentiality: Confidentiality,
    pub topics: Vec<Topic>,
    pub tags: Vec<Tag>,
    pub auto_approval: bool,
    pub visibility: Visibility,
    pub imported: Option<ImportedResources>,
}

impl NewDataset {
    /// The AWS names a dataset gets in its environment. Created datasets get names derived
    /// from the environment's resource prefix, the slug and a short unique suffix (bucket
    /// names are global); imported datasets keep the names they were given.
    pub fn aws_details(&self, env: &Environment, id: &DatasetId) -> DatasetAws {
        let suffix: String = id
            .as_str()
            .chars()
            .rev()
            .take(6)
            .collect::<String>()
            .to_lowercase();
        let base = format!("{}-{}", env.resource_prefix, self.slug);
        let admin_default = format!(
            "arn:aws:iam::{}:role/{}-admin",
            env.account_id,
            truncate(&base, 58)
        );
        match &self.imported {
            Some(imp) => DatasetAws {
                account_id: env.account_id.clone(),
                region: env.region.clone(),
                bucket: imp.bucket.clone(),
                glue_database: imp.glue_database.clone(),
                kms_alias: imp.kms_alias.clone(),
                admin_role_arn: imp.admin_role_arn.clone().unwrap_or(admin_default),
            },
            None => DatasetAws {
                account_id: env.account_id.clone(),
                region: env.region.clone(),
                bucket: format!("{}-{}", truncate(&base, 56), suffix),
                glue_database: format!(
                    "{}_{}",
                    env.resource_prefix.glue_name(),
                    self.slug.glue_name()
                ),
                kms_alias: Some(format!("alias/{base}")),
                admin_role_arn: admin_default,
            },
        }
    }

    /// The dataset `actor` registers in `env` (its stack PENDING until deployed), and the
    /// grants of its roles.
    pub fn build(
        self,
        env: &Environment,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(Dataset, Vec<Grant>)> {
        if env.id != self.environment_id {
            return Err(Error::internal(format!(
                "dataset for environment {} built in {}",
                self.environment_id, env.id
            )));
        }
        let id = DatasetId::generate();
        let grants = self.grants(&id, env);
        let ds = Dataset {
            aws: self.aws_details(env, &id),
            id,
            organization_id: env.organization_id.clone(),
            environment_id: env.id.clone(),
            imported: self.imported.is_some(),
            label: self.label,
            slug: self.slug,
            description: self.description,
            owner_team: self.owner_team,
            stewards_team: self.stewards_team,
            confidentiality: self.confidentiality,
            topics: self.topics,
            tags: self.tags,
            auto_approval: self.auto_approval,
            visibility: self.visibility,
            secret_preview: false,
            stack_status: StackStatus::Pending,
            version: 1,
            created_by: actor.to_owned(),
            created_at: now,
            updated_at: now,
        };
        Ok((ds, grants))
    }

    /// Who gets which bundle when the dataset is created (see [`dataset_role_grants`]).
    pub fn grants(&self, id: &DatasetId, env: &Environment) -> Vec<Grant> {
        dataset_role_grants(id, &self.owner_team, self.stewards_team.as_ref(), env)
    }
}

/// The grants a dataset's roles carry: its owner team and the environment's owner team get
/// everything (and share approval); the stewards get read and share approval. Computed the
/// same way at creation and when the stewards change, so a change revokes exactly what the
/// old role gave and nothing another role still gives.
pub fn dataset_role_grants(
    id: &DatasetId,
    owner_team: &TeamName,
    stewards_team: Option<&TeamName>,
    env: &Environment,
) -> Vec<Grant> {
    let mut out = Grant::bundle(owner_team, id.as_str(), Bundle::DatasetAll);
    out.extend(Grant::bundle(
        owner_team,
        id.as_str(),
        Bundle::ShareApprover,
    ));
    if &env.owner_team != owner_team {
        out.extend(Grant::bundle(
            &env.owner_team,
            id.as_str(),
            Bundle::DatasetAll,
        ));
    }
    if let Some(st) = stewards_team
        && st != owner_team
    {
        out.extend(Grant::bundle(st, id.as_str(), Bundle::DatasetRead));
        out.extend(Grant::bundle(st, id.as_str(), Bundle::ShareApprover));
    }
    dedup_grants(out)
}

pub fn dedup_grants(grants: Vec<Grant>) -> Vec<Grant> {
    let mut out: Vec<Grant> = Vec::with_capacity(grants.len());
    for g in grants {
        if !out.contains(&g) {
            out.push(g);
        }
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    s.chars()
        .take(n)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetPatch {
    pub label: Option<Label>,
    pub description: Option<Description>,
    /// `Some(None)` clears the stewards team.
    pub stewards_team: Option<Option<TeamName>>,
    pub confidentiality: Option<Confidentiality>,
    pub topics: Option<Vec<Topic>>,
    pub tags: Option<Vec<Tag>>,
    pub auto_approval: Option<bool>,
    pub visibility: Option<Visibility>,
    pub secret_preview: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DatasetFilter {
    pub organization_id: Option<OrganizationId>,
    pub environment_id: Option<EnvironmentId>,
    pub owner_team: Option<TeamName>,
    pub topic: Option<Topic>,
    pub tag: Option<Tag>,
    /// Datasets whose tables are in this Glue database (what Glue's events name).
    pub glue_database: Option<GlueDatabaseRef>,
    /// The dataset of this bucket (bucket names are unique across AWS).
    pub bucket: Option<String>,
    /// Only datasets these readers may see ([`Readers::filter`]); None: every dataset (admins,
    /// and the platform's own work such as indexing).
    pub readers: Option<Vec<String>>,
}

/// A Glue database: its account, region and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlueDatabaseRef {
    pub account_id: String,
    pub region: String,
    pub database: String,
}

impl Dataset {
    /// The one reader that may see the dataset and everything in it: every signed-in user,
    /// members of its organization, or holders of the dataset itself. Search indexes its
    /// entries for this reader, and every read path checks it, so both agree.
    pub fn reader(&self) -> String {
        match self.visibility {
            Visibility::Everyone => crate::search::EVERYONE.to_owned(),
            Visibility::Organization => format!("org:{}", self.organization_id),
            Visibility::Restricted => format!("ds:{}", self.id),
        }
    }
}

/// What a caller may see of the catalog: the readers its teams hold
/// ([`crate::ports::CatalogStore::search_readers`]) and everyone's, or everything (admins).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readers(Option<Vec<String>>);

impl Readers {
    /// Everything: the admin group.
    pub fn all() -> Readers {
        Readers(None)
    }

    /// A signed-in caller whose teams hold `held`; every signed-in user is also [`EVERYONE`].
    ///
    /// [`EVERYONE`]: crate::search::EVERYONE
    pub fn of(mut held: Vec<String>) -> Readers {
        held.retain(|r| r != crate::search::EVERYONE);
        held.sort();
        held.dedup();
        Readers(Some(held))
    }

    pub fn may_see(&self, dataset: &Dataset) -> bool {
        match &self.0 {
            None => true,
            Some(held) => {
                let reader = dataset.reader();
                reader == crate::search::EVERYONE || held.binary_search(&reader).is_ok()
            }
        }
    }

    /// For [`DatasetFilter::readers`] and the store's other visibility filters: the held
    /// readers and [`EVERYONE`](crate::search::EVERYONE).
    pub fn filter(&self) -> Option<Vec<String>> {
        self.0.as_ref().map(|held| {
            let mut all = held.clone();
            all.push(crate::search::EVERYONE.to_owned());
            all
        })
    }

    /// As given to a search query (`None` for admins): the held readers, without
    /// [`EVERYONE`](crate::search::EVERYONE), which the engines add themselves.
    pub fn held(&self) -> Option<&[String]> {
        self.0.as_deref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub id: TableId,
    pub dataset_id: DatasetId,
    pub glue_name: String,
    pub label: String,
    pub location: String,
    pub format: String,
    pub properties: serde_json::Value,
    pub description: Description,
    pub tags: Vec<Tag>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When a sync found the table gone from the lake; None while it is there.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A table as discovered in the lake (Glue or a local directory); the catalog's own edits
/// (description, tags) are kept when the same table is discovered again.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredTable {
    pub glue_name: GlueName,
    pub location: String,
    pub format: String,
    pub properties: serde_json::Value,
    pub description: Option<Description>,
    pub columns: Vec<DiscoveredColumn>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredColumn {
    pub name: String,
    pub data_type: String,
    pub is_partition: bool,
    pub description: Option<Description>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub id: ColumnId,
    pub table_id: TableId,
    pub name: String,
    pub data_type: String,
    pub is_partition: bool,
    pub position: i64,
    pub description: Description,
    pub tags: Vec<Tag>,
    pub classification: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentPatch {
    pub description: Option<Description>,
    pub tags: Option<Vec<Tag>>,
}

/// Column classifications a steward can set (data.all's PII markers, kept small and closed).
pub const CLASSIFICATIONS: &[&str] = &["PII", "SENSITIVE", "PUBLIC", "INTERNAL"];

pub fn parse_classification(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    match raw {
        None | Some("") => Ok(None),
        Some(c) if CLASSIFICATIONS.contains(&c) => Ok(Some(c.to_owned())),
        Some(_) => Err(Error::bad_input(
            field,
            format!("must be one of {}", CLASSIFICATIONS.join(", ")),
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    pub id: FolderId,
    pub dataset_id: DatasetId,
    pub label: Label,
    pub prefix: S3Prefix,
    pub description: Description,
    pub tags: Vec<Tag>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFolder {
    pub dataset_id: DatasetId,
    pub label: Label,
    pub prefix: S3Prefix,
    pub description: Description,
    pub tags: Vec<Tag>,
}

impl NewFolder {
    /// The folder `actor` adds to its dataset.
    pub fn build(self, actor: &str, now: DateTime<Utc>) -> Folder {
        Folder {
            id: FolderId::generate(),
            dataset_id: self.dataset_id,
            label: self.label,
            prefix: self.prefix,
            description: self.description,
            tags: self.tags,
            created_by: actor.to_owned(),
            created_at: now,
            updated_at: now,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderPatch {
    pub label: Option<Label>,
    pub description: Option<Description>,
    pub tags: Option<Vec<Tag>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedMessage {
    pub id: FeedMessageId,
    pub target_id: String,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

pub const FEED_MESSAGE_MAX: usize = 5_000;

pub fn parse_feed_body(field: &str, raw: &str) -> Result<String> {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > FEED_MESSAGE_MAX {
        return Err(Error::bad_input(
            field,
            format!("must be 1–{FEED_MESSAGE_MAX} characters"),
        ));
    }
    Ok(s.to_owned())
}

/// Resources people can upvote, comment on and link glossary terms to.
pub const SOCIAL_KINDS: &[ResourceKind] = &[
    ResourceKind::Dataset,
    ResourceKind::Table,
    ResourceKind::Folder,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VoteSummary {
    pub upvotes: i64,
    pub has_upvoted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub recipient_team: TeamName,
    pub kind: String,
    pub message: String,
    pub target_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// A notification to write within a mutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub recipient_team: TeamName,
    pub kind: &'static str,
    pub message: String,
    pub target_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stack {
    pub id: StackId,
    pub target_id: String,
    pub status: StackStatus,
    pub outputs: serde_json::Value,
    pub events: serde_json::Value,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub kind: String,
    pub target_id: Option<String>,
    pub payload: serde_json::Value,
    pub status: TaskStatus,
    pub attempts: i32,
    pub lease_until: Option<DateTime<Utc>>,
    /// Not run before this time (retries wait out their backoff).
    pub run_after: DateTime<Utc>,
    /// Told when the task finally fails.
    pub notify_team: Option<TeamName>,
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A team invited to a resource, with the permissions it holds there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMembership {
    pub team: TeamName,
    pub permissions: Vec<Permission>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Environment {
        let now = Utc::now();
        Environment {
            id: EnvironmentId::generate(),
            organization_id: OrganizationId::generate(),
            label: Label::from_trusted("Prod".into()),
            description: Description::from_trusted(String::new()),
            tags: vec![],
            account_id: AwsAccountId::from_trusted("123456789012".into()),
            region: AwsRegion::from_trusted("eu-west-1".into()),
            owner_team: TeamName::from_trusted("platform".into()),
            env_type: EnvironmentType::Data,
            resource_prefix: Slug::from_trusted("lakecat".into()),
            pivot_role_name: DEFAULT_PIVOT_ROLE.into(),
            created_by: "ana".into(),
            created_at: now,
            updated_at: now,
        }
    }

    fn new_ds(stewards: Option<&str>) -> NewDataset {
        NewDataset {
            environment_id: EnvironmentId::generate(),
            label: Label::from_trusted("Sales".into()),
            slug: Slug::from_trusted("sales-orders".into()),
            description: Description::from_trusted(String::new()),
            owner_team: TeamName::from_trusted("sales".into()),
            stewards_team: stewards.map(|s| TeamName::from_trusted(s.into())),
            confidentiality: Confidentiality::Official,
            topics: vec![],
            tags: vec![],
            auto_approval: false,
            visibility: Visibility::Everyone,
            imported: None,
        }
    }

    #[test]
    fn created_dataset_names_are_valid_aws_names() {
        let id = DatasetId::generate();
        let aws = new_ds(None).aws_details(&env(), &id);
        assert!(
            parse_bucket_name("b", &aws.bucket).is_ok(),
            "{}",
            aws.bucket
        );
        assert_eq!(aws.glue_database, "lakecat_sales_orders");
        assert!(parse_role_arn("r", &aws.admin_role_arn).is_ok());
        assert!(
            aws.kms_alias
                .as_deref()
                .is_some_and(|a| parse_kms_alias("k", a).is_ok())
        );
    }

    #[test]
    fn creation_grants_follow_the_bundles() {
        let id = DatasetId::generate();
        let grants = new_ds(Some("stewards")).grants(&id, &env());
        let held = |team: &str, p: Permission| {
            grants
                .iter()
                .any(|g| g.team.as_str() == team && g.permission == p)
        };
        assert!(held("sales", Permission::DeleteDataset));
        assert!(held("platform", Permission::UpdateDataset));
        assert!(held("stewards", Permission::GetDataset));
        assert!(held("stewards", Permission::ApproveShare));
        assert!(!held("stewards", Permission::UpdateDataset));
    }

    #[test]
    fn aws_name_parsers() {
        assert!(parse_bucket_name("b", "192.168.1.1").is_err());
        assert!(parse_bucket_name("b", "My-Bucket").is_err());
        assert!(parse_kms_alias("k", "alias/aws/s3").is_err());
        assert!(parse_role_arn("r", "arn:aws:iam::123456789012:user/ana").is_err());
    }

    #[test]
    fn a_built_dataset_is_pending_in_its_environment_with_its_roles_grants() {
        let env = env();
        let mut new = new_ds(Some("stewards"));
        new.environment_id = env.id.clone();
        let (ds, grants) = new.clone().build(&env, "ana", Utc::now()).unwrap();
        assert_eq!(ds.environment_id, env.id);
        assert_eq!(ds.organization_id, env.organization_id);
        assert_eq!(ds.stack_status, StackStatus::Pending);
        assert_eq!((ds.version, ds.created_by.as_str()), (1, "ana"));
        assert_eq!(grants, new.grants(&ds.id, &env));
        assert!(ds.aws.bucket.starts_with("lakecat-sales-orders-"));
        // Built for another environment than the one given: a bug, not a user's input.
        let other = new_ds(None);
        assert_eq!(
            other.build(&env, "ana", Utc::now()).unwrap_err().code,
            crate::ErrorCode::Internal
        );
    }
}
