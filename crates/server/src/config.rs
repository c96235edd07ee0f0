//! Configuration from environment variables (and CLI flags layered on top by the binary),
//! validated at start: a bad value stops the process with a message naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use lakecat_core::permissions::TenantPermission;

pub use crate::throttle::LoginLimits;

/// How callers authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMode {
    /// Users and teams in `users.json` of the data directory; tokens signed with a local key.
    Local { data_dir: PathBuf },
    /// An Amazon Cognito user pool (endpoint overridable for an emulator).
    Cognito {
        user_pool_id: String,
        region: String,
        endpoint: Option<String>,
        issuer: Option<String>,
    },
    /// Any OpenID Connect issuer.
    Oidc {
        issuer: String,
        jwks_url: Option<String>,
    },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub max_connections: u32,
    pub auth: AuthMode,
    /// Accepted `aud` / `client_id` values.
    pub audiences: Vec<String>,
    /// Claim holding the caller's groups.
    pub groups_claim: String,
    /// The tenant admin group (configurable, never hard-coded).
    pub admin_group: String,
    pub introspection: bool,
    pub graphiql: bool,
    pub json_logs: bool,
    /// Signs pagination cursors; must be the same on every instance.
    pub cursor_key: Vec<u8>,
    /// Accept API Gateway's Cognito-authorizer claims as the identity (Lambda only).
    pub trust_gateway_claims: bool,
    /// Tenant permissions every signed-in team holds without being granted them
    /// (`LAKECAT_DEFAULT_TENANT_PERMISSIONS`); empty by default: nothing is implicit.
    pub default_tenant_permissions: Vec<TenantPermission>,
    /// Run tasks in this process (the embedded default) through an in-process queue.
    pub in_process_worker: bool,
    /// Where shares are granted: recorded by lakecat (embedded default) or on AWS.
    pub lake: LakeMode,
    /// The embedded search index's directory (tantivy); None keeps it in memory, rebuilt
    /// from the database at start. Only with the in-process worker, which keeps it current.
    pub search_dir: Option<PathBuf>,
    /// Recent results the embedded index keeps for its current state
    /// (`LAKECAT_SEARCH_CACHE`, searches and as many suggestion lists; 0: none).
    pub search_cache: usize,
    /// How many password checks run at once and how many failed sign-ins a username or an
    /// address may have in a window (`POST /auth/login`).
    pub login_limits: LoginLimits,
}

/// Where the in-process worker grants shares (`LAKECAT_LAKE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LakeMode {
    /// lakecat records grants and enforces them itself; no AWS account needed.
    Local,
    /// Lake Formation, S3 and KMS through each environment's pivot role; `endpoint` points
    /// at an AWS API emulator (moto server) instead of AWS.
    Aws {
        region: Option<String>,
        endpoint: Option<String>,
    },
}

pub const LOCAL_ISSUER: &str = "lakecat-local";
pub const DEFAULT_ADMIN_GROUP: &str = "lakecat-admins";

/// The tenant admin group: `LAKECAT_ADMIN_GROUP`, or `lakecat-admins`.
pub fn admin_group_from_env() -> String {
    var("LAKECAT_ADMIN_GROUP").unwrap_or_else(|| DEFAULT_ADMIN_GROUP.into())
}
pub const LOCAL_AUDIENCE: &str = "lakecat";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &str, default: bool) -> Result<bool, String> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(v) => Err(format!("{name}: expected true or false, got '{v}'")),
    }
}

fn list(name: &str) -> Vec<String> {
    var(name)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

impl Config {
    /// Reads `LAKECAT_*` variables. `data_dir` is the embedded default's state directory
    /// (used for local auth and the SQLite file when no database URL is given).
    pub fn from_env(data_dir: Option<PathBuf>) -> Result<Config, String> {
        let listen: SocketAddr = var("LAKECAT_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| format!("LAKECAT_LISTEN: expected ADDR:PORT ({e})"))?;
        let data_dir = data_dir.or_else(|| var("LAKECAT_DATA_DIR").map(PathBuf::from));
        let database_url =
            match (
                var("LAKECAT_DATABASE_URL").or_else(|| var("DATABASE_URL")),
                &data_dir,
            ) {
                (Some(u), _) => u,
                (None, Some(dir)) => lakecat_store::sqlite_url(&dir.join("catalog.db")),
                (None, None) => return Err(
                    "LAKECAT_DATABASE_URL: set a postgres:// URL, or a data directory for SQLite"
                        .into(),
                ),
            };
        if !(database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://")
            || database_url.starts_with("sqlite:"))
        {
            return Err(
                "LAKECAT_DATABASE_URL: must start with postgres://, postgresql:// or sqlite:"
                    .into(),
            );
        }
        let max_connections = match var("LAKECAT_DB_MAX_CONNECTIONS") {
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or("LAKECAT_DB_MAX_CONNECTIONS: 1–1000")?,
            None => 16,
        };
        let search_cache = match var("LAKECAT_SEARCH_CACHE") {
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n <= 100_000)
                .ok_or("LAKECAT_SEARCH_CACHE: 0–100000 entries")?,
            None => DEFAULT_SEARCH_CACHE,
        };
        let mode = var("LAKECAT_AUTH_MODE").unwrap_or_else(|| "local".into());
        let auth = match mode.as_str() {
            "local" => AuthMode::Local {
                data_dir: data_dir
                    .clone()
                    .ok_or("LAKECAT_AUTH_MODE=local needs a data directory (LAKECAT_DATA_DIR)")?,
            },
            "cognito" => AuthMode::Cognito {
                user_pool_id: var("LAKECAT_COGNITO_USER_POOL_ID")
                    .ok_or("LAKECAT_COGNITO_USER_POOL_ID is required in cognito mode")?,
                region: var("LAKECAT_COGNITO_REGION")
                    .or_else(|| var("AWS_REGION"))
                    .ok_or("LAKECAT_COGNITO_REGION is required in cognito mode")?,
                endpoint: var("LAKECAT_COGNITO_ENDPOINT"),
                issuer: var("LAKECAT_JWT_ISSUER"),
            },
            "oidc" => AuthMode::Oidc {
                issuer: var("LAKECAT_OIDC_ISSUER")
                    .ok_or("LAKECAT_OIDC_ISSUER is required in oidc mode")?,
                jwks_url: var("LAKECAT_OIDC_JWKS_URL"),
            },
            other => {
                return Err(format!(
                    "LAKECAT_AUTH_MODE: expected local, cognito or oidc, got '{other}'"
                ));
            }
        };
        let local = matches!(auth, AuthMode::Local { .. });
        let mut audiences = list("LAKECAT_AUDIENCES");
        if local && audiences.is_empty() {
            audiences.push(LOCAL_AUDIENCE.into());
        }
        if audiences.is_empty() {
            return Err(
                "LAKECAT_AUDIENCES: list the app client ids / audiences tokens must carry".into(),
            );
        }
        let cursor_key = match var("LAKECAT_CURSOR_KEY") {
            Some(k) if k.len() >= 32 => k.into_bytes(),
            Some(_) => return Err("LAKECAT_CURSOR_KEY: must be at least 32 characters".into()),
            // Locally one process serves everything; a per-start key only invalidates old cursors.
            None if local => local_cursor_key(),
            None => return Err(
                "LAKECAT_CURSOR_KEY is required outside local mode (every instance must share it)"
                    .into(),
            ),
        };
        Ok(Config {
            listen,
            database_url,
            max_connections,
            auth,
            audiences,
            groups_claim: var("LAKECAT_GROUPS_CLAIM").unwrap_or_else(|| "cognito:groups".into()),
            admin_group: admin_group_from_env(),
            introspection: flag("LAKECAT_INTROSPECTION", local)?,
            graphiql: flag("LAKECAT_GRAPHIQL", local)?,
            json_logs: var("LAKECAT_LOG_FORMAT").is_some_and(|f| f == "json"),
            cursor_key,
            trust_gateway_claims: flag("LAKECAT_TRUST_GATEWAY_CLAIMS", false)?,
            default_tenant_permissions: list("LAKECAT_DEFAULT_TENANT_PERMISSIONS")
                .iter()
                .map(|p| {
                    TenantPermission::parse("LAKECAT_DEFAULT_TENANT_PERMISSIONS", p).map_err(|_| {
                        format!(
                            "LAKECAT_DEFAULT_TENANT_PERMISSIONS: '{p}' is not one of {}",
                            TenantPermission::ALL
                                .iter()
                                .map(|t| t.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            in_process_worker: flag("LAKECAT_IN_PROCESS_WORKER", local)?,
            search_dir: var("LAKECAT_SEARCH_DIR")
                .map(PathBuf::from)
                .or_else(|| data_dir.as_ref().map(|d| d.join("search"))),
            search_cache,
            login_limits: LoginLimits::default(),
            lake: match var("LAKECAT_LAKE").as_deref().unwrap_or("local") {
                "local" => LakeMode::Local,
                "aws" => LakeMode::Aws {
                    region: var("LAKECAT_AWS_REGION").or_else(|| var("AWS_REGION")),
                    endpoint: var("LAKECAT_AWS_ENDPOINT"),
                },
                other => {
                    return Err(format!(
                        "LAKECAT_LAKE: expected local or aws, got '{other}'"
                    ));
                }
            },
        })
    }
}

impl Config {
    /// The embedded default without reading the environment: local auth in `data_dir`,
    /// GraphiQL and introspection on (tests, benchmarks).
    pub fn local(data_dir: PathBuf, database_url: String) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url,
            max_connections: 16,
            auth: AuthMode::Local { data_dir },
            audiences: vec![LOCAL_AUDIENCE.into()],
            groups_claim: "cognito:groups".into(),
            admin_group: DEFAULT_ADMIN_GROUP.into(),
            introspection: true,
            graphiql: true,
            json_logs: false,
            cursor_key: local_cursor_key(),
            trust_gateway_claims: false,
            default_tenant_permissions: vec![],
            in_process_worker: true,
            lake: LakeMode::Local,
            search_dir: None,
            search_cache: DEFAULT_SEARCH_CACHE,
            login_limits: LoginLimits::default(),
        }
    }
}

/// Matches `lakecat_search::DEFAULT_RESULT_CACHE` (this crate builds without the search
/// crate when the embedded index is off).
pub(crate) const DEFAULT_SEARCH_CACHE: usize = 1024;

fn local_cursor_key() -> Vec<u8> {
    use rand::RngCore;
    let mut k = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    k
}
