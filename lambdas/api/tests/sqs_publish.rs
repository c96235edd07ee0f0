//! The API Lambda's path to SQS against moto server: a mutation that puts a task back to
//! PENDING (an admin's `retryTask`) publishes its envelope after commit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::Arc;
use std::time::Duration;

use http_body_util::BodyExt;
use lakecat_core::tasks::{NewTask, TaskEnvelope, TaskOutcome, TaskStore};
use lakecat_server::{Adapters, App, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

#[tokio::test]
async fn retried_tasks_are_published_to_sqs_after_commit() {
    let moto = lakecat_testkit::moto::start().unwrap();
    let sdk = lakecat_aws::AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await
    .into_builder()
    .credentials_provider(aws_sdk_sqs::config::SharedCredentialsProvider::new(
        aws_sdk_sqs::config::Credentials::new("test", "test", None, None, "test"),
    ))
    .build();
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let url = |r: aws_sdk_sqs::operation::create_queue::CreateQueueOutput| {
        r.queue_url().unwrap().to_owned()
    };
    let dlq = url(sqs
        .create_queue()
        .queue_name("tasks-dlq")
        .send()
        .await
        .unwrap());
    let main = url(sqs.create_queue().queue_name("tasks").send().await.unwrap());

    let dir = tempfile::tempdir().unwrap();
    let db = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), db);
    config.in_process_worker = false;
    let queue = Arc::new(lakecat_aws::SqsQueue::new(&sdk, main.clone(), dlq));
    let adapters = Adapters {
        queue: Some(queue),
        ..Adapters::default()
    };
    let app = App::build(config, true, adapters).await.unwrap();

    let task = NewTask::new("sync-tables", None, json!({"v": 1}));
    app.store
        .enqueue(std::slice::from_ref(&task))
        .await
        .unwrap();
    let claimed = app
        .store
        .claim(&task.id, Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    app.store
        .finish(
            &task.id,
            claimed.attempt,
            &TaskOutcome::Failed("denied".into()),
        )
        .await
        .unwrap();

    let token = app
        .auth
        .local_users()
        .unwrap()
        .token_for("root", &["lakecat-admins".into()])
        .unwrap();
    let query = format!(
        r#"mutation {{ retryTask(input: {{id: "{}"}}) {{ status }} }}"#,
        task.id
    );
    let req = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(
            json!({ "query": query }).to_string(),
        ))
        .unwrap();
    let resp = lakecat_lambda_api::service(&app)
        .oneshot(req)
        .await
        .unwrap();
    let body: Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body["data"]["retryTask"]["status"], "PENDING", "{body}");

    let got = sqs
        .receive_message()
        .queue_url(&main)
        .wait_time_seconds(2)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = got.messages().iter().filter_map(|m| m.body()).collect();
    assert_eq!(bodies.len(), 1);
    assert_eq!(TaskEnvelope::parse(bodies[0]).unwrap(), task.envelope());
}
