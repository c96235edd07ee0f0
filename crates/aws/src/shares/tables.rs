//! Tables through Lake Formation. In one account the consumer role is granted the table.
//! Across accounts the dataset's account grants the table to the consumer *account*, with
//! grant option, and the consumer account passes it on to the role through a resource link
//! in `<db>_shared`. Lakecat relies on Lake Formation (cross-account version 3 or later) to
//! create and manage the AWS RAM share behind a cross-account grant; it makes no RAM call.
//!
//! A consumer account's account-level grant and resource link may serve several shares (one
//! per consumer role), so a revoke removes them only when no other principal still uses them.
//!
//! A grant first checks that the table exists in the dataset's Glue database (Lake Formation
//! grants a missing table without complaint): a missing table fails the item for good, before
//! anything is granted. A revoke does not check: it removes what a grant made, table or not.

use aws_config::SdkConfig;
use aws_sdk_lakeformation::Client as LakeFormation;
use aws_sdk_lakeformation::types::{Permission, PrincipalResourcePermissions};
use lakecat_core::shares::{Consumption, ShareAccess, ShareItemGrant};
use lakecat_core::tasks::TaskError;

use super::AwsShareProcessor;
use super::glue::{
    delete_database, delete_table, ensure_resource_link, ensure_shared_database,
    require_source_table, tables_in,
};
use super::lakeformation::{database, grant, grants_on, principal_of, revoke, table};

/// The consumer account's database holding the resource links to a dataset's tables.
pub(crate) fn shared_database(glue_database: &str) -> String {
    format!("{glue_database}_shared")
}

/// What the consumer may do with the table's data.
pub(crate) fn data_permissions(access: ShareAccess) -> Vec<Permission> {
    match access {
        ShareAccess::Read => vec![Permission::Describe, Permission::Select],
        ShareAccess::Write => vec![
            Permission::Describe,
            Permission::Select,
            Permission::Insert,
            Permission::Delete,
        ],
    }
}

pub(crate) async fn grant_table(
    p: &AwsShareProcessor,
    g: &ShareItemGrant,
    name: &str,
) -> Result<Consumption, TaskError> {
    let (s, t) = (&g.source, &g.target);
    let same_account = s.account_id == t.account_id;
    let permissions = data_permissions(g.access);
    let source = source_config(p, g).await?;
    require_source_table(&aws_sdk_glue::Client::new(&source), s, name).await?;
    let source_lf = LakeFormation::new(&source);
    let source_table = table(&s.account_id, &s.glue_database, name)?;
    if same_account {
        grant(
            &source_lf,
            &s.account_id,
            &t.role_arn,
            source_table.clone(),
            &permissions,
            &[],
        )
        .await?;
    }
    if !g.cross_account() {
        return Ok(Consumption {
            glue_database: Some(s.glue_database.clone()),
            glue_table: Some(name.to_owned()),
            bucket: s.bucket.clone(),
            region: s.region.clone(),
            ..Consumption::default()
        });
    }

    let consumer = consumer_config(p, g).await?;
    let (glue, lf) = (
        aws_sdk_glue::Client::new(&consumer),
        LakeFormation::new(&consumer),
    );
    let shared = shared_database(&s.glue_database);
    // The account-level grant is shared by every consumer role of the account: it is checked
    // and made under the same lock a revoke uses to decide whether to narrow it.
    p.locked(&shared_database_lock(g), async {
        if !same_account {
            // The consumer account's pivot role passes the grant on, hence the grant option.
            grant(
                &source_lf,
                &s.account_id,
                &t.account_id,
                source_table,
                &permissions,
                &permissions,
            )
            .await?;
        }
        ensure_shared_database(&glue, &t.account_id, &shared).await?;
        ensure_resource_link(&glue, g, &shared, name).await?;
        let describe = [Permission::Describe];
        let db = database(&t.account_id, &shared)?;
        grant(&lf, &t.account_id, &t.role_arn, db, &describe, &[]).await?;
        let link = table(&t.account_id, &shared, name)?;
        grant(&lf, &t.account_id, &t.role_arn, link, &describe, &[]).await?;
        if !same_account {
            let target_table = table(&s.account_id, &s.glue_database, name)?;
            grant(
                &lf,
                &t.account_id,
                &t.role_arn,
                target_table,
                &permissions,
                &[],
            )
            .await?;
        }
        Ok(())
    })
    .await?;
    Ok(Consumption {
        glue_database: Some(shared),
        glue_table: Some(name.to_owned()),
        bucket: s.bucket.clone(),
        region: t.region.clone(),
        ..Consumption::default()
    })
}

pub(crate) async fn revoke_table(
    p: &AwsShareProcessor,
    g: &ShareItemGrant,
    name: &str,
) -> Result<(), TaskError> {
    let (s, t) = (&g.source, &g.target);
    let same_account = s.account_id == t.account_id;
    let permissions = data_permissions(g.access);
    let source_lf = LakeFormation::new(&source_config(p, g).await?);
    let source_table = || table(&s.account_id, &s.glue_database, name);
    if same_account {
        revoke(
            &source_lf,
            &s.account_id,
            &t.role_arn,
            source_table()?,
            &permissions,
            &[],
        )
        .await?;
    }
    if !g.cross_account() {
        return Ok(());
    }

    let consumer = consumer_config(p, g).await?;
    let (glue, lf) = (
        aws_sdk_glue::Client::new(&consumer),
        LakeFormation::new(&consumer),
    );
    let shared = shared_database(&s.glue_database);
    let link = || table(&t.account_id, &shared, name);
    let describe = [Permission::Describe];
    p.locked(&shared_database_lock(g), async {
        revoke(&lf, &t.account_id, &t.role_arn, link()?, &describe, &[]).await?;
        if !same_account {
            // The data, as passed on in the consumer account (the resource is in the source
            // catalog); then the account-level grant, keeping what other roles still hold.
            revoke(
                &lf,
                &t.account_id,
                &t.role_arn,
                source_table()?,
                &permissions,
                &[],
            )
            .await?;
            let held = grants_on(&lf, &t.account_id, source_table()?).await?;
            let unused = unused_by_others(&permissions, &held, g);
            if !unused.is_empty() {
                let (catalog, account) = (&s.account_id, &t.account_id);
                revoke(
                    &source_lf,
                    catalog,
                    account,
                    source_table()?,
                    &unused,
                    &unused,
                )
                .await?;
            }
        }
        let link_grants = grants_on(&lf, &t.account_id, link()?).await?;
        if !link_grants.iter().any(|held| is_consumer(held, g)) {
            delete_table(&glue, &t.account_id, &shared, name).await?;
        }
        let remaining = tables_in(&glue, &t.account_id, &shared).await?;
        let mut role_still_reads = false;
        for other in &remaining {
            let grants =
                grants_on(&lf, &t.account_id, table(&t.account_id, &shared, other)?).await?;
            if grants
                .iter()
                .any(|held| principal_of(held) == Some(t.role_arn.as_str()))
            {
                role_still_reads = true;
                break;
            }
        }
        if !role_still_reads {
            let db = database(&t.account_id, &shared)?;
            revoke(&lf, &t.account_id, &t.role_arn, db, &describe, &[]).await?;
        }
        if remaining.is_empty() {
            delete_database(&glue, &t.account_id, &shared).await?;
        }
        Ok(())
    })
    .await
}

/// Grants, link and database in the consumer account are shared by every share of the
/// dataset's tables into that account; one lock orders their creation and removal.
fn shared_database_lock(g: &ShareItemGrant) -> String {
    let t = &g.target;
    let shared = shared_database(&g.source.glue_database);
    format!(
        "glue-shared-database:{}:{}:{shared}",
        t.account_id, t.region
    )
}

/// Which of `ours` no other consumer holds among `held` (the consumer account's grants on
/// the source table, ours already revoked): what the account-level grant may lose.
fn unused_by_others(
    ours: &[Permission],
    held: &[PrincipalResourcePermissions],
    g: &ShareItemGrant,
) -> Vec<Permission> {
    let still: Vec<&Permission> = held
        .iter()
        .filter(|h| is_consumer(h, g) && principal_of(h) != Some(g.target.role_arn.as_str()))
        .flat_map(|h| h.permissions())
        .collect();
    if still.contains(&&Permission::All) {
        return vec![];
    }
    ours.iter()
        .filter(|p| !still.contains(p))
        .cloned()
        .collect()
}

/// Whether a grant is a consumer's, not the pivot role's own (as creator) or the IAM
/// compatibility principal's: only consumers keep shared objects alive.
fn is_consumer(held: &PrincipalResourcePermissions, g: &ShareItemGrant) -> bool {
    principal_of(held)
        .is_some_and(|who| who != g.target.pivot_role_arn && who != "IAM_ALLOWED_PRINCIPALS")
}

async fn source_config(p: &AwsShareProcessor, g: &ShareItemGrant) -> Result<SdkConfig, TaskError> {
    let s = &g.source;
    p.assume(&s.pivot_role_arn, &s.external_id, &s.region).await
}

async fn consumer_config(
    p: &AwsShareProcessor,
    g: &ShareItemGrant,
) -> Result<SdkConfig, TaskError> {
    let t = &g.target;
    p.assume(&t.pivot_role_arn, &t.external_id, &t.region).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_adds_insert_and_delete() {
        assert_eq!(
            data_permissions(ShareAccess::Read),
            [Permission::Describe, Permission::Select]
        );
        assert_eq!(
            data_permissions(ShareAccess::Write),
            [
                Permission::Describe,
                Permission::Select,
                Permission::Insert,
                Permission::Delete
            ]
        );
        assert_eq!(shared_database("sales"), "sales_shared");
    }

    use crate::shares::lakeformation::principal;

    fn held(who: &str, permissions: Vec<Permission>) -> PrincipalResourcePermissions {
        PrincipalResourcePermissions::builder()
            .principal(principal(who))
            .set_permissions(Some(permissions))
            .build()
    }

    #[test]
    fn the_account_grant_keeps_what_other_consumers_hold() {
        let g = ShareItemGrant {
            share_id: "s".into(),
            item_id: "i".into(),
            dataset_id: "d".into(),
            access: ShareAccess::Write,
            source: lakecat_core::shares::ShareSource {
                account_id: "111111111111".into(),
                region: "eu-west-1".into(),
                bucket: "b".into(),
                glue_database: "sales".into(),
                kms_alias: None,
                pivot_role_arn: "arn:aws:iam::111111111111:role/pivot".into(),
                external_id: "x".into(),
            },
            target: lakecat_core::shares::ShareTarget {
                account_id: "222222222222".into(),
                region: "eu-west-1".into(),
                role_arn: "arn:aws:iam::222222222222:role/loader".into(),
                pivot_role_arn: "arn:aws:iam::222222222222:role/pivot".into(),
                external_id: "y".into(),
            },
            item: lakecat_core::shares::ItemTarget::Table {
                glue_table: "orders".into(),
            },
            share_keeps_access: false,
        };
        let write = data_permissions(ShareAccess::Write);
        let reader = held(
            "arn:aws:iam::222222222222:role/analyst",
            data_permissions(ShareAccess::Read),
        );
        assert_eq!(
            unused_by_others(&write, std::slice::from_ref(&reader), &g),
            [Permission::Insert, Permission::Delete]
        );
        assert_eq!(
            unused_by_others(&write, &[], &g),
            write,
            "the last consumer"
        );
        // The pivot role (as creator) and our own role (a stale listing) keep nothing alive.
        let pivot = held(
            "arn:aws:iam::222222222222:role/pivot",
            vec![Permission::All],
        );
        let ours = held("arn:aws:iam::222222222222:role/loader", write.clone());
        assert_eq!(unused_by_others(&write, &[pivot, ours], &g), write);
        let admin = held(
            "arn:aws:iam::222222222222:role/admin",
            vec![Permission::All],
        );
        assert_eq!(unused_by_others(&write, &[admin, reader], &g), []);
    }
}
