//! Every `LAKECAT_*` and `OPENSEARCH_*` variable, read and checked in one place for
//! `lakecat serve`, the API Lambda and the worker Lambda (CLI flags are layered on top by the
//! binary): a bad value stops the process with a message naming the variable. Reads only;
//! builds no client and opens nothing. `docs/configuration.md` lists every variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use lakecat_core::permissions::TenantPermission;
pub use lakecat_core::stacks::PlatformRoles;
pub use lakecat_search::OpenSearchConfig;

pub mod stack_service;
pub mod worker;

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
    /// Search on OpenSearch instead of the embedded index (`OPENSEARCH_*`).
    pub opensearch: Option<OpenSearchConfig>,
    /// Publish task ids to SQS after commit (the API Lambda).
    pub task_queue: Option<TaskQueueUrls>,
    /// lakecat's own AWS clients (the SQS queue; the lake when `LAKECAT_LAKE=aws`).
    pub aws: AwsSettings,
    /// Apply pending migrations at start (`LAKECAT_MIGRATE_ON_START`; the API Lambda, whose
    /// deployments otherwise run `lakecat migrate` once).
    pub migrate_on_start: bool,
    /// How the web UI signs users in with the identity provider (cognito and oidc modes,
    /// when `LAKECAT_WEB_CLIENT_ID` is set); public values only.
    pub web_sign_in: Option<WebSignIn>,
    /// The embedded default's lake (`LAKECAT_LAKE_DIR`, else `lake/` in the data directory):
    /// the local deployer makes one folder per environment and dataset in it. None: stacks
    /// are not deployed by this process.
    pub lake_dir: Option<PathBuf>,
    /// How often the in-process worker syncs every dataset's tables in full
    /// (`LAKECAT_TABLE_SYNC_HOURS`, 24 by default).
    pub table_sync_every: std::time::Duration,
    /// The worker Lambda the API Lambda asks for previews (`LAKECAT_WORKER_FUNCTION`, its
    /// name or ARN): the API reads no lake and pivot roles trust only the worker. Without
    /// one, the API Lambda's previews are not offered.
    pub worker_function: Option<String>,
    /// The platform's roles and external id that environment bootstraps trust
    /// (`LAKECAT_PLATFORM_WORKER_ROLE_ARN`, `LAKECAT_PLATFORM_STACK_SERVICE_ROLE_ARN`,
    /// `LAKECAT_PIVOT_EXTERNAL_ID`).
    pub platform: PlatformRoles,
}

/// The web UI's OAuth 2.0 client: authorization code flow with PKCE, a public client (no
/// secret). Endpoints left unset are discovered by the UI from the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSignIn {
    /// `LAKECAT_WEB_CLIENT_ID`: the app client id (Cognito) or client id (OIDC).
    pub client_id: String,
    /// `LAKECAT_WEB_SCOPES`, space- or comma-separated (default `openid email profile`).
    pub scopes: Vec<String>,
    /// `LAKECAT_OIDC_AUTHORIZATION_ENDPOINT` (Cognito: `https://<domain>/oauth2/authorize`).
    pub authorization_endpoint: Option<String>,
    /// `LAKECAT_OIDC_TOKEN_ENDPOINT` (Cognito: `https://<domain>/oauth2/token`).
    pub token_endpoint: Option<String>,
}

/// `http://localhost` or `http://127.0.0.1`, with or without a port or path (a local issuer);
/// not `http://localhost.example.com`.
fn is_loopback_http(url: &str) -> bool {
    ["http://localhost", "http://127.0.0.1"].iter().any(|base| {
        url.strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
    })
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

/// Limits on sign-in (`POST /auth/login`); not configurable by variables (yet).
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// Password checks running at once.
    pub hashing_permits: usize,
    /// How long a sign-in waits for a running check to finish before it is refused.
    pub permit_wait: Duration,
    /// Sign-ins per username in a window that may fail (or be in progress).
    pub per_user: u32,
    /// Sign-ins per client address in a window that may fail (or be in progress).
    pub per_address: u32,
    pub window: Duration,
    /// Usernames, and addresses, tracked (each).
    pub tracked_keys: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            hashing_permits: std::thread::available_parallelism()
                .map_or(2, |n| n.get().clamp(2, 4)),
            permit_wait: Duration::from_secs(1),
            per_user: 10,
            per_address: 30,
            window: Duration::from_secs(300),
            tracked_keys: 10_000,
        }
    }
}

/// The SQS task queue and its dead-letter queue (`LAKECAT_TASK_QUEUE_URL`,
/// `LAKECAT_TASK_DLQ_URL`): set both or neither. With them, the stack service's queue
/// (`LAKECAT_STACK_QUEUE_URL`), where `stack.*` tasks go instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQueueUrls {
    pub queue_url: String,
    pub dlq_url: String,
    pub stack_queue_url: Option<String>,
}

/// Where lakecat's own AWS clients go (`LAKECAT_AWS_REGION` or `AWS_REGION`, and
/// `LAKECAT_AWS_ENDPOINT` for an AWS API emulator such as moto server).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

/// The log filter unless `LAKECAT_LOG` says otherwise: lakecat's own lines at info (start,
/// listen address, admin created, migrations, task failures); the libraries under it, whose
/// info lines are their internals (tantivy's segment merges, every SQL statement, SDK
/// retries), at warn.
pub const DEFAULT_LOG_FILTER: &str = "info,tantivy=warn,sqlx=warn,sea_orm=warn,\
    sea_orm_migration=warn,aws_config=warn,aws_smithy_runtime=warn,hyper=warn,\
    hyper_util=warn,reqwest=warn,opensearch=warn";

pub const LOCAL_ISSUER: &str = "lakecat-local";
pub const DEFAULT_ADMIN_GROUP: &str = "lakecat-admins";

/// The tenant admin group: `LAKECAT_ADMIN_GROUP`, or `lakecat-admins`.
pub fn admin_group_from_env() -> String {
    admin_group(&Vars::new(process_env))
}
pub const LOCAL_AUDIENCE: &str = "lakecat";

/// The process environment, as a lookup for the `from_lookup` constructors.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn admin_group(env: &Vars<impl Fn(&str) -> Option<String>>) -> String {
    env.var("LAKECAT_ADMIN_GROUP")
        .unwrap_or_else(|| DEFAULT_ADMIN_GROUP.into())
}

/// Variables looked up through a function (the process environment, or a map in tests); an
/// empty or blank value counts as unset.
pub(crate) struct Vars<F>(F);

impl<F: Fn(&str) -> Option<String>> Vars<F> {
    pub(crate) fn new(lookup: F) -> Self {
        Vars(lookup)
    }

    pub(crate) fn var(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool, String> {
        match self.var(name).as_deref().map(str::trim) {
            None => Ok(default),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(format!("{name}: expected true or false, got '{v}'")),
        }
    }

    /// An `https://` URL (or `http://` on localhost, for a local issuer).
    fn https_url(&self, name: &str) -> Result<Option<String>, String> {
        match self.var(name) {
            None => Ok(None),
            Some(u) if u.starts_with("https://") || is_loopback_http(&u) => {
                Ok(Some(u.trim().to_owned()))
            }
            Some(u) => Err(format!("{name}: expected an https:// URL, got '{u}'")),
        }
    }

    /// An IAM role ARN.
    fn role_arn(&self, name: &str) -> Result<Option<String>, String> {
        self.var(name)
            .map(|v| {
                lakecat_core::catalog::parse_role_arn(name, v.trim())
                    .map_err(|e| format!("{name}: {}", e.message))
            })
            .transpose()
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.var(name)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `OPENSEARCH_*` variables (see [`OpenSearchConfig::from_lookup`]); an error names
    /// the variable.
    pub(crate) fn opensearch(&self) -> Result<Option<OpenSearchConfig>, String> {
        OpenSearchConfig::from_lookup(&self.0).map_err(|e| {
            format!(
                "{}: {}",
                e.field.as_deref().unwrap_or("OPENSEARCH_URL"),
                e.message
            )
        })
    }

    /// The worker Lambda's name or ARN (`LAKECAT_WORKER_FUNCTION`), as Lambda's Invoke takes
    /// it: up to 170 of letters, digits and `-_:.$`.
    pub(crate) fn worker_function(&self) -> Result<Option<String>, String> {
        match self.var("LAKECAT_WORKER_FUNCTION") {
            None => Ok(None),
            Some(f)
                if f.is_empty()
                    || f.len() > 170
                    || !f
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_:.$".contains(c)) =>
            {
                Err(format!(
                    "LAKECAT_WORKER_FUNCTION: expected a Lambda function's name or ARN (up to 170 of letters, digits and -_:.$), got '{f}'"
                ))
            }
            Some(f) => Ok(Some(f)),
        }
    }

    /// How often every dataset's tables are synced in full (`LAKECAT_TABLE_SYNC_HOURS`, 1 to
    /// 8760, 24 by default).
    pub(crate) fn table_sync_every(&self) -> Result<std::time::Duration, String> {
        match self.var("LAKECAT_TABLE_SYNC_HOURS") {
            None => Ok(std::time::Duration::from_secs(24 * 3600)),
            Some(h) => match h.trim().parse::<u64>() {
                Ok(h @ 1..=8760) => Ok(std::time::Duration::from_secs(h * 3600)),
                _ => Err(format!(
                    "LAKECAT_TABLE_SYNC_HOURS: expected whole hours from 1 to 8760, got '{h}'"
                )),
            },
        }
    }

    /// The external id presented to every environment's pivot role
    /// (`LAKECAT_PIVOT_EXTERNAL_ID`).
    pub(crate) fn pivot_external_id(&self) -> Result<Option<String>, String> {
        match self.var("LAKECAT_PIVOT_EXTERNAL_ID") {
            Some(id) if !valid_external_id(&id) => Err(
                "LAKECAT_PIVOT_EXTERNAL_ID: expected 16 to 1224 of letters, digits and +=,.@:/_-"
                    .into(),
            ),
            other => Ok(other),
        }
    }

    pub(crate) fn task_queue(&self) -> Result<Option<TaskQueueUrls>, String> {
        let stack_queue_url = self.var("LAKECAT_STACK_QUEUE_URL");
        match (
            self.var("LAKECAT_TASK_QUEUE_URL"),
            self.var("LAKECAT_TASK_DLQ_URL"),
        ) {
            (Some(queue_url), Some(dlq_url)) => Ok(Some(TaskQueueUrls {
                queue_url,
                dlq_url,
                stack_queue_url,
            })),
            (None, None) if stack_queue_url.is_some() => {
                Err("LAKECAT_STACK_QUEUE_URL: only with LAKECAT_TASK_QUEUE_URL and LAKECAT_TASK_DLQ_URL".into())
            }
            (None, None) => Ok(None),
            (Some(_), None) => {
                Err("LAKECAT_TASK_DLQ_URL: required with LAKECAT_TASK_QUEUE_URL".into())
            }
            (None, Some(_)) => {
                Err("LAKECAT_TASK_QUEUE_URL: required with LAKECAT_TASK_DLQ_URL".into())
            }
        }
    }

    pub(crate) fn aws(&self) -> AwsSettings {
        AwsSettings {
            region: self
                .var("LAKECAT_AWS_REGION")
                .or_else(|| self.var("AWS_REGION")),
            endpoint: self.var("LAKECAT_AWS_ENDPOINT"),
        }
    }
}

/// The `OPENSEARCH_*` variables of the process environment (`lakecat reindex`).
pub fn opensearch_from_env() -> Result<Option<OpenSearchConfig>, String> {
    Vars::new(process_env).opensearch()
}

impl Config {
    /// Reads `LAKECAT_*` and `OPENSEARCH_*` variables of the process environment. `data_dir`
    /// is the embedded default's state directory (used for local auth and the SQLite file
    /// when no database URL is given).
    pub fn from_env(data_dir: Option<PathBuf>) -> Result<Config, String> {
        Config::from_lookup(data_dir, process_env)
    }

    /// [`Config::from_env`] over any source of variables (a map in tests).
    pub fn from_lookup(
        data_dir: Option<PathBuf>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, String> {
        let env = Vars::new(lookup);
        let listen: SocketAddr = env
            .var("LAKECAT_LISTEN")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| format!("LAKECAT_LISTEN: expected ADDR:PORT ({e})"))?;
        let data_dir = data_dir.or_else(|| env.var("LAKECAT_DATA_DIR").map(PathBuf::from));
        let database_url =
            match (
                env.var("LAKECAT_DATABASE_URL")
                    .or_else(|| env.var("DATABASE_URL")),
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
        let max_connections = match env.var("LAKECAT_DB_MAX_CONNECTIONS") {
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or("LAKECAT_DB_MAX_CONNECTIONS: 1–1000")?,
            None => 16,
        };
        let search_cache = match env.var("LAKECAT_SEARCH_CACHE") {
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n <= 100_000)
                .ok_or("LAKECAT_SEARCH_CACHE: 0–100000 entries")?,
            None => DEFAULT_SEARCH_CACHE,
        };
        let mode = env
            .var("LAKECAT_AUTH_MODE")
            .unwrap_or_else(|| "local".into());
        let auth = match mode.as_str() {
            "local" => AuthMode::Local {
                data_dir: data_dir
                    .clone()
                    .ok_or("LAKECAT_AUTH_MODE=local needs a data directory (LAKECAT_DATA_DIR)")?,
            },
            "cognito" => AuthMode::Cognito {
                user_pool_id: env
                    .var("LAKECAT_COGNITO_USER_POOL_ID")
                    .ok_or("LAKECAT_COGNITO_USER_POOL_ID is required in cognito mode")?,
                region: env
                    .var("LAKECAT_COGNITO_REGION")
                    .or_else(|| env.var("AWS_REGION"))
                    .ok_or("LAKECAT_COGNITO_REGION is required in cognito mode")?,
                endpoint: env.var("LAKECAT_COGNITO_ENDPOINT"),
                issuer: env.var("LAKECAT_JWT_ISSUER"),
            },
            "oidc" => AuthMode::Oidc {
                issuer: env
                    .var("LAKECAT_OIDC_ISSUER")
                    .ok_or("LAKECAT_OIDC_ISSUER is required in oidc mode")?,
                jwks_url: env.var("LAKECAT_OIDC_JWKS_URL"),
            },
            other => {
                return Err(format!(
                    "LAKECAT_AUTH_MODE: expected local, cognito or oidc, got '{other}'"
                ));
            }
        };
        let local = matches!(auth, AuthMode::Local { .. });
        let mut audiences = env.list("LAKECAT_AUDIENCES");
        if local && audiences.is_empty() {
            audiences.push(LOCAL_AUDIENCE.into());
        }
        if audiences.is_empty() {
            return Err(
                "LAKECAT_AUDIENCES: list the app client ids / audiences tokens must carry".into(),
            );
        }
        let cursor_key = match env.var("LAKECAT_CURSOR_KEY") {
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
            groups_claim: env
                .var("LAKECAT_GROUPS_CLAIM")
                .unwrap_or_else(|| "cognito:groups".into()),
            admin_group: admin_group(&env),
            introspection: env.flag("LAKECAT_INTROSPECTION", local)?,
            graphiql: env.flag("LAKECAT_GRAPHIQL", local)?,
            json_logs: env.var("LAKECAT_LOG_FORMAT").is_some_and(|f| f == "json"),
            cursor_key,
            trust_gateway_claims: env.flag("LAKECAT_TRUST_GATEWAY_CLAIMS", false)?,
            default_tenant_permissions: env
                .list("LAKECAT_DEFAULT_TENANT_PERMISSIONS")
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
            in_process_worker: env.flag("LAKECAT_IN_PROCESS_WORKER", local)?,
            search_dir: env
                .var("LAKECAT_SEARCH_DIR")
                .map(PathBuf::from)
                .or_else(|| data_dir.as_ref().map(|d| d.join("search"))),
            search_cache,
            login_limits: LoginLimits::default(),
            opensearch: env.opensearch()?,
            task_queue: env.task_queue()?,
            aws: env.aws(),
            migrate_on_start: env.flag("LAKECAT_MIGRATE_ON_START", false)?,
            web_sign_in: match env.var("LAKECAT_WEB_CLIENT_ID") {
                Some(_) if local => {
                    return Err(
                        "LAKECAT_WEB_CLIENT_ID: only for cognito and oidc modes (local mode signs in with a password)"
                            .into(),
                    );
                }
                Some(client_id) => Some(WebSignIn {
                    client_id,
                    scopes: match env.var("LAKECAT_WEB_SCOPES") {
                        Some(s) => s
                            .split([' ', ','])
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect(),
                        None => vec!["openid".into(), "email".into(), "profile".into()],
                    },
                    authorization_endpoint: env.https_url("LAKECAT_OIDC_AUTHORIZATION_ENDPOINT")?,
                    token_endpoint: env.https_url("LAKECAT_OIDC_TOKEN_ENDPOINT")?,
                }),
                None => None,
            },
            lake_dir: env
                .var("LAKECAT_LAKE_DIR")
                .map(PathBuf::from)
                .or_else(|| data_dir.as_ref().map(|d| d.join("lake"))),
            table_sync_every: env.table_sync_every()?,
            worker_function: env.worker_function()?,
            platform: PlatformRoles {
                worker_role_arn: env.role_arn("LAKECAT_PLATFORM_WORKER_ROLE_ARN")?,
                stack_service_role_arn: env.role_arn("LAKECAT_PLATFORM_STACK_SERVICE_ROLE_ARN")?,
                external_id: env.pivot_external_id()?,
            },
            lake: match env
                .var("LAKECAT_LAKE")
                .as_deref()
                .map(str::trim)
                .unwrap_or("local")
            {
                "local" => LakeMode::Local,
                "aws" => {
                    let aws = env.aws();
                    LakeMode::Aws {
                        region: aws.region,
                        endpoint: aws.endpoint,
                    }
                }
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
    /// The embedded default without reading the environment: local auth and the lake in `data_dir`,
    /// GraphiQL and introspection on (tests, benchmarks).
    pub fn local(data_dir: PathBuf, database_url: String) -> Config {
        let lake_dir = Some(data_dir.join("lake"));
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
            opensearch: None,
            task_queue: None,
            aws: AwsSettings::default(),
            migrate_on_start: false,
            web_sign_in: None,
            lake_dir,
            table_sync_every: std::time::Duration::from_secs(24 * 3600),
            worker_function: None,
            platform: PlatformRoles::default(),
        }
    }
}

/// STS's rule for an external id (the bootstrap template's parameter pattern).
fn valid_external_id(id: &str) -> bool {
    (16..=1224).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@:/_-".contains(c))
}

/// The embedded index's result cache unless `LAKECAT_SEARCH_CACHE` says otherwise.
pub const DEFAULT_SEARCH_CACHE: usize = lakecat_search::DEFAULT_RESULT_CACHE;

fn local_cursor_key() -> Vec<u8> {
    use rand::RngCore;
    let mut k = vec![0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut k);
    k
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |n| vars.get(n).cloned()
    }

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        Config::from_lookup(Some(PathBuf::from("/tmp/lakecat-test")), lookup(vars))
    }

    #[test]
    fn the_embedded_default_needs_no_variable() {
        let c = config(&[]).unwrap();
        assert!(matches!(c.auth, AuthMode::Local { .. }));
        assert_eq!(c.listen, SocketAddr::from(([127, 0, 0, 1], 8080)));
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(c.graphiql && c.introspection && c.in_process_worker);
        assert_eq!(c.opensearch, None);
        assert_eq!(c.task_queue, None);
        assert!(!c.migrate_on_start);
        assert_eq!(c.search_cache, DEFAULT_SEARCH_CACHE);
    }

    #[test]
    fn the_lambda_variables_are_read_here_too() {
        let c = config(&[
            ("OPENSEARCH_URL", "https://search.example.com"),
            ("LAKECAT_TASK_QUEUE_URL", "https://sqs/q"),
            ("LAKECAT_TASK_DLQ_URL", "https://sqs/d"),
            ("LAKECAT_AWS_ENDPOINT", "http://127.0.0.1:5000"),
            ("LAKECAT_AWS_REGION", "eu-west-1"),
            ("LAKECAT_MIGRATE_ON_START", "true"),
        ])
        .unwrap();
        assert_eq!(
            c.opensearch.map(|o| o.url).as_deref(),
            Some("https://search.example.com")
        );
        assert_eq!(
            c.task_queue,
            Some(TaskQueueUrls {
                queue_url: "https://sqs/q".into(),
                dlq_url: "https://sqs/d".into(),
                stack_queue_url: None,
            })
        );
        assert_eq!(c.aws.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(c.aws.region.as_deref(), Some("eu-west-1"));
        assert!(c.migrate_on_start);
    }

    #[test]
    fn the_worker_function_is_a_lambda_name_or_arn() {
        assert_eq!(config(&[]).unwrap().worker_function, None);
        for ok in [
            "lakecat-worker",
            "arn:aws:lambda:eu-west-1:111122223333:function:lakecat-worker:live",
        ] {
            let c = config(&[("LAKECAT_WORKER_FUNCTION", ok)]).unwrap();
            assert_eq!(c.worker_function.as_deref(), Some(ok));
        }
        // Empty is unset, as for every variable.
        assert_eq!(
            config(&[("LAKECAT_WORKER_FUNCTION", "")])
                .unwrap()
                .worker_function,
            None
        );
        for bad in ["lakecat worker", "a/b", &"x".repeat(171)] {
            let e = config(&[("LAKECAT_WORKER_FUNCTION", bad)]).unwrap_err();
            assert!(
                e.starts_with("LAKECAT_WORKER_FUNCTION: expected a Lambda function's name or ARN"),
                "{e}"
            );
        }
    }

    #[test]
    fn the_web_client_is_read_in_oidc_mode() {
        let oidc = [
            ("LAKECAT_AUTH_MODE", "oidc"),
            ("LAKECAT_OIDC_ISSUER", "https://id.example.com"),
            ("LAKECAT_AUDIENCES", "web"),
            ("LAKECAT_CURSOR_KEY", "0123456789abcdef0123456789abcdef"),
        ];
        assert_eq!(config(&oidc).unwrap().web_sign_in, None);
        let mut vars = oidc.to_vec();
        vars.push(("LAKECAT_WEB_CLIENT_ID", "web"));
        let web = config(&vars).unwrap().web_sign_in.unwrap();
        assert_eq!(web.client_id, "web");
        assert_eq!(web.scopes, ["openid", "email", "profile"]);
        assert_eq!(web.token_endpoint, None);
        vars.push(("LAKECAT_WEB_SCOPES", "openid, groups"));
        vars.push((
            "LAKECAT_OIDC_TOKEN_ENDPOINT",
            "https://auth.example.com/oauth2/token",
        ));
        let web = config(&vars).unwrap().web_sign_in.unwrap();
        assert_eq!(web.scopes, ["openid", "groups"]);
        assert_eq!(
            web.token_endpoint.as_deref(),
            Some("https://auth.example.com/oauth2/token")
        );
        vars.push((
            "LAKECAT_OIDC_AUTHORIZATION_ENDPOINT",
            "http://localhost.example.com/authorize",
        ));
        let err = config(&vars).unwrap_err();
        assert!(
            err.starts_with("LAKECAT_OIDC_AUTHORIZATION_ENDPOINT"),
            "{err}"
        );
    }

    /// Every refusal starts with the name of the variable to fix.
    #[test]
    fn a_bad_value_names_its_variable() {
        for (vars, name) in [
            (vec![("LAKECAT_LISTEN", "nowhere")], "LAKECAT_LISTEN"),
            (
                vec![("LAKECAT_DATABASE_URL", "mysql://x")],
                "LAKECAT_DATABASE_URL",
            ),
            (
                vec![("LAKECAT_DB_MAX_CONNECTIONS", "0")],
                "LAKECAT_DB_MAX_CONNECTIONS",
            ),
            (vec![("LAKECAT_SEARCH_CACHE", "-1")], "LAKECAT_SEARCH_CACHE"),
            (vec![("LAKECAT_AUTH_MODE", "ldap")], "LAKECAT_AUTH_MODE"),
            (
                vec![("LAKECAT_AUTH_MODE", "cognito")],
                "LAKECAT_COGNITO_USER_POOL_ID",
            ),
            (vec![("LAKECAT_AUTH_MODE", "oidc")], "LAKECAT_OIDC_ISSUER"),
            (vec![("LAKECAT_CURSOR_KEY", "short")], "LAKECAT_CURSOR_KEY"),
            (vec![("LAKECAT_GRAPHIQL", "maybe")], "LAKECAT_GRAPHIQL"),
            (
                vec![("LAKECAT_DEFAULT_TENANT_PERMISSIONS", "EVERYTHING")],
                "LAKECAT_DEFAULT_TENANT_PERMISSIONS",
            ),
            (vec![("LAKECAT_LAKE", "gcs")], "LAKECAT_LAKE"),
            (
                vec![("LAKECAT_WEB_CLIENT_ID", "web")],
                "LAKECAT_WEB_CLIENT_ID",
            ),
            (
                vec![("LAKECAT_MIGRATE_ON_START", "sometimes")],
                "LAKECAT_MIGRATE_ON_START",
            ),
            (
                vec![("LAKECAT_TASK_QUEUE_URL", "https://sqs/q")],
                "LAKECAT_TASK_DLQ_URL",
            ),
            (
                vec![("LAKECAT_TASK_DLQ_URL", "https://sqs/d")],
                "LAKECAT_TASK_QUEUE_URL",
            ),
            (vec![("OPENSEARCH_URL", "ftp://x")], "OPENSEARCH_URL"),
            (
                vec![
                    ("OPENSEARCH_URL", "https://search.example.com"),
                    ("OPENSEARCH_AUTH", "kerberos"),
                ],
                "OPENSEARCH_AUTH",
            ),
        ] {
            match config(&vars) {
                Err(e) => assert!(e.starts_with(name), "{vars:?}: '{e}' does not name {name}"),
                Ok(_) => panic!("{vars:?} accepted"),
            }
        }
    }

    #[test]
    fn the_worker_refuses_to_start_without_opensearch() {
        let base = [
            ("LAKECAT_DATABASE_URL", "postgres://db/lakecat"),
            ("LAKECAT_TASK_QUEUE_URL", "https://sqs/q"),
            ("LAKECAT_TASK_DLQ_URL", "https://sqs/d"),
        ];
        match worker::WorkerSettings::from_lookup(lookup(&base)) {
            Err(e) => assert_eq!(e, worker::SEARCH_REQUIRED),
            Ok(_) => panic!("a worker without OpenSearch would dead-letter search tasks"),
        }
        let mut with = base.to_vec();
        with.push(("OPENSEARCH_URL", "https://search.example.com"));
        let s = worker::WorkerSettings::from_lookup(lookup(&with)).unwrap();
        assert_eq!(s.search.url, "https://search.example.com");
        match worker::WorkerSettings::from_lookup(lookup(&base[..1])) {
            Err(e) => assert!(e.starts_with("LAKECAT_TASK_QUEUE_URL"), "{e}"),
            Ok(_) => panic!("a worker without a queue"),
        }
    }

    #[test]
    fn platform_roles_are_checked() {
        let ok = [
            (
                "LAKECAT_PLATFORM_WORKER_ROLE_ARN",
                "arn:aws:iam::111122223333:role/lakecat-worker",
            ),
            ("LAKECAT_PIVOT_EXTERNAL_ID", "f3b0c442-98fc-1c14-b39f"),
        ];
        let c = config(&ok).unwrap();
        assert_eq!(
            c.platform.worker_role_arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/lakecat-worker")
        );
        assert_eq!(c.platform.stack_service_role_arn, None);
        for (var, bad) in [
            ("LAKECAT_PLATFORM_STACK_SERVICE_ROLE_ARN", "lakecat-stacks"),
            ("LAKECAT_PIVOT_EXTERNAL_ID", "short"),
            ("LAKECAT_PIVOT_EXTERNAL_ID", "sixteen chars with spaces"),
        ] {
            let err = config(&[(var, bad)]).unwrap_err();
            assert!(err.starts_with(var), "{err}");
        }
    }
}
