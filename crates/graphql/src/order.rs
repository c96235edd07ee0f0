//! Responses in the selection's order, as the GraphQL spec asks ("ordered by the order in
//! which they appear in the query"). async-graphql 7 resolves an object's fields
//! concurrently and collects them in the order they finish, so a field waiting on a
//! DataLoader comes after the plain ones. [`execute`] runs a request and puts every object
//! of its answer back in its selection's order (fragments flattened where they stand). It
//! rebuilds only the objects that came back out of order.

use std::collections::HashMap;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Request, Response, Value};

use crate::LakecatSchema;

/// Executes `request` on `schema` and orders the answer by the request's selections.
pub async fn execute(schema: &LakecatSchema, mut request: Request) -> Response {
    // A document that does not parse gets the schema's own error and no data to order.
    let doc = request.parsed_query().ok().cloned();
    let operation = request.operation_name.clone();
    let mut response = schema.execute(request).await;
    if let Some(doc) = doc {
        in_selection_order(&mut response.data, &doc, operation.as_deref());
    }
    response
}

/// Orders `data`, the answer to `operation` of `doc`, by its selections.
pub fn in_selection_order(data: &mut Value, doc: &ExecutableDocument, operation: Option<&str>) {
    let op = match (&doc.operations, operation) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return,
        },
        _ => return,
    };
    order(data, &[&op.node.selection_set.node], &doc.fragments);
}

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

fn order(value: &mut Value, sets: &[&SelectionSet], fragments: &Fragments) {
    match value {
        Value::List(items) => {
            for item in items {
                order(item, sets, fragments);
            }
        }
        Value::Object(map) => {
            let mut keys: Vec<(&Name, Vec<&SelectionSet>)> = Vec::new();
            for set in sets {
                collect(set, fragments, &mut keys, 0);
            }
            let in_order = {
                let mut expected = keys
                    .iter()
                    .map(|(k, _)| *k)
                    .filter(|k| map.contains_key(*k));
                map.keys().all(|k| expected.next() == Some(k))
            };
            if !in_order {
                let mut ordered = IndexMap::with_capacity(map.len());
                for (key, _) in &keys {
                    if let Some((k, v)) = map.swap_remove_entry(*key) {
                        ordered.insert(k, v);
                    }
                }
                // Anything the selections do not name (none expected) keeps its place after.
                ordered.extend(map.drain(..));
                *map = ordered;
            }
            for (key, children) in &keys {
                // A leaf's value may be an object too (a JSON scalar): it has no selection.
                if children.iter().any(|c| !c.items.is_empty())
                    && let Some(v) = map.get_mut(*key)
                {
                    order(v, children, fragments);
                }
            }
        }
        _ => {}
    }
}

/// Response keys of `set` in order of first appearance, with the sub-selections of every
/// field answering to each. Fragments nest at most as deep as validation allows; the depth
/// bound only guards against a cycle in a document that failed validation.
fn collect<'a>(
    set: &'a SelectionSet,
    fragments: &'a Fragments,
    keys: &mut Vec<(&'a Name, Vec<&'a SelectionSet>)>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    for selection in &set.items {
        match &selection.node {
            Selection::Field(f) => {
                let key = &f.node.response_key().node;
                let child = &f.node.selection_set.node;
                match keys.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, children)) => children.push(child),
                    None => keys.push((key, vec![child])),
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                    collect(
                        &fragment.node.selection_set.node,
                        fragments,
                        keys,
                        depth + 1,
                    );
                }
            }
            Selection::InlineFragment(fragment) => {
                collect(
                    &fragment.node.selection_set.node,
                    fragments,
                    keys,
                    depth + 1,
                );
            }
        }
    }
}
