//! The tantivy adapter's own behaviour — its directory, its result cache (the search contract
//! is in `contract.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use lakecat_core::search::{DocKind, Facet, SearchDoc, SearchIndex, SearchQuery};
use lakecat_search::TantivyIndex;

fn doc(id: &str, name: &str) -> SearchDoc {
    SearchDoc::new(id, DocKind::Table, "ds_1", name)
}

/// An index directory written with another schema (an older lakecat) is dropped, not an
/// error: the index is a projection of the database, and an empty one is rebuilt.
#[tokio::test]
async fn an_index_of_another_schema_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut b = tantivy::schema::Schema::builder();
        b.add_text_field("something_else", tantivy::schema::STRING);
        let old = tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap();
        let mut w: tantivy::IndexWriter = old.writer(15_000_000).unwrap();
        w.add_document(tantivy::doc!()).unwrap();
        w.commit().unwrap();
    }
    let index = TantivyIndex::open(dir.path()).unwrap();
    assert_eq!(index.count().await.unwrap(), 0);
    index.upsert(&[doc("t1", "orders")]).await.unwrap();
    drop(index);
    let again = TantivyIndex::open(dir.path()).unwrap();
    assert_eq!(again.count().await.unwrap(), 1, "the new index is kept");
    assert_eq!(again.dataset_ids().await.unwrap(), ["ds_1"]);
}

fn ids(r: &lakecat_core::search::SearchResult) -> Vec<&str> {
    let mut ids: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort_unstable();
    ids
}

/// A repeated search or suggestion is answered from the cache; any write makes the next one
/// compute again (read-your-writes), and a result is never served to a caller with other
/// readers.
#[tokio::test]
async fn cached_results_follow_writes_and_readers() {
    let index = TantivyIndex::in_memory().unwrap();
    let mut secret = doc("t2", "orders_secret");
    secret.readers = vec!["team:finance".into()];
    index.upsert(&[doc("t1", "orders"), secret]).await.unwrap();
    let q = SearchQuery {
        text: "orders".into(),
        readers: Some(vec![]),
        first: 10,
        ..Default::default()
    };
    let first = index.search(&q).await.unwrap();
    assert_eq!(ids(&first), ["t1"]);
    let hits = index.result_cache_hits();
    assert_eq!(index.search(&q).await.unwrap(), first);
    assert_eq!(
        index.result_cache_hits(),
        hits + 1,
        "the repeat is a cache hit"
    );

    // Other readers: their own entry, with what they may see (counts included).
    let finance = SearchQuery {
        readers: Some(vec!["team:finance".into()]),
        ..q.clone()
    };
    let theirs = index.search(&finance).await.unwrap();
    assert_eq!(ids(&theirs), ["t1", "t2"]);
    assert_eq!(theirs.facets[&Facet::Kind][0].count, 2);
    assert_eq!(index.result_cache_hits(), hits + 1);
    assert_eq!(
        index.search(&q).await.unwrap().facets[&Facet::Kind][0].count,
        1
    );

    // A write: the next search sees it, and counts follow.
    index.upsert(&[doc("t3", "orders_new")]).await.unwrap();
    let after = index.search(&q).await.unwrap();
    assert_eq!(ids(&after), ["t1", "t3"]);
    assert_eq!(after.total, 2);
    assert_eq!(after.facets[&Facet::Kind][0].count, 2);
    index.delete(&["t1".into()]).await.unwrap();
    let after = index.search(&q).await.unwrap();
    assert_eq!(ids(&after), ["t3"]);
    assert_eq!(after.facets[&Facet::Kind][0].count, 1);

    // Suggestions likewise.
    let s = index.suggest("orders_n", Some(&[]), 5).await.unwrap();
    assert_eq!(s.len(), 1);
    let hits = index.result_cache_hits();
    assert_eq!(index.suggest("orders_n", Some(&[]), 5).await.unwrap(), s);
    assert_eq!(index.result_cache_hits(), hits + 1);
    index.delete(&["t3".into()]).await.unwrap();
    assert!(
        index
            .suggest("orders_n", Some(&[]), 5)
            .await
            .unwrap()
            .is_empty()
    );

    // Turned off: every search computes.
    index.set_result_cache(0);
    let hits = index.result_cache_hits();
    index.search(&q).await.unwrap();
    index.search(&q).await.unwrap();
    assert_eq!(index.result_cache_hits(), hits);
}

/// A search's hits and counts are the same whatever searches ran before it on the index: the
/// per-search arrays a segment keeps for reuse are reset where a search wrote to them.
#[tokio::test]
async fn a_search_does_not_depend_on_the_searches_before_it() {
    let docs: Vec<SearchDoc> = (0..60)
        .map(|i| {
            let mut d = doc(&format!("t{i}"), &format!("orders_{i}"));
            d.dataset_id = Some(format!("ds_{}", i % 7));
            // A value per entry (many values: few matches are counted by sorting) and a few
            // shared ones (counted through an array).
            d.tags = vec![format!("tag{i}"), format!("group{}", i % 3)];
            if i % 2 == 1 {
                d.readers = vec!["team:finance".into()];
            }
            d
        })
        .collect();
    let open = || async {
        let index = TantivyIndex::in_memory().unwrap();
        index.set_result_cache(0);
        index.upsert(&docs).await.unwrap();
        index
    };
    let everyone = Some(vec![]);
    let finance = Some(vec!["team:finance".to_owned()]);
    let query = |text: &str, readers: &Option<Vec<String>>, tags: &[&str]| SearchQuery {
        text: text.into(),
        readers: readers.clone(),
        filters: [(Facet::Tag, tags.iter().map(|t| (*t).to_owned()).collect())].into(),
        first: 5,
        ..Default::default()
    };
    let queries = [
        query("", &everyone, &[]),
        query("orders_7", &finance, &[]),
        query("orders", &finance, &["group1"]),
        query("orders_8", &everyone, &["tag8"]),
        query("orders", &None, &["tag3", "group2"]),
        query("orders_7", &everyone, &[]),
    ];
    let shared = open().await;
    for round in 0..2 {
        for q in &queries {
            let alone = open().await.search(q).await.unwrap();
            assert!(alone.total > 0 || q.text == "orders_7", "{q:?}");
            assert_eq!(
                shared.search(q).await.unwrap(),
                alone,
                "round {round}: {q:?}"
            );
        }
    }
}

/// Compaction merges the segments a rebuild leaves into one, and searches answer as before.
#[tokio::test]
async fn compaction_leaves_one_segment_and_the_same_answers() {
    let index = TantivyIndex::in_memory().unwrap();
    index.set_result_cache(0);
    for i in 0..6 {
        let mut d = doc(&format!("t{i}"), &format!("orders_{i}"));
        d.dataset_id = Some(format!("ds_{i}"));
        index.upsert(&[d]).await.unwrap();
    }
    index.delete(&["t2".into()]).await.unwrap();
    assert!(index.segments() > 1, "a commit per write");
    let q = SearchQuery {
        text: "orders".into(),
        readers: Some(vec![]),
        first: 10,
        ..Default::default()
    };
    let before = index.search(&q).await.unwrap();
    assert_eq!(before.total, 5);

    index.compact().await.unwrap();
    assert_eq!(index.segments(), 1);
    assert_eq!(index.count().await.unwrap(), 5, "the delete stays applied");
    let after = index.search(&q).await.unwrap();
    assert_eq!(ids(&after), ids(&before));
    assert_eq!(after.facets, before.facets);
    index.compact().await.unwrap();
    assert_eq!(index.segments(), 1, "nothing left to merge");
    // Writes go on after it.
    index.upsert(&[doc("t9", "orders_9")]).await.unwrap();
    assert_eq!(index.search(&q).await.unwrap().total, 6);
}
