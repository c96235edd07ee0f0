//! `lakecat-bench`, the load benchmark: seeds PostgreSQL (a private cluster unless
//! `--database-url`), starts `lakecat serve` as a child process, drives concurrent GraphQL load over HTTP and prints
//! p50/p95/p99 latency, requests/s and the server's peak RSS per scenario. `lambda-init`
//! measures how long the API Lambda binary takes from exec to asking the runtime API for
//! its first event.
//!
//! A crate of its own so the shipped `lakecat` binary carries neither this harness nor the
//! test kit it starts PostgreSQL and moto server with. The server under load is the `lakecat`
//! command line itself (the `lakecat-cli` library, the same allocator), run by this binary as
//! `lakecat-bench serve …` so that one `cargo run -p lakecat-bench` builds all it needs.

mod conn;
mod lake_sync;
mod profile;
mod stacks;
mod tables;

use lakecat_core::ports::DatasetStore;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use hdrhistogram::Histogram;
use lakecat_core::page::PageRequest;
use lakecat_store::{SeaStore, StoreConfig};

use lakecat_cli::demo::ScaleCatalog;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// The first argument that makes this binary `lakecat` instead of the benchmark: the rest
/// are `lakecat serve`'s.
pub const SERVE: &str = "serve";

/// `list-datasets` reports two rows: the first page and pages deep in the cursor chain.
pub const SCENARIOS: &[&str] = &[
    "get-dataset",
    "list-datasets",
    "list-columns",
    "create-dataset",
    "lambda-init",
    "task-throughput",
    "share-approve",
    "search",
    "suggest",
    "index-build",
    "stack-render",
    "stack-deploy",
    "table-sync",
    "table-profile",
    "lake-sync",
];

/// Scenarios that need neither the seeded catalog nor `lakecat serve`.
const STANDALONE: &[&str] = &[
    "stack-render",
    "stack-deploy",
    "table-sync",
    "table-profile",
    "lake-sync",
];

#[derive(Args, Clone)]
pub struct BenchArgs {
    /// Scenarios to run (repeatable); all by default.
    #[arg(long = "scenario", value_parser = clap::builder::PossibleValuesParser::new(SCENARIOS))]
    pub scenarios: Vec<String>,
    /// Datasets to seed (one 10-column table each, plus a 10,000-column table).
    #[arg(long, default_value_t = 100_000)]
    pub datasets: u64,
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Offer this many requests/s in all (open loop, latency measured from each request's
    /// scheduled time, so a stalled server cannot hide its queue); without it every client
    /// sends its next request as soon as the last one returns (saturation).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// One JSON object per scenario instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Share requests approved by `share-approve` (one after another).
    #[arg(long, default_value_t = 40)]
    pub share_runs: usize,
    /// Results the server's search index keeps for repeated searches and suggestions
    /// (`LAKECAT_SEARCH_CACHE`; 0 makes every request compute its answer).
    #[arg(long)]
    pub search_cache: Option<usize>,
    /// Use this PostgreSQL database (seeded if it holds fewer datasets than asked).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Datasets whose stack templates `stack-render` renders.
    #[arg(long, default_value_t = 1_000)]
    pub templates: usize,
    /// Dataset stacks `stack-deploy` deploys through the stack service (against moto).
    #[arg(long, default_value_t = 20)]
    pub stack_deploys: usize,
    /// Tables of 20 columns `table-sync` records in one dataset.
    #[arg(long, default_value_t = 100_000)]
    pub sync_tables: usize,
    /// MB of Snappy Parquet `table-profile` writes, then profiles.
    #[arg(long, default_value_t = 1_024)]
    pub profile_mb: u64,
    /// Where `table-profile` writes its table (a temporary folder by default).
    #[arg(long)]
    pub profile_dir: Option<std::path::PathBuf>,
    /// Table folders `lake-sync` reads from the local lake.
    #[arg(long, default_value_t = 10_000)]
    pub lake_tables: usize,
    /// Tables `lake-sync` pages from Glue on moto server.
    #[arg(long, default_value_t = 2_000)]
    pub glue_tables: usize,
    /// Only write `table-profile`'s table into `--profile-dir` (what the scenario runs in a
    /// child process, so the profile's memory is measured alone).
    #[arg(long, hide = true)]
    pub profile_write_only: bool,
}

#[derive(Debug)]
struct Outcome {
    scenario: String,
    requests: u64,
    errors: u64,
    /// Requests per second; none where it means nothing (one process start at a time).
    rps: Option<f64>,
    hist: Histogram<u64>,
    rss_mb: Option<f64>,
}

impl Outcome {
    fn ms(&self, q: f64) -> f64 {
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }
    fn json(&self) -> Value {
        json!({
            "scenario": self.scenario, "p50_ms": round(self.ms(0.50)), "p95_ms": round(self.ms(0.95)),
            "p99_ms": round(self.ms(0.99)), "rps": self.rps.map(round),
            "rss_mb": self.rss_mb.map(round), "requests": self.requests, "errors": self.errors,
        })
    }
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub async fn run(args: BenchArgs) -> Result<()> {
    if args.profile_write_only {
        let dir = args
            .profile_dir
            .clone()
            .ok_or_else(|| anyhow::anyhow!("--profile-write-only needs --profile-dir"))?;
        let mb = args.profile_mb;
        let (rows, bytes, files) =
            tokio::task::spawn_blocking(move || profile::write_table(&dir, mb)).await??;
        println!("{rows} {bytes} {files}");
        return Ok(());
    }
    let scenarios: Vec<String> = if args.scenarios.is_empty() {
        SCENARIOS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        args.scenarios.clone()
    };
    let mut outcomes = Vec::new();
    if scenarios.iter().any(|s| s == "stack-render") {
        let o = stacks::stack_render(args.templates, args.json)?;
        report(&o, args.json);
        outcomes.push(o);
    }
    if scenarios.iter().any(|s| s == "stack-deploy") {
        let o = stacks::stack_deploy(args.stack_deploys, args.json).await?;
        report(&o, args.json);
        outcomes.push(o);
    }
    if scenarios.iter().any(|s| s == "table-sync") {
        let o = tables::table_sync(args.sync_tables, args.json).await?;
        report(&o, args.json);
        outcomes.push(o);
    }
    if scenarios.iter().any(|s| s == "lake-sync") {
        let o = lake_sync::lake_sync(args.lake_tables, args.glue_tables, args.json).await?;
        report(&o, args.json);
        outcomes.push(o);
    }
    if scenarios.iter().any(|s| s == "table-profile") {
        let (mb, dir, json) = (args.profile_mb, args.profile_dir.clone(), args.json);
        let o =
            tokio::task::spawn_blocking(move || profile::table_profile(mb, dir, json)).await??;
        report(&o, args.json);
        outcomes.push(o);
    }
    if scenarios.iter().all(|s| STANDALONE.contains(&s.as_str())) {
        if outcomes.iter().any(|o| o.errors > 0) {
            bail!("some requests failed: see the errors column");
        }
        return Ok(());
    }
    let url = match &args.database_url {
        Some(u) => u.clone(),
        None => {
            eprintln!("starting a private PostgreSQL cluster");
            let cluster = tokio::task::spawn_blocking(lakecat_testkit::pg::cluster)
                .await?
                .map_err(|e| anyhow!(e))?;
            let exists = cluster
                .psql("SELECT count(*) FROM pg_database WHERE datname = 'lakecat_bench'")
                .map_err(|e| anyhow!(e))?;
            if exists == "0" {
                cluster
                    .psql("CREATE DATABASE lakecat_bench")
                    .map_err(|e| anyhow!(e))?;
            }
            cluster.url("lakecat_bench")
        }
    };
    let store = SeaStore::open(&StoreConfig::new(url.clone()))
        .await
        .map_err(|e| anyhow!(e.message))?;
    let t = Instant::now();
    let scale = lakecat_cli::demo::seed_scale(&store, args.datasets, !args.json).await?;
    eprintln!("catalog ready in {:.0} s", t.elapsed().as_secs_f64());
    let dir = tempfile::tempdir()?;
    let http_scenarios: Vec<&String> = scenarios
        .iter()
        .filter(|s| {
            ![
                "lambda-init",
                "task-throughput",
                "share-approve",
                "index-build",
            ]
            .contains(&s.as_str())
                && !STANDALONE.contains(&s.as_str())
        })
        .collect();
    if !http_scenarios.is_empty() {
        let cache = args.search_cache.map(|n| n.to_string());
        let env: Vec<(&str, &str)> = cache
            .as_deref()
            .map(|n| ("LAKECAT_SEARCH_CACHE", n))
            .into_iter()
            .collect();
        let server = Server::start(&url, dir.path(), &env).await?;
        let target = Arc::new(Target::prepare(&server, &store, &scale, args.datasets).await?);
        let duration = Duration::from_secs(args.duration);
        // Every scenario waits for the server's start-up index build: measured during it, a
        // write scenario competed with 1.2M documents being indexed (create-dataset: 20 req/s
        // instead of hundreds).
        server.wait_for_search_index(dir.path()).await?;
        for s in http_scenarios {
            let runs: &[&str] = match s.as_str() {
                "list-datasets" => &["list-datasets-first", "list-datasets-deep"],
                other => &[other],
            };
            for run in runs {
                let o = drive(run, &server, &target, args.clients, args.rate, duration).await?;
                report(&o, args.json);
                outcomes.push(o);
            }
        }
    }
    if scenarios.iter().any(|s| s == "task-throughput") {
        let o = task_throughput(&url, Duration::from_secs(args.duration)).await?;
        report(&o, args.json);
        outcomes.push(o);
    }
    if scenarios.iter().any(|s| s == "index-build") {
        let o = index_build(&store).await?;
        report(&o, args.json);
        outcomes.push(o);
    }
    if scenarios.iter().any(|s| s == "share-approve") {
        let o = share_approve(&url, &store, args.share_runs).await?;
        report(&o, args.json);
        outcomes.push(o);
    }
    if scenarios.iter().any(|s| s == "lambda-init") {
        let o = lambda_init(&url, 30).await?;
        report(&o, args.json);
        outcomes.push(o);
    }
    if outcomes.iter().any(|o| o.errors > 0) {
        bail!("some requests failed: see the errors column");
    }
    Ok(())
}

fn report(o: &Outcome, json: bool) {
    if json {
        println!("{}", o.json());
    } else {
        println!(
            "{:<22} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  {:>8} req/s  rss {:>6} MB  ({} requests, {} errors)",
            o.scenario,
            o.ms(0.5),
            o.ms(0.95),
            o.ms(0.99),
            o.rps
                .map(|r| format!("{r:.0}"))
                .unwrap_or_else(|| "-".into()),
            o.rss_mb
                .map(|r| format!("{r:.1}"))
                .unwrap_or_else(|| "-".into()),
            o.requests,
            o.errors
        );
    }
}

struct Server {
    child: tokio::process::Child,
    addr: std::net::SocketAddr,
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

impl Server {
    async fn start(url: &str, dir: &Path, env: &[(&str, &str)]) -> Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let exe = std::env::current_exe()?;
        let child = tokio::process::Command::new(exe)
            .args([SERVE, "--data-dir"])
            .arg(dir)
            .args([
                "--database-url",
                url,
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env("LAKECAT_LOG", "warn")
            .env("LAKECAT_DB_MAX_CONNECTIONS", "32")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start lakecat serve")?;
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while !client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
        {
            if Instant::now() > deadline {
                bail!("the server did not become ready");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The server created the local signing key in `dir`; mint a token with it.
        let users = lakecat_server::local_users::LocalUsers::open(
            dir,
            &lakecat_server::config::admin_group_from_env(),
        )
        .map_err(|e| anyhow!(e))?;
        let token = users
            .token_for("bench", &["bench-team".into()])
            .map_err(|e| anyhow!(e))?;
        Ok(Server {
            child,
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
            base,
            token,
            client,
        })
    }

    fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Waits until `lakecat serve` has built its search index (it does at start when the
    /// index is empty): the visible document count stops growing, and the build's compaction
    /// has left one segment in the index in `dir` (or, should it fail, two minutes pass).
    async fn wait_for_search_index(&self, dir: &Path) -> Result<()> {
        let (mut last, mut stable) = (-1i64, 0);
        let deadline = Instant::now() + Duration::from_secs(900);
        let segments = || {
            let meta = std::fs::read(dir.join("search").join("meta.json")).ok()?;
            let meta: Value = serde_json::from_slice(&meta).ok()?;
            Some(meta["segments"].as_array()?.len())
        };
        while stable < 3 || (segments() != Some(1) && stable < 120) {
            if Instant::now() > deadline {
                bail!("the search index was not built within 15 minutes");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
            let d = self
                .gql("{ search(query: \"\") { totalCount } }", json!({}))
                .await?;
            let n = d["search"]["totalCount"].as_i64().unwrap_or(0);
            if n > 0 && n == last {
                stable += 1;
            } else {
                stable = 0;
            }
            last = n;
        }
        eprintln!(
            "search index ready: {last} documents in {} segment(s)",
            segments().map_or("?".to_owned(), |n| n.to_string())
        );
        Ok(())
    }

    async fn gql(&self, query: &str, variables: Value) -> Result<Value> {
        self.gql_as(&self.token, query, variables).await
    }

    /// A token of the server's local signing key for `user` in `teams`.
    fn token_as(&self, dir: &Path, user: &str, teams: &[&str]) -> Result<String> {
        let users = lakecat_server::local_users::LocalUsers::open(
            dir,
            &lakecat_server::config::admin_group_from_env(),
        )
        .map_err(|e| anyhow!(e))?;
        let teams: Vec<String> = teams.iter().map(|t| (*t).to_owned()).collect();
        users.token_for(user, &teams).map_err(|e| anyhow!(e))
    }

    async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Result<Value> {
        let resp = self
            .client
            .post(format!("{}/graphql", self.base))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        if !status.is_success() || body.get("errors").is_some() {
            bail!("HTTP {status}: {body}");
        }
        Ok(body["data"].clone())
    }
}

/// Peak resident set size of a process, in MB.
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

struct Target {
    dataset_ids: Vec<String>,
    deep_cursors: Vec<String>,
    column_cursors: Vec<String>,
    wide_table: String,
    environment: String,
    /// Datasets `seed_scale` generated: dataset `i`'s table is `{a}_{b}_{i}` (`demo.rs`).
    seeded: u64,
}

const LIST_DATASETS: &str = "query($after: String) { datasets(first: 50, after: $after) { edges { cursor node { id label ownerTeam { name } tableCount upvotes } } pageInfo { hasNextPage endCursor } } }";

impl Target {
    /// Walks the dataset list and the wide table's columns once through the API, keeping
    /// ids and cursors for the scenarios.
    async fn prepare(
        server: &Server,
        store: &SeaStore,
        scale: &ScaleCatalog,
        seeded: u64,
    ) -> Result<Target> {
        eprintln!("collecting ids and cursors");
        let mut dataset_ids = Vec::new();
        let mut cursors = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let d = server.gql("query($after: String) { datasets(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }", json!({ "after": after })).await?;
            for e in d["datasets"]["edges"].as_array().into_iter().flatten() {
                if let Some(id) = e["node"]["id"].as_str() {
                    dataset_ids.push(id.to_owned());
                }
            }
            after = d["datasets"]["pageInfo"]["endCursor"]
                .as_str()
                .map(str::to_owned);
            if let Some(c) = &after {
                cursors.push(c.clone());
            }
            if d["datasets"]["pageInfo"]["hasNextPage"] != true {
                break;
            }
        }
        // Deep pages: cursors from the second half of the list.
        let deep_cursors: Vec<String> = cursors.iter().skip(cursors.len() / 2).cloned().collect();
        let tables = store
            .list_tables(&scale.wide_dataset.id, &PageRequest::first(1))
            .await
            .map_err(|e| anyhow!(e.message))?;
        let wide_table = tables
            .items
            .first()
            .map(|(_, t)| t.id.to_string())
            .ok_or_else(|| anyhow!("the wide table is missing; reseed"))?;
        let mut column_cursors = vec![];
        let mut after: Option<String> = None;
        loop {
            let d = server.gql("query($t: String!, $after: String) { columns(tableId: $t, first: 100, after: $after) { pageInfo { hasNextPage endCursor } } }", json!({ "t": wide_table, "after": after })).await?;
            after = d["columns"]["pageInfo"]["endCursor"]
                .as_str()
                .map(str::to_owned);
            if let Some(c) = &after {
                column_cursors.push(c.clone());
            }
            if d["columns"]["pageInfo"]["hasNextPage"] != true {
                break;
            }
        }
        if dataset_ids.is_empty() || deep_cursors.is_empty() || column_cursors.is_empty() {
            bail!("the catalog is too small to benchmark: seed at least 200 datasets");
        }
        Ok(Target {
            dataset_ids,
            deep_cursors,
            column_cursors,
            wide_table,
            environment: scale.environment.id.to_string(),
            seeded,
        })
    }
}

async fn drive(
    scenario: &str,
    server: &Server,
    target: &Arc<Target>,
    clients: usize,
    rate: Option<f64>,
    duration: Duration,
) -> Result<Outcome> {
    let requests = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let seq = Arc::new(AtomicU64::new(0));
    let run_id = ulid::Ulid::new().to_string().to_lowercase();
    // The first seconds warm up the connection pool and caches; they are run, not recorded.
    let warmup = Duration::from_secs(2);
    let start = Instant::now();
    let measured_from = start + warmup;
    let deadline = measured_from + duration;
    let mut workers = Vec::new();
    // Open loop: each client sends every `clients / rate` seconds, clients staggered.
    let interval = rate
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(clients as f64 / r));
    for n in 0..clients {
        let mut conn = conn::Conn::new(server.addr, "/graphql", &server.token);
        let scenario = scenario.to_owned();
        let (target, run_id) = (target.clone(), run_id.clone());
        let (requests, errors, seq) = (requests.clone(), errors.clone(), seq.clone());
        workers.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new(3).map_err(|e| anyhow!("{e}"))?;
            let mut rng = rand::rngs::StdRng::from_entropy();
            let mut next = start + interval.map(|i| i.mul_f64(n as f64 / clients as f64)).unwrap_or_default();
            while Instant::now() < deadline {
                let scheduled = match interval {
                    Some(i) => {
                        let at = next;
                        next += i;
                        if at >= deadline {
                            break;
                        }
                        tokio::time::sleep_until(at.into()).await;
                        at
                    }
                    None => Instant::now(),
                };
                let (query, vars) = match scenario.as_str() {
                    "get-dataset" => (
                        "query($id: String!) { dataset(id: $id) { id label description ownerTeam { name } tags confidentiality stackStatus } }",
                        json!({ "id": target.dataset_ids.choose(&mut rng) }),
                    ),
                    "list-datasets-first" => (LIST_DATASETS, json!({ "after": null })),
                    "list-datasets-deep" => (LIST_DATASETS, json!({ "after": target.deep_cursors.choose(&mut rng) })),
                    "list-columns" => (
                        "query($t: String!, $after: String) { columns(tableId: $t, first: 100, after: $after) { nodes { id name type position description } pageInfo { hasNextPage endCursor } } }",
                        json!({ "t": target.wide_table, "after": target.column_cursors.choose(&mut rng) }),
                    ),
                    "search" => {
                        use lakecat_cli::demo::{WORDS_A, WORDS_B};
                        let (a, b) = (WORDS_A.choose(&mut rng).copied().unwrap_or("sales"), WORDS_B.choose(&mut rng).copied().unwrap_or("orders"));
                        // An exact table name (one that exists: dataset i's words are fixed by
                        // i), words of names, a word of descriptions.
                        let i = rng.gen_range(0..target.seeded.max(1)) as usize;
                        let q = match rng.gen_range(0..3) {
                            0 => format!("{}_{}_{i}", WORDS_A[i % WORDS_A.len()], WORDS_B[(i / WORDS_A.len()) % WORDS_B.len()]),
                            1 => format!("{a} {b}"),
                            _ => format!("{b} partition"),
                        };
                        (
                            "query($q: String!) { search(query: $q, first: 20) { totalCount hits { kind id name label snippet } facets { facet values { value count } } } }",
                            json!({ "q": q }),
                        )
                    }
                    "suggest" => {
                        use lakecat_cli::demo::{WORDS_A, WORDS_B};
                        let (a, b) = (WORDS_A.choose(&mut rng).copied().unwrap_or("sales"), WORDS_B.choose(&mut rng).copied().unwrap_or("orders"));
                        let p = format!("{a}_{}", &b[..b.len().min(3)]);
                        ("query($p: String!) { suggest(prefix: $p, first: 10) { kind id text } }", json!({ "p": p }))
                    }
                    "create-dataset" => {
                        let n = seq.fetch_add(1, Ordering::Relaxed);
                        (
                            "mutation($env: String!, $slug: String!) { createDataset(input: {environmentId: $env, label: \"Bench dataset\", slug: $slug, ownerTeam: \"bench-team\"}) { id version } }",
                            json!({ "env": target.environment, "slug": format!("b{}-{n}", &run_id[16..]) }),
                        )
                    }
                    other => return Err(anyhow!("unknown scenario {other}")),
                };
                let body = serde_json::to_vec(&json!({ "query": query, "variables": vars }))?;
                let ok = match conn.post(&body).await {
                    Ok(r) if (200..300).contains(&r.status) => !contains(r.body, b"\"errors\""),
                    _ => false,
                };
                if scheduled < measured_from {
                    continue;
                }
                hist.record(scheduled.elapsed().as_micros() as u64).map_err(|e| anyhow!("{e}"))?;
                requests.fetch_add(1, Ordering::Relaxed);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok::<_, anyhow::Error>(hist)
        }));
    }
    let mut hist = Histogram::<u64>::new(3).map_err(|e| anyhow!("{e}"))?;
    for w in workers {
        hist.add(w.await??).map_err(|e| anyhow!("{e}"))?;
    }
    Ok(Outcome {
        scenario: scenario.to_owned(),
        requests: requests.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        rps: Some(requests.load(Ordering::Relaxed) as f64 / measured_from.elapsed().as_secs_f64()),
        hist,
        rss_mb: server.pid().and_then(peak_rss_mb),
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Time from exec of `lakecat-api` to its first `GET /runtime/invocation/next`, against a
/// minimal Lambda runtime API on loopback.
async fn lambda_init(url: &str, runs: usize) -> Result<Outcome> {
    let exe = lambda_binary()?;
    let mut hist = Histogram::<u64>::new(3).map_err(|e| anyhow!("{e}"))?;
    let mut rss = 0f64;
    for _ in 0..runs {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let started = Instant::now();
        let mut child = tokio::process::Command::new(&exe)
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "lakecat-api")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
            .env("LAKECAT_AUTH_MODE", "cognito")
            .env("LAKECAT_COGNITO_USER_POOL_ID", "eu-west-1_bench")
            .env("LAKECAT_COGNITO_REGION", "eu-west-1")
            .env("LAKECAT_AUDIENCES", "bench-client")
            .env(
                "LAKECAT_CURSOR_KEY",
                "bench-cursor-key-of-at-least-32-characters",
            )
            .env("LAKECAT_DATABASE_URL", url)
            // The API refuses to start without search. Nothing listens on port 9 of loopback:
            // the index check at init is refused at once and logged, as with an unreachable
            // cluster, and the start goes on.
            .env("OPENSEARCH_URL", "http://127.0.0.1:9")
            .env("LAKECAT_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", exe.display()))?;
        let pid = child.id();
        let accepted = tokio::time::timeout(Duration::from_secs(10), listener.accept()).await;
        let elapsed = started.elapsed();
        let (mut sock, _) = accepted
            .map_err(|_| anyhow!("lakecat-api did not call the runtime API within 10 s"))??;
        // Read the request line to be sure it asks for the next invocation.
        let mut buf = vec![0u8; 256];
        let n = tokio::io::AsyncReadExt::read(&mut sock, &mut buf).await?;
        if !String::from_utf8_lossy(&buf[..n]).contains("/runtime/invocation/next") {
            bail!(
                "unexpected first runtime API call: {}",
                String::from_utf8_lossy(&buf[..n])
            );
        }
        hist.record(elapsed.as_micros() as u64)
            .map_err(|e| anyhow!("{e}"))?;
        if let Some(r) = pid.and_then(peak_rss_mb) {
            rss = rss.max(r);
        }
        let _ = child.kill().await;
    }
    Ok(Outcome {
        scenario: "lambda-init".into(),
        requests: runs as u64,
        errors: 0,
        rps: None,
        hist,
        rss_mb: Some(rss),
    })
}

fn lambda_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let candidate = exe.with_file_name("lakecat-api");
    if candidate.exists() {
        Ok(candidate)
    } else {
        Err(anyhow!(
            "{} not found: build it with `cargo build --release -p lakecat-lambda-api`",
            candidate.display()
        ))
    }
}

/// No-op tasks through the PostgreSQL outbox and the worker, as fast as they go: batches of
/// 100 rows are written (one transaction each) and published to the in-process queue; the
/// worker claims, runs and records each. Throughput counts tasks that reached SUCCEEDED;
/// latency is each task's created → succeeded time (it includes queueing at saturation).
async fn task_throughput(url: &str, duration: Duration) -> Result<Outcome> {
    use lakecat_core::tasks::{NewTask, RetryPolicy, TaskQueue, TaskStore};
    use lakecat_worker::{InProcessQueue, NOOP_KIND, NoopHandler, Worker};

    let mut config = StoreConfig::new(url.to_owned());
    config.max_connections = 32;
    let store = SeaStore::open(&config)
        .await
        .map_err(|e| anyhow!(e.message))?;
    let (queue, rx) = InProcessQueue::new();
    let worker = Arc::new(
        Worker::new(
            Arc::new(store.clone()),
            Arc::new(queue.clone()),
            RetryPolicy::default(),
        )
        .with_handler(Arc::new(NoopHandler)),
    );
    tokio::spawn(worker.run(rx, 16));
    let start = Instant::now();
    let mut ids = Vec::new();
    while start.elapsed() < duration {
        let batch: Vec<NewTask> = (0..100)
            .map(|_| NewTask::new(NOOP_KIND, None, json!({ "v": 1 })))
            .collect();
        store
            .enqueue(&batch)
            .await
            .map_err(|e| anyhow!(e.message))?;
        let envelopes: Vec<_> = batch.iter().map(NewTask::envelope).collect();
        queue
            .publish(&envelopes, Duration::ZERO)
            .await
            .map_err(|e| anyhow!(e.message))?;
        ids.extend(batch.iter().map(|t| t.id.to_string()));
        // Keep the backlog bounded so the figure is the worker's pace, not the producer's.
        while ids.len() > 2_000
            && pending(&store, &ids[ids.len() - 2_000..ids.len() - 1_900]).await? > 0
        {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }
    let drain = Instant::now() + Duration::from_secs(60);
    while pending(&store, &ids[ids.len().saturating_sub(100)..]).await? > 0 {
        if Instant::now() > drain {
            bail!("the worker did not drain its queue within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut hist = Histogram::<u64>::new(3).map_err(|e| anyhow!("{e}"))?;
    let mut errors = 0;
    for chunk in ids.chunks(1_000) {
        for t in store
            .tasks_by_ids(chunk)
            .await
            .map_err(|e| anyhow!(e.message))?
        {
            if t.status == lakecat_core::catalog::TaskStatus::Succeeded {
                let us = (t.updated_at - t.created_at)
                    .num_microseconds()
                    .unwrap_or(0)
                    .max(0);
                hist.record(us as u64).map_err(|e| anyhow!("{e}"))?;
            } else {
                errors += 1;
            }
        }
    }
    Ok(Outcome {
        scenario: "task-throughput".into(),
        requests: ids.len() as u64,
        errors,
        rps: Some(hist.len() as f64 / elapsed),
        hist,
        rss_mb: peak_rss_mb(std::process::id()),
    })
}

/// How many of `ids` are not finished yet.
async fn pending(store: &SeaStore, ids: &[String]) -> Result<usize> {
    use lakecat_core::tasks::TaskStore;
    Ok(store
        .tasks_by_ids(ids)
        .await
        .map_err(|e| anyhow!(e.message))?
        .iter()
        .filter(|t| !t.status.is_finished())
        .count())
}

/// `share-approve`: `lakecat serve` with `LAKECAT_LAKE=aws` against moto server; per run a
/// consumer team in another account asks for a table, a folder and the whole bucket of one
/// dataset, and the time is taken from the approve mutation until every item is
/// Share_Succeeded (the in-process worker assuming pivot roles and granting on Lake
/// Formation, S3 access points, the bucket and key policies).
async fn share_approve(url: &str, store: &SeaStore, runs: usize) -> Result<Outcome> {
    use lakecat_core::shares::{ItemStatus, ShareStatus, ShareStore};

    let moto = lakecat_testkit::moto::start().map_err(|e| anyhow!(e))?;
    let dir = tempfile::tempdir()?;
    let server = Server::start(
        url,
        dir.path(),
        &[
            ("LAKECAT_LAKE", "aws"),
            ("LAKECAT_AWS_ENDPOINT", &moto.endpoint),
            ("LAKECAT_AWS_REGION", "eu-west-1"),
        ],
    )
    .await?;
    let admin = server.token_as(dir.path(), "bench-admin", &["lakecat-admins"])?;
    let owner = server.token_as(dir.path(), "bench-owner", &["share-owners"])?;
    // Fresh accounts per run of the benchmark: environments are unique per account/region.
    let n: u64 = rand::random::<u64>() % 899_999_999_999 + 100_000_000_000;
    let (source_account, consumer_account) = (n.to_string(), (n + 1).to_string());
    let gql = |token: String, q: String| {
        let server = &server;
        async move { server.gql_as(&token, &q, json!({})).await }
    };
    gql(admin.clone(), r#"mutation { setTeamTenantPermissions(input: {team: "share-owners", permissions: ["MANAGE_DATASETS"]}) }"#.into()).await?;
    let org = gql(admin.clone(), r#"mutation { createOrganization(input: {label: "Share bench", adminTeam: "share-owners"}) { id } }"#.into()).await?;
    let org = org["createOrganization"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut envs = vec![];
    for account in [&source_account, &consumer_account] {
        let e = gql(admin.clone(), format!(r#"mutation {{ createEnvironment(input: {{organizationId: "{org}", label: "Bench {account}", accountId: "{account}", region: "eu-west-1", ownerTeam: "share-owners"}}) {{ id }} }}"#)).await?;
        envs.push(
            e["createEnvironment"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let ds = gql(owner.clone(), format!(r#"mutation {{ createDataset(input: {{environmentId: "{}", label: "Share bench {n}", ownerTeam: "share-owners"}}) {{ id aws {{ bucket glueDatabase kmsAlias }} }} }}"#, envs[0])).await?;
    let ds = &ds["createDataset"];
    let ds_id = ds["id"].as_str().unwrap_or_default().to_owned();
    let (bucket, db) = (
        ds["aws"]["bucket"].as_str().unwrap_or_default().to_owned(),
        ds["aws"]["glueDatabase"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    );
    let alias = ds["aws"]["kmsAlias"].as_str().map(str::to_owned);
    let dataset_id =
        lakecat_core::ids::DatasetId::parse("id", &ds_id).map_err(|e| anyhow!(e.message))?;
    let table = lakecat_core::catalog::DiscoveredTable {
        glue_name: lakecat_core::names::GlueName::parse("n", "orders")
            .map_err(|e| anyhow!(e.message))?,
        location: format!("s3://{bucket}/orders/"),
        format: "parquet".into(),
        properties: json!({}),
        description: None,
        columns: vec![],
    };
    let meta = lakecat_core::caller::MutationMeta {
        actor: "bench".into(),
        action: "sync".into(),
        request_id: "bench".into(),
    };
    store
        .record_discovered_tables(&meta, &dataset_id, &[table])
        .await
        .map_err(|e| anyhow!(e.message))?;
    let tables = store
        .list_tables(
            &dataset_id,
            &PageRequest {
                first: 1,
                after: None,
            },
        )
        .await
        .map_err(|e| anyhow!(e.message))?;
    let table_id = tables
        .items
        .first()
        .map(|(_, t)| t.id.to_string())
        .ok_or_else(|| anyhow!("no table"))?;
    let f = gql(owner.clone(), format!(r#"mutation {{ createFolder(input: {{datasetId: "{ds_id}", label: "Exports", prefix: "exports/"}}) {{ id }} }}"#)).await?;
    let folder_id = f["createFolder"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let base = lakecat_aws::AwsConfig {
        region: Some("eu-west-1".into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;
    lakecat_aws::emulator::EmulatedDataset {
        account_id: &source_account,
        region: "eu-west-1",
        bucket: &bucket,
        glue_database: &db,
        tables: &["orders"],
        kms_alias: alias.as_deref(),
    }
    .create(&base)
    .await
    .map_err(|e| anyhow!(e.message))?;

    let mut hist = Histogram::<u64>::new(3).map_err(|e| anyhow!("{e}"))?;
    let mut errors = 0;
    for i in 0..runs {
        let team = format!("share-consumers-{i}");
        gql(admin.clone(), format!(r#"mutation {{ inviteTeamToEnvironment(input: {{environmentId: "{}", team: "{team}"}}) {{ team }} }}"#, envs[1])).await?;
        let consumer = server.token_as(dir.path(), &format!("bench-consumer-{i}"), &[&team])?;
        let s = gql(consumer.clone(), format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{ds_id}", environmentId: "{}", teamName: "{team}"}}) {{ id }} }}"#, envs[1])).await?;
        let id = s["createShareRequest"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        for item in [
            format!(r#"itemType: TABLE, itemId: "{table_id}""#),
            format!(r#"itemType: FOLDER, itemId: "{folder_id}""#),
            "itemType: BUCKET".to_owned(),
        ] {
            gql(
                consumer.clone(),
                format!(
                    r#"mutation {{ addShareItem(input: {{shareId: "{id}", {item}}}) {{ id }} }}"#
                ),
            )
            .await?;
        }
        gql(
            consumer.clone(),
            format!(r#"mutation {{ submitShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await?;
        let t0 = Instant::now();
        gql(
            owner.clone(),
            format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await?;
        loop {
            let share = store
                .share_requests_by_ids(std::slice::from_ref(&id))
                .await
                .map_err(|e| anyhow!(e.message))?;
            if share
                .first()
                .is_some_and(|s| s.status == ShareStatus::Processed)
            {
                break;
            }
            if t0.elapsed() > Duration::from_secs(60) {
                bail!("share {id} was not processed within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let elapsed = t0.elapsed();
        let items = store
            .share_items(std::slice::from_ref(&id))
            .await
            .map_err(|e| anyhow!(e.message))?;
        if items.len() == 3 && items.iter().all(|i| i.status == ItemStatus::ShareSucceeded) {
            hist.record(elapsed.as_micros() as u64)
                .map_err(|e| anyhow!("{e}"))?;
        } else {
            errors += 1;
            eprintln!(
                "share {id}: {:?}",
                items
                    .iter()
                    .map(|i| (i.status, i.error.clone()))
                    .collect::<Vec<_>>()
            );
        }
    }
    let rss = server.pid().and_then(peak_rss_mb);
    Ok(Outcome {
        scenario: "share-approve".into(),
        requests: runs as u64,
        errors,
        // Approvals run one after another, each preceded by its request's set-up.
        rps: None,
        hist,
        rss_mb: rss,
    })
}

/// `index-build`: rebuilds a fresh tantivy index (in a temporary directory) from the seeded
/// catalog as `lakecat reindex` does; documents/s until every document is searchable, and
/// the latency of one page of 100 datasets (documents read from PostgreSQL, swapped in one
/// commit). The compaction that follows is timed on its own.
async fn index_build(store: &SeaStore) -> Result<Outcome> {
    let dir = tempfile::tempdir()?;
    let index = lakecat_search::TantivyIndex::open(dir.path()).map_err(|e| anyhow!(e.message))?;
    let mut hist = Histogram::<u64>::new(3).map_err(|e| anyhow!("{e}"))?;
    let start = Instant::now();
    let mut last = Instant::now();
    let mut record_err = None;
    let (datasets, documents) = lakecat_worker::reindex(store, &index, |d, n| {
        if let Err(e) = hist.record(last.elapsed().as_micros() as u64) {
            record_err = Some(e.to_string());
        }
        last = Instant::now();
        if d % 10_000 == 0 {
            eprintln!("  {d} datasets, {n} documents");
        }
    })
    .await
    .map_err(|e| anyhow!(e.message))?;
    if let Some(e) = record_err {
        bail!("{e}");
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!("index-build: {datasets} datasets, {documents} documents in {secs:.1} s");
    // Not part of the figure: the documents are searchable before it. Peak RSS includes it.
    let (segments, compacting) = (index.segments(), Instant::now());
    lakecat_core::search::SearchIndex::compact(&index)
        .await
        .map_err(|e| anyhow!(e.message))?;
    eprintln!(
        "index-build: then compacted from {segments} segments into {} in {:.1} s",
        index.segments(),
        compacting.elapsed().as_secs_f64()
    );
    Ok(Outcome {
        scenario: "index-build".into(),
        requests: datasets,
        errors: 0,
        rps: Some(documents as f64 / secs),
        hist,
        rss_mb: peak_rss_mb(std::process::id()),
    })
}
