//! The worker Lambda's settings: fewer than the server's, every one required.

use crate::{AwsSettings, OpenSearchConfig, TaskQueueUrls, Vars};

/// Why the worker refuses to start without OpenSearch.
pub const SEARCH_REQUIRED: &str = "OPENSEARCH_URL is required: the API writes search.index \
    tasks that this worker must run (without a handler each would fail and land in the DLQ); \
    set it, with OPENSEARCH_AUTH and friends, to the same OpenSearch as the API Lambda's";

/// What the worker Lambda needs, read and checked before anything connects. Every part is
/// required: a worker missing one would dead-letter the tasks it cannot run.
pub struct WorkerSettings {
    pub database_url: String,
    pub queue_url: String,
    pub dlq_url: String,
    /// Where `stack.*` tasks go (`LAKECAT_STACK_QUEUE_URL`): retries and the sweep's
    /// republishing must reach the stack service, not this worker.
    pub stack_queue_url: Option<String>,
    /// An AWS API emulator (`LAKECAT_AWS_ENDPOINT`), instead of AWS.
    pub aws_endpoint: Option<String>,
    /// The ExternalId presented to environments' pivot roles when reading their Glue
    /// databases (`LAKECAT_PIVOT_EXTERNAL_ID`); without one, each environment's id.
    pub external_id: Option<String>,
    /// How often every dataset's tables are synced in full (`LAKECAT_TABLE_SYNC_HOURS`,
    /// 24 by default), catching what Glue's events missed.
    pub table_sync_every: std::time::Duration,
    pub search: OpenSearchConfig,
}

impl WorkerSettings {
    /// From `LAKECAT_DATABASE_URL`, `LAKECAT_TASK_QUEUE_URL`, `LAKECAT_TASK_DLQ_URL`,
    /// `LAKECAT_STACK_QUEUE_URL`, `LAKECAT_AWS_ENDPOINT`, `LAKECAT_PIVOT_EXTERNAL_ID` and the
    /// `OPENSEARCH_*` variables,
    /// looked up through `var` (the process environment in the Lambda, a map in tests).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<WorkerSettings, String> {
        let env = Vars::new(var);
        let database_url = env
            .var("LAKECAT_DATABASE_URL")
            .ok_or("LAKECAT_DATABASE_URL is required")?;
        let TaskQueueUrls {
            queue_url,
            dlq_url,
            stack_queue_url,
        } = env
            .task_queue()?
            .ok_or("LAKECAT_TASK_QUEUE_URL is required")?;
        let search = env.opensearch()?.ok_or(SEARCH_REQUIRED)?;
        let AwsSettings { endpoint, .. } = env.aws();
        Ok(WorkerSettings {
            database_url,
            queue_url,
            dlq_url,
            stack_queue_url,
            aws_endpoint: endpoint,
            external_id: env.pivot_external_id()?,
            table_sync_every: env.table_sync_every()?,
            search,
        })
    }
}
