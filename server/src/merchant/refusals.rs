//! The money actions PAYONE refused (`payone_refused`): nothing moved, but the merchant
//! was told, so the order's timeline shows the refusal beside the money that did move. Kept in
//! `merchant_requests` under `refused:<order id>` (as the lost calls' `lost:<order id>`: a key no client can
//! send, theirs have no `:`), one list per order: no schema change, the same on the file store and PostgreSQL.

use crate::store::db::{params, Conn, OptionalExtension, Result};
use crate::store::now;

/// `merchant_requests.status` of an order's list of refusals (`0` is a lost call, `1` the lost keys).
const REFUSALS: u16 = 2;

fn row(order: &str) -> String {
    format!("refused:{order}")
}

/// One refusal: when, what was asked (`capture`, `refund`, `cancel`; the amount in minor units) and what the
/// provider said.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Refusal {
    pub at: i64,
    pub provider: String,
    pub action: String,
    pub amount: i64,
    pub message: String,
}

impl Refusal {
    pub(super) fn new(provider: &str, action: &str, amount: i64, message: &str) -> Refusal {
        Refusal { at: now(), provider: provider.into(), action: action.into(), amount, message: message.into() }
    }
}

/// Adds `refusal` to `order`'s list, in the transaction that keeps the refusing answer for its key.
pub(super) fn record(c: &Conn<'_>, order: &str, refusal: Refusal) -> Result<()> {
    let mut all = of_order(c, order)?;
    all.push(refusal);
    let listed = serde_json::to_string(&all).unwrap_or_default();
    c.prepare_cached("DELETE FROM merchant_requests WHERE idempotency_key = ?1")?.execute([row(order)])?;
    c.prepare_cached("INSERT INTO merchant_requests (idempotency_key, fingerprint, status, response, created_at) VALUES (?1, '', ?2, ?3, ?4)")?
        .execute(params![row(order), REFUSALS, listed, now()])?;
    Ok(())
}

/// `order`'s refusals, oldest first.
pub(super) fn of_order(c: &Conn<'_>, order: &str) -> Result<Vec<Refusal>> {
    let listed: Option<String> =
        c.prepare_cached("SELECT response FROM merchant_requests WHERE idempotency_key = ?1")?.query_row([row(order)], |r| r.get(0)).optional()?;
    Ok(listed.and_then(|l| serde_json::from_str(&l).ok()).unwrap_or_default())
}
