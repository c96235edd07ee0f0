//! Bearer-token authentication. One verifier for every mode: RS256/ES256 signature against a
//! JWKS, issuer, audience or `client_id`, `exp`/`nbf` with a small leeway, `token_use`, and
//! groups from a configurable claim. Remote JWKS are cached and refreshed on an unknown `kid`
//! at most once per [`JWKS_REFRESH_INTERVAL`]. Local mode signs its own ES256 tokens and
//! verifies them with this same code, and refuses those whose user was removed or whose
//! password or teams changed since (see [`LOCAL_SESSION_CLAIM`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lakecat_core::caller::Caller;
use lakecat_core::names::TeamName;
use serde_json::Value;
use tokio::sync::RwLock;

use crate::config::{AuthMode, Config, LOCAL_AUDIENCE, LOCAL_ISSUER};
use crate::local_users::LocalUsers;

pub const LEEWAY_SECS: u64 = 30;
pub const JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(30);
/// Where lakecat's own (local-mode) tokens carry the caller's teams, whatever
/// `LAKECAT_GROUPS_CLAIM` says about an external identity provider's tokens.
pub const LOCAL_GROUPS_CLAIM: &str = "cognito:groups";
/// Where a local token carries its user's session stamp (`users.json`); the token is valid
/// only while the user exists with that stamp. Tokens without it are minted with the signing
/// key for names `users.json` does not hold (tests, benchmarks) and are tied to no user.
pub const LOCAL_SESSION_CLAIM: &str = "lakecat:session";
/// How long a local token lives.
pub const LOCAL_TOKEN_SECS: i64 = 12 * 3600;

/// Claims an API Gateway Cognito authorizer already verified; the Lambda adapter inserts
/// them as a request extension only when `trust_gateway_claims` is configured.
#[derive(Debug, Clone)]
pub struct TrustedClaims(pub Value);

/// Why a token was refused (the message is safe to return).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError(pub String);

enum Jwks {
    Static(JwkSet),
    Remote {
        url: String,
        client: reqwest::Client,
        cache: RwLock<(JwkSet, Option<Instant>)>,
    },
}

pub struct Authenticator {
    issuer: String,
    audiences: HashSet<String>,
    groups_claim: String,
    admin_group: String,
    jwks: Jwks,
    /// How often at most an unknown `kid` may trigger a JWKS fetch.
    refresh_interval: Duration,
    local: Option<Arc<LocalUsers>>,
    /// Tokens already verified, so a client's next request skips the signature check. A hit
    /// still needs an unexpired token whose key is still published and, for a local token,
    /// whose session is still current; the map is cleared when it reaches
    /// [`VERIFIED_CACHE_SIZE`].
    verified: std::sync::Mutex<HashMap<String, Verified>>,
}

#[derive(Clone)]
struct Verified {
    caller: Caller,
    exp: i64,
    kid: String,
    session: Option<LocalSession>,
}

/// The local user and session stamp a local token was issued for.
#[derive(Clone)]
struct LocalSession {
    username: String,
    stamp: String,
}

const VERIFIED_CACHE_SIZE: usize = 10_000;

impl Authenticator {
    pub async fn from_config(config: &Config) -> Result<Authenticator, String> {
        let (issuer, jwks, local) = match &config.auth {
            AuthMode::Local { data_dir } => {
                let users = LocalUsers::open(data_dir, &config.admin_group)?;
                (
                    LOCAL_ISSUER.to_owned(),
                    Jwks::Static(users.jwks()),
                    Some(Arc::new(users)),
                )
            }
            AuthMode::Cognito {
                user_pool_id,
                region,
                endpoint,
                issuer,
            } => {
                let base = endpoint
                    .clone()
                    .unwrap_or_else(|| format!("https://cognito-idp.{region}.amazonaws.com"));
                let url = format!(
                    "{}/{user_pool_id}/.well-known/jwks.json",
                    base.trim_end_matches('/')
                );
                let iss = issuer.clone().unwrap_or_else(|| {
                    format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
                });
                (iss, remote(url)?, None)
            }
            AuthMode::Oidc { issuer, jwks_url } => {
                let url = match jwks_url {
                    Some(u) => u.clone(),
                    None => discover_jwks_url(issuer).await?,
                };
                (issuer.clone(), remote(url)?, None)
            }
        };
        Ok(Authenticator {
            issuer,
            audiences: config.audiences.iter().cloned().collect(),
            groups_claim: if local.is_some() {
                LOCAL_GROUPS_CLAIM.to_owned()
            } else {
                config.groups_claim.clone()
            },
            admin_group: config.admin_group.clone(),
            jwks,
            refresh_interval: JWKS_REFRESH_INTERVAL,
            local,
            verified: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// Changes the JWKS refresh rate limit (tests shorten it).
    pub fn with_jwks_refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    pub fn local_users(&self) -> Option<&LocalUsers> {
        self.local.as_deref()
    }

    /// The local users, shared (the GraphQL user directory changes them).
    pub fn local_users_shared(&self) -> Option<Arc<LocalUsers>> {
        self.local.clone()
    }

    /// Verifies a bearer token and returns the caller.
    pub async fn verify(&self, token: &str) -> Result<Caller, AuthError> {
        let refuse = |m: &str| AuthError(m.to_owned());
        let header = jsonwebtoken::decode_header(token).map_err(|_| refuse("malformed token"))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(refuse("token algorithm not accepted (RS256 or ES256)"));
        }
        let kid = header.kid.ok_or_else(|| refuse("token has no key id"))?;
        if let Some(caller) = self.cached(token).await {
            return Ok(caller);
        }
        let key = self.key(&kid).await?;
        let mut v = Validation::new(header.alg);
        v.leeway = LEEWAY_SECS;
        v.validate_nbf = true;
        v.validate_aud = false; // checked below: Cognito access tokens carry `client_id`, not `aud`
        v.set_issuer(&[self.issuer.as_str()]);
        v.set_required_spec_claims(&["exp", "iss", "sub"]);
        let data = jsonwebtoken::decode::<Value>(token, &key, &v).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::ExpiredSignature => refuse("token expired"),
            jsonwebtoken::errors::ErrorKind::ImmatureSignature => refuse("token not yet valid"),
            jsonwebtoken::errors::ErrorKind::InvalidIssuer => refuse("token issuer not accepted"),
            jsonwebtoken::errors::ErrorKind::InvalidSignature => refuse("token signature invalid"),
            _ => refuse("token invalid"),
        })?;
        let caller = self.caller_from_claims(&data.claims)?;
        let session = self.local_session(&data.claims)?;
        if let Some(s) = &session
            && !self.session_is_current(s)
        {
            return Err(refuse(
                "token revoked: its user was removed, or its password or teams changed",
            ));
        }
        if let (Some(exp), Ok(mut cache)) = (
            data.claims.get("exp").and_then(Value::as_i64),
            self.verified.lock(),
        ) {
            if cache.len() >= VERIFIED_CACHE_SIZE {
                cache.clear();
            }
            let verified = Verified {
                caller: caller.clone(),
                exp,
                kid,
                session,
            };
            cache.insert(token.to_owned(), verified);
        }
        Ok(caller)
    }

    /// The local session a token claims, when local users are on and it claims one.
    fn local_session(&self, claims: &Value) -> Result<Option<LocalSession>, AuthError> {
        let (Some(_), Some(stamp)) = (
            &self.local,
            claims.get(LOCAL_SESSION_CLAIM).and_then(Value::as_str),
        ) else {
            return Ok(None);
        };
        let username = claims
            .get("sub")
            .and_then(Value::as_str)
            .and_then(|s| s.strip_prefix("local:"))
            .ok_or_else(|| AuthError("token invalid".into()))?;
        Ok(Some(LocalSession {
            username: username.to_owned(),
            stamp: stamp.to_owned(),
        }))
    }

    /// Whether the session's user still exists with that stamp. An unreadable `users.json`
    /// refuses the token: a removed user must not get in while the file cannot be read.
    fn session_is_current(&self, session: &LocalSession) -> bool {
        let Some(users) = &self.local else {
            return false;
        };
        match users.session_is_current(&session.username, &session.stamp) {
            Ok(current) => current,
            Err(e) => {
                tracing::error!(error = %e, "cannot check a local token's session");
                false
            }
        }
    }

    /// The caller of a token verified before, if it has not expired since and its signing key
    /// is still published (a key the identity provider rotated out revokes its tokens here too).
    /// A local token's session must still be current too; a token that fails a check leaves
    /// the cache, and the full verification gives the reason.
    async fn cached(&self, token: &str) -> Option<Caller> {
        let hit = self.verified.lock().ok()?.get(token).cloned()?;
        let forget = || {
            if let Ok(mut cache) = self.verified.lock() {
                cache.remove(token);
            }
        };
        if chrono::Utc::now().timestamp() > hit.exp + LEEWAY_SECS as i64 {
            forget();
            return None;
        }
        if let Some(s) = &hit.session
            && !self.session_is_current(s)
        {
            forget();
            return None;
        }
        let published = match &self.jwks {
            Jwks::Static(set) => set.find(&hit.kid).is_some(),
            Jwks::Remote { cache, .. } => cache.read().await.0.find(&hit.kid).is_some(),
        };
        published.then_some(hit.caller)
    }

    /// Builds the caller from verified claims (also used for trusted gateway claims).
    pub fn caller_from_claims(&self, claims: &Value) -> Result<Caller, AuthError> {
        let refuse = |m: &str| AuthError(m.to_owned());
        let s = |k: &str| claims.get(k).and_then(Value::as_str);
        let aud_ok = match claims.get("aud") {
            Some(Value::String(a)) => self.audiences.contains(a),
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .any(|a| self.audiences.contains(a)),
            _ => false,
        } || s("client_id").is_some_and(|c| self.audiences.contains(c));
        if !aud_ok {
            return Err(refuse("token audience not accepted"));
        }
        if let Some(use_) = s("token_use")
            && use_ != "id"
            && use_ != "access"
        {
            return Err(refuse("token_use not accepted"));
        }
        let subject = s("sub")
            .ok_or_else(|| refuse("token has no subject"))?
            .to_owned();
        let username = [
            "cognito:username",
            "username",
            "preferred_username",
            "email",
        ]
        .iter()
        .find_map(|k| s(k))
        .unwrap_or(&subject)
        .to_owned();
        let groups = groups(claims.get(&self.groups_claim));
        let is_admin = groups.iter().any(|g| g.as_str() == self.admin_group);
        Ok(Caller {
            subject,
            username,
            email: s("email").map(str::to_owned),
            groups,
            is_admin,
        })
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, AuthError> {
        let find = |set: &JwkSet| set.find(kid).and_then(|j| DecodingKey::from_jwk(j).ok());
        match &self.jwks {
            Jwks::Static(set) => find(set).ok_or_else(|| AuthError("unknown signing key".into())),
            Jwks::Remote { url, client, cache } => {
                {
                    let c = cache.read().await;
                    if let Some(k) = find(&c.0) {
                        return Ok(k);
                    }
                    if c.1.is_some_and(|at| at.elapsed() < self.refresh_interval) {
                        return Err(AuthError("unknown signing key".into()));
                    }
                }
                let mut c = cache.write().await;
                if c.1.is_none_or(|at| at.elapsed() >= self.refresh_interval) {
                    c.1 = Some(Instant::now());
                    match fetch_jwks(client, url).await {
                        Ok(set) => c.0 = set,
                        Err(e) => tracing::warn!(error = %e, "cannot refresh the JWKS"),
                    }
                }
                find(&c.0).ok_or_else(|| AuthError("unknown signing key".into()))
            }
        }
    }
}

fn groups(v: Option<&Value>) -> Vec<TeamName> {
    let names: Vec<&str> = match v {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        // Some IdPs send a space- or comma-separated string; API Gateway's JWT authorizer
        // flattens a list claim to "[a b]".
        Some(Value::String(s)) => s
            .trim_matches(|c| c == '[' || c == ']')
            .split([',', ' '])
            .filter(|g| !g.is_empty())
            .collect(),
        _ => vec![],
    };
    let mut out: Vec<TeamName> = names
        .into_iter()
        .filter_map(|g| TeamName::parse("groups", g).ok())
        .collect();
    out.sort();
    out.dedup();
    out
}

fn remote(url: String) -> Result<Jwks, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Jwks::Remote {
        url,
        client,
        cache: RwLock::new((JwkSet { keys: vec![] }, None)),
    })
}

async fn fetch_jwks(client: &reqwest::Client, url: &str) -> Result<JwkSet, String> {
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("GET {url}: HTTP {}", resp.status()));
    }
    resp.json::<JwkSet>()
        .await
        .map_err(|e| format!("{url}: not a JWKS: {e}"))
}

/// What the web UI needs to know to sign users in (`GET /auth/config`); public values only.
/// Local mode: a password form posting to `/auth/login`. Cognito and oidc: the authorization
/// code flow with PKCE against the issuer, when a web client is configured.
pub fn public_config(config: &Config) -> Value {
    let issuer = match &config.auth {
        AuthMode::Local { .. } => return serde_json::json!({ "mode": "local" }),
        AuthMode::Cognito {
            user_pool_id,
            region,
            issuer,
            ..
        } => issuer.clone().unwrap_or_else(|| {
            format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
        }),
        AuthMode::Oidc { issuer, .. } => issuer.clone(),
    };
    let web = config.web_sign_in.as_ref();
    serde_json::json!({
        "mode": "oidc",
        "issuer": issuer,
        "clientId": web.map(|w| w.client_id.as_str()),
        "scopes": web.map(|w| w.scopes.as_slice()),
        "authorizationEndpoint": web.and_then(|w| w.authorization_endpoint.as_deref()),
        "tokenEndpoint": web.and_then(|w| w.token_endpoint.as_deref()),
    })
}

/// Origins the web UI fetches from to sign in (the issuer's discovery document, the token
/// endpoint): they join the page's `connect-src`. None in local mode or without a web client.
pub fn sign_in_origins(config: &Config) -> Vec<String> {
    let Some(web) = &config.web_sign_in else {
        return vec![];
    };
    let issuer = public_config(config)["issuer"].as_str().map(str::to_owned);
    let mut origins: Vec<String> = [issuer, web.token_endpoint.clone()]
        .into_iter()
        .flatten()
        .filter_map(|u| origin(&u))
        .collect();
    origins.dedup();
    origins
}

/// `scheme://host[:port]` of a URL, when it is http(s) and has no characters a policy
/// header could not carry.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    (matches!(scheme, "https" | "http") && !host.is_empty() && host.chars().all(plain))
        .then(|| format!("{scheme}://{host}"))
}

async fn discover_jwks_url(issuer: &str) -> Result<String, String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let doc: Value = reqwest::get(&url)
        .await
        .map_err(|e| format!("LAKECAT_OIDC_ISSUER: cannot read {url}: {e}"))?
        .json()
        .await
        .map_err(|e| format!("LAKECAT_OIDC_ISSUER: {url} is not JSON: {e}"))?;
    doc.get("jwks_uri")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{url} has no jwks_uri"))
}

/// Signs a local-mode token (ES256, [`LOCAL_TOKEN_SECS`]), tied to the user's session stamp
/// when given one.
pub fn sign_local_token(
    key: &EncodingKey,
    kid: &str,
    subject: &str,
    username: &str,
    groups: &[String],
    session: Option<&str>,
) -> Result<String, String> {
    let now = chrono::Utc::now().timestamp();
    let mut claims = serde_json::json!({
        "iss": LOCAL_ISSUER, "aud": LOCAL_AUDIENCE, "sub": subject, "username": username,
        LOCAL_GROUPS_CLAIM: groups, "token_use": "id", "iat": now, "nbf": now,
        "exp": now + LOCAL_TOKEN_SECS,
    });
    if let Some(session) = session {
        claims[LOCAL_SESSION_CLAIM] = session.into();
    }
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, &claims, key).map_err(|e| format!("cannot sign token: {e}"))
}
