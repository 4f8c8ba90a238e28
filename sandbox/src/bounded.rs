//! A map that remembers only its latest entries: what the simulators keep per checkout.
//!
//! Why: every session created in the sandbox left a workorder in the PAYONE simulator and a checkout session in
//! the sandbox's Amazon, forever: 0.4-0.9 KB of resident memory per session, so the 200,000 sessions of one
//! `scripts/bench-load` run took the server far past 64 MB (and each doubling of the maps stalled every creation
//! behind their mutex). Real checkout sessions expire after 24 hours;
//! the sandbox forgets the oldest once it holds [`LATEST`], far more than any buyer or test has open at once.

use std::collections::{HashMap, VecDeque};
use std::ops::Deref;

/// How many entries a [`Latest`] map keeps.
pub(crate) const LATEST: usize = 10_000;

/// A `HashMap` by string key that forgets its oldest insertion beyond a limit. Reads go through `Deref`;
/// writes through [`Latest::insert`] and [`Latest::get_mut`], so nothing can grow it past the limit.
#[derive(Debug)]
pub(crate) struct Latest<V> {
    map: HashMap<String, V>,
    /// Keys in the order they were first inserted, oldest first.
    order: VecDeque<String>,
    limit: usize,
}

impl<V> Default for Latest<V> {
    fn default() -> Self {
        Latest::with_limit(LATEST)
    }
}

impl<V> Latest<V> {
    /// An empty map that keeps at most `limit` entries (at least one).
    pub(crate) fn with_limit(limit: usize) -> Self {
        Latest { map: HashMap::new(), order: VecDeque::new(), limit: limit.max(1) }
    }

    /// Inserts or replaces `key`; a new key beyond the limit makes the oldest one go.
    pub(crate) fn insert(&mut self, key: String, value: V) {
        if let Some(slot) = self.map.get_mut(&key) {
            *slot = value;
            return;
        }
        if self.map.len() >= self.limit {
            if let Some(oldest) = self.order.pop_front() {
                self.map.remove(&oldest);
            }
        }
        self.order.push_back(key.clone());
        self.map.insert(key, value);
    }

    /// The entry for `key`, to change it in place.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.map.get_mut(key)
    }
}

impl<V> Deref for Latest<V> {
    type Target = HashMap<String, V>;

    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_goes_once_the_limit_is_reached() {
        let mut map = Latest::with_limit(2);
        map.insert("a".into(), 1);
        map.insert("b".into(), 2);
        map.insert("c".into(), 3);
        assert_eq!(map.get("a"), None);
        assert_eq!(map.get("b"), Some(&2));
        assert_eq!(map.get("c"), Some(&3));
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn replacing_a_key_keeps_its_place_and_forgets_nothing() {
        let mut map = Latest::with_limit(2);
        map.insert("a".into(), 1);
        map.insert("b".into(), 2);
        map.insert("a".into(), 10);
        if let Some(b) = map.get_mut("b") {
            *b = 20;
        }
        assert_eq!((map.get("a"), map.get("b"), map.len()), (Some(&10), Some(&20), 2));
        map.insert("c".into(), 3);
        assert_eq!(map.get("a"), None, "a was inserted first");
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn the_default_keeps_the_latest_ten_thousand() {
        let mut map = Latest::default();
        for i in 0..LATEST + 5 {
            map.insert(i.to_string(), i);
        }
        assert_eq!(map.len(), LATEST);
        assert_eq!(map.get("4"), None);
        assert_eq!(map.get("5"), Some(&5));
        assert_eq!(map.order.len(), LATEST);
    }
}
