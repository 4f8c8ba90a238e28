//! Follows the orders CheckoutChamp imported as `PENDING`: Amazon authorizes asynchronously, and the CRM
//! learns the outcome later, but tells nobody. CheckoutChamp's API offers Order Query (`order/query`) to read
//! an order's current status; nothing in its documented API pushes a change to the integrator. So every
//! instance asks, every `CHECKOUTCHAMP_STATUS_EVERY_MS`, about the orders still `pending` (each at most once a
//! period, up to [`BATCH`] a period, going round them all), and stores what changed with its event
//! (`CheckoutChampOrders::follow_pending`, whose conditional update moves an order once however many
//! instances ask).

use super::{CheckoutChamp, CrmError};
use crate::store::StoreError;

/// The most orders asked about in one period: a backlog is worked off over several periods instead of a
/// burst of queries against the CRM's rate limits.
pub const BATCH: i64 = 100;

/// Why a sweep stopped.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The store could not list or update the orders.
    #[error("store: {0}")]
    Store(#[from] StoreError),
}

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    /// Orders asked about.
    pub asked: usize,
    /// Orders whose status changed (each with its event).
    pub changed: usize,
    /// Queries CheckoutChamp did not answer with the order (kept `pending`, asked again next period).
    pub failed: usize,
}

/// Goes round the pending orders, `batch` a sweep: where the next sweep starts is kept here (in memory: a
/// restarted instance starts again from the first, which asks some orders once more, no harm).
#[derive(Debug, Clone)]
pub struct Sweeper {
    batch: i64,
    after: String,
}

impl Sweeper {
    /// A sweeper asking about up to `batch` orders a sweep ([`BATCH`] in the server).
    pub fn new(batch: i64) -> Sweeper {
        Sweeper { batch: batch.max(1), after: String::new() }
    }

    /// One sweep: asks CheckoutChamp about the next `batch` pending orders and stores every change; after the
    /// last one, the next sweep starts from the first again.
    pub async fn sweep(&mut self, cc: &CheckoutChamp) -> Result<Swept, SweepError> {
        let ids = cc.orders.pending_orders(&self.after, self.batch)?;
        self.after = match ids.last() {
            Some(last) if ids.len() as i64 == self.batch => last.clone(),
            _ => String::new(),
        };
        ask(cc, ids).await
    }
}

async fn ask(cc: &CheckoutChamp, ids: Vec<String>) -> Result<Swept, SweepError> {
    let mut swept = Swept::default();
    for id in ids {
        swept.asked += 1;
        let order = match cc.client.query_order(&id).await {
            Ok(order) => order,
            Err(err) => {
                swept.failed += 1;
                log_failed(&id, &err);
                continue;
            }
        };
        if let Some(event) = cc.orders.follow_pending(&order).await? {
            swept.changed += 1;
            tracing::info!(order = %id, status = %order.raw_status, event, "CheckoutChamp order decided");
        }
    }
    Ok(swept)
}

fn log_failed(id: &str, err: &CrmError) {
    // The order stays pending and is asked about again; a configuration refusal needs the operator.
    match err {
        CrmError::Configuration(_) => tracing::error!(order = %id, error = %err, "cannot query a pending CheckoutChamp order"),
        _ => tracing::warn!(order = %id, error = %err, "cannot query a pending CheckoutChamp order; asking again next period"),
    }
}

/// Sweeps every `status_every` for as long as the server runs.
pub fn spawn(cc: CheckoutChamp) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = cc.client.status_every();
        let mut sweeper = Sweeper::new(BATCH);
        loop {
            tokio::time::sleep(every).await;
            if let Err(err) = sweeper.sweep(&cc).await {
                tracing::warn!(%err, "CheckoutChamp status sweep failed; trying again next period");
            }
        }
    })
}
