//! An APB order given up at once because the same tab placed again (a reload while the buyer was on Amazon's
//! pages, then a second payment): the new placement names the earlier order and proves it comes from the tab
//! that placed it with that order's idempotency key, which only that tab knows (`api/apb.rs`). Without this the
//! earlier order would wait, `redirected`, for the sweep (`redirect_expiry.rs`). The earlier order keeps a link
//! to the one that replaced it (`orders.replaced_by`), so if PAYONE authorizes it after all, that second
//! authorization is released as for two attempts of one checkout (`orders::apply`, `merchant/duplicates.rs`).

use crate::store::db::{params, Conn, OptionalExtension};
use crate::store::{now, Store, StoreError};
use amazon_pay_contract::orders::OrderState;

/// What a new placement's claim on an earlier order did. Only [`Replaced::GivenUp`] changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replaced {
    /// Given up (`abandoned`, reason `replaced`, with its `order.abandoned` event) and linked to the new order.
    GivenUp,
    /// No such order.
    Unknown,
    /// The key is not the one the order was placed with: another tab, or a forged claim.
    WrongKey,
    /// Not an APB order: only APB pages place again on a reload.
    NotApb,
    /// The claim names the new order itself.
    Itself,
    /// Given up before (cancelled on Amazon's pages, declined there, never finished) and now linked to the new
    /// order, so that a late authorization of it is released as a second one of the same purchase.
    Linked,
    /// The buyer came back through PAYONE's success URL: PAYONE's word on it is on its way, it stays.
    Returned,
    /// No longer waiting for the buyer (PAYONE or Amazon moved it, or it was given up before): it stays.
    NotRedirected(OrderState),
}

/// How many replacements [`live_replacement`] follows (each reload of one tab adds one).
const MAX_CHAIN: usize = 16;

impl Store {
    /// Gives up order `id` for order `by`, if `key` is the idempotency key `id` was placed with (compared in
    /// constant time), it is an APB order and it is still `redirected` and not returned from Amazon; an order
    /// given up before is only linked to `by` ([`Replaced::Linked`]). One
    /// conditional update with its event in one transaction, like the sweep's, so a notification that moved
    /// the order first wins and a second claim changes nothing.
    pub async fn give_up_replaced(&self, id: &str, key: &str, by: &str) -> Result<Replaced, StoreError> {
        let (id, key, by) = (id.to_owned(), key.to_owned(), by.to_owned());
        self.write(move |c| {
            let found: Option<(String, String)> = c
                .prepare_cached("SELECT idempotency_key, flow FROM orders WHERE id = ?1")?
                .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let Some((stored_key, flow)) = found else { return Ok(Replaced::Unknown) };
            if !same_key(&stored_key, &key) {
                return Ok(Replaced::WrongKey);
            }
            if flow != "apb" {
                return Ok(Replaced::NotApb);
            }
            if id == by {
                return Ok(Replaced::Itself);
            }
            let moved = c
                .prepare_cached(
                    "UPDATE orders SET state = ?2, replaced_by = ?3, updated_at = ?4, abandon_reason = ?5
                     WHERE id = ?1 AND state = 'redirected' AND returned_at IS NULL",
                )?
                .execute(params![id, OrderState::Abandoned.as_str(), by, now(), super::AbandonReason::Replaced.as_str()])?;
            if moved == 1 {
                crate::store::events::record(c, &id, &crate::store::events::type_for_state(OrderState::Abandoned))?;
                return Ok(Replaced::GivenUp);
            }
            // Given up already (the buyer cancelled on Amazon's pages, then paid again from the same page):
            // Amazon may still authorize it late, so it names its replacement too (the first one only).
            let linked = c
                .prepare_cached("UPDATE orders SET replaced_by = ?2 WHERE id = ?1 AND state = 'abandoned' AND replaced_by IS NULL")?
                .execute(params![id, by])?;
            if linked == 1 {
                return Ok(Replaced::Linked);
            }
            let (state, returned): (String, Option<i64>) =
                c.prepare_cached("SELECT state, returned_at FROM orders WHERE id = ?1")?.query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(match OrderState::parse(&state) {
                Some(OrderState::Redirected) if returned.is_some() => Replaced::Returned,
                Some(state) => Replaced::NotRedirected(state),
                None => Replaced::NotRedirected(OrderState::Placing),
            })
        })
        .await
    }

    /// Records that the buyer of order `id` came back through PAYONE's success URL (the first time only).
    pub async fn mark_returned(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.write(move |c| {
            c.prepare_cached("UPDATE orders SET returned_at = ?2 WHERE id = ?1 AND returned_at IS NULL")?.execute(params![id, now()]).map(drop)
        })
        .await
    }

    /// Whether the buyer of order `id` came back through PAYONE's success URL ([`Store::mark_returned`]).
    pub fn returned(&self, id: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            let at: Option<Option<i64>> =
                c.prepare_cached("SELECT returned_at FROM orders WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
            Ok(at.flatten().is_some())
        })
    }

    /// The order that replaced order `id` and is live now (see [`live_replacement`]).
    pub fn live_replacement(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| live_replacement(c, id))
    }
}

/// The live order (placed, not given up or declined) among those that replaced order `id`, one after another
/// (a tab reloaded twice): the one whose authorization the buyer was told about.
pub(crate) fn live_replacement(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Option<String>> {
    let mut at = id.to_owned();
    for _ in 0..MAX_CHAIN {
        let next: Option<Option<String>> =
            c.prepare_cached("SELECT replaced_by FROM orders WHERE id = ?1")?.query_row([at.as_str()], |r| r.get(0)).optional()?;
        let Some(next) = next.flatten() else { return Ok(None) };
        if let Some(order) = super::order_where(c, "id", &next)? {
            if !order.allows_retry() && order.state != OrderState::Declined {
                return Ok(Some(order.id));
            }
        }
        at = next;
    }
    Ok(None)
}

/// Whether `given` is `stored`, without an early exit on the first differing byte (the length is not secret).
pub(crate) fn same_key(stored: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    stored.as_bytes().ct_eq(given.as_bytes()).into()
}
