//! A private PostgreSQL cluster on a free loopback port, started once per process with the
//! machine's PostgreSQL 15 binaries (`initdb`, `postgres`), or the server in `DATABASE_URL`
//! when that is set. A watchdog stops the cluster and removes its directory when the process
//! that started it exits, however it exits.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running cluster: its admin URL (database `postgres`) and where `psql` is.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    bindir: Option<PathBuf>,
}

impl Cluster {
    pub fn url(&self, db: &str) -> String {
        match &self.password {
            Some(p) => format!(
                "postgres://{}:{}@{}:{}/{db}",
                self.user, p, self.host, self.port
            ),
            None => format!("postgres://{}@{}:{}/{db}", self.user, self.host, self.port),
        }
    }

    /// Runs one SQL command against the `postgres` database with `psql`.
    pub fn psql(&self, sql: &str) -> Result<String, String> {
        let psql = self
            .bindir
            .as_ref()
            .map(|b| b.join("psql"))
            .filter(|p| p.exists())
            .unwrap_or_else(|| "psql".into());
        let out = Command::new(psql)
            .args([
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-d",
                &self.url("postgres"),
                "-c",
                sql,
            ])
            .output()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        } else {
            Err(format!(
                "psql failed for `{sql}`: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static TEMPLATE: OnceLock<Result<String, String>> = OnceLock::new();
static CREATE_LOCK: Mutex<()> = Mutex::new(());
static NEXT_DB: AtomicU64 = AtomicU64::new(0);

/// The cluster of this process: from `DATABASE_URL` (a server URL) or started privately.
pub fn cluster() -> Result<Cluster, String> {
    CLUSTER
        .get_or_init(|| match std::env::var("DATABASE_URL") {
            Ok(url) if url.starts_with("postgres") => cluster_from_url(&url),
            _ => start_private(),
        })
        .clone()
}

fn cluster_from_url(url: &str) -> Result<Cluster, String> {
    // postgres://user[:password]@host:port/db
    let rest = url
        .split_once("://")
        .map(|(_, r)| r)
        .ok_or("DATABASE_URL has no scheme")?;
    let (auth, hostpart) = rest
        .rsplit_once('@')
        .ok_or("DATABASE_URL needs user@host:port")?;
    let (user, password) = match auth.split_once(':') {
        Some((u, p)) => (u.to_owned(), Some(p.to_owned())),
        None => (auth.to_owned(), None),
    };
    let hostport = hostpart.split('/').next().unwrap_or(hostpart);
    let (host, port) = hostport.rsplit_once(':').unwrap_or((hostport, "5432"));
    let port = port
        .parse()
        .map_err(|_| "DATABASE_URL port is not a number")?;
    Ok(Cluster {
        host: host.to_owned(),
        port,
        user,
        password,
        bindir: find_bindir().ok(),
    })
}

/// Finds PostgreSQL's server binaries (`PG_BINDIR`, then Debian's layout, then PATH).
pub fn find_bindir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("PG_BINDIR") {
        return Ok(PathBuf::from(dir));
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    candidates.sort();
    if let Some(dir) = candidates
        .into_iter()
        .rev()
        .find(|d| d.join("initdb").exists())
    {
        return Ok(dir);
    }
    let out = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .map_err(|e| e.to_string())?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    Path::new(&path)
        .parent()
        .filter(|_| !path.is_empty())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            "PostgreSQL server binaries not found: install postgresql-15 or set PG_BINDIR"
                .to_owned()
        })
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Starts a cluster in a fresh temporary directory. PostgreSQL refuses to run as root, so as
/// root the server runs as the `postgres` system user.
fn start_private() -> Result<Cluster, String> {
    let bindir = find_bindir()?;
    let root = is_root();
    let base = std::env::temp_dir().join(format!(
        "lakecat-pg-{}-{}",
        std::process::id(),
        free_port()?
    ));
    let data = base.join("data");
    let sock = base.join("sock");
    std::fs::create_dir_all(&sock).map_err(|e| format!("cannot create {}: {e}", sock.display()))?;
    let as_user = |cmd: &Path| -> Command {
        if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(cmd);
            c
        } else {
            Command::new(cmd)
        }
    };
    if root {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&base)
            .status()
            .map(|s| s.success());
        if !matches!(ok, Ok(true)) {
            return Err("cannot chown the cluster directory to the postgres user".into());
        }
    }
    let out = as_user(&bindir.join("initdb"))
        .args(["-D"])
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ])
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let port = free_port()?;
    let log = base.join("postgres.log");
    // The watchdog: runs postgres, and stops it and removes the directory once the process
    // that started the cluster is gone. It looks in /proc because, as another user, `kill -0`
    // cannot probe our process; it sends SIGTERM because background jobs of a non-interactive
    // shell ignore SIGINT.
    let script = format!(
        r#"{postgres} -D '{data}' -p {port} -k '{sock}' -c listen_addresses=127.0.0.1 \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
             -c max_connections=400 -c shared_buffers=256MB >'{log}' 2>&1 &
           pg=$!
           while [ -d /proc/{parent} ] && [ -d /proc/$pg ]; do sleep 0.5; done
           kill -TERM $pg 2>/dev/null; wait $pg 2>/dev/null
           rm -rf '{base}'"#,
        postgres = bindir.join("postgres").display(),
        data = data.display(),
        sock = sock.display(),
        log = log.display(),
        base = base.display(),
        parent = std::process::id(),
    );
    let mut watchdog = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "sh", "-c", &script]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", &script]);
        c
    };
    watchdog
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    watchdog
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    let cluster = Cluster {
        host: "127.0.0.1".into(),
        port,
        user: "postgres".into(),
        password: None,
        bindir: Some(bindir),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if cluster.psql("SELECT 1").is_ok() {
            return Ok(cluster);
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("postgres did not start within 30 s: {log}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Name of the migrated template database (created once per process).
fn template() -> Result<String, String> {
    TEMPLATE
        .get_or_init(|| {
            let c = cluster()?;
            let name = format!("lakecat_template_{}", std::process::id());
            c.psql(&format!("DROP DATABASE IF EXISTS {name}"))?;
            c.psql(&format!("CREATE DATABASE {name}"))?;
            let url = c.url(&name);
            // Migrate on a runtime of our own: callers may be on any runtime, or none.
            let migrated = std::thread::spawn(move || -> Result<(), String> {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                rt.block_on(async {
                    let store =
                        lakecat_store::SeaStore::open(&lakecat_store::StoreConfig::new(url))
                            .await
                            .map_err(|e| e.to_string())?;
                    store
                        .connection()
                        .clone()
                        .close()
                        .await
                        .map_err(|e| e.to_string())
                })
            })
            .join()
            .map_err(|_| "template migration panicked".to_owned())?;
            migrated?;
            Ok(name)
        })
        .clone()
}

/// A new, migrated, empty database; returns its URL. Blocking: call from `spawn_blocking`.
pub fn fresh_database_url() -> Result<String, String> {
    let c = cluster()?;
    let template = template()?;
    let name = format!(
        "lakecat_t{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    let _guard = CREATE_LOCK
        .lock()
        .map_err(|_| "database creation lock poisoned")?;
    c.psql(&format!("CREATE DATABASE {name} TEMPLATE {template}"))?;
    Ok(c.url(&name))
}

/// A new empty (unmigrated) database; returns its URL.
pub fn empty_database_url() -> Result<String, String> {
    let c = cluster()?;
    let name = format!(
        "lakecat_e{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    c.psql(&format!("CREATE DATABASE {name}"))?;
    Ok(c.url(&name))
}
