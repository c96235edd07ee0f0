//! The search readers of recent team sets, kept in process while PostgreSQL tells this process
//! about every change that could alter them.
//!
//! Every search and suggestion asks [`CatalogStore::search_readers`] what its caller may see:
//! one statement per request, the largest cost of a cached suggestion (the round trip and
//! PostgreSQL's executor start-up for a union of three selects). The answer changes only when
//! grants, shares or dataset visibility change, so it is kept here, and trusted only while
//! both of these hold:
//!
//! - **This process's writes:** every write transaction of this store invalidates the cache
//!   when it commits, before the mutation returns: read-your-writes holds in process.
//! - **Other processes' writes:** triggers (migration m0007) call `pg_notify` in every
//!   transaction that changes a row the readers statement reads. A listener connection hears
//!   them and invalidates the cache as soon as PostgreSQL delivers them, which it does at
//!   commit. While the listener is not connected, or its heartbeat goes unanswered, the cache
//!   is not used at all; when it reconnects, what the cache held is dropped (notifications may
//!   have been missed meanwhile).
//!
//! An entry is tagged with the generation read *before* its statement ran, and kept only if
//! no invalidation came in between: an invalidation that follows a commit the statement did
//! not see always leaves the entry stale-tagged, never trusted.
//!
//! The cache is off unless [`crate::SeaStore::cache_search_readers`] starts the listener: for
//! `lakecat serve` on PostgreSQL. The listener holds one of the pool's connections. A
//! connection that dies without a word is noticed by the heartbeat, within two seconds: until
//! then, a change it failed to hear could be served stale; after, the cache starts empty. The API Lambda leaves it off: a frozen Lambda cannot hear
//! notifications, and after a thaw a request could run before the listener reads what it
//! missed. SQLite runs the statement in process, where it is cheap.
//!
//! [`CatalogStore::search_readers`]: lakecat_core::ports::CatalogStore::search_readers

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use lru::LruCache;
use sea_orm::sqlx::postgres::{PgListener, PgNotification};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};

/// The channel the triggers of m0007 notify.
pub const CHANNEL: &str = "lakecat_readers";
/// Team sets kept.
const ENTRIES: usize = 1024;
/// The listener proves its connection alive this often when no notification comes: a
/// connection cut without a word (a NAT, a failover) would otherwise leave the cache trusted
/// while deaf.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// How long the listener waits after a failure before it connects again.
const RECONNECT_DELAY: Duration = Duration::from_millis(500);

type Entries = LruCache<Vec<String>, (u64, Arc<Vec<String>>)>;

pub(crate) struct ReadersCache {
    generation: AtomicU64,
    /// True while a listener is connected and answering: only then is the cache used.
    listening: AtomicBool,
    entries: Mutex<Entries>,
    /// Answers served from the cache, for tests and the bench.
    hits: AtomicU64,
    /// Whether a listener was started for this cache (one per store and its clones).
    started: AtomicBool,
}

impl Default for ReadersCache {
    fn default() -> Self {
        ReadersCache {
            generation: AtomicU64::new(0),
            listening: AtomicBool::new(false),
            entries: Mutex::new(LruCache::new(
                NonZeroUsize::new(ENTRIES).unwrap_or(NonZeroUsize::MIN),
            )),
            hits: AtomicU64::new(0),
            started: AtomicBool::new(false),
        }
    }
}

impl ReadersCache {
    /// Whatever was kept before now is no longer trusted.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The readers kept for `teams` at the current generation.
    pub fn get(&self, teams: &[String]) -> Option<Vec<String>> {
        if !self.listening.load(Ordering::SeqCst) {
            return None;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let mut entries = self.entries();
        match entries.get(teams) {
            Some((g, readers)) if *g == generation => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                Some(Vec::clone(readers))
            }
            _ => None,
        }
    }

    /// The generation to tag an answer with, read before its statement runs; None when the
    /// cache is off.
    pub fn ticket(&self) -> Option<u64> {
        self.listening
            .load(Ordering::SeqCst)
            .then(|| self.generation.load(Ordering::SeqCst))
    }

    /// Keeps `readers` for `teams` unless an invalidation came after `ticket` was taken.
    pub fn keep(&self, teams: &[String], ticket: u64, readers: &[String]) {
        let mut entries = self.entries();
        if self.listening.load(Ordering::SeqCst) && self.generation.load(Ordering::SeqCst) == ticket
        {
            entries.put(teams.to_vec(), (ticket, Arc::new(readers.to_vec())));
        }
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub fn listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }

    /// True the first time only: the caller starts the listener.
    pub fn start(&self) -> bool {
        !self.started.swap(true, Ordering::SeqCst)
    }

    fn set_listening(&self, on: bool) {
        if on {
            // Anything kept before may predate notifications this process never heard.
            self.invalidate();
            self.entries().clear();
        }
        self.listening.store(on, Ordering::SeqCst);
    }
}

/// Listens on [`CHANNEL`] until the process ends, keeping `cache` trusted only while it hears.
pub(crate) async fn listen(db: DatabaseConnection, cache: Arc<ReadersCache>) {
    loop {
        if let Err(e) = hear(&db, &cache).await {
            tracing::warn!(error = %e, "search readers cache off until its listener reconnects");
        }
        cache.set_listening(false);
        tokio::time::sleep(RECONNECT_DELAY).await;
    }
}

/// Aborts the task when dropped.
struct Reader(tokio::task::JoinHandle<()>);

impl Drop for Reader {
    fn drop(&mut self) {
        self.0.abort();
    }
}

type Heard = Result<Option<PgNotification>, sea_orm::sqlx::Error>;

/// One connection's life: returns when it fails or stops answering.
async fn hear(db: &DatabaseConnection, cache: &ReadersCache) -> Result<(), String> {
    let mut listener = PgListener::connect_with(db.get_postgres_connection_pool())
        .await
        .map_err(|e| e.to_string())?;
    listener.listen(CHANNEL).await.map_err(|e| e.to_string())?;
    // A task of its own reads the connection, so that waiting for the heartbeat never
    // cancels a read half-way through a message.
    let (tx, mut heard) = tokio::sync::mpsc::channel::<Heard>(64);
    let _reader = Reader(tokio::spawn(async move {
        loop {
            let next = listener.try_recv().await;
            let more = matches!(next, Ok(Some(_)));
            if tx.send(next).await.is_err() || !more {
                return;
            }
        }
    }));
    cache.set_listening(true);
    let ping = format!("ping {}", ulid::Ulid::new());
    let mut awaiting_ping = false;
    loop {
        match tokio::time::timeout(HEARTBEAT, heard.recv()).await {
            Ok(Some(Ok(Some(n)))) => {
                if n.payload() == ping {
                    awaiting_ping = false;
                } else if !n.payload().starts_with("ping ") {
                    // A change (another process's pings are not).
                    cache.invalidate();
                }
            }
            Ok(Some(Ok(None))) | Ok(None) => {
                return Err("the listening connection was lost".into());
            }
            Ok(Some(Err(e))) => return Err(e.to_string()),
            Err(_) if awaiting_ping => {
                return Err(format!("no answer to a heartbeat in {HEARTBEAT:?}"));
            }
            Err(_) => {
                awaiting_ping = true;
                notify(db, &ping).await.map_err(|e| e.to_string())?;
            }
        }
    }
}

async fn notify(db: &DatabaseConnection, payload: &str) -> Result<(), DbErr> {
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    ))
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn teams(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn nothing_is_kept_or_served_while_no_one_listens() {
        let cache = ReadersCache::default();
        assert_eq!(cache.ticket(), None);
        cache.keep(&teams(&["a"]), 0, &teams(&["org:1"]));
        cache.set_listening(true);
        assert_eq!(cache.get(&teams(&["a"])), None);
    }

    #[test]
    fn an_invalidation_during_the_statement_keeps_its_answer_out() {
        let cache = ReadersCache::default();
        cache.set_listening(true);
        let ticket = cache.ticket().unwrap();
        cache.invalidate();
        cache.keep(&teams(&["a"]), ticket, &teams(&["org:1"]));
        assert_eq!(cache.get(&teams(&["a"])), None);
        let ticket = cache.ticket().unwrap();
        cache.keep(&teams(&["a"]), ticket, &teams(&["org:1"]));
        assert_eq!(cache.get(&teams(&["a"])), Some(teams(&["org:1"])));
        assert_eq!(cache.get(&teams(&["b"])), None, "kept per team set");
        cache.invalidate();
        assert_eq!(cache.get(&teams(&["a"])), None);
    }

    #[test]
    fn a_lost_listener_turns_the_cache_off_and_a_new_one_starts_empty() {
        let cache = ReadersCache::default();
        cache.set_listening(true);
        let ticket = cache.ticket().unwrap();
        cache.keep(&teams(&["a"]), ticket, &teams(&["org:1"]));
        cache.set_listening(false);
        assert_eq!(cache.get(&teams(&["a"])), None);
        cache.set_listening(true);
        assert_eq!(cache.get(&teams(&["a"])), None);
    }
}
