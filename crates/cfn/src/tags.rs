//! Resource tags. Every taggable resource carries `lakecat:organization` and
//! `lakecat:environment`, plus `lakecat:dataset` and `lakecat:team` where they apply, plus
//! the user's tags; [`crate::Template::add`] writes them in the shape the resource type takes.

use std::collections::BTreeMap;

use lakecat_core::catalog::Topic;
use lakecat_core::names::Tag;
use serde_json::{Value, json};

use crate::error::CfnError;

pub const ORGANIZATION: &str = "lakecat:organization";
pub const ENVIRONMENT: &str = "lakecat:environment";
pub const DATASET: &str = "lakecat:dataset";
pub const TEAM: &str = "lakecat:team";

/// AWS allows at most 50 tags on a resource; ours take up to 4.
const MAX_USER_TAGS: usize = 46;

/// Characters AWS accepts in tag keys and values (letters, digits, spaces, `_.:/=+-@`).
fn aws_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

/// A tag value with any character AWS would refuse replaced by `_` and cut at 256 characters:
/// team names come from an identity provider and may hold characters a tag may not.
fn lossy_value(raw: &str) -> String {
    raw.chars()
        .take(256)
        .map(|c| if aws_tag_char(c) { c } else { '_' })
        .collect()
}

/// Key/value pairs, sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(BTreeMap<String, String>);

impl Tags {
    pub(crate) fn lakecat(key: &'static str, value: &str) -> Self {
        let mut t = Tags::default();
        t.0.insert(key.to_owned(), lossy_value(value));
        t
    }

    pub(crate) fn with(mut self, key: &'static str, value: &str) -> Self {
        self.0.insert(key.to_owned(), lossy_value(value));
        self
    }

    /// `other`'s tags over ours.
    pub(crate) fn merged(&self, other: &Tags) -> Tags {
        let mut out = self.clone();
        out.0
            .extend(other.0.iter().map(|(k, v)| (k.clone(), v.clone())));
        out
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `[{"Key": k, "Value": v}, …]`, the shape most resource types take.
    pub(crate) fn as_list(&self) -> Value {
        Value::Array(
            self.0
                .iter()
                .map(|(k, v)| json!({ "Key": k, "Value": v }))
                .collect(),
        )
    }

    /// `{k: v, …}`, the shape of SSM parameters and Glue resources.
    pub(crate) fn as_map(&self) -> Value {
        Value::Object(
            self.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    }
}

/// The user's own tags for a resource: keys outside the `aws:` and `lakecat:` namespaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserTags(Tags);

impl UserTags {
    pub fn parse(field: &str, pairs: &[(&str, &str)]) -> Result<Self, CfnError> {
        if pairs.len() > MAX_USER_TAGS {
            return Err(CfnError::input(
                field,
                format!("at most {MAX_USER_TAGS} tags"),
            ));
        }
        let mut out = Tags::default();
        for (k, v) in pairs {
            let key_ok = !k.is_empty()
                && k.chars().count() <= 128
                && k.chars().all(aws_tag_char)
                && !k.starts_with("aws:")
                && !k.starts_with("lakecat:");
            if !key_ok {
                return Err(CfnError::input(
                    field,
                    format!("'{k}' is not a tag key (1–128 characters, not aws: or lakecat:)"),
                ));
            }
            if v.chars().count() > 256 || !v.chars().all(aws_tag_char) {
                return Err(CfnError::input(
                    field,
                    format!("the value of '{k}' is not a tag value"),
                ));
            }
            out.0.insert((*k).to_owned(), (*v).to_owned());
        }
        Ok(UserTags(out))
    }

    /// A dataset's catalog tags and topics as AWS tags: the catalog's are labels, not pairs,
    /// so each becomes a key under `lakecat:tag:` / `lakecat:topic:` with the value `true`.
    pub fn from_catalog(tags: &[Tag], topics: &[Topic]) -> Self {
        let mut out = Tags::default();
        let labels = tags
            .iter()
            .map(|t| ("lakecat:tag:", t.as_str()))
            .chain(topics.iter().map(|t| ("lakecat:topic:", t.as_str())));
        for (prefix, label) in labels.take(MAX_USER_TAGS) {
            out.0
                .insert(format!("{prefix}{}", lossy_value(label)), "true".to_owned());
        }
        UserTags(out)
    }

    pub(crate) fn tags(&self) -> &Tags {
        &self.0
    }
}

/// How a resource type takes its tags, for the types lakecat's templates use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagStyle {
    List,
    Map,
}

/// `None` for the types CloudFormation cannot tag (aliases, policies, Glue databases, Lake
/// Formation resources).
pub fn tag_style(resource_type: &str) -> Option<TagStyle> {
    match resource_type {
        "AWS::S3::Bucket" | "AWS::IAM::Role" | "AWS::KMS::Key" | "AWS::Athena::WorkGroup" => {
            Some(TagStyle::List)
        }
        "AWS::SSM::Parameter" | "AWS::Glue::Crawler" => Some(TagStyle::Map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_tags_stay_out_of_reserved_namespaces() {
        assert!(UserTags::parse("t", &[("cost-center", "42")]).is_ok());
        assert!(UserTags::parse("t", &[("aws:x", "1")]).is_err());
        assert!(UserTags::parse("t", &[("lakecat:team", "x")]).is_err());
        assert!(UserTags::parse("t", &[("a", "semi;colon")]).is_err());
        assert!(UserTags::parse("t", &[("", "1")]).is_err());
    }

    #[test]
    fn team_names_become_valid_values() {
        let t = Tags::lakecat(TEAM, "data#analysts");
        assert_eq!(t.get(TEAM), Some("data_analysts"));
    }
}
