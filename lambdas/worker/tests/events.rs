//! Real event JSON through the worker Lambda's dispatcher: an SQS batch, the EventBridge
//! schedule (sweep), and an event of neither shape.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::Arc;

use lakecat_core::catalog::TaskStatus;
use lakecat_core::tasks::{NewTask, RetryPolicy, TaskStore};
use lakecat_testkit::{Backend, fresh_store};
use lakecat_worker::{InProcessQueue, NOOP_KIND, NoopHandler, Worker};

#[tokio::test]
async fn sqs_batches_run_tasks_and_the_schedule_sweeps() {
    let db = fresh_store(Backend::Postgres).await.unwrap();
    let (queue, mut rx) = InProcessQueue::new();
    let worker = Worker::new(
        Arc::new(db.store.clone()),
        Arc::new(queue),
        RetryPolicy::default(),
    )
    .with_handler(Arc::new(NoopHandler));
    let task = NewTask::new(NOOP_KIND, None, serde_json::json!({"v": 1}));
    db.store.enqueue(std::slice::from_ref(&task)).await.unwrap();

    let sqs = serde_json::json!({ "Records": [{
        "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": task.envelope().to_json(),
        "attributes": { "ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185" },
        "messageAttributes": {}, "md5OfBody": "098f6bcd4621d373cade4e832627b4f6",
        "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:lakecat-tasks",
        "awsRegion": "eu-west-1"
    }]});
    let out = lakecat_lambda_worker::handle(&worker, sqs).await.unwrap();
    assert_eq!(out, serde_json::json!({ "batchItemFailures": [] }));
    let t = db
        .store
        .tasks_by_ids(&[task.id.to_string()])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(t.status, TaskStatus::Succeeded);

    // A task whose publish was lost, older than the sweep's grace: the schedule republishes it.
    let lost = NewTask::new(NOOP_KIND, None, serde_json::json!({"v": 1}));
    db.store.enqueue(std::slice::from_ref(&lost)).await.unwrap();
    let schedule = serde_json::json!({
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
        "time": "2026-11-23T00:00:00Z", "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/lakecat-sweep"], "detail": {}
    });
    // Within the grace period nothing is republished (its publish may still be on its way).
    let out = lakecat_lambda_worker::handle(&worker, schedule.clone())
        .await
        .unwrap();
    assert_eq!(out, serde_json::json!({ "republished": 0 }));
    assert_eq!(
        worker.sweep(std::time::Duration::ZERO, 10).await.unwrap(),
        1
    );
    assert_eq!(rx.recv().await.unwrap(), lost.envelope());

    let err = lakecat_lambda_worker::handle(&worker, serde_json::json!({"hello": 1})).await;
    assert!(err.unwrap_err().contains("unknown event"));
}

/// Glue's events (their JSON as EventBridge delivers them) request a sync of the dataset whose
/// database changed; partition changes and other databases request nothing; the schedule
/// requests a sync of every dataset not synced within the interval.
#[tokio::test]
async fn glue_events_and_the_schedule_request_table_syncs() {
    use lakecat_core::catalog::StackStatus;
    use lakecat_core::ports::DatasetStore;
    use lakecat_worker::TableSyncSchedule;

    let db = fresh_store(Backend::Postgres).await.unwrap();
    let (env, ds) = lakecat_testkit::seed_dataset(
        &db.store,
        "123456789012",
        "orders",
        StackStatus::CreateComplete,
    )
    .await
    .unwrap();
    let (_, pending) = lakecat_testkit::seed_dataset(
        &db.store,
        "210987654321",
        "returns",
        StackStatus::CreateInProgress,
    )
    .await
    .unwrap();
    let store: Arc<dyn lakecat_core::ports::CatalogStore> = Arc::new(db.store.clone());
    let (queue, mut rx) = InProcessQueue::new();
    let queue: Arc<dyn lakecat_core::tasks::TaskQueue> = Arc::new(queue);
    let worker = Worker::new(store.clone(), queue.clone(), RetryPolicy::default())
        .with_handler(Arc::new(NoopHandler))
        .with_table_schedule(Arc::new(TableSyncSchedule::new(
            store.clone(),
            queue,
            std::time::Duration::from_secs(24 * 3600),
        )));

    let table_event = |db_name: &str, change: &str| {
        serde_json::json!({
            "version": "0", "id": "2617428d-715f-edef-70b9-8f5ac5d4b2d2",
            "detail-type": "Glue Data Catalog Table State Change", "source": "aws.glue",
            "account": env.account_id.as_str(), "time": "2026-12-07T10:00:00Z",
            "region": "eu-west-1",
            "resources": [format!("arn:aws:glue:eu-west-1:{}:table/{db_name}/order_lines", env.account_id)],
            "detail": { "databaseName": db_name, "changedPartitions": ["[2026-12-07]"],
                        "typeOfChange": change, "tableName": "order_lines" }
        })
    };
    let database = ds.aws.glue_database.clone();
    let out = lakecat_lambda_worker::handle(&worker, table_event(&database, "UpdateTable"))
        .await
        .unwrap();
    assert_eq!(
        out,
        serde_json::json!({ "tablesSyncRequested": [ds.id.as_str()] })
    );
    let sync = db.store.table_sync(ds.id.as_str()).await.unwrap().unwrap();
    assert_eq!(sync.status, TaskStatus::Pending);
    // Of the table the event names only (one GetTable, not a listing of the database).
    assert_eq!(
        lakecat_core::lake::sync_scope(&sync.payload),
        Some(vec!["order_lines".to_owned()])
    );
    assert_eq!(rx.recv().await.unwrap().task_id, sync.id.to_string());
    // A burst of events joins the waiting sync: nothing more is written or published.
    let db_event = serde_json::json!({
        "version": "0", "id": "60e7ddc2-a588-5328-220a-21c060f6c3f4",
        "detail-type": "Glue Data Catalog Database State Change", "source": "aws.glue",
        "account": env.account_id.as_str(), "time": "2026-12-07T10:00:01Z", "region": "eu-west-1",
        "resources": [format!("arn:aws:glue:eu-west-1:{}:table/{database}/returns", env.account_id)],
        "detail": { "databaseName": database, "typeOfChange": "CreateTable", "changedTables": ["returns"] }
    });
    lakecat_lambda_worker::handle(&worker, db_event)
        .await
        .unwrap();
    let again = db.store.table_sync(ds.id.as_str()).await.unwrap().unwrap();
    assert_eq!(again.id, sync.id);
    assert!(rx.try_recv().is_err(), "joined: nothing published");
    // ... widened to the tables of both events.
    assert_eq!(
        lakecat_core::lake::sync_scope(&again.payload),
        Some(vec!["order_lines".to_owned(), "returns".to_owned()])
    );
    // Partition changes cannot change what the catalog records; other databases are not ours.
    for e in [
        table_event(&database, "BatchCreatePartition"),
        table_event("someone_elses_db", "UpdateTable"),
    ] {
        let out = lakecat_lambda_worker::handle(&worker, e).await.unwrap();
        assert_eq!(out, serde_json::json!({ "tablesSyncRequested": [] }));
    }
    // A crawler's successful end syncs the dataset of its bucket (`<bucket>-crawler`); its
    // start and failure do not.
    let crawler_event = |state: &str| {
        serde_json::json!({
            "version": "0", "id": "a1b2c3d4-0000-1111-2222-333344445555",
            "detail-type": "Glue Crawler State Change", "source": "aws.glue",
            "account": env.account_id.as_str(), "time": "2026-12-07T10:05:00Z", "region": "eu-west-1",
            "resources": [],
            "detail": { "crawlerName": format!("{}-crawler", ds.aws.bucket), "state": state,
                        "message": "Crawler Succeeded" }
        })
    };
    for state in ["Started", "Failed"] {
        let out = lakecat_lambda_worker::handle(&worker, crawler_event(state))
            .await
            .unwrap();
        assert_eq!(
            out,
            serde_json::json!({ "tablesSyncRequested": [] }),
            "{state}"
        );
    }
    let out = lakecat_lambda_worker::handle(&worker, crawler_event("Succeeded"))
        .await
        .unwrap();
    assert_eq!(
        out,
        serde_json::json!({ "tablesSyncRequested": [ds.id.as_str()] })
    );
    assert_eq!(
        db.store
            .table_sync(ds.id.as_str())
            .await
            .unwrap()
            .unwrap()
            .id,
        sync.id,
        "joined the waiting sync"
    );
    // A crawl may have changed any table: the waiting sync now reads the whole database.
    assert_eq!(
        lakecat_core::lake::sync_scope(
            &db.store
                .table_sync(ds.id.as_str())
                .await
                .unwrap()
                .unwrap()
                .payload
        ),
        None
    );
    // Then a table event joins it and it stays whole.
    lakecat_lambda_worker::handle(&worker, table_event(&database, "UpdateTable"))
        .await
        .unwrap();
    let still = db.store.table_sync(ds.id.as_str()).await.unwrap().unwrap();
    assert_eq!(
        (
            still.id.clone(),
            lakecat_core::lake::sync_scope(&still.payload)
        ),
        (sync.id.clone(), None)
    );
    // A Glue event without its database is refused with what is missing.
    let mut broken = table_event(&database, "UpdateTable");
    broken["detail"]
        .as_object_mut()
        .unwrap()
        .remove("databaseName");
    let err = lakecat_lambda_worker::handle(&worker, broken)
        .await
        .unwrap_err();
    assert_eq!(err, "a Glue event without databaseName");

    // The schedule: `orders` was asked for just now; `returns` has no usable stack yet.
    let schedule = worker.table_schedule().unwrap();
    let now = chrono::Utc::now();
    assert!(schedule.run(now).await.unwrap().datasets.is_empty());
    // A day later, `orders` is due again (its waiting sync is joined, not duplicated).
    let later = schedule
        .run(now + chrono::Duration::hours(25))
        .await
        .unwrap();
    assert_eq!(later.datasets, std::slice::from_ref(&ds.id));
    assert_eq!(
        db.store
            .table_sync(ds.id.as_str())
            .await
            .unwrap()
            .unwrap()
            .id,
        sync.id
    );
    assert!(
        db.store
            .table_sync(pending.id.as_str())
            .await
            .unwrap()
            .is_none()
    );
}
