//! What the server's tests wire in: the embedded search index, in memory, as `lakecat serve`
//! does without OPENSEARCH_URL.

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
