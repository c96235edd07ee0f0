//! What can go wrong while building a template: an input that breaks a rule, or two things
//! given the same logical id.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CfnError {
    InvalidLogicalId(String),
    /// Two resources, parameters, conditions or outputs would share one logical id.
    DuplicateLogicalId(String),
    /// A typed input failed its parse (the field and the reason).
    Input {
        field: String,
        reason: String,
    },
}

impl CfnError {
    pub(crate) fn input(field: &str, reason: impl Into<String>) -> Self {
        CfnError::Input {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for CfnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CfnError::InvalidLogicalId(id) => write!(
                f,
                "'{id}' is not a logical id (ASCII letters and digits, upper-case first)"
            ),
            CfnError::DuplicateLogicalId(id) => write!(f, "logical id '{id}' is used twice"),
            CfnError::Input { field, reason } => write!(f, "{field}: {reason}"),
        }
    }
}

impl std::error::Error for CfnError {}

impl From<lakecat_core::Error> for CfnError {
    fn from(e: lakecat_core::Error) -> Self {
        CfnError::Input {
            field: e.field.unwrap_or_else(|| "input".to_owned()),
            reason: e.message,
        }
    }
}
