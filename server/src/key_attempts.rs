//! Wrong merchant API keys counted per client address: after [`KeyAttempts::LIMIT`] wrong keys within
//! [`KeyAttempts::WINDOW`] of the first, the address is refused (429) on every merchant route, a right key
//! included, until that window has passed. Keys are long enough that guessing is hopeless anyway; this takes
//! away the speed, and tells the operator (a warning and `amazon_pay_merchant_key_limit_events_total`).
//!
//! Kept in this process's memory (a guess limit need not survive a restart, nor be shared: behind a balancer of
//! `n` instances an address gets `n` times the limit). The table holds at most [`KeyAttempts::CAP`] addresses;
//! when it is full, addresses whose window has passed go first, then the one whose window started earliest
//! (the nearest to passing anyway), so an attacker with many addresses costs bounded memory and at worst
//! frees its own oldest addresses early. IPv6 addresses count by their /64, which one subscriber usually holds.
//! A leaf: it knows addresses and instants, not requests (`merchant/mod.rs` asks it).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One address's wrong keys in its current window.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// When the window's first wrong key came.
    since: Instant,
    /// Wrong keys since then.
    failures: u32,
}

/// The wrong keys of recent addresses; shared by every request of the process.
#[derive(Debug)]
pub struct KeyAttempts {
    table: Mutex<HashMap<IpAddr, Entry>>,
    limit: u32,
    window: Duration,
    cap: usize,
}

impl Default for KeyAttempts {
    fn default() -> Self {
        KeyAttempts::new(Self::LIMIT, Self::WINDOW, Self::CAP)
    }
}

impl KeyAttempts {
    /// Wrong keys an address may send in one window.
    pub const LIMIT: u32 = 10;
    /// How long a window lasts from its first wrong key.
    pub const WINDOW: Duration = Duration::from_secs(60);
    /// Addresses remembered at most (each entry is a few dozen bytes: well under a megabyte).
    pub const CAP: usize = 10_000;

    /// A table with its own limit, window and cap (tests make them small).
    pub fn new(limit: u32, window: Duration, cap: usize) -> Self {
        KeyAttempts { table: Mutex::new(HashMap::new()), limit: limit.max(1), window, cap: cap.max(1) }
    }

    /// How long `client` must still wait at `now`, when it is refused; `None` lets it through. A lookup in a
    /// map: a request with a right key is not held up.
    pub fn refused(&self, client: IpAddr, now: Instant) -> Option<Duration> {
        let table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        let entry = table.get(&bucket(client))?;
        let ends = entry.since + self.window;
        (entry.failures >= self.limit && now < ends).then(|| ends - now)
    }

    /// Counts one wrong key from `client` at `now`; true when it is the one that reached the limit (the moment
    /// to tell the operator).
    pub fn failed(&self, client: IpAddr, now: Instant) -> bool {
        let key = bucket(client);
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if !table.contains_key(&key) && table.len() >= self.cap {
            let window = self.window;
            table.retain(|_, e| now < e.since + window);
            if table.len() >= self.cap {
                let oldest = table.iter().min_by_key(|(_, e)| e.since).map(|(ip, _)| *ip);
                if let Some(oldest) = oldest {
                    table.remove(&oldest);
                }
                tracing::warn!(cap = self.cap, "merchant API: the table of addresses with wrong keys is full; the oldest is forgotten");
                crate::telemetry::metrics::merchant_key_limit("evicted");
            }
        }
        let entry = table.entry(key).or_insert(Entry { since: now, failures: 0 });
        if now >= entry.since + self.window {
            *entry = Entry { since: now, failures: 0 };
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.failures == self.limit
    }

    /// Wrong keys an address may send in one window (what the log line says).
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// How long a window lasts.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Addresses remembered now.
    pub fn len(&self) -> usize {
        self.table.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether no address is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What an address counts as: itself (IPv4, also written IPv4-mapped), or its /64 (IPv6).
fn bucket(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_limit_refuses_the_address_until_the_window_passes() {
        let attempts = KeyAttempts::new(3, Duration::from_secs(60), 100);
        let t0 = Instant::now();
        let a = ip("203.0.113.9");
        assert!(!attempts.failed(a, t0));
        assert!(!attempts.failed(a, t0 + Duration::from_secs(1)));
        assert_eq!(attempts.refused(a, t0 + Duration::from_secs(2)), None, "under the limit");
        assert!(attempts.failed(a, t0 + Duration::from_secs(2)), "the third reaches it");
        assert_eq!(attempts.refused(a, t0 + Duration::from_secs(10)), Some(Duration::from_secs(50)));
        assert_eq!(attempts.refused(ip("203.0.113.10"), t0 + Duration::from_secs(10)), None, "another address");
        assert_eq!(attempts.refused(a, t0 + Duration::from_secs(60)), None, "the window has passed");
        // A new window: counted from zero again.
        assert!(!attempts.failed(a, t0 + Duration::from_secs(61)));
        assert_eq!(attempts.refused(a, t0 + Duration::from_secs(62)), None);
    }

    #[test]
    fn failures_spread_over_more_than_a_window_are_never_refused() {
        let attempts = KeyAttempts::new(3, Duration::from_secs(60), 100);
        let t0 = Instant::now();
        let a = ip("198.51.100.1");
        for i in 0..10 {
            assert!(!attempts.failed(a, t0 + Duration::from_secs(31 * i)));
            assert_eq!(attempts.refused(a, t0 + Duration::from_secs(31 * i)), None, "attempt {i}");
        }
    }

    #[test]
    fn the_table_stays_within_its_cap_and_forgets_the_oldest_first() {
        let attempts = KeyAttempts::new(1, Duration::from_secs(60), 3);
        let t0 = Instant::now();
        for (i, a) in ["192.0.2.1", "192.0.2.2", "192.0.2.3"].into_iter().enumerate() {
            attempts.failed(ip(a), t0 + Duration::from_secs(i as u64));
        }
        assert_eq!(attempts.len(), 3);
        attempts.failed(ip("192.0.2.4"), t0 + Duration::from_secs(5));
        assert_eq!(attempts.len(), 3, "full: one forgotten for the new one");
        let later = t0 + Duration::from_secs(6);
        assert_eq!(attempts.refused(ip("192.0.2.1"), later), None, "the oldest was forgotten");
        for kept in ["192.0.2.2", "192.0.2.3", "192.0.2.4"] {
            assert!(attempts.refused(ip(kept), later).is_some(), "{kept}");
        }
        // Expired entries go before any live one.
        let much_later = t0 + Duration::from_secs(63);
        attempts.failed(ip("192.0.2.5"), much_later);
        assert_eq!(attempts.len(), 2, "192.0.2.2 and .3 had expired: {:?}", attempts.table.lock().unwrap().keys().collect::<Vec<_>>());
        assert!(attempts.refused(ip("192.0.2.4"), much_later).is_some());
        for i in 0..1000u32 {
            attempts.failed(IpAddr::from(i.to_be_bytes()), much_later);
        }
        assert_eq!(attempts.len(), 3);
    }

    #[test]
    fn an_ipv6_subscriber_counts_as_one_by_its_slash_64() {
        let attempts = KeyAttempts::new(2, Duration::from_secs(60), 100);
        let t0 = Instant::now();
        attempts.failed(ip("2001:db8:1:2::1"), t0);
        attempts.failed(ip("2001:db8:1:2:ffff::9"), t0);
        assert!(attempts.refused(ip("2001:db8:1:2::77"), t0).is_some());
        assert_eq!(attempts.refused(ip("2001:db8:1:3::1"), t0), None, "another /64");
        attempts.failed(ip("::ffff:192.0.2.7"), t0);
        attempts.failed(ip("192.0.2.7"), t0);
        assert!(attempts.refused(ip("192.0.2.7"), t0).is_some(), "IPv4-mapped is the IPv4 address");
    }
}
