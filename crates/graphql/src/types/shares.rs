//! Share requests: a consumer team asks for tables, folders or the whole bucket of another
//! team's dataset; the dataset's owners and stewards approve or reject; approval writes a
//! task that grants on the lake, and revocation or expiry the task that takes it back. Every
//! decision is a core use case (`ShareCase`) whose transition tables decide; a resolver reads,
//! authorizes, applies and commits — never calls AWS.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use lakecat_core::Error;
use lakecat_core::ids::{DatasetId, EnvironmentId, FolderId, ShareId, ShareItemId, TableId};
use lakecat_core::names::{Description, TeamName};
use lakecat_core::permissions::Permission as P;
use lakecat_core::ports::CountQuery;
use lakecat_core::shares::{
    self as core, ItemToAdd, NewShareRequest, ShareAccess, ShareCase, ShareFilter, ShareItemKind,
    ShareStatus, ShareWrite,
};

use super::datasets::Dataset;
use super::{connection, mirror_enum, not_found, page_args};
use crate::authz::authorize;
use crate::context::{caller, meta, publish_committed, request, store};
use crate::errors::ApiResult;

/// How the consumer reaches a granted item.
#[derive(SimpleObject, Clone)]
pub struct ShareConsumption {
    /// The Glue database to query (`<db>_shared` in the consumer account cross-account).
    pub glue_database: Option<String>,
    /// The table to query in it (a resource link cross-account).
    pub glue_table: Option<String>,
    pub access_point_arn: Option<String>,
    /// Use the alias wherever a bucket name is expected.
    pub access_point_alias: Option<String>,
    pub bucket: String,
    pub region: String,
    pub s3_prefix: Option<String>,
    /// Where a folder's or the bucket's data is (through the access point alias when there is
    /// one); null for tables, which are read through the Glue database and table.
    pub s3_uri: Option<String>,
}

impl From<core::Consumption> for ShareConsumption {
    fn from(c: core::Consumption) -> Self {
        let host = c.access_point_alias.clone().unwrap_or(c.bucket.clone());
        let s3_uri = c
            .glue_table
            .is_none()
            .then(|| format!("s3://{host}/{}", c.s3_prefix.clone().unwrap_or_default()));
        ShareConsumption {
            glue_database: c.glue_database,
            glue_table: c.glue_table,
            access_point_arn: c.access_point_arn,
            access_point_alias: c.access_point_alias,
            bucket: c.bucket,
            region: c.region,
            s3_prefix: c.s3_prefix,
            s3_uri,
        }
    }
}

mirror_enum!(ShareItemType, ShareItemKind, { Table, Folder, Bucket });
// Statuses are enums, one spelling in filters and answers (SUBMITTED, SHARE_SUCCEEDED).
mirror_enum!(ShareRequestStatus, ShareStatus, {
    Draft, Submitted, Approved, Rejected, Revoked, ShareInProgress, RevokeInProgress, Processed,
    SubmittedForExtension, ExtensionRejected, Deleted,
});
mirror_enum!(ShareItemStatus, core::ItemStatus, {
    PendingApproval, ShareApproved, ShareRejected, ShareInProgress, ShareSucceeded, ShareFailed,
    RevokeApproved, RevokeInProgress, RevokeSucceeded, RevokeFailed, PendingExtension, Deleted,
});
mirror_enum!(ShareAccessLevel, ShareAccess, { Read, Write });

#[derive(SimpleObject, Clone)]
pub struct ShareItem {
    pub id: String,
    pub item_type: ShareItemType,
    /// The table's or folder's id; the dataset's id for the bucket.
    pub target_id: String,
    pub status: ShareItemStatus,
    pub error: Option<String>,
    pub consumption: Option<ShareConsumption>,
    pub updated_at: DateTime<Utc>,
}

impl From<core::ShareItem> for ShareItem {
    fn from(i: core::ShareItem) -> Self {
        ShareItem {
            id: i.id.to_string(),
            item_type: i.kind.into(),
            target_id: i.target_id,
            status: i.status.into(),
            error: i.error,
            consumption: i.consumption.map(ShareConsumption::from),
            updated_at: i.updated_at,
        }
    }
}

#[derive(Clone)]
pub struct ShareRequest(pub core::ShareRequest);

#[Object]
impl ShareRequest {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn status(&self) -> ShareRequestStatus {
        self.0.status.into()
    }
    async fn dataset_id(&self) -> &str {
        self.0.dataset_id.as_str()
    }
    /// Null when the dataset is no longer visible to you (its visibility changed).
    async fn dataset(&self, ctx: &Context<'_>) -> ApiResult<Option<Dataset>> {
        if !crate::visibility::may_see_dataset(ctx, &self.0.dataset_id).await? {
            return Ok(None);
        }
        Ok(request(ctx)?
            .loaders
            .datasets
            .load_one(self.0.dataset_id.to_string())
            .await?
            .map(Dataset))
    }
    /// The consumer environment (its account receives the access).
    async fn environment_id(&self) -> &str {
        self.0.environment_id.as_str()
    }
    /// The consumer team.
    async fn team_name(&self) -> &str {
        self.0.team.as_str()
    }
    /// The IAM role that receives the access.
    async fn principal_role_arn(&self) -> &str {
        &self.0.principal_role_arn
    }
    /// READ: Lake Formation DESCRIBE + SELECT, s3:GetObject. WRITE adds INSERT and DELETE,
    /// s3:PutObject and s3:DeleteObject.
    async fn access(&self) -> ShareAccessLevel {
        self.0.access.into()
    }
    async fn purpose(&self) -> &str {
        self.0.purpose.as_str()
    }
    async fn reject_reason(&self) -> Option<&str> {
        self.0.reject_reason.as_deref()
    }
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// The expiry a pending extension asks for.
    async fn requested_expiry(&self) -> Option<DateTime<Utc>> {
        self.0.requested_expiry
    }
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
    /// The request's items (at most 500), oldest first.
    #[graphql(complexity = "lakecat_core::shares::MAX_ITEMS / 10 * child_complexity.max(1)")]
    async fn items(&self, ctx: &Context<'_>) -> ApiResult<Vec<ShareItem>> {
        let items = store(ctx).share_items(&[self.0.id.to_string()]).await?;
        Ok(items.into_iter().map(ShareItem::from).collect())
    }
    /// How to query what was granted: one entry per item that holds access.
    async fn consumption(&self, ctx: &Context<'_>) -> ApiResult<Vec<ShareConsumption>> {
        let items = store(ctx).share_items(&[self.0.id.to_string()]).await?;
        Ok(items
            .into_iter()
            .filter(|i| i.status.holds_access())
            .filter_map(|i| i.consumption.map(ShareConsumption::from))
            .collect())
    }
}

connection!(ShareRequestConnection, ShareRequestEdge, ShareRequest);

/// What the caller is to a request: a member of the requesting team, an approver (owners
/// and stewards of the dataset), both, or neither.
struct ShareRole {
    requester: bool,
    approver: bool,
}

async fn role_on(ctx: &Context<'_>, share: &core::ShareRequest) -> ApiResult<ShareRole> {
    let c = caller(ctx)?;
    if c.is_admin {
        return Ok(ShareRole {
            requester: true,
            approver: true,
        });
    }
    let loaders = &request(ctx)?.loaders;
    Ok(ShareRole {
        requester: loaders
            .permissions_on(share.id.as_str())
            .await?
            .contains(&P::GetShare),
        approver: loaders
            .permissions_on(share.dataset_id.as_str())
            .await?
            .contains(&P::ApproveShare),
    })
}

/// Loads a request the caller may see (NOT_FOUND otherwise, so ids do not leak).
pub(crate) async fn visible_share(
    ctx: &Context<'_>,
    field: &str,
    raw: &str,
) -> ApiResult<core::ShareRequest> {
    let id = ShareId::parse(field, raw)?;
    let share = store(ctx)
        .share_requests_by_ids(&[id.to_string()])
        .await?
        .pop()
        .ok_or_else(|| not_found("share request", raw))?;
    let role = role_on(ctx, &share).await?;
    if !(role.requester || role.approver) {
        return Err(not_found("share request", raw));
    }
    Ok(share)
}

async fn load_case(ctx: &Context<'_>, share: core::ShareRequest) -> ApiResult<ShareCase> {
    let items = store(ctx).share_items(&[share.id.to_string()]).await?;
    let dataset = store(ctx)
        .datasets_by_ids(&[share.dataset_id.to_string()])
        .await?
        .pop()
        .ok_or_else(|| not_found("dataset", share.dataset_id.as_str()))?;
    Ok(ShareCase {
        share,
        items,
        dataset,
    })
}

/// Which side a field acts for: the requesting team (permission on the request) or the
/// approvers (permission on its dataset).
#[derive(Clone, Copy)]
enum Side {
    Requester,
    Approver,
}

/// Loads, authorizes `field` for `side`, applies `f` and commits; then publishes its tasks.
async fn decide(
    ctx: &Context<'_>,
    field: &str,
    share_id: &str,
    side: Side,
    f: impl FnOnce(&ShareCase, DateTime<Utc>) -> lakecat_core::Result<ShareWrite>,
) -> ApiResult<ShareRequest> {
    let share = visible_share(ctx, "input.shareId", share_id).await?;
    match side {
        Side::Requester => {
            authorize(ctx, field, Some(share.id.as_str())).await?;
        }
        Side::Approver => {
            let c = authorize(ctx, field, Some(share.dataset_id.as_str())).await?;
            if !c.is_admin && c.is_member(&share.team) {
                return Err(Error::forbidden(
                    "members of the requesting team cannot decide on its request",
                )
                .into());
            }
        }
    }
    let case = load_case(ctx, share).await?;
    let write = f(&case, Utc::now())?;
    let stored = store(ctx).write_share(&meta(ctx)?, &write).await?;
    publish_committed(ctx, &write.tasks).await;
    Ok(ShareRequest(stored))
}

#[derive(InputObject, Default)]
pub struct ShareListFilter {
    pub status: Option<ShareRequestStatus>,
    pub dataset_id: Option<String>,
    /// Sent list: the dataset's owner team. Received list: the requesting team.
    pub team_name: Option<String>,
}

fn share_filter(f: Option<ShareListFilter>) -> ApiResult<ShareFilter> {
    let f = f.unwrap_or_default();
    Ok(ShareFilter {
        status: f.status.map(ShareStatus::from),
        dataset_id: f
            .dataset_id
            .as_deref()
            .map(|d| DatasetId::parse("filter.datasetId", d))
            .transpose()?,
        team: f
            .team_name
            .as_deref()
            .map(|t| TeamName::parse("filter.teamName", t))
            .transpose()?,
        ..ShareFilter::default()
    })
}

#[derive(Default)]
pub struct ShareQuery;

#[Object]
impl ShareQuery {
    /// A share request the caller's team sent or may decide on.
    async fn share_request(&self, ctx: &Context<'_>, id: String) -> ApiResult<ShareRequest> {
        authorize(ctx, "shareRequest", None).await?;
        Ok(ShareRequest(visible_share(ctx, "id", &id).await?))
    }

    /// Requests the caller's teams sent (as the consumer team), newest last.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn shares_sent(
        &self,
        ctx: &Context<'_>,
        filter: Option<ShareListFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ShareRequestConnection> {
        let c = authorize(ctx, "sharesSent", None).await?;
        let mut f = share_filter(filter)?;
        f.consumer_teams = Some(c.group_names());
        f.include_deleted = f.status == Some(ShareStatus::Deleted);
        list(ctx, "sharesSent", f, first, after).await
    }

    /// Requests on datasets the caller's teams own or steward (they may approve them).
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn shares_received(
        &self,
        ctx: &Context<'_>,
        filter: Option<ShareListFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<ShareRequestConnection> {
        let c = authorize(ctx, "sharesReceived", None).await?;
        let mut f = share_filter(filter)?;
        f.approver_teams = Some(c.group_names());
        f.include_deleted = f.status == Some(ShareStatus::Deleted);
        list(ctx, "sharesReceived", f, first, after).await
    }

    /// The access lakecat records and enforces itself for a dataset (the embedded default's
    /// lake adapter); empty where AWS holds the grants (see each item's consumption).
    async fn lake_grants(
        &self,
        ctx: &Context<'_>,
        dataset_id: String,
    ) -> ApiResult<Vec<LakeGrant>> {
        let id = DatasetId::parse("datasetId", &dataset_id)?;
        authorize(ctx, "lakeGrants", Some(id.as_str())).await?;
        let grants = store(ctx).lake_grants(&id).await?;
        Ok(grants.into_iter().map(LakeGrant::from).collect())
    }
}

#[derive(SimpleObject, Clone)]
pub struct LakeGrant {
    pub item_id: String,
    pub share_id: String,
    pub principal: String,
    pub item_type: ShareItemType,
    /// The table name, folder prefix, or empty for the bucket.
    pub resource: String,
    pub access: ShareAccessLevel,
    pub granted_at: DateTime<Utc>,
}

impl From<core::LakeGrant> for LakeGrant {
    fn from(g: core::LakeGrant) -> Self {
        let (item_type, resource) = match g.target {
            core::ItemTarget::Table { glue_table } => (ShareItemType::Table, glue_table),
            core::ItemTarget::Folder { prefix } => (ShareItemType::Folder, prefix),
            core::ItemTarget::Bucket => (ShareItemType::Bucket, String::new()),
        };
        LakeGrant {
            item_id: g.item_id.to_string(),
            share_id: g.share_id.to_string(),
            principal: g.principal,
            item_type,
            resource,
            access: g.access.into(),
            granted_at: g.granted_at,
        }
    }
}

async fn list(
    ctx: &Context<'_>,
    name: &str,
    f: ShareFilter,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<ShareRequestConnection> {
    let page = page_args(ctx, name, first, after)?;
    let rows = store(ctx).list_share_requests(&f, &page).await?;
    ShareRequestConnection::from_page(ctx, name, rows, CountQuery::Shares(f), ShareRequest)
}

#[derive(InputObject)]
pub struct CreateShareRequestInput {
    pub dataset_id: String,
    /// The consumer environment (where the consumer team works).
    pub environment_id: String,
    /// The consumer team; the caller must be a member.
    pub team_name: String,
    /// READ: Lake Formation DESCRIBE + SELECT, s3:GetObject. WRITE adds INSERT and DELETE,
    /// s3:PutObject and s3:DeleteObject.
    #[graphql(default_with = "ShareAccessLevel::Read")]
    pub access: ShareAccessLevel,
    pub purpose: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(InputObject)]
pub struct AddShareItemInput {
    pub share_id: String,
    pub item_type: ShareItemType,
    /// The table's or folder's id; omitted for the bucket.
    pub item_id: Option<String>,
}

#[derive(InputObject)]
pub struct RemoveShareItemInput {
    pub share_id: String,
    /// The share item's id.
    pub item_id: String,
}

#[derive(InputObject)]
pub struct ShareIdInput {
    pub share_id: String,
}

#[derive(InputObject)]
pub struct RejectShareInput {
    pub share_id: String,
    pub reason: String,
}

#[derive(InputObject)]
pub struct RevokeShareItemsInput {
    pub share_id: String,
    /// Share item ids; every revocable item when empty or omitted.
    pub item_ids: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct ExtendShareInput {
    pub share_id: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Default)]
pub struct ShareMutation;

#[Object]
impl ShareMutation {
    /// Opens a share request for a consumer team — or returns the team's open request for
    /// the same dataset and environment, so items collect in one request.
    async fn create_share_request(
        &self,
        ctx: &Context<'_>,
        input: CreateShareRequestInput,
    ) -> ApiResult<ShareRequest> {
        let dataset_id = DatasetId::parse("input.datasetId", &input.dataset_id)?;
        let env_id = EnvironmentId::parse("input.environmentId", &input.environment_id)?;
        let team = TeamName::parse("input.teamName", &input.team_name)?;
        let purpose = Description::parse("input.purpose", input.purpose.as_deref().unwrap_or(""))?;
        let c = authorize(ctx, "createShareRequest", Some(env_id.as_str())).await?;
        if !c.is_admin && !c.is_member(&team) {
            return Err(
                Error::bad_input("input.teamName", "you are not a member of this team")
                    .with_reason(lakecat_core::Reason::NotATeamMember)
                    .into(),
            );
        }
        let s = store(ctx);
        let held = s
            .resource_permissions(&[team.to_string()], &[env_id.to_string()])
            .await?;
        if !held
            .get(env_id.as_str())
            .is_some_and(|p| p.contains(&P::GetEnvironment))
        {
            return Err(Error::bad_input(
                "input.teamName",
                "the team is not a member of the consumer environment",
            )
            .with_reason(lakecat_core::Reason::TeamNotInEnvironment)
            .into());
        }
        // Requesting is not reading: a restricted dataset is never discovered, but a team
        // given its id may ask for access (its approvers decide; nothing of it is shown
        // until a share is granted).
        let dataset = s
            .datasets_by_ids(&[dataset_id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("dataset", dataset_id.as_str()))?;
        let environment = s
            .environments_by_ids(&[env_id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("environment", env_id.as_str()))?;
        let new = NewShareRequest {
            dataset,
            environment,
            team,
            access: input.access.into(),
            purpose,
            expires_at: input.expires_at,
        };
        let (share, grants, note) = new.build(&c.subject, Utc::now())?;
        let (stored, _created) = s
            .create_share_request(&meta(ctx)?, &share, &grants, &note)
            .await?;
        Ok(ShareRequest(stored))
    }

    /// Adds a table or folder of the request's dataset, or its whole bucket. The request
    /// goes back to Draft, to be submitted again.
    async fn add_share_item(
        &self,
        ctx: &Context<'_>,
        input: AddShareItemInput,
    ) -> ApiResult<ShareRequest> {
        let share = visible_share(ctx, "input.shareId", &input.share_id).await?;
        let item = match (input.item_type, input.item_id.as_deref()) {
            (ShareItemType::Bucket, None) => ItemToAdd {
                kind: ShareItemKind::Bucket,
                target_id: share.dataset_id.to_string(),
            },
            (ShareItemType::Bucket, Some(_)) => {
                return Err(Error::bad_input("input.itemId", "the bucket takes no item id").into());
            }
            (_, None) => {
                return Err(Error::bad_input("input.itemId", "name the table or folder").into());
            }
            (ShareItemType::Table, Some(raw)) => {
                let id = TableId::parse("input.itemId", raw)?;
                let t = store(ctx)
                    .tables_by_ids(&[id.to_string()])
                    .await?
                    .pop()
                    .ok_or_else(|| {
                        Error::bad_input("input.itemId", format!("no table {raw} exists"))
                    })?;
                if t.dataset_id != share.dataset_id {
                    return Err(Error::bad_input(
                        "input.itemId",
                        "the table belongs to another dataset than the request's",
                    )
                    .with_reason(lakecat_core::Reason::ShareItemNotInDataset)
                    .into());
                }
                ItemToAdd {
                    kind: ShareItemKind::Table,
                    target_id: id.to_string(),
                }
            }
            (ShareItemType::Folder, Some(raw)) => {
                let id = FolderId::parse("input.itemId", raw)?;
                let f = store(ctx)
                    .folders_by_ids(&[id.to_string()])
                    .await?
                    .pop()
                    .ok_or_else(|| {
                        Error::bad_input("input.itemId", format!("no folder {raw} exists"))
                    })?;
                if f.dataset_id != share.dataset_id {
                    return Err(Error::bad_input(
                        "input.itemId",
                        "the folder belongs to another dataset than the request's",
                    )
                    .with_reason(lakecat_core::Reason::ShareItemNotInDataset)
                    .into());
                }
                ItemToAdd {
                    kind: ShareItemKind::Folder,
                    target_id: id.to_string(),
                }
            }
        };
        decide(
            ctx,
            "addShareItem",
            share.id.as_str(),
            Side::Requester,
            |c, now| c.add_item(item, now),
        )
        .await
    }

    /// Removes an item that holds no access (pending, rejected, failed or revoked).
    async fn remove_share_item(
        &self,
        ctx: &Context<'_>,
        input: RemoveShareItemInput,
    ) -> ApiResult<ShareRequest> {
        let item = ShareItemId::parse("input.itemId", &input.item_id)?;
        decide(
            ctx,
            "removeShareItem",
            &input.share_id,
            Side::Requester,
            |c, now| c.remove_item(&item, now),
        )
        .await
    }

    /// Submits for approval (at least one pending item); auto-approved datasets approve at once.
    async fn submit_share_request(
        &self,
        ctx: &Context<'_>,
        input: ShareIdInput,
    ) -> ApiResult<ShareRequest> {
        decide(
            ctx,
            "submitShareRequest",
            &input.share_id,
            Side::Requester,
            |c, now| c.submit(now),
        )
        .await
    }

    /// Approves the pending items; a task grants them on the lake.
    async fn approve_share_request(
        &self,
        ctx: &Context<'_>,
        input: ShareIdInput,
    ) -> ApiResult<ShareRequest> {
        decide(
            ctx,
            "approveShareRequest",
            &input.share_id,
            Side::Approver,
            |c, now| c.approve(now),
        )
        .await
    }

    async fn reject_share_request(
        &self,
        ctx: &Context<'_>,
        input: RejectShareInput,
    ) -> ApiResult<ShareRequest> {
        decide(
            ctx,
            "rejectShareRequest",
            &input.share_id,
            Side::Approver,
            |c, now| c.reject(&input.reason, now),
        )
        .await
    }

    /// Revokes granted items (all when none are named): approvers take access back, and the
    /// requesting team may give its own access up.
    async fn revoke_share_items(
        &self,
        ctx: &Context<'_>,
        input: RevokeShareItemsInput,
    ) -> ApiResult<ShareRequest> {
        let mut ids = vec![];
        for (i, raw) in input.item_ids.iter().flatten().enumerate() {
            ids.push(ShareItemId::parse(&format!("input.itemIds[{i}]"), raw)?);
        }
        let share = visible_share(ctx, "input.shareId", &input.share_id).await?;
        // Members of the requesting team give their own access up; approvers take it back.
        let member = caller(ctx)?.is_member(&share.team);
        let side = if role_on(ctx, &share).await?.approver && !member {
            Side::Approver
        } else {
            Side::Requester
        };
        let field = match side {
            Side::Approver => "revokeShareItems",
            Side::Requester => "revokeOwnShareItems",
        };
        decide(ctx, field, &input.share_id, side, |c, now| {
            c.revoke(&ids, now)
        })
        .await
    }

    /// Deletes a request holding no access (revoke first).
    async fn delete_share_request(
        &self,
        ctx: &Context<'_>,
        input: ShareIdInput,
    ) -> ApiResult<ShareRequest> {
        decide(
            ctx,
            "deleteShareRequest",
            &input.share_id,
            Side::Requester,
            |c, now| c.delete(now),
        )
        .await
    }

    /// Asks to keep access until a later date.
    async fn request_share_extension(
        &self,
        ctx: &Context<'_>,
        input: ExtendShareInput,
    ) -> ApiResult<ShareRequest> {
        decide(
            ctx,
            "requestShareExtension",
            &input.share_id,
            Side::Requester,
            |c, now| c.request_extension(input.expires_at, now),
        )
        .await
    }

    async fn approve_share_extension(
        &self,
        ctx: &Context<'_>,
        input: ShareIdInput,
    ) -> ApiResult<ShareRequest> {
        decide(
            ctx,
            "approveShareExtension",
            &input.share_id,
            Side::Approver,
            |c, now| c.approve_extension(now),
        )
        .await
    }

    async fn reject_share_extension(
        &self,
        ctx: &Context<'_>,
        input: ShareIdInput,
    ) -> ApiResult<ShareRequest> {
        decide(
            ctx,
            "rejectShareExtension",
            &input.share_id,
            Side::Approver,
            |c, now| c.reject_extension(now),
        )
        .await
    }
}

/// Used by `tasks(targetId)` for share requests: requesters and approvers see its tasks.
pub(crate) async fn may_see_share(ctx: &Context<'_>, raw: &str) -> ApiResult<()> {
    visible_share(ctx, "targetId", raw).await.map(|_| ())
}
