//! [`UserDirectory`] over local mode's `users.json`: what the admin mutations and `lakecat
//! users` call. Password hashing (argon2, about 19 MiB and tens of milliseconds of CPU) runs
//! on the blocking pool under the sign-in throttle's permits, so admin changes and sign-ins
//! together never hash more at once than the server allows.
//!
//! Users are not catalog resources, so a change is audited as a structured log line (actor,
//! action, request id, user, teams), never with a password or hash.

use std::sync::Arc;

use async_trait::async_trait;
use lakecat_core::caller::MutationMeta;
use lakecat_core::names::TeamName;
use lakecat_core::ports::UserDirectory;
use lakecat_core::users::{NewUser, Password, UserSummary, Username};
use lakecat_core::{Error, Result};

use crate::local_users::LocalUsers;
use crate::throttle::LoginThrottle;

pub struct LocalUserDirectory {
    users: Arc<LocalUsers>,
    hashing: Arc<LoginThrottle>,
}

impl LocalUserDirectory {
    pub fn new(users: Arc<LocalUsers>, hashing: Arc<LoginThrottle>) -> LocalUserDirectory {
        LocalUserDirectory { users, hashing }
    }

    /// Runs `work` (which hashes) on the blocking pool under a hashing permit.
    async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce(&LocalUsers) -> std::result::Result<T, String> + Send + 'static,
    ) -> Result<T> {
        let users = self.users.clone();
        self.hashing
            .check(move || work(&users))
            .await
            .map_err(|retry| {
                Error::unavailable(format!("password hashing is busy; retry in {} s", retry.0))
            })?
            .map_err(Error::internal)
    }

    /// Runs `work` (file reads and writes) on the blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&LocalUsers) -> std::result::Result<T, String> + Send + 'static,
    ) -> Result<T> {
        let users = self.users.clone();
        tokio::task::spawn_blocking(move || work(&users))
            .await
            .map_err(|e| Error::internal(format!("users.json task failed: {e}")))?
            .map_err(Error::internal)
    }
}

fn names(teams: &[TeamName]) -> Vec<String> {
    teams.iter().map(|t| t.as_str().to_owned()).collect()
}

fn unknown(username: &Username) -> Error {
    Error::not_found("user", username)
}

fn audit(meta: &MutationMeta, username: &Username, teams: Option<&[String]>) {
    tracing::info!(
        audit.actor = %meta.actor,
        audit.action = %meta.action,
        request_id = %meta.request_id,
        user = %username,
        teams = ?teams,
        "local user changed"
    );
}

#[async_trait]
impl UserDirectory for LocalUserDirectory {
    async fn list_users(&self) -> Result<Vec<UserSummary>> {
        self.blocking(LocalUsers::list).await
    }

    async fn create_user(&self, meta: &MutationMeta, user: NewUser) -> Result<UserSummary> {
        let summary = UserSummary {
            username: user.username.to_string(),
            email: user.email.as_ref().map(|e| e.as_str().to_owned()),
            teams: names(&user.teams),
        };
        let created = {
            let s = summary.clone();
            let password = user.password;
            self.hashing(move |users| {
                users.create(&s.username, password.expose(), s.email.as_deref(), &s.teams)
            })
            .await?
        };
        if !created {
            return Err(
                Error::conflict(format!("a user named {} exists", user.username))
                    .with_reason(lakecat_core::Reason::UserAlreadyExists),
            );
        }
        audit(meta, &user.username, Some(&summary.teams));
        Ok(summary)
    }

    async fn set_password(
        &self,
        meta: &MutationMeta,
        username: &Username,
        password: Password,
    ) -> Result<()> {
        let name = username.to_string();
        let found = self
            .hashing(move |users| users.set_password(&name, password.expose()))
            .await?;
        if !found {
            return Err(unknown(username));
        }
        audit(meta, username, None);
        Ok(())
    }

    async fn set_teams(
        &self,
        meta: &MutationMeta,
        username: &Username,
        teams: &[TeamName],
    ) -> Result<UserSummary> {
        let (name, teams) = (username.to_string(), names(teams));
        let summary = self
            .blocking(move |users| users.set_teams(&name, &teams))
            .await?
            .ok_or_else(|| unknown(username))?;
        audit(meta, username, Some(&summary.teams));
        Ok(summary)
    }

    async fn remove_user(&self, meta: &MutationMeta, username: &Username) -> Result<()> {
        let name = username.to_string();
        if !self.blocking(move |users| users.remove(&name)).await? {
            return Err(unknown(username));
        }
        audit(meta, username, None);
        Ok(())
    }
}
