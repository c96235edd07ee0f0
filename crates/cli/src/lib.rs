//! The `lakecat` command line: `serve` (the whole catalog in one process), `migrate`,
//! `schema`, `seed`, `reindex` and `users` (local users and their teams). The load benchmark
//! is a crate of its own (`crates/bench`), so this binary carries no test kit.

pub mod demo;
pub mod demo_lake;
pub mod reindex;
pub mod users;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand};
use lakecat_server::{Adapters, App, Config, LakeMode};
use lakecat_store::{SeaStore, StoreConfig};

#[derive(Parser)]
#[command(
    name = "lakecat",
    version,
    about = "A serverless data catalog and data marketplace for AWS data lakes"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Where {
    /// State directory of the embedded default (SQLite file, local users, signing key).
    #[arg(long, env = "LAKECAT_DATA_DIR", default_value = "./lakecat-data")]
    pub data_dir: PathBuf,
    /// Use this PostgreSQL database instead of the SQLite file.
    #[arg(long, env = "LAKECAT_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl Where {
    pub fn url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| lakecat_store::sqlite_url(&self.data_dir.join("catalog.db")))
    }
    fn ensure_dir(&self) -> Result<()> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create {}", self.data_dir.display()))
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Runs the catalog in one process (GraphQL API, GraphiQL, sign-in, health): SQLite,
    /// local users, no cloud. Then open http://127.0.0.1:8080/graphiql and sign in.
    Serve {
        #[command(flatten)]
        at: Where,
        /// Address to listen on.
        #[arg(long, env = "LAKECAT_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Load the demo catalog on first start.
        #[arg(long)]
        demo: bool,
    },
    /// Applies pending database migrations.
    Migrate {
        #[command(flatten)]
        at: Where,
    },
    /// Prints the GraphQL schema (SDL).
    Schema,
    /// Loads a catalog: `--demo` (believable teams, datasets, glossary) or `--scale N`.
    Seed {
        #[command(flatten)]
        at: Where,
        /// Load the demo catalog: believable teams, datasets, glossary and demo users.
        #[arg(long, conflicts_with = "scale")]
        demo: bool,
        /// Generate N datasets (one table of 10 columns each) plus a 10,000-column table.
        #[arg(long)]
        scale: Option<u64>,
    },
    /// Rebuilds the search index from the database, dataset by dataset (each swapped in one
    /// step), while searches go on. When `lakecat serve` holds the embedded index, the server
    /// does the rebuild and this follows it; on OpenSearch, a new index replaces the old.
    Reindex {
        #[command(flatten)]
        at: Where,
        /// The index directory (default: `search` in the data directory).
        #[arg(long, env = "LAKECAT_SEARCH_DIR")]
        search_dir: Option<PathBuf>,
    },
    /// Reads datasets' tables from the local lake (Parquet, CSV and JSON-lines files under
    /// `<lake>/<environment id>/<dataset slug>/<table>/`) and records them in the catalog, as
    /// the `syncTables` mutation does: every dataset, or those given with --dataset.
    Sync {
        #[command(flatten)]
        at: Where,
        /// The local lake (default: `lake` in the data directory).
        #[arg(long, env = "LAKECAT_LAKE_DIR")]
        lake_dir: Option<PathBuf>,
        /// A dataset id to sync (repeatable); every dataset when none is given.
        #[arg(long = "dataset", value_name = "ID")]
        datasets: Vec<String>,
    },
    /// Manages local users and their teams (local mode's users.json).
    Users(users::UsersArgs),
    /// Writes every CloudFormation template lakecat deploys, with example inputs, as JSON
    /// files to read and lint (environment bootstrap, environment, dataset, imported dataset).
    Synth {
        /// The directory to write the templates to (created if missing).
        #[arg(long, default_value = "lakecat-templates")]
        out: PathBuf,
    },
}

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { at, listen, demo } => serve(at, listen, demo).await,
        Command::Migrate { at } => {
            lakecat_server::init_tracing(false);
            at.ensure_dir()?;
            SeaStore::open(&StoreConfig::new(at.url()))
                .await
                .map_err(|e| anyhow!(e.message))?;
            println!("migrations applied");
            Ok(())
        }
        Command::Sync {
            at,
            lake_dir,
            datasets,
        } => sync(at, lake_dir, datasets).await,
        Command::Reindex { at, search_dir } => {
            lakecat_server::init_tracing(false);
            at.ensure_dir()?;
            let store = SeaStore::open(&StoreConfig::new(at.url()))
                .await
                .map_err(|e| anyhow!(e.message))?;
            let opensearch =
                lakecat_server::config::opensearch_from_env().map_err(|e| anyhow!(e))?;
            let total = lakecat_core::ports::CatalogStore::count(
                &store,
                &lakecat_core::ports::CountQuery::Datasets(Default::default()),
            )
            .await
            .map_err(|e| anyhow!(e.message))?;
            let bar = indicatif::ProgressBar::new(total.max(0) as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} datasets, {msg} documents, {elapsed}",
                )
                .map_err(|e| anyhow!(e))?,
            );
            let t = std::time::Instant::now();
            let progress = |d: u64, n: u64| {
                bar.set_position(d);
                bar.set_message(n.to_string());
            };
            let began = chrono::Utc::now();
            let (datasets, documents, into, done_by_server) = match opensearch {
                // OpenSearch: a new index behind the alias, swapped in when complete; searches
                // read the old one meanwhile.
                Some(os) => {
                    let live = lakecat_search::OpenSearchIndex::connect(&os)
                        .await
                        .map_err(|e| anyhow!(e.message))?;
                    live.ensure().await.map_err(|e| anyhow!(e.message))?;
                    let rebuild = live.begin_rebuild().await.map_err(|e| anyhow!(e.message))?;
                    match lakecat_worker::reindex(&store, rebuild.index(), progress).await {
                        Ok((d, n)) => {
                            live.finish_rebuild(rebuild)
                                .await
                                .map_err(|e| anyhow!(e.message))?;
                            (d, n, format!("OpenSearch alias {}", live.alias()), None)
                        }
                        Err(e) => {
                            if let Err(a) = live.abandon_rebuild(rebuild).await {
                                tracing::warn!(error = %a.message, "the new index was not removed");
                            }
                            return Err(anyhow!(e.message));
                        }
                    }
                }
                None => {
                    let dir = search_dir.unwrap_or_else(|| at.data_dir.join("search"));
                    match lakecat_search::TantivyIndex::open(&dir) {
                        Ok(index) => {
                            let (d, n) = lakecat_worker::reindex(&store, &index, progress)
                                .await
                                .map_err(|e| anyhow!(e.message))?;
                            lakecat_core::search::SearchIndex::compact(&index)
                                .await
                                .map_err(|e| anyhow!(e.message))?;
                            (d, n, dir.display().to_string(), None)
                        }
                        // `lakecat serve` holds the index: it rebuilds it.
                        Err(e) if e.code == lakecat_core::ErrorCode::Unavailable => {
                            eprintln!(
                                "lakecat serve holds {}: it rebuilds the index, and answers searches meanwhile",
                                dir.display()
                            );
                            let (d, n, superseded) = reindex::through_server(&store, |s| match s {
                                reindex::Step::Waiting(w) => bar.set_message(format!(
                                    "0 (waiting {} s for the server to start; it looks for new tasks every 2 s)",
                                    w.as_secs()
                                )),
                                reindex::Step::Running { datasets, documents } => {
                                    progress(datasets, documents)
                                }
                            })
                            .await?;
                            (
                                d,
                                n,
                                format!("{} (by lakecat serve)", dir.display()),
                                Some(superseded),
                            )
                        }
                        Err(e) => return Err(anyhow!(e.message)),
                    }
                }
            };
            // The rebuilt index holds what the search.index tasks written before it would
            // have written (a server's rebuild finished them itself).
            let superseded = match done_by_server {
                Some(n) => n,
                None => lakecat_worker::supersede_search_tasks(&store, began)
                    .await
                    .map_err(|e| anyhow!(e.message))?,
            };
            bar.finish();
            let secs = t.elapsed().as_secs_f64();
            println!(
                "reindexed {datasets} datasets, {documents} documents in {secs:.1} s ({:.0} documents/s) into {into}; {superseded} pending search.index tasks done by it",
                documents as f64 / secs.max(1e-9),
            );
            Ok(())
        }
        Command::Schema => {
            print!("{}", lakecat_graphql::sdl());
            Ok(())
        }
        Command::Seed { at, demo, scale } => {
            lakecat_server::init_tracing(false);
            at.ensure_dir()?;
            let store = SeaStore::open(&StoreConfig::new(at.url()))
                .await
                .map_err(|e| anyhow!(e.message))?;
            match (demo, scale) {
                (true, _) => {
                    let users = lakecat_server::local_users::LocalUsers::open(
                        &at.data_dir,
                        &lakecat_server::config::admin_group_from_env(),
                    )
                    .map_err(|e| anyhow!(e))?;
                    let lake = std::env::var_os("LAKECAT_LAKE_DIR")
                        .map(PathBuf::from)
                        .unwrap_or_else(|| at.data_dir.join("lake"));
                    demo::seed_demo_with_lake(&store, Some(&users), Some(&lake)).await?;
                    print_demo_users();
                }
                (false, Some(n)) => {
                    demo::seed_scale(&store, n, true).await?;
                }
                (false, None) => return Err(anyhow!("say what to seed: --demo or --scale N")),
            }
            Ok(())
        }
        Command::Users(args) => users::run(args).await,
        Command::Synth { out } => {
            for path in lakecat_cfn::synth(&out)? {
                println!("{}", path.display());
            }
            Ok(())
        }
    }
}

/// The adapters `lakecat serve` wires in: OpenSearch when `OPENSEARCH_URL` is set, else the
/// embedded index (with the in-process worker, which keeps it current); share processing and
/// stack deploys (CloudFormation through each environment's pivot role) and table syncs (each
/// dataset's Glue database) on AWS when `LAKECAT_LAKE=aws`, else the local lake's deployer and
/// files.
pub async fn adapters(config: &Config) -> Result<Adapters> {
    use std::sync::Arc;
    let search: Option<Arc<dyn lakecat_core::search::SearchIndex>> =
        match (&config.opensearch, config.in_process_worker) {
            (Some(os), _) => Some(Arc::new(
                lakecat_search::OpenSearchIndex::open_checked(os)
                    .await
                    .map_err(|e| anyhow!(e.message))?,
            )),
            (None, true) => {
                let index = match &config.search_dir {
                    Some(dir) => lakecat_search::TantivyIndex::open(dir),
                    None => lakecat_search::TantivyIndex::in_memory(),
                }
                .map_err(|e| anyhow!(e.message))?;
                index.set_result_cache(config.search_cache);
                Some(Arc::new(index))
            }
            (None, false) => None,
        };
    let (aws_lake, stacks, glue) = match &config.lake {
        // The local lake's deployer is the server's default.
        LakeMode::Local => (None, None, None),
        LakeMode::Aws { region, endpoint } => {
            let aws = lakecat_aws::AwsConfig {
                region: region.clone(),
                endpoint: endpoint.clone(),
            };
            let sdk = aws.load().await;
            // Tables are read from each dataset's Glue database through the pivot role.
            let glue: Arc<dyn lakecat_core::lake::LakeReader> = Arc::new(
                lakecat_aws::GlueLake::new(&sdk, config.platform.external_id.clone()),
            );
            let factory: lakecat_server::ShareProcessorFactory = Arc::new(move |lock| {
                Arc::new(lakecat_aws::AwsShareProcessor::new(&sdk, lock))
                    as Arc<dyn lakecat_core::shares::ShareProcessor>
            });
            // The same deployer the stack service runs, in the in-process worker.
            let deployer = lakecat_aws::CloudFormationDeployer::new(lakecat_aws::StackSettings {
                aws,
                external_id: config.platform.external_id.clone(),
                ..lakecat_aws::StackSettings::default()
            })
            .await;
            let stacks: Arc<dyn lakecat_core::stacks::StackDeployer> = Arc::new(deployer);
            (Some(factory), Some(stacks), Some(glue))
        }
    };
    // The local lake's files are read where its deployer makes their folders.
    let tables: Option<Arc<dyn lakecat_core::lake::LakeReader>> =
        match (&config.lake, &config.lake_dir) {
            (LakeMode::Local, Some(dir)) => Some(Arc::new(lakecat_lake::LocalLake::new(dir))),
            (LakeMode::Aws { .. }, _) => glue,
            _ => None,
        };
    Ok(Adapters {
        search,
        queue: None,
        aws_lake,
        stacks,
        tables,
        previews: None,
    })
}

/// `lakecat sync`: each dataset's tables read from the local lake and recorded; a line per
/// dataset, the tables that failed with their reason, and a non-zero exit when any did.
async fn sync(at: Where, lake_dir: Option<PathBuf>, ids: Vec<String>) -> Result<()> {
    use lakecat_core::ports::DatasetStore;
    lakecat_server::init_tracing(false);
    at.ensure_dir()?;
    let store = SeaStore::open(&StoreConfig::new(at.url()))
        .await
        .map_err(|e| anyhow!(e.message))?;
    let lake = lakecat_lake::LocalLake::new(lake_dir.unwrap_or_else(|| at.data_dir.join("lake")));
    let ids = if ids.is_empty() {
        let mut all = vec![];
        let mut page = lakecat_core::page::PageRequest::first(500);
        loop {
            let p = store
                .list_datasets(&Default::default(), &page)
                .await
                .map_err(|e| anyhow!(e.message))?;
            let last = p.items.last().map(|(cursor, _)| cursor.clone());
            all.extend(p.items.into_iter().map(|(_, d)| d.id.to_string()));
            match (p.has_next, last) {
                (true, Some(after)) => page.after = Some(after),
                _ => break,
            }
        }
        all
    } else {
        ids
    };
    let meta = lakecat_core::caller::MutationMeta {
        actor: "lakecat-cli".into(),
        action: "syncTables".into(),
        request_id: ulid::Ulid::new().to_string(),
    };
    let mut failed = 0usize;
    for id in &ids {
        match lakecat_worker::sync_tables(&store, &lake, id, &meta).await {
            Ok(o) => {
                let s = o.summary;
                println!(
                    "{id}: {} created, {} updated, {} unchanged, {} deleted, {} restored, {} failed",
                    s.tables_created,
                    s.tables_updated,
                    s.tables_unchanged,
                    s.tables_deleted,
                    s.tables_restored,
                    o.failures.len()
                );
                for f in &o.failures {
                    println!("  {}: {}", f.table, f.reason);
                }
                failed += o.failures.len();
            }
            Err(e) => {
                println!("{id}: not synced: {}", e.message);
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!("{failed} table(s) or dataset(s) could not be synced (listed above)");
    }
    Ok(())
}

fn print_demo_users() {
    println!("demo users (password '{}'):", demo::DEMO_PASSWORD);
    for (user, team) in demo::DEMO_USERS {
        println!("  {user:<6} team {team}");
    }
}

async fn serve(at: Where, listen: SocketAddr, demo: bool) -> Result<()> {
    at.ensure_dir()?;
    // Flags win over the environment; the rest of the configuration comes from LAKECAT_*.
    let mut config =
        Config::from_env(Some(at.data_dir.clone())).map_err(|e| anyhow!("configuration: {e}"))?;
    config.listen = listen;
    config.database_url = at.url();
    lakecat_server::init_tracing(config.json_logs);
    let wired = adapters(&config).await?;
    let app = App::build(config, true, wired)
        .await
        .map_err(|e| anyhow!(e))?;
    // On PostgreSQL, searches take their callers' readers from the in-process cache while
    // its listener hears PostgreSQL's notifications; LAKECAT_SEARCH_CACHE=0 turns it off with
    // the result cache.
    if app.config.search_cache > 0 && at.url().starts_with("postgres") {
        app.store
            .cache_search_readers()
            .map_err(|e| anyhow!(e.message))?;
    }
    if let Some((user, password)) = app.auth.local_users().and_then(|u| u.created_admin.clone()) {
        // The password goes to the terminal only, never to the log.
        tracing::info!(username = %user, "created the admin user");
        println!("first start: created the admin user (shown once, keep it)");
        println!("  username: {user}");
        println!("  password: {password}");
    }
    if demo {
        use lakecat_core::ports::CatalogStore;
        let empty = app
            .store
            .count(&lakecat_core::ports::CountQuery::Organizations(
                Default::default(),
            ))
            .await
            .map_err(|e| anyhow!(e.message))?
            == 0;
        if empty {
            // The local lake gets the demo's sample files; on AWS the tables stay as described.
            let lake = match app.config.lake {
                LakeMode::Local => app.config.lake_dir.clone(),
                LakeMode::Aws { .. } => None,
            };
            demo::seed_demo_with_lake(&app.store, app.auth.local_users(), lake.as_deref()).await?;
            print_demo_users();
        }
    }
    let graphiql = if app.config.graphiql {
        format!(", GraphiQL http://{listen}/graphiql")
    } else {
        String::new()
    };
    let sign_in = match app.auth.local_users() {
        Some(_) => {
            "sign in as admin (or a demo user) on the GraphiQL page or with POST /auth/login"
        }
        None => "send your identity provider's token as Authorization: Bearer",
    };
    println!("lakecat is up: API http://{listen}/graphql{graphiql}; {sign_in}");
    tracing::info!(api = %format!("http://{listen}/graphql"), data_dir = %at.data_dir.display(), "lakecat is up");
    lakecat_server::serve(app).await.map_err(|e| anyhow!(e))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// `lakecat --help` and each subcommand's help describe everything in one line at least.
    #[test]
    fn every_subcommand_and_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            let path = format!("{path} {}", cmd.get_name());
            if cmd
                .get_about()
                .is_none_or(|a| a.to_string().trim().is_empty())
            {
                missing.push(path.clone());
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if arg
                    .get_help()
                    .is_none_or(|h| h.to_string().trim().is_empty())
                {
                    missing.push(format!("{path} --{id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_name() != "help" {
                    walk(sub, &path, missing);
                }
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "", &mut missing);
        assert!(missing.is_empty(), "without help: {missing:?}");
    }
}
