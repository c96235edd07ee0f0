//! The closed set of error codes every layer speaks.

use std::fmt;

/// Stable error codes, surfaced to API clients as `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    NotFound,
    Forbidden,
    BadUserInput,
    Conflict,
    Unauthenticated,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error with a code, a message safe to show the caller, and for bad input the field.
///
/// For `Internal`, `message` is the detail to log; callers only ever see a generic text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: None,
        }
    }
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            code: ErrorCode::BadUserInput,
            message: message.into(),
            field: Some(field.into()),
        }
    }
    pub fn not_found(what: &str, id: impl fmt::Display) -> Self {
        Error::new(ErrorCode::NotFound, format!("{what} {id} not found"))
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Forbidden, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Conflict, message)
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Unauthenticated, message)
    }
    pub fn unavailable(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Unavailable, message)
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, detail)
    }
    /// Prefixes the field of a bad-input error, so nested inputs name their full path.
    pub fn in_field(mut self, parent: &str) -> Self {
        if let Some(f) = self.field.take() {
            self.field = Some(format!("{parent}.{f}"));
        }
        self
    }
}
