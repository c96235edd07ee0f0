//! Real API Gateway event JSON through the Lambda's service: REST (v1) with a Cognito
//! authorizer, HTTP API (v2) with a JWT authorizer, and a bearer token with no authorizer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use http_body_util::BodyExt;
use lakecat_server::{Adapters, App, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

async fn app(trust: bool) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.trust_gateway_claims = trust;
    config.audiences.push("app-client-1".into());
    (
        App::build(config, true, Adapters::default()).await.unwrap(),
        dir,
    )
}

const QUERY: &str = "{ me { subject username teams } }";

fn v1_event(claims: Option<Value>, auth_header: Option<&str>) -> String {
    let mut headers = json!({ "content-type": "application/json", "Host": "abc.execute-api.eu-west-1.amazonaws.com" });
    if let Some(a) = auth_header {
        headers["Authorization"] = a.into();
    }
    let mut authorizer = json!({});
    if let Some(c) = claims {
        authorizer = json!({ "claims": c, "principalId": "" });
    }
    json!({
        "resource": "/graphql", "path": "/graphql", "httpMethod": "POST",
        "headers": headers, "multiValueHeaders": {}, "queryStringParameters": null,
        "multiValueQueryStringParameters": null, "pathParameters": null, "stageVariables": null,
        "requestContext": {
            "resourceId": "abc", "resourcePath": "/graphql", "httpMethod": "POST",
            "extendedRequestId": "x1", "requestTime": "22/Nov/2026:10:00:00 +0000",
            "path": "/prod/graphql", "accountId": "123456789012", "protocol": "HTTP/1.1",
            "stage": "prod", "domainPrefix": "abc", "requestTimeEpoch": 1795000000000u64,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": { "sourceIp": "203.0.113.1", "userAgent": "curl/8" },
            "domainName": "abc.execute-api.eu-west-1.amazonaws.com", "apiId": "abc",
            "authorizer": authorizer
        },
        "body": json!({ "query": QUERY }).to_string(),
        "isBase64Encoded": false
    })
    .to_string()
}

fn v2_event(jwt_claims: Option<Value>, auth_header: Option<&str>) -> String {
    let mut headers = json!({ "content-type": "application/json", "host": "abc.execute-api.eu-west-1.amazonaws.com" });
    if let Some(a) = auth_header {
        headers["authorization"] = a.into();
    }
    let mut ctx = json!({
        "accountId": "123456789012", "apiId": "abc", "domainName": "abc.execute-api.eu-west-1.amazonaws.com",
        "domainPrefix": "abc", "http": { "method": "POST", "path": "/graphql", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1", "userAgent": "curl/8" },
        "requestId": "JKJaXmPLvHcESHA=", "routeKey": "POST /graphql", "stage": "$default",
        "time": "22/Nov/2026:10:00:00 +0000", "timeEpoch": 1795000000000u64
    });
    if let Some(c) = jwt_claims {
        ctx["authorizer"] = json!({ "jwt": { "claims": c, "scopes": null } });
    }
    json!({
        "version": "2.0", "routeKey": "POST /graphql", "rawPath": "/graphql", "rawQueryString": "",
        "headers": headers, "requestContext": ctx,
        "body": json!({ "query": QUERY }).to_string(), "isBase64Encoded": false
    })
    .to_string()
}

async fn run(app: &App, event: &str) -> (u16, Value) {
    let req = lambda_http::request::from_str(event).unwrap();
    let resp = lakecat_lambda_api::service(app)
        .oneshot(req.map(axum::body::Body::new))
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn rest_api_cognito_authorizer_claims_are_the_identity_when_trusted() {
    let (app, _d) = app(true).await;
    let claims = json!({ "sub": "abc-123", "cognito:username": "ana", "aud": "app-client-1", "token_use": "id", "cognito:groups": "sales,finance" });
    let (status, body) = run(&app, &v1_event(Some(claims), None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["me"],
        json!({ "subject": "abc-123", "username": "ana", "teams": ["finance", "sales"] })
    );
}

#[tokio::test]
async fn http_api_jwt_authorizer_claims_are_the_identity_when_trusted() {
    let (app, _d) = app(true).await;
    let claims = json!({ "sub": "abc-456", "username": "ben", "client_id": "app-client-1", "token_use": "access", "cognito:groups": "[finance platform]" });
    let (status, body) = run(&app, &v2_event(Some(claims), None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["me"],
        json!({ "subject": "abc-456", "username": "ben", "teams": ["finance", "platform"] })
    );
}

#[tokio::test]
async fn claims_are_ignored_unless_trusted_and_bearer_tokens_still_work() {
    let (app, _d) = app(false).await;
    let claims =
        json!({ "sub": "forged", "aud": "app-client-1", "cognito:groups": "lakecat-admins" });
    let (_, body) = run(&app, &v1_event(Some(claims), None)).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
    let token = app
        .auth
        .local_users()
        .unwrap()
        .token_for("dev", &["platform".into()])
        .unwrap();
    let bearer = format!("Bearer {token}");
    for event in [v1_event(None, Some(&bearer)), v2_event(None, Some(&bearer))] {
        let (status, body) = run(&app, &event).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["me"]["username"], "dev");
    }
    // A trusted claim set with a foreign audience is refused.
    let (app, _d) = app_trusting().await;
    let claims = json!({ "sub": "x", "aud": "other-client" });
    let (status, body) = run(&app, &v2_event(Some(claims), None)).await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (401, Some("UNAUTHENTICATED"))
    );
}

async fn app_trusting() -> (App, tempfile::TempDir) {
    app(true).await
}
