//! The pieces every data-holding template shares: a customer KMS key, a bucket encrypted with
//! it, and the bucket's TLS-only policy.

use serde_json::{Value, json};

use crate::LogicalId;
use crate::Resource;
use crate::iam::{arn, document};
use crate::intrinsic::{get_att, ref_, sub};

/// A customer-managed key with yearly rotation. Its policy delegates to IAM in the account
/// (the root statement), so roles' own policies decide who uses it; the share processor adds
/// consumer statements to it. Retained: deleting a key makes its data unreadable.
pub fn customer_key(description: &str) -> Resource {
    Resource::new("AWS::KMS::Key")
        .prop("Description", json!(description))
        .prop("EnableKeyRotation", json!(true))
        .prop(
            "KeyPolicy",
            document(vec![json!({
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": { "AWS": arn("iam::${AWS::AccountId}:root") },
                "Action": "kms:*",
                "Resource": "*",
            })]),
        )
        .retain()
}

pub fn alias(name: &str, key: &LogicalId) -> Resource {
    Resource::new("AWS::KMS::Alias")
        .prop("AliasName", json!(name))
        .prop("TargetKeyId", ref_(key))
}

/// A bucket encrypted with `key` (SSE-KMS, bucket key on), public access blocked, object
/// ownership enforced, versioned, with old versions and abandoned uploads cleaned up.
/// Retained. `extra_rules` are further lifecycle rules.
pub fn encrypted_bucket(name: Value, key: &LogicalId, extra_rules: Vec<Value>) -> Resource {
    let mut rules = vec![
        json!({
            "Id": "ExpireNoncurrentVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": { "NoncurrentDays": 90 },
        }),
        json!({
            "Id": "AbortIncompleteUploads",
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 },
        }),
    ];
    rules.extend(extra_rules);
    Resource::new("AWS::S3::Bucket")
        .prop("BucketName", name)
        .prop(
            "BucketEncryption",
            json!({ "ServerSideEncryptionConfiguration": [{
                "BucketKeyEnabled": true,
                "ServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": get_att(key, "Arn"),
                },
            }] }),
        )
        .prop(
            "PublicAccessBlockConfiguration",
            json!({
                "BlockPublicAcls": true,
                "BlockPublicPolicy": true,
                "IgnorePublicAcls": true,
                "RestrictPublicBuckets": true,
            }),
        )
        .prop(
            "OwnershipControls",
            json!({ "Rules": [{ "ObjectOwnership": "BucketOwnerEnforced" }] }),
        )
        .prop("VersioningConfiguration", json!({ "Status": "Enabled" }))
        .prop("LifecycleConfiguration", json!({ "Rules": rules }))
        .retain()
}

/// The bucket's policy: requests without TLS are denied. The share processor adds its
/// statements to this document (read-modify-write); an update of this resource by the stack
/// writes the document back, so the processor re-applies its statements after a stack update.
pub fn tls_only_policy(bucket: &LogicalId) -> Resource {
    Resource::new("AWS::S3::BucketPolicy")
        .prop("Bucket", ref_(bucket))
        .prop(
            "PolicyDocument",
            document(vec![json!({
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [
                    get_att(bucket, "Arn"),
                    sub(&format!("${{{bucket}.Arn}}/*")),
                ],
                "Condition": { "Bool": { "aws:SecureTransport": "false" } },
            })]),
        )
}
