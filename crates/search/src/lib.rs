//! Search adapters of lakecat's [`SearchIndex`] port. `TantivyIndex` (feature `tantivy`, the
//! default) is the embedded index; `OpenSearchIndex` (feature `opensearch`) serves AWS
//! deployments, which leave tantivy out. Queries are
//! built from tokens (never parsed from user text): an exact name or label match outranks a
//! prefix match, which outranks word relevance (names, labels, tags, glossary terms,
//! descriptions, with field boosts); upvotes break ties. Visibility is a filter of every
//! query, facet counts included.

// What both engines index of a document: name keys, words, facet fields.
#[cfg(any(feature = "tantivy", feature = "opensearch"))]
mod derived;
#[cfg(feature = "opensearch")]
pub mod opensearch;
// How to reach OpenSearch: plain settings, read by every binary's configuration.
mod opensearch_config;
#[cfg(feature = "tantivy")]
mod tantivy_index;

pub use lakecat_core::search::SearchIndex;
#[cfg(feature = "opensearch")]
pub use opensearch::{IndexState, OpenSearchIndex, OpenSearchRebuild};
pub use opensearch_config::{DEFAULT_INDEX_PREFIX, OpenSearchAuth, OpenSearchConfig, SigV4Service};
#[cfg(feature = "tantivy")]
pub use tantivy_index::TantivyIndex;

/// How many results the embedded index keeps cached by default (`LAKECAT_SEARCH_CACHE`).
pub const DEFAULT_RESULT_CACHE: usize = 1024;
