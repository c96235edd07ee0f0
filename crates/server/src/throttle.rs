//! Limits on sign-in (`POST /auth/login`). An argon2 check takes about 19 MiB and tens of
//! milliseconds of CPU, so only a few run at once; and sign-ins that did not succeed are
//! counted per username and per client address in fixed windows. Memory stays bounded: each
//! counter map tracks a limited number of keys, forgetting the least recently seen first.

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use lru::LruCache;
use tokio::sync::Semaphore;

pub use lakecat_config::LoginLimits;

/// A sign-in refused for now: the client may try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub u64);

pub struct LoginThrottle {
    limits: LoginLimits,
    hashing: Arc<Semaphore>,
    users: Mutex<Windows<String>>,
    addresses: Mutex<Windows<IpAddr>>,
}

impl LoginThrottle {
    pub fn new(limits: LoginLimits) -> LoginThrottle {
        let keys = NonZeroUsize::new(limits.tracked_keys).unwrap_or(NonZeroUsize::MIN);
        LoginThrottle {
            hashing: Arc::new(Semaphore::new(limits.hashing_permits.max(1))),
            users: Mutex::new(Windows::new(keys)),
            addresses: Mutex::new(Windows::new(keys)),
            limits,
        }
    }

    /// Counts a sign-in for `username` and the client's `address` (when known), or refuses it
    /// when either used up its window. Counted up front, so concurrent attempts cannot slip
    /// past the limit; [`LoginThrottle::forgive`] takes back one that succeeded.
    pub fn attempt(&self, username: &str, address: Option<IpAddr>) -> Result<(), RetryAfter> {
        let now = Instant::now();
        let window = self.limits.window;
        // Always users, then addresses: one lock order.
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let mut addresses = self
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let address = address.map(address_key);
        users.check(username, self.limits.per_user, window, now)?;
        if let Some(a) = &address {
            addresses.check(a, self.limits.per_address, window, now)?;
        }
        users.count(username.to_owned(), window, now);
        if let Some(a) = address {
            addresses.count(a, window, now);
        }
        Ok(())
    }

    /// Takes back a counted sign-in: it succeeded, or never got to check the password.
    pub fn forgive(&self, username: &str, address: Option<IpAddr>) {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let mut addresses = self
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        users.forgive(username);
        if let Some(a) = address {
            addresses.forgive(&address_key(a));
        }
    }

    /// Runs a password check on the blocking pool once a permit is free, holding it until
    /// the check ends (even when the request is dropped meanwhile). Refused when no permit
    /// frees up within the configured wait.
    pub async fn check<T: Send + 'static>(
        &self,
        check: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Result<Result<T, String>, RetryAfter> {
        let permit = tokio::time::timeout(
            self.limits.permit_wait,
            self.hashing.clone().acquire_owned(),
        )
        .await
        .map_err(|_| RetryAfter(1))?
        .map_err(|_| RetryAfter(1))?;
        let result = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            check()
        })
        .await
        .unwrap_or_else(|e| Err(format!("password check failed: {e}")));
        Ok(result)
    }

    #[cfg(test)]
    fn tracked(&self) -> (usize, usize) {
        let users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        let addresses = self
            .addresses
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (users.counts.len(), addresses.counts.len())
    }
}

/// The address a limit applies to: an IPv6 client is counted by its /64 (one host usually
/// holds a whole /64), an IPv4-mapped one as IPv4.
fn address_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

/// Counters per key in fixed windows.
struct Windows<K: Hash + Eq> {
    counts: LruCache<K, Window>,
}

struct Window {
    started: Instant,
    count: u32,
}

impl<K: Hash + Eq> Windows<K> {
    fn new(keys: NonZeroUsize) -> Self {
        Windows {
            counts: LruCache::new(keys),
        }
    }

    fn check<Q>(
        &self,
        key: &Q,
        limit: u32,
        window: Duration,
        now: Instant,
    ) -> Result<(), RetryAfter>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.counts.peek(key) {
            Some(w) if now.duration_since(w.started) < window && w.count >= limit => {
                let left = (w.started + window).saturating_duration_since(now);
                Err(RetryAfter(left.as_secs_f64().ceil().max(1.0) as u64))
            }
            _ => Ok(()),
        }
    }

    fn count(&mut self, key: K, window: Duration, now: Instant) {
        let w = self.counts.get_or_insert_mut(key, || Window {
            started: now,
            count: 0,
        });
        if now.duration_since(w.started) >= window {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        w.count = w.count.saturating_add(1);
    }

    fn forgive<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(w) = self.counts.peek_mut(key) {
            w.count = w.count.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn limits() -> LoginLimits {
        LoginLimits {
            hashing_permits: 2,
            permit_wait: Duration::from_secs(30),
            per_user: 3,
            per_address: 5,
            window: Duration::from_secs(60),
            tracked_keys: 4,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_checks_run_at_once_than_there_are_permits() {
        let throttle = Arc::new(LoginThrottle::new(limits()));
        let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (throttle, running, peak) = (throttle.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    throttle
                        .check(move || {
                            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                            peak.fetch_max(now, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(50));
                            running.fetch_sub(1, Ordering::SeqCst);
                            Ok(())
                        })
                        .await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(Ok(())));
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_check_that_waits_too_long_for_a_permit_is_refused() {
        let throttle = Arc::new(LoginThrottle::new(LoginLimits {
            hashing_permits: 1,
            permit_wait: Duration::from_millis(20),
            ..limits()
        }));
        let slow = {
            let throttle = throttle.clone();
            tokio::spawn(async move {
                throttle
                    .check(|| {
                        std::thread::sleep(Duration::from_millis(300));
                        Ok(())
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(throttle.check(|| Ok(())).await, Err(RetryAfter(1)));
        assert_eq!(slow.await.unwrap(), Ok(Ok(())));
    }

    #[test]
    fn failures_count_per_user_and_per_address_and_successes_are_forgiven() {
        let throttle = LoginThrottle::new(limits());
        let home: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..3 {
            throttle.attempt("ana", Some(home)).unwrap();
        }
        let Err(RetryAfter(secs)) = throttle.attempt("ana", None) else {
            panic!("the fourth failure in a window is refused");
        };
        assert!((1..=60).contains(&secs), "{secs}");
        throttle.forgive("ana", Some(home));
        assert!(throttle.attempt("ana", Some(home)).is_ok());
        // Other names from the same address: 3 counted so far, the limit is 5.
        assert!(throttle.attempt("bo", Some(home)).is_ok());
        assert!(throttle.attempt("cy", Some(home)).is_ok());
        assert!(throttle.attempt("dan", Some(home)).is_err());
        assert!(
            throttle.attempt("dan", None).is_ok(),
            "a refusal counts for no one"
        );
        // The same /64 is one address.
        let v6 = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        for i in 0..5 {
            throttle
                .attempt(&format!("v{i}"), v6("2001:db8::1"))
                .unwrap();
        }
        assert!(throttle.attempt("eve", v6("2001:db8::2")).is_err());
        assert!(throttle.attempt("eve", v6("2001:db8:0:1::2")).is_ok());
    }

    #[test]
    fn a_window_ends() {
        let throttle = LoginThrottle::new(LoginLimits {
            window: Duration::from_millis(50),
            ..limits()
        });
        for _ in 0..3 {
            throttle.attempt("ana", None).unwrap();
        }
        assert_eq!(throttle.attempt("ana", None), Err(RetryAfter(1)));
        std::thread::sleep(Duration::from_millis(60));
        assert!(throttle.attempt("ana", None).is_ok());
    }

    #[test]
    fn memory_is_bounded_by_the_keys_tracked() {
        let throttle = LoginThrottle::new(limits());
        for i in 0..1_000u32 {
            let address = IpAddr::from(i.to_be_bytes());
            throttle.attempt(&format!("user-{i}"), Some(address)).ok();
        }
        assert_eq!(throttle.tracked(), (4, 4));
    }
}
