//! Parsed GraphQL documents of recent requests, by query text, and whether each passed
//! validation.
//!
//! Clients send the same few query texts again and again with different variables (the web
//! UI's queries, a pipeline's calls, `lakecat-bench`). Parsing one with async-graphql's pest
//! grammar costs more than a cached search answer; cloning its parsed document costs a
//! fraction of that. A document depends on the query text alone.
//!
//! Validating it again costs about a tenth of a suggestion's server CPU, and its outcome
//! depends on the variables in one way only: the strict rules check each argument's value,
//! variables substituted (async-graphql's `ArgumentsOfCorrectType`). Every other rule reads
//! the document alone, except depth and complexity, which the fast schema still checks. So
//! a document that passed the strict schema once, for an operation, may skip those rules
//! when each variable it is given is a non-null value of its declared built-in scalar type
//! (`String`, `ID`, `Int`, `Float`, `Boolean`, or lists of them): such a value passes
//! wherever validation let the variable be used. Any other variable (null, an enum, an input
//! object, a custom scalar, a value of another type) is validated in full again, so bad input
//! gets exactly the error it would get the first time.

use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};

use async_graphql::Positioned;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, Type,
};
use async_graphql::{Value, Variables};
use lru::LruCache;

/// Distinct query texts kept.
pub const ENTRIES: usize = 256;
/// Longer texts are parsed for every request, not kept: a cache of small documents cannot be
/// filled with large ones.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

struct Kept {
    doc: ExecutableDocument,
    /// The operations (by name; None: the request named none) the document passed the strict
    /// schema's validation for. Only operations the document holds can pass.
    passed: Vec<Option<String>>,
}

pub struct ParsedQueries {
    docs: Mutex<LruCache<String, Kept>>,
}

/// What validation a prepared request needs.
#[derive(Debug, PartialEq)]
pub enum Validation {
    /// The document passed the strict schema's validation for this operation before, and the
    /// variables cannot change that outcome: the fast schema may run it.
    Passed,
    /// The strict schema must validate it; when it passes, hand the key (if any) to
    /// [`ParsedQueries::passed`].
    Needed(Option<Key>),
}

/// A kept document and an operation of it.
#[derive(Debug, PartialEq)]
pub struct Key {
    query: String,
    operation: Option<String>,
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
    pub fn prepare(&self, request: &mut async_graphql::Request) -> Validation {
        if request.query.len() > MAX_QUERY_BYTES {
            return Validation::Needed(None);
        }
        let operation = request.operation_name.as_deref();
        let kept = self
            .docs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&request.query)
            .map(|k| {
                let passed = k.passed.iter().any(|o| o.as_deref() == operation);
                (k.doc.clone(), passed)
            });
        let key = || Key {
            query: request.query.clone(),
            operation: request.operation_name.clone(),
        };
        match kept {
            Some((doc, passed)) => {
                let validation = if !passed {
                    Validation::Needed(Some(key()))
                } else if variables_conform(&doc, operation, &request.variables) {
                    Validation::Passed
                } else {
                    // Already recorded as passed: nothing to hand back (no copy of the text).
                    Validation::Needed(None)
                };
                request.set_parsed_query(doc);
                validation
            }
            None => {
                let key = key();
                match request.parsed_query() {
                    Ok(doc) => {
                        let doc = doc.clone();
                        self.docs
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .put(
                                key.query.clone(),
                                Kept {
                                    doc,
                                    passed: Vec::new(),
                                },
                            );
                        Validation::Needed(Some(key))
                    }
                    Err(_) => Validation::Needed(None),
                }
            }
        }
    }

    /// Records that the strict schema validated `key`'s document for its operation without
    /// error (a no-op once the document has left the cache).
    pub fn passed(&self, key: Key) {
        let mut docs = self.docs.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(kept) = docs.peek_mut(&key.query)
            && !kept.passed.contains(&key.operation)
        {
            kept.passed.push(key.operation);
        }
    }
}

/// Whether every variable the operation declares and the request gives is a non-null value
/// of its declared built-in scalar type (lists of them included). False when the operation
/// is not found: the strict schema reports that.
fn variables_conform(
    doc: &ExecutableDocument,
    operation: Option<&str>,
    variables: &Variables,
) -> bool {
    let Some(op) = self::operation(doc, operation) else {
        return false;
    };
    op.node.variable_definitions.iter().all(|def| {
        variables
            .get(&def.node.name.node)
            .is_none_or(|value| conforms(&def.node.var_type.node, value))
    })
}

/// The operation a request runs: the one named, or the only one. None when there is no
/// such operation (the schema reports that).
pub(crate) fn operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&doc.operations, name) {
        (DocumentOperations::Single(op), None) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    }
}

/// Whether `value` is a non-null value of `ty`, a built-in scalar or a list of them. As
/// strict as async-graphql's own checks of those scalars or stricter (an `Int` must fit in 32
/// bits; an `ID` must be a string; a list must be a list): anything else is validated in full.
fn conforms(ty: &Type, value: &Value) -> bool {
    match (&ty.base, value) {
        (_, Value::Null) => false,
        (BaseType::List(item), Value::List(items)) => items.iter().all(|v| conforms(item, v)),
        (BaseType::List(_), _) => false,
        (BaseType::Named(name), value) => match (name.as_str(), value) {
            ("String" | "ID", Value::String(_)) | ("Boolean", Value::Boolean(_)) => true,
            ("Float", Value::Number(_)) => true,
            ("Int", Value::Number(n)) => n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

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

    fn request(text: &str, variables: serde_json::Value) -> async_graphql::Request {
        async_graphql::Request::new(text).variables(Variables::from_json(variables))
    }

    #[test]
    fn a_document_skips_validation_only_after_passing_it_for_the_operation() {
        let cache = ParsedQueries::new(4);
        let text = "query A($p: String!) { a(p: $p) } query B($p: String!) { b(p: $p) }";
        let named = |op: &str| request(text, json!({ "p": "x" })).operation_name(op);
        let Validation::Needed(Some(key)) = cache.prepare(&mut named("A")) else {
            panic!("a new document is validated");
        };
        assert_eq!(
            cache.prepare(&mut named("A")),
            Validation::Needed(Some(Key {
                query: text.into(),
                operation: Some("A".into())
            })),
            "until it passed"
        );
        cache.passed(key);
        assert_eq!(cache.prepare(&mut named("A")), Validation::Passed);
        assert!(
            matches!(cache.prepare(&mut named("B")), Validation::Needed(Some(_))),
            "another operation of the document is validated on its own"
        );
        assert!(
            matches!(cache.prepare(&mut named("C")), Validation::Needed(Some(_))),
            "an unknown operation is left to the strict schema"
        );
    }

    #[test]
    fn variables_that_could_fail_validation_are_validated_again() {
        let cache = ParsedQueries::new(4);
        let text = "query($s: String!, $i: Int, $f: Float, $b: Boolean, $id: ID, \
                    $l: [String!], $e: SearchKind, $o: CreateDatasetInput) { a }";
        let Validation::Needed(Some(key)) = cache.prepare(&mut request(text, json!({}))) else {
            panic!("a new document is validated");
        };
        cache.passed(key);
        let fast =
            |vars: serde_json::Value| cache.prepare(&mut request(text, vars)) == Validation::Passed;
        assert!(fast(json!({})), "absent variables change nothing");
        assert!(fast(json!({
            "s": "x", "i": -7, "f": 1.5, "b": true, "id": "d1", "l": ["a", "b"], "unused": {}
        })));
        assert!(fast(json!({ "f": 2, "i": i32::MAX })));
        for bad in [
            json!({ "s": null }),
            json!({ "s": 5 }),
            json!({ "i": "5" }),
            json!({ "i": 1.5 }),
            json!({ "i": i64::from(i32::MAX) + 1 }),
            json!({ "f": "1.5" }),
            json!({ "b": "true" }),
            json!({ "id": 7 }),
            json!({ "l": "a" }),
            json!({ "l": ["a", null] }),
            json!({ "l": [["a"]] }),
            json!({ "e": "TABLE" }),
            json!({ "o": { "label": "x" } }),
        ] {
            assert!(!fast(bad.clone()), "{bad} is validated again");
        }
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
