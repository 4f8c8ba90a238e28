//! Follows the orders CheckoutChamp imported: Amazon authorizes asynchronously (`PENDING`), and the merchant
//! refunds or cancels in the CRM, which learns it all but tells nobody. CheckoutChamp's API offers Order Query
//! (`order/query`) to read an order's current status; nothing in its documented API pushes a change to the
//! integrator. So the server asks: every `CHECKOUTCHAMP_STATUS_EVERY_MS` a sweep claims the orders that are due
//! (`CheckoutChampOrders::claim_due`, up to [`BATCH`]): a `pending` order once a period, a paid (`complete`)
//! one once every `CHECKOUTCHAMP_FOLLOW_PAID_EVERY_MS` for `CHECKOUTCHAMP_FOLLOW_PAID_DAYS` after its import.
//! It stores what changed with its event (`CheckoutChampOrders::follow`). Each order's next turn is in the
//! store, claimed in one serialized write: several instances on one PostgreSQL database sweep in turn and ask
//! about each order once a period between them, not once each. Each sweep also lets go of the notes of imports
//! and upsales that got no answer once they are older than `AMAZON_PAY_PLACING_EXPIRY_SECONDS` (they hold the
//! buyer's Amazon account).

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
    /// Notes of imports and upsales that got no answer, let go after `Follow::notes_for_ms`.
    pub notes_let_go: usize,
}

/// Claims the orders due and asks CheckoutChamp about them, `batch` a sweep (the rest stay due for the next).
#[derive(Debug, Clone)]
pub struct Sweeper {
    batch: i64,
}

impl Sweeper {
    /// A sweeper asking about up to `batch` orders a sweep ([`BATCH`] in the server).
    pub fn new(batch: i64) -> Sweeper {
        Sweeper { batch: batch.max(1) }
    }

    /// One sweep now.
    pub async fn sweep(&mut self, cc: &CheckoutChamp) -> Result<Swept, SweepError> {
        self.sweep_at(cc, crate::store::now_ms()).await
    }

    /// One sweep as if the clock said `now_ms` (tests step through periods without waiting).
    pub async fn sweep_at(&mut self, cc: &CheckoutChamp, now_ms: i64) -> Result<Swept, SweepError> {
        let mut swept = Swept { notes_let_go: cc.orders.sweep_notes(now_ms).await?, ..Swept::default() };
        if swept.notes_let_go > 0 {
            tracing::info!(notes = swept.notes_let_go, "CheckoutChamp imports and upsales nobody asked about again were let go");
        }
        let claimed = cc.orders.claim_due(now_ms, self.batch).await?;
        for claim in claimed {
            swept.asked += 1;
            let order = match cc.client.query_order(&claim.order_id).await {
                Ok(order) => order,
                Err(err) => {
                    swept.failed += 1;
                    log_failed(&claim.order_id, &err);
                    continue;
                }
            };
            if let Some(event) = cc.orders.follow(&claim, &order, now_ms).await? {
                swept.changed += 1;
                tracing::info!(order = %claim.order_id, status = %order.raw_status, event, "CheckoutChamp order changed");
            }
        }
        Ok(swept)
    }
}

fn log_failed(id: &str, err: &CrmError) {
    // The order stays as it is and is asked about again at its next turn; a configuration refusal needs the operator.
    match err {
        CrmError::Configuration(_) => tracing::error!(order = %id, error = %err, "cannot query a CheckoutChamp order"),
        _ => tracing::warn!(order = %id, error = %err, "cannot query a CheckoutChamp order; asking again at its next turn"),
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
