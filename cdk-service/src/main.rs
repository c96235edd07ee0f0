//! `lakecat-stack-service`: the stack service (thin: settings, tracing, run).

#[tokio::main]
async fn main() -> Result<(), String> {
    if std::env::args().nth(1).as_deref() == Some("healthcheck") {
        let listen = std::env::var("LAKECAT_LISTEN")
            .unwrap_or_else(|_| lakecat_config::stack_service::DEFAULT_LISTEN.to_owned());
        let listen = listen
            .parse()
            .map_err(|_| format!("LAKECAT_LISTEN: not an address: {listen}"))?;
        return lakecat_stack_service::probe(listen);
    }
    let filter = tracing_subscriber::EnvFilter::try_from_env("LAKECAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(lakecat_config::DEFAULT_LOG_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .json()
        .flatten_event(true)
        .init();
    let settings = lakecat_config::stack_service::StackServiceSettings::from_lookup(
        lakecat_config::process_env,
    )
    .map_err(|e| format!("configuration: {e}"))?;
    lakecat_stack_service::run(settings).await.inspect_err(|e| {
        tracing::error!(error = %e, "stack service stopped");
    })
}
