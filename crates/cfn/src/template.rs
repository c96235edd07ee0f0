//! A CloudFormation template as a typed value: parameters, conditions, resources and outputs
//! keyed by [`LogicalId`], rendered to JSON with every object's keys sorted, so two renders of
//! the same inputs are byte-identical and a diff between two versions is a real change.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::LogicalId;
use crate::error::CfnError;
use crate::tags::{TagStyle, Tags, UserTags, tag_style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterType {
    String,
    Number,
    CommaDelimitedList,
}

impl ParameterType {
    fn as_str(self) -> &'static str {
        match self {
            ParameterType::String => "String",
            ParameterType::Number => "Number",
            ParameterType::CommaDelimitedList => "CommaDelimitedList",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    kind: ParameterType,
    description: String,
    default: Option<String>,
    allowed_values: Vec<String>,
    allowed_pattern: Option<String>,
    constraint_description: Option<String>,
    no_echo: bool,
}

impl Parameter {
    pub fn string(description: &str) -> Self {
        Parameter {
            kind: ParameterType::String,
            description: description.to_owned(),
            default: None,
            allowed_values: Vec::new(),
            allowed_pattern: None,
            constraint_description: None,
            no_echo: false,
        }
    }

    pub fn kind(mut self, kind: ParameterType) -> Self {
        self.kind = kind;
        self
    }

    pub fn default(mut self, value: &str) -> Self {
        self.default = Some(value.to_owned());
        self
    }

    pub fn allowed_values(mut self, values: &[&str]) -> Self {
        self.allowed_values = values.iter().map(|v| (*v).to_owned()).collect();
        self
    }

    pub fn allowed_pattern(mut self, pattern: &str, explained: &str) -> Self {
        self.allowed_pattern = Some(pattern.to_owned());
        self.constraint_description = Some(explained.to_owned());
        self
    }

    /// Hidden from the console and `DescribeStacks` (external ids).
    pub fn no_echo(mut self) -> Self {
        self.no_echo = true;
        self
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.kind.as_str()));
        m.insert("Description".into(), json!(self.description));
        if let Some(d) = &self.default {
            m.insert("Default".into(), json!(d));
        }
        if !self.allowed_values.is_empty() {
            m.insert("AllowedValues".into(), json!(self.allowed_values));
        }
        if let Some(p) = &self.allowed_pattern {
            m.insert("AllowedPattern".into(), json!(p));
        }
        if let Some(c) = &self.constraint_description {
            m.insert("ConstraintDescription".into(), json!(c));
        }
        if self.no_echo {
            m.insert("NoEcho".into(), json!(true));
        }
        Value::Object(m)
    }
}

/// What CloudFormation does with a resource's physical thing when the stack deletes or
/// replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Retain,
    Delete,
}

impl Policy {
    fn as_str(self) -> &'static str {
        match self {
            Policy::Retain => "Retain",
            Policy::Delete => "Delete",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    kind: &'static str,
    properties: Map<String, Value>,
    depends_on: BTreeSet<LogicalId>,
    condition: Option<LogicalId>,
    deletion_policy: Option<Policy>,
    update_replace_policy: Option<Policy>,
    tags: Tags,
}

impl Resource {
    /// A resource of a CloudFormation type such as `AWS::S3::Bucket`.
    pub fn new(kind: &'static str) -> Self {
        Resource {
            kind,
            properties: Map::new(),
            depends_on: BTreeSet::new(),
            condition: None,
            deletion_policy: None,
            update_replace_policy: None,
            tags: Tags::default(),
        }
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    pub fn prop(mut self, name: &str, value: Value) -> Self {
        self.properties.insert(name.to_owned(), value);
        self
    }

    pub fn depends_on(mut self, id: &LogicalId) -> Self {
        self.depends_on.insert(id.clone());
        self
    }

    /// Created only where the condition holds.
    pub fn condition(mut self, id: &LogicalId) -> Self {
        self.condition = Some(id.clone());
        self
    }

    /// Kept on stack deletion and on replacement: for what holds data (buckets, keys, Glue
    /// databases), which a stack mistake must never destroy.
    pub fn retain(mut self) -> Self {
        self.deletion_policy = Some(Policy::Retain);
        self.update_replace_policy = Some(Policy::Retain);
        self
    }

    pub fn deletion_policy(mut self, policy: Policy) -> Self {
        self.deletion_policy = Some(policy);
        self
    }

    pub fn update_replace_policy(mut self, policy: Policy) -> Self {
        self.update_replace_policy = Some(policy);
        self
    }

    /// A tag of this resource alone (`lakecat:team` on a team's role).
    pub(crate) fn tag(mut self, key: &'static str, value: &str) -> Self {
        self.tags = self.tags.with(key, value);
        self
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Type".into(), json!(self.kind));
        if !self.properties.is_empty() {
            m.insert("Properties".into(), Value::Object(self.properties.clone()));
        }
        if !self.depends_on.is_empty() {
            m.insert("DependsOn".into(), json!(self.depends_on));
        }
        if let Some(c) = &self.condition {
            m.insert("Condition".into(), json!(c));
        }
        if let Some(p) = self.deletion_policy {
            m.insert("DeletionPolicy".into(), json!(p.as_str()));
        }
        if let Some(p) = self.update_replace_policy {
            m.insert("UpdateReplacePolicy".into(), json!(p.as_str()));
        }
        Value::Object(m)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    description: String,
    value: Value,
    export_name: Option<Value>,
    condition: Option<LogicalId>,
}

impl Output {
    pub fn new(description: &str, value: Value) -> Self {
        Output {
            description: description.to_owned(),
            value,
            export_name: None,
            condition: None,
        }
    }

    /// Exported under `name`, for `Fn::ImportValue` in other stacks of the account.
    pub fn export(mut self, name: Value) -> Self {
        self.export_name = Some(name);
        self
    }

    pub fn condition(mut self, id: &LogicalId) -> Self {
        self.condition = Some(id.clone());
        self
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("Description".into(), json!(self.description));
        m.insert("Value".into(), self.value.clone());
        if let Some(e) = &self.export_name {
            m.insert("Export".into(), json!({ "Name": e }));
        }
        if let Some(c) = &self.condition {
            m.insert("Condition".into(), json!(c));
        }
        Value::Object(m)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    description: String,
    metadata: BTreeMap<String, Value>,
    /// Tags every taggable resource gets (the lakecat ones, then the user's).
    tags: Tags,
    parameters: BTreeMap<LogicalId, Parameter>,
    conditions: BTreeMap<LogicalId, Value>,
    resources: BTreeMap<LogicalId, Resource>,
    outputs: BTreeMap<LogicalId, Output>,
    /// Every id in use: CloudFormation resolves `Ref` across parameters and resources, and
    /// one namespace for all four sections keeps the rendered template unambiguous to read.
    ids: BTreeSet<LogicalId>,
}

impl Template {
    pub(crate) fn new(description: &str, lakecat_tags: Tags, user_tags: &UserTags) -> Self {
        Template {
            description: description.to_owned(),
            metadata: BTreeMap::new(),
            tags: user_tags.tags().merged(&lakecat_tags),
            parameters: BTreeMap::new(),
            conditions: BTreeMap::new(),
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
            ids: BTreeSet::new(),
        }
    }

    fn claim(&mut self, id: &LogicalId) -> Result<(), CfnError> {
        if self.ids.insert(id.clone()) {
            Ok(())
        } else {
            Err(CfnError::DuplicateLogicalId(id.to_string()))
        }
    }

    pub fn metadata(&mut self, key: &str, value: Value) {
        self.metadata.insert(key.to_owned(), value);
    }

    pub fn parameter(&mut self, id: &LogicalId, p: Parameter) -> Result<(), CfnError> {
        self.claim(id)?;
        self.parameters.insert(id.clone(), p);
        Ok(())
    }

    pub fn condition(&mut self, id: &LogicalId, expression: Value) -> Result<(), CfnError> {
        self.claim(id)?;
        self.conditions.insert(id.clone(), expression);
        Ok(())
    }

    /// Adds a resource; a taggable one gets the template's tags and its own.
    pub fn add(&mut self, id: &LogicalId, resource: Resource) -> Result<(), CfnError> {
        self.claim(id)?;
        let mut resource = resource;
        let tags = self.tags.merged(&resource.tags);
        let rendered = match tag_style(resource.kind) {
            Some(TagStyle::List) => Some(tags.as_list()),
            Some(TagStyle::Map) => Some(tags.as_map()),
            None => None,
        };
        if let Some(t) = rendered.filter(|_| !tags.is_empty()) {
            resource.properties.insert("Tags".into(), t);
        }
        self.resources.insert(id.clone(), resource);
        Ok(())
    }

    pub fn output(&mut self, id: &LogicalId, o: Output) -> Result<(), CfnError> {
        self.claim(id)?;
        self.outputs.insert(id.clone(), o);
        Ok(())
    }

    pub fn resources(&self) -> impl Iterator<Item = (&LogicalId, &Resource)> {
        self.resources.iter()
    }

    pub fn parameters(&self) -> impl Iterator<Item = &LogicalId> {
        self.parameters.keys()
    }

    pub fn outputs(&self) -> impl Iterator<Item = &LogicalId> {
        self.outputs.keys()
    }

    /// The template as JSON with every object's keys sorted.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        m.insert("Description".into(), json!(self.description));
        if !self.metadata.is_empty() {
            m.insert("Metadata".into(), json!(self.metadata));
        }
        let section = |m: &mut Map<String, Value>, name: &str, entries: Vec<(String, Value)>| {
            if !entries.is_empty() {
                m.insert(name.into(), Value::Object(entries.into_iter().collect()));
            }
        };
        let params = self.parameters.iter();
        section(
            &mut m,
            "Parameters",
            params.map(|(k, v)| (k.to_string(), v.to_value())).collect(),
        );
        section(
            &mut m,
            "Conditions",
            self.conditions
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        );
        section(
            &mut m,
            "Resources",
            self.resources
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_value()))
                .collect(),
        );
        section(
            &mut m,
            "Outputs",
            self.outputs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_value()))
                .collect(),
        );
        let rendered = Value::Object(m);
        if maps_sort_their_keys() {
            rendered
        } else {
            sorted(rendered)
        }
    }

    /// Two-space indented JSON, the form written to disk and snapshotted.
    pub fn to_json_pretty(&self) -> String {
        // Serialising a `Value` cannot fail: its keys are strings and it holds no floats
        // that JSON cannot express (we never build any).
        serde_json::to_string_pretty(&self.to_value()).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.to_value()).unwrap_or_default()
    }
}

/// Whether serde_json's `Map` keeps its keys sorted: it does (a `BTreeMap`) unless a crate in
/// the build turns on its `preserve_order` feature, and then [`sorted`] does the sorting.
fn maps_sort_their_keys() -> bool {
    static SORTED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *SORTED.get_or_init(|| {
        let m: Map<String, Value> = [("b".to_owned(), Value::Null), ("a".to_owned(), Value::Null)]
            .into_iter()
            .collect();
        m.keys().next().is_some_and(|k| k == "a")
    })
}

/// Sorts every object's keys.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id;
    use crate::tags::ORGANIZATION;

    fn template() -> Template {
        Template::new(
            "t",
            Tags::lakecat(ORGANIZATION, "org_1"),
            &UserTags::default(),
        )
    }

    #[test]
    fn one_namespace_for_all_ids() {
        let mut t = template();
        assert!(t.parameter(&id!("Name"), Parameter::string("n")).is_ok());
        assert_eq!(
            t.add(&id!("Name"), Resource::new("AWS::S3::Bucket")),
            Err(CfnError::DuplicateLogicalId("Name".into()))
        );
    }

    #[test]
    fn taggable_resources_get_tags_in_their_shape() {
        let mut t = template();
        let added = t
            .add(&id!("Bucket"), Resource::new("AWS::S3::Bucket"))
            .and_then(|()| t.add(&id!("Param"), Resource::new("AWS::SSM::Parameter")))
            .and_then(|()| t.add(&id!("Alias"), Resource::new("AWS::KMS::Alias")));
        assert!(added.is_ok());
        let v = t.to_value();
        assert_eq!(
            v["Resources"]["Bucket"]["Properties"]["Tags"],
            json!([{"Key": "lakecat:organization", "Value": "org_1"}])
        );
        assert_eq!(
            v["Resources"]["Param"]["Properties"]["Tags"],
            json!({"lakecat:organization": "org_1"})
        );
        assert_eq!(v["Resources"]["Alias"].get("Properties"), None);
    }

    #[test]
    fn keys_are_sorted() {
        let v = sorted(json!({"b": 1, "a": {"d": 1, "c": [{"f": 1, "e": 2}]}}));
        assert_eq!(
            serde_json::to_string(&v).ok(),
            Some(r#"{"a":{"c":[{"e":2,"f":1}],"d":1},"b":1}"#.to_owned())
        );
    }
}
