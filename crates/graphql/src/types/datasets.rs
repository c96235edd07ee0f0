//! Datasets: an S3 bucket + Glue database + KMS key + admin role in an environment.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use lakecat_core::catalog::{self as core, DatasetFilter, ImportedResources};
use lakecat_core::ids::{DatasetId, EnvironmentId, OrganizationId};
use lakecat_core::names::*;
use lakecat_core::permissions::Bundle;
use lakecat_core::ports::CountQuery;

use super::glossary::TermLink;
use super::mirror_enum;
use super::organizations::{Environment, Organization, require_member, user_role};
use super::tables::{FolderConnection, TableConnection};
use super::teams::{Team, TeamMembership};
use super::{UserRole, connection, not_found, page_args};
use crate::authz::{authorize, may_follow};
use crate::context::refresh_search;
use crate::context::{meta, request, store};
use crate::errors::ApiResult;
use crate::visibility::{readers, visible_dataset};

mirror_enum!(Confidentiality, core::Confidentiality, { Unclassified, Official, Secret });
mirror_enum!(Visibility, core::Visibility, { Everyone, Organization, Restricted });
pub(crate) use super::stacks::{Stack, StackStatus};
mirror_enum!(Topic, core::Topic, {
    Finances, HumanResources, Products, Services, Operations, Research, Sales, Orders, Sites, Energy, Customers, Misc,
});

#[derive(Clone)]
pub struct Dataset(pub core::Dataset);

connection!(DatasetConnection, DatasetEdge, Dataset);

/// Where the dataset lives on AWS.
#[derive(SimpleObject, Clone)]
pub struct DatasetAws {
    pub account_id: String,
    pub region: String,
    pub bucket: String,
    pub glue_database: String,
    pub kms_alias: Option<String>,
    pub admin_role_arn: String,
}

#[Object]
impl Dataset {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn label(&self) -> &str {
        self.0.label.as_str()
    }
    async fn slug(&self) -> &str {
        self.0.slug.as_str()
    }
    async fn description(&self) -> &str {
        self.0.description.as_str()
    }
    async fn organization_id(&self) -> &str {
        self.0.organization_id.as_str()
    }
    async fn environment_id(&self) -> &str {
        self.0.environment_id.as_str()
    }
    /// Null when none of your teams may see the organization.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        let id = self.0.organization_id.to_string();
        if !may_follow(ctx, "Dataset.organization", &id).await? {
            return Ok(None);
        }
        Ok(request(ctx)?
            .loaders
            .organizations
            .load_one(id)
            .await?
            .map(Organization))
    }
    /// Null when none of your teams may see the environment.
    async fn environment(&self, ctx: &Context<'_>) -> ApiResult<Option<Environment>> {
        let id = self.0.environment_id.to_string();
        if !may_follow(ctx, "Dataset.environment", &id).await? {
            return Ok(None);
        }
        Ok(request(ctx)?
            .loaders
            .environments
            .load_one(id)
            .await?
            .map(Environment))
    }
    async fn owner_team(&self) -> Team {
        Team::named(self.0.owner_team.to_string())
    }
    async fn stewards_team(&self) -> Option<Team> {
        self.0
            .stewards_team
            .as_ref()
            .map(|t| Team::named(t.to_string()))
    }
    async fn confidentiality(&self) -> Confidentiality {
        self.0.confidentiality.into()
    }
    async fn topics(&self) -> Vec<Topic> {
        self.0.topics.iter().map(|t| (*t).into()).collect()
    }
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().map(|t| t.as_str()).collect()
    }
    /// For a SECRET dataset: whether teams holding a granted share may preview its tables
    /// (its owners always may).
    async fn secret_preview(&self) -> bool {
        self.0.secret_preview
    }
    async fn auto_approval(&self) -> bool {
        self.0.auto_approval
    }
    /// Who discovers the dataset (and its tables, columns, folders) in search.
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    async fn imported(&self) -> bool {
        self.0.imported
    }
    /// Null unless one of your teams holds GET_DATASET on the dataset (owners, stewards,
    /// invited teams): account ids and role ARNs are protected like the environment's.
    /// Consumers find what they were granted in their share request's `consumption`.
    async fn aws(&self, ctx: &Context<'_>) -> ApiResult<Option<DatasetAws>> {
        if !may_follow(ctx, "Dataset.aws", self.0.id.as_str()).await? {
            return Ok(None);
        }
        let a = &self.0.aws;
        Ok(Some(DatasetAws {
            account_id: a.account_id.to_string(),
            region: a.region.to_string(),
            bucket: a.bucket.clone(),
            glue_database: a.glue_database.clone(),
            kms_alias: a.kms_alias.clone(),
            admin_role_arn: a.admin_role_arn.clone(),
        }))
    }
    async fn stack_status(&self) -> StackStatus {
        self.0.stack_status.into()
    }
    /// Version for optimistic concurrency: pass it back as `expectedVersion` when updating.
    async fn version(&self) -> i64 {
        self.0.version
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn user_role(&self, ctx: &Context<'_>) -> ApiResult<UserRole> {
        user_role(ctx, self.0.id.as_str(), Bundle::DatasetAll).await
    }
    async fn table_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(request(ctx)?
            .loaders
            .table_counts
            .load_one(self.0.id.to_string())
            .await?
            .unwrap_or(0))
    }
    async fn upvotes(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        Ok(request(ctx)?
            .loaders
            .votes
            .load_one(self.0.id.to_string())
            .await?
            .unwrap_or_default()
            .upvotes)
    }
    async fn has_upvoted(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(request(ctx)?
            .loaders
            .votes
            .load_one(self.0.id.to_string())
            .await?
            .unwrap_or_default()
            .has_upvoted)
    }
    /// Glossary terms linked to the dataset (approved and pending).
    async fn terms(&self, ctx: &Context<'_>) -> ApiResult<Vec<TermLink>> {
        let links = request(ctx)?
            .loaders
            .term_links
            .load_one(self.0.id.to_string())
            .await?
            .unwrap_or_default();
        Ok(links.into_iter().map(TermLink).collect())
    }
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn tables(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<TableConnection> {
        super::tables::list_tables(ctx, &self.0.id, first, after).await
    }
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn folders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<FolderConnection> {
        super::tables::list_folders(ctx, &self.0.id, first, after).await
    }
    /// Teams holding permissions on the dataset.
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<TeamMembership>> {
        authorize(ctx, "Dataset.teams", Some(self.0.id.as_str())).await?;
        Ok(store(ctx)
            .resource_teams(self.0.id.as_str())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The dataset's stack: the bucket, key, Glue database and roles it is deployed as.
    /// The latest sync of its tables from the lake (None before the first).
    async fn table_sync(&self, ctx: &Context<'_>) -> ApiResult<Option<super::tables::TableSync>> {
        authorize(ctx, "Dataset.tableSync", Some(self.0.id.as_str())).await?;
        super::tables::table_sync(ctx, self.0.id.as_str()).await
    }
    /// For an imported dataset: the latest verification that lakecat can use its bucket,
    /// key and Glue database through the environment's pivot role (null for datasets
    /// lakecat made). `verifyDataset` runs it again.
    async fn import_check(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<super::tables::ImportCheckRun>> {
        authorize(ctx, "Dataset.importCheck", Some(self.0.id.as_str())).await?;
        if !self.0.imported {
            return Ok(None);
        }
        super::tables::import_check(ctx, self.0.id.as_str()).await
    }
    /// The latest `startCrawler` run (null if never crawled).
    async fn table_crawl(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<super::tables::TableCrawlRun>> {
        authorize(ctx, "Dataset.tableCrawl", Some(self.0.id.as_str())).await?;
        Ok(store(ctx)
            .table_crawl(self.0.id.as_str())
            .await?
            .map(super::tables::TableCrawlRun::from))
    }
    /// Whether the dataset can be used: its stack is deployed (CREATE_, UPDATE_ or
    /// IMPORT_COMPLETE, or UPDATE_ROLLBACK_COMPLETE at its previous version) and, when
    /// imported, its resources passed their latest verification (`importCheck`).
    async fn ready(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let s = self.0.stack_status;
        let deployed = s.is_complete() || s == core::StackStatus::UpdateRollbackComplete;
        if !deployed || !self.0.imported {
            return Ok(deployed);
        }
        Ok(super::tables::import_check(ctx, self.0.id.as_str())
            .await?
            .is_some_and(|c| c.status == super::tasks::TaskStatus::Succeeded))
    }
    async fn stack(&self, ctx: &Context<'_>) -> ApiResult<Option<Stack>> {
        authorize(ctx, "Dataset.stack", Some(self.0.id.as_str())).await?;
        Ok(store(ctx)
            .stack_for_target(self.0.id.as_str())
            .await?
            .map(Stack::from))
    }
}

#[derive(InputObject, Default)]
pub struct DatasetFilterInput {
    pub organization_id: Option<String>,
    pub environment_id: Option<String>,
    pub owner_team: Option<String>,
    pub topic: Option<Topic>,
    pub tag: Option<String>,
}

impl DatasetFilterInput {
    fn parse(&self) -> ApiResult<DatasetFilter> {
        Ok(DatasetFilter {
            organization_id: self
                .organization_id
                .as_deref()
                .map(|v| OrganizationId::parse("filter.organizationId", v))
                .transpose()?,
            environment_id: self
                .environment_id
                .as_deref()
                .map(|v| EnvironmentId::parse("filter.environmentId", v))
                .transpose()?,
            owner_team: self
                .owner_team
                .as_deref()
                .map(|v| TeamName::parse("filter.ownerTeam", v))
                .transpose()?,
            topic: self.topic.map(Into::into),
            tag: self
                .tag
                .as_deref()
                .map(|v| Tag::parse("filter.tag", v))
                .transpose()?,
            glue_database: None,
            bucket: None,
            readers: None,
        })
    }
}

/// A cursor is only valid for the same filter: the filter is part of the list's name.
fn list_name(f: &DatasetFilter) -> String {
    format!(
        "datasets:{}:{}:{}:{}:{}",
        f.organization_id.as_ref().map(|v| v.as_str()).unwrap_or(""),
        f.environment_id.as_ref().map(|v| v.as_str()).unwrap_or(""),
        f.owner_team.as_ref().map(|v| v.as_str()).unwrap_or(""),
        f.topic.map(|v| v.as_str()).unwrap_or(""),
        f.tag.as_ref().map(|v| v.as_str()).unwrap_or(""),
    )
}

#[derive(Default)]
pub struct DatasetQuery;

#[Object]
impl DatasetQuery {
    async fn dataset(&self, ctx: &Context<'_>, id: String) -> ApiResult<Option<Dataset>> {
        let id = DatasetId::parse("id", &id)?;
        authorize(ctx, "dataset", None).await?;
        Ok(Some(Dataset(visible_dataset(ctx, &id).await?)))
    }

    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn datasets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<DatasetFilterInput>,
    ) -> ApiResult<DatasetConnection> {
        authorize(ctx, "datasets", None).await?;
        let mut filter = filter.unwrap_or_default().parse()?;
        filter.readers = readers(ctx).await?.filter();
        let list = list_name(&filter);
        let page = page_args(ctx, &list, first, after)?;
        let rows = store(ctx).list_datasets(&filter, &page).await?;
        let datasets: Vec<&core::Dataset> = rows.items.iter().map(|(_, d)| d).collect();
        prefetch(ctx, &datasets).await?;
        DatasetConnection::from_page(ctx, &list, rows, CountQuery::Datasets(filter), Dataset)
    }
}

/// Existing AWS resources to import instead of creating new ones.
#[derive(InputObject)]
pub struct ImportDatasetInput {
    pub bucket: String,
    pub glue_database: String,
    pub kms_alias: Option<String>,
    pub admin_role_arn: Option<String>,
}

#[derive(InputObject)]
pub struct CreateDatasetInput {
    pub environment_id: String,
    pub label: String,
    /// S3/Glue-safe name; derived from the label when omitted.
    pub slug: Option<String>,
    pub description: Option<String>,
    /// One of your teams; it gets DATASET_ALL.
    pub owner_team: String,
    /// Team that approves shares; it gets DATASET_READ.
    pub stewards_team: Option<String>,
    #[graphql(default_with = "Confidentiality::Unclassified")]
    pub confidentiality: Confidentiality,
    pub topics: Option<Vec<Topic>>,
    pub tags: Option<Vec<String>>,
    #[graphql(default)]
    pub auto_approval: bool,
    /// Who discovers it in search: every signed-in user (default), members of its
    /// organization's teams, or only its owners, stewards, invited teams and consumers.
    #[graphql(default_with = "Visibility::Everyone")]
    pub visibility: Visibility,
    pub import: Option<ImportDatasetInput>,
}

#[derive(InputObject)]
pub struct UpdateDatasetInput {
    pub id: String,
    /// The `version` you read; a stale version gets CONFLICT.
    pub expected_version: i64,
    pub label: Option<String>,
    pub description: Option<String>,
    /// A team name, or "" to clear.
    pub stewards_team: Option<String>,
    pub confidentiality: Option<Confidentiality>,
    pub topics: Option<Vec<Topic>>,
    pub tags: Option<Vec<String>>,
    pub auto_approval: Option<bool>,
    pub visibility: Option<Visibility>,
    /// For a SECRET dataset: let teams holding a granted share preview its tables.
    pub secret_preview: Option<bool>,
}

#[derive(InputObject)]
pub struct DeleteDatasetInput {
    pub id: String,
}

fn dedup_topics(topics: Option<Vec<Topic>>) -> Vec<core::Topic> {
    let mut out: Vec<core::Topic> = Vec::new();
    for t in topics.unwrap_or_default() {
        let t: core::Topic = t.into();
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

fn parse_new(input: CreateDatasetInput) -> ApiResult<core::NewDataset> {
    let label = Label::parse("input.label", &input.label)?;
    let slug = match input.slug.as_deref() {
        Some(s) => Slug::parse("input.slug", s)?,
        None => Slug::from_label(&label).map_err(|e| e.in_field("input"))?,
    };
    Ok(core::NewDataset {
        environment_id: EnvironmentId::parse("input.environmentId", &input.environment_id)?,
        label,
        slug,
        description: Description::parse(
            "input.description",
            input.description.as_deref().unwrap_or(""),
        )?,
        owner_team: TeamName::parse("input.ownerTeam", &input.owner_team)?,
        stewards_team: input
            .stewards_team
            .as_deref()
            .map(|t| TeamName::parse("input.stewardsTeam", t))
            .transpose()?,
        confidentiality: input.confidentiality.into(),
        topics: dedup_topics(input.topics),
        tags: Tag::parse_list("input.tags", input.tags.as_deref().unwrap_or(&[]))?,
        auto_approval: input.auto_approval,
        visibility: input.visibility.into(),
        imported: input
            .import
            .map(|i| {
                ImportedResources::parse(
                    "input.import",
                    &i.bucket,
                    &i.glue_database,
                    i.kms_alias.as_deref(),
                    i.admin_role_arn.as_deref(),
                )
            })
            .transpose()?,
    })
}

#[derive(Default)]
pub struct DatasetMutation;

#[Object]
impl DatasetMutation {
    /// Registers a dataset in an environment and deploys its stack (`Dataset.stack`).
    async fn create_dataset(
        &self,
        ctx: &Context<'_>,
        input: CreateDatasetInput,
    ) -> ApiResult<Dataset> {
        let new = parse_new(input)?;
        let c = authorize(ctx, "createDataset", Some(new.environment_id.as_str())).await?;
        require_member(c, "input.ownerTeam", &new.owner_team)?;
        let env = store(ctx)
            .environments_by_ids(&[new.environment_id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("environment", new.environment_id.as_str()))?;
        let (ds, grants) = new.build(&env, &c.subject, Utc::now())?;
        let tasks = store(ctx).create_dataset(&meta(ctx)?, &ds, &grants).await?;
        crate::context::publish_now(ctx, &tasks).await;
        refresh_search(ctx, ds.id.as_str()).await;
        Ok(Dataset(ds))
    }

    async fn update_dataset(
        &self,
        ctx: &Context<'_>,
        input: UpdateDatasetInput,
    ) -> ApiResult<Dataset> {
        let id = DatasetId::parse("input.id", &input.id)?;
        let patch = core::DatasetPatch {
            label: input
                .label
                .as_deref()
                .map(|v| Label::parse("input.label", v))
                .transpose()?,
            description: input
                .description
                .as_deref()
                .map(|v| Description::parse("input.description", v))
                .transpose()?,
            stewards_team: match input.stewards_team.as_deref() {
                None => None,
                Some("") => Some(None),
                Some(t) => Some(Some(TeamName::parse("input.stewardsTeam", t)?)),
            },
            confidentiality: input.confidentiality.map(Into::into),
            topics: input.topics.map(|t| dedup_topics(Some(t))),
            tags: input
                .tags
                .as_deref()
                .map(|v| Tag::parse_list("input.tags", v))
                .transpose()?,
            auto_approval: input.auto_approval,
            visibility: input.visibility.map(Into::into),
            secret_preview: input.secret_preview,
        };
        authorize(ctx, "updateDataset", Some(id.as_str())).await?;
        let ds = store(ctx)
            .update_dataset(&meta(ctx)?, &id, input.expected_version, &patch)
            .await?;
        refresh_search(ctx, id.as_str()).await;
        Ok(Dataset(ds))
    }

    /// Removes the dataset from the catalog with its tables, columns, folders and links, and
    /// deletes its stack: the bucket, its key and the Glue database are retained (with the
    /// data), the roles and Lake Formation registration go.
    async fn delete_dataset(
        &self,
        ctx: &Context<'_>,
        input: DeleteDatasetInput,
    ) -> ApiResult<bool> {
        let id = DatasetId::parse("input.id", &input.id)?;
        authorize(ctx, "deleteDataset", Some(id.as_str())).await?;
        let tasks = store(ctx).delete_dataset(&meta(ctx)?, &id).await?;
        crate::context::publish_now(ctx, &tasks).await;
        refresh_search(ctx, id.as_str()).await;
        Ok(true)
    }
}

/// Loads what the selection asks of a page of datasets in one query per field, up front, and
/// feeds the loaders' caches (with a value for every key) — so a page costs the same number
/// of statements however many rows it has and however long resolving them takes.
async fn prefetch(ctx: &Context<'_>, page: &[&core::Dataset]) -> ApiResult<()> {
    if page.is_empty() {
        return Ok(());
    }
    let la = ctx.look_ahead();
    let (edge_node, node) = (la.field("edges").field("node"), la.field("nodes"));
    let wants = |f: &str| edge_node.field(f).exists() || node.field(f).exists();
    let wants_term_label = edge_node.field("terms").field("term").exists()
        || node.field("terms").field("term").exists();
    // Team links carry their name; rows are read only when `createdAt` is asked for.
    let wants_team_rows = ["ownerTeam", "stewardsTeam"].iter().any(|t| {
        edge_node.field(t).field("createdAt").exists() || node.field(t).field("createdAt").exists()
    });
    let rc = request(ctx)?;
    let st = store(ctx);
    let ids: Vec<String> = page.iter().map(|d| d.id.to_string()).collect();
    let mut teams: Vec<String> = page.iter().map(|d| d.owner_team.to_string()).collect();
    teams.extend(
        page.iter()
            .filter_map(|d| d.stewards_team.as_ref().map(|t| t.to_string())),
    );
    teams.sort();
    teams.dedup();
    let user = caller_subject(ctx);
    let groups: Vec<String> = rc
        .caller
        .as_ref()
        .map(|c| c.group_names())
        .unwrap_or_default();
    let counts = async {
        if wants("tableCount") {
            st.table_counts(&ids).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let votes = async {
        if wants("upvotes") || wants("hasUpvoted") {
            st.vote_summaries(&user, &ids).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let links = async {
        if wants("terms") {
            st.term_links_for_targets(&ids).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let mut env_ids: Vec<String> = page.iter().map(|d| d.environment_id.to_string()).collect();
    env_ids.sort();
    env_ids.dedup();
    let mut org_ids: Vec<String> = page.iter().map(|d| d.organization_id.to_string()).collect();
    org_ids.sort();
    org_ids.dedup();
    // The caller's permissions on the datasets (userRole) and on their environments and
    // organizations (whether those links may be followed), in one query.
    let mut perm_ids: Vec<String> = vec![];
    if wants("userRole") {
        perm_ids.extend(ids.iter().cloned());
    }
    if wants("environment") {
        perm_ids.extend(env_ids.iter().cloned());
    }
    if wants("organization") {
        perm_ids.extend(org_ids.iter().cloned());
    }
    let perms = async {
        if perm_ids.is_empty() {
            Ok(None)
        } else {
            st.resource_permissions(&groups, &perm_ids).await.map(Some)
        }
    };
    let team_rows = async {
        if wants_team_rows {
            st.teams_by_names(&teams).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let envs = async {
        if wants("environment") {
            st.environments_by_ids(&env_ids).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let orgs = async {
        if wants("organization") {
            st.organizations_by_ids(&org_ids).await.map(Some)
        } else {
            Ok(None)
        }
    };
    let (counts, votes, links, perms, team_rows, envs, orgs) =
        tokio::try_join!(counts, votes, links, perms, team_rows, envs, orgs)?;
    if let Some(rows) = envs {
        rc.loaders
            .environments
            .feed_many(rows.into_iter().map(|e| (e.id.to_string(), e)))
            .await;
    }
    if let Some(rows) = orgs {
        rc.loaders
            .organizations
            .feed_many(rows.into_iter().map(|o| (o.id.to_string(), o)))
            .await;
    }
    if let Some(mut m) = counts {
        rc.loaders
            .table_counts
            .feed_many(ids.iter().map(|id| (id.clone(), m.remove(id).unwrap_or(0))))
            .await;
    }
    if let Some(mut m) = votes {
        rc.loaders
            .votes
            .feed_many(
                ids.iter()
                    .map(|id| (id.clone(), m.remove(id).unwrap_or_default())),
            )
            .await;
    }
    if let Some(mut m) = perms {
        rc.loaders
            .permissions
            .feed_many(
                perm_ids
                    .iter()
                    .map(|id| (id.clone(), m.remove(id).unwrap_or_default())),
            )
            .await;
    }
    if let Some(rows) = team_rows {
        rc.loaders
            .teams
            .feed_many(rows.into_iter().map(|t| (t.name.to_string(), t)))
            .await;
    }
    if let Some(all) = links {
        let mut by_target: std::collections::HashMap<
            String,
            Vec<lakecat_core::glossary::TermLink>,
        > = std::collections::HashMap::new();
        for l in all {
            by_target.entry(l.target_id.clone()).or_default().push(l);
        }
        if wants_term_label {
            let mut term_ids: Vec<String> = by_target
                .values()
                .flatten()
                .map(|l| l.term_id.to_string())
                .collect();
            term_ids.sort();
            term_ids.dedup();
            if !term_ids.is_empty() {
                let nodes = st.glossary_nodes_by_ids(&term_ids).await?;
                rc.loaders
                    .glossary_nodes
                    .feed_many(nodes.into_iter().map(|n| (n.id.to_string(), n)))
                    .await;
            }
        }
        rc.loaders
            .term_links
            .feed_many(
                ids.iter()
                    .map(|id| (id.clone(), by_target.remove(id).unwrap_or_default())),
            )
            .await;
    }
    Ok(())
}

fn caller_subject(ctx: &Context<'_>) -> String {
    crate::context::caller(ctx)
        .map(|c| c.subject.clone())
        .unwrap_or_default()
}
