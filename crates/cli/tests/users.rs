//! `lakecat users` as an operator runs it: the real binary on a temporary data directory,
//! passwords piped with `--password-stdin`, and a server on the same directory that signs
//! the users in and refuses their tokens once the CLI changed them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use lakecat_server::{App, Config};
use serde_json::{Value, json};

/// Runs `lakecat users ARGS --data-dir DIR` with `stdin` piped in.
fn users(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lakecat"))
        .arg("users")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("LAKECAT_DATA_DIR")
        .env_remove("LAKECAT_ADMIN_GROUP")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Succeeds, or fails the test with the command's error.
fn ok(dir: &Path, args: &[&str], stdin: &str) -> String {
    let out = users(dir, args, stdin);
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Fails, with this in its error.
fn refused(dir: &Path, args: &[&str], stdin: &str, expected: &str) {
    let out = users(dir, args, stdin);
    assert!(!out.status.success(), "{args:?} succeeded");
    let err = text(&out.stderr);
    assert!(err.contains(expected), "{args:?}: {err}");
}

#[test]
fn users_are_added_listed_and_refused_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first = ok(
        d,
        &[
            "add",
            "ana",
            "--team",
            "analysts",
            "--team",
            "finance",
            "--email",
            "ana@example.com",
            "--password-stdin",
        ],
        "correct horse battery\n",
    );
    // The first command on a new data directory creates the admin, shown once.
    assert!(first.contains("created the admin user"), "{first}");
    assert!(
        first.contains("added ana (teams: analysts, finance)"),
        "{first}"
    );
    let listed = ok(d, &["list"], "");
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 3, "{listed}");
    assert!(lines[1].starts_with("admin "), "{listed}");
    assert!(
        lines[2]
            .split_whitespace()
            .eq(["ana", "analysts,finance", "ana@example.com"]),
        "{listed}"
    );
    assert!(!listed.contains("argon2") && !listed.contains("correct horse"));
    let file = std::fs::read_to_string(d.join("users.json")).unwrap();
    assert!(
        !file.contains("correct horse"),
        "users.json holds a hash only"
    );

    // A password is never an argument: there is no flag for it.
    refused(
        d,
        &[
            "add",
            "bo",
            "--team",
            "t",
            "--password",
            "correct horse battery",
        ],
        "",
        "unexpected argument '--password'",
    );
    refused(
        d,
        &["add", "bo", "--team", "t", "--password-stdin"],
        "too short\n",
        "password: a password must be at least 12 characters",
    );
    refused(
        d,
        &["passwd", "ana", "--password-stdin"],
        "short\n",
        "at least 12 characters",
    );
    refused(
        d,
        &["add", "Bo", "--team", "t", "--password-stdin"],
        "correct horse battery\n",
        "username: a username may contain only",
    );
    refused(
        d,
        &["add", "bo", "--team", "two words", "--password-stdin"],
        "correct horse battery\n",
        "--team[0]: must not contain whitespace",
    );
    refused(
        d,
        &["add", "bo", "--password-stdin"],
        "correct horse battery\n",
        "--team",
    );
    refused(
        d,
        &["add", "ana", "--team", "t", "--password-stdin"],
        "another long password\n",
        "a user named ana exists",
    );
    refused(d, &["remove", "ghost"], "", "user ghost not found");
    refused(
        d,
        &["teams", "ghost", "--set", "a"],
        "",
        "user ghost not found",
    );
    // Without a terminal and without --password-stdin there is no way to ask.
    refused(d, &["add", "bo", "--team", "t"], "", "--password-stdin");
    assert_eq!(ok(d, &["list"], ""), listed, "nothing refused was written");
}

struct Server {
    base: String,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Server {
    async fn start(dir: &Path) -> Server {
        let url = lakecat_store::sqlite_url(&dir.join("catalog.db"));
        let config = Config::local(dir.to_path_buf(), url);
        let wired = lakecat_cli::adapters(&config).await.unwrap();
        let app = App::build(config, true, wired).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(lakecat_server::serve_on(listener, app, async {
            let _ = stopped.await;
        }));
        Server {
            base,
            client: reqwest::Client::new(),
            stop: Some(stop),
        }
    }

    /// A token, or None when sign-in is refused.
    async fn login(&self, user: &str, password: &str) -> Option<String> {
        let resp = self
            .client
            .post(format!("{}/auth/login", self.base))
            .json(&json!({ "username": user, "password": password }))
            .send()
            .await
            .unwrap();
        let ok = resp.status().is_success();
        let body: Value = resp.json().await.unwrap();
        ok.then(|| body["token"].as_str().unwrap().to_owned())
    }

    /// The caller's teams, or None when the token is refused (401).
    async fn teams(&self, token: &str) -> Option<Value> {
        let resp = self
            .client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&json!({ "query": "{ me { username teams } }" }))
            .send()
            .await
            .unwrap();
        if resp.status() == reqwest::StatusCode::UNAUTHORIZED {
            return None;
        }
        let body: Value = resp.json().await.unwrap();
        Some(body["data"]["me"]["teams"].clone())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_die_when_the_cli_changes_their_user() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &["add", "ana", "--team", "analysts", "--password-stdin"],
        "first long password\n",
    );
    let server = Server::start(d).await;
    let token = server.login("ana", "first long password").await.unwrap();
    assert_eq!(server.teams(&token).await, Some(json!(["analysts"])));

    ok(
        d,
        &["passwd", "ana", "--password-stdin"],
        "second long password\r\n",
    );
    assert_eq!(server.teams(&token).await, None, "the old token is refused");
    assert!(server.login("ana", "first long password").await.is_none());
    let token = server.login("ana", "second long password").await.unwrap();
    assert_eq!(server.teams(&token).await, Some(json!(["analysts"])));

    ok(d, &["teams", "ana", "--set", "finance,platform"], "");
    assert_eq!(server.teams(&token).await, None, "it carried the old teams");
    let token = server.login("ana", "second long password").await.unwrap();
    assert_eq!(
        server.teams(&token).await,
        Some(json!(["finance", "platform"]))
    );

    ok(d, &["remove", "ana"], "");
    assert_eq!(server.teams(&token).await, None, "a removed user's token");
    assert!(server.login("ana", "second long password").await.is_none());
}
