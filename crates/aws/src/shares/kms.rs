//! The dataset's KMS key policy, for direct S3 access to an encrypted bucket (folders and the
//! whole bucket). Table items need no key statement: Lake Formation reads the data with the
//! role the location is registered with, not the consumer's.
//!
//! One statement per share and access level (`LakecatShare<id>Read`, `...Write`), so a share
//! with both read and write items holds both, and revoking one item never downgrades another.

use aws_sdk_kms::Client;
use lakecat_core::shares::{ShareAccess, ShareItemGrant};
use lakecat_core::tasks::TaskError;
use serde_json::{Value, json};

use super::AwsShareProcessor;
use super::policy::{Policy, sid};
use crate::sdk_error::{is_code, sdk_error};

const POLICY_NAME: &str = "default";

pub(crate) fn statement_id(share_id: &str, access: ShareAccess) -> String {
    sid("LakecatShare", share_id) + access.as_str()
}

pub(crate) fn statement(sid: &str, role_arn: &str, access: ShareAccess) -> Value {
    let mut actions = vec!["kms:Decrypt", "kms:DescribeKey"];
    if access == ShareAccess::Write {
        actions.extend(["kms:Encrypt", "kms:GenerateDataKey*"]);
    }
    json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": { "AWS": role_arn },
        "Action": actions,
        "Resource": "*",
    })
}

/// Adds the share's statement to the key policy, when the dataset has a key.
pub(crate) async fn grant(p: &AwsShareProcessor, g: &ShareItemGrant) -> Result<(), TaskError> {
    let Some(alias) = &g.source.kms_alias else {
        return Ok(());
    };
    let sid = statement_id(&g.share_id, g.access);
    let wanted = statement(&sid, &g.target.role_arn, g.access);
    edit(p, g, alias, false, |policy| policy.upsert(wanted)).await
}

/// Removes the share's statements unless other items of the share still need the key.
pub(crate) async fn revoke(p: &AwsShareProcessor, g: &ShareItemGrant) -> Result<(), TaskError> {
    let Some(alias) = &g.source.kms_alias else {
        return Ok(());
    };
    if g.share_keeps_access {
        return Ok(());
    }
    let read = statement_id(&g.share_id, ShareAccess::Read);
    let write = statement_id(&g.share_id, ShareAccess::Write);
    edit(p, g, alias, true, |policy| policy.remove(&[&read, &write])).await
}

/// Read-modify-write of the key policy under the key's lock. On revoke a key that is gone
/// has nothing left to revoke.
async fn edit(
    p: &AwsShareProcessor,
    g: &ShareItemGrant,
    alias: &str,
    revoking: bool,
    change: impl FnOnce(&mut Policy) -> bool,
) -> Result<(), TaskError> {
    let s = &g.source;
    let kms = Client::new(
        &p.assume(&s.pivot_role_arn, &s.external_id, &s.region)
            .await?,
    );
    let key_id = match kms.describe_key().key_id(alias).send().await {
        Ok(out) => match out.key_metadata() {
            Some(m) => m.key_id().to_owned(),
            None => {
                return Err(TaskError::retryable(format!(
                    "kms DescribeKey {alias}: no key metadata"
                )));
            }
        },
        Err(e) if revoking && is_code(&e, &["NotFoundException"]) => return Ok(()),
        Err(e) => return Err(sdk_error("kms DescribeKey", alias, e)),
    };
    let lock = format!("kms-key-policy:{}:{}:{key_id}", s.account_id, s.region);
    p.locked(&lock, async {
        let current = kms
            .get_key_policy()
            .key_id(&key_id)
            .policy_name(POLICY_NAME)
            .send()
            .await
            .map_err(|e| sdk_error("kms GetKeyPolicy", &key_id, e))?;
        let mut policy = Policy::parse(current.policy())
            .map_err(|e| TaskError::permanent(format!("kms key policy of {key_id}: {e}")))?;
        if !change(&mut policy) {
            return Ok(());
        }
        kms.put_key_policy()
            .key_id(&key_id)
            .policy_name(POLICY_NAME)
            .policy(policy.to_json())
            .send()
            .await
            .map_err(|e| sdk_error("kms PutKeyPolicy", &key_id, e))?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_adds_encrypt_and_data_keys() {
        let sid = statement_id("01HX-share", ShareAccess::Write);
        assert_eq!(sid, "LakecatShare01HXshareWrite");
        let s = statement(&sid, "arn:aws:iam::2:role/c", ShareAccess::Write);
        assert_eq!(
            s["Action"],
            json!([
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:Encrypt",
                "kms:GenerateDataKey*"
            ])
        );
        let r = statement("x", "arn:aws:iam::2:role/c", ShareAccess::Read);
        assert_eq!(r["Action"], json!(["kms:Decrypt", "kms:DescribeKey"]));
        assert_eq!(r["Principal"]["AWS"], "arn:aws:iam::2:role/c");
    }
}
