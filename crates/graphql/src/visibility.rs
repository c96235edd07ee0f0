//! Dataset visibility, one rule on every read: a dataset, and every table, column, folder,
//! comment, vote and term link in it, is seen by the holders of the dataset's reader
//! ([`core::Dataset::reader`]) — the same readers search filters by. What the caller may not
//! see is NOT_FOUND on a direct read (exactly like something that does not exist) and absent
//! from lists and their counts.

use async_graphql::Context;
use lakecat_core::catalog::{self as core, Readers};
use lakecat_core::ids::{DatasetId, ResourceId};

use crate::context::{caller, request, services};
use crate::errors::ApiResult;
use crate::types::not_found;

/// The caller's readers, loaded once per request (admins: everything).
pub(crate) async fn readers<'a>(ctx: &Context<'a>) -> ApiResult<&'a Readers> {
    let who = caller(ctx)?;
    let rc = request(ctx)?;
    rc.readers
        .get_or_try_init(|| async {
            if who.is_admin {
                return Ok(Readers::all());
            }
            let held = services(ctx)
                .store
                .search_readers(&who.group_names())
                .await?;
            Ok(Readers::of(held))
        })
        .await
}

/// The dataset `id` if the caller may see it, else NOT_FOUND (as if it did not exist).
pub(crate) async fn visible_dataset(ctx: &Context<'_>, id: &DatasetId) -> ApiResult<core::Dataset> {
    let found = request(ctx)?
        .loaders
        .datasets
        .load_one(id.to_string())
        .await?;
    match found {
        Some(ds) if readers(ctx).await?.may_see(&ds) => Ok(ds),
        _ => Err(not_found("dataset", id.as_str())),
    }
}

/// Whether the caller may see the dataset `id` (false when it does not exist), for links
/// that resolve to null instead of failing their parent.
pub(crate) async fn may_see_dataset(ctx: &Context<'_>, id: &DatasetId) -> ApiResult<bool> {
    let found = request(ctx)?
        .loaders
        .datasets
        .load_one(id.to_string())
        .await?;
    Ok(match found {
        Some(ds) => readers(ctx).await?.may_see(&ds),
        None => false,
    })
}

/// The dataset a dataset, table, column or folder belongs to, if the caller may see it; the
/// target itself is NOT_FOUND otherwise (named by its own kind and id).
pub(crate) async fn visible_target(ctx: &Context<'_>, target: &ResourceId) -> ApiResult<DatasetId> {
    let dataset = crate::types::dataset_of(ctx, target).await?;
    if !may_see_dataset(ctx, &dataset).await? {
        return Err(not_found(
            &crate::authz::kind_words(target.kind()),
            target.as_str(),
        ));
    }
    Ok(dataset)
}
