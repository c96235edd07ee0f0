//! The OpenSearch adapter (managed domains and serverless collections, SigV4 or basic auth).
//!
//! Searches and writes go through an alias (`lakecat` by default) that points at one
//! versioned index, `<prefix>-v<schema>-<unix-ms>`. A rebuild fills a fresh index and then
//! moves the alias in one `_aliases` call, so searches work throughout. On a managed domain
//! every write refreshes the index before it returns, so it is searchable then; serverless
//! collections refuse `_refresh` and `_delete_by_query`, so there a write shows after the
//! collection's own refresh (seconds) and a replace lists stale ids and bulk-deletes them.
//! Requests and responses are pure functions ([`requests`], [`responses`]); this module only
//! sends them.

use crate::opensearch_config::{self as config, OpenSearchAuth, OpenSearchConfig, SigV4Service};
pub mod requests;
pub mod responses;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use opensearch::OpenSearch;
use opensearch::auth::Credentials;
use opensearch::http::Method;
use opensearch::http::headers::{CONTENT_TYPE, HeaderMap, HeaderValue};
use opensearch::http::transport::{SingleNodeConnectionPool, TransportBuilder};
use serde_json::Value;

use lakecat_core::search::{SearchDoc, SearchIndex, SearchQuery, SearchResult, Suggestion};
use lakecat_core::{Error, Result};

use requests::{BulkOp, MAX_BULK_BYTES, SCHEMA_VERSION};

/// How long one request may take (a bulk body of a rebuild included).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// What [`OpenSearchIndex::ensure`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexState {
    /// The alias was missing: an empty index of the current schema now stands behind it.
    Created,
    /// The alias points at an index of the current schema.
    Current,
    /// The alias points at an index of another schema version: searches may fail or miss
    /// fields until `lakecat reindex` builds a current one.
    Outdated { index: String },
}

/// The search index on OpenSearch. Cheap to clone (one HTTP client).
#[derive(Clone)]
pub struct OpenSearchIndex {
    client: OpenSearch,
    /// The alias searches go through.
    alias: String,
    /// Where this handle reads and writes: the alias, or a rebuild's new index.
    target: String,
    serverless: bool,
}

impl std::fmt::Debug for OpenSearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSearchIndex")
            .field("alias", &self.alias)
            .field("target", &self.target)
            .field("serverless", &self.serverless)
            .finish_non_exhaustive()
    }
}

/// A fresh index being filled while searches still use the old one; see
/// [`OpenSearchIndex::begin_rebuild`].
pub struct OpenSearchRebuild {
    index: OpenSearchIndex,
}

impl OpenSearchRebuild {
    /// Writes (and searches) the new index only.
    pub fn index(&self) -> &OpenSearchIndex {
        &self.index
    }

    /// The new index's name.
    pub fn name(&self) -> &str {
        &self.index.target
    }
}

enum Body {
    Empty,
    Json(Value),
    NdJson(String),
}

fn unreachable_engine(what: &str, e: opensearch::Error) -> Error {
    // No answer (connection, TLS, timeout, signing): worth a retry; the detail is logged only.
    Error::unavailable(format!("opensearch {what}: {e}"))
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

impl OpenSearchIndex {
    /// A client for the configured endpoint (no request is sent; SigV4 loads the default
    /// AWS credential chain). Call [`OpenSearchIndex::ensure`] before the first write.
    pub async fn connect(config: &OpenSearchConfig) -> Result<OpenSearchIndex> {
        config::check_url(&config.url).map_err(|m| Error::bad_input("url", m))?;
        config::check_prefix(&config.index_prefix)
            .map_err(|m| Error::bad_input("index_prefix", m))?;
        let url = opensearch::http::Url::parse(&config.url)
            .map_err(|_| Error::bad_input("url", "not a URL"))?;
        let mut builder =
            TransportBuilder::new(SingleNodeConnectionPool::new(url)).timeout(REQUEST_TIMEOUT);
        let mut serverless = false;
        match &config.auth {
            OpenSearchAuth::None => {}
            OpenSearchAuth::Basic { user, password } => {
                builder = builder.auth(Credentials::Basic(user.clone(), password.clone()));
            }
            OpenSearchAuth::SigV4 { service, region } => {
                if region.trim().is_empty() {
                    return Err(Error::bad_input("region", "required for SigV4"));
                }
                let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
                    .region(aws_config::Region::new(region.clone()))
                    .load()
                    .await;
                let credentials = Credentials::try_from(&aws)
                    .map_err(|e| Error::internal(format!("opensearch sigv4 credentials: {e}")))?;
                builder = builder.auth(credentials).service_name(service.as_str());
                serverless = *service == SigV4Service::Aoss;
            }
        }
        let transport = builder
            .build()
            .map_err(|e| Error::internal(format!("opensearch client: {e}")))?;
        Ok(OpenSearchIndex {
            client: OpenSearch::new(transport),
            alias: config.index_prefix.clone(),
            target: config.index_prefix.clone(),
            serverless,
        })
    }

    /// The alias searches go through.
    pub fn alias(&self) -> &str {
        &self.alias
    }

    /// Sends one request; any HTTP status is an answer.
    async fn send(
        &self,
        what: &str,
        method: Method,
        path: &str,
        params: &[(&str, &str)],
        body: Body,
    ) -> Result<(u16, Value)> {
        let mut headers = HeaderMap::new();
        let sent = match body {
            Body::Empty => {
                self.client
                    .send(method, path, headers, Some(params), None::<&[u8]>, None)
                    .await
            }
            Body::Json(v) => {
                self.client
                    .send(
                        method,
                        path,
                        headers,
                        Some(params),
                        Some(v.to_string()),
                        None,
                    )
                    .await
            }
            Body::NdJson(s) => {
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/x-ndjson"),
                );
                self.client
                    .send(method, path, headers, Some(params), Some(s), None)
                    .await
            }
        };
        let response = sent.map_err(|e| unreachable_engine(what, e))?;
        let status = response.status_code().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| unreachable_engine(what, e))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                Value::String(String::from_utf8_lossy(&bytes).chars().take(500).collect())
            })
        };
        Ok((status, body))
    }

    /// Sends one request that must succeed.
    async fn call(
        &self,
        what: &str,
        method: Method,
        path: &str,
        params: &[(&str, &str)],
        body: Body,
    ) -> Result<Value> {
        let (status, body) = self.send(what, method, path, params, body).await?;
        if !(200..300).contains(&status) {
            return Err(responses::status_error(what, status, &body));
        }
        Ok(body)
    }

    /// POSTs a JSON body to an endpoint of the index written and searched (`_search`, …).
    async fn post(&self, what: &str, endpoint: &str, body: Value) -> Result<Value> {
        let path = format!("/{}/{endpoint}", self.target);
        self.call(what, Method::Post, &path, &[], Body::Json(body))
            .await
    }

    /// The indices behind the alias (none when it does not exist).
    async fn alias_indices(&self) -> Result<Vec<String>> {
        let path = format!("/_alias/{}", self.alias);
        let (status, body) = self
            .send("alias lookup", Method::Get, &path, &[], Body::Empty)
            .await?;
        match status {
            200..=299 => Ok(responses::parse_alias_indices(&body)),
            404 => Ok(vec![]),
            _ => Err(responses::status_error("alias lookup", status, &body)),
        }
    }

    /// Creates an index with lakecat's settings and mappings (already there is fine).
    async fn create_index(&self, name: &str) -> Result<()> {
        let body = requests::create_index_body(self.serverless);
        let path = format!("/{name}");
        let (status, answer) = self
            .send("index creation", Method::Put, &path, &[], Body::Json(body))
            .await?;
        let exists = answer
            .pointer("/error/type")
            .and_then(Value::as_str)
            .is_some_and(|t| t == "resource_already_exists_exception");
        if (200..300).contains(&status) || (status == 400 && exists) {
            return Ok(());
        }
        Err(responses::status_error("index creation", status, &answer))
    }

    async fn update_aliases(&self, body: Value) -> Result<()> {
        self.call(
            "alias update",
            Method::Post,
            "/_aliases",
            &[],
            Body::Json(body),
        )
        .await
        .map(drop)
    }

    /// Connects, and makes sure the index exists, as a server does at start: an unreachable
    /// cluster does not stop it (searches answer with an error until it is back, and the next
    /// start creates the index); an index of an older schema is used, with a warning to run
    /// `lakecat reindex`.
    pub async fn open_checked(config: &OpenSearchConfig) -> Result<OpenSearchIndex> {
        let index = OpenSearchIndex::connect(config).await?;
        match index.ensure().await {
            Ok(IndexState::Outdated { index }) => tracing::warn!(
                %index,
                "the search index has an older schema; run `lakecat reindex`"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e.message, "OpenSearch index check failed"),
        }
        Ok(index)
    }

    /// Makes sure the alias exists: when missing, creates the schema's first index
    /// (`<prefix>-v<schema>-0`, so concurrent first starts create the same one) behind it.
    pub async fn ensure(&self) -> Result<IndexState> {
        let indices = self.alias_indices().await?;
        if indices.is_empty() {
            let name = requests::index_name(&self.alias, 0);
            self.create_index(&name).await?;
            self.update_aliases(requests::alias_swap_body(&self.alias, &[], &name))
                .await?;
            return Ok(IndexState::Created);
        }
        let current = indices
            .iter()
            .any(|i| requests::index_version(&self.alias, i) == Some(SCHEMA_VERSION));
        Ok(match (current, indices.into_iter().next()) {
            (false, Some(index)) => IndexState::Outdated { index },
            _ => IndexState::Current,
        })
    }

    /// Creates a fresh index of the current schema; the returned handle writes to it while
    /// searches keep using the alias. Writes made through the alias meanwhile do not reach
    /// the new index: a dataset changed after the rebuild read it is stale until its next
    /// index task.
    pub async fn begin_rebuild(&self) -> Result<OpenSearchRebuild> {
        let name = requests::index_name(&self.alias, unix_ms());
        self.create_index(&name).await?;
        let mut index = self.clone();
        index.target = name;
        Ok(OpenSearchRebuild { index })
    }

    /// Points the alias at the rebuilt index in one atomic `_aliases` call, then deletes the
    /// indices it pointed at before.
    pub async fn finish_rebuild(&self, rebuild: OpenSearchRebuild) -> Result<()> {
        let new = rebuild.index.target;
        self.refresh_index(&new).await?;
        let old = self.alias_indices().await?;
        self.update_aliases(requests::alias_swap_body(&self.alias, &old, &new))
            .await?;
        for index in old.iter().filter(|o| **o != new) {
            self.delete_index(index).await?;
        }
        Ok(())
    }

    /// Deletes a rebuild's index without touching the alias.
    pub async fn abandon_rebuild(&self, rebuild: OpenSearchRebuild) -> Result<()> {
        self.delete_index(&rebuild.index.target).await
    }

    /// Deletes every index of this prefix, and so the alias (tests, teardown).
    pub async fn destroy(&self) -> Result<()> {
        let path = format!("/_resolve/index/{}-v*", self.alias);
        let body = self
            .call("index listing", Method::Get, &path, &[], Body::Empty)
            .await?;
        for index in responses::parse_resolved_indices(&body) {
            if requests::index_version(&self.alias, &index).is_some() {
                self.delete_index(&index).await?;
            }
        }
        Ok(())
    }

    async fn delete_index(&self, name: &str) -> Result<()> {
        let path = format!("/{name}");
        let (status, body) = self
            .send("index deletion", Method::Delete, &path, &[], Body::Empty)
            .await?;
        if (200..300).contains(&status) || status == 404 {
            return Ok(());
        }
        Err(responses::status_error("index deletion", status, &body))
    }

    /// Makes the index's writes searchable (serverless collections refresh on their own).
    async fn refresh_index(&self, name: &str) -> Result<()> {
        if self.serverless {
            return Ok(());
        }
        let path = format!("/{name}/_refresh");
        self.call("refresh", Method::Post, &path, &[], Body::Empty)
            .await
            .map(drop)
    }

    async fn refresh(&self) -> Result<()> {
        self.refresh_index(&self.target).await
    }

    /// Deletes each dataset's documents outside its new set.
    async fn delete_stale(&self, datasets: &[(String, Vec<SearchDoc>)]) -> Result<()> {
        if !self.serverless {
            let body = requests::delete_stale_body(datasets);
            let answer = self
                .post("delete by query", "_delete_by_query", body)
                .await?;
            return responses::parse_delete_by_query(&answer).map(drop);
        }
        let mut stale: Vec<String> = Vec::new();
        loop {
            let body = requests::stale_ids_body(datasets, stale.last().map(String::as_str));
            let answer = self.post("stale listing", "_search", body).await?;
            let page = responses::parse_hit_ids(&answer)?;
            if page.is_empty() {
                break;
            }
            stale.extend(page);
        }
        let ops: Vec<BulkOp<'_>> = stale.iter().map(|id| BulkOp::Delete(id)).collect();
        self.bulk(&ops).await
    }

    /// Sends the actions in bodies of bounded size (not refreshed).
    async fn bulk(&self, ops: &[BulkOp<'_>]) -> Result<()> {
        let path = format!("/{}/_bulk", self.target);
        // Through the alias, a missing alias must fail rather than auto-create an index
        // with guessed mappings (managed domains; serverless collections take no option).
        let params: &[(&str, &str)] = if self.target == self.alias && !self.serverless {
            &[("require_alias", "true")]
        } else {
            &[]
        };
        for body in requests::bulk_bodies(ops, MAX_BULK_BYTES) {
            let answer = self
                .call("bulk", Method::Post, &path, params, Body::NdJson(body))
                .await?;
            responses::parse_bulk(&answer)?;
        }
        Ok(())
    }
}

#[async_trait]
impl SearchIndex for OpenSearchIndex {
    async fn upsert(&self, docs: &[SearchDoc]) -> Result<()> {
        if docs.is_empty() {
            return Ok(());
        }
        let ops: Vec<BulkOp<'_>> = docs.iter().map(BulkOp::Index).collect();
        self.bulk(&ops).await?;
        self.refresh().await
    }

    async fn delete(&self, ids: &[String]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let ops: Vec<BulkOp<'_>> = ids.iter().map(|id| BulkOp::Delete(id)).collect();
        self.bulk(&ops).await?;
        self.refresh().await
    }

    /// Indexes the new sets, then deletes each dataset's documents outside its new set, then
    /// refreshes: a search sees the old documents, then old and new, then the new ones —
    /// never a gap. (Not one atomic step as in tantivy: the in-between superset can show.)
    async fn replace_datasets(&self, datasets: Vec<(String, Vec<SearchDoc>)>) -> Result<()> {
        if datasets.is_empty() {
            return Ok(());
        }
        let ops: Vec<BulkOp<'_>> = datasets
            .iter()
            .flat_map(|(_, docs)| docs.iter().map(BulkOp::Index))
            .collect();
        self.bulk(&ops).await?;
        self.delete_stale(&datasets).await?;
        self.refresh().await
    }

    /// Nothing to do: OpenSearch merges an index's segments on its own (its tiered merge
    /// policy), a force-merge is advised only for indices no longer written to, and
    /// OpenSearch Serverless refuses `_forcemerge`.
    async fn compact(&self) -> Result<()> {
        Ok(())
    }

    async fn count(&self) -> Result<u64> {
        let path = format!("/{}/_count", self.target);
        let body = self
            .call("count", Method::Get, &path, &[], Body::Empty)
            .await?;
        responses::parse_count(&body)
    }

    async fn dataset_ids(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut after: Option<Value> = None;
        loop {
            let body = requests::dataset_ids_body(after.as_ref());
            let answer = self.post("dataset listing", "_search", body).await?;
            let (ids, next) = responses::parse_dataset_ids(&answer)?;
            out.extend(ids);
            match next {
                Some(n) => after = Some(n),
                None => return Ok(out),
            }
        }
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResult> {
        let body = requests::search_body(query)?;
        let answer = self.post("search", "_search", body).await?;
        responses::parse_search(answer)
    }

    async fn suggest(
        &self,
        prefix: &str,
        readers: Option<&[String]>,
        limit: u32,
    ) -> Result<Vec<Suggestion>> {
        let Some(body) = requests::suggest_body(prefix, readers, limit)? else {
            return Ok(vec![]);
        };
        let answer = self.post("suggest", "_search", body).await?;
        responses::parse_suggest(answer, prefix)
    }
}
