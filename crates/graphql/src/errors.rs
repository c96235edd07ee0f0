//! Core errors to GraphQL errors: `extensions.code` from the closed set, `extensions.field`
//! for bad input; INTERNAL is logged once here and returned as a generic message (the server
//! adds the request id to every error).

use async_graphql::ErrorExtensions;
use lakecat_core::{Error, ErrorCode, Reason};

/// The error type of every resolver. Deliberately not `Display`, so that `?` cannot turn a
/// core error into an uncoded GraphQL error through async-graphql's blanket conversion.
#[derive(Debug, Clone)]
pub struct ApiError(pub Error);

impl ApiError {
    /// UNAVAILABLE with `message` shown to the caller (reason `not_offered`): what this
    /// deployment does not offer, and where to go instead — not a dependency's failure,
    /// whose detail is only logged.
    pub fn not_offered(message: impl Into<String>) -> Self {
        ApiError(Error::unavailable(message).with_reason(Reason::NotOffered))
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(ApiError(e): ApiError) -> Self {
        let message = match e.code {
            // Said as written: what this deployment does not offer, which file of a table
            // cannot be read, and which query outlasted its timeout (the caller may read the
            // table; docs/errors.md promises the query id).
            ErrorCode::Unavailable
                if matches!(
                    e.reason,
                    Reason::NotOffered | Reason::LakeUnreadable | Reason::QueryTimeout
                ) =>
            {
                e.message.clone()
            }
            ErrorCode::Internal => {
                tracing::error!(error = %e.message, "internal error");
                "internal error; the request id identifies it in the server logs".to_owned()
            }
            ErrorCode::Unavailable => {
                tracing::warn!(error = %e.message, "dependency unavailable");
                "a dependency is unavailable; retry later".to_owned()
            }
            _ => e.message.clone(),
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", e.code.as_str());
            ext.set("reason", e.reason.as_str());
            if let Some(f) = &e.field {
                ext.set("field", f.as_str());
            }
        })
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
