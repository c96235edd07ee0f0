//! The lake on AWS: a dataset's tables read from its Glue database, through the environment's
//! pivot role, in the dataset's account — the AWS adapter of [`LakeReader`], read the same way
//! the local lake's files are (`lakecat-lake`), so one sync records both.
//!
//! GetTables is paged (100 tables a page); every table becomes a [`DiscoveredTable`]: its
//! columns in order with their types and comments, partition keys after them, location,
//! format, and the table's parameters without the statistics Glue and crawlers rewrite on
//! every run (so an unchanged table is not written again). A table lakecat cannot record —
//! a type it does not know, a name that breaks Glue's rules — fails alone with its reason.
//! Resource links (what shares create in consumer accounts) are not tables of the dataset and
//! are skipped.

mod athena;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_glue::Client as Glue;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use lakecat_core::catalog::{
    Column, Dataset, DiscoveredColumn, DiscoveredTable, Environment, Table,
};
use lakecat_core::lake::{
    CrawlStarted, Discovery, ImportCheck, LakeReader, TableFailure, TablePreview, TableProfile,
    TableReader,
};
use lakecat_core::names::{Description, GlueName};
use lakecat_core::tasks::TaskError;
use lakecat_core::{Error, Reason};

use crate::sdk_error::{is_code, sdk_error};
use crate::session;

/// Tables per GetTables page (Glue's maximum is 100).
const PAGE: i32 = 100;
const SESSION_NAME: &str = "lakecat-lake";

/// Table parameters that Glue, crawlers and Hive rewrite without the table changing.
const VOLATILE: &[&str] = &[
    "transient_lastDdlTime",
    "last_modified_time",
    "last_modified_by",
    "numFiles",
    "numRows",
    "totalSize",
    "rawDataSize",
    "sizeKey",
    "objectCount",
    "recordCount",
    "averageRecordSize",
    "COLUMN_STATS_ACCURATE",
    "UPDATED_BY_CRAWLER",
    "CrawlerSchemaDeserializerVersion",
    "CrawlerSchemaSerializerVersion",
];

/// Reads datasets' Glue databases, and their tables' data with Athena.
pub struct GlueLake {
    base: SdkConfig,
    external_id: Option<String>,
    query_timeout: Duration,
}

/// How long a preview's or a profile's Athena query may run before it is stopped.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(60);

impl GlueLake {
    /// `config` is lakecat's own (it calls STS); every read acts as the environment's pivot
    /// role, presenting `external_id` (without one, the environment's id, as the share
    /// processor and the stack service do).
    pub fn new(config: &SdkConfig, external_id: Option<String>) -> Self {
        GlueLake {
            base: config.clone(),
            external_id,
            query_timeout: QUERY_TIMEOUT,
        }
    }

    /// Athena queries stopped after `timeout` instead of [`QUERY_TIMEOUT`].
    pub fn with_query_timeout(mut self, timeout: Duration) -> Self {
        self.query_timeout = timeout;
        self
    }

    async fn session(&self, environment: &Environment) -> Result<SdkConfig, TaskError> {
        let external_id = self
            .external_id
            .clone()
            .unwrap_or_else(|| environment.id.as_str().to_owned());
        session::assume(&self.base, environment, &external_id, SESSION_NAME).await
    }

    async fn glue(&self, environment: &Environment) -> Result<Glue, TaskError> {
        Ok(Glue::new(&self.session(environment).await?))
    }

    /// Athena as the environment's pivot role; a refused role is the lake unreadable.
    async fn athena(
        &self,
        environment: &Environment,
    ) -> lakecat_core::Result<aws_sdk_athena::Client> {
        let config = self
            .session(environment)
            .await
            .map_err(|e| Error::unavailable(e.message).with_reason(Reason::LakeUnreadable))?;
        Ok(aws_sdk_athena::Client::new(&config))
    }
}

#[async_trait]
impl LakeReader for GlueLake {
    async fn discover(
        &self,
        environment: &Environment,
        dataset: &Dataset,
    ) -> Result<Discovery, TaskError> {
        let glue = self.glue(environment).await?;
        let (account, database) = (dataset.aws.account_id.as_str(), &dataset.aws.glue_database);
        let resource = format!("{account}:{database}");
        let mut pages = glue
            .get_tables()
            .catalog_id(account)
            .database_name(database)
            .into_paginator()
            .page_size(PAGE)
            .send();
        let mut found: BTreeMap<String, Result<DiscoveredTable, String>> = BTreeMap::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                if is_code(&e, &["EntityNotFoundException"]) {
                    TaskError::permanent(format!(
                        "Glue database {database} does not exist in account {account} \
                         (region {})",
                        dataset.aws.region
                    ))
                } else {
                    sdk_error("glue GetTables", &resource, e)
                }
            })?;
            for t in page.table_list() {
                if t.target_table().is_some() {
                    continue;
                }
                found.insert(t.name().to_owned(), table(t));
            }
        }
        let mut discovery = Discovery::default();
        for (name, result) in found {
            match result {
                Ok(t) => discovery.tables.push(t),
                Err(reason) => discovery.failures.push(TableFailure {
                    table: name,
                    reason,
                }),
            }
        }
        Ok(discovery)
    }

    /// GetTable for each name (a Glue event names a few): a table Glue no longer has
    /// (EntityNotFoundException) is missing; a resource link is neither found nor missing
    /// (it is not a table of the dataset). A database that is gone fails the sync, as for a
    /// listing.
    async fn discover_named(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        names: &[String],
    ) -> Result<(Discovery, Vec<String>), TaskError> {
        let glue = self.glue(environment).await?;
        let (account, database) = (dataset.aws.account_id.as_str(), &dataset.aws.glue_database);
        let mut discovery = Discovery::default();
        let mut missing = vec![];
        let mut database_found = false;
        let mut names: Vec<&String> = names.iter().collect();
        names.sort();
        names.dedup();
        for name in names {
            let resource = format!("{account}:{database}.{name}");
            let got = glue
                .get_table()
                .catalog_id(account)
                .database_name(database)
                .name(name)
                .send()
                .await;
            match got {
                Ok(out) => match out.table() {
                    Some(t) if t.target_table().is_some() => {}
                    Some(t) => match table(t) {
                        Ok(t) => discovery.tables.push(t),
                        Err(reason) => discovery.failures.push(TableFailure {
                            table: name.clone(),
                            reason,
                        }),
                    },
                    None => missing.push(name.clone()),
                },
                Err(e) if is_code(&e, &["EntityNotFoundException"]) => {
                    // Which is gone, the table or its database? Only the database fails;
                    // asked once, at the first missing table.
                    if !database_found {
                        let db = glue
                            .get_database()
                            .catalog_id(account)
                            .name(database)
                            .send()
                            .await;
                        match db {
                            Ok(_) => database_found = true,
                            Err(e) if is_code(&e, &["EntityNotFoundException"]) => {
                                return Err(TaskError::permanent(format!(
                                    "Glue database {database} does not exist in account \
                                     {account} (region {})",
                                    dataset.aws.region
                                )));
                            }
                            Err(e) => return Err(sdk_error("glue GetDatabase", database, e)),
                        }
                    }
                    missing.push(name.clone());
                }
                Err(e) => return Err(sdk_error("glue GetTable", &resource, e)),
            }
        }
        Ok((discovery, missing))
    }

    /// As the pivot role, in the dataset's account: the bucket lists (S3 ListObjectsV2 of one
    /// key), the key encrypts and decrypts a data key (what reading and writing SSE-KMS
    /// objects needs), and the Glue database exists.
    async fn verify_import(
        &self,
        environment: &Environment,
        dataset: &Dataset,
    ) -> Result<Vec<ImportCheck>, TaskError> {
        let role = environment.pivot_role_arn();
        let config = match self.session(environment).await {
            Ok(c) => c,
            Err(e) if !e.retryable => {
                return Ok(vec![ImportCheck::failed("aws.bucket", e.message)]);
            }
            Err(e) => return Err(e),
        };
        let aws = &dataset.aws;
        let mut checks = vec![];

        let bucket = &aws.bucket;
        let listed = crate::s3_client(&config)
            .list_objects_v2()
            .bucket(bucket)
            .max_keys(1)
            .send()
            .await;
        checks.push(match listed {
            Ok(_) => ImportCheck::passed(
                "aws.bucket",
                format!("bucket {bucket} is readable by {role}"),
            ),
            Err(e) if is_code(&e, &["NoSuchBucket"]) => {
                ImportCheck::failed("aws.bucket", format!("bucket {bucket} does not exist"))
            }
            Err(e) => ImportCheck::failed(
                "aws.bucket",
                refusal(&format!("bucket {bucket}"), &role, e)?,
            ),
        });

        if let Some(alias) = &aws.kms_alias {
            checks.push(key_check(&aws_sdk_kms::Client::new(&config), alias, &role).await?);
        }

        let database = &aws.glue_database;
        let got = Glue::new(&config)
            .get_database()
            .catalog_id(aws.account_id.as_str())
            .name(database)
            .send()
            .await;
        checks.push(match got {
            Ok(_) => ImportCheck::passed(
                "aws.glueDatabase",
                format!("Glue database {database} exists"),
            ),
            Err(e) if is_code(&e, &["EntityNotFoundException"]) => ImportCheck::failed(
                "aws.glueDatabase",
                format!(
                    "Glue database {database} does not exist in account {} (region {})",
                    aws.account_id, aws.region
                ),
            ),
            Err(e) => ImportCheck::failed(
                "aws.glueDatabase",
                refusal(&format!("Glue database {database}"), &role, e)?,
            ),
        });
        Ok(checks)
    }

    /// Points the dataset's crawler (`<bucket>-crawler`, the dataset stack's) at `prefix` of
    /// the bucket (without one, at what it was last pointed at) and starts it; one already
    /// running is left to finish. Its end reaches the
    /// worker as Glue's "Crawler State Change" event, which syncs the dataset.
    async fn crawl(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        prefix: Option<&str>,
    ) -> Result<CrawlStarted, TaskError> {
        let glue = self.glue(environment).await?;
        let name = crawler_name(&dataset.aws.bucket);
        let path = format!(
            "s3://{}/{}",
            dataset.aws.bucket,
            prefix.unwrap_or("").trim_start_matches('/')
        );
        let found = glue.get_crawler().name(&name).send().await;
        let running = match found {
            Ok(out) => out
                .crawler()
                .and_then(|c| c.state())
                .is_some_and(|s| s.as_str() != "READY"),
            Err(e) if is_code(&e, &["EntityNotFoundException"]) => {
                return Err(TaskError::permanent(format!(
                    "dataset {} has no Glue crawler ({name}): deploy its stack with CreateCrawler=true",
                    dataset.label.as_str()
                )));
            }
            Err(e) => return Err(sdk_error("glue GetCrawler", &name, e)),
        };
        // Running (or stopping): it cannot be changed now, and its end syncs anyway.
        if running {
            return Ok(CrawlStarted {
                crawler: Some(name),
                path,
                sync_now: false,
            });
        }
        if prefix.is_some() {
            let targets = aws_sdk_glue::types::CrawlerTargets::builder()
                .s3_targets(aws_sdk_glue::types::S3Target::builder().path(&path).build())
                .build();
            glue.update_crawler()
                .name(&name)
                .targets(targets)
                .send()
                .await
                .map_err(|e| sdk_error("glue UpdateCrawler", &name, e))?;
        }
        match glue.start_crawler().name(&name).send().await {
            Ok(_) => {}
            Err(e) if is_code(&e, &["CrawlerRunningException"]) => {}
            Err(e) => return Err(sdk_error("glue StartCrawler", &name, e)),
        }
        Ok(CrawlStarted {
            crawler: Some(name),
            path,
            sync_now: false,
        })
    }

    /// One Athena query per table: row count, and per column non-null count,
    /// `approx_distinct`, min, max, top values and (numeric columns) a histogram.
    async fn profile(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        table: &Table,
        columns: &[Column],
    ) -> lakecat_core::Result<TableProfile> {
        let athena = self.athena(environment).await?;
        let sql = athena::profile_sql(dataset, table, columns);
        let answer = athena::run(&athena, environment, dataset, &sql, self.query_timeout).await?;
        athena::profile(columns, answer)
    }
}

#[async_trait]
impl TableReader for GlueLake {
    /// An Athena query of the catalog's columns, `limit` + 1 rows (to say whether there are
    /// more), in the environment's workgroup.
    async fn preview(
        &self,
        environment: &Environment,
        dataset: &Dataset,
        table: &Table,
        columns: &[Column],
        limit: usize,
    ) -> lakecat_core::Result<TablePreview> {
        let athena = self.athena(environment).await?;
        let sql = athena::preview_sql(dataset, table, columns, limit);
        let answer = athena::run(&athena, environment, dataset, &sql, self.query_timeout).await?;
        Ok(athena::preview(columns, answer, limit))
    }
}

/// The dataset stack's crawler for `bucket` (`lakecat-cfn`'s dataset template names it so;
/// the worker maps a crawler's events back to the bucket the same way).
fn crawler_name(bucket: &str) -> String {
    format!("{bucket}-crawler")
}

/// The key behind `alias` generates a data key and decrypts it again for `role`.
async fn key_check(
    kms: &aws_sdk_kms::Client,
    alias: &str,
    role: &str,
) -> Result<ImportCheck, TaskError> {
    let field = "aws.kmsAlias";
    let what = format!("key {alias}");
    let generated = kms
        .generate_data_key_without_plaintext()
        .key_id(alias)
        .key_spec(aws_sdk_kms::types::DataKeySpec::Aes256)
        .send()
        .await;
    let blob = match generated {
        Ok(out) => out.ciphertext_blob().cloned(),
        Err(e) if is_code(&e, &["NotFoundException"]) => {
            return Ok(ImportCheck::failed(field, format!("{what} does not exist")));
        }
        Err(e) => return Ok(ImportCheck::failed(field, refusal(&what, role, e)?)),
    };
    let Some(blob) = blob else {
        return Ok(ImportCheck::failed(
            field,
            format!("{what}: no data key returned"),
        ));
    };
    match kms
        .decrypt()
        .ciphertext_blob(blob)
        .key_id(alias)
        .send()
        .await
    {
        Ok(_) => Ok(ImportCheck::passed(
            field,
            format!("{what} encrypts and decrypts for {role}"),
        )),
        Err(e) => Ok(ImportCheck::failed(
            field,
            refusal(&format!("{what} (decrypt)"), role, e)?,
        )),
    }
}

/// A refusal as a person reads it — "bucket sales-raw: 403 AccessDenied (Access Denied) for
/// arn:aws:iam::…:role/lakecat-pivot-role" — or, for what may pass with time, the retryable
/// error.
fn refusal<E>(what: &str, role: &str, e: SdkError<E>) -> Result<String, TaskError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = match &e {
        SdkError::ServiceError(s) => Some(s.raw().status().as_u16()),
        _ => None,
    };
    let code = e.code().unwrap_or("error").to_owned();
    let message = e.message().map(str::to_owned);
    let classified = sdk_error(what, role, e);
    if classified.retryable {
        return Err(classified);
    }
    let mut out = format!("{what}: ");
    if let Some(s) = status {
        out.push_str(&format!("{s} "));
    }
    out.push_str(&code);
    if let Some(m) = message.filter(|m| !m.is_empty()) {
        out.push_str(&format!(" ({m})"));
    }
    out.push_str(&format!(" for {role}"));
    Ok(out)
}

/// A Glue table as the catalog records it, or why it cannot be.
fn table(t: &aws_sdk_glue::types::Table) -> Result<DiscoveredTable, String> {
    let glue_name = GlueName::parse("table", t.name()).map_err(|e| {
        format!(
            "{} is not a table name lakecat can record: it {}",
            t.name(),
            e.message.trim_start_matches("table: ")
        )
    })?;
    let sd = t.storage_descriptor();
    let mut columns = vec![];
    let listed = sd.map(|sd| sd.columns()).unwrap_or_default();
    for (c, is_partition) in listed
        .iter()
        .map(|c| (c, false))
        .chain(t.partition_keys().iter().map(|c| (c, true)))
    {
        let data_type = c.r#type().unwrap_or("").trim().to_ascii_lowercase();
        if !known_type(&data_type) {
            return Err(format!(
                "column {} has type '{}', which lakecat does not know",
                c.name(),
                c.r#type().unwrap_or("")
            ));
        }
        columns.push(DiscoveredColumn {
            name: c.name().to_owned(),
            data_type,
            is_partition,
            description: comment(c.comment()),
        });
    }
    let parameters = t.parameters().cloned().unwrap_or_default();
    let mut properties = serde_json::Map::new();
    for (k, v) in parameters.iter().collect::<BTreeMap<_, _>>() {
        if !VOLATILE.contains(&k.as_str()) {
            properties.insert(k.clone(), serde_json::Value::String(v.clone()));
        }
    }
    if let Some(tt) = t.table_type() {
        properties.insert("tableType".into(), tt.into());
    }
    Ok(DiscoveredTable {
        glue_name,
        location: sd.and_then(|sd| sd.location()).unwrap_or("").to_owned(),
        format: format_of(t, &parameters),
        properties: serde_json::Value::Object(properties),
        description: comment(t.description()),
        columns,
    })
}

fn comment(c: Option<&str>) -> Option<Description> {
    c.map(str::trim)
        .filter(|c| !c.is_empty())
        .and_then(|c| Description::parse("comment", c).ok())
}

/// The table's format: Glue's `classification` when set (crawlers set it), else read from the
/// storage descriptor's input format and SerDe, else the table type.
fn format_of(
    t: &aws_sdk_glue::types::Table,
    parameters: &std::collections::HashMap<String, String>,
) -> String {
    if let Some(c) = parameters.get("classification") {
        return c.to_ascii_lowercase();
    }
    if parameters
        .get("table_type")
        .is_some_and(|v| v.eq_ignore_ascii_case("iceberg"))
    {
        return "iceberg".into();
    }
    let sd = t.storage_descriptor();
    let input = sd.and_then(|s| s.input_format()).unwrap_or("");
    let serde = sd
        .and_then(|s| s.serde_info())
        .and_then(|s| s.serialization_library())
        .unwrap_or("");
    let lower = format!("{input} {serde}").to_ascii_lowercase();
    for (needle, format) in [
        ("parquet", "parquet"),
        ("orc", "orc"),
        ("avro", "avro"),
        ("json", "json"),
        ("opencsv", "csv"),
        ("lazysimpleserde", "csv"),
        ("textinputformat", "csv"),
    ] {
        if lower.contains(needle) {
            return format.into();
        }
    }
    match t.table_type() {
        Some("VIRTUAL_VIEW") => "view".into(),
        _ => "unknown".into(),
    }
}

/// Whether `t` (lower-case) is a type Glue and Athena define: a primitive, `decimal(p,s)`,
/// `char(n)`, `varchar(n)`, or `array<…>`, `map<…,…>`, `struct<name:…,…>`, `uniontype<…>` of
/// those.
pub(crate) fn known_type(t: &str) -> bool {
    let mut p = TypeParser {
        s: t.as_bytes(),
        i: 0,
    };
    p.parse_type() && p.i == p.s.len()
}

struct TypeParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl TypeParser<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn word(&mut self) -> &str {
        self.skip_ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or("")
    }

    fn number(&mut self) -> bool {
        let w = self.word();
        !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())
    }

    fn parse_type(&mut self) -> bool {
        let w = self.word().to_owned();
        match w.as_str() {
            "boolean" | "tinyint" | "smallint" | "int" | "integer" | "bigint" | "float"
            | "double" | "string" | "date" | "timestamp" | "binary" => true,
            "decimal" => {
                if self.eat(b'(') {
                    let ok = self.number() && (!self.eat(b',') || self.number());
                    ok && self.eat(b')')
                } else {
                    true
                }
            }
            "char" | "varchar" => self.eat(b'(') && self.number() && self.eat(b')'),
            "array" => self.eat(b'<') && self.parse_type() && self.eat(b'>'),
            "map" => {
                self.eat(b'<')
                    && self.parse_type()
                    && self.eat(b',')
                    && self.parse_type()
                    && self.eat(b'>')
            }
            "uniontype" => {
                if !self.eat(b'<') {
                    return false;
                }
                loop {
                    if !self.parse_type() {
                        return false;
                    }
                    if self.eat(b'>') {
                        return true;
                    }
                    if !self.eat(b',') {
                        return false;
                    }
                }
            }
            "struct" => {
                if !self.eat(b'<') {
                    return false;
                }
                if self.eat(b'>') {
                    return true;
                }
                loop {
                    if self.word().is_empty() || !self.eat(b':') || !self.parse_type() {
                        return false;
                    }
                    if self.eat(b'>') {
                        return true;
                    }
                    if !self.eat(b',') {
                        return false;
                    }
                }
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glue_and_athena_types_are_known_and_others_are_not() {
        for t in [
            "bigint",
            "decimal(12,2)",
            "decimal",
            "varchar(20)",
            "array<string>",
            "map<string,array<int>>",
            "struct<a:int,b:struct<c:string>>",
            "struct< a : int , b : map<string, double> >",
            "uniontype<int,string>",
            "timestamp",
        ] {
            assert!(known_type(t), "{t}");
        }
        for t in [
            "",
            "geometry",
            "decimal(12,",
            "varchar",
            "array<>",
            "array<strin>",
            "map<string>",
            "struct<a int>",
            "bigint extra",
        ] {
            assert!(!known_type(t), "{t}");
        }
    }
}
