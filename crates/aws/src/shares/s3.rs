//! Direct S3 access in the dataset's account. A folder is reached through one access point per
//! (dataset, consumer role), whose policy holds one pair of statements per folder item; the
//! bucket policy delegates access control to the account's access points while lakecat has any
//! on the bucket. A whole bucket gets one bucket-policy statement per share.
//!
//! The delegation statement lets *every* access point of the dataset's account govern the
//! bucket, so it is lakecat's only while lakecat needs it, and only if lakecat wrote it:
//! - lakecat's own delegation has the Sid [`DELEGATION_SID`] (`LakecatDelegateToAccessPoints`).
//!   A grant adds it even when the policy already delegates under another Sid (an operator's
//!   `DelegateToAccessPoints`, or the one lakecat wrote before it had a Sid of its own), so
//!   lakecat's shares never depend on a statement lakecat does not own.
//! - A revoke that deletes an access point removes lakecat's delegation once no access point
//!   of lakecat's (named `lakecat-…`) is left on the bucket, as S3 Control's ListAccessPoints
//!   reports them: the access points are the source of truth, not lakecat's own records. Any
//!   other statement, whatever its Sid or content, is never removed.
//! - "No access point left" is decided safely under concurrency: a grant creates its access
//!   point before it adds the delegation, and the check and the removal happen under the
//!   bucket policy's lock, which the grant's addition takes too. Either the check sees the new
//!   access point, or the grant's addition comes after the removal and puts it back.
//!
//! See `docs/shares.md`.

use aws_config::SdkConfig;
use aws_sdk_s3control::config::endpoint::{Endpoint, EndpointFuture, Params, ResolveEndpoint};
use lakecat_core::shares::{Consumption, ShareAccess, ShareItemGrant, ShareSource};
use lakecat_core::tasks::TaskError;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::AwsShareProcessor;
use super::policy::{Policy, sid};
use crate::sdk_error::{is_code, sdk_error};

/// lakecat's bucket-policy statement that lets the account's access points decide (AWS's
/// recommended delegation). Its own Sid, not AWS's customary `DelegateToAccessPoints`, tells
/// it apart from a delegation someone else wrote: only this one is ever removed.
pub(crate) const DELEGATION_SID: &str = "LakecatDelegateToAccessPoints";

/// The start of every access point name lakecat gives: the access points it counts before it
/// removes its delegation.
const ACCESS_POINT_PREFIX: &str = "lakecat-";

fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn bucket_arns(s: &ShareSource) -> [String; 2] {
    let bucket = format!("arn:{}:s3:::{}", partition(&s.region), s.bucket);
    [bucket.clone(), format!("{bucket}/*")]
}

/// The access point of a (dataset, consumer role): `lakecat-<dataset>-<hash>`, within S3's
/// rules (3–50 characters, lowercase letters, digits and hyphens, a letter or digit at both
/// ends). The hash of both ids keeps it unique when the dataset id is cut short.
pub(crate) fn access_point_name(dataset_id: &str, role_arn: &str) -> String {
    let digest = Sha256::digest(format!("{dataset_id}\n{role_arn}").as_bytes());
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    let slug: String = dataset_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(16)
        .collect();
    if slug.is_empty() {
        format!("{ACCESS_POINT_PREFIX}{hash}")
    } else {
        format!("{ACCESS_POINT_PREFIX}{slug}-{hash}")
    }
}

pub(crate) fn access_point_arn(s: &ShareSource, name: &str) -> String {
    format!(
        "arn:{}:s3:{}:{}:accesspoint/{name}",
        partition(&s.region),
        s.region,
        s.account_id
    )
}

pub(crate) fn delegation_statement(s: &ShareSource) -> Value {
    json!({
        "Sid": DELEGATION_SID,
        "Effect": "Allow",
        "Principal": { "AWS": "*" },
        "Action": "*",
        "Resource": bucket_arns(s),
        "Condition": { "StringEquals": { "s3:DataAccessPointAccount": s.account_id } },
    })
}

/// The statement ids of a folder item in its access point's policy: objects, and listing.
/// Two statements because the listing condition (`s3:prefix`) is absent from object requests.
pub(crate) fn folder_sids(item_id: &str) -> [String; 2] {
    let base = sid("LakecatItem", item_id);
    [format!("{base}Objects"), format!("{base}List")]
}

pub(crate) fn folder_statements(
    item_id: &str,
    role_arn: &str,
    ap_arn: &str,
    prefix: &str,
    access: ShareAccess,
) -> [Value; 2] {
    let [objects_sid, list_sid] = folder_sids(item_id);
    let mut actions = vec!["s3:GetObject"];
    if access == ShareAccess::Write {
        actions.extend(["s3:PutObject", "s3:DeleteObject"]);
    }
    [
        json!({
            "Sid": objects_sid,
            "Effect": "Allow",
            "Principal": { "AWS": role_arn },
            "Action": actions,
            "Resource": format!("{ap_arn}/object/{prefix}*"),
        }),
        json!({
            "Sid": list_sid,
            "Effect": "Allow",
            "Principal": { "AWS": role_arn },
            "Action": "s3:ListBucket",
            "Resource": ap_arn,
            "Condition": { "StringLike": { "s3:prefix": [format!("{prefix}*")] } },
        }),
    ]
}

pub(crate) fn bucket_sid(share_id: &str) -> String {
    sid("LakecatShare", share_id)
}

pub(crate) fn bucket_statement(
    share_id: &str,
    s: &ShareSource,
    role_arn: &str,
    access: ShareAccess,
) -> Value {
    let mut actions = vec!["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"];
    if access == ShareAccess::Write {
        actions.extend(["s3:PutObject", "s3:DeleteObject"]);
    }
    json!({
        "Sid": bucket_sid(share_id),
        "Effect": "Allow",
        "Principal": { "AWS": role_arn },
        "Action": actions,
        "Resource": bucket_arns(s),
    })
}

pub use crate::s3_client;

/// AWS addresses S3 Control at `<account>.s3-control.<region>.amazonaws.com`; an emulator
/// serves it at its one address, where an account-id host label would not resolve.
#[derive(Debug)]
struct FixedEndpoint(String);

impl ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(&'a self, _: &'a Params) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

pub fn s3control_client(config: &SdkConfig) -> aws_sdk_s3control::Client {
    let mut b = aws_sdk_s3control::config::Builder::from(config);
    if let Some(url) = config.endpoint_url() {
        b = b.endpoint_resolver(FixedEndpoint(url.to_owned()));
    }
    aws_sdk_s3control::Client::from_conf(b.build())
}

async fn source_config(p: &AwsShareProcessor, s: &ShareSource) -> Result<SdkConfig, TaskError> {
    p.assume(&s.pivot_role_arn, &s.external_id, &s.region).await
}

/// Read-modify-write of the bucket policy under the bucket's lock; `change` says whether it
/// changed the policy, and may look elsewhere first (still under the lock). On revoke a bucket
/// that is gone has nothing left to revoke.
async fn edit_bucket_policy(
    p: &AwsShareProcessor,
    s3: &aws_sdk_s3::Client,
    s: &ShareSource,
    revoking: bool,
    change: impl AsyncFnOnce(&mut Policy) -> Result<bool, TaskError>,
) -> Result<(), TaskError> {
    let bucket = &s.bucket;
    p.locked(&format!("s3-bucket-policy:{bucket}"), async {
        let get = s3
            .get_bucket_policy()
            .bucket(bucket)
            .expected_bucket_owner(&s.account_id)
            .send()
            .await;
        let current = match get {
            Ok(out) => out.policy,
            Err(e) if is_code(&e, &["NoSuchBucketPolicy"]) => None,
            Err(e) if revoking && is_code(&e, &["NoSuchBucket"]) => return Ok(()),
            Err(e) => return Err(sdk_error("s3 GetBucketPolicy", bucket, e)),
        };
        let mut policy = Policy::parse(current.as_deref())
            .map_err(|e| TaskError::permanent(format!("bucket policy of {bucket}: {e}")))?;
        if !change(&mut policy).await? {
            return Ok(());
        }
        if policy.is_empty() {
            s3.delete_bucket_policy()
                .bucket(bucket)
                .expected_bucket_owner(&s.account_id)
                .send()
                .await
                .map_err(|e| sdk_error("s3 DeleteBucketPolicy", bucket, e))?;
        } else {
            s3.put_bucket_policy()
                .bucket(bucket)
                .expected_bucket_owner(&s.account_id)
                .policy(policy.to_json())
                .send()
                .await
                .map_err(|e| sdk_error("s3 PutBucketPolicy", bucket, e))?;
        }
        Ok(())
    })
    .await
}

pub(crate) async fn grant_bucket(
    p: &AwsShareProcessor,
    g: &ShareItemGrant,
) -> Result<Consumption, TaskError> {
    let s = &g.source;
    let s3 = s3_client(&source_config(p, s).await?);
    let wanted = bucket_statement(&g.share_id, s, &g.target.role_arn, g.access);
    edit_bucket_policy(p, &s3, s, false, async |policy| Ok(policy.upsert(wanted))).await?;
    Ok(Consumption {
        bucket: s.bucket.clone(),
        region: s.region.clone(),
        ..Consumption::default()
    })
}

pub(crate) async fn revoke_bucket(
    p: &AwsShareProcessor,
    g: &ShareItemGrant,
) -> Result<(), TaskError> {
    let s = &g.source;
    let s3 = s3_client(&source_config(p, s).await?);
    let sid = bucket_sid(&g.share_id);
    edit_bucket_policy(p, &s3, s, true, async |policy| Ok(policy.remove(&[&sid]))).await
}

/// The access point's policy; None when the access point does not exist.
async fn access_point_policy(
    control: &aws_sdk_s3control::Client,
    s: &ShareSource,
    name: &str,
) -> Result<Option<Policy>, TaskError> {
    let get = control
        .get_access_point_policy()
        .account_id(&s.account_id)
        .name(name)
        .send()
        .await;
    let text = match get {
        Ok(out) => out.policy,
        Err(e) if is_code(&e, &["NoSuchAccessPointPolicy"]) => None,
        Err(e) if is_code(&e, &["NoSuchAccessPoint"]) => return Ok(None),
        Err(e) => return Err(sdk_error("s3control GetAccessPointPolicy", name, e)),
    };
    Policy::parse(text.as_deref())
        .map(Some)
        .map_err(|e| TaskError::permanent(format!("access point policy of {name}: {e}")))
}

async fn put_access_point_policy(
    control: &aws_sdk_s3control::Client,
    s: &ShareSource,
    name: &str,
    policy: &Policy,
) -> Result<(), TaskError> {
    control
        .put_access_point_policy()
        .account_id(&s.account_id)
        .name(name)
        .policy(policy.to_json())
        .send()
        .await
        .map_err(|e| sdk_error("s3control PutAccessPointPolicy", name, e))?;
    Ok(())
}

/// The access point's ARN and alias, creating it when missing.
async fn ensure_access_point(
    control: &aws_sdk_s3control::Client,
    s: &ShareSource,
    name: &str,
) -> Result<(Option<String>, Option<String>), TaskError> {
    let get = control
        .get_access_point()
        .account_id(&s.account_id)
        .name(name)
        .send()
        .await;
    match get {
        Ok(out) => return Ok((out.access_point_arn, out.alias)),
        Err(e) if is_code(&e, &["NoSuchAccessPoint"]) => {}
        Err(e) => return Err(sdk_error("s3control GetAccessPoint", name, e)),
    }
    let out = control
        .create_access_point()
        .account_id(&s.account_id)
        .name(name)
        .bucket(&s.bucket)
        .bucket_account_id(&s.account_id)
        .send()
        .await
        .map_err(|e| sdk_error("s3control CreateAccessPoint", name, e))?;
    Ok((out.access_point_arn, out.alias))
}

fn access_point_lock(s: &ShareSource, name: &str) -> String {
    format!(
        "s3-access-point-policy:{}:{}:{name}",
        s.account_id, s.region
    )
}

pub(crate) async fn grant_folder(
    p: &AwsShareProcessor,
    g: &ShareItemGrant,
    prefix: &str,
) -> Result<Consumption, TaskError> {
    let s = &g.source;
    let config = source_config(p, s).await?;
    let s3 = s3_client(&config);
    let control = s3control_client(&config);
    let name = access_point_name(&g.dataset_id, &g.target.role_arn);
    let arn = access_point_arn(s, &name);
    // The access point first, the delegation after: a revoke deciding whether to remove the
    // delegation then either sees this access point or is followed by the delegation's return.
    let (ap_arn, alias) = p
        .locked(&access_point_lock(s, &name), async {
            let found = ensure_access_point(&control, s, &name).await?;
            let mut policy = access_point_policy(&control, s, &name)
                .await?
                .unwrap_or_else(Policy::empty);
            let [objects, list] =
                folder_statements(&g.item_id, &g.target.role_arn, &arn, prefix, g.access);
            let changed = policy.upsert(objects) | policy.upsert(list);
            if changed {
                put_access_point_policy(&control, s, &name, &policy).await?;
            }
            Ok(found)
        })
        .await?;
    edit_bucket_policy(p, &s3, s, false, async |policy| {
        Ok(policy.upsert(delegation_statement(s)))
    })
    .await?;
    Ok(Consumption {
        access_point_arn: Some(ap_arn.unwrap_or(arn)),
        access_point_alias: alias,
        bucket: s.bucket.clone(),
        region: s.region.clone(),
        s3_prefix: Some(prefix.to_owned()),
        ..Consumption::default()
    })
}

pub(crate) async fn revoke_folder(
    p: &AwsShareProcessor,
    g: &ShareItemGrant,
) -> Result<(), TaskError> {
    let s = &g.source;
    let config = source_config(p, s).await?;
    let control = s3control_client(&config);
    let name = access_point_name(&g.dataset_id, &g.target.role_arn);
    let access_point_gone = p
        .locked(&access_point_lock(s, &name), async {
            let Some(mut policy) = access_point_policy(&control, s, &name).await? else {
                return Ok(true);
            };
            let [objects, list] = folder_sids(&g.item_id);
            let changed = policy.remove(&[&objects, &list]);
            if policy.is_empty() {
                let delete = control
                    .delete_access_point()
                    .account_id(&s.account_id)
                    .name(&name)
                    .send()
                    .await;
                return match delete {
                    Ok(_) => Ok(true),
                    Err(e) if is_code(&e, &["NoSuchAccessPoint"]) => Ok(true),
                    Err(e) => Err(sdk_error("s3control DeleteAccessPoint", &name, e)),
                };
            }
            if changed {
                put_access_point_policy(&control, s, &name, &policy).await?;
            }
            Ok(false)
        })
        .await?;
    // Also when the access point was already gone: a retry of a revoke that deleted it and
    // then failed before removing the delegation.
    if access_point_gone {
        let s3 = s3_client(&config);
        edit_bucket_policy(p, &s3, s, true, async |policy| {
            if lakecat_access_points(&control, s).await? > 0 {
                return Ok(false);
            }
            Ok(policy.remove(&[DELEGATION_SID]))
        })
        .await?;
    }
    Ok(())
}

/// How many of lakecat's access points the dataset's account has on the bucket.
async fn lakecat_access_points(
    control: &aws_sdk_s3control::Client,
    s: &ShareSource,
) -> Result<usize, TaskError> {
    let mut count = 0;
    let mut next = None;
    loop {
        let out = control
            .list_access_points()
            .account_id(&s.account_id)
            .bucket(&s.bucket)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| sdk_error("s3control ListAccessPoints", &s.bucket, e))?;
        count += out
            .access_point_list()
            .iter()
            .filter(|ap| ap.name().starts_with(ACCESS_POINT_PREFIX))
            .count();
        next = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if next.is_none() {
            return Ok(count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> ShareSource {
        ShareSource {
            account_id: "111111111111".into(),
            region: "eu-west-1".into(),
            bucket: "sales-raw".into(),
            glue_database: "sales".into(),
            kms_alias: None,
            pivot_role_arn: "arn:aws:iam::111111111111:role/pivot".into(),
            external_id: "x".into(),
        }
    }

    #[test]
    fn access_point_names_are_valid_deterministic_and_distinct() {
        let role = "arn:aws:iam::222222222222:role/Analyst_Team";
        let a = access_point_name("01HXDATASET0000000000000000", role);
        assert_eq!(a, access_point_name("01HXDATASET0000000000000000", role));
        assert_ne!(
            a,
            access_point_name("01HXDATASET0000000000000000", "arn:aws:iam::2:role/b")
        );
        assert_ne!(a, access_point_name("01HXDATASET0000000000000001", role));
        for name in [
            a,
            access_point_name("", role),
            access_point_name("--É--", role),
        ] {
            assert!((3..=50).contains(&name.len()), "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name}"
            );
            assert!(
                !name.starts_with('-') && !name.ends_with('-') && !name.contains("--"),
                "{name}"
            );
            assert!(!name.ends_with("-s3alias"), "{name}");
        }
    }

    #[test]
    fn folder_statements_scope_objects_and_listing_to_the_prefix() {
        let arn = access_point_arn(&source(), "lakecat-x");
        assert_eq!(
            arn,
            "arn:aws:s3:eu-west-1:111111111111:accesspoint/lakecat-x"
        );
        let [objects, list] =
            folder_statements("it-1", "arn:r", &arn, "raw/2024/", ShareAccess::Write);
        assert_eq!(objects["Sid"], "LakecatItemit1Objects");
        assert_eq!(
            objects["Action"],
            json!(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
        );
        assert_eq!(objects["Resource"], format!("{arn}/object/raw/2024/*"));
        assert_eq!(list["Sid"], "LakecatItemit1List");
        assert_eq!(list["Resource"], arn);
        assert_eq!(
            list["Condition"]["StringLike"]["s3:prefix"],
            json!(["raw/2024/*"])
        );
        let [read, _] = folder_statements("it-1", "arn:r", &arn, "raw/", ShareAccess::Read);
        assert_eq!(read["Action"], json!(["s3:GetObject"]));
    }

    #[test]
    fn bucket_statements_name_the_share_and_the_bucket() {
        let s = bucket_statement("sh-1", &source(), "arn:r", ShareAccess::Read);
        assert_eq!(s["Sid"], "LakecatSharesh1");
        assert_eq!(
            s["Resource"],
            json!(["arn:aws:s3:::sales-raw", "arn:aws:s3:::sales-raw/*"])
        );
        assert_eq!(
            s["Action"],
            json!(["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"])
        );
        let d = delegation_statement(&source());
        assert_eq!(
            d["Sid"], "LakecatDelegateToAccessPoints",
            "lakecat's own Sid"
        );
        assert_eq!(
            d["Condition"]["StringEquals"]["s3:DataAccessPointAccount"],
            "111111111111"
        );
        assert_eq!(d["Principal"], json!({"AWS": "*"}));
    }
}
