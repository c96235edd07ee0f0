//! The local user directory of the embedded default (`users.json` in the data directory).
//! None in the AWS modes: there the identity provider holds users.

use crate::caller::MutationMeta;
use crate::error::Result;
use crate::names::TeamName;
use crate::users::{NewUser, Password, UserSummary, Username};
use async_trait::async_trait;

/// Errors: NOT_FOUND for an unknown user, CONFLICT for an existing name on create. Changing
/// a user's password or teams, or removing it, ends the sessions of the tokens issued to it
/// before (a token carries the teams it was issued with). Each change records `meta`'s
/// actor and action, never a password.
#[async_trait]
pub trait UserDirectory: Send + Sync {
    /// Every user, by name.
    async fn list_users(&self) -> Result<Vec<UserSummary>>;

    async fn create_user(&self, meta: &MutationMeta, user: NewUser) -> Result<UserSummary>;

    async fn set_password(
        &self,
        meta: &MutationMeta,
        username: &Username,
        password: Password,
    ) -> Result<()>;

    /// Replaces the user's teams with `teams`.
    async fn set_teams(
        &self,
        meta: &MutationMeta,
        username: &Username,
        teams: &[TeamName],
    ) -> Result<UserSummary>;

    async fn remove_user(&self, meta: &MutationMeta, username: &Username) -> Result<()>;
}
