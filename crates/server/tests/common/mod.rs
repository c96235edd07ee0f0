//! What the server's tests wire in: the embedded search index, in memory, as `lakecat serve`
//! does without OPENSEARCH_URL.

#![allow(clippy::expect_used, reason = "a test helper fails loudly")]

use std::sync::Arc;

use lakecat_server::Adapters;

pub fn embedded() -> Adapters {
    Adapters {
        search: Some(Arc::new(
            lakecat_search::TantivyIndex::in_memory().expect("an in-memory index"),
        )),
        ..Adapters::default()
    }
}
