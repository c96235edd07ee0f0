//! Search adapters of lakecat's [`SearchIndex`] port. [`TantivyIndex`] is the embedded
//! default; `OpenSearchIndex` (feature `opensearch`) serves AWS deployments. Queries are
//! built from tokens (never parsed from user text): an exact name or label match outranks a
//! prefix match, which outranks word relevance (names, labels, tags, glossary terms,
//! descriptions, with field boosts); upvotes break ties. Visibility is a filter of every
//! query, facet counts included.

// What both engines index of a document: name keys, words, facet fields.
mod derived;
#[cfg(feature = "opensearch")]
pub mod opensearch;
mod tantivy_index;

pub use lakecat_core::search::SearchIndex;
#[cfg(feature = "opensearch")]
pub use opensearch::{
    IndexState, OpenSearchAuth, OpenSearchConfig, OpenSearchIndex, OpenSearchRebuild, SigV4Service,
};
pub use tantivy_index::{DEFAULT_RESULT_CACHE, TantivyIndex};
