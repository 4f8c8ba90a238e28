//! The deliveries this process is sending right now: a round claims only what is not already on its way, and
//! at most [`MAX_IN_FLIGHT`] at once. Shared by the worker's rounds, the store's writer thread (which marks a
//! delivery inside the claiming write) and the sending tasks (which release it once its attempt is recorded).

use super::MAX_IN_FLIGHT;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

/// One delivery: the event's sequence number and the URL it goes to.
pub(super) type Key = (i64, String);

#[derive(Clone, Default)]
pub(super) struct InFlight(Arc<Mutex<HashSet<Key>>>);

impl InFlight {
    /// A poisoned lock still holds a valid set (every change is one insert or remove): keep going.
    fn set(&self) -> MutexGuard<'_, HashSet<Key>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many more deliveries may start now.
    pub(super) fn free(&self) -> usize {
        MAX_IN_FLIGHT.saturating_sub(self.set().len())
    }

    /// Marks `key` in flight; false when it already is, or when [`MAX_IN_FLIGHT`] are.
    pub(super) fn take(&self, key: Key) -> bool {
        let mut set = self.set();
        set.len() < MAX_IN_FLIGHT && set.insert(key)
    }

    /// Ends what [`InFlight::take`] marked: the delivery was sent (or never will be by this claim).
    pub(super) fn release<'a>(&self, keys: impl IntoIterator<Item = &'a Key>) {
        let mut set = self.set();
        for key in keys {
            set.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_is_taken_once_until_released() {
        let in_flight = InFlight::default();
        let key = (1, "https://shop.example/hook".to_owned());
        assert!(in_flight.take(key.clone()));
        assert!(!in_flight.take(key.clone()), "already on its way");
        assert_eq!(in_flight.free(), MAX_IN_FLIGHT - 1);
        in_flight.release([&key]);
        assert_eq!(in_flight.free(), MAX_IN_FLIGHT);
        assert!(in_flight.take(key));
    }

    #[test]
    fn no_more_than_the_limit_at_once() {
        let in_flight = InFlight::default();
        for seq in 0..MAX_IN_FLIGHT as i64 {
            assert!(in_flight.take((seq, "u".to_owned())));
        }
        assert_eq!(in_flight.free(), 0);
        assert!(!in_flight.take((-1, "u".to_owned())), "the limit refuses a new one");
    }
}
