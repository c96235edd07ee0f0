//! [`lakecat_core::ports::GlossaryStore`] on sea-orm: glossaries, categories, terms, and links from terms to
//! catalog entries.

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::caller::MutationMeta;
use lakecat_core::glossary::{GlossaryNode, TermLink};
use lakecat_core::ids::*;
use lakecat_core::names::{Description, Label};
use lakecat_core::page::{Page, PageRequest};
use lakecat_core::permissions::Grant;
use lakecat_core::ports::*;
use lakecat_core::{Error, Reason, Result};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, QueryOrder};

use crate::SeaStore;
use crate::convert::{self};
use crate::entities::*;
use crate::errors::{db_err, db_err_unique};
use crate::support::*;

use crate::catalog::*;

#[async_trait]
impl GlossaryStore for SeaStore {
    async fn create_glossary_node(
        &self,
        meta: &MutationMeta,
        node: &GlossaryNode,
        grants: &[Grant],
    ) -> Result<()> {
        let txn = self.begin().await?;
        if let Some(parent) = &node.parent_id {
            Self::one_node(&txn, parent.as_str()).await?;
        }
        ensure_teams(&txn, &[node.admin_team.as_str()]).await?;
        glossary_node::Entity::insert(glossary_node::ActiveModel {
            id: Set(node.id.as_str().to_owned()),
            glossary_id: Set(node.glossary_id.as_str().to_owned()),
            parent_id: Set(node.parent_id.as_ref().map(|p| p.as_str().to_owned())),
            label: Set(node.label.as_str().to_owned()),
            description: Set(node.description.as_str().to_owned()),
            admin_team: Set(node.admin_team.as_str().to_owned()),
            version: Set(node.version),
            created_by: Set(node.created_by.clone()),
            created_at: Set(node.created_at),
            updated_at: Set(node.updated_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        insert_grants(&txn, grants).await?;
        // A glossary is a unit of the search index, as a dataset is: its terms are documents.
        index_dataset(&txn, node.glossary_id.as_str()).await?;
        audit(&txn, meta, node.id.as_str(), None::<&()>, Some(node)).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn update_glossary_node(
        &self,
        meta: &MutationMeta,
        id: &GlossaryNodeId,
        expected_version: Option<i64>,
        label: Option<&Label>,
        description: Option<&Description>,
    ) -> Result<GlossaryNode> {
        let txn = self.begin().await?;
        let old = Self::one_node(&txn, id.as_str()).await?;
        let version = old.version;
        if let Some(expected) = expected_version
            && expected != version
        {
            return Err(Error::conflict(format!(
                "{id} was changed by someone else; reload and retry"
            ))
            .with_reason(Reason::StaleVersion));
        }
        let before = convert::glossary_node(old.clone());
        let mut am = old.into_active_model();
        if let Some(v) = label {
            am.label = Set(v.as_str().to_owned());
        }
        if let Some(v) = description {
            am.description = Set(v.as_str().to_owned());
        }
        am.version = Set(version + 1);
        am.updated_at = Set(Utc::now());
        let res = glossary_node::Entity::update_many()
            .set(am)
            .filter(glossary_node::Column::Id.eq(id.as_str()))
            .filter(glossary_node::Column::Version.eq(version))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(Error::conflict(format!(
                "{id} was changed by someone else; reload and retry"
            ))
            .with_reason(Reason::StaleVersion));
        }
        let after = convert::glossary_node(Self::one_node(&txn, id.as_str()).await?);
        index_dataset(&txn, after.glossary_id.as_str()).await?;
        if after.label != before.label {
            let nodes = Self::subtree(&txn, id.as_str()).await?;
            Self::index_linked_datasets(&txn, &nodes).await?;
        }
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn delete_glossary_node(&self, meta: &MutationMeta, id: &GlossaryNodeId) -> Result<()> {
        let txn = self.begin().await?;
        let root = Self::one_node(&txn, id.as_str()).await?;
        let all = Self::subtree(&txn, &root.id).await?;
        // Before the links go: the datasets they reach lose the terms' paths.
        Self::index_linked_datasets(&txn, &all).await?;
        index_dataset(&txn, &root.glossary_id).await?;
        for chunk in all.chunks(500) {
            term_link::Entity::delete_many()
                .filter(term_link::Column::TermId.is_in(chunk.to_vec()))
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        self.delete_attachments(&txn, all.clone()).await?;
        // Children first, so the parent reference never dangles.
        for node in all.iter().rev() {
            glossary_node::Entity::delete_by_id(node.clone())
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        audit(
            &txn,
            meta,
            id.as_str(),
            Some(&convert::glossary_node(root)),
            None::<&()>,
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }

    async fn datasets_linked_under(&self, node: &GlossaryNodeId) -> Result<Vec<String>> {
        let nodes = Self::subtree(&self.db, node.as_str()).await?;
        Self::linked_datasets(&self.db, &nodes).await
    }

    async fn glossary_nodes_of(&self, glossary_ids: &[String]) -> Result<Vec<GlossaryNode>> {
        let rows = glossary_node::Entity::find()
            .filter(glossary_node::Column::GlossaryId.is_in(ids_of(glossary_ids)))
            .order_by_asc(glossary_node::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::glossary_node).collect())
    }

    async fn glossary_nodes_by_ids(&self, ids: &[String]) -> Result<Vec<GlossaryNode>> {
        let rows =
            by_ids::<glossary_node::Entity>(&self.db, glossary_node::Column::Id, ids).await?;
        Ok(rows.into_iter().map(convert::glossary_node).collect())
    }

    async fn list_glossaries(&self, page: &PageRequest) -> Result<Page<GlossaryNode>> {
        let q = glossary_node::Entity::find().filter(glossary_node::Column::ParentId.is_null());
        let rows = keyset(&self.db, q, glossary_node::Column::Id, page).await?;
        Ok(page_by(
            rows,
            page,
            |m| m.id.clone(),
            convert::glossary_node,
        ))
    }

    async fn list_glossary_children(
        &self,
        parent: &GlossaryNodeId,
        page: &PageRequest,
    ) -> Result<Page<GlossaryNode>> {
        let q = glossary_node::Entity::find()
            .filter(glossary_node::Column::ParentId.eq(parent.as_str()));
        let rows = keyset(&self.db, q, glossary_node::Column::Id, page).await?;
        Ok(page_by(
            rows,
            page,
            |m| m.id.clone(),
            convert::glossary_node,
        ))
    }

    async fn link_term(&self, meta: &MutationMeta, link: &TermLink) -> Result<()> {
        let txn = self.begin().await?;
        Self::one_node(&txn, link.term_id.as_str()).await?;
        term_link::Entity::insert(term_link::ActiveModel {
            id: Set(link.id.as_str().to_owned()),
            term_id: Set(link.term_id.as_str().to_owned()),
            target_id: Set(link.target_id.clone()),
            target_kind: Set(link.target_kind.as_str().to_owned()),
            approved: Set(link.approved),
            created_by: Set(link.created_by.clone()),
            created_at: Set(link.created_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err_unique(
            "this term is already linked to the target",
            Reason::TermAlreadyLinked,
        ))?;
        if let Some(ds) = dataset_of(&txn, &link.target_id).await? {
            index_dataset(&txn, &ds).await?;
        }
        audit(&txn, meta, link.id.as_str(), None::<&()>, Some(link)).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn approve_term_link(&self, meta: &MutationMeta, id: &TermLinkId) -> Result<TermLink> {
        let txn = self.begin().await?;
        let old = Self::one_link(&txn, id.as_str()).await?;
        if old.approved {
            return Err(
                Error::conflict(format!("term link {id} is already approved"))
                    .with_reason(Reason::TermLinkAlreadyApproved),
            );
        }
        let before = convert::term_link(old.clone());
        let mut am = old.into_active_model();
        am.approved = Set(true);
        let after = convert::term_link(am.update(&txn).await.map_err(db_err)?);
        if let Some(ds) = dataset_of(&txn, &after.target_id).await? {
            index_dataset(&txn, &ds).await?;
        }
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn delete_term_link(&self, meta: &MutationMeta, id: &TermLinkId) -> Result<()> {
        let txn = self.begin().await?;
        let old = Self::one_link(&txn, id.as_str()).await?;
        if let Some(ds) = dataset_of(&txn, &old.target_id).await? {
            index_dataset(&txn, &ds).await?;
        }
        term_link::Entity::delete_by_id(id.as_str().to_owned())
            .exec(&txn)
            .await
            .map_err(db_err)?;
        audit(
            &txn,
            meta,
            id.as_str(),
            Some(&convert::term_link(old)),
            None::<&()>,
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }

    async fn term_links_by_ids(&self, ids: &[String]) -> Result<Vec<TermLink>> {
        let rows = by_ids::<term_link::Entity>(&self.db, term_link::Column::Id, ids).await?;
        Ok(rows.into_iter().map(convert::term_link).collect())
    }

    async fn term_links_for_targets(&self, target_ids: &[String]) -> Result<Vec<TermLink>> {
        let rows = term_link::Entity::find()
            .filter(term_link::Column::TargetId.is_in(ids_of(target_ids)))
            .order_by_asc(term_link::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::term_link).collect())
    }

    async fn list_term_links(
        &self,
        term_id: &GlossaryNodeId,
        readers: Option<&[String]>,
        page: &PageRequest,
    ) -> Result<Page<TermLink>> {
        let q = Self::term_link_select(term_id, readers);
        let rows = keyset(&self.db, q, term_link::Column::Id, page).await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::term_link))
    }
}
