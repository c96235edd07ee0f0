//! What a caller may see, as the readers search documents are indexed for.

use crate::error::Result;
use async_trait::async_trait;

#[async_trait]
pub trait SearchReaders: Send + Sync {
    /// The visibility grants `teams` hold, as search readers: `org:<id>` for organizations
    /// they belong to, `ds:<id>` for restricted datasets they own, steward or were invited
    /// to, and for restricted datasets shared with them (an item granted). Open datasets are
    /// indexed for everyone or their organization, so they need no `ds:` reader.
    async fn search_readers(&self, teams: &[String]) -> Result<Vec<String>>;
}
