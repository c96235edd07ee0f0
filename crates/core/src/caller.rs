//! Who is calling, and the metadata every mutation records.

use crate::names::TeamName;

/// A signed-in principal. Permissions belong to its groups (teams), never to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Stable subject (`sub`, or the local user name).
    pub subject: String,
    /// Display name (user name or email).
    pub username: String,
    pub email: Option<String>,
    pub groups: Vec<TeamName>,
    /// Member of the configured admin group.
    pub is_admin: bool,
}

impl Caller {
    pub fn is_member(&self, team: &TeamName) -> bool {
        self.groups.iter().any(|g| g == team)
    }
    pub fn group_names(&self) -> Vec<String> {
        self.groups.iter().map(|g| g.as_str().to_owned()).collect()
    }
}

/// Recorded with every mutation in its audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MutationMeta {
    /// The caller's subject.
    pub actor: String,
    /// The GraphQL operation field, e.g. `updateDataset`.
    pub action: String,
    pub request_id: String,
}
