//! The stack service's settings (`cdk-service/`): its own queue, the task queue and DLQ its
//! retries and dead letters go to, the database, and how it reaches the environments.

use std::net::SocketAddr;

use crate::{AwsSettings, TaskQueueUrls, Vars};

/// Where the stack service listens for `GET /healthz` unless `LAKECAT_LISTEN` says otherwise.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8080";

/// What the stack service needs, read and checked before anything connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackServiceSettings {
    pub database_url: String,
    /// The queue the service long-polls (`LAKECAT_STACK_QUEUE_URL`), with the task queue and
    /// DLQ: a retry of a stack task goes back to the stack queue, a dead letter to the DLQ.
    pub queues: TaskQueueUrls,
    pub aws: AwsSettings,
    /// The external id presented to the pivot roles (`LAKECAT_PIVOT_EXTERNAL_ID`); without
    /// one, each environment's id.
    pub external_id: Option<String>,
    pub listen: SocketAddr,
}

impl StackServiceSettings {
    /// From `LAKECAT_DATABASE_URL`, `LAKECAT_STACK_QUEUE_URL`, `LAKECAT_TASK_QUEUE_URL`,
    /// `LAKECAT_TASK_DLQ_URL`, `LAKECAT_PIVOT_EXTERNAL_ID`, `LAKECAT_AWS_REGION`,
    /// `LAKECAT_AWS_ENDPOINT` and `LAKECAT_LISTEN`, looked up through `var`.
    pub fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<StackServiceSettings, String> {
        let env = Vars::new(var);
        let database_url = env
            .var("LAKECAT_DATABASE_URL")
            .ok_or("LAKECAT_DATABASE_URL is required")?;
        let queues = env
            .task_queue()?
            .ok_or("LAKECAT_TASK_QUEUE_URL and LAKECAT_TASK_DLQ_URL are required")?;
        if queues.stack_queue_url.is_none() {
            return Err("LAKECAT_STACK_QUEUE_URL is required: the queue this service polls".into());
        }
        let listen = env
            .var("LAKECAT_LISTEN")
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = listen
            .trim()
            .parse()
            .map_err(|_| format!("LAKECAT_LISTEN: expected an address like {DEFAULT_LISTEN}"))?;
        Ok(StackServiceSettings {
            database_url,
            queues,
            aws: env.aws(),
            external_id: env.pivot_external_id()?,
            listen,
        })
    }

    /// The queue this service polls.
    pub fn stack_queue_url(&self) -> &str {
        self.queues.stack_queue_url.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<StackServiceSettings, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        StackServiceSettings::from_lookup(|n| vars.get(n).cloned())
    }

    const ALL: [(&str, &str); 4] = [
        ("LAKECAT_DATABASE_URL", "postgres://lakecat@db/lakecat"),
        ("LAKECAT_TASK_QUEUE_URL", "https://sqs/tasks"),
        ("LAKECAT_TASK_DLQ_URL", "https://sqs/dlq"),
        ("LAKECAT_STACK_QUEUE_URL", "https://sqs/stacks"),
    ];

    #[test]
    fn every_part_is_read() -> Result<(), String> {
        let mut vars = ALL.to_vec();
        vars.push(("LAKECAT_PIVOT_EXTERNAL_ID", "f3b0c442-98fc-1c14-b39f"));
        vars.push(("LAKECAT_AWS_ENDPOINT", "http://127.0.0.1:5000"));
        vars.push(("LAKECAT_LISTEN", "127.0.0.1:9000"));
        let s = settings(&vars)?;
        assert_eq!(s.stack_queue_url(), "https://sqs/stacks");
        assert_eq!(s.queues.queue_url, "https://sqs/tasks");
        assert_eq!(s.external_id.as_deref(), Some("f3b0c442-98fc-1c14-b39f"));
        assert_eq!(s.aws.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
        assert_eq!(s.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(settings(&ALL)?.listen.to_string(), DEFAULT_LISTEN);
        Ok(())
    }

    #[test]
    fn a_missing_queue_or_a_bad_value_names_its_variable() {
        let err = |vars: &[(&str, &str)]| settings(vars).err().unwrap_or_default();
        assert!(err(&ALL[..3]).starts_with("LAKECAT_STACK_QUEUE_URL is required"));
        assert!(err(&ALL[1..]).starts_with("LAKECAT_DATABASE_URL"));
        assert!(err(&[ALL[0], ALL[3]]).starts_with("LAKECAT_STACK_QUEUE_URL: only with"));
        let mut bad = ALL.to_vec();
        bad.push(("LAKECAT_PIVOT_EXTERNAL_ID", "short"));
        assert!(err(&bad).starts_with("LAKECAT_PIVOT_EXTERNAL_ID"));
        let mut bad = ALL.to_vec();
        bad.push(("LAKECAT_LISTEN", "nowhere"));
        assert!(err(&bad).starts_with("LAKECAT_LISTEN"));
    }
}
