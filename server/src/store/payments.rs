//! Money moved on an order (`order_payments`): captures, refunds and releases through the merchant API, what
//! Amazon captured by itself, and refunds Amazon declined after accepting them. Each is stored with its outbox
//! event on the caller's write connection.

use crate::store::db::{params, Conn};

/// Stores `amount` of `kind` (`capture`, `refund`, `release`, `refund_failed`) for order `id` and event `event`.
pub fn record(c: &Conn<'_>, id: &str, kind: &str, amount: i64, sequence: i64, reason: Option<&str>, event: &str) -> crate::store::db::Result<()> {
    c.prepare_cached(
        "INSERT INTO order_payments (order_id, kind, amount_minor, sequencenumber, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, kind, amount, sequence, reason, crate::store::now()])?;
    c.prepare_cached("UPDATE orders SET updated_at = ?2 WHERE id = ?1")?.execute(params![id, crate::store::now()])?;
    crate::store::events::record(c, id, event)
}
