//! Tenant permissions (feature gates per team) and resource permissions per (team, resource),
//! granted in bundles. Nothing is granted implicitly: a new team holds no tenant permission
//! unless configuration lists it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::ResourceKind;
use crate::text_enum::text_enum;

text_enum!(TenantPermission {
    ManageOrganizations => "MANAGE_ORGANIZATIONS",
    ManageEnvironments => "MANAGE_ENVIRONMENTS",
    ManageDatasets => "MANAGE_DATASETS",
    ManageShares => "MANAGE_SHARES",
    ManageGlossaries => "MANAGE_GLOSSARIES",
});

text_enum!(Permission {
    GetOrganization => "GET_ORGANIZATION",
    UpdateOrganization => "UPDATE_ORGANIZATION",
    ArchiveOrganization => "ARCHIVE_ORGANIZATION",
    InviteOrganizationTeam => "INVITE_ORGANIZATION_TEAM",
    RemoveOrganizationTeam => "REMOVE_ORGANIZATION_TEAM",
    LinkEnvironment => "LINK_ENVIRONMENT",
    AuditOrganization => "AUDIT_ORGANIZATION",

    GetEnvironment => "GET_ENVIRONMENT",
    UpdateEnvironment => "UPDATE_ENVIRONMENT",
    DeleteEnvironment => "DELETE_ENVIRONMENT",
    InviteEnvironmentTeam => "INVITE_ENVIRONMENT_TEAM",
    RemoveEnvironmentTeam => "REMOVE_ENVIRONMENT_TEAM",
    CreateDataset => "CREATE_DATASET",
    AuditEnvironment => "AUDIT_ENVIRONMENT",

    GetDataset => "GET_DATASET",
    UpdateDataset => "UPDATE_DATASET",
    DeleteDataset => "DELETE_DATASET",
    UpdateDatasetTable => "UPDATE_DATASET_TABLE",
    CreateDatasetFolder => "CREATE_DATASET_FOLDER",
    UpdateDatasetFolder => "UPDATE_DATASET_FOLDER",
    DeleteDatasetFolder => "DELETE_DATASET_FOLDER",
    AuditDataset => "AUDIT_DATASET",

    GetShare => "GET_SHARE",
    AddShareItem => "ADD_SHARE_ITEM",
    RemoveShareItem => "REMOVE_SHARE_ITEM",
    SubmitShare => "SUBMIT_SHARE",
    DeleteShare => "DELETE_SHARE",
    ApproveShare => "APPROVE_SHARE",
    RejectShare => "REJECT_SHARE",
    RevokeShareItem => "REVOKE_SHARE_ITEM",

    UpdateGlossary => "UPDATE_GLOSSARY",
    DeleteGlossary => "DELETE_GLOSSARY",
    ApproveTermLink => "APPROVE_TERM_LINK",
    AuditGlossary => "AUDIT_GLOSSARY",
});

impl Permission {
    /// The kind of resource this permission is held on.
    pub fn resource_kind(self) -> ResourceKind {
        use Permission::*;
        match self {
            GetOrganization
            | UpdateOrganization
            | ArchiveOrganization
            | InviteOrganizationTeam
            | RemoveOrganizationTeam
            | LinkEnvironment
            | AuditOrganization => ResourceKind::Organization,
            GetEnvironment
            | UpdateEnvironment
            | DeleteEnvironment
            | InviteEnvironmentTeam
            | RemoveEnvironmentTeam
            | CreateDataset
            | AuditEnvironment => ResourceKind::Environment,
            GetDataset | UpdateDataset | DeleteDataset | UpdateDatasetTable
            | CreateDatasetFolder | UpdateDatasetFolder | DeleteDatasetFolder | AuditDataset => {
                ResourceKind::Dataset
            }
            // Share permissions are held on datasets until share requests exist as resources.
            GetShare | AddShareItem | RemoveShareItem | SubmitShare | DeleteShare
            | ApproveShare | RejectShare | RevokeShareItem => ResourceKind::Dataset,
            UpdateGlossary | DeleteGlossary | ApproveTermLink | AuditGlossary => {
                ResourceKind::Glossary
            }
        }
    }

    /// Parses a list of permissions that must all apply to `kind`.
    pub fn parse_list_for(
        field: &str,
        raw: &[String],
        kind: ResourceKind,
    ) -> Result<Vec<Permission>> {
        let mut out = Vec::with_capacity(raw.len());
        for (i, r) in raw.iter().enumerate() {
            let f = format!("{field}[{i}]");
            let p = Permission::parse(&f, r)?;
            if p.resource_kind() != kind {
                return Err(Error::bad_input(
                    f,
                    format!("{} does not apply to a {}", p.as_str(), kind.as_str()),
                ));
            }
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Ok(out)
    }
}

/// Named groups of resource permissions, granted together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Bundle {
    OrganizationAll,
    OrganizationInvited,
    EnvironmentAll,
    EnvironmentInvited,
    DatasetAll,
    DatasetRead,
    ShareRequester,
    ShareApprover,
    GlossaryAll,
}

impl Bundle {
    pub fn as_str(self) -> &'static str {
        match self {
            Bundle::OrganizationAll => "ORGANIZATION_ALL",
            Bundle::OrganizationInvited => "ORGANIZATION_INVITED",
            Bundle::EnvironmentAll => "ENVIRONMENT_ALL",
            Bundle::EnvironmentInvited => "ENVIRONMENT_INVITED",
            Bundle::DatasetAll => "DATASET_ALL",
            Bundle::DatasetRead => "DATASET_READ",
            Bundle::ShareRequester => "SHARE_REQUESTER",
            Bundle::ShareApprover => "SHARE_APPROVER",
            Bundle::GlossaryAll => "GLOSSARY_ALL",
        }
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Bundle::OrganizationAll => &[
                GetOrganization,
                UpdateOrganization,
                ArchiveOrganization,
                InviteOrganizationTeam,
                RemoveOrganizationTeam,
                LinkEnvironment,
                AuditOrganization,
            ],
            Bundle::OrganizationInvited => &[GetOrganization],
            Bundle::EnvironmentAll => &[
                GetEnvironment,
                UpdateEnvironment,
                DeleteEnvironment,
                InviteEnvironmentTeam,
                RemoveEnvironmentTeam,
                CreateDataset,
                AuditEnvironment,
            ],
            Bundle::EnvironmentInvited => &[GetEnvironment],
            Bundle::DatasetAll => &[
                GetDataset,
                UpdateDataset,
                DeleteDataset,
                UpdateDatasetTable,
                CreateDatasetFolder,
                UpdateDatasetFolder,
                DeleteDatasetFolder,
                AuditDataset,
            ],
            Bundle::DatasetRead => &[GetDataset],
            Bundle::ShareRequester => &[
                GetShare,
                AddShareItem,
                RemoveShareItem,
                SubmitShare,
                DeleteShare,
            ],
            Bundle::ShareApprover => &[GetShare, ApproveShare, RejectShare, RevokeShareItem],
            Bundle::GlossaryAll => &[
                UpdateGlossary,
                DeleteGlossary,
                ApproveTermLink,
                AuditGlossary,
            ],
        }
    }
}

/// One resource permission to write: `team` holds `permission` on `resource_id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grant {
    pub team: crate::names::TeamName,
    pub resource_id: String,
    pub permission: Permission,
}

impl Grant {
    pub fn bundle(team: &crate::names::TeamName, resource_id: &str, bundle: Bundle) -> Vec<Grant> {
        Grant::each(team, resource_id, bundle.permissions())
    }
    pub fn each(
        team: &crate::names::TeamName,
        resource_id: &str,
        perms: &[Permission],
    ) -> Vec<Grant> {
        perms
            .iter()
            .map(|p| Grant {
                team: team.clone(),
                resource_id: resource_id.to_owned(),
                permission: *p,
            })
            .collect()
    }
}

/// The caller's role on a resource, as shown in the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserRole {
    /// Member of the configured tenant admin group.
    Admin,
    /// Holds the resource's full bundle (owner or admin team).
    Owner,
    /// Holds some permissions (invited team, stewards).
    Member,
    NoPermission,
}

impl UserRole {
    /// Derives the role from the permissions the caller's teams hold on one resource.
    pub fn from_permissions(is_admin: bool, full: Bundle, held: &[Permission]) -> UserRole {
        if is_admin {
            UserRole::Admin
        } else if full.permissions().iter().all(|p| held.contains(p)) {
            UserRole::Owner
        } else if held.is_empty() {
            UserRole::NoPermission
        } else {
            UserRole::Member
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundle_permission_applies_to_one_kind() {
        for b in [
            Bundle::OrganizationAll,
            Bundle::EnvironmentAll,
            Bundle::DatasetAll,
            Bundle::GlossaryAll,
        ] {
            let kinds: std::collections::HashSet<_> =
                b.permissions().iter().map(|p| p.resource_kind()).collect();
            assert_eq!(kinds.len(), 1, "{}", b.as_str());
        }
    }

    #[test]
    fn permissions_parse_by_name_and_kind() {
        assert_eq!(
            Permission::parse("p", "UPDATE_DATASET"),
            Ok(Permission::UpdateDataset)
        );
        assert!(Permission::parse("p", "update_dataset").is_err());
        let err = Permission::parse_list_for(
            "perms",
            &["UPDATE_DATASET".into()],
            ResourceKind::Organization,
        );
        assert_eq!(err.err().and_then(|e| e.field), Some("perms[0]".into()));
    }

    #[test]
    fn roles() {
        let all = Bundle::DatasetAll.permissions();
        assert_eq!(
            UserRole::from_permissions(false, Bundle::DatasetAll, all),
            UserRole::Owner
        );
        assert_eq!(
            UserRole::from_permissions(false, Bundle::DatasetAll, &[Permission::GetDataset]),
            UserRole::Member
        );
        assert_eq!(
            UserRole::from_permissions(false, Bundle::DatasetAll, &[]),
            UserRole::NoPermission
        );
        assert_eq!(
            UserRole::from_permissions(true, Bundle::DatasetAll, &[]),
            UserRole::Admin
        );
    }
}
