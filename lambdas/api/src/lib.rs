//! The API Lambda: the server's router under `lambda_http`, plus the one thing only a
//! Lambda knows — the claims an API Gateway Cognito/JWT authorizer already verified, handed
//! to the router as [`TrustedClaims`] when `LAKECAT_TRUST_GATEWAY_CLAIMS` is on.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use lakecat_server::{Adapters, App, Config, TrustedClaims};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use serde_json::Value;

/// The claims of the gateway's authorizer, if any: REST APIs put Cognito claims under
/// `authorizer.claims`; HTTP APIs under `authorizer.jwt.claims`.
pub fn gateway_claims(ctx: &RequestContext) -> Option<Value> {
    match ctx {
        RequestContext::ApiGatewayV1(c) => c
            .authorizer
            .fields
            .get("claims")
            .filter(|v| v.is_object())
            .cloned(),
        RequestContext::ApiGatewayV2(c) => {
            c.authorizer
                .as_ref()
                .and_then(|a| a.jwt.as_ref())
                .map(|jwt| {
                    Value::Object(
                        jwt.claims
                            .iter()
                            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                            .collect(),
                    )
                })
        }
        _ => None,
    }
}

/// The API Gateway stage lambda_http put in front of the path (`/prod/graphql`), if any.
fn stage(ctx: &RequestContext) -> Option<&str> {
    match ctx {
        RequestContext::ApiGatewayV1(c) => c.stage.as_deref(),
        RequestContext::ApiGatewayV2(c) => c.stage.as_deref(),
        _ => None,
    }
    .filter(|s| *s != "$default")
}

/// Hands the authorizer's claims to the router and removes the stage from the path, so the
/// same router serves every stage.
async fn from_gateway(mut req: Request, next: Next) -> Response {
    let ctx = req.extensions().request_context_ref().cloned();
    if let Some(ctx) = ctx {
        if let Some(claims) = gateway_claims(&ctx) {
            req.extensions_mut().insert(TrustedClaims(claims));
        }
        if let Some(stage) = stage(&ctx) {
            let prefix = format!("/{stage}");
            let path = req.uri().path();
            if let Some(rest) = path.strip_prefix(&prefix).filter(|r| r.starts_with('/')) {
                let pq = match req.uri().query() {
                    Some(q) => format!("{rest}?{q}"),
                    None => rest.to_owned(),
                };
                if let Ok(uri) = pq.parse() {
                    *req.uri_mut() = uri;
                }
            }
        }
    }
    next.run(req).await
}

/// The router the Lambda serves. The gateway layer wraps the whole router (as a fallback
/// service) because a `Router::layer` runs after routing, too late to remove the stage.
pub fn service(app: &App) -> axum::Router {
    axum::Router::new()
        .fallback_service(app.router())
        .layer(axum::middleware::from_fn(from_gateway))
}

/// Why the API refuses to start without OpenSearch.
pub const SEARCH_REQUIRED: &str = "OPENSEARCH_URL is required: the API answers searches from \
    OpenSearch and writes a search.index task with every catalog change, which the worker \
    Lambda runs on the same OpenSearch; set it, with OPENSEARCH_AUTH and friends, as the \
    worker's";

/// Refuses a deployment without search. The Lambda holds no embedded index (it is built
/// without one, and runs no worker to keep one current), so without OpenSearch every search
/// would fail while the catalog's changes kept writing search tasks.
pub fn require_search(config: &Config) -> Result<(), String> {
    match &config.opensearch {
        Some(_) => Ok(()),
        None => Err(SEARCH_REQUIRED.into()),
    }
}

/// Builds the app from `LAKECAT_*` and `OPENSEARCH_*` variables (read by
/// [`Config::from_env`], as `lakecat serve` and the worker read theirs). Migrations are not
/// run at cold start unless `LAKECAT_MIGRATE_ON_START=true` (deployments run `lakecat
/// migrate` once instead).
pub async fn app_from_env() -> Result<App, String> {
    let config = Config::from_env(None)?;
    require_search(&config)?;
    // One SDK configuration (region and credentials resolved once at cold start) for the
    // clients this Lambda carries, when it carries any.
    let sdk = if config.task_queue.is_some() || config.worker_function.is_some() {
        Some(
            lakecat_aws::AwsConfig {
                region: None,
                endpoint: config.aws.endpoint.clone(),
            }
            .load()
            .await,
        )
    } else {
        None
    };
    // Task ids go to SQS after commit when the queue is configured; else the worker's
    // scheduled sweep publishes them.
    let queue: Option<std::sync::Arc<dyn lakecat_core::tasks::TaskQueue>> =
        match (&config.task_queue, &sdk) {
            (Some(q), Some(sdk)) => Some(std::sync::Arc::new(
                lakecat_aws::SqsQueue::new(sdk, q.queue_url.clone(), q.dlq_url.clone())
                    .with_stack_queue(q.stack_queue_url.clone()),
            )),
            _ => None,
        };
    let search = match &config.opensearch {
        Some(os) => Some(std::sync::Arc::new(
            lakecat_search::OpenSearchIndex::open_checked(os)
                .await
                .map_err(|e| e.message)?,
        )
            as std::sync::Arc<dyn lakecat_core::search::SearchIndex>),
        None => None,
    };
    // Previews are read by the worker Lambda (Athena through the pivot role, which trusts
    // the worker and not the API), invoked synchronously.
    let previews = match (&config.worker_function, &sdk) {
        (Some(function), Some(sdk)) => Some(std::sync::Arc::new(lakecat_aws::WorkerPreviews::new(
            sdk,
            function.clone(),
        ))
            as std::sync::Arc<dyn lakecat_core::lake::TableReader>),
        _ => None,
    };
    let migrate = config.migrate_on_start;
    App::build(
        config,
        migrate,
        Adapters {
            search,
            queue,
            aws_lake: None,
            stacks: None,
            // Tables are synced, verified and profiled by the worker Lambda (Glue, Athena).
            tables: None,
            previews,
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_opensearch_the_api_refuses_to_start() {
        let api = |search: Option<&str>| {
            Config::from_lookup(None, |n| match n {
                "LAKECAT_AUTH_MODE" => Some("cognito".into()),
                "LAKECAT_COGNITO_USER_POOL_ID" => Some("eu-west-1_x".into()),
                "LAKECAT_COGNITO_REGION" => Some("eu-west-1".into()),
                "LAKECAT_AUDIENCES" => Some("client".into()),
                "LAKECAT_CURSOR_KEY" => Some("k".repeat(32)),
                "LAKECAT_DATABASE_URL" => Some("postgres://db/lakecat".into()),
                "OPENSEARCH_URL" => search.map(str::to_owned),
                _ => None,
            })
            .unwrap()
        };
        for unset in [None, Some(""), Some("  ")] {
            let e = require_search(&api(unset)).unwrap_err();
            assert_eq!(e, SEARCH_REQUIRED);
        }
        assert!(SEARCH_REQUIRED.starts_with("OPENSEARCH_URL is required: "));
        assert_eq!(
            require_search(&api(Some("https://search.example.com"))),
            Ok(())
        );
    }
}
