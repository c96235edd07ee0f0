//! The project's own rules, checked on every template (on top of `cfn-lint`): buckets are
//! SSE-KMS encrypted, public access blocked and TLS-only; no IAM statement allows every action
//! on every resource; every role takes the permissions-boundary option; what holds data is
//! retained; every taggable resource carries the lakecat tags.

use serde_json::Value;

use crate::Template;
use crate::tags::{self, tag_style};

/// Resource types that hold data: never deleted by a stack delete or replacement.
const DATA_TYPES: &[&str] = &["AWS::S3::Bucket", "AWS::KMS::Key", "AWS::Glue::Database"];

/// Every rule the template breaks, as `"<LogicalId>: <rule>"`; empty when it passes.
pub fn check(template: &Template) -> Vec<String> {
    check_value(&template.to_value())
}

/// [`check`] on a rendered template (or one read from a file).
pub fn check_value(rendered: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let resources = rendered["Resources"].as_object().unwrap_or(&empty);
    let mut broken = Vec::new();
    for (id, r) in resources {
        let kind = r["Type"].as_str().unwrap_or_default();
        let props = &r["Properties"];
        let mut fail = |rule: &str| broken.push(format!("{id}: {rule}"));
        if kind == "AWS::S3::Bucket" {
            let sse = &props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"];
            if sse["SSEAlgorithm"] != "aws:kms" || sse["KMSMasterKeyID"].is_null() {
                fail("bucket is not SSE-KMS encrypted with a customer key");
            }
            let block = &props["PublicAccessBlockConfiguration"];
            let all_blocked = [
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            ]
            .iter()
            .all(|k| block[*k] == Value::Bool(true));
            if !all_blocked {
                fail("bucket does not block public access");
            }
            if !has_tls_only_policy(resources, id) {
                fail("bucket has no TLS-only policy");
            }
        }
        if DATA_TYPES.contains(&kind)
            && (r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain")
        {
            fail("data is not retained on delete and replace");
        }
        if kind == "AWS::IAM::Role" && !bound_to_boundary_option(&props["PermissionsBoundary"]) {
            fail("role has no permissions-boundary option");
        }
        if tag_style(kind).is_some() && !has_lakecat_tags(&props["Tags"]) {
            fail("taggable resource lacks the lakecat tags");
        }
        for statement in statements(r) {
            if statement["Effect"] == "Allow"
                && is_or_has(&statement["Action"], "*")
                && is_or_has(&statement["Resource"], "*")
            {
                fail("an IAM statement allows every action on every resource");
            }
        }
    }
    broken
}

fn is_or_has(v: &Value, s: &str) -> bool {
    match v {
        Value::String(x) => x == s,
        Value::Array(a) => a.iter().any(|x| x == s),
        _ => false,
    }
}

/// The policy statements a resource carries, wherever its type keeps them.
fn statements(resource: &Value) -> Vec<&Value> {
    let props = &resource["Properties"];
    let mut docs: Vec<&Value> = vec![&props["PolicyDocument"], &props["KeyPolicy"]];
    if let Some(policies) = props["Policies"].as_array() {
        docs.extend(policies.iter().map(|p| &p["PolicyDocument"]));
    }
    docs.iter()
        .filter_map(|d| d["Statement"].as_array())
        .flatten()
        .collect()
}

/// A `PermissionsBoundary` chosen by a condition on a parameter (`Fn::If`), or a parameter.
fn bound_to_boundary_option(v: &Value) -> bool {
    v.get("Fn::If")
        .and_then(|f| f[0].as_str())
        .is_some_and(|c| c == crate::iam::HAS_BOUNDARY)
        || v.get("Ref")
            .is_some_and(|p| p == crate::iam::BOUNDARY_PARAMETER)
}

fn has_tls_only_policy(resources: &serde_json::Map<String, Value>, bucket: &str) -> bool {
    resources.values().any(|r| {
        r["Type"] == "AWS::S3::BucketPolicy"
            && r["Properties"]["Bucket"]["Ref"] == bucket
            && r["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .is_some_and(|ss| {
                    ss.iter().any(|s| {
                        s["Effect"] == "Deny"
                            && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
                    })
                })
    })
}

fn has_lakecat_tags(tags: &Value) -> bool {
    let has = |key: &str| match tags {
        Value::Array(list) => list.iter().any(|t| t["Key"] == key),
        Value::Object(map) => map.contains_key(key),
        _ => false,
    };
    has(tags::ORGANIZATION) && has(tags::ENVIRONMENT)
}
