//! Parsed GraphQL documents of recent requests, by query text.
//!
//! Clients send the same few query texts again and again with different variables (the web
//! UI's queries, a pipeline's calls, `lakecat bench`). Parsing one with async-graphql's pest
//! grammar costs more than a cached search answer; cloning its parsed document costs a
//! fraction of that. A document depends on the query text alone: variables, validation
//! (which reads variables, for complexity) and execution still run for every request.

use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// Distinct query texts kept.
pub const ENTRIES: usize = 256;
/// Longer texts are parsed for every request, not kept: a cache of small documents cannot be
/// filled with large ones.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

pub struct ParsedQueries {
    docs: Mutex<LruCache<String, ExecutableDocument>>,
}

impl ParsedQueries {
    pub fn new(entries: usize) -> ParsedQueries {
        ParsedQueries {
            docs: Mutex::new(LruCache::new(
                NonZeroUsize::new(entries).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// Gives `request` its parsed document: a copy of the kept one, or one parsed now and
    /// kept. A text that does not parse is left to the schema, which reports the error.
    pub fn prepare(&self, request: &mut async_graphql::Request) {
        if request.query.len() > MAX_QUERY_BYTES {
            return;
        }
        let kept = self
            .docs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&request.query)
            .cloned();
        match kept {
            Some(doc) => request.set_parsed_query(doc),
            None => {
                if let Ok(doc) = request.parsed_query() {
                    let doc = doc.clone();
                    self.docs
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .put(request.query.clone(), doc);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ParsedQueries {
        fn len(&self) -> usize {
            self.docs.lock().unwrap().len()
        }
    }

    #[test]
    fn a_kept_document_is_the_one_the_text_parses_to() {
        let cache = ParsedQueries::new(2);
        let text = "query($p: String!) { suggest(prefix: $p) { id } }";
        let mut first = async_graphql::Request::new(text);
        cache.prepare(&mut first);
        assert_eq!(cache.len(), 1);
        let mut second = async_graphql::Request::new(text);
        cache.prepare(&mut second);
        assert_eq!(cache.len(), 1, "the same text is kept once");
        let (a, b) = (
            first.parsed_query().expect("parsed"),
            second.parsed_query().expect("from the cache"),
        );
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    #[test]
    fn bad_and_oversized_texts_are_not_kept() {
        let cache = ParsedQueries::new(4);
        let mut bad = async_graphql::Request::new("{ suggest(");
        cache.prepare(&mut bad);
        let long = format!("{{ __typename {} }}", " ".repeat(MAX_QUERY_BYTES));
        let mut oversized = async_graphql::Request::new(long);
        cache.prepare(&mut oversized);
        assert_eq!(cache.len(), 0);
        // The schema parses them itself, and reports the bad one.
        assert!(bad.parsed_query().is_err());
        assert!(oversized.parsed_query().is_ok());
    }

    #[test]
    fn the_least_recent_text_makes_room() {
        let cache = ParsedQueries::new(2);
        for text in ["{ a }", "{ b }", "{ a }", "{ c }"] {
            cache.prepare(&mut async_graphql::Request::new(text));
        }
        let docs = cache.docs.lock().unwrap();
        let kept: Vec<&str> = docs.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kept, ["{ c }", "{ a }"]);
    }
}
