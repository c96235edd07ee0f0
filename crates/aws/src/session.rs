//! Acting in an environment's account: its pivot role, assumed with the external id.

use aws_config::SdkConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_sdk_sts::config::{Region, SharedCredentialsProvider};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use lakecat_core::catalog::Environment;
use lakecat_core::tasks::TaskError;

use crate::sdk_error::sdk_error;

/// The session name of the access check (CloudTrail shows it with every call).
const CHECK_SESSION: &str = "lakecat-check";

/// Whether lakecat can assume `environment`'s pivot role with `external_id`: the check of an
/// environment's registration. The error says which role and why, for a person to read.
pub async fn check_pivot_role(
    config: &SdkConfig,
    environment: &Environment,
    external_id: &str,
) -> Result<(), TaskError> {
    let role = environment.pivot_role_arn();
    aws_sdk_sts::Client::new(config)
        .assume_role()
        .role_arn(&role)
        .external_id(external_id)
        .role_session_name(CHECK_SESSION)
        .send()
        .await
        .map_err(|e| assume_error(&role, e))?;
    Ok(())
}

/// The SDK configuration acting as `environment`'s pivot role in its region. The role is
/// assumed once here, so a refusal is a readable error now; the clients' credentials are
/// then assumed again (and renewed) as a deploy that outlasts them needs.
pub(crate) async fn assume(
    base: &SdkConfig,
    environment: &Environment,
    external_id: &str,
    session_name: &str,
) -> Result<SdkConfig, TaskError> {
    check_pivot_role(base, environment, external_id).await?;
    let region = Region::new(environment.region.as_str().to_owned());
    let provider = AssumeRoleProvider::builder(environment.pivot_role_arn())
        .external_id(external_id)
        .session_name(session_name)
        .region(region.clone())
        .configure(base)
        .build()
        .await;
    Ok(base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .region(region)
        .build())
}

/// A refusal (access denied, a role that does not exist or does not trust lakecat) is
/// permanent and says so plainly; an outage stays retryable.
fn assume_error<E>(role: &str, e: SdkError<E>) -> TaskError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = match (e.code(), e.message()) {
        (Some(code), Some(message)) => Some(format!("{code}: {message}")),
        (Some(code), None) => Some(code.to_owned()),
        _ => None,
    };
    let classified = sdk_error("sts AssumeRole", role, e);
    match detail {
        Some(detail) if !classified.retryable => {
            TaskError::permanent(format!("cannot assume {role}: {detail}"))
        }
        _ => classified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sts::error::ErrorMetadata;
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;

    fn refused(status: u16, code: &str, message: &str) -> SdkError<AssumeRoleError> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        let raw = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
        SdkError::service_error(AssumeRoleError::generic(meta), raw)
    }

    #[test]
    fn access_denied_is_permanent_and_names_the_role() {
        let role = "arn:aws:iam::111122223333:role/lakecat-pivot-role";
        let e = assume_error(
            role,
            refused(
                403,
                "AccessDenied",
                "not authorized to perform sts:AssumeRole",
            ),
        );
        assert!(!e.retryable);
        assert_eq!(
            e.message,
            format!("cannot assume {role}: AccessDenied: not authorized to perform sts:AssumeRole")
        );
    }

    #[test]
    fn throttling_on_assume_is_retryable() {
        let e = assume_error(
            "arn:aws:iam::1:role/r",
            refused(400, "Throttling", "slow down"),
        );
        assert!(e.retryable);
        assert!(
            e.message
                .starts_with("sts AssumeRole arn:aws:iam::1:role/r")
        );
    }
}
