//! Glossaries: glossary → category → term trees, and term links to catalog resources.

use async_graphql::{Context, Enum, InputObject, Object};
use chrono::{DateTime, Utc};
use lakecat_core::Error;
use lakecat_core::glossary::{self as core, LINKABLE_KINDS};
use lakecat_core::ids::{GlossaryNodeId, ResourceId, ResourceKind, TermLinkId};
use lakecat_core::names::*;
use lakecat_core::permissions::Permission;
use lakecat_core::ports::CountQuery;

use super::organizations::require_member;
use super::tables::dataset_of;
use super::{connection, not_found, page_args};
use crate::authz::authorize;
use crate::context::{caller, meta, request, store};
use crate::errors::ApiResult;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum GlossaryNodeKind {
    Glossary,
    Category,
    Term,
}

#[derive(Clone)]
pub struct GlossaryNode(pub core::GlossaryNode);
#[derive(Clone)]
pub struct TermLink(pub core::TermLink);

connection!(GlossaryNodeConnection, GlossaryNodeEdge, GlossaryNode);
connection!(TermLinkConnection, TermLinkEdge, TermLink);

#[Object]
impl GlossaryNode {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn kind(&self) -> GlossaryNodeKind {
        match self.0.kind() {
            ResourceKind::Glossary => GlossaryNodeKind::Glossary,
            ResourceKind::GlossaryCategory => GlossaryNodeKind::Category,
            _ => GlossaryNodeKind::Term,
        }
    }
    async fn glossary_id(&self) -> &str {
        self.0.glossary_id.as_str()
    }
    async fn parent_id(&self) -> Option<&str> {
        self.0.parent_id.as_ref().map(|p| p.as_str())
    }
    async fn label(&self) -> &str {
        self.0.label.as_str()
    }
    async fn description(&self) -> &str {
        self.0.description.as_str()
    }
    async fn admin_team(&self) -> &str {
        self.0.admin_team.as_str()
    }
    async fn version(&self) -> i64 {
        self.0.version
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<GlossaryNodeConnection> {
        let list = format!("glossary-children:{}", self.0.id);
        let page = page_args(ctx, &list, first, after)?;
        let rows = store(ctx).list_glossary_children(&self.0.id, &page).await?;
        GlossaryNodeConnection::from_page(
            ctx,
            &list,
            rows,
            CountQuery::GlossaryChildren(self.0.id.clone()),
            GlossaryNode,
        )
    }
    /// For a term: the resources it is linked to.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn links(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<TermLinkConnection> {
        let list = format!("term-links:{}", self.0.id);
        let page = page_args(ctx, &list, first, after)?;
        let readers = crate::visibility::readers(ctx).await?.filter();
        let rows = store(ctx)
            .list_term_links(&self.0.id, readers.as_deref(), &page)
            .await?;
        TermLinkConnection::from_page(
            ctx,
            &list,
            rows,
            CountQuery::TermLinks {
                term: self.0.id.clone(),
                readers,
            },
            TermLink,
        )
    }
}

#[Object]
impl TermLink {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn term_id(&self) -> &str {
        self.0.term_id.as_str()
    }
    async fn term(&self, ctx: &Context<'_>) -> ApiResult<Option<GlossaryNode>> {
        Ok(request(ctx)?
            .loaders
            .glossary_nodes
            .load_one(self.0.term_id.to_string())
            .await?
            .map(GlossaryNode))
    }
    async fn target_id(&self) -> &str {
        &self.0.target_id
    }
    async fn target_kind(&self) -> &str {
        self.0.target_kind.as_str()
    }
    /// A link counts once a steward of the glossary approved it.
    async fn approved(&self) -> bool {
        self.0.approved
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Default)]
pub struct GlossaryQuery;

#[Object]
impl GlossaryQuery {
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn glossaries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<GlossaryNodeConnection> {
        authorize(ctx, "glossaries", None).await?;
        let page = page_args(ctx, "glossaries", first, after)?;
        let rows = store(ctx).list_glossaries(&page).await?;
        GlossaryNodeConnection::from_page(
            ctx,
            "glossaries",
            rows,
            CountQuery::Glossaries,
            GlossaryNode,
        )
    }

    /// A glossary, category or term.
    async fn glossary_node(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> ApiResult<Option<GlossaryNode>> {
        let id = GlossaryNodeId::parse("id", &id)?;
        authorize(ctx, "glossaryNode", None).await?;
        Ok(request(ctx)?
            .loaders
            .glossary_nodes
            .load_one(id.to_string())
            .await?
            .map(GlossaryNode))
    }
}

#[derive(InputObject)]
pub struct CreateGlossaryInput {
    pub label: String,
    pub description: Option<String>,
    /// One of your teams; it gets GLOSSARY_ALL (stewards of the glossary).
    pub admin_team: String,
}

#[derive(InputObject)]
pub struct CreateGlossaryChildInput {
    /// A glossary or category.
    pub parent_id: String,
    pub label: String,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateGlossaryNodeInput {
    pub id: String,
    /// Required for terms: the `version` you read (a stale one gets CONFLICT).
    pub expected_version: Option<i64>,
    pub label: Option<String>,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct GlossaryNodeInput {
    pub id: String,
}

#[derive(InputObject)]
pub struct LinkTermInput {
    pub term_id: String,
    /// A dataset, table, column or folder id.
    pub target_id: String,
}

#[derive(InputObject)]
pub struct TermLinkInput {
    pub link_id: String,
}

async fn node(ctx: &Context<'_>, id: &GlossaryNodeId) -> ApiResult<core::GlossaryNode> {
    request(ctx)?
        .loaders
        .glossary_nodes
        .load_one(id.to_string())
        .await?
        .ok_or_else(|| not_found("glossary node", id.as_str()))
}

async fn link(ctx: &Context<'_>, id: &TermLinkId) -> ApiResult<core::TermLink> {
    store(ctx)
        .term_links_by_ids(&[id.to_string()])
        .await?
        .pop()
        .ok_or_else(|| not_found("term link", id.as_str()))
}

async fn create_child(
    ctx: &Context<'_>,
    field: &str,
    kind: ResourceKind,
    input: CreateGlossaryChildInput,
) -> ApiResult<GlossaryNode> {
    let parent_id = GlossaryNodeId::parse("input.parentId", &input.parent_id)?;
    let label = Label::parse("input.label", &input.label)?;
    let description = Description::parse(
        "input.description",
        input.description.as_deref().unwrap_or(""),
    )?;
    caller(ctx)?;
    let parent = node(ctx, &parent_id).await?;
    let c = authorize(ctx, field, Some(parent.glossary_id.as_str())).await?;
    let n =
        core::GlossaryNode::new_child(&parent, kind, label, description, &c.subject, Utc::now())?;
    store(ctx)
        .create_glossary_node(&meta(ctx)?, &n, &[])
        .await?;
    crate::context::refresh_search(ctx, n.glossary_id.as_str()).await;
    Ok(GlossaryNode(n))
}

#[derive(Default)]
pub struct GlossaryMutation;

#[Object]
impl GlossaryMutation {
    async fn create_glossary(
        &self,
        ctx: &Context<'_>,
        input: CreateGlossaryInput,
    ) -> ApiResult<GlossaryNode> {
        let label = Label::parse("input.label", &input.label)?;
        let description = Description::parse(
            "input.description",
            input.description.as_deref().unwrap_or(""),
        )?;
        let admin_team = TeamName::parse("input.adminTeam", &input.admin_team)?;
        let c = authorize(ctx, "createGlossary", None).await?;
        require_member(c, "input.adminTeam", &admin_team)?;
        let (n, grants) = core::GlossaryNode::new_glossary(
            label,
            description,
            admin_team,
            &c.subject,
            Utc::now(),
        );
        store(ctx)
            .create_glossary_node(&meta(ctx)?, &n, &grants)
            .await?;
        crate::context::refresh_search(ctx, n.glossary_id.as_str()).await;
        Ok(GlossaryNode(n))
    }

    async fn create_category(
        &self,
        ctx: &Context<'_>,
        input: CreateGlossaryChildInput,
    ) -> ApiResult<GlossaryNode> {
        create_child(ctx, "createCategory", ResourceKind::GlossaryCategory, input).await
    }

    async fn create_term(
        &self,
        ctx: &Context<'_>,
        input: CreateGlossaryChildInput,
    ) -> ApiResult<GlossaryNode> {
        create_child(ctx, "createTerm", ResourceKind::GlossaryTerm, input).await
    }

    async fn update_glossary_node(
        &self,
        ctx: &Context<'_>,
        input: UpdateGlossaryNodeInput,
    ) -> ApiResult<GlossaryNode> {
        let id = GlossaryNodeId::parse("input.id", &input.id)?;
        if id.kind() == ResourceKind::GlossaryTerm && input.expected_version.is_none() {
            return Err(Error::bad_input(
                "input.expectedVersion",
                "is required when updating a term",
            )
            .into());
        }
        let label = input
            .label
            .as_deref()
            .map(|l| Label::parse("input.label", l))
            .transpose()?;
        let description = input
            .description
            .as_deref()
            .map(|d| Description::parse("input.description", d))
            .transpose()?;
        caller(ctx)?;
        let n = node(ctx, &id).await?;
        authorize(ctx, "updateGlossaryNode", Some(n.glossary_id.as_str())).await?;
        let updated = store(ctx)
            .update_glossary_node(
                &meta(ctx)?,
                &id,
                input.expected_version,
                label.as_ref(),
                description.as_ref(),
            )
            .await?;
        // The terms' own documents, and the datasets linked to them (their term paths).
        crate::context::refresh_search(ctx, updated.glossary_id.as_str()).await;
        if label.is_some() {
            match store(ctx).datasets_linked_under(&id).await {
                Ok(ids) => crate::context::refresh_search_of(ctx, ids).await,
                Err(e) => {
                    tracing::warn!(error = %e.message, "cannot list the datasets linked under a renamed glossary node; their index tasks will bring them")
                }
            }
        }
        Ok(GlossaryNode(updated))
    }

    /// Deletes a glossary, category or term with everything under it and their links.
    async fn delete_glossary_node(
        &self,
        ctx: &Context<'_>,
        input: GlossaryNodeInput,
    ) -> ApiResult<bool> {
        let id = GlossaryNodeId::parse("input.id", &input.id)?;
        caller(ctx)?;
        let n = node(ctx, &id).await?;
        authorize(ctx, "deleteGlossaryNode", Some(n.glossary_id.as_str())).await?;
        // Read before the links go with the node.
        let linked = store(ctx).datasets_linked_under(&id).await?;
        store(ctx).delete_glossary_node(&meta(ctx)?, &id).await?;
        crate::context::refresh_search(ctx, n.glossary_id.as_str()).await;
        crate::context::refresh_search_of(ctx, linked).await;
        Ok(true)
    }

    /// Links a term to a dataset, table, column or folder. Approved at once when the caller
    /// is a steward of the glossary; pending otherwise.
    async fn link_term(&self, ctx: &Context<'_>, input: LinkTermInput) -> ApiResult<TermLink> {
        let term_id =
            GlossaryNodeId::parse_kind("input.termId", &input.term_id, ResourceKind::GlossaryTerm)?;
        let target = ResourceId::parse_kind("input.targetId", &input.target_id, LINKABLE_KINDS)?;
        caller(ctx)?;
        let term = node(ctx, &term_id).await?;
        let dataset = dataset_of(ctx, &target).await?;
        let c = authorize(ctx, "linkTerm", Some(dataset.as_str())).await?;
        let steward = c.is_admin
            || request(ctx)?
                .loaders
                .permissions_on(term.glossary_id.as_str())
                .await?
                .contains(&Permission::ApproveTermLink);
        let l = core::TermLink {
            id: TermLinkId::generate(),
            term_id,
            target_kind: target.kind(),
            target_id: target.to_string(),
            approved: steward,
            created_by: c.subject.clone(),
            created_at: Utc::now(),
        };
        store(ctx).link_term(&meta(ctx)?, &l).await?;
        if l.approved {
            refresh_target(ctx, &l.target_id).await;
        }
        Ok(TermLink(l))
    }

    async fn unlink_term(&self, ctx: &Context<'_>, input: TermLinkInput) -> ApiResult<bool> {
        let id = TermLinkId::parse("input.linkId", &input.link_id)?;
        caller(ctx)?;
        let l = link(ctx, &id).await?;
        let dataset = dataset_of(ctx, &ResourceId::from_trusted(l.target_id.clone())).await?;
        authorize(ctx, "unlinkTerm", Some(dataset.as_str())).await?;
        store(ctx).delete_term_link(&meta(ctx)?, &id).await?;
        crate::context::refresh_search(ctx, dataset.as_str()).await;
        Ok(true)
    }

    async fn approve_term_link(
        &self,
        ctx: &Context<'_>,
        input: TermLinkInput,
    ) -> ApiResult<TermLink> {
        let id = TermLinkId::parse("input.linkId", &input.link_id)?;
        caller(ctx)?;
        let l = link(ctx, &id).await?;
        let term = node(ctx, &l.term_id).await?;
        authorize(ctx, "approveTermLink", Some(term.glossary_id.as_str())).await?;
        let approved = store(ctx).approve_term_link(&meta(ctx)?, &id).await?;
        refresh_target(ctx, &approved.target_id).await;
        Ok(TermLink(approved))
    }

    /// A steward rejects a proposed link; it is removed.
    async fn dismiss_term_link(&self, ctx: &Context<'_>, input: TermLinkInput) -> ApiResult<bool> {
        let id = TermLinkId::parse("input.linkId", &input.link_id)?;
        caller(ctx)?;
        let l = link(ctx, &id).await?;
        let term = node(ctx, &l.term_id).await?;
        authorize(ctx, "dismissTermLink", Some(term.glossary_id.as_str())).await?;
        store(ctx).delete_term_link(&meta(ctx)?, &id).await?;
        Ok(true)
    }
}

/// Refreshes the search documents of the dataset a linked entry belongs to.
async fn refresh_target(ctx: &Context<'_>, target_id: &str) {
    if let Ok(ds) = dataset_of(ctx, &ResourceId::from_trusted(target_id.to_owned())).await {
        crate::context::refresh_search(ctx, ds.as_str()).await;
    }
}
