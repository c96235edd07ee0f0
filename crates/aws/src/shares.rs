//! Share processing on AWS: Lake Formation grants and Glue resource links for tables, S3
//! access points for folders, bucket policies for whole buckets, and the dataset's KMS key
//! policy for direct S3 access. Every call acts in the account it concerns by assuming that
//! account's pivot role; every read-modify-write of a policy document holds a
//! [`ResourceLock`] on that document, so concurrent shares cannot overwrite each other's
//! statements (the failure data.all fixed in its issue #941).

mod glue;
mod kms;
mod lakeformation;
mod policy;
pub(crate) mod s3;
mod tables;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_config::identity::IdentityCache;
use aws_sdk_sts::config::{Credentials, Region, SharedCredentialsProvider};
use lakecat_core::shares::{Consumption, ItemTarget, ResourceLock, ShareItemGrant, ShareProcessor};
use lakecat_core::tasks::TaskError;

use crate::sdk_error::sdk_error;

/// How long a policy lock may be held, and how long to wait for it; a wait that runs out is
/// a retryable error (another share is editing the same policy).
/// The lease outlasts the longest edit (a revoke that lists grants on every link of a shared
/// database, with SDK retries); the lock is released as soon as the edit ends.
const LOCK_LEASE: Duration = Duration::from_secs(300);
const LOCK_WAIT: Duration = Duration::from_secs(30);
/// Assumed-role credentials are reused until this long before they expire.
const CREDENTIALS_MARGIN: Duration = Duration::from_secs(300);
const SESSION_NAME: &str = "lakecat-share";

/// The AWS adapter of [`ShareProcessor`].
pub struct AwsShareProcessor {
    /// lakecat's own configuration: its credentials call STS, its endpoint override (an
    /// emulator) is kept for every client.
    base: SdkConfig,
    sts: aws_sdk_sts::Client,
    lock: Arc<dyn ResourceLock>,
    credentials: Mutex<HashMap<(String, String), Credentials>>,
}

impl AwsShareProcessor {
    pub fn new(config: &SdkConfig, lock: Arc<dyn ResourceLock>) -> Self {
        AwsShareProcessor {
            base: config.clone(),
            sts: aws_sdk_sts::Client::new(config),
            lock,
            credentials: Mutex::new(HashMap::new()),
        }
    }

    /// The SDK configuration acting as `role_arn` in `region`.
    async fn assume(
        &self,
        role_arn: &str,
        external_id: &str,
        region: &str,
    ) -> Result<SdkConfig, TaskError> {
        let credentials = self.credentials(role_arn, external_id).await?;
        Ok(self
            .base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            // The credentials are static; the cache lives in `self.credentials`.
            .identity_cache(IdentityCache::no_cache())
            .region(Region::new(region.to_owned()))
            .build())
    }

    async fn credentials(
        &self,
        role_arn: &str,
        external_id: &str,
    ) -> Result<Credentials, TaskError> {
        let key = (role_arn.to_owned(), external_id.to_owned());
        if let Some(c) = self.cached(&key) {
            return Ok(c);
        }
        let out = self
            .sts
            .assume_role()
            .role_arn(role_arn)
            .external_id(external_id)
            .role_session_name(SESSION_NAME)
            .send()
            .await
            .map_err(|e| sdk_error("sts AssumeRole", role_arn, e))?;
        let c = out.credentials().ok_or_else(|| {
            TaskError::retryable(format!(
                "sts AssumeRole {role_arn}: no credentials returned"
            ))
        })?;
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            expiry,
            "lakecat-share-pivot-role",
        );
        if let Ok(mut cache) = self.credentials.lock() {
            cache.insert(key, credentials.clone());
        }
        Ok(credentials)
    }

    fn cached(&self, key: &(String, String)) -> Option<Credentials> {
        let cache = self.credentials.lock().ok()?;
        let c = cache.get(key)?;
        let fresh = c
            .expiry()
            .and_then(|e| e.checked_sub(CREDENTIALS_MARGIN))
            .is_some_and(|e| e > SystemTime::now());
        fresh.then(|| c.clone())
    }

    /// Runs `edit` while holding the lock on `key`, releasing it whatever the outcome (a
    /// cancelled task leaves it to the lease).
    async fn locked<T>(
        &self,
        key: &str,
        edit: impl Future<Output = Result<T, TaskError>>,
    ) -> Result<T, TaskError> {
        let token = self.lock.acquire(key, LOCK_LEASE, LOCK_WAIT).await?;
        let out = edit.await;
        self.lock.release(key, &token).await;
        out
    }
}

#[async_trait]
impl ShareProcessor for AwsShareProcessor {
    #[tracing::instrument(skip_all, fields(share.id = %g.share_id, item.id = %g.item_id, item.kind = g.item.kind().as_str()))]
    async fn grant(&self, g: &ShareItemGrant) -> Result<Consumption, TaskError> {
        match &g.item {
            ItemTarget::Table { glue_table } => tables::grant_table(self, g, glue_table).await,
            ItemTarget::Folder { prefix } => {
                let consumption = s3::grant_folder(self, g, prefix).await?;
                kms::grant(self, g).await?;
                Ok(consumption)
            }
            ItemTarget::Bucket => {
                let consumption = s3::grant_bucket(self, g).await?;
                kms::grant(self, g).await?;
                Ok(consumption)
            }
        }
    }

    #[tracing::instrument(skip_all, fields(share.id = %g.share_id, item.id = %g.item_id, item.kind = g.item.kind().as_str()))]
    async fn revoke(&self, g: &ShareItemGrant) -> Result<(), TaskError> {
        match &g.item {
            ItemTarget::Table { glue_table } => tables::revoke_table(self, g, glue_table).await,
            ItemTarget::Folder { .. } => {
                s3::revoke_folder(self, g).await?;
                kms::revoke(self, g).await
            }
            ItemTarget::Bucket => {
                s3::revoke_bucket(self, g).await?;
                kms::revoke(self, g).await
            }
        }
    }
}
