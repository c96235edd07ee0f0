//! The stack service's faces: its health endpoint (no socket), and its queue consumer against
//! moto server's SQS — handled messages are deleted, unrecorded ones come back, a poison
//! body is left to the redrive policy, and a long task keeps its message hidden.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::SdkConfig;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use lakecat_aws::{AwsConfig, SqsInbox};
use lakecat_core::ids::TaskId;
use lakecat_core::tasks::TaskEnvelope;
use lakecat_stack_service::{Consuming, consume, router};
use tower::ServiceExt;

#[tokio::test]
async fn healthz_answers_ok() {
    let response = router()
        .oneshot(Request::get("/healthz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"ok");
}

async fn queue(sdk: &SdkConfig) -> (aws_sdk_sqs::Client, String) {
    let client = aws_sdk_sqs::Client::new(sdk);
    let q = client
        .create_queue()
        .queue_name("lakecat-stacks")
        .send()
        .await
        .unwrap();
    (client, q.queue_url().unwrap().to_owned())
}

/// The bodies left in the queue once their hiding time has passed.
async fn left(client: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let out = client
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .wait_time_seconds(5)
        .send()
        .await
        .unwrap();
    let mut bodies: Vec<String> = out
        .messages()
        .iter()
        .map(|m| m.body().unwrap_or_default().to_owned())
        .collect();
    bodies.sort();
    bodies
}

#[tokio::test]
async fn handled_tasks_are_deleted_and_the_rest_come_back() {
    let moto = lakecat_testkit::moto::start().unwrap();
    let sdk = AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;
    let (client, url) = queue(&sdk).await;
    let done = TaskEnvelope::new(&TaskId::generate(), "stack.deploy");
    let unrecorded = TaskEnvelope::new(&TaskId::generate(), "stack.delete");
    let slow = TaskEnvelope::new(&TaskId::generate(), "stack.deploy");
    for body in [
        done.to_json(),
        unrecorded.to_json(),
        slow.to_json(),
        "not an envelope".to_owned(),
    ] {
        client
            .send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .unwrap();
    }

    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let consumer = tokio::spawn({
        let (seen, unrecorded, slow) = (seen.clone(), unrecorded.clone(), slow.clone());
        consume(
            SqsInbox::new(&sdk, url.clone()),
            Consuming {
                concurrency: 4,
                hide: Duration::from_secs(3),
                wait: Duration::from_secs(1),
                drain: Duration::from_secs(20),
            },
            move |envelope: TaskEnvelope| {
                let (seen, unrecorded, slow) = (seen.clone(), unrecorded.clone(), slow.clone());
                async move {
                    seen.lock().unwrap().push(envelope.task_id.clone());
                    if envelope == slow {
                        // Longer than the hiding time: kept hidden while it runs.
                        tokio::time::sleep(Duration::from_secs(7)).await;
                    }
                    if envelope == unrecorded {
                        return Err("the store is down".to_owned());
                    }
                    Ok(())
                }
            },
            async {
                let _ = stopped.await;
            },
        )
    });
    while seen.lock().unwrap().len() < 3 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(()).unwrap();
    // Past the hiding time, the slow task's message is still hidden: its hiding was renewed.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let peek = client
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .visibility_timeout(0)
        .send()
        .await
        .unwrap();
    assert!(!consumer.is_finished());
    let bodies: Vec<&str> = peek.messages().iter().filter_map(|m| m.body()).collect();
    assert!(!bodies.contains(&slow.to_json().as_str()), "{bodies:?}");
    assert!(bodies.contains(&"not an envelope"), "{bodies:?}");
    // The slow task is drained, not abandoned.
    consumer.await.unwrap();

    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    let mut want = vec![done.task_id, unrecorded.task_id.clone(), slow.task_id];
    want.sort();
    assert_eq!(
        seen, want,
        "each task ran once: the slow one was not redelivered"
    );
    let mut expected = vec![unrecorded.to_json(), "not an envelope".to_owned()];
    expected.sort();
    assert_eq!(left(&client, &url).await, expected);
}

#[tokio::test]
async fn the_health_probe_reads_the_endpoint() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router()).await });
    let probed = tokio::task::spawn_blocking(move || lakecat_stack_service::probe(addr))
        .await
        .unwrap();
    assert_eq!(probed, Ok(()));
    let nobody = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    assert!(lakecat_stack_service::probe(nobody).is_err());
}
