//! Which Amazon account a Login with Amazon token belongs to, remembered for a few minutes.
//!
//! The lander and upsell pages poll an order's status (1 s growing to 15 s, for 10 minutes), and each read
//! must check that the token's Amazon account is the order's. Asking Amazon's profile endpoint every time
//! costs up to ~50 calls per buyer page (Amazon throttles that API) and Amazon's latency on every poll. So a
//! profile that Amazon *accepted* is remembered here, by token, for [`DEFAULT_LIFETIME`]; a refusal is never
//! stored, and one learnt elsewhere removes the token ([`TokenOwners::forget`]).
//!
//! Only the status read trusts this memory. Import Order needs the buyer's name and e-mail (not kept here),
//! and Import Upsale moves money: it asks Amazon every time, so a token revoked a minute ago adds no charge;
//! both tell this memory what Amazon answered.
//!
//! The key is SHA-256 of the token, never the token: a bearer credential does not sit in the process's memory
//! beyond its request (a heap dump or a debug print of this map hands out none), and every key is 32 bytes
//! whatever the token's length. The lookup need not be constant-time: a hit needs a token with the same
//! SHA-256 (a preimage), so timing the map tells nothing usable about other buyers' tokens, and the map's
//! hasher is std's randomly keyed SipHash, so keys cannot be chosen to collide.

use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long an accepted token's account is trusted: well under a Login with Amazon token's hour, long
/// enough that a page polling at 15 s asks Amazon about once in 20 polls.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// At most this many tokens are remembered (about 150 bytes each); the oldest go first.
pub const DEFAULT_CAPACITY: usize = 10_000;

type Key = [u8; 32];

struct Entry {
    user_id: String,
    at: Instant,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Key, Entry>,
    /// Keys in the order they were stored, with when: the front is the oldest (entries all live equally
    /// long, so also the first to expire). A key stored again leaves a stale pair behind, skipped on eviction.
    order: VecDeque<(Key, Instant)>,
}

/// The token → Amazon account memory; cheap to clone (shared).
#[derive(Clone)]
pub struct TokenOwners {
    inner: Arc<Mutex<Inner>>,
    lifetime: Duration,
    capacity: usize,
    /// Milliseconds added to the system's monotonic clock: moved by [`TokenOwners::advance_clock`] only.
    skew_ms: Arc<AtomicU64>,
}

fn key_of(token: &str) -> Key {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenOwners {
    /// A memory keeping at most `capacity` tokens, each for `lifetime` (zero: nothing is kept).
    pub fn new(lifetime: Duration, capacity: usize) -> Self {
        TokenOwners { inner: Arc::default(), lifetime, capacity, skew_ms: Arc::default() }
    }

    /// This memory's clock: the monotonic clock, plus what [`Self::advance_clock`] added.
    pub fn now(&self) -> Instant {
        Instant::now() + Duration::from_millis(self.skew_ms.load(Ordering::Relaxed))
    }

    /// Moves this memory's clock forward by `by`, so a test sees the lifetime pass without waiting minutes.
    /// Nothing else reads this clock.
    pub fn advance_clock(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.skew_ms.fetch_add(ms, Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Plain data: a panic elsewhere while holding the lock leaves nothing half-done worth refusing over.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The Amazon account `token` belonged to when Amazon last accepted it, if that was less than the lifetime
    /// before `now` (normally [`Self::now`]). Counted as a hit or miss in the metrics.
    pub fn owner(&self, token: &str, now: Instant) -> Option<String> {
        let found = {
            let inner = self.lock();
            inner.entries.get(&key_of(token)).filter(|e| now.saturating_duration_since(e.at) < self.lifetime).map(|e| e.user_id.clone())
        };
        crate::telemetry::metrics::token_owner_lookup(found.is_some());
        found
    }

    /// Amazon accepted `token` as `user_id`'s at `now` (normally [`Self::now`]).
    pub fn remember(&self, token: &str, user_id: &str, now: Instant) {
        if self.lifetime.is_zero() || self.capacity == 0 {
            return;
        }
        let key = key_of(token);
        let mut inner = self.lock();
        inner.entries.insert(key, Entry { user_id: user_id.to_owned(), at: now });
        inner.order.push_back((key, now));
        // Every entry has its pair in `order`, so `entries` never outgrows `order`, nor `order` the capacity.
        while let Some(&(oldest, at)) = inner.order.front() {
            let expired = now.saturating_duration_since(at) >= self.lifetime;
            if inner.order.len() <= self.capacity && !expired {
                break;
            }
            inner.order.pop_front();
            if inner.entries.get(&oldest).is_some_and(|e| e.at == at) {
                inner.entries.remove(&oldest);
            }
        }
    }

    /// Amazon refused `token` (expired, revoked): it is no longer anyone's here.
    pub fn forget(&self, token: &str) {
        self.lock().entries.remove(&key_of(token));
    }

    /// How many tokens are remembered (expired ones not yet evicted included).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for TokenOwners {
    fn default() -> Self {
        TokenOwners::new(DEFAULT_LIFETIME, DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn an_accepted_token_is_trusted_for_the_lifetime_only() {
        let owners = TokenOwners::new(60 * SECOND, 10);
        let t0 = Instant::now();
        assert_eq!(owners.owner("Atza|a", t0), None);
        owners.remember("Atza|a", "amzn1.account.A", t0);
        assert_eq!(owners.owner("Atza|a", t0 + 59 * SECOND).as_deref(), Some("amzn1.account.A"));
        assert_eq!(owners.owner("Atza|a", t0 + 60 * SECOND), None, "after the lifetime Amazon is asked again");
        assert_eq!(owners.owner("Atza|b", t0), None, "another token is not this one");
    }

    #[test]
    fn the_oldest_go_first_and_the_size_stays_bounded() {
        let owners = TokenOwners::new(60 * SECOND, 3);
        let t0 = Instant::now();
        for (i, token) in ["t0", "t1", "t2", "t3"].iter().enumerate() {
            owners.remember(token, &format!("user{i}"), t0 + Duration::from_millis(i as u64));
        }
        assert_eq!(owners.len(), 3);
        assert_eq!(owners.owner("t0", t0), None, "the oldest was evicted");
        assert_eq!(owners.owner("t3", t0).as_deref(), Some("user3"));
        // Storing one token again and again never grows the memory past its bound.
        for i in 0..100 {
            owners.remember("t1", "user1", t0 + Duration::from_millis(10 + i));
        }
        assert!(owners.len() <= 3);
        assert_eq!(owners.owner("t1", t0 + SECOND).as_deref(), Some("user1"));
    }

    #[test]
    fn expired_entries_are_dropped_when_new_ones_come() {
        let owners = TokenOwners::new(60 * SECOND, 100);
        let t0 = Instant::now();
        owners.remember("old", "user0", t0);
        owners.remember("new", "user1", t0 + 61 * SECOND);
        assert_eq!(owners.len(), 1);
    }

    #[test]
    fn a_refused_token_is_forgotten_and_a_zero_lifetime_keeps_nothing() {
        let owners = TokenOwners::new(60 * SECOND, 10);
        let t0 = Instant::now();
        owners.remember("Atza|a", "amzn1.account.A", t0);
        owners.forget("Atza|a");
        assert_eq!(owners.owner("Atza|a", t0), None);
        let off = TokenOwners::new(Duration::ZERO, 10);
        off.remember("Atza|a", "amzn1.account.A", t0);
        assert!(off.is_empty());
    }

    #[test]
    fn the_clock_moves_forward_when_told() {
        let owners = TokenOwners::new(60 * SECOND, 10);
        owners.remember("Atza|a", "amzn1.account.A", owners.now());
        owners.advance_clock(59 * SECOND);
        assert!(owners.owner("Atza|a", owners.now()).is_some());
        owners.advance_clock(SECOND);
        assert_eq!(owners.owner("Atza|a", owners.now()), None);
    }

    #[test]
    fn the_token_itself_is_not_kept() {
        let owners = TokenOwners::new(60 * SECOND, 10);
        owners.remember("Atza|secret-token", "amzn1.account.A", Instant::now());
        let inner = owners.lock();
        let keys: Vec<&Key> = inner.entries.keys().collect();
        assert_eq!(keys, [&key_of("Atza|secret-token")], "the key is the token's SHA-256");
        assert_ne!(&keys[0][..], &b"Atza|secret-token"[..16]);
    }
}
