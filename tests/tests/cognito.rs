//! Sign in against moto server's Cognito (user pool, app client, group, user,
//! USER_PASSWORD_AUTH) and call the API with the real tokens. moto signs RS256 tokens with
//! its own key and serves the JWKS at `{endpoint}/{pool}/.well-known/jwks.json`; its issuer
//! claim names the real AWS host, which is the verifier's default issuer.
//! moto cannot issue an expired token on demand: expiry is covered by the server's tests with
//! the same verifier.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use lakecat_server::{App, AuthMode, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

const REGION: &str = "eu-west-1";

async fn cognito(endpoint: &str, action: &str, body: Value) -> Value {
    let resp = reqwest::Client::new()
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", format!("AWSCognitoIdentityProviderService.{action}"))
        // moto reads the region from the credential scope; the signature is not checked.
        .header("authorization", format!("AWS4-HMAC-SHA256 Credential=test/20260101/{REGION}/cognito-idp/aws4_request, SignedHeaders=host, Signature=0"))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert!(status.is_success(), "{action}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

async fn api(app: &App, token: &str, query: &str) -> (u16, Value) {
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let resp = app.router().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

async fn app_for(pool: &str, endpoint: &str, audience: &str, dir: &std::path::Path) -> App {
    let mut config = Config::local(
        dir.to_path_buf(),
        lakecat_store::sqlite_url(&dir.join("catalog.db")),
    );
    config.auth = AuthMode::Cognito {
        user_pool_id: pool.into(),
        region: REGION.into(),
        endpoint: Some(endpoint.into()),
        issuer: None,
    };
    config.audiences = vec![audience.into()];
    config.admin_group = "lakecat-admins".into();
    let wired = lakecat_cli::adapters(&config).await.unwrap();
    App::build(config, true, wired).await.unwrap()
}

#[tokio::test]
async fn cognito_tokens_from_moto_authenticate_and_carry_groups() {
    let moto = tokio::task::spawn_blocking(lakecat_testkit::moto::start)
        .await
        .unwrap()
        .unwrap();
    let ep = moto.endpoint.clone();
    let pool =
        cognito(&ep, "CreateUserPool", json!({ "PoolName": "lakecat" })).await["UserPool"]["Id"]
            .as_str()
            .unwrap()
            .to_owned();
    let client = cognito(&ep, "CreateUserPoolClient", json!({
        "UserPoolId": pool, "ClientName": "web", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    }))
    .await["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    for g in ["sales-analytics", "lakecat-admins"] {
        cognito(
            &ep,
            "CreateGroup",
            json!({ "UserPoolId": pool, "GroupName": g }),
        )
        .await;
    }
    cognito(&ep, "AdminCreateUser", json!({ "UserPoolId": pool, "Username": "ana", "TemporaryPassword": "Temp-pass-1!", "MessageAction": "SUPPRESS",
        "UserAttributes": [{ "Name": "email", "Value": "ana@example.com" }] })).await;
    cognito(&ep, "AdminSetUserPassword", json!({ "UserPoolId": pool, "Username": "ana", "Password": "Real-pass-1!", "Permanent": true })).await;
    cognito(
        &ep,
        "AdminAddUserToGroup",
        json!({ "UserPoolId": pool, "Username": "ana", "GroupName": "sales-analytics" }),
    )
    .await;
    let auth = cognito(&ep, "InitiateAuth", json!({
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": { "USERNAME": "ana", "PASSWORD": "Real-pass-1!" }
    }))
    .await;
    let id_token = auth["AuthenticationResult"]["IdToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let access_token = auth["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let dir = tempfile::tempdir().unwrap();
    let app = app_for(&pool, &ep, &client, dir.path()).await;
    for token in [&id_token, &access_token] {
        let (status, body) = api(&app, token, "{ me { username teams isAdmin } }").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["data"]["me"]["teams"],
            json!(["sales-analytics"]),
            "{body}"
        );
        assert_eq!(body["data"]["me"]["isAdmin"], false);
    }

    // Tampered payload: 401.
    let parts: Vec<&str> = id_token.split('.').collect();
    let mut payload = parts[1].to_owned();
    let i = payload.len() / 2;
    payload.replace_range(i..i + 1, if &payload[i..i + 1] == "A" { "B" } else { "A" });
    let tampered = format!("{}.{}.{}", parts[0], payload, parts[2]);
    let (status, body) = api(&app, &tampered, "{ me { username } }").await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (401, Some("UNAUTHENTICATED")),
        "{body}"
    );

    // A server expecting another app client refuses the token: 401.
    let other_dir = tempfile::tempdir().unwrap();
    let other = app_for(&pool, &ep, "another-client", other_dir.path()).await;
    let (status, body) = api(&other, &id_token, "{ me { username } }").await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (401, Some("UNAUTHENTICATED")),
        "{body}"
    );

    // Group membership is live per token: add the admin group, sign in again, and the
    // caller is an admin.
    cognito(
        &ep,
        "AdminAddUserToGroup",
        json!({ "UserPoolId": pool, "Username": "ana", "GroupName": "lakecat-admins" }),
    )
    .await;
    let auth = cognito(&ep, "InitiateAuth", json!({
        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": { "USERNAME": "ana", "PASSWORD": "Real-pass-1!" }
    }))
    .await;
    let token = auth["AuthenticationResult"]["IdToken"].as_str().unwrap();
    let (_, body) = api(&app, token, "{ me { isAdmin } }").await;
    assert_eq!(body["data"]["me"]["isAdmin"], true, "{body}");
}
