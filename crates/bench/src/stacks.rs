//! The stack scenarios. `stack-render` renders the dataset stack templates of 1,000 datasets
//! in-process, as the stack service does before each deploy. `stack-deploy` runs the
//! `lakecat-stack-service` binary (built beside this one) against moto server and a private
//! PostgreSQL database: a dataset stack deploy per dataset plus the environment's access
//! check go through its SQS queue, and its memory is read from `/proc` while it deploys.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;
use hdrhistogram::Histogram;
use lakecat_core::catalog::{
    Confidentiality, EnvironmentType, NewDataset, NewEnvironment, TaskStatus, Topic, Visibility,
};
use lakecat_core::ids::OrganizationId;
use lakecat_core::names::{AwsAccountId, AwsRegion, Description, Label, Slug, Tag, TeamName};
use lakecat_core::page::PageRequest;
use lakecat_core::stacks::{STACK_CHECK_KIND, STACK_DEPLOY_KIND, StackSubject};
use lakecat_core::tasks::{TaskEnvelope, TaskQueue, TaskStore};
use lakecat_store::{SeaStore, StoreConfig};

use crate::Outcome;

/// Rendering passes over all the datasets after the warm-up one; the median pass is reported.
const RENDER_PASSES: usize = 5;

const REGION: &str = "eu-west-1";

fn e(err: lakecat_core::Error) -> anyhow::Error {
    anyhow!(err.message)
}

/// One environment and `n` datasets in it, built as the catalog builds them (no store).
fn subjects(n: usize) -> Result<Vec<StackSubject>> {
    let now = Utc::now();
    let (environment, _) = NewEnvironment {
        organization_id: OrganizationId::generate(),
        label: Label::parse("label", "Render bench").map_err(e)?,
        description: Description::parse("description", "").map_err(e)?,
        tags: vec![],
        account_id: AwsAccountId::parse("account", "111122223333").map_err(e)?,
        region: AwsRegion::parse("region", REGION).map_err(e)?,
        owner_team: TeamName::parse("team", "platform").map_err(e)?,
        env_type: EnvironmentType::Data,
        resource_prefix: Slug::parse("prefix", "lakecat").map_err(e)?,
        pivot_role_name: "lakecat-pivot-role".into(),
    }
    .build("bench", now);
    (0..n)
        .map(|i| {
            let (dataset, _) = NewDataset {
                environment_id: environment.id.clone(),
                label: Label::parse("label", &format!("Render bench {i}")).map_err(e)?,
                slug: Slug::parse("slug", &format!("render-bench-{i:04}")).map_err(e)?,
                description: Description::parse("description", "Orders of the web shop.")
                    .map_err(e)?,
                owner_team: TeamName::parse("team", &format!("team-{}", i % 20)).map_err(e)?,
                stewards_team: Some(TeamName::parse("team", "stewards").map_err(e)?),
                confidentiality: if i % 3 == 0 {
                    Confidentiality::Official
                } else {
                    Confidentiality::Unclassified
                },
                topics: vec![Topic::Sales],
                tags: vec![Tag::parse("tag", "orders").map_err(e)?],
                auto_approval: false,
                visibility: Visibility::Organization,
                imported: None,
            }
            .build(&environment, "bench", now)
            .map_err(e)?;
            Ok(StackSubject::Dataset {
                environment: environment.clone(),
                dataset,
            })
        })
        .collect()
}

/// Renders every dataset's stack template (to the JSON sent to CloudFormation), one warm-up
/// pass then [`RENDER_PASSES`]; latency per template, and the median pass's total on stderr.
pub(crate) fn stack_render(datasets: usize, json: bool) -> Result<Outcome> {
    let subjects = subjects(datasets)?;
    let render = |s: &StackSubject| -> Result<usize> {
        Ok(lakecat_cfn::subject_template(s)
            .map_err(|err| anyhow!("template of {}: {err}", s.stack_name()))?
            .to_json()
            .len())
    };
    let mut bytes = 0;
    for s in &subjects {
        bytes += render(s)?;
    }
    let mut hist = Histogram::<u64>::new(3)?;
    let mut passes = Vec::with_capacity(RENDER_PASSES);
    for _ in 0..RENDER_PASSES {
        let pass = Instant::now();
        for s in &subjects {
            let t = Instant::now();
            render(s)?;
            hist.record(t.elapsed().as_micros() as u64)?;
        }
        passes.push(pass.elapsed());
    }
    passes.sort();
    let median = passes[RENDER_PASSES / 2];
    if !json {
        eprintln!(
            "stack-render: {datasets} dataset templates ({:.1} KB on average) in {:.0} ms (median of {RENDER_PASSES} passes; fastest {:.0} ms, slowest {:.0} ms)",
            bytes as f64 / datasets.max(1) as f64 / 1024.0,
            median.as_secs_f64() * 1000.0,
            passes[0].as_secs_f64() * 1000.0,
            passes[RENDER_PASSES - 1].as_secs_f64() * 1000.0,
        );
    }
    Ok(Outcome {
        scenario: "stack-render".into(),
        requests: (datasets * RENDER_PASSES) as u64,
        errors: 0,
        rps: Some(datasets as f64 / median.as_secs_f64()),
        hist,
        rss_mb: None,
    })
}

/// Where the bench finds moto's CloudFormation corrections: the source tree it was built from.
fn moto_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../aws/tests/moto/cloudformation_fixes.py")
}

/// The stack service binary built beside this one.
fn stack_service_binary() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let bin = exe
        .parent()
        .map(|d| d.join("lakecat-stack-service"))
        .ok_or_else(|| anyhow!("no directory for {}", exe.display()))?;
    if !bin.is_file() {
        bail!(
            "{} is missing: build it with `cargo build --release -p lakecat-stack-service`",
            bin.display()
        );
    }
    Ok(bin)
}

/// Resident and peak resident set size of a process, in MB.
fn rss_mb(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// Deploys `stacks` dataset stacks through the stack service binary against moto server:
/// latency from publish to the task's outcome, deploys/s, and the service's peak RSS.
pub(crate) async fn stack_deploy(stacks: usize, json: bool) -> Result<Outcome> {
    let bin = stack_service_binary()?;
    let moto = lakecat_testkit::moto::start_script(&moto_script()).map_err(|err| anyhow!(err))?;
    let aws = lakecat_aws::AwsConfig {
        region: Some(REGION.into()),
        endpoint: Some(moto.endpoint.clone()),
    };
    let sdk = aws.load().await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut urls = vec![];
    for name in [
        "lakecat-bench-tasks",
        "lakecat-bench-dlq",
        "lakecat-bench-stacks",
    ] {
        let q = sqs.create_queue().queue_name(name).send().await?;
        urls.push(q.queue_url().unwrap_or_default().to_owned());
    }
    let [tasks_url, dlq_url, stack_url] = [&urls[0], &urls[1], &urls[2]];

    // A fresh database per run (on the bench's PostgreSQL cluster): the stack rows start
    // PENDING and nothing else competes.
    let url = tokio::task::spawn_blocking(lakecat_testkit::pg::empty_database_url)
        .await?
        .map_err(|err| anyhow!(err))?;
    let store = SeaStore::open(&StoreConfig::new(url.clone()))
        .await
        .map_err(e)?;
    let org = lakecat_cli::demo::create_org(&store, "Stack bench", "", "bench-platform").await?;
    let account = format!("{}", 100_000_000_000u64 + u64::from(rand::random::<u32>()));
    let env = lakecat_cli::demo::create_env(
        &store,
        &org,
        "Stack bench",
        &account,
        REGION,
        "bench-platform",
    )
    .await?;
    let mut targets = vec![env.id.to_string()];
    for i in 0..stacks {
        let ds = lakecat_cli::demo::create_dataset(
            &store,
            &env,
            &format!("stack-bench-{i:03}"),
            &format!("Stack bench {i}"),
            "A dataset deployed by the stack bench.",
            "bench-platform",
            None,
            &[Topic::Sales],
            &["bench"],
        )
        .await?;
        targets.push(ds.id.to_string());
    }
    // The environment's access check and every dataset's deploy. The environment's own
    // deploy stays unpublished: moto accepts its Athena workgroup without creating it, so
    // that stack cannot complete there (docs/stacks.md).
    let mut envelopes = vec![];
    for target in &targets {
        let page = store
            .list_tasks(target, &PageRequest::first(20))
            .await
            .map_err(e)?;
        for (_, t) in page.items {
            let wanted = if target == env.id.as_str() {
                t.kind == STACK_CHECK_KIND
            } else {
                t.kind == STACK_DEPLOY_KIND
            };
            if wanted && t.status == TaskStatus::Pending {
                envelopes.push(TaskEnvelope::new(&t.id, &t.kind));
            }
        }
    }
    if envelopes.len() != stacks + 1 {
        bail!(
            "expected {} stack tasks, found {}",
            stacks + 1,
            envelopes.len()
        );
    }

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut child = tokio::process::Command::new(&bin)
        .env("LAKECAT_DATABASE_URL", &url)
        .env("LAKECAT_TASK_QUEUE_URL", tasks_url)
        .env("LAKECAT_TASK_DLQ_URL", dlq_url)
        .env("LAKECAT_STACK_QUEUE_URL", stack_url)
        .env("LAKECAT_AWS_ENDPOINT", &moto.endpoint)
        .env("LAKECAT_AWS_REGION", REGION)
        .env("LAKECAT_LISTEN", format!("127.0.0.1:{port}"))
        .env("LAKECAT_LOG", "warn")
        .env("AWS_ACCESS_KEY_ID", "bench")
        .env("AWS_SECRET_ACCESS_KEY", "bench")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", bin.display()))?;
    let pid = child
        .id()
        .ok_or_else(|| anyhow!("the stack service exited"))?;
    // Idle first: what the service holds before any work.
    let started = Instant::now();
    while lakecat_stack_service_ready(port).await.is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            bail!("the stack service did not answer /healthz within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let idle = rss_mb(pid).map(|(rss, _)| rss);

    let queue = lakecat_aws::SqsQueue::new(&sdk, tasks_url.clone(), dlq_url.clone())
        .with_stack_queue(Some(stack_url.clone()));
    let published = Instant::now();
    queue.publish(&envelopes, Duration::ZERO).await.map_err(e)?;
    let ids: Vec<String> = envelopes.iter().map(|v| v.task_id.clone()).collect();
    let mut hist = Histogram::<u64>::new(3)?;
    let mut samples = vec![];
    let (mut done, mut failed) = (std::collections::HashSet::new(), 0u64);
    let deadline = Instant::now() + Duration::from_secs(600);
    while done.len() < ids.len() {
        if Instant::now() > deadline {
            bail!(
                "{} of {} stack tasks finished in 10 minutes",
                done.len(),
                ids.len()
            );
        }
        if let Ok(Some(status)) = child.try_wait() {
            bail!("the stack service exited while deploying: {status}");
        }
        if let Some((rss, _)) = rss_mb(pid) {
            samples.push(rss);
        }
        for t in store.tasks_by_ids(&ids).await.map_err(e)? {
            if t.status.is_finished() && done.insert(t.id.to_string()) {
                hist.record(published.elapsed().as_micros() as u64)?;
                if t.status == TaskStatus::Failed {
                    failed += 1;
                    eprintln!(
                        "stack-deploy: {} {} failed: {}",
                        t.kind,
                        t.target_id.as_deref().unwrap_or("?"),
                        t.error.as_deref().unwrap_or("no error recorded")
                    );
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = published.elapsed();
    let peak = rss_mb(pid).map(|(_, hwm)| hwm);
    let _ = child.start_kill();
    let _ = child.wait().await;
    samples.sort_by(f64::total_cmp);
    if !json {
        eprintln!(
            "stack-deploy: {stacks} dataset stacks and one access check in {:.1} s; stack service RSS idle {} MB, median while deploying {} MB, peak {} MB",
            elapsed.as_secs_f64(),
            idle.map(|r| format!("{r:.1}"))
                .unwrap_or_else(|| "-".into()),
            samples
                .get(samples.len() / 2)
                .map(|r| format!("{r:.1}"))
                .unwrap_or_else(|| "-".into()),
            peak.map(|r| format!("{r:.1}"))
                .unwrap_or_else(|| "-".into()),
        );
    }
    drop(moto);
    Ok(Outcome {
        scenario: "stack-deploy".into(),
        requests: ids.len() as u64,
        errors: failed,
        rps: Some(ids.len() as f64 / elapsed.as_secs_f64()),
        hist,
        rss_mb: peak,
    })
}

/// `GET /healthz` of the stack service.
async fn lakecat_stack_service_ready(port: u16) -> Result<()> {
    let r = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await?;
    if r.status().is_success() {
        Ok(())
    } else {
        bail!("healthz: {}", r.status())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_render_subject_renders() {
        let o = stack_render(3, true).unwrap();
        assert_eq!(o.requests, 3 * RENDER_PASSES as u64);
        assert_eq!(o.hist.len(), 3 * RENDER_PASSES as u64);
    }
}
