//! The stack service: a long-running process (a Fargate task) that long-polls its own SQS
//! queue for `stack.deploy` and `stack.delete` tasks and runs them with the worker's
//! [`StackHandler`] over the [`CloudFormationDeployer`]; it serves `GET /healthz` for the
//! load balancer or the container's health check. `docs/stacks.md` says why a service and
//! not one task per deploy.
//!
//! Library plus thin binary: `main.rs` reads the settings and calls [`run`]. Depends on the
//! worker, the store and the AWS adapters; never on the API.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use lakecat_aws::{AwsConfig, CloudFormationDeployer, Delivery, SqsInbox, SqsQueue, StackSettings};
use lakecat_config::stack_service::StackServiceSettings;
use lakecat_core::ports::CatalogStore;
use lakecat_core::stacks::StackDeployer;
use lakecat_core::tasks::{RetryPolicy, TaskEnvelope, TaskQueue};
use lakecat_worker::{StackHandler, Worker};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The service's HTTP face: only its health.
pub fn router() -> Router {
    Router::new().route("/healthz", get(|| async { "ok" }))
}

/// `GET /healthz` of the service listening on `listen`, for the container's health check
/// (the image has no curl): Ok when it answers 200.
pub fn probe(listen: std::net::SocketAddr) -> Result<(), String> {
    use std::io::{Read, Write};
    let local = std::net::SocketAddr::from(([127, 0, 0, 1], listen.port()));
    let mut conn = std::net::TcpStream::connect_timeout(&local, Duration::from_secs(2))
        .map_err(|e| format!("cannot connect to {local}: {e}"))?;
    conn.set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(|e| e.to_string())?;
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    conn.read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    if response.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        Err(format!(
            "GET /healthz: {}",
            response.lines().next().unwrap_or("no answer")
        ))
    }
}

/// How the queue is consumed.
#[derive(Debug, Clone, Copy)]
pub struct Consuming {
    /// Tasks run at once (a deploy mostly waits on CloudFormation).
    pub concurrency: usize,
    /// How long a received message stays hidden; renewed every third of it while its task
    /// runs, so a deploy of an hour is not delivered twice.
    pub hide: Duration,
    /// The long poll's wait (at most 20 s).
    pub wait: Duration,
    /// How long a shutdown waits for running tasks; the rest are left to their leases (the
    /// sweep republishes them, and the next attempt waits for the stack they left running).
    pub drain: Duration,
}

impl Default for Consuming {
    fn default() -> Self {
        Consuming {
            concurrency: 8,
            hide: Duration::from_secs(300),
            wait: Duration::from_secs(20),
            drain: Duration::from_secs(25),
        }
    }
}

/// Long-polls `inbox` until `shutdown` resolves, running `run` for every task envelope: a
/// message is deleted once `run` recorded the task's outcome (Ok), and left to be delivered
/// again otherwise. A body that is not an envelope is left to the queue's redrive policy.
pub async fn consume<F, Fut>(
    inbox: SqsInbox,
    consuming: Consuming,
    run: F,
    shutdown: impl Future<Output = ()>,
) where
    F: Fn(TaskEnvelope) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(consuming.concurrency.max(1)));
    let mut running = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // Only take as many messages as there are free slots.
        let free = tokio::select! {
            _ = &mut shutdown => break,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let extra = slots.available_permits().min(9);
        let received = tokio::select! {
            _ = &mut shutdown => break,
            r = inbox.receive(extra as i32 + 1, consuming.wait, consuming.hide) => r,
        };
        let deliveries = match received {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e.message, "cannot receive from the stack queue");
                drop(free);
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let mut first = Some(free);
        for delivery in deliveries {
            let permit = match first.take() {
                Some(p) => p,
                None => match slots.clone().try_acquire_owned() {
                    Ok(p) => p,
                    // Cannot happen (we asked for no more than the free slots): the message
                    // comes back after its hiding time.
                    Err(_) => continue,
                },
            };
            let (inbox, run) = (inbox.clone(), run.clone());
            running.spawn(async move {
                handle(&inbox, consuming.hide, &delivery, run).await;
                drop(permit);
            });
        }
        // Reap finished tasks as we go.
        while running.try_join_next().is_some() {}
    }
    tracing::info!(
        running = running.len(),
        "stopping: waiting for running tasks"
    );
    let drained = tokio::time::timeout(consuming.drain, async {
        while running.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            left = running.len(),
            "tasks still running at shutdown are left to their leases"
        );
    }
}

async fn handle<F, Fut>(inbox: &SqsInbox, hide: Duration, delivery: &Delivery, run: F)
where
    F: Fn(TaskEnvelope) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let envelope = match TaskEnvelope::parse(&delivery.body) {
        Ok(e) => e,
        Err(reason) => {
            tracing::error!(message.id = %delivery.message_id, error = %reason, "poison message; left to the redrive policy");
            return;
        }
    };
    let task = run(envelope);
    tokio::pin!(task);
    let outcome = loop {
        tokio::select! {
            outcome = &mut task => break outcome,
            _ = tokio::time::sleep(hide / 3) => {
                if let Err(e) = inbox.hide(delivery, hide).await {
                    tracing::warn!(message.id = %delivery.message_id, error = %e.message, "cannot keep the message hidden");
                }
            }
        }
    };
    match outcome {
        Ok(()) => {
            if let Err(e) = inbox.delete(delivery).await {
                // Delivered again later: the task is done or leased, and the worker says so.
                tracing::warn!(message.id = %delivery.message_id, error = %e.message, "cannot delete a handled message");
            }
        }
        Err(e) => {
            tracing::error!(message.id = %delivery.message_id, error = %e, "cannot record the task outcome; SQS redelivers");
        }
    }
}

/// The worker of the stack service: the stack tasks' handlers over `deployer`, retries
/// published through `queue` (which routes `stack.*` back to the stack queue).
pub fn worker(
    store: Arc<lakecat_store::SeaStore>,
    queue: Arc<dyn TaskQueue>,
    deployer: Arc<dyn StackDeployer>,
) -> Worker {
    let catalog: Arc<dyn CatalogStore> = store.clone();
    Worker::new(store, queue, RetryPolicy::default())
        .with_handler(Arc::new(StackHandler::deploy(
            catalog.clone(),
            deployer.clone(),
        )))
        .with_handler(Arc::new(StackHandler::check(
            catalog.clone(),
            deployer.clone(),
        )))
        .with_handler(Arc::new(StackHandler::delete(catalog, deployer)))
}

/// Runs the service until SIGTERM or Ctrl-C: the health endpoint and the queue consumer.
pub async fn run(settings: StackServiceSettings) -> Result<(), String> {
    let mut config = lakecat_store::StoreConfig::new(settings.database_url.clone());
    config.max_connections = 4;
    let store = Arc::new(
        lakecat_store::SeaStore::connect(&config)
            .await
            .map_err(|e| e.message)?,
    );
    let aws = AwsConfig {
        region: settings.aws.region.clone(),
        endpoint: settings.aws.endpoint.clone(),
    };
    let sdk = aws.load().await;
    let queues = &settings.queues;
    let queue: Arc<dyn TaskQueue> = Arc::new(
        SqsQueue::new(&sdk, queues.queue_url.clone(), queues.dlq_url.clone())
            .with_stack_queue(queues.stack_queue_url.clone()),
    );
    let deployer = Arc::new(
        CloudFormationDeployer::new(StackSettings {
            aws,
            external_id: settings.external_id.clone(),
            ..StackSettings::default()
        })
        .await,
    );
    let worker = Arc::new(worker(store, queue, deployer));
    let inbox = SqsInbox::new(&sdk, settings.stack_queue_url().to_owned());

    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
    tracing::info!(listen = %settings.listen, "stack service started");
    let http = tokio::spawn(async move { axum::serve(listener, router()).await });
    consume(
        inbox,
        Consuming::default(),
        move |envelope| {
            let worker = worker.clone();
            async move {
                worker
                    .process(&envelope)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.message)
            }
        },
        shutdown_signal(),
    )
    .await;
    http.abort();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
