//! Glue's side of a table share: the source table, checked before anything is granted on it,
//! and in the consumer account the `<db>_shared` database and the resource links in it,
//! created and deleted idempotently.

use aws_sdk_glue::Client as Glue;
use aws_sdk_glue::types::{DatabaseInput, TableIdentifier, TableInput};
use lakecat_core::shares::{ShareItemGrant, ShareSource};
use lakecat_core::tasks::TaskError;

use crate::sdk_error::{build_error, is_code, sdk_error};

/// Fails, permanently, when the dataset's Glue database has no table `name`: Lake Formation
/// would grant it anyway (a grant, and a resource link, to nothing), and no retry makes a
/// table appear.
pub(crate) async fn require_source_table(
    glue: &Glue,
    s: &ShareSource,
    name: &str,
) -> Result<(), TaskError> {
    let out = glue
        .get_table()
        .catalog_id(&s.account_id)
        .database_name(&s.glue_database)
        .name(name)
        .send()
        .await;
    match out {
        Ok(_) => Ok(()),
        // Glue says EntityNotFoundException for a missing database as for a missing table.
        Err(e) if is_code(&e, &["EntityNotFoundException"]) => Err(TaskError::permanent(format!(
            "table {name} not found in Glue database {} of account {} (region {})",
            s.glue_database, s.account_id, s.region
        ))),
        Err(e) => Err(sdk_error(
            "glue GetTable",
            &format!("{}:{}.{name}", s.account_id, s.glue_database),
            e,
        )),
    }
}

pub(crate) async fn ensure_shared_database(
    glue: &Glue,
    catalog: &str,
    name: &str,
) -> Result<(), TaskError> {
    // No default grant to IAM_ALLOWED_PRINCIPALS on the links created in it: access to the
    // shared tables is Lake Formation's alone.
    let input = DatabaseInput::builder()
        .name(name)
        .set_create_table_default_permissions(Some(vec![]))
        .build()
        .map_err(|e| build_error("glue database input", e))?;
    match glue
        .create_database()
        .catalog_id(catalog)
        .database_input(input)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_code(&e, &["AlreadyExistsException"]) => Ok(()),
        Err(e) => Err(sdk_error(
            "glue CreateDatabase",
            &format!("{catalog}:{name}"),
            e,
        )),
    }
}

pub(crate) async fn ensure_resource_link(
    glue: &Glue,
    g: &ShareItemGrant,
    shared: &str,
    name: &str,
) -> Result<(), TaskError> {
    let (s, t) = (&g.source, &g.target);
    let mut target = TableIdentifier::builder()
        .catalog_id(&s.account_id)
        .database_name(&s.glue_database)
        .name(name);
    if s.region != t.region {
        target = target.region(&s.region);
    }
    let input = TableInput::builder()
        .name(name)
        .target_table(target.build())
        .build()
        .map_err(|e| build_error("glue resource link input", e))?;
    let out = glue
        .create_table()
        .catalog_id(&t.account_id)
        .database_name(shared)
        .table_input(input)
        .send()
        .await;
    match out {
        Ok(_) => Ok(()),
        Err(e) if is_code(&e, &["AlreadyExistsException"]) => {
            // Ours from an earlier attempt, or another dataset's table of the same database
            // and table names: only the first is success.
            let what = format!("{}:{shared}.{name}", t.account_id);
            let existing = glue
                .get_table()
                .catalog_id(&t.account_id)
                .database_name(shared)
                .name(name)
                .send()
                .await
                .map_err(|e| sdk_error("glue GetTable (resource link)", &what, e))?;
            let points_here = existing
                .table()
                .and_then(|tb| tb.target_table())
                .is_some_and(|tt| {
                    tt.catalog_id() == Some(s.account_id.as_str())
                        && tt.database_name() == Some(s.glue_database.as_str())
                        && tt.name() == Some(name)
                });
            if points_here {
                Ok(())
            } else {
                Err(TaskError::permanent(format!(
                    "{what} already exists and is not a link to {}:{}.{name}; another dataset \
                     shares a table of the same names into this account",
                    s.account_id, s.glue_database
                )))
            }
        }
        Err(e) => Err(sdk_error(
            "glue CreateTable (resource link)",
            &format!("{}:{shared}.{name}", t.account_id),
            e,
        )),
    }
}

pub(crate) async fn tables_in(
    glue: &Glue,
    catalog: &str,
    database: &str,
) -> Result<Vec<String>, TaskError> {
    let mut names = vec![];
    let mut next = None;
    loop {
        let out = glue
            .get_tables()
            .catalog_id(catalog)
            .database_name(database)
            .set_next_token(next)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e) if is_code(&e, &["EntityNotFoundException"]) => return Ok(vec![]),
            Err(e) => {
                return Err(sdk_error(
                    "glue GetTables",
                    &format!("{catalog}:{database}"),
                    e,
                ));
            }
        };
        names.extend(out.table_list().iter().map(|t| t.name().to_owned()));
        next = out
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if next.is_none() {
            return Ok(names);
        }
    }
}

pub(crate) async fn delete_table(
    glue: &Glue,
    catalog: &str,
    database: &str,
    name: &str,
) -> Result<(), TaskError> {
    let out = glue
        .delete_table()
        .catalog_id(catalog)
        .database_name(database)
        .name(name)
        .send()
        .await;
    match out {
        Ok(_) => Ok(()),
        Err(e) if is_code(&e, &["EntityNotFoundException"]) => Ok(()),
        Err(e) => Err(sdk_error(
            "glue DeleteTable",
            &format!("{catalog}:{database}.{name}"),
            e,
        )),
    }
}

pub(crate) async fn delete_database(
    glue: &Glue,
    catalog: &str,
    name: &str,
) -> Result<(), TaskError> {
    match glue
        .delete_database()
        .catalog_id(catalog)
        .name(name)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_code(&e, &["EntityNotFoundException"]) => Ok(()),
        Err(e) => Err(sdk_error(
            "glue DeleteDatabase",
            &format!("{catalog}:{name}"),
            e,
        )),
    }
}
