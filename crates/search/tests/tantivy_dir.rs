//! The tantivy adapter's own directory handling (the search contract is in `contract.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use lakecat_core::search::{DocKind, EVERYONE, SearchDoc, SearchIndex};
use lakecat_search::TantivyIndex;

fn doc(id: &str, name: &str) -> SearchDoc {
    SearchDoc {
        id: id.into(),
        kind: DocKind::Table,
        dataset_id: Some("ds_1".into()),
        name: name.into(),
        label: name.into(),
        description: String::new(),
        parent: None,
        tags: vec![],
        topics: vec![],
        confidentiality: None,
        terms: vec![],
        organization: None,
        environment: None,
        region: None,
        owner_team: None,
        upvotes: 0,
        updated_at: chrono::Utc::now(),
        readers: vec![EVERYONE.into()],
    }
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
