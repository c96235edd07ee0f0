//! The admin user mutations over a user directory: only admins, input parsed with the
//! field named, NOT_FOUND and CONFLICT from the directory, UNAVAILABLE without one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use common::{Fixture, admin, caller};
use lakecat_core::caller::MutationMeta;
use lakecat_core::names::TeamName;
use lakecat_core::ports::UserDirectory;
use lakecat_core::users::{NewUser, Password, UserSummary, Username};
use lakecat_core::{Error, Result};
use lakecat_testkit::Backend;

/// A directory in memory, with what each change was called with (local mode's
/// `users.json` adapter is tested in the server crate).
#[derive(Default)]
struct Directory {
    users: Mutex<BTreeMap<String, (UserSummary, String)>>,
    actions: Mutex<Vec<(String, String)>>,
}

impl Directory {
    fn state(&self) -> BTreeMap<String, (UserSummary, String)> {
        self.users.lock().unwrap().clone()
    }
    fn record(&self, meta: &MutationMeta) {
        self.actions
            .lock()
            .unwrap()
            .push((meta.actor.clone(), meta.action.clone()));
    }
}

#[async_trait]
impl UserDirectory for Directory {
    async fn list_users(&self) -> Result<Vec<UserSummary>> {
        Ok(self.state().into_values().map(|(u, _)| u).collect())
    }
    async fn create_user(&self, meta: &MutationMeta, user: NewUser) -> Result<UserSummary> {
        let mut users = self.users.lock().unwrap();
        if users.contains_key(user.username.as_str()) {
            return Err(Error::conflict("exists"));
        }
        let summary = UserSummary {
            username: user.username.to_string(),
            email: user.email.map(|e| e.to_string()),
            teams: user.teams.iter().map(|t| t.to_string()).collect(),
        };
        users.insert(
            summary.username.clone(),
            (summary.clone(), user.password.expose().to_owned()),
        );
        self.record(meta);
        Ok(summary)
    }
    async fn set_password(
        &self,
        meta: &MutationMeta,
        username: &Username,
        password: Password,
    ) -> Result<()> {
        let mut users = self.users.lock().unwrap();
        let user = users
            .get_mut(username.as_str())
            .ok_or_else(|| Error::not_found("user", username))?;
        user.1 = password.expose().to_owned();
        self.record(meta);
        Ok(())
    }
    async fn set_teams(
        &self,
        meta: &MutationMeta,
        username: &Username,
        teams: &[TeamName],
    ) -> Result<UserSummary> {
        let mut users = self.users.lock().unwrap();
        let user = users
            .get_mut(username.as_str())
            .ok_or_else(|| Error::not_found("user", username))?;
        user.0.teams = teams.iter().map(|t| t.to_string()).collect();
        self.record(meta);
        Ok(user.0.clone())
    }
    async fn remove_user(&self, meta: &MutationMeta, username: &Username) -> Result<()> {
        let mut users = self.users.lock().unwrap();
        users
            .remove(username.as_str())
            .ok_or_else(|| Error::not_found("user", username))?;
        self.record(meta);
        Ok(())
    }
}

fn field(r: &async_graphql::Response) -> Vec<String> {
    r.errors
        .iter()
        .filter_map(|e| e.extensions.as_ref()?.get("field"))
        .map(|v| v.to_string().trim_matches('"').to_owned())
        .collect()
}

const CREATE_ANA: &str = r#"mutation { createUser(input: {username: "ana", password: "a long password", teams: ["analysts", "analysts", "finance"], email: "ana@example.com"}) { username teams email } }"#;

#[tokio::test]
async fn admins_manage_local_users() {
    let dir = Arc::new(Directory::default());
    let f = Fixture::with_users(Backend::Sqlite, dir.clone()).await;
    let a = Some(admin());

    let created = f.ok(a.clone(), CREATE_ANA).await;
    assert_eq!(
        created["createUser"],
        serde_json::json!({ "username": "ana", "teams": ["analysts", "finance"], "email": "ana@example.com" })
    );
    let r = f.run(a.clone(), CREATE_ANA).await;
    assert_eq!(Fixture::codes(&r), vec!["CONFLICT"], "{:?}", r.errors);

    let listed = f.ok(a.clone(), "{ users { username teams email } }").await;
    assert_eq!(listed["users"][0]["username"], "ana");
    assert_eq!(listed["users"].as_array().unwrap().len(), 1);

    f.ok(
        a.clone(),
        r#"mutation { resetUserPassword(input: {username: "ana", password: "another long one"}) }"#,
    )
    .await;
    assert_eq!(dir.state()["ana"].1, "another long one");
    let teams = f
        .ok(
            a.clone(),
            r#"mutation { setUserTeams(input: {username: "ana", teams: ["platform"]}) { teams } }"#,
        )
        .await;
    assert_eq!(
        teams["setUserTeams"]["teams"],
        serde_json::json!(["platform"])
    );
    f.ok(
        a.clone(),
        r#"mutation { removeUser(input: {username: "ana"}) }"#,
    )
    .await;
    assert!(dir.state().is_empty());
    // Each change reached the directory with the caller and the mutation's name.
    let actions: Vec<String> = dir
        .actions
        .lock()
        .unwrap()
        .iter()
        .map(|(actor, action)| format!("{actor} {action}"))
        .collect();
    assert_eq!(
        actions,
        [
            "local:root createUser",
            "local:root resetUserPassword",
            "local:root setUserTeams",
            "local:root removeUser"
        ]
    );

    // Unknown users.
    for doc in [
        r#"mutation { resetUserPassword(input: {username: "ghost", password: "a long password"}) }"#,
        r#"mutation { setUserTeams(input: {username: "ghost", teams: []}) { teams } }"#,
        r#"mutation { removeUser(input: {username: "ghost"}) }"#,
    ] {
        let r = f.run(a.clone(), doc).await;
        assert_eq!(
            Fixture::codes(&r),
            vec!["NOT_FOUND"],
            "{doc}: {:?}",
            r.errors
        );
    }
}

#[tokio::test]
async fn bad_input_names_its_field_and_changes_nothing() {
    let dir = Arc::new(Directory::default());
    let f = Fixture::with_users(Backend::Sqlite, dir.clone()).await;
    let a = Some(admin());
    for (doc, expected) in [
        (
            r#"mutation { createUser(input: {username: "Ana", password: "a long password", teams: []}) { username } }"#,
            "input.username",
        ),
        (
            r#"mutation { createUser(input: {username: "ana", password: "short", teams: []}) { username } }"#,
            "input.password",
        ),
        (
            r#"mutation { createUser(input: {username: "ana", password: "a long password", teams: ["ok", "not ok"]}) { username } }"#,
            "input.teams[1]",
        ),
        (
            r#"mutation { createUser(input: {username: "ana", password: "a long password", teams: [], email: "nope"}) { username } }"#,
            "input.email",
        ),
        (
            r#"mutation { resetUserPassword(input: {username: "ana", password: "short"}) }"#,
            "input.password",
        ),
    ] {
        let r = f.run(a.clone(), doc).await;
        assert_eq!(Fixture::codes(&r), vec!["BAD_USER_INPUT"], "{doc}");
        assert_eq!(field(&r), vec![expected], "{doc}");
    }
    let r = f
        .run(
            a.clone(),
            r#"mutation { createUser(input: {username: "ana", password: "short", teams: []}) { username } }"#,
        )
        .await;
    assert_eq!(
        r.errors[0].message,
        "a password must be at least 12 characters"
    );
    assert!(dir.state().is_empty());
}

#[tokio::test]
async fn only_admins_reach_the_directory() {
    let dir = Arc::new(Directory::default());
    let f = Fixture::with_users(Backend::Sqlite, dir.clone()).await;
    f.ok(Some(admin()), CREATE_ANA).await;
    let before = (dir.state(), f.row_counts().await);
    let member = caller("ana", &["analysts", "owners"], false);
    for doc in [
        "{ users { username } }",
        r#"mutation { createUser(input: {username: "eve", password: "a long password", teams: ["lakecat-admins"]}) { username } }"#,
        r#"mutation { resetUserPassword(input: {username: "ana", password: "a long password"}) }"#,
        r#"mutation { setUserTeams(input: {username: "ana", teams: ["lakecat-admins"]}) { teams } }"#,
        r#"mutation { removeUser(input: {username: "ana"}) }"#,
    ] {
        let r = f.run(Some(member.clone()), doc).await;
        assert_eq!(Fixture::codes(&r), vec!["FORBIDDEN"], "{doc}");
        let r = f.run(None, doc).await;
        assert_eq!(Fixture::codes(&r), vec!["UNAUTHENTICATED"], "{doc}");
    }
    assert_eq!((dir.state(), f.row_counts().await), before);
    assert_eq!(
        dir.actions.lock().unwrap().len(),
        1,
        "only the admin's create"
    );
}

#[tokio::test]
async fn without_a_directory_users_live_in_the_identity_provider() {
    let f = Fixture::new(Backend::Sqlite).await;
    for doc in [
        "{ users { username } }",
        CREATE_ANA,
        r#"mutation { resetUserPassword(input: {username: "ana", password: "a long password"}) }"#,
        r#"mutation { setUserTeams(input: {username: "ana", teams: []}) { teams } }"#,
        r#"mutation { removeUser(input: {username: "ana"}) }"#,
    ] {
        let r = f.run(Some(admin()), doc).await;
        assert_eq!(Fixture::codes(&r), vec!["UNAVAILABLE"], "{doc}");
        assert!(
            r.errors[0].message.contains("identity provider"),
            "{doc}: {}",
            r.errors[0].message
        );
        // Refusals come first: a non-admin learns nothing about the deployment.
        let r = f.run(Some(caller("eve", &["outsiders"], false)), doc).await;
        assert_eq!(Fixture::codes(&r), vec!["FORBIDDEN"], "{doc}");
    }
}
