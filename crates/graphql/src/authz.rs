//! The one place where every API field declares who may call it. No field is public: the
//! API serves signed-in callers only (health and login live outside GraphQL). Resolvers call
//! [`authorize`] with their field's name and the resource it acts on; a field missing here
//! is an INTERNAL error, and `tests/permissions.rs` fails if any root field is missing.

use async_graphql::Context;
use lakecat_core::Error;
use lakecat_core::caller::Caller;
use lakecat_core::permissions::{Permission, TenantPermission};

use crate::context::{caller, request, services};
use crate::errors::ApiResult;

/// Who may call a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    /// Any signed-in user; the reason says why no permission is needed.
    SignedIn(&'static str),
    /// Any signed-in user, for what is in datasets they may see ([`crate::visibility`]):
    /// anything else is NOT_FOUND on a direct read and absent from lists and counts. The
    /// reason says how the field applies it.
    Visible(&'static str),
    /// Members of the configured admin group.
    Admin,
    /// A tenant permission held by one of the caller's teams.
    Tenant(TenantPermission),
    /// A resource permission on the resource the field acts on (named in the text).
    Resource(Permission, &'static str),
    /// Both a tenant permission and a resource permission.
    TenantAndResource(TenantPermission, Permission, &'static str),
}

use Permission as P;
use Requirement::*;
use TenantPermission as T;

const CATALOG: &str = "catalog entries of the datasets the caller may see (the dataset's visibility and the caller's grants, as in search); NOT_FOUND otherwise";
const OWN: &str = "acts only on the caller's own data";

/// The declared requirement of a root field (`fieldName`) or nested field (`Type.field`).
pub fn requirement(field: &str) -> Option<Requirement> {
    Some(match field {
        // --- queries ---
        "me" => SignedIn(OWN),
        "teams" => SignedIn("team names are identity-provider group names, shown when inviting"),
        "teamTenantPermissions" => Admin,
        "users" => Admin,
        "organizations" => {
            SignedIn("the list is trimmed to organizations the caller's teams belong to")
        }
        "organization" => Resource(P::GetOrganization, "id"),
        "environments" => {
            SignedIn("the list is trimmed to environments the caller's teams belong to")
        }
        "environment" => Resource(P::GetEnvironment, "id"),
        "dataset" | "datasets" | "table" | "tables" | "column" | "columns" | "folder"
        | "folders" => Visible(CATALOG),
        "glossaries" | "glossaryNode" => {
            SignedIn("glossaries are shared vocabulary, readable by every signed-in user")
        }
        "upvotes" => Visible(CATALOG),
        "previewTable" => Visible(
            "a table the caller may see; then its dataset's owners, admins, and teams holding a granted share of it (a SECRET dataset's: owners only)",
        ),
        "feed" => Visible("comments on an entry are read by those who may see the entry"),
        "notifications" | "unreadNotificationCount" => SignedIn(OWN),
        "tasks" => Resource(
            P::GetDataset,
            "targetId: GET_* of the target's kind (of its dataset for tables, columns and folders), UPDATE_GLOSSARY for glossary nodes; admins for other kinds",
        ),
        "search" | "suggest" => SignedIn(
            "every query is filtered to the entries the caller may see, facet counts included",
        ),
        "shareRequest" => SignedIn(
            "resolves only for the requesting team (GET_SHARE on the request) and approvers (APPROVE_SHARE on its dataset); NOT_FOUND for others",
        ),
        "sharesSent" => SignedIn("trimmed to requests whose consumer team is one of the caller's"),
        "sharesReceived" => {
            SignedIn("trimmed to datasets where the caller's teams hold APPROVE_SHARE")
        }
        "lakeGrants" => Resource(
            P::ApproveShare,
            "datasetId: the dataset's owners and stewards",
        ),
        "stack" => Resource(
            P::GetDataset,
            "targetId: GET_DATASET of a dataset (NOT_FOUND when it is not visible), GET_ENVIRONMENT of an environment",
        ),
        "environmentBootstrapTemplate" => Resource(
            P::UpdateEnvironment,
            "environmentId: the environment's owners (the template carries the external id)",
        ),
        "auditEvents" => Resource(
            P::AuditDataset,
            "targetId: AUDIT_* of the target's kind (of its dataset or glossary for what is in one); admins for other kinds",
        ),
        // --- nested fields that reveal more than the catalog entry ---
        "Organization.teams" => Resource(P::GetOrganization, "the organization"),
        "Environment.teams" => Resource(P::GetEnvironment, "the environment"),
        "Dataset.teams" => Resource(P::GetDataset, "the dataset"),
        "Dataset.stack" => Resource(P::GetDataset, "the dataset"),
        "Dataset.tableSync" => Resource(P::GetDataset, "the dataset"),
        "Dataset.importCheck" => Resource(P::GetDataset, "the dataset"),
        "Dataset.tableCrawl" => Resource(P::GetDataset, "the dataset"),
        "Environment.stack" => Resource(P::GetEnvironment, "the environment"),
        "Environment.accessCheck" => Resource(P::GetEnvironment, "the environment"),
        // Links from a catalog entry to its organization and environment resolve to null for
        // callers whose teams may not see those (account ids, role ARNs, member teams).
        "Dataset.organization" | "Environment.organization" => Resource(
            P::GetOrganization,
            "the linked organization; null when not held",
        ),
        "Dataset.environment" => Resource(
            P::GetEnvironment,
            "the linked environment; null when not held",
        ),
        // Account id, bucket, KMS alias and admin role ARN: as protected as the environment.
        "Dataset.aws" => Resource(
            P::GetDataset,
            "the dataset's owners, stewards and invited teams; null for others",
        ),
        // --- nested fields that lead into a dataset from outside it ---
        "ShareRequest.dataset" => {
            Visible("null when the caller may no longer see the dataset (its visibility changed)")
        }
        "GlossaryNode.links" => {
            Visible("links to entries the caller may not see are left out, and not counted")
        }
        // --- mutations ---
        "setTeamTenantPermissions" => Admin,
        "createUser" | "resetUserPassword" | "setUserTeams" | "removeUser" => Admin,
        "retryTask" => Admin,
        "updateStack" => Resource(
            P::UpdateDataset,
            "input.targetId: UPDATE_DATASET of a dataset, UPDATE_ENVIRONMENT of an environment (owners)",
        ),
        "syncTables" => Resource(P::UpdateDataset, "input.datasetId: the dataset's owners"),
        "profileTable" => Resource(P::UpdateDataset, "input.tableId: its dataset's owners"),
        "verifyDataset" => Resource(P::UpdateDataset, "input.datasetId: the dataset's owners"),
        "startCrawler" => Resource(P::UpdateDataset, "input.datasetId: the dataset's owners"),
        "checkEnvironmentAccess" => Resource(
            P::UpdateEnvironment,
            "input.environmentId: the environment's owners",
        ),
        "createOrganization" => Tenant(T::ManageOrganizations),
        "updateOrganization" => Resource(P::UpdateOrganization, "input.id"),
        "archiveOrganization" => Resource(P::ArchiveOrganization, "input.id"),
        "inviteTeamToOrganization" => Resource(P::InviteOrganizationTeam, "input.organizationId"),
        "removeTeamFromOrganization" => Resource(P::RemoveOrganizationTeam, "input.organizationId"),
        "createEnvironment" => TenantAndResource(
            T::ManageEnvironments,
            P::LinkEnvironment,
            "input.organizationId",
        ),
        "updateEnvironment" => {
            TenantAndResource(T::ManageEnvironments, P::UpdateEnvironment, "input.id")
        }
        "deleteEnvironment" => {
            TenantAndResource(T::ManageEnvironments, P::DeleteEnvironment, "input.id")
        }
        "inviteTeamToEnvironment" => Resource(P::InviteEnvironmentTeam, "input.environmentId"),
        "removeTeamFromEnvironment" => Resource(P::RemoveEnvironmentTeam, "input.environmentId"),
        "createDataset" => {
            TenantAndResource(T::ManageDatasets, P::CreateDataset, "input.environmentId")
        }
        "updateDataset" => TenantAndResource(T::ManageDatasets, P::UpdateDataset, "input.id"),
        "deleteDataset" => TenantAndResource(T::ManageDatasets, P::DeleteDataset, "input.id"),
        "updateTable" => Resource(P::UpdateDatasetTable, "the table's dataset"),
        "updateColumn" => Resource(P::UpdateDatasetTable, "the column's dataset"),
        "createFolder" => {
            TenantAndResource(T::ManageDatasets, P::CreateDatasetFolder, "input.datasetId")
        }
        "updateFolder" => Resource(P::UpdateDatasetFolder, "the folder's dataset"),
        "deleteFolder" => Resource(P::DeleteDatasetFolder, "the folder's dataset"),
        "createGlossary" => Tenant(T::ManageGlossaries),
        "updateGlossaryNode" => Resource(P::UpdateGlossary, "the node's glossary"),
        "deleteGlossaryNode" => Resource(P::DeleteGlossary, "the node's glossary"),
        "createCategory" | "createTerm" => Resource(P::UpdateGlossary, "the parent's glossary"),
        "linkTerm" | "unlinkTerm" => Resource(P::UpdateDataset, "the target's dataset"),
        "approveTermLink" | "dismissTermLink" => {
            Resource(P::ApproveTermLink, "the term's glossary")
        }
        "createShareRequest" => Resource(
            P::GetEnvironment,
            "input.environmentId; the caller must be a member of input.teamName, which must hold it too",
        ),
        "addShareItem" => Resource(P::AddShareItem, "input.shareId (requesting team)"),
        "removeShareItem" => Resource(P::RemoveShareItem, "input.shareId (requesting team)"),
        "submitShareRequest" => Resource(P::SubmitShare, "input.shareId (requesting team)"),
        "deleteShareRequest" => Resource(P::DeleteShare, "input.shareId (requesting team)"),
        "requestShareExtension" => Resource(P::SubmitShare, "input.shareId (requesting team)"),
        "revokeOwnShareItems" => Resource(
            P::RemoveShareItem,
            "input.shareId: the requesting team gives its own access up",
        ),
        "approveShareRequest" | "approveShareExtension" => Resource(
            P::ApproveShare,
            "the request's dataset (owners, stewards); never the requesting team",
        ),
        "rejectShareRequest" | "rejectShareExtension" => Resource(
            P::RejectShare,
            "the request's dataset (owners, stewards); never the requesting team",
        ),
        "revokeShareItems" => Resource(
            P::RevokeShareItem,
            "the request's dataset (owners, stewards); requesters use revokeOwnShareItems' rule",
        ),
        "upvote" => Visible("an upvote is the caller's own, on an entry they may see"),
        "postFeedMessage" => Visible("any signed-in user may comment on what they may see"),
        "markNotificationRead" | "markAllNotificationsRead" => SignedIn(OWN),
        _ => return None,
    })
}

/// Checks the caller against `field`'s declared requirement, on `resource` for resource
/// permissions (and `permission_override` when the permission depends on the target's kind).
pub async fn authorize_with<'a>(
    ctx: &Context<'a>,
    field: &str,
    resource: Option<&str>,
    permission_override: Option<Permission>,
) -> ApiResult<&'a Caller> {
    let req = requirement(field)
        .ok_or_else(|| Error::internal(format!("field {field} declares no permission")))?;
    let who = caller(ctx)?;
    if who.is_admin {
        return Ok(who);
    }
    let rc = request(ctx)?;
    let (tenant, resource_perm) = match req {
        SignedIn(_) | Visible(_) => (None, None),
        Admin => {
            return Err(Error::forbidden(format!("{field} is reserved to the admin group")).into());
        }
        Tenant(t) => (Some(t), None),
        Resource(p, _) => (None, Some(permission_override.unwrap_or(p))),
        TenantAndResource(t, p, _) => (Some(t), Some(permission_override.unwrap_or(p))),
    };
    if let Some(t) = tenant
        && !rc.tenant_permissions(services(ctx)).await?.contains(&t)
    {
        return Err(Error::forbidden(format!(
            "none of your teams holds the {} tenant permission",
            t.as_str()
        ))
        .into());
    }
    if let Some(p) = resource_perm {
        let id = resource
            .ok_or_else(|| Error::internal(format!("{field} checked without a resource")))?;
        if !rc.loaders.permissions_on(id).await?.contains(&p) {
            return Err(Error::forbidden(format!(
                "none of your teams holds {} on {id}",
                p.as_str()
            ))
            .into());
        }
    }
    Ok(who)
}

/// For what only the admin group may do where no team owns the resource (`what` names it,
/// e.g. "the tasks of a notification"): the refusal says so, not another field's name.
pub fn require_admin<'a>(ctx: &Context<'a>, what: &str) -> ApiResult<&'a Caller> {
    let who = caller(ctx)?;
    if who.is_admin {
        return Ok(who);
    }
    Err(Error::forbidden(format!("{what} are reserved to the admin group")).into())
}

/// A resource kind as words for messages: `GLOSSARY_TERM` → "glossary term".
pub fn kind_words(kind: lakecat_core::ids::ResourceKind) -> String {
    kind.as_str().to_ascii_lowercase().replace('_', " ")
}

pub async fn authorize<'a>(
    ctx: &Context<'a>,
    field: &str,
    resource: Option<&str>,
) -> ApiResult<&'a Caller> {
    authorize_with(ctx, field, resource, None).await
}

/// For a nested field that links to another resource: whether the caller may follow the
/// link. A refusal is not an error here: the field resolves to null, and the rest of the
/// parent object is still served.
pub async fn may_follow(ctx: &Context<'_>, field: &str, resource: &str) -> ApiResult<bool> {
    match authorize(ctx, field, Some(resource)).await {
        Ok(_) => Ok(true),
        Err(e) if e.0.code == lakecat_core::ErrorCode::Forbidden => Ok(false),
        Err(e) => Err(e),
    }
}
