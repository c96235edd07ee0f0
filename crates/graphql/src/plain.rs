//! Lists of plain objects resolved in one pass.
//!
//! async-graphql resolves each object of a list as its own container: a boxed future per
//! selected field, a set of futures to poll, a map to merge them into. For an object whose
//! fields are values already in hand (a suggestion, a search hit, a facet value), that
//! machinery is most of the work: ten suggestions of three fields cost a sixth of a
//! `suggest` request's server CPU. [`PlainList`] has the same GraphQL type as the `Vec` it
//! wraps (the schema does not change) and builds each object directly from the selection
//! set: aliases, `__typename`, fragment spreads and inline fragments on the type. A
//! selection it does not take (a fragment on another type) goes to async-graphql's own
//! resolution, as does every list while the schema has custom directives.
//!
//! The schema has no extensions: with one, its per-field hooks would not see these fields.

use std::borrow::Cow;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::{ContextSelectionSet, Name, OutputType, Positioned, ServerResult, Value};

/// An object whose every field is a value in hand: no arguments, no errors, no nested
/// objects.
pub trait PlainObject: OutputType {
    /// Its GraphQL field names.
    const FIELDS: &'static [&'static str];

    /// The value of the field `name`, one of [`PlainObject::FIELDS`].
    fn field_value(&self, name: &str) -> Value;
}

/// A `Vec<T>` in the schema, resolved in one pass.
#[derive(Clone)]
pub struct PlainList<T>(pub Vec<T>);

impl<T: PlainObject> OutputType for PlainList<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let mut selected = Vec::new();
        if !ctx.schema_env.custom_directives.is_empty()
            || !select::<T>(ctx, &ctx.item.node, &mut selected)
        {
            return OutputType::resolve(&self.0, ctx, field).await;
        }
        let typename = T::type_name();
        Ok(Value::List(
            self.0
                .iter()
                .map(|item| {
                    let mut object = IndexMap::with_capacity(selected.len());
                    for (key, name) in &selected {
                        if object.contains_key(*key) {
                            // The same response key twice: the same field (validation).
                            continue;
                        }
                        let value = match *name {
                            "__typename" => Value::String(typename.to_string()),
                            name => item.field_value(name),
                        };
                        object.insert((*key).clone(), value);
                    }
                    Value::Object(object)
                })
                .collect(),
        ))
    }
}

/// Collects the response keys and field names `set` selects on a `T`, fragments flattened
/// in order. False when it holds something else.
fn select<'a, T: PlainObject>(
    ctx: &ContextSelectionSet<'a>,
    set: &'a SelectionSet,
    out: &mut Vec<(&'a Name, &'a str)>,
) -> bool {
    let on_t = |condition: &str| condition == T::type_name();
    set.items.iter().all(|selection| match &selection.node {
        Selection::Field(f) => {
            let name = f.node.name.node.as_str();
            let known = name == "__typename" || T::FIELDS.contains(&name);
            if known {
                out.push((&f.node.response_key().node, name));
            }
            known
        }
        Selection::FragmentSpread(spread) => ctx
            .query_env
            .fragments
            .get(&spread.node.fragment_name.node)
            .is_some_and(|fragment| {
                on_t(&fragment.node.type_condition.node.on.node)
                    && select::<T>(ctx, &fragment.node.selection_set.node, out)
            }),
        Selection::InlineFragment(fragment) => {
            fragment
                .node
                .type_condition
                .as_ref()
                .is_none_or(|c| on_t(&c.node.on.node))
                && select::<T>(ctx, &fragment.node.selection_set.node, out)
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_graphql::{EmptyMutation, EmptySubscription, Enum, Object, Schema, SimpleObject};
    use serde_json::json;

    use super::*;

    #[derive(Enum, Copy, Clone, Eq, PartialEq)]
    enum Shape {
        Round,
        Square,
    }

    #[derive(SimpleObject, Clone)]
    struct Item {
        shape: Shape,
        id: String,
        score: f64,
        dataset_id: Option<String>,
    }

    impl PlainObject for Item {
        const FIELDS: &'static [&'static str] = &["shape", "id", "score", "datasetId"];

        fn field_value(&self, name: &str) -> Value {
            ONE_PASS.fetch_add(1, Ordering::Relaxed);
            match name {
                "shape" => async_graphql::InputType::to_value(&self.shape),
                "id" => Value::String(self.id.clone()),
                "score" => Value::from(self.score),
                _ => self.dataset_id.clone().map_or(Value::Null, Value::String),
            }
        }
    }

    /// Fields the one pass resolved.
    static ONE_PASS: AtomicUsize = AtomicUsize::new(0);

    fn items() -> Vec<Item> {
        vec![
            Item {
                shape: Shape::Round,
                id: "a".into(),
                score: 1.5,
                dataset_id: None,
            },
            Item {
                shape: Shape::Square,
                id: "b".into(),
                score: 2.0,
                dataset_id: Some("d".into()),
            },
        ]
    }

    struct Query;

    #[Object]
    impl Query {
        async fn derived(&self) -> Vec<Item> {
            items()
        }
        async fn plain(&self) -> PlainList<Item> {
            PlainList(items())
        }
    }

    /// Every way of selecting fields gives what async-graphql's own resolution gives, in the
    /// order of the selection.
    #[tokio::test]
    async fn a_plain_list_resolves_as_its_vec_does() {
        let schema = Schema::new(Query, EmptyMutation, EmptySubscription);
        assert!(
            schema.sdl().contains("plain: [Item!]!"),
            "the same GraphQL type"
        );
        for selection in [
            "{ id }",
            "{ shape id score datasetId __typename }",
            "{ first: id, id, again: id, shape, kind: __typename, id }",
            "{ ...F score }",
            "{ ... on Item { datasetId } ... { shape } id }",
            "{ id @include(if: true) shape @skip(if: true) score @include(if: false) }",
            "{ ... @include(if: false) { id } shape }",
        ] {
            let fragment = if selection.contains("...F") {
                "fragment F on Item { shape datasetId }"
            } else {
                ""
            };
            let query =
                format!("query {{ a: derived {selection} b: plain {selection} }} {fragment}");
            let before = ONE_PASS.load(Ordering::Relaxed);
            let answer = schema.execute(query.as_str()).await;
            assert!(answer.errors.is_empty(), "{selection}: {:?}", answer.errors);
            assert!(
                ONE_PASS.load(Ordering::Relaxed) > before,
                "{selection}: resolved in one pass"
            );
            let data = answer.data.into_json().unwrap();
            assert_eq!(data["a"], data["b"], "{selection}");
            let keys = |v: &serde_json::Value| -> Vec<String> {
                v[0].as_object().unwrap().keys().cloned().collect()
            };
            assert_eq!(keys(&data["a"]), keys(&data["b"]), "{selection}: key order");
        }
        let data = schema
            .execute("{ plain { id shape score datasetId } }")
            .await
            .data
            .into_json()
            .unwrap();
        assert_eq!(
            data,
            json!({ "plain": [
                { "id": "a", "shape": "ROUND", "score": 1.5, "datasetId": null },
                { "id": "b", "shape": "SQUARE", "score": 2.0, "datasetId": "d" },
            ] })
        );
    }

    struct Shout;

    #[async_trait::async_trait]
    impl async_graphql::CustomDirective for Shout {
        async fn resolve_field(
            &self,
            _ctx: &async_graphql::Context<'_>,
            resolve: async_graphql::ResolveFut<'_>,
        ) -> ServerResult<Option<Value>> {
            Ok(resolve.await?.map(|v| match v {
                Value::String(s) => Value::String(s.to_uppercase()),
                v => v,
            }))
        }
    }

    #[async_graphql::Directive(location = "Field")]
    fn shout() -> impl async_graphql::CustomDirective {
        Shout
    }

    /// With custom directives in the schema, lists go to async-graphql's own resolution,
    /// which applies them.
    #[tokio::test]
    async fn custom_directives_are_left_to_async_graphql() {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .directive(shout)
            .finish();
        let answer = schema
            .execute("{ a: derived { id @shout } b: plain { id @shout } }")
            .await;
        assert!(answer.errors.is_empty(), "{:?}", answer.errors);
        let data = answer.data.into_json().unwrap();
        assert_eq!(data["b"], json!([{ "id": "A" }, { "id": "B" }]), "applied");
        assert_eq!(data["a"], data["b"]);
    }
}
