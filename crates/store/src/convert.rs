//! Rows to domain values. Values in the database were validated when written, so they are
//! wrapped with `from_trusted`; an unknown enum text is an INTERNAL error, never a panic.

use lakecat_core::audit::AuditEvent;
use lakecat_core::catalog::*;
use lakecat_core::glossary::{GlossaryNode, TermLink};
use lakecat_core::ids::*;
use lakecat_core::names::*;
use lakecat_core::{Error, Result};
use sea_orm::entity::prelude::Json;

use crate::entities::*;

pub fn tags_json(tags: &[Tag]) -> Json {
    Json::Array(
        tags.iter()
            .map(|t| Json::String(t.as_str().to_owned()))
            .collect(),
    )
}

pub fn topics_json(topics: &[Topic]) -> Json {
    Json::Array(
        topics
            .iter()
            .map(|t| Json::String(t.as_str().to_owned()))
            .collect(),
    )
}

fn strings(v: &Json) -> impl Iterator<Item = &str> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str())
}

pub fn tags_of(v: &Json) -> Vec<Tag> {
    strings(v)
        .map(|s| Tag::from_trusted(s.to_owned()))
        .collect()
}

fn stored<T>(what: &str, r: Result<T>) -> Result<T> {
    r.map_err(|e| Error::internal(format!("stored {what} is invalid: {}", e.message)))
}

pub fn team(m: team::Model) -> Team {
    Team {
        name: TeamName::from_trusted(m.name),
        created_at: m.created_at,
    }
}

pub fn organization(m: organization::Model) -> Organization {
    Organization {
        id: OrganizationId::from_trusted(m.id),
        label: Label::from_trusted(m.label),
        description: Description::from_trusted(m.description),
        tags: tags_of(&m.tags),
        admin_team: TeamName::from_trusted(m.admin_team),
        archived: m.archived,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub fn environment(m: environment::Model) -> Result<Environment> {
    Ok(Environment {
        id: EnvironmentId::from_trusted(m.id),
        organization_id: OrganizationId::from_trusted(m.organization_id),
        label: Label::from_trusted(m.label),
        description: Description::from_trusted(m.description),
        tags: tags_of(&m.tags),
        account_id: AwsAccountId::from_trusted(m.account_id),
        region: AwsRegion::from_trusted(m.region),
        owner_team: TeamName::from_trusted(m.owner_team),
        env_type: stored(
            "environment type",
            EnvironmentType::parse("env_type", &m.env_type),
        )?,
        resource_prefix: Slug::from_trusted(m.resource_prefix),
        pivot_role_name: m.pivot_role_name,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub fn dataset(m: dataset::Model) -> Result<Dataset> {
    let topics = strings(&m.topics)
        .map(|t| stored("topic", Topic::parse("topics", t)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Dataset {
        id: DatasetId::from_trusted(m.id),
        organization_id: OrganizationId::from_trusted(m.organization_id),
        environment_id: EnvironmentId::from_trusted(m.environment_id),
        label: Label::from_trusted(m.label),
        slug: Slug::from_trusted(m.slug),
        description: Description::from_trusted(m.description),
        owner_team: TeamName::from_trusted(m.owner_team),
        stewards_team: m.stewards_team.map(TeamName::from_trusted),
        confidentiality: stored(
            "confidentiality",
            Confidentiality::parse("confidentiality", &m.confidentiality),
        )?,
        topics,
        tags: tags_of(&m.tags),
        auto_approval: m.auto_approval,
        secret_preview: m.secret_preview,
        visibility: stored("visibility", Visibility::parse("visibility", &m.visibility))?,
        imported: m.imported,
        aws: DatasetAws {
            account_id: AwsAccountId::from_trusted(m.account_id),
            region: AwsRegion::from_trusted(m.region),
            bucket: m.bucket,
            glue_database: m.glue_database,
            kms_alias: m.kms_alias,
            admin_role_arn: m.admin_role_arn,
        },
        stack_status: stored(
            "stack status",
            StackStatus::parse("stack_status", &m.stack_status),
        )?,
        version: m.version,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub fn table(m: dataset_table::Model) -> Table {
    Table {
        id: TableId::from_trusted(m.id),
        dataset_id: DatasetId::from_trusted(m.dataset_id),
        glue_name: m.glue_name,
        label: m.label,
        location: m.location,
        format: m.format,
        properties: m.properties,
        description: Description::from_trusted(m.description),
        tags: tags_of(&m.tags),
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
        deleted_at: m.deleted_at,
    }
}

pub fn column(m: dataset_column::Model) -> Column {
    Column {
        id: ColumnId::from_trusted(m.id),
        table_id: TableId::from_trusted(m.table_id),
        name: m.name,
        data_type: m.data_type,
        is_partition: m.is_partition,
        position: m.position,
        description: Description::from_trusted(m.description),
        tags: tags_of(&m.tags),
        classification: m.classification,
        version: m.version,
    }
}

pub fn folder(m: folder::Model) -> Folder {
    Folder {
        id: FolderId::from_trusted(m.id),
        dataset_id: DatasetId::from_trusted(m.dataset_id),
        label: Label::from_trusted(m.label),
        prefix: S3Prefix::from_trusted(m.prefix),
        description: Description::from_trusted(m.description),
        tags: tags_of(&m.tags),
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub fn stack(m: stack::Model) -> Result<Stack> {
    Ok(Stack {
        id: StackId::from_trusted(m.id),
        target_id: m.target_id,
        status: stored("stack status", StackStatus::parse("status", &m.status))?,
        outputs: m.outputs,
        events: m.events,
        error: m.error,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub fn task(m: task::Model) -> Result<Task> {
    Ok(Task {
        id: TaskId::from_trusted(m.id),
        kind: m.kind,
        target_id: m.target_id,
        payload: m.payload,
        status: stored("task status", TaskStatus::parse("status", &m.status))?,
        attempts: m.attempts,
        lease_until: m.lease_until,
        run_after: m.run_after,
        notify_team: m.notify_team.map(TeamName::from_trusted),
        result: m.result,
        error: m.error,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub fn glossary_node(m: glossary_node::Model) -> GlossaryNode {
    GlossaryNode {
        id: GlossaryNodeId::from_trusted(m.id),
        glossary_id: GlossaryNodeId::from_trusted(m.glossary_id),
        parent_id: m.parent_id.map(GlossaryNodeId::from_trusted),
        label: Label::from_trusted(m.label),
        description: Description::from_trusted(m.description),
        admin_team: TeamName::from_trusted(m.admin_team),
        version: m.version,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

pub fn term_link(m: term_link::Model) -> TermLink {
    let target_kind = ResourceId::from_trusted(m.target_id.clone()).kind();
    TermLink {
        id: TermLinkId::from_trusted(m.id),
        term_id: GlossaryNodeId::from_trusted(m.term_id),
        target_id: m.target_id,
        target_kind,
        approved: m.approved,
        created_by: m.created_by,
        created_at: m.created_at,
    }
}

pub fn feed_message(m: feed_message::Model) -> FeedMessage {
    FeedMessage {
        id: FeedMessageId::from_trusted(m.id),
        target_id: m.target_id,
        author: m.author,
        body: m.body,
        created_at: m.created_at,
    }
}

pub fn audit_event(m: audit_event::Model) -> AuditEvent {
    AuditEvent {
        id: m.id,
        actor: m.actor,
        action: m.action,
        target_kind: m.target_kind,
        target_id: m.target_id,
        before: m.before,
        after: m.after,
        request_id: m.request_id,
        at: m.at,
    }
}

pub fn share_request(m: share_request::Model) -> Result<lakecat_core::shares::ShareRequest> {
    use lakecat_core::shares::{ShareAccess, ShareStatus};
    Ok(lakecat_core::shares::ShareRequest {
        id: ShareId::from_trusted(m.id),
        dataset_id: DatasetId::from_trusted(m.dataset_id),
        environment_id: EnvironmentId::from_trusted(m.environment_id),
        team: TeamName::from_trusted(m.team),
        principal_role_arn: m.principal_role_arn,
        status: stored("share status", ShareStatus::parse("status", &m.status))?,
        access: stored("share access", ShareAccess::parse("access", &m.access))?,
        purpose: Description::from_trusted(m.purpose),
        reject_reason: m.reject_reason,
        expires_at: m.expires_at,
        requested_expiry: m.requested_expiry,
        reminded_at: m.reminded_at,
        expired_at: m.expired_at,
        version: m.version,
        created_by: m.created_by,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub fn share_item(m: share_item::Model) -> Result<lakecat_core::shares::ShareItem> {
    use lakecat_core::shares::{ItemStatus, ShareItemKind};
    Ok(lakecat_core::shares::ShareItem {
        id: ShareItemId::from_trusted(m.id),
        share_id: ShareId::from_trusted(m.share_id),
        kind: stored("share item kind", ShareItemKind::parse("kind", &m.kind))?,
        target_id: m.target_id,
        status: stored("share item status", ItemStatus::parse("status", &m.status))?,
        error: m.error,
        consumption: m
            .consumption
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| Error::internal(format!("stored consumption is invalid: {e}")))?,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

pub fn lake_grant(m: lake_grant::Model) -> Result<lakecat_core::shares::LakeGrant> {
    use lakecat_core::shares::ShareAccess;
    Ok(lakecat_core::shares::LakeGrant {
        item_id: ShareItemId::from_trusted(m.item_id),
        share_id: ShareId::from_trusted(m.share_id),
        dataset_id: DatasetId::from_trusted(m.dataset_id),
        principal: m.principal,
        target: serde_json::from_value(m.target)
            .map_err(|e| Error::internal(format!("stored grant target is invalid: {e}")))?,
        access: stored("grant access", ShareAccess::parse("access", &m.access))?,
        granted_at: m.granted_at,
    })
}
