//! Previews through the worker Lambda: a process that reads no lake (the API Lambda, which
//! pivot roles do not trust) invokes the worker synchronously with
//! `{"lakecatPreview": {"tableId", "limit"}}` and answers with what it returns — the rows,
//! or the worker's error with its code and reason (`query_timeout`, `lake_unreadable`, …).
//! The caller has already authorized the preview; the worker reads the table with Athena as
//! the environment's pivot role.

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_lambda::Client as Lambda;
use aws_sdk_lambda::error::DisplayErrorContext;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use lakecat_core::catalog::{Column, Dataset, Environment, Table};
use lakecat_core::lake::{PREVIEW_EVENT, PreviewAnswer, PreviewRequest, TablePreview, TableReader};
use lakecat_core::{Error, Reason};

/// Reads previews by invoking the worker Lambda `function` (its name or ARN).
pub struct WorkerPreviews {
    lambda: Lambda,
    function: String,
}

impl WorkerPreviews {
    pub fn new(config: &SdkConfig, function: impl Into<String>) -> Self {
        WorkerPreviews {
            lambda: Lambda::new(config),
            function: function.into(),
        }
    }

    /// Asks the worker for up to `limit` rows of the table `table_id`.
    pub async fn preview_table(
        &self,
        table_id: &str,
        limit: usize,
    ) -> lakecat_core::Result<TablePreview> {
        let request = serde_json::json!({
            PREVIEW_EVENT: PreviewRequest {
                table_id: table_id.to_owned(),
                limit,
            }
        });
        let got = self
            .lambda
            .invoke()
            .function_name(&self.function)
            .invocation_type(InvocationType::RequestResponse)
            .payload(Blob::new(request.to_string()))
            .send()
            .await
            .map_err(|e| self.unavailable(DisplayErrorContext(&e).to_string()))?;
        let payload = got.payload().map(|b| b.as_ref()).unwrap_or_default();
        // The function failed (not the preview: that is an answer): its error is the payload.
        if let Some(kind) = got.function_error() {
            return Err(self.unavailable(format!("{kind}: {}", String::from_utf8_lossy(payload))));
        }
        let answer: PreviewAnswer = serde_json::from_slice(payload).map_err(|e| {
            self.unavailable(format!(
                "not a preview answer ({e}): {}",
                String::from_utf8_lossy(&payload[..payload.len().min(200)])
            ))
        })?;
        answer.into_result()
    }

    /// The worker could not be asked, or did not answer as it should: a fault of the
    /// deployment, not of the lake — the caller is told to retry and the detail is logged.
    fn unavailable(&self, why: String) -> Error {
        Error::unavailable(format!("preview by the worker {}: {why}", self.function))
            .with_reason(Reason::Unavailable)
    }
}

#[async_trait]
impl TableReader for WorkerPreviews {
    async fn preview(
        &self,
        _environment: &Environment,
        _dataset: &Dataset,
        table: &Table,
        _columns: &[Column],
        limit: usize,
    ) -> lakecat_core::Result<TablePreview> {
        self.preview_table(table.id.as_str(), limit).await
    }
}
