//! Gives up orders whose buyer never came back from Amazon's pages: an order stays `redirected` while the
//! buyer is there (confirming, multi-factor authentication), and nothing else moves it when the tab is
//! closed, or when a reloaded APB page placed a new order instead without naming it (an older widget; this
//! one names it, and it is given up at once: `orders/replaced.rs`). After `--redirected-expiry-seconds`
//! (default Amazon's 24 hours, after which Amazon cancels the checkout session) it becomes `abandoned`, with
//! its `order.abandoned` event, like any other move there. PAYONE's or Amazon's later word still wins
//! (`orders::next_state`, `amazon::states::advance`). Every instance sweeps; the store's conditional update
//! gives each order up once.
//!
//! The same sweep closes orders left `placing`: the instance placing them died (or the shutdown deadline cut
//! it off) before the provider's answer was stored. For PAYONE, a transaction that exists announces itself: its
//! TransactionStatus is resent until `TSOK`, for at most 48 hours, and moves the order. So an order still
//! `placing` after `--placing-expiry-seconds` (default 49 hours) had nothing charged; it becomes `abandoned`
//! with the reason `placement_cut_off`, and a notification later still wins (`orders::next_state`). For Amazon
//! Pay direct, `placing` means the buyer never got Amazon's redirect URL (CV2) or button (APB), and only this
//! server completes a checkout session (`api/amazon/result.rs`, which needs that redirect), so nothing can
//! have been charged either; Amazon is not asked, its answer could not change that.

use crate::orders::{Stale, ABANDON_BATCH};
use crate::store::Store;
use std::time::Duration;

/// How often to look: a tenth of the expiry, between 100 ms (tests) and a minute.
pub fn sweep_every(expiry: Duration) -> Duration {
    (expiry / 10).clamp(Duration::from_millis(100), Duration::from_secs(60))
}

/// How long each kind of order may stay where it is before it is given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    /// `redirected` (`--redirected-expiry-seconds`).
    pub redirected: Duration,
    /// `placing` (`--placing-expiry-seconds`).
    pub placing: Duration,
}

impl Expiry {
    /// The server's settings (`--redirected-expiry-seconds`, `--placing-expiry-seconds`).
    pub fn of_config(config: &crate::config::Config) -> Expiry {
        Expiry { redirected: config.redirected_expiry, placing: config.placing_expiry }
    }

    fn of(self, stale: Stale) -> Duration {
        match stale {
            Stale::Redirected => self.redirected,
            Stale::Placing => self.placing,
        }
    }
}

/// One sweep: every order `redirected` or `placing` for longer than its expiry, in batches; how many were
/// given up.
pub async fn sweep(store: &Store, expiry: Expiry) -> Result<usize, crate::store::StoreError> {
    let mut total = 0;
    for stale in [Stale::Redirected, Stale::Placing] {
        let before = crate::store::now() - i64::try_from(expiry.of(stale).as_secs()).unwrap_or(i64::MAX);
        loop {
            let given_up = store.abandon_stale(stale, before, ABANDON_BATCH).await?;
            for id in &given_up {
                match stale {
                    Stale::Redirected => tracing::info!(order = %id, "order given up: the buyer did not come back from Amazon's pages in time"),
                    Stale::Placing => {
                        tracing::warn!(order = %id, "order given up: its placement was cut off and no notification came in time, so nothing was charged")
                    }
                }
            }
            total += given_up.len();
            if given_up.len() < ABANDON_BATCH {
                break;
            }
        }
    }
    Ok(total)
}

/// Sweeps every [`sweep_every`] (of the shorter expiry) for as long as the server runs.
pub fn spawn(store: Store, expiry: Expiry) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = sweep(&store, expiry).await {
                tracing::warn!(%err, "redirected and placing orders not swept; trying again");
            }
            tokio::time::sleep(sweep_every(expiry.redirected.min(expiry.placing))).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_often_enough_but_not_busily() {
        assert_eq!(sweep_every(Duration::from_secs(86_400)), Duration::from_secs(60));
        assert_eq!(sweep_every(Duration::from_secs(100)), Duration::from_secs(10));
        assert_eq!(sweep_every(Duration::from_secs(1)), Duration::from_millis(100));
    }
}
