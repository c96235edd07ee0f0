//! Glossary → category → term trees, and links from terms to catalog resources.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{GlossaryNodeId, ResourceKind, TermLinkId};
use crate::names::{Description, Label, TeamName};
use crate::permissions::{Bundle, Grant};

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

/// Use cases: the nodes people create, built in one place (the API and the demo call these).
impl GlossaryNode {
    /// A glossary `actor` creates, administered by `admin_team` (GLOSSARY_ALL).
    pub fn new_glossary(
        label: Label,
        description: Description,
        admin_team: TeamName,
        actor: &str,
        now: DateTime<Utc>,
    ) -> (GlossaryNode, Vec<Grant>) {
        let id = GlossaryNodeId::generate(ResourceKind::Glossary);
        let node = GlossaryNode {
            glossary_id: id.clone(),
            id,
            parent_id: None,
            label,
            description,
            admin_team,
            version: 1,
            created_by: actor.to_owned(),
            created_at: now,
            updated_at: now,
        };
        let grants = Grant::bundle(&node.admin_team, node.id.as_str(), Bundle::GlossaryAll);
        (node, grants)
    }

    /// A category or term (`kind`) under `parent`, in its glossary and administered by the
    /// glossary's team; BAD_USER_INPUT under a term (terms have no children).
    pub fn new_child(
        parent: &GlossaryNode,
        kind: ResourceKind,
        label: Label,
        description: Description,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<GlossaryNode> {
        if parent.kind() == ResourceKind::GlossaryTerm {
            return Err(Error::bad_input(
                "input.parentId",
                "a term cannot have children; use a glossary or category",
            ));
        }
        if !matches!(
            kind,
            ResourceKind::GlossaryCategory | ResourceKind::GlossaryTerm
        ) {
            return Err(Error::internal(format!(
                "a glossary child cannot be a {}",
                kind.as_str()
            )));
        }
        Ok(GlossaryNode {
            id: GlossaryNodeId::generate(kind),
            glossary_id: parent.glossary_id.clone(),
            parent_id: Some(parent.id.clone()),
            label,
            description,
            admin_team: parent.admin_team.clone(),
            version: 1,
            created_by: actor.to_owned(),
            created_at: now,
            updated_at: now,
        })
    }
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
