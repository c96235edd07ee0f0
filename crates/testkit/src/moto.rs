//! moto server (PyPI `moto[server]`) on a free loopback port, for AWS APIs in tests.
//! `.ci/run` installs it into `.venv`; `MOTO_SERVER` may name another binary.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server; stopped when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
    pub port: u16,
}

impl Moto {
    /// POSTs `body` to moto's own API (`path` under `/moto-api/`): its configuration, and
    /// the answers its emulated services give (Athena's rows, Lambda's results).
    pub async fn api(&self, path: &str, body: serde_json::Value) -> Result<(), String> {
        let url = format!("{}/moto-api/{path}", self.endpoint);
        let r = reqwest::Client::new()
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        if r.status().is_success() {
            Ok(())
        } else {
            Err(format!("{url}: {}", r.status()))
        }
    }

    /// Lambda without Docker: an invocation answers the next result given to
    /// [`Moto::lambda_answers`], or echoes its request when there is none.
    pub async fn lambda_without_docker(&self) -> Result<(), String> {
        self.api(
            "config",
            serde_json::json!({ "lambda": { "use_docker": false } }),
        )
        .await
    }

    /// What the next Lambda invocation in `region` (of moto's default account) answers.
    pub async fn lambda_answers(&self, region: &str, payload: &str) -> Result<(), String> {
        self.api(
            "static/lambda-simple/response",
            serde_json::json!({ "account_id": "123456789012", "region": region,
                                "results": [payload] }),
        )
        .await
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the moto server binary is: `MOTO_SERVER`, the workspace's `.venv`, or PATH.
pub fn binary() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("MOTO_SERVER") {
        return Some(PathBuf::from(p));
    }
    let mut dir = std::env::current_dir().ok();
    while let Some(d) = dir {
        let candidate = d.join(".venv/bin/moto_server");
        if candidate.exists() {
            return Some(candidate);
        }
        dir = d.parent().map(PathBuf::from);
    }
    let out = Command::new("sh")
        .args(["-c", "command -v moto_server"])
        .output()
        .ok()?;
    let p = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (!p.is_empty()).then(|| PathBuf::from(p))
}

/// Starts moto server; Err when it is not installed (tests then fail loudly, in CI too).
pub fn start() -> Result<Moto, String> {
    let bin =
        binary().ok_or("moto_server not found: run `.ci/setup-python` (or set MOTO_SERVER)")?;
    spawn(Command::new(&bin), &bin.display().to_string())
}

/// Starts moto server through `script`, run by the Python beside moto_server (moto's
/// virtualenv) with moto_server's arguments: a launcher that adjusts moto before serving.
pub fn start_script(script: &Path) -> Result<Moto, String> {
    let bin =
        binary().ok_or("moto_server not found: run `.ci/setup-python` (or set MOTO_SERVER)")?;
    let python = bin.with_file_name("python");
    if !python.exists() {
        return Err(format!("no Python beside {}", bin.display()));
    }
    let mut command = Command::new(&python);
    command.arg(script);
    spawn(command, &script.display().to_string())
}

fn spawn(mut command: Command, what: &str) -> Result<Moto, String> {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let child = command
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
        port,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("moto server did not start within 30 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(moto)
}
