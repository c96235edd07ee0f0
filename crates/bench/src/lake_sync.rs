//! The `lake-sync` scenario: a sync's whole path, listing included, where `table-sync`
//! measures the store side alone. Two lakes, each read by its adapter and recorded by
//! `record_table_listing` (what the `tables.sync` task runs) on a fresh PostgreSQL database:
//!
//! - the local lake: `--lake-tables` table folders (10,000 by default) of one small Parquet
//!   file of 20 columns each, read from their footers;
//! - Glue on moto server: `--glue-tables` tables (2,000 by default: moto keeps every table in
//!   one Python dict and answers GetTables slower as it grows) of 20 columns, paged by
//!   GetTables through the pivot role.
//!
//! Each lake: the first sync, then a re-sync with nothing changed; the listing's time and the
//! recording's are printed apart.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use aws_sdk_glue::types::{Column as GlueColumn, DatabaseInput, StorageDescriptor, TableInput};
use futures::StreamExt;
use hdrhistogram::Histogram;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::{Dataset, Environment, Topic};
use lakecat_core::lake::LakeReader;
use lakecat_core::ports::DatasetStore;
use lakecat_store::{SeaStore, StoreConfig};
use parquet::data_type::Int64Type;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::Outcome;

const COLUMNS: usize = 20;

/// A fresh database of the bench's PostgreSQL cluster holding one organization, one
/// environment in `account` and one dataset, all named `label` (the dataset's slug `slug`).
pub(crate) async fn catalog(
    label: &str,
    slug: &str,
    account: &str,
) -> Result<(SeaStore, Environment, Dataset)> {
    let url = tokio::task::spawn_blocking(lakecat_testkit::pg::empty_database_url)
        .await?
        .map_err(|err| anyhow!(err))?;
    let store = SeaStore::open(&StoreConfig::new(url))
        .await
        .map_err(|e| anyhow!(e.message))?;
    let org = lakecat_cli::demo::create_org(&store, label, "", "bench-platform").await?;
    let env =
        lakecat_cli::demo::create_env(&store, &org, label, account, "eu-west-1", "bench-platform")
            .await?;
    let ds = lakecat_cli::demo::create_dataset(
        &store,
        &env,
        slug,
        label,
        "A dataset with many tables.",
        "bench-platform",
        None,
        &[Topic::Sales],
        &["bench"],
    )
    .await?;
    Ok((store, env, ds))
}

/// Writes `n` table folders of one 20-column Parquet file (a few rows) each.
fn write_local(dir: &std::path::Path, n: usize) -> Result<()> {
    let message = format!(
        "message t {{ {} }}",
        (0..COLUMNS)
            .map(|c| format!("optional int64 col_{c:02};"))
            .collect::<String>()
    );
    let schema = Arc::new(parse_message_type(&message)?);
    let props = Arc::new(WriterProperties::builder().build());
    for i in 0..n {
        let folder = dir.join(format!("events_{i:06}"));
        std::fs::create_dir_all(&folder)?;
        let file = std::fs::File::create(folder.join("part-0.parquet"))?;
        let mut w = SerializedFileWriter::new(file, schema.clone(), props.clone())?;
        let mut g = w.next_row_group()?;
        while let Some(mut col) = g.next_column()? {
            col.typed::<Int64Type>()
                .write_batch(&[1, 2, 3], Some(&[1, 1, 1]), None)?;
            col.close()?;
        }
        g.close()?;
        w.close()?;
    }
    Ok(())
}

/// Lists through `lake` and records the listing, twice; returns the four durations
/// (list, record) × (first, unchanged) and what was recorded.
async fn sync_twice(
    lake: &dyn LakeReader,
    store: &SeaStore,
    env: &Environment,
    ds: &Dataset,
) -> Result<Vec<(Duration, Duration, String)>> {
    let meta = MutationMeta {
        actor: "lakecat-bench".into(),
        action: "syncTables".into(),
        request_id: "bench".into(),
    };
    let mut out = vec![];
    for _ in 0..2 {
        let t = Instant::now();
        let found = lake
            .discover(env, ds)
            .await
            .map_err(|e| anyhow!(e.message))?;
        let listed = t.elapsed();
        if !found.failures.is_empty() {
            return Err(anyhow!("tables failed: {:?}", &found.failures[..1]));
        }
        let t = Instant::now();
        let s = store
            .record_table_listing(&meta, &ds.id, &found.tables, &[])
            .await
            .map_err(|e| anyhow!(e.message))?;
        out.push((
            listed,
            t.elapsed(),
            format!(
                "{} created, {} unchanged",
                s.tables_created, s.tables_unchanged
            ),
        ));
    }
    Ok(out)
}

pub(crate) async fn lake_sync(
    local_tables: usize,
    glue_tables: usize,
    json: bool,
) -> Result<Outcome> {
    let mut hist = Histogram::<u64>::new(3)?;
    let mut lines = vec![];

    // The local lake.
    let (store, env, ds) = catalog("Lake bench", "lake-bench", "111122223333").await?;
    let root = tempfile::tempdir()?;
    let dir = root.path().join(env.id.as_str()).join(ds.slug.as_str());
    let n = local_tables;
    let d = dir.clone();
    tokio::task::spawn_blocking(move || write_local(&d, n)).await??;
    let lake = lakecat_lake::LocalLake::new(root.path());
    for (what, (listed, recorded, s)) in ["first sync", "unchanged"]
        .iter()
        .zip(sync_twice(&lake, &store, &env, &ds).await?)
    {
        hist.record((listed + recorded).as_micros() as u64)?;
        lines.push(format!(
            "local lake, {local_tables} tables, {what}: {:.2} s ({:.2} s reading the files, {:.2} s recording; {s})",
            (listed + recorded).as_secs_f64(),
            listed.as_secs_f64(),
            recorded.as_secs_f64()
        ));
    }

    // Glue on moto.
    let account = "444455556666";
    let (store, env, ds) = catalog("Lake bench", "lake-bench", account).await?;
    let moto = lakecat_testkit::moto::start().map_err(|err| anyhow!(err))?;
    let aws = lakecat_aws::AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    };
    let base = aws.load().await;
    let admin = lakecat_aws::emulator::as_account(&base, account)
        .await
        .map_err(|e| anyhow!(e.message))?;
    let glue = aws_sdk_glue::Client::new(&admin);
    glue.create_database()
        .database_input(
            DatabaseInput::builder()
                .name(&ds.aws.glue_database)
                .build()?,
        )
        .send()
        .await?;
    let columns: Vec<GlueColumn> = (0..COLUMNS)
        .map(|c| {
            GlueColumn::builder()
                .name(format!("col_{c:02}"))
                .r#type(if c % 3 == 0 { "bigint" } else { "string" })
                .build()
        })
        .collect::<std::result::Result<_, _>>()?;
    let t = Instant::now();
    let mut creates = futures::stream::iter(0..glue_tables)
        .map(|i| {
            let (glue, db, columns) = (glue.clone(), ds.aws.glue_database.clone(), columns.clone());
            async move {
                let input = TableInput::builder()
                    .name(format!("events_{i:06}"))
                    .parameters("classification", "parquet")
                    .storage_descriptor(
                        StorageDescriptor::builder()
                            .set_columns(Some(columns))
                            .location(format!("s3://bench/events_{i:06}/"))
                            .build(),
                    )
                    .build()?;
                glue.create_table()
                    .database_name(db)
                    .table_input(input)
                    .send()
                    .await?;
                anyhow::Ok(())
            }
        })
        .buffer_unordered(16);
    while let Some(r) = creates.next().await {
        r?;
    }
    if !json {
        eprintln!(
            "lake-sync: {glue_tables} Glue tables created in moto in {:.1} s (not measured)",
            t.elapsed().as_secs_f64()
        );
    }
    let lake = lakecat_aws::GlueLake::new(&base, None);
    for (what, (listed, recorded, s)) in ["first sync", "unchanged"]
        .iter()
        .zip(sync_twice(&lake, &store, &env, &ds).await?)
    {
        hist.record((listed + recorded).as_micros() as u64)?;
        lines.push(format!(
            "Glue on moto, {glue_tables} tables, {what}: {:.2} s ({:.2} s paging GetTables, {:.2} s recording; {s})",
            (listed + recorded).as_secs_f64(),
            listed.as_secs_f64(),
            recorded.as_secs_f64()
        ));
    }
    // A Glue event: one table changed (a column added) in the database, synced alone.
    let changed = "events_000007";
    let mut wider = columns.clone();
    wider.push(
        GlueColumn::builder()
            .name("added")
            .r#type("string")
            .build()?,
    );
    glue.update_table()
        .database_name(&ds.aws.glue_database)
        .table_input(
            TableInput::builder()
                .name(changed)
                .parameters("classification", "parquet")
                .storage_descriptor(
                    StorageDescriptor::builder()
                        .set_columns(Some(wider))
                        .location(format!("s3://bench/{changed}/"))
                        .build(),
                )
                .build()?,
        )
        .send()
        .await?;
    let meta = MutationMeta {
        actor: "lakecat-bench".into(),
        action: "tables.event".into(),
        request_id: "bench".into(),
    };
    let t = Instant::now();
    let (found, missing) = lake
        .discover_named(&env, &ds, &[changed.to_owned()])
        .await
        .map_err(|e| anyhow!(e.message))?;
    let read = t.elapsed();
    let t = Instant::now();
    let s = store
        .record_table_changes(&meta, &ds.id, &found.tables, &missing)
        .await
        .map_err(|e| anyhow!(e.message))?;
    let recorded = t.elapsed();
    if s.tables_updated != 1 {
        return Err(anyhow!("the changed table was not updated: {s:?}"));
    }
    hist.record((read + recorded).as_micros() as u64)?;
    lines.push(format!(
        "Glue on moto, a table event in a database of {glue_tables} tables: {:.1} ms ({:.1} ms GetTable, {:.1} ms recording; {} updated)",
        (read + recorded).as_secs_f64() * 1e3,
        read.as_secs_f64() * 1e3,
        recorded.as_secs_f64() * 1e3,
        s.tables_updated
    ));
    drop(moto);
    if !json {
        for l in &lines {
            eprintln!("  {l}");
        }
    }
    Ok(Outcome {
        scenario: "lake-sync".into(),
        requests: 5,
        errors: 0,
        rps: None,
        hist,
        rss_mb: None,
    })
}
