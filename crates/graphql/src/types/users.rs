//! Local users of the embedded default (admin only): list, create, reset a password, set
//! teams, remove. In the AWS modes users live in the identity provider, and these fields
//! answer UNAVAILABLE saying so.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use lakecat_core::names::Email;
use lakecat_core::ports::UserDirectory;
use lakecat_core::users::{NewUser, Password, UserSummary, Username, parse_teams};

use crate::authz::authorize;
use crate::context::{meta, services};
use crate::errors::{ApiError, ApiResult};

/// A local user: never its password or hash.
#[derive(SimpleObject, Clone)]
pub struct LocalUser {
    pub username: String,
    pub email: Option<String>,
    /// The user's teams, as its next token will carry them.
    pub teams: Vec<String>,
}

impl From<UserSummary> for LocalUser {
    fn from(u: UserSummary) -> Self {
        LocalUser {
            username: u.username,
            email: u.email,
            teams: u.teams,
        }
    }
}

/// The directory, or UNAVAILABLE where an identity provider holds users.
fn directory<'a>(ctx: &Context<'a>) -> ApiResult<&'a dyn UserDirectory> {
    services(ctx).users.as_deref().ok_or_else(|| {
        ApiError::not_offered(
            "users are managed in the identity provider (Cognito or OIDC) on this deployment",
        )
    })
}

#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// Local users with their teams (admin only; local mode).
    async fn users(&self, ctx: &Context<'_>) -> ApiResult<Vec<LocalUser>> {
        authorize(ctx, "users", None).await?;
        let users = directory(ctx)?.list_users().await?;
        Ok(users.into_iter().map(LocalUser::from).collect())
    }
}

#[derive(InputObject)]
pub struct CreateUserInput {
    /// 1–64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.
    pub username: String,
    /// At least 12 characters.
    pub password: String,
    pub teams: Vec<String>,
    pub email: Option<String>,
}

#[derive(InputObject)]
pub struct ResetUserPasswordInput {
    pub username: String,
    /// At least 12 characters.
    pub password: String,
}

#[derive(InputObject)]
pub struct SetUserTeamsInput {
    pub username: String,
    /// The complete new set; an empty list leaves the user in no team.
    pub teams: Vec<String>,
}

#[derive(InputObject)]
pub struct RemoveUserInput {
    pub username: String,
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Adds a local user (admin only; local mode).
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> ApiResult<LocalUser> {
        authorize(ctx, "createUser", None).await?;
        let users = directory(ctx)?;
        let user = NewUser {
            username: Username::parse("input.username", &input.username)?,
            password: Password::parse("input.password", &input.password)?,
            email: input
                .email
                .as_deref()
                .map(|e| Email::parse("input.email", e))
                .transpose()?,
            teams: parse_teams("input.teams", &input.teams)?,
        };
        Ok(users.create_user(&meta(ctx)?, user).await?.into())
    }

    /// Sets a local user's password; the user's tokens stop working (admin only).
    async fn reset_user_password(
        &self,
        ctx: &Context<'_>,
        input: ResetUserPasswordInput,
    ) -> ApiResult<bool> {
        authorize(ctx, "resetUserPassword", None).await?;
        let users = directory(ctx)?;
        let username = Username::parse("input.username", &input.username)?;
        let password = Password::parse("input.password", &input.password)?;
        users.set_password(&meta(ctx)?, &username, password).await?;
        Ok(true)
    }

    /// Replaces a local user's teams; the user's tokens stop working, as they carry the old
    /// teams (admin only).
    async fn set_user_teams(
        &self,
        ctx: &Context<'_>,
        input: SetUserTeamsInput,
    ) -> ApiResult<LocalUser> {
        authorize(ctx, "setUserTeams", None).await?;
        let users = directory(ctx)?;
        let username = Username::parse("input.username", &input.username)?;
        let teams = parse_teams("input.teams", &input.teams)?;
        Ok(users
            .set_teams(&meta(ctx)?, &username, &teams)
            .await?
            .into())
    }

    /// Removes a local user; its tokens stop working (admin only).
    async fn remove_user(&self, ctx: &Context<'_>, input: RemoveUserInput) -> ApiResult<bool> {
        authorize(ctx, "removeUser", None).await?;
        let users = directory(ctx)?;
        let username = Username::parse("input.username", &input.username)?;
        users.remove_user(&meta(ctx)?, &username).await?;
        Ok(true)
    }
}
