//! The fields an engine indexes, derived from a [`SearchDoc`] in Rust so that every engine
//! matches and ranks on the same keys, with the same boosts.

use lakecat_core::search::{EVERYONE, Facet, SearchDoc, name_tokens, normalize_name};

/// The indexed form of one document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DerivedDoc {
    pub id: String,
    pub kind: &'static str,
    pub dataset_id: Option<String>,
    pub name: String,
    pub label: String,
    pub description: String,
    /// The technical name as typed (case aside): `sales_orders` is the table, not the dataset
    /// labelled "Sales Orders".
    pub name_typed: String,
    /// The name and the label as exact keys ([`normalize_name`]), without empty or repeated
    /// ones. Engines also index these keys as edge n-grams (the prefix tier).
    pub name_exact: Vec<String>,
    /// The trimmed name, indexed as lower-cased edge n-grams (suggestions as typed).
    pub typed_prefix: String,
    /// The words of the name and the label ([`name_tokens`]).
    pub name_words: Vec<String>,
    /// The words of tags, topics, glossary terms and the parent's name.
    pub other_words: Vec<String>,
    pub readers: Vec<String>,
    /// Upvotes, never below zero (the ranking takes their logarithm).
    pub upvotes: i64,
    /// Per facet (in [`Facet::ALL`] order), the document's values.
    pub facets: Vec<(Facet, Vec<String>)>,
}

/// Scores that keep the ranking tiers apart, the same in every engine: the name as typed ≫
/// exact name/label (separators and case ignored) ≫ prefix ≫ words.
pub(crate) const AS_TYPED_BOOST: f32 = 20_000.0;
pub(crate) const EXACT_BOOST: f32 = 10_000.0;
pub(crate) const PREFIX_BOOST: f32 = 500.0;
pub(crate) const NAME_WORD_BOOST: f32 = 10.0;
pub(crate) const OTHER_WORD_BOOST: f32 = 3.0;
pub(crate) const DESCRIPTION_BOOST: f32 = 1.0;
/// A suggestion whose name starts with the prefix as typed ranks before one that matches
/// with separators ignored.
pub(crate) const TYPED_PREFIX_BOOST: f32 = 10.0;
/// Values counted per facet.
pub(crate) const FACET_VALUES: usize = 20;
/// The most suggestions one call returns.
pub(crate) const MAX_SUGGESTIONS: u32 = 50;

/// The reader values that make a document visible to a caller: every signed-in user's and the
/// caller's own (None for admins, who see everything).
pub(crate) fn visible_to(readers: Option<&[String]>) -> Option<Vec<String>> {
    let readers = readers?;
    let mut values = Vec::with_capacity(readers.len() + 1);
    values.push(EVERYONE.to_owned());
    values.extend(readers.iter().cloned());
    Some(values)
}

/// The name of a facet's keyword field.
pub(crate) const fn facet_field(f: Facet) -> &'static str {
    match f {
        Facet::Kind => "f_kind",
        Facet::Tag => "f_tag",
        Facet::Topic => "f_topic",
        Facet::Confidentiality => "f_confidentiality",
        Facet::Organization => "f_organization",
        Facet::Environment => "f_environment",
        Facet::Region => "f_region",
        Facet::OwnerTeam => "f_owner_team",
        Facet::Term => "f_term",
    }
}

fn push_new(out: &mut Vec<String>, value: String) {
    if !value.is_empty() && !out.contains(&value) {
        out.push(value);
    }
}

pub(crate) fn derive(d: &SearchDoc) -> DerivedDoc {
    let mut name_exact = Vec::new();
    push_new(&mut name_exact, normalize_name(&d.name));
    push_new(&mut name_exact, normalize_name(&d.label));
    let mut name_words = Vec::new();
    for w in name_tokens(&d.name)
        .into_iter()
        .chain(name_tokens(&d.label))
    {
        push_new(&mut name_words, w);
    }
    let mut other_words = Vec::new();
    let others = d
        .tags
        .iter()
        .chain(&d.topics)
        .chain(&d.terms)
        .chain(d.parent.iter());
    for o in others {
        for w in name_tokens(o) {
            push_new(&mut other_words, w);
        }
    }
    DerivedDoc {
        id: d.id.clone(),
        kind: d.kind.as_str(),
        dataset_id: d.dataset_id.clone(),
        name: d.name.clone(),
        label: d.label.clone(),
        description: d.description.clone(),
        name_typed: d.name.trim().to_lowercase(),
        name_exact,
        typed_prefix: d.name.trim().to_owned(),
        name_words,
        other_words,
        readers: d.readers.clone(),
        upvotes: d.upvotes.max(0),
        facets: Facet::ALL
            .iter()
            .map(|f| (*f, f.values(d).into_iter().map(str::to_owned).collect()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakecat_core::search::{DocKind, EVERYONE};

    #[test]
    fn keys_words_and_facets_come_from_the_document() {
        let d = SearchDoc {
            id: "col_1".into(),
            kind: DocKind::Column,
            dataset_id: Some("ds_1".into()),
            name: " customerId ".into(),
            label: "Customer ID".into(),
            description: "who".into(),
            parent: Some("sales_orders".into()),
            tags: vec!["PII".into()],
            topics: vec!["Sales".into()],
            confidentiality: Some("Secret".into()),
            terms: vec!["Business/Customer".into()],
            organization: None,
            environment: None,
            region: Some("eu-west-1".into()),
            owner_team: None,
            upvotes: -3,
            updated_at: chrono::Utc::now(),
            readers: vec![EVERYONE.into()],
        };
        let x = derive(&d);
        assert_eq!(x.name_typed, "customerid");
        assert_eq!(x.typed_prefix, "customerId");
        assert_eq!(x.name_exact, ["customerid", "customer_id"]);
        assert_eq!(
            x.name_words,
            ["customer", "id", "customerid", "customer_id"]
        );
        assert_eq!(
            x.other_words,
            [
                "pii",
                "sales",
                "business",
                "customer",
                "business_customer",
                "orders",
                "sales_orders"
            ]
        );
        assert_eq!(x.upvotes, 0);
        assert_eq!(x.facets.len(), Facet::ALL.len());
        assert_eq!(x.facets[0], (Facet::Kind, vec!["COLUMN".to_owned()]));
        assert_eq!(x.facets[1], (Facet::Tag, vec!["PII".to_owned()]));
        assert_eq!(x.facets[5], (Facet::Environment, vec![]));
    }
}
