//! Adapters of lakecat's ports over the AWS SDK, one feature each: `sqs` (the task queue),
//! `shares` (share processing on Lake Formation, S3 and KMS), `stacks` (environment and
//! dataset stacks on CloudFormation), `lake` (datasets' tables read from Glue, previewed and
//! profiled with Athena) and `invoke` (previews asked of the worker Lambda). Every client is
//! built from [`AwsConfig`],
//! which takes an endpoint override, so the same code runs against AWS and against an AWS
//! API emulator (moto server) in tests and on a laptop. SDK errors are converted to core's
//! error codes here, in one place per adapter. Depends on core, never on the store or API.

pub mod emulator;
#[cfg(feature = "invoke")]
mod invoke;
#[cfg(feature = "lake")]
mod lake;
#[cfg(any(feature = "shares", feature = "stacks", feature = "lake"))]
mod sdk_error;
#[cfg(any(feature = "stacks", feature = "lake"))]
mod session;
#[cfg(feature = "shares")]
mod shares;
#[cfg(feature = "sqs")]
mod sqs;
#[cfg(feature = "stacks")]
mod stacks;

#[cfg(feature = "invoke")]
pub use invoke::WorkerPreviews;
#[cfg(feature = "lake")]
pub use lake::GlueLake;
#[cfg(feature = "shares")]
pub use shares::AwsShareProcessor;
/// S3 and S3 Control clients as the share processor builds them (path-style and a fixed
/// S3 Control address under an endpoint override).
#[cfg(feature = "shares")]
pub use shares::s3::s3control_client;
#[cfg(feature = "sqs")]
pub use sqs::{Delivery, SqsInbox, SqsQueue};
#[cfg(feature = "stacks")]
pub use stacks::{CloudFormationDeployer, ExecutionRole, Polling, StackSettings, check_pivot_role};

/// An S3 client as lakecat's adapters build it: path-style under an endpoint override
/// (emulators serve every bucket at their one address).
#[cfg(any(feature = "shares", feature = "lake"))]
pub fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let mut b = aws_sdk_s3::config::Builder::from(config);
    if config.endpoint_url().is_some() {
        b = b.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(b.build())
}

/// Where and how to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsConfig {
    pub region: Option<String>,
    /// An emulator's URL (`http://127.0.0.1:5000`); None for AWS itself.
    pub endpoint: Option<String>,
}

impl AwsConfig {
    /// The SDK configuration: the default credential chain (the Lambda's role in AWS), with the
    /// region and endpoint overrides applied.
    pub async fn load(&self) -> aws_config::SdkConfig {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(r) = &self.region {
            loader = loader.region(aws_config::Region::new(r.clone()));
        }
        if let Some(e) = &self.endpoint {
            loader = loader
                .endpoint_url(e.clone())
                .http_client(emulator::http_client());
            // An emulator accepts any keys: without credentials in the environment, sign with
            // placeholders rather than search the chain (instance metadata) for minutes.
            if std::env::var_os("AWS_ACCESS_KEY_ID").is_none()
                && std::env::var_os("AWS_PROFILE").is_none()
            {
                loader = loader.credentials_provider(aws_sdk_sts::config::Credentials::new(
                    "lakecat-emulator",
                    "lakecat-emulator",
                    None,
                    None,
                    "lakecat-emulator",
                ));
            }
        }
        loader.load().await
    }
}
