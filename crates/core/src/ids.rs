//! Typed, prefixed, sortable ids: `ds_01J…` is a ULID behind a prefix naming its kind.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The kinds of resource that carry permissions, votes, comments, audit events or term links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ResourceKind {
    Organization,
    Environment,
    Dataset,
    Table,
    Column,
    Folder,
    Glossary,
    GlossaryCategory,
    GlossaryTerm,
    TermLink,
    FeedMessage,
    Notification,
    Stack,
    Task,
    Team,
    Share,
    ShareItem,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 17] = [
        ResourceKind::Organization,
        ResourceKind::Environment,
        ResourceKind::Dataset,
        ResourceKind::Table,
        ResourceKind::Column,
        ResourceKind::Folder,
        ResourceKind::Glossary,
        ResourceKind::GlossaryCategory,
        ResourceKind::GlossaryTerm,
        ResourceKind::TermLink,
        ResourceKind::FeedMessage,
        ResourceKind::Notification,
        ResourceKind::Stack,
        ResourceKind::Task,
        ResourceKind::Team,
        ResourceKind::Share,
        ResourceKind::ShareItem,
    ];

    pub fn prefix(self) -> &'static str {
        match self {
            ResourceKind::Organization => "org",
            ResourceKind::Environment => "env",
            ResourceKind::Dataset => "ds",
            ResourceKind::Table => "tbl",
            ResourceKind::Column => "col",
            ResourceKind::Folder => "fld",
            ResourceKind::Glossary => "gls",
            ResourceKind::GlossaryCategory => "cat",
            ResourceKind::GlossaryTerm => "term",
            ResourceKind::TermLink => "tl",
            ResourceKind::FeedMessage => "msg",
            ResourceKind::Notification => "ntf",
            ResourceKind::Stack => "stk",
            ResourceKind::Task => "task",
            ResourceKind::Team => "team",
            ResourceKind::Share => "shr",
            ResourceKind::ShareItem => "shi",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Organization => "ORGANIZATION",
            ResourceKind::Environment => "ENVIRONMENT",
            ResourceKind::Dataset => "DATASET",
            ResourceKind::Table => "TABLE",
            ResourceKind::Column => "COLUMN",
            ResourceKind::Folder => "FOLDER",
            ResourceKind::Glossary => "GLOSSARY",
            ResourceKind::GlossaryCategory => "GLOSSARY_CATEGORY",
            ResourceKind::GlossaryTerm => "GLOSSARY_TERM",
            ResourceKind::TermLink => "TERM_LINK",
            ResourceKind::FeedMessage => "FEED_MESSAGE",
            ResourceKind::Notification => "NOTIFICATION",
            ResourceKind::Stack => "STACK",
            ResourceKind::Task => "TASK",
            ResourceKind::Team => "TEAM",
            ResourceKind::Share => "SHARE",
            ResourceKind::ShareItem => "SHARE_ITEM",
        }
    }

    pub fn from_prefix(prefix: &str) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|k| k.prefix() == prefix)
    }
}

/// Parses `<prefix>_<ulid>` into its kind and ULID, naming `field` on failure.
pub fn parse_any(field: &str, raw: &str) -> Result<(ResourceKind, ulid::Ulid)> {
    let bad = || {
        Error::bad_input(
            field,
            format!("'{}' is not a lakecat id", truncate(raw, 64)),
        )
    };
    let (prefix, rest) = raw.split_once('_').ok_or_else(bad)?;
    let kind = ResourceKind::from_prefix(prefix).ok_or_else(bad)?;
    let ulid = ulid::Ulid::from_str(rest).map_err(|_| bad())?;
    // ULIDs parse case-insensitively; only the canonical upper-case form is an id.
    if ulid.to_string() != rest {
        return Err(bad());
    }
    Ok((kind, ulid))
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

macro_rules! typed_id {
    ($name:ident, $kind:expr) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const KIND: ResourceKind = $kind;

            /// A new id, sortable by creation time.
            pub fn generate() -> Self {
                $name(format!("{}_{}", $kind.prefix(), ulid::Ulid::new()))
            }

            /// Parses an id of this kind; `field` names the input on error.
            pub fn parse(field: &str, raw: &str) -> Result<Self> {
                let (kind, _) = parse_any(field, raw)?;
                if kind != $kind {
                    return Err(Error::bad_input(
                        field,
                        format!(
                            "expected a {} id, got a {} id",
                            $kind.as_str(),
                            kind.as_str()
                        ),
                    ));
                }
                Ok($name(raw.to_owned()))
            }

            /// Wraps an id read back from our own database, where it was validated on write.
            pub fn from_trusted(raw: String) -> Self {
                $name(raw)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(raw: String) -> Result<Self> {
                $name::parse("id", &raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

typed_id!(OrganizationId, ResourceKind::Organization);
typed_id!(EnvironmentId, ResourceKind::Environment);
typed_id!(DatasetId, ResourceKind::Dataset);
typed_id!(TableId, ResourceKind::Table);
typed_id!(ColumnId, ResourceKind::Column);
typed_id!(FolderId, ResourceKind::Folder);
typed_id!(TermLinkId, ResourceKind::TermLink);
typed_id!(FeedMessageId, ResourceKind::FeedMessage);
typed_id!(NotificationId, ResourceKind::Notification);
typed_id!(StackId, ResourceKind::Stack);
typed_id!(TaskId, ResourceKind::Task);
typed_id!(ShareId, ResourceKind::Share);
typed_id!(ShareItemId, ResourceKind::ShareItem);

/// An id of any resource kind, as used by votes, comments, audit events and term links.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResourceId {
    kind: ResourceKind,
    raw: String,
}

impl ResourceId {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let (kind, _) = parse_any(field, raw)?;
        Ok(ResourceId {
            kind,
            raw: raw.to_owned(),
        })
    }
    /// Parses and checks the kind is one of `allowed`.
    pub fn parse_kind(field: &str, raw: &str, allowed: &[ResourceKind]) -> Result<Self> {
        let id = ResourceId::parse(field, raw)?;
        if !allowed.contains(&id.kind) {
            let names: Vec<_> = allowed.iter().map(|k| k.as_str()).collect();
            return Err(Error::bad_input(
                field,
                format!(
                    "a {} id is not accepted here; expected one of {}",
                    id.kind.as_str(),
                    names.join(", ")
                ),
            ));
        }
        Ok(id)
    }
    pub fn from_trusted(raw: String) -> Self {
        let kind = raw
            .split_once('_')
            .and_then(|(p, _)| ResourceKind::from_prefix(p))
            .unwrap_or(ResourceKind::Team);
        ResourceId { kind, raw }
    }
    pub fn kind(&self) -> ResourceKind {
        self.kind
    }
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

macro_rules! into_resource {
    ($($name:ident),*) => {$(
        impl From<&$name> for ResourceId {
            fn from(id: &$name) -> ResourceId {
                ResourceId { kind: $name::KIND, raw: id.0.clone() }
            }
        }
    )*};
}
into_resource!(
    OrganizationId,
    EnvironmentId,
    DatasetId,
    TableId,
    ColumnId,
    FolderId,
    TermLinkId,
    FeedMessageId,
    NotificationId,
    StackId,
    TaskId,
    ShareId,
    ShareItemId
);

/// Glossary, category and term share one tree; their ids differ only by prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GlossaryNodeId(ResourceId);

impl GlossaryNodeId {
    pub fn generate(kind: ResourceKind) -> Self {
        GlossaryNodeId(ResourceId {
            kind,
            raw: format!("{}_{}", kind.prefix(), ulid::Ulid::new()),
        })
    }
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        ResourceId::parse_kind(
            field,
            raw,
            &[
                ResourceKind::Glossary,
                ResourceKind::GlossaryCategory,
                ResourceKind::GlossaryTerm,
            ],
        )
        .map(GlossaryNodeId)
    }
    pub fn parse_kind(field: &str, raw: &str, kind: ResourceKind) -> Result<Self> {
        ResourceId::parse_kind(field, raw, &[kind]).map(GlossaryNodeId)
    }
    pub fn from_trusted(raw: String) -> Self {
        GlossaryNodeId(ResourceId::from_trusted(raw))
    }
    pub fn kind(&self) -> ResourceKind {
        self.0.kind
    }
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
    pub fn resource(&self) -> &ResourceId {
        &self.0
    }
}

impl fmt::Display for GlossaryNodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_round_trip_and_sort_by_time() {
        let a = DatasetId::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = DatasetId::generate();
        assert!(a.as_str().starts_with("ds_"));
        assert!(a < b);
        assert_eq!(DatasetId::parse("id", a.as_str()), Ok(a));
    }

    #[test]
    fn wrong_prefix_or_garbage_is_bad_input_naming_the_field() {
        let org = OrganizationId::generate();
        let err = DatasetId::parse("input.id", org.as_str()).err();
        assert_eq!(
            err.as_ref().map(|e| e.field.as_deref()),
            Some(Some("input.id"))
        );
        for raw in [
            "",
            "ds_",
            "ds_xyz",
            "nope_01J00000000000000000000000",
            "ds_01j0000000000000000000000a",
        ] {
            assert!(DatasetId::parse("id", raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn resource_ids_know_their_kind() {
        let t = TableId::generate();
        let r = ResourceId::parse("target", t.as_str()).ok();
        assert_eq!(r.map(|r| r.kind()), Some(ResourceKind::Table));
        assert!(ResourceId::parse_kind("target", t.as_str(), &[ResourceKind::Dataset]).is_err());
    }
}
