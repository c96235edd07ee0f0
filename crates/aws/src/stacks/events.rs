//! CloudFormation's stack events as core's, the events of one operation, and the report a
//! deploy or delete ends with. Pure: the deployer feeds it pages of DescribeStackEvents.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::types::StackEvent as SdkEvent;
use chrono::{DateTime, Utc};
use lakecat_core::catalog::StackStatus;
use lakecat_core::stacks::{StackEvent, StackReport};

const STACK_TYPE: &str = "AWS::CloudFormation::Stack";
/// The stack-level statuses an operation starts with.
const OPERATION_STARTS: &[&str] = &[
    "CREATE_IN_PROGRESS",
    "UPDATE_IN_PROGRESS",
    "DELETE_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
];

/// Collects the events of one operation from DescribeStackEvents' pages (newest first): those
/// carrying the operation's client request token when CloudFormation sets one, down to the
/// stack's own event that started the operation.
pub(super) struct OperationEvents<'a> {
    stack_name: &'a str,
    token: Option<&'a str>,
    newest_first: Vec<StackEvent>,
    done: bool,
}

impl<'a> OperationEvents<'a> {
    pub(super) fn new(stack_name: &'a str, token: Option<&'a str>) -> Self {
        OperationEvents {
            stack_name,
            token,
            newest_first: Vec::new(),
            done: false,
        }
    }

    /// Takes a page; false once the operation's first event was seen (no need for more).
    pub(super) fn page(&mut self, events: &[SdkEvent]) -> bool {
        for e in events {
            if self.done {
                break;
            }
            if let (Some(ours), Some(theirs)) = (self.token, e.client_request_token())
                && ours != theirs
            {
                // An earlier operation's event: ours are all newer.
                self.done = true;
                break;
            }
            let event = convert(e);
            self.done = event.logical_id == self.stack_name
                && event.resource_type == STACK_TYPE
                && OPERATION_STARTS.contains(&event.status.as_str());
            self.newest_first.push(event);
        }
        !self.done
    }

    /// The operation's events, oldest first.
    pub(super) fn into_events(self) -> Vec<StackEvent> {
        let mut events = self.newest_first;
        events.reverse();
        events
    }
}

fn convert(e: &SdkEvent) -> StackEvent {
    let timestamp = e
        .timestamp()
        .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos()))
        .unwrap_or_default();
    StackEvent {
        timestamp,
        logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
        resource_type: e.resource_type().unwrap_or_default().to_owned(),
        status: e
            .resource_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        reason: e.resource_status_reason().map(str::to_owned),
    }
}

/// What an operation came to: on a failure status, the error is the first failing event's
/// reason, or the stack's status reason when no event has one.
pub(super) fn report(
    status: StackStatus,
    status_reason: Option<&str>,
    outputs: BTreeMap<String, String>,
    events: Vec<StackEvent>,
    executed: bool,
) -> StackReport {
    let error = status.is_failed().then(|| {
        StackReport::first_failure(&events)
            .or_else(|| status_reason.filter(|r| !r.is_empty()).map(str::to_owned))
            .unwrap_or_else(|| format!("the stack ended {}", status.as_str()))
    });
    StackReport {
        status,
        outputs,
        events,
        error,
        executed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::types::ResourceStatus;
    use aws_smithy_types::DateTime as SdkTime;

    fn event(
        second: i64,
        logical: &str,
        kind: &str,
        status: &str,
        reason: Option<&str>,
        token: Option<&str>,
    ) -> SdkEvent {
        SdkEvent::builder()
            .stack_id("arn:aws:cloudformation:eu-west-1:1:stack/lakecat-ds-1/x")
            .event_id(format!("e{second}"))
            .stack_name("lakecat-ds-1")
            .timestamp(SdkTime::from_secs(1_700_000_000 + second))
            .logical_resource_id(logical)
            .resource_type(kind)
            .resource_status(ResourceStatus::from(status))
            .set_resource_status_reason(reason.map(str::to_owned))
            .set_client_request_token(token.map(str::to_owned))
            .build()
    }

    fn stack(second: i64, status: &str, token: Option<&str>) -> SdkEvent {
        event(second, "lakecat-ds-1", STACK_TYPE, status, None, token)
    }

    fn bucket(second: i64, status: &str, reason: Option<&str>, token: Option<&str>) -> SdkEvent {
        event(
            second,
            "DatasetBucket",
            "AWS::S3::Bucket",
            status,
            reason,
            token,
        )
    }

    /// An update rolled back, newest first, after an earlier create.
    fn rolled_back_update(token: Option<&str>, earlier: Option<&str>) -> Vec<SdkEvent> {
        vec![
            stack(9, "UPDATE_ROLLBACK_COMPLETE", token),
            bucket(8, "UPDATE_COMPLETE", None, token),
            stack(7, "UPDATE_ROLLBACK_IN_PROGRESS", token),
            bucket(
                6,
                "UPDATE_FAILED",
                Some("Bucket policy is malformed"),
                token,
            ),
            bucket(5, "UPDATE_IN_PROGRESS", None, token),
            stack(4, "UPDATE_IN_PROGRESS", token),
            stack(3, "CREATE_COMPLETE", earlier),
            bucket(2, "CREATE_COMPLETE", None, earlier),
            stack(1, "CREATE_IN_PROGRESS", earlier),
        ]
    }

    #[test]
    fn an_operation_is_its_events_down_to_its_start_oldest_first() {
        for (token, earlier) in [(Some("lakecat-2"), Some("lakecat-1")), (None, None)] {
            let mut ops = OperationEvents::new("lakecat-ds-1", token);
            let page = rolled_back_update(token, earlier);
            assert!(ops.page(&page[..3]), "wants more before its start");
            assert!(!ops.page(&page[3..]), "stops at its start");
            let events = ops.into_events();
            let statuses: Vec<&str> = events.iter().map(|e| e.status.as_str()).collect();
            assert_eq!(
                statuses,
                [
                    "UPDATE_IN_PROGRESS",
                    "UPDATE_IN_PROGRESS",
                    "UPDATE_FAILED",
                    "UPDATE_ROLLBACK_IN_PROGRESS",
                    "UPDATE_COMPLETE",
                    "UPDATE_ROLLBACK_COMPLETE",
                ]
            );
            assert!(events.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
        }
    }

    #[test]
    fn another_operations_token_ends_ours() {
        // No stack-level start in sight (a page cut short): the earlier token still ends it.
        let page = vec![
            bucket(6, "UPDATE_FAILED", Some("x"), Some("ours")),
            bucket(5, "UPDATE_IN_PROGRESS", None, Some("ours")),
            bucket(2, "CREATE_COMPLETE", None, Some("theirs")),
        ];
        let mut ops = OperationEvents::new("lakecat-ds-1", Some("ours"));
        assert!(!ops.page(&page));
        assert_eq!(ops.into_events().len(), 2);
    }

    #[test]
    fn a_failed_operation_reports_its_cause() {
        let mut ops = OperationEvents::new("lakecat-ds-1", None);
        ops.page(&rolled_back_update(None, None));
        let r = report(
            StackStatus::UpdateRollbackComplete,
            None,
            BTreeMap::new(),
            ops.into_events(),
            true,
        );
        assert_eq!(
            r.error.as_deref(),
            Some("DatasetBucket (AWS::S3::Bucket): Bucket policy is malformed")
        );
        assert!(r.executed);
    }

    #[test]
    fn without_a_failing_event_the_status_reason_is_the_error() {
        let r = report(
            StackStatus::RollbackComplete,
            Some("The following resource(s) failed to create: [DatasetBucket]."),
            BTreeMap::new(),
            vec![],
            true,
        );
        assert_eq!(
            r.error.as_deref(),
            Some("The following resource(s) failed to create: [DatasetBucket].")
        );
        let r = report(
            StackStatus::DeleteFailed,
            None,
            BTreeMap::new(),
            vec![],
            true,
        );
        assert_eq!(r.error.as_deref(), Some("the stack ended DELETE_FAILED"));
    }

    #[test]
    fn a_complete_stack_has_no_error() {
        let r = report(
            StackStatus::CreateComplete,
            Some("ignored"),
            BTreeMap::from([("BucketName".to_owned(), "b".to_owned())]),
            vec![],
            true,
        );
        assert_eq!(r.error, None);
        assert_eq!(r.outputs["BucketName"], "b");
    }
}
