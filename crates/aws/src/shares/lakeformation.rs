//! Lake Formation grants made idempotent: a grant already held is not made again, a revoke
//! of what is not held (or no longer exists) succeeds.

use aws_sdk_lakeformation::Client as LakeFormation;
use aws_sdk_lakeformation::error::ProvideErrorMetadata;
use aws_sdk_lakeformation::types::{
    DataLakePrincipal, DatabaseResource, Permission, PrincipalResourcePermissions, Resource,
    TableResource,
};
use lakecat_core::tasks::TaskError;

use crate::sdk_error::{build_error, is_code, sdk_error};

pub(crate) fn table(catalog: &str, database: &str, name: &str) -> Result<Resource, TaskError> {
    let t = TableResource::builder()
        .catalog_id(catalog)
        .database_name(database)
        .name(name)
        .build()
        .map_err(|e| build_error("lakeformation table resource", e))?;
    Ok(Resource::builder().table(t).build())
}

pub(crate) fn database(catalog: &str, name: &str) -> Result<Resource, TaskError> {
    let d = DatabaseResource::builder()
        .catalog_id(catalog)
        .name(name)
        .build()
        .map_err(|e| build_error("lakeformation database resource", e))?;
    Ok(Resource::builder().database(d).build())
}

fn describe(r: &Resource) -> String {
    match (r.table(), r.database()) {
        (Some(t), _) => format!(
            "table {}:{}.{}",
            t.catalog_id().unwrap_or_default(),
            t.database_name(),
            t.name().unwrap_or("*")
        ),
        (None, Some(d)) => format!(
            "database {}:{}",
            d.catalog_id().unwrap_or_default(),
            d.name()
        ),
        _ => "resource".into(),
    }
}

pub(crate) fn principal(id: &str) -> DataLakePrincipal {
    DataLakePrincipal::builder()
        .data_lake_principal_identifier(id)
        .build()
}

pub(crate) fn principal_of(p: &PrincipalResourcePermissions) -> Option<&str> {
    p.principal()?.data_lake_principal_identifier()
}

/// Grants unless the principal holds it all already, so a repeated approval writes nothing.
/// (moto, the emulator of the tests, also corrupts its grant table when a grant is repeated
/// and then revoked; this sidesteps that bug, GrantPermissions itself is idempotent in AWS.)
pub(crate) async fn grant(
    lf: &LakeFormation,
    catalog: &str,
    to: &str,
    resource: Resource,
    permissions: &[Permission],
    grantable: &[Permission],
) -> Result<(), TaskError> {
    let held = grants_on(lf, catalog, resource.clone()).await?;
    let mine: Vec<&PrincipalResourcePermissions> = held
        .iter()
        .filter(|h| principal_of(h) == Some(to))
        .collect();
    let has = |p: &Permission, grant_option: bool| {
        mine.iter().any(|h| {
            let list = if grant_option {
                h.permissions_with_grant_option()
            } else {
                h.permissions()
            };
            list.contains(p) || list.contains(&Permission::All)
        })
    };
    if permissions.iter().all(|p| has(p, false)) && grantable.iter().all(|p| has(p, true)) {
        return Ok(());
    }
    let what = format!("{} to {to}", describe(&resource));
    lf.grant_permissions()
        .catalog_id(catalog)
        .principal(principal(to))
        .resource(resource)
        .set_permissions(Some(permissions.to_vec()))
        .set_permissions_with_grant_option((!grantable.is_empty()).then(|| grantable.to_vec()))
        .send()
        .await
        .map_err(|e| sdk_error("lakeformation GrantPermissions", &what, e))?;
    Ok(())
}

/// Revokes; what is not granted (or no longer exists) counts as revoked.
pub(crate) async fn revoke(
    lf: &LakeFormation,
    catalog: &str,
    from: &str,
    resource: Resource,
    permissions: &[Permission],
    grantable: &[Permission],
) -> Result<(), TaskError> {
    let what = format!("{} from {from}", describe(&resource));
    let out = lf
        .revoke_permissions()
        .catalog_id(catalog)
        .principal(principal(from))
        .resource(resource)
        .set_permissions(Some(permissions.to_vec()))
        .set_permissions_with_grant_option((!grantable.is_empty()).then(|| grantable.to_vec()))
        .send()
        .await;
    match out {
        Ok(_) => Ok(()),
        Err(e) if is_code(&e, &["EntityNotFoundException"]) => Ok(()),
        // "Grantee has no permissions and no grantable permissions on resource"
        Err(e)
            if is_code(&e, &["InvalidInputException"])
                && e.message()
                    .is_some_and(|m| m.to_ascii_lowercase().contains("no permissions")) =>
        {
            Ok(())
        }
        Err(e) => Err(sdk_error("lakeformation RevokePermissions", &what, e)),
    }
}

/// Every grant on `resource` in `catalog`, whoever holds it.
pub(crate) async fn grants_on(
    lf: &LakeFormation,
    catalog: &str,
    resource: Resource,
) -> Result<Vec<PrincipalResourcePermissions>, TaskError> {
    let what = describe(&resource);
    let mut all = vec![];
    let mut next = None;
    loop {
        let out = lf
            .list_permissions()
            .catalog_id(catalog)
            .resource(resource.clone())
            .set_next_token(next)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            // The resource is gone (a link deleted by an earlier attempt, a dropped table):
            // nobody holds anything on it, so a repeated revoke goes on.
            Err(e) if is_code(&e, &["EntityNotFoundException"]) => return Ok(all),
            Err(e) => return Err(sdk_error("lakeformation ListPermissions", &what, e)),
        };
        all.extend_from_slice(out.principal_resource_permissions());
        next = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if next.is_none() {
            return Ok(all);
        }
    }
}
