//! The closed set of error codes every layer speaks, and the specific reasons under them.
//! A client branches on `code` (broad, few) or on `reason` (stable, specific, documented
//! in `docs/errors.md`); the message is for people and may change.

use std::fmt;

use crate::text_enum::text_enum;

// Why an error happened, more precisely than its code. A new reason is added here and to the
// table in docs/errors.md (a test checks the table lists them all); a reason never changes
// its spelling once released.
text_enum!(Reason {
    // One per code, where nothing more specific applies.
    NotFound => "not_found",
    PermissionMissing => "permission_missing",
    InvalidValue => "invalid_value",
    Conflict => "conflict",
    NotSignedIn => "not_signed_in",
    Unavailable => "unavailable",
    Internal => "internal",
    // NOT_FOUND, by what was looked for.
    OrganizationNotFound => "organization_not_found",
    EnvironmentNotFound => "environment_not_found",
    DatasetNotFound => "dataset_not_found",
    TableNotFound => "table_not_found",
    ColumnNotFound => "column_not_found",
    FolderNotFound => "folder_not_found",
    GlossaryNodeNotFound => "glossary_node_not_found",
    TermLinkNotFound => "term_link_not_found",
    ShareRequestNotFound => "share_request_not_found",
    ShareItemNotFound => "share_item_not_found",
    NotificationNotFound => "notification_not_found",
    TaskNotFound => "task_not_found",
    TeamNotFound => "team_not_found",
    UserNotFound => "user_not_found",
    // CONFLICT.
    StaleVersion => "stale_version",
    AlreadyExists => "already_exists",
    ReferenceMissing => "reference_missing",
    DatasetSlugTaken => "dataset_slug_taken",
    EnvironmentAlreadyLinked => "environment_already_linked",
    FolderPrefixTaken => "folder_prefix_taken",
    TermAlreadyLinked => "term_already_linked",
    TermLinkAlreadyApproved => "term_link_already_approved",
    OrganizationArchived => "organization_archived",
    OrganizationNotEmpty => "organization_not_empty",
    EnvironmentNotEmpty => "environment_not_empty",
    DatasetHasOpenShares => "dataset_has_open_shares",
    OwnerTeamRequired => "owner_team_required",
    TaskNotHeld => "task_not_held",
    TaskNotFailed => "task_not_failed",
    ShareTransitionNotAllowed => "share_transition_not_allowed",
    ShareRequestHasNoItems => "share_request_has_no_items",
    ShareItemsInProgress => "share_items_in_progress",
    ShareItemsHoldAccess => "share_items_hold_access",
    ShareNothingToExtend => "share_nothing_to_extend",
    ShareItemNotRevocable => "share_item_not_revocable",
    ShareNothingToRevoke => "share_nothing_to_revoke",
    ShareItemNotInProgress => "share_item_not_in_progress",
    ShareRequestDeleted => "share_request_deleted",
    ShareRequestAlreadyOpen => "share_request_already_open",
    ShareItemAlreadyAdded => "share_item_already_added",
    ShareItemsLocked => "share_items_locked",
    ShareRequestExpired => "share_request_expired",
    ShareRequestHasNoExpiry => "share_request_has_no_expiry",
    TableDeleted => "table_deleted",
    DatasetNotReady => "dataset_not_ready",
    // BAD_USER_INPUT beyond a malformed value (the field says which input).
    ShareItemNotInDataset => "share_item_not_in_dataset",
    NotATeamMember => "not_a_team_member",
    TeamNotInEnvironment => "team_not_in_environment",
    ExpiryInThePast => "expiry_in_the_past",
    UserAlreadyExists => "user_already_exists",
    // UNAVAILABLE by design rather than by failure.
    NotOffered => "not_offered",
    // UNAVAILABLE: the lake has what the catalog names, but it cannot be read.
    LakeUnreadable => "lake_unreadable",
    // UNAVAILABLE: a query reading the lake ran out of time and was stopped.
    QueryTimeout => "query_timeout",
});

impl Reason {
    /// The reason of a NOT_FOUND for `what` ("dataset", "glossary term", …), or the generic
    /// one.
    fn not_found(what: &str) -> Reason {
        match what.to_ascii_lowercase().replace(['_', '-'], " ").as_str() {
            "organization" => Reason::OrganizationNotFound,
            "environment" => Reason::EnvironmentNotFound,
            "dataset" => Reason::DatasetNotFound,
            "table" => Reason::TableNotFound,
            "column" => Reason::ColumnNotFound,
            "folder" => Reason::FolderNotFound,
            "glossary" | "glossary category" | "glossary term" | "glossary node" | "category"
            | "term" | "node" => Reason::GlossaryNodeNotFound,
            "term link" | "link" => Reason::TermLinkNotFound,
            "share" | "share request" => Reason::ShareRequestNotFound,
            "share item" | "item" => Reason::ShareItemNotFound,
            "notification" => Reason::NotificationNotFound,
            "task" => Reason::TaskNotFound,
            "team" => Reason::TeamNotFound,
            "user" => Reason::UserNotFound,
            _ => Reason::NotFound,
        }
    }
}

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
    /// The reason an error of this code has when nothing more specific is known.
    pub fn generic_reason(self) -> Reason {
        match self {
            ErrorCode::NotFound => Reason::NotFound,
            ErrorCode::Forbidden => Reason::PermissionMissing,
            ErrorCode::BadUserInput => Reason::InvalidValue,
            ErrorCode::Conflict => Reason::Conflict,
            ErrorCode::Unauthenticated => Reason::NotSignedIn,
            ErrorCode::Unavailable => Reason::Unavailable,
            ErrorCode::Internal => Reason::Internal,
        }
    }

    /// The code spelled as [`ErrorCode::as_str`] spells it.
    pub fn parse(s: &str) -> Option<ErrorCode> {
        [
            ErrorCode::NotFound,
            ErrorCode::Forbidden,
            ErrorCode::BadUserInput,
            ErrorCode::Conflict,
            ErrorCode::Unauthenticated,
            ErrorCode::Unavailable,
            ErrorCode::Internal,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

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

/// An error with a code, a specific reason, a message safe to show the caller, and for bad
/// input the field.
///
/// For `Internal`, `message` is the detail to log; callers only ever see a generic text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    pub code: ErrorCode,
    pub reason: Reason,
    pub message: String,
    pub field: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            reason: code.generic_reason(),
            message: message.into(),
            field: None,
        }
    }
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            code: ErrorCode::BadUserInput,
            reason: Reason::InvalidValue,
            message: message.into(),
            field: Some(field.into()),
        }
    }
    pub fn not_found(what: &str, id: impl fmt::Display) -> Self {
        Error::new(ErrorCode::NotFound, format!("{what} {id} not found"))
            .with_reason(Reason::not_found(what))
    }
    /// Names the specific reason (the code stays).
    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.reason = reason;
        self
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_documented_in_the_error_table() {
        let table = include_str!("../../../docs/errors.md");
        let missing: Vec<&str> = Reason::ALL
            .iter()
            .map(|r| r.as_str())
            .filter(|r| !table.contains(&format!("`{r}`")))
            .collect();
        assert!(
            missing.is_empty(),
            "reasons missing from docs/errors.md: {missing:?}"
        );
    }

    #[test]
    fn not_found_names_what_was_looked_for() {
        assert_eq!(
            Error::not_found("dataset", "ds_1").reason,
            Reason::DatasetNotFound
        );
        assert_eq!(Error::not_found("TABLE", "t").reason, Reason::TableNotFound);
        assert_eq!(
            Error::not_found("glossary term", "g").reason,
            Reason::GlossaryNodeNotFound
        );
        assert_eq!(Error::not_found("gizmo", "x").reason, Reason::NotFound);
        assert_eq!(Error::forbidden("no").reason, Reason::PermissionMissing);
    }
}
