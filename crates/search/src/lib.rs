//! Search adapters of lakecat's [`SearchIndex`] port. [`TantivyIndex`] is the embedded
//! default. Queries are built from tokens (never parsed from user text): an exact name or
//! label match outranks a prefix match, which outranks word relevance (names, labels, tags,
//! glossary terms, descriptions, with field boosts); upvotes break ties. Visibility is a
//! filter of every query, facet counts included.

mod tantivy_index;

pub use lakecat_core::search::SearchIndex;
pub use tantivy_index::TantivyIndex;
