//! `lakecat reindex` while `lakecat serve` holds the embedded index: the server rebuilds it
//! (only one process can write a tantivy index), and the command follows its task.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::time::Duration;

use lakecat_cli::reindex::{Step, through_server};
use lakecat_core::ErrorCode;
use lakecat_core::catalog::TaskStatus;
use lakecat_core::page::PageRequest;
use lakecat_core::search::{SEARCH_REBUILD_TARGET, SearchQuery};
use lakecat_core::tasks::TaskStore;
use lakecat_server::{App, Config};
use lakecat_store::{SeaStore, StoreConfig};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reindex_while_serving_is_done_by_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let store = SeaStore::open(&StoreConfig::new(url.clone()))
        .await
        .unwrap();
    lakecat_cli::demo::seed_demo(&store, None).await.unwrap();
    let search_dir = dir.path().join("search");
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.search_dir = Some(search_dir.clone());
    let wired = lakecat_cli::adapters(&config).await.unwrap();
    let app = App::build(config, true, wired).await.unwrap();
    app.start_worker();
    let index = app.search.clone().unwrap();
    // The server builds its new index at start (and runs the seed's search tasks).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut built = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = index.count().await.unwrap();
        if now > 0 && now == built {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no start-up build");
        built = now;
    }
    // Another process cannot write the index: it says so with a code, not an engine error.
    let Err(held) = lakecat_search::TantivyIndex::open(&search_dir) else {
        panic!("a second writer opened the index");
    };
    assert_eq!(held.code, ErrorCode::Unavailable, "{held:?}");
    // Documents the catalog no longer has: the server's rebuild removes them.
    let mut ghost = lakecat_core::search::SearchDoc::new(
        "tbl_ghost",
        lakecat_core::search::DocKind::Table,
        "ds_01GHOST0000000000000000000",
        "ghostly_ledger",
    );
    ghost.label = "Ghostly ledger".into();
    index
        .replace_datasets(vec![("ds_01GHOST0000000000000000000".into(), vec![ghost])])
        .await
        .unwrap();
    let ghostly = SearchQuery {
        text: "ghostly".into(),
        first: 10,
        ..Default::default()
    };
    assert_eq!(index.search(&ghostly).await.unwrap().total, 1);

    let mut steps = Vec::new();
    let (datasets, documents, _) = tokio::time::timeout(
        Duration::from_secs(60),
        through_server(&store, |s| {
            steps.push(match s {
                Step::Waiting(_) => "waiting",
                Step::Running { .. } => "running",
            })
        }),
    )
    .await
    .expect("the server rebuilt within 60 s")
    .unwrap();
    let demo_datasets = lakecat_core::ports::CatalogStore::count(
        &store,
        &lakecat_core::ports::CountQuery::Datasets(Default::default()),
    )
    .await
    .unwrap();
    assert_eq!(datasets, demo_datasets as u64);
    assert_eq!(documents, built);
    assert_eq!(index.count().await.unwrap(), built);
    assert_eq!(index.search(&ghostly).await.unwrap().total, 0);
    assert!(!steps.is_empty());
    let tasks = store
        .list_tasks(SEARCH_REBUILD_TARGET, &PageRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(tasks.len(), 1);
    let task = &tasks[0].1;
    assert_eq!(task.status, TaskStatus::Succeeded);
    assert_eq!(task.result.as_ref().unwrap()["documents"], built);
}
