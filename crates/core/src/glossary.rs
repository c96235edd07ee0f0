//! Glossary → category → term trees, and links from terms to catalog resources.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{GlossaryNodeId, ResourceKind, TermLinkId};
use crate::names::{Description, Label, TeamName};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlossaryNode {
    pub id: GlossaryNodeId,
    /// The glossary at the root of this node's tree (itself for a glossary).
    pub glossary_id: GlossaryNodeId,
    pub parent_id: Option<GlossaryNodeId>,
    pub label: Label,
    pub description: Description,
    /// Owning team of the glossary (copied to its nodes for display).
    pub admin_team: TeamName,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl GlossaryNode {
    pub fn kind(&self) -> ResourceKind {
        self.id.kind()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGlossaryNode {
    /// None for a glossary; a glossary or category for a category or term.
    pub parent_id: Option<GlossaryNodeId>,
    pub kind: ResourceKind,
    pub label: Label,
    pub description: Description,
    /// Required for a glossary; inherited otherwise.
    pub admin_team: Option<TeamName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermLink {
    pub id: TermLinkId,
    pub term_id: GlossaryNodeId,
    pub target_id: String,
    pub target_kind: ResourceKind,
    /// A link counts once a steward of the glossary approves it.
    pub approved: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Kinds a term may be linked to.
pub const LINKABLE_KINDS: &[ResourceKind] = &[
    ResourceKind::Dataset,
    ResourceKind::Table,
    ResourceKind::Column,
    ResourceKind::Folder,
];
