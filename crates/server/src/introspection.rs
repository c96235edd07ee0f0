//! Which documents run on the introspection schema: those that only introspect, within the
//! depth limit once `ofType` steps are not counted.
//!
//! The standard introspection query (GraphiQL's, graphql-codegen's) nests `ofType` seven to
//! nine times to unwrap type references like `[String!]!`, so its depth passes
//! [`lakecat_graphql::MAX_DEPTH`]. An `ofType` step selects one type and ends where the
//! wrapping does, so it multiplies nothing; every other step (`types`, `fields`, `type`, …)
//! still counts, or `fields { type { fields { type … } } }` could fan out without bound.

use std::collections::HashSet;

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use lakecat_graphql::MAX_DEPTH;

use crate::parsed::operation;

const ROOT_FIELDS: [&str; 3] = ["__schema", "__type", "__typename"];

/// Whether the operation `name` selects of `doc` is a query of introspection fields only
/// (`__schema`, `__type`, `__typename` at its root) whose depth without `ofType` steps is
/// within [`MAX_DEPTH`].
pub fn is_bounded_introspection(doc: &ExecutableDocument, name: Option<&str>) -> bool {
    let Some(op) = operation(doc, name) else {
        return false;
    };
    op.node.ty == OperationType::Query
        && only_introspection_at_root(doc, &op.node.selection_set.node, &mut HashSet::new())
        && depth(doc, &op.node.selection_set.node, &mut Vec::new()).is_some_and(|d| d <= MAX_DEPTH)
}

/// Whether every field of the root selection (fragments followed) is an introspection field.
fn only_introspection_at_root<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    seen: &mut HashSet<&'a str>,
) -> bool {
    set.items.iter().all(|item| match &item.node {
        Selection::Field(f) => ROOT_FIELDS.contains(&f.node.name.node.as_str()),
        Selection::InlineFragment(i) => {
            only_introspection_at_root(doc, &i.node.selection_set.node, seen)
        }
        Selection::FragmentSpread(s) => {
            let name = s.node.fragment_name.node.as_str();
            // A fragment seen before was checked there (or is a cycle, which validation refuses).
            !seen.insert(name)
                || doc.fragments.get(name).is_some_and(|f| {
                    only_introspection_at_root(doc, &f.node.selection_set.node, seen)
                })
        }
    })
}

/// The depth of a selection, `ofType` steps not counted; None for an unknown fragment or a
/// fragment cycle (validation reports both).
fn depth<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    path: &mut Vec<&'a str>,
) -> Option<usize> {
    let mut deepest = 0;
    for item in &set.items {
        let d = match &item.node {
            Selection::Field(f) => {
                let below = depth(doc, &f.node.selection_set.node, path)?;
                if f.node.name.node == "ofType" {
                    below
                } else {
                    below + 1
                }
            }
            Selection::InlineFragment(i) => depth(doc, &i.node.selection_set.node, path)?,
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                if path.contains(&name) {
                    return None;
                }
                let fragment = doc.fragments.get(name)?;
                path.push(name);
                let d = depth(doc, &fragment.node.selection_set.node, path);
                path.pop();
                d?
            }
        };
        deepest = deepest.max(d);
    }
    Some(deepest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounded(query: &str) -> bool {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        is_bounded_introspection(&doc, None)
    }

    fn nest(field: &str, times: usize, inner: &str) -> String {
        (0..times).fold(inner.to_owned(), |acc, _| format!("{field} {{ {acc} }}"))
    }

    #[test]
    fn introspection_only_documents_within_depth_without_of_type() {
        assert!(bounded("{ __typename }"));
        assert!(bounded("{ __type(name: \"Query\") { name } }"));
        let deep_of_type = format!(
            "query Q {{ __schema {{ types {{ ...T }} }} }} fragment T on __Type {{ fields {{ type {{ {} }} }} }}",
            nest("ofType", 40, "name")
        );
        assert!(bounded(&deep_of_type));
        assert!(bounded(
            "{ ... on Query { __schema { queryType { name } } } }"
        ));
    }

    #[test]
    fn anything_else_is_left_to_the_depth_limit() {
        // Mixed with a normal field, a mutation, or too deep once `ofType` is not counted.
        assert!(!bounded("{ __schema { types { name } } me { username } }"));
        assert!(!bounded(
            "query Q { ...F } fragment F on Query { __typename me { username } }"
        ));
        assert!(!bounded("mutation { __typename }"));
        let fan_out = (0..6).fold("name".to_owned(), |acc, _| {
            format!("fields {{ type {{ {acc} }} }}")
        });
        let fan_out = format!("{{ __schema {{ types {{ {fan_out} }} }} }}");
        assert!(!bounded(&fan_out), "{fan_out}");
        assert!(!bounded("{ ...A } fragment A on Query { ...A }"));
        assert!(!bounded("{ ...Missing }"));
    }
}
