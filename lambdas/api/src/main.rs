//! `lakecat-api`: the catalog API Lambda (thin: config, tracing, run).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    lakecat_server::init_tracing(true);
    let app = lakecat_lambda_api::app_from_env()
        .await
        .map_err(|e| format!("configuration: {e}"))?;
    lambda_http::run(lakecat_lambda_api::service(&app)).await
}
