//! SDK errors as task errors, in one place: what may pass with time (throttling, 5xx,
//! timeouts, a connection that failed) is retryable; everything else (access denied, invalid
//! input, a missing bucket or key) is permanent. Messages name the call and the resource.

use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use lakecat_core::tasks::TaskError;

/// Error codes AWS services use for "try again later" with a 4xx status.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "ConcurrentModificationException",
    "OperationAbortedException",
    // S3: a conflicting operation on the same bucket (409), and a slow request (400).
    "OperationAborted",
    "RequestTimeout",
    "OperationTimeoutException",
    "KMSInternalException",
    "DependencyTimeoutException",
    "IDPCommunicationError",
];

/// The task error for a failed `call` (`"s3 PutBucketPolicy"`) on `resource`.
pub(crate) fn sdk_error<E>(call: &str, resource: &str, e: SdkError<E>) -> TaskError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let retryable = match &e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            status >= 500 || status == 429 || e.code().is_some_and(|c| RETRYABLE_CODES.contains(&c))
        }
        _ => false,
    };
    let detail = match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => DisplayErrorContext(&e).to_string(),
    };
    let message = format!("{call} {resource}: {detail}");
    if retryable {
        TaskError::retryable(message)
    } else {
        TaskError::permanent(message)
    }
}

/// Whether `e` is a service error with one of these codes (an "already exists" on create, a
/// "not found" on delete: the outcome wanted, reached earlier).
#[cfg(any(feature = "shares", feature = "lake"))]
pub(crate) fn is_code<E: ProvideErrorMetadata>(e: &SdkError<E>, codes: &[&str]) -> bool {
    e.code().is_some_and(|c| codes.contains(&c))
}

/// A request the SDK would not build (a required field missing): a bug, not worth a retry.
#[cfg(feature = "shares")]
pub(crate) fn build_error(what: &str, e: impl std::fmt::Display) -> TaskError {
    TaskError::permanent(format!("building {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sts::error::ErrorMetadata;
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;

    fn service(status: u16, code: &str) -> SdkError<AssumeRoleError> {
        let meta = ErrorMetadata::builder().code(code).message("m").build();
        let raw = Response::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
        SdkError::service_error(AssumeRoleError::generic(meta), raw)
    }

    #[test]
    fn throttling_outages_and_timeouts_are_retryable() {
        for e in [
            service(400, "Throttling"),
            service(503, "SlowDown"),
            service(500, "InternalError"),
            service(429, "Whatever"),
            service(400, "ConcurrentModificationException"),
            SdkError::timeout_error("took too long"),
        ] {
            assert!(sdk_error("s3 GetBucketPolicy", "b", e).retryable);
        }
    }

    #[test]
    fn refusals_are_permanent_and_name_the_call() {
        let e = sdk_error(
            "s3 GetBucketPolicy",
            "sales-raw",
            service(403, "AccessDenied"),
        );
        assert!(!e.retryable);
        assert_eq!(e.message, "s3 GetBucketPolicy sales-raw: AccessDenied: m");
        for e in [
            service(404, "NoSuchBucket"),
            service(400, "MalformedPolicy"),
            SdkError::construction_failure("missing field"),
        ] {
            assert!(!sdk_error("s3 GetBucketPolicy", "b", e).retryable);
        }
    }
}
