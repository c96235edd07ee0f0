//! Glossaries, their categories and terms, and term links to catalog entries.

use super::*;
use crate::caller::MutationMeta;
use crate::error::Result;
use crate::glossary::{GlossaryNode, TermLink};
use crate::page::{Page, PageRequest};
use crate::permissions::Grant;
use async_trait::async_trait;

#[async_trait]
pub trait GlossaryStore: Send + Sync {
    async fn create_glossary_node(
        &self,
        meta: &MutationMeta,
        node: &GlossaryNode,
        grants: &[Grant],
    ) -> Result<()>;

    /// Updates label/description; for terms `expected_version` is checked (CONFLICT if stale).
    async fn update_glossary_node(
        &self,
        meta: &MutationMeta,
        id: &GlossaryNodeId,
        expected_version: Option<i64>,
        label: Option<&crate::names::Label>,
        description: Option<&crate::names::Description>,
    ) -> Result<GlossaryNode>;

    /// Deletes a node, its subtree and their term links.
    async fn delete_glossary_node(&self, meta: &MutationMeta, id: &GlossaryNodeId) -> Result<()>;

    async fn glossary_nodes_by_ids(&self, ids: &[String]) -> Result<Vec<GlossaryNode>>;

    /// The datasets with an entry linked (approved) to a term at or under `node`: their
    /// search documents carry the terms' paths.
    async fn datasets_linked_under(&self, node: &GlossaryNodeId) -> Result<Vec<String>>;

    /// Every node of the given glossaries, the glossaries included.
    async fn glossary_nodes_of(&self, glossary_ids: &[String]) -> Result<Vec<GlossaryNode>>;

    async fn list_glossaries(&self, page: &PageRequest) -> Result<Page<GlossaryNode>>;

    async fn list_glossary_children(
        &self,
        parent: &GlossaryNodeId,
        page: &PageRequest,
    ) -> Result<Page<GlossaryNode>>;

    /// CONFLICT if the term is already linked to the target.
    async fn link_term(&self, meta: &MutationMeta, link: &TermLink) -> Result<()>;

    async fn approve_term_link(&self, meta: &MutationMeta, id: &TermLinkId) -> Result<TermLink>;

    /// Removes a link (unlink by its creator or owner, or dismissal by a steward).
    async fn delete_term_link(&self, meta: &MutationMeta, id: &TermLinkId) -> Result<()>;

    async fn term_links_by_ids(&self, ids: &[String]) -> Result<Vec<TermLink>>;

    async fn term_links_for_targets(&self, target_ids: &[String]) -> Result<Vec<TermLink>>;

    /// A term's links, leaving out those whose target `readers` may not see (None: all).
    async fn list_term_links(
        &self,
        term_id: &GlossaryNodeId,
        readers: Option<&[String]>,
        page: &PageRequest,
    ) -> Result<Page<TermLink>>;
}
