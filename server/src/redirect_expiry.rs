//! Gives up orders whose buyer never came back from Amazon's pages: an order stays `redirected` while the
//! buyer is there (confirming, multi-factor authentication), and nothing else moves it when the tab is
//! closed, or when a reloaded APB page placed a new order instead without naming it (an older widget; this
//! one names it, and it is given up at once: `orders/replaced.rs`). After `--redirected-expiry-seconds`
//! (default Amazon's 24 hours, after which Amazon cancels the checkout session) it becomes `abandoned`, with
//! its `order.abandoned` event, like any other move there. PAYONE's or Amazon's later word still wins
//! (`orders::next_state`, `amazon::states::advance`). Every instance sweeps; the store's conditional update
//! gives each order up once.

use crate::orders::ABANDON_BATCH;
use crate::store::Store;
use std::time::Duration;

/// How often to look: a tenth of the expiry, between 100 ms (tests) and a minute.
pub fn sweep_every(expiry: Duration) -> Duration {
    (expiry / 10).clamp(Duration::from_millis(100), Duration::from_secs(60))
}

/// One sweep: every order `redirected` for longer than `expiry`, in batches; how many were given up.
pub async fn sweep(store: &Store, expiry: Duration) -> Result<usize, crate::store::StoreError> {
    let before = crate::store::now() - i64::try_from(expiry.as_secs()).unwrap_or(i64::MAX);
    let mut total = 0;
    loop {
        let given_up = store.abandon_stale_redirected(before, ABANDON_BATCH).await?;
        for id in &given_up {
            tracing::info!(order = %id, "order given up: the buyer did not come back from Amazon's pages in time");
        }
        total += given_up.len();
        if given_up.len() < ABANDON_BATCH {
            return Ok(total);
        }
    }
}

/// Sweeps every [`sweep_every`] for as long as the server runs.
pub fn spawn(store: Store, expiry: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(err) = sweep(&store, expiry).await {
                tracing::warn!(%err, "redirected orders not swept; trying again");
            }
            tokio::time::sleep(sweep_every(expiry)).await;
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
