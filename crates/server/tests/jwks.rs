//! Remote JWKS handling against a real HTTP server on loopback: keys are fetched on first
//! use, an unknown `kid` triggers a refresh (key rotation), and a stream of unknown `kid`s
//! cannot make the server hammer the identity provider. Also: local tokens keep their teams
//! when `LAKECAT_GROUPS_CLAIM` names another claim for external tokens.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::routing::get;
use jsonwebtoken::jwk::JwkSet;
use lakecat_server::local_users::LocalUsers;
use lakecat_server::{AuthMode, Authenticator, Config};
use serde_json::{Value, json};

#[derive(Clone)]
struct Idp {
    keys: Arc<Mutex<JwkSet>>,
    fetches: Arc<AtomicUsize>,
}

async fn jwks(State(idp): State<Idp>) -> Json<JwkSet> {
    idp.fetches.fetch_add(1, Ordering::SeqCst);
    Json(idp.keys.lock().unwrap().clone())
}

const ISSUER: &str = "https://idp.test";

fn claims() -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({ "iss": ISSUER, "aud": "app", "sub": "u1", "groups": ["analysts"], "iat": now, "exp": now + 600 })
}

#[tokio::test]
async fn unknown_kid_refreshes_the_jwks_at_most_once_per_interval() {
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let key_a = LocalUsers::open(dir_a.path(), "admins").unwrap();
    let key_b = LocalUsers::open(dir_b.path(), "admins").unwrap();
    let idp = Idp {
        keys: Arc::new(Mutex::new(key_a.jwks())),
        fetches: Arc::new(AtomicUsize::new(0)),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/jwks.json", get(jwks))
        .with_state(idp.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let mut config = Config::local(dir_a.path().to_path_buf(), "sqlite::memory:".into());
    config.auth = AuthMode::Oidc {
        issuer: ISSUER.into(),
        jwks_url: Some(url),
    };
    config.audiences = vec!["app".into()];
    config.groups_claim = "groups".into();
    let interval = Duration::from_millis(300);
    let auth = Authenticator::from_config(&config)
        .await
        .unwrap()
        .with_jwks_refresh_interval(interval);

    let token_a = key_a.sign_claims(&claims()).unwrap();
    let token_b = key_b.sign_claims(&claims()).unwrap();
    let caller = auth.verify(&token_a).await.unwrap();
    assert_eq!(caller.group_names(), vec!["analysts".to_owned()]);
    assert_eq!(
        idp.fetches.load(Ordering::SeqCst),
        1,
        "fetched on first use"
    );
    assert_eq!(
        auth.verify(&token_a).await.map(|c| c.subject).unwrap(),
        "u1"
    );
    assert_eq!(
        idp.fetches.load(Ordering::SeqCst),
        1,
        "served from the cache"
    );

    // Key B is not published yet: refused, and a burst of such tokens costs no fetch while
    // the last one is younger than the interval.
    for _ in 0..20 {
        assert!(auth.verify(&token_b).await.is_err());
    }
    assert!(idp.fetches.load(Ordering::SeqCst) <= 2, "rate limited");

    // The IdP rotates to key B: after the interval, the unknown kid triggers one refresh.
    *idp.keys.lock().unwrap() = key_b.jwks();
    tokio::time::sleep(interval + Duration::from_millis(50)).await;
    let before = idp.fetches.load(Ordering::SeqCst);
    assert_eq!(auth.verify(&token_b).await.unwrap().subject, "u1");
    assert_eq!(idp.fetches.load(Ordering::SeqCst), before + 1);
    // Key A was rotated out.
    assert!(auth.verify(&token_a).await.is_err());
}

#[tokio::test]
async fn local_tokens_keep_their_teams_whatever_the_groups_claim() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::local(dir.path().to_path_buf(), "sqlite::memory:".into());
    config.groups_claim = "custom:groups".into();
    let auth = Authenticator::from_config(&config).await.unwrap();
    let users = auth.local_users().unwrap();
    let token = users.token_for("ana", &["sales-analytics".into()]).unwrap();
    let caller = auth.verify(&token).await.unwrap();
    assert_eq!(caller.group_names(), vec!["sales-analytics".to_owned()]);
}
