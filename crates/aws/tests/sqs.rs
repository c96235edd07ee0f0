//! The SQS task queue against moto server: envelopes arrive intact, delays are passed on,
//! batches over SQS's limit of 10 are split, and dead letters land in the DLQ with a reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::time::Duration;

use aws_sdk_sqs::Client;
use lakecat_aws::{AwsConfig, SqsQueue};
use lakecat_core::ids::TaskId;
use lakecat_core::tasks::{TaskEnvelope, TaskQueue};

async fn receive_all(client: &Client, url: &str, want: usize) -> Vec<String> {
    let mut bodies = vec![];
    for _ in 0..20 {
        let out = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for m in out.messages() {
            bodies.push(m.body().unwrap_or_default().to_owned());
            client
                .delete_message()
                .queue_url(url)
                .receipt_handle(m.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        if bodies.len() >= want {
            break;
        }
    }
    bodies
}

#[tokio::test]
async fn publishes_envelopes_and_dead_letters_to_sqs() {
    let moto = lakecat_testkit::moto::start().unwrap();
    // moto accepts any credentials: static ones spare the SDK a search of the credential chain.
    let sdk = AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;
    let sdk = sdk
        .into_builder()
        .credentials_provider(aws_sdk_sqs::config::SharedCredentialsProvider::new(
            aws_sdk_sqs::config::Credentials::new("test", "test", None, None, "test"),
        ))
        .build();
    let client = Client::new(&sdk);
    let dlq = client
        .create_queue()
        .queue_name("lakecat-tasks-dlq")
        .send()
        .await
        .unwrap();
    let dlq_url = dlq.queue_url().unwrap().to_owned();
    let main = client
        .create_queue()
        .queue_name("lakecat-tasks")
        .send()
        .await
        .unwrap();
    let main_url = main.queue_url().unwrap().to_owned();
    let queue = SqsQueue::new(&sdk, main_url.clone(), dlq_url.clone());

    let envelopes: Vec<TaskEnvelope> = (0..23)
        .map(|_| TaskEnvelope::new(&TaskId::generate(), "noop"))
        .collect();
    queue.publish(&envelopes, Duration::ZERO).await.unwrap();
    let mut got: Vec<TaskEnvelope> = receive_all(&client, &main_url, 23)
        .await
        .iter()
        .map(|b| TaskEnvelope::parse(b).unwrap())
        .collect();
    got.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    let mut want = envelopes.clone();
    want.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    assert_eq!(got, want, "23 envelopes in three batches, intact");

    // A delayed publish (a retry's backoff) is not visible at once.
    let later = TaskEnvelope::new(&TaskId::generate(), "noop");
    queue
        .publish(std::slice::from_ref(&later), Duration::from_secs(2))
        .await
        .unwrap();
    let early = client
        .receive_message()
        .queue_url(&main_url)
        .send()
        .await
        .unwrap();
    assert!(
        early.messages().is_empty(),
        "delayed message delivered early"
    );
    let bodies = receive_all(&client, &main_url, 1).await;
    assert_eq!(TaskEnvelope::parse(&bodies[0]).unwrap(), later);

    queue
        .dead_letter(&later, "gave up after 5 attempts: \"throttled\"")
        .await
        .unwrap();
    let dead = receive_all(&client, &dlq_url, 1).await;
    let v: serde_json::Value = serde_json::from_str(&dead[0]).unwrap();
    assert_eq!(v["envelope"]["task_id"], later.task_id.as_str());
    assert_eq!(v["reason"], "gave up after 5 attempts: \"throttled\"");
}

#[tokio::test]
async fn stack_tasks_go_to_the_stack_services_queue() {
    let moto = lakecat_testkit::moto::start().unwrap();
    let sdk = AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;
    let client = Client::new(&sdk);
    let mut urls = vec![];
    for name in ["lakecat-tasks", "lakecat-tasks-dlq", "lakecat-stacks"] {
        let q = client.create_queue().queue_name(name).send().await.unwrap();
        urls.push(q.queue_url().unwrap().to_owned());
    }
    let queue = SqsQueue::new(&sdk, urls[0].clone(), urls[1].clone())
        .with_stack_queue(Some(urls[2].clone()));
    let deploy = TaskEnvelope::new(&TaskId::generate(), "stack.deploy");
    let delete = TaskEnvelope::new(&TaskId::generate(), "stack.delete");
    let share = TaskEnvelope::new(&TaskId::generate(), "share.process");
    queue
        .publish(
            &[deploy.clone(), share.clone(), delete.clone()],
            Duration::ZERO,
        )
        .await
        .unwrap();

    let parse = |bodies: Vec<String>| -> Vec<TaskEnvelope> {
        let mut got: Vec<TaskEnvelope> = bodies
            .iter()
            .map(|b| TaskEnvelope::parse(b).unwrap())
            .collect();
        got.sort_by(|a, b| a.kind.cmp(&b.kind));
        got
    };
    assert_eq!(
        parse(receive_all(&client, &urls[2], 2).await),
        [delete, deploy]
    );
    assert_eq!(parse(receive_all(&client, &urls[0], 1).await), [share]);
    // Without a stack queue, every task goes to the task queue.
    let plain = SqsQueue::new(&sdk, urls[0].clone(), urls[1].clone());
    assert_eq!(plain.queue_for("stack.deploy"), urls[0]);
}
