//! `orders.payment_status`: where an order's money stands (`amazon_pay_contract::merchant::PaymentStatus`, from
//! the amounts `order_view::payone_money` reads: `Money::status`), kept in a column so the merchant's list filters by it with
//! plain SQL on both backends. The state stays what the provider reported (the buyer's confirmation page
//! reads it); a cancel or refund changes this column only.
//!
//! Written again with every change of an order that writes an event (`events::record`, in the same
//! transaction) and with every notification of its transaction (an `appointed` one may say PAYONE captured
//! with the authorization without changing the state). Orders stored before the column existed get it when
//! the store opens ([`backfill`]).

use super::db::{params, Conn, DbError, Result};
use super::order_view::payone_money;
use amazon_pay_contract::merchant::PaymentStatus;

/// Writes the status of order `id` as its money stands in this transaction (nothing for an order of another
/// table: CheckoutChamp's have none).
pub fn refresh(c: &Conn<'_>, id: &str) -> Result<()> {
    let Some(money) = payone_money(c, id)? else { return Ok(()) };
    write(c, id, money.status())
}

/// Writes `status` for order `id`, as its money was just read (by [`refresh`], or `events::record` from the
/// order it writes into the event).
pub fn write(c: &Conn<'_>, id: &str, status: PaymentStatus) -> Result<()> {
    c.prepare_cached("UPDATE orders SET payment_status = ?2 WHERE id = ?1")?.execute(params![id, status.as_str()])?;
    Ok(())
}

/// [`refresh`] for the order of PAYONE transaction `txid`, if there is one.
pub fn refresh_txid(c: &Conn<'_>, txid: &str) -> Result<()> {
    let ids: Vec<String> = c.prepare_cached("SELECT id FROM orders WHERE txid = ?1")?.query_map([txid], |r| r.get(0))?.collect::<Result<_>>()?;
    ids.iter().try_for_each(|id| refresh(c, id))
}

/// Fills the column of the orders that have none (stored before it existed). Returns how many. An order whose
/// row cannot be read (a state this server does not know) keeps none, said in the log, and the store opens.
pub fn backfill(c: &Conn<'_>) -> Result<usize> {
    let ids: Vec<String> = c.prepare("SELECT id FROM orders WHERE payment_status IS NULL")?.query_map([], |r| r.get(0))?.collect::<Result<_>>()?;
    let mut filled = 0;
    for id in &ids {
        match refresh(c, id) {
            Ok(()) => filled += 1,
            Err(e @ DbError::Conversion { .. }) => tracing::warn!(order = %id, error = %e, "store: the order's payment_status left empty"),
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
