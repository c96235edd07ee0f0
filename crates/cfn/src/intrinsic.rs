//! CloudFormation's intrinsic functions and pseudo parameters, as JSON values. They are plain
//! `serde_json::Value`s so they nest anywhere a property takes a value.

use serde_json::{Value, json};

use crate::LogicalId;

/// `{"Ref": id}`: a parameter's value or a resource's primary id.
pub fn ref_(id: &LogicalId) -> Value {
    json!({ "Ref": id.as_str() })
}

/// `{"Fn::GetAtt": [id, attribute]}`.
pub fn get_att(id: &LogicalId, attribute: &str) -> Value {
    json!({ "Fn::GetAtt": [id.as_str(), attribute] })
}

/// `{"Fn::Sub": text}`: `${Name}` placeholders are parameters, resources or pseudo parameters.
pub fn sub(text: &str) -> Value {
    json!({ "Fn::Sub": text })
}

/// `{"Fn::Join": [separator, parts]}`.
pub fn join(separator: &str, parts: Vec<Value>) -> Value {
    json!({ "Fn::Join": [separator, parts] })
}

/// `{"Fn::If": [condition, then, else]}`.
pub fn if_(condition: &LogicalId, then: Value, otherwise: Value) -> Value {
    json!({ "Fn::If": [condition.as_str(), then, otherwise] })
}

/// `{"Fn::Select": [index, list]}`.
pub fn select(index: u32, list: Value) -> Value {
    json!({ "Fn::Select": [index.to_string(), list] })
}

/// `{"Fn::ImportValue": name}`: an output another stack exported.
pub fn import_value(name: Value) -> Value {
    json!({ "Fn::ImportValue": name })
}

/// `{"Fn::Equals": [a, b]}`, for conditions.
pub fn equals(a: Value, b: Value) -> Value {
    json!({ "Fn::Equals": [a, b] })
}

/// `{"Fn::Not": [condition]}`, for conditions.
pub fn not(condition: Value) -> Value {
    json!({ "Fn::Not": [condition] })
}

/// `{"Condition": id}`: another condition, inside a condition.
pub fn condition(id: &LogicalId) -> Value {
    json!({ "Condition": id.as_str() })
}

/// Leaves a property out (inside `Fn::If`).
pub fn no_value() -> Value {
    json!({ "Ref": "AWS::NoValue" })
}

pub fn account_id() -> Value {
    json!({ "Ref": "AWS::AccountId" })
}

pub fn partition() -> Value {
    json!({ "Ref": "AWS::Partition" })
}

pub fn region() -> Value {
    json!({ "Ref": "AWS::Region" })
}

pub fn stack_name() -> Value {
    json!({ "Ref": "AWS::StackName" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id;

    #[test]
    fn shapes() {
        let c = id!("HasBoundary");
        assert_eq!(
            if_(&c, ref_(&id!("Boundary")), no_value()),
            json!({"Fn::If": ["HasBoundary", {"Ref": "Boundary"}, {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(
            get_att(&id!("Key"), "Arn"),
            json!({"Fn::GetAtt": ["Key", "Arn"]})
        );
        assert_eq!(
            select(1, join(",", vec![json!("a")])),
            json!({"Fn::Select": ["1", {"Fn::Join": [",", ["a"]]}]})
        );
        assert_eq!(
            not(equals(json!(""), json!("x"))),
            json!({"Fn::Not": [{"Fn::Equals": ["", "x"]}]})
        );
    }
}
