//! What this server imported into CheckoutChamp, in the SQLite store: orders (so upsales only reach orders we
//! created, for the same Amazon buyer) and idempotency keys (so a double click imports one order).
//!
//! Only successful imports are written, in one transaction with their idempotency key. A decline writes no
//! order (the attempt is still in `upstream_calls`), so the same key can be retried once the buyer has picked
//! another payment method. An Import Order is noted as unsettled before it is sent and the note removed with
//! its answer: one whose answer never came is looked up with Order Query before the Amazon order is imported
//! again (`api/checkoutchamp.rs`); an Import Upsale likewise, asked about with Order Query on its order. The
//! status sweep lets go of notes nobody asked about within [`Follow::notes_for_ms`].

use super::types::{stored_status, CrmOrder};
use crate::store::db::{params, Conn, DbError, OptionalExtension};
use crate::store::{now, Store, StoreError};
use amazon_pay_contract::checkoutchamp::{CrmOrderStatus, ImportOrderResponse};
use amazon_pay_contract::Money;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An order this server imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedOrder {
    /// The order id.
    pub order_id: String,
    /// The amazon order id.
    pub amazon_order_id: String,
    /// The Amazon account (`amzn1.account.…`) whose token imported it.
    pub buyer_user_id: String,
    /// Whether recurring.
    pub recurring: bool,
    /// The status.
    pub status: String,
    /// The total.
    pub total: Money,
}

/// A finished import, replayed for a repeated idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImport {
    /// `order` or `upsale`.
    pub kind: String,
    /// Digest of what was asked; a key reused for something else is refused.
    pub fingerprint: String,
    /// The order id.
    pub order_id: String,
    /// The response.
    pub response: ImportOrderResponse,
}

/// How the status sweep follows orders (`checkoutchamp/status.rs`): when an order is next due for Order Query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Follow {
    /// A `pending` order: every this many ms (`CHECKOUTCHAMP_STATUS_EVERY_MS`).
    pub pending_every_ms: i64,
    /// A paid (`complete`) order: every this many ms (`CHECKOUTCHAMP_FOLLOW_PAID_EVERY_MS`) ...
    pub paid_every_ms: i64,
    /// ... for this many ms after its import (`CHECKOUTCHAMP_FOLLOW_PAID_DAYS`; 0: never).
    pub paid_for_ms: i64,
    /// An import or upsale that got no answer is noted (with the buyer's Amazon account) for this many ms after it
    /// was sent, then let go by the sweep: `AMAZON_PAY_PLACING_EXPIRY_SECONDS`, after which the server gives up
    /// any placement that got no answer.
    pub notes_for_ms: i64,
}

impl Follow {
    /// From the CheckoutChamp settings.
    pub fn of(config: &crate::config::CheckoutChampConfig) -> Follow {
        let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        Follow {
            pending_every_ms: ms(config.status_every),
            paid_every_ms: ms(config.paid_every),
            paid_for_ms: ms(config.paid_for),
            notes_for_ms: ms(std::time::Duration::from_secs(crate::config::DEFAULT_PLACING_EXPIRY_SECONDS)),
        }
    }

    /// As [`Follow::of`], with the notes kept for the server's `placing_expiry`.
    pub fn of_server(config: &crate::config::CheckoutChampConfig, placing_expiry: std::time::Duration) -> Follow {
        Follow { notes_for_ms: i64::try_from(placing_expiry.as_millis()).unwrap_or(i64::MAX), ..Follow::of(config) }
    }

    /// When an order of `status` imported (or last changed) at `now_ms` is first due: a pending one at the next
    /// sweep, a paid one a paid period later (if it is followed at all), any other never.
    fn first_due(&self, status: &str, now_ms: i64) -> Option<i64> {
        match status {
            "pending" => Some(now_ms),
            "complete" if self.paid_for_ms > 0 => Some(now_ms.saturating_add(self.paid_every_ms)),
            _ => None,
        }
    }
}

impl Default for Follow {
    fn default() -> Self {
        Follow::of(&crate::config::CheckoutChampConfig::sandbox())
    }
}

/// The orders due at `?1`, up to `?2`: pending ones first, then the longest due.
const DUE: &str = "SELECT order_id FROM checkoutchamp_orders WHERE next_query_at_ms IS NOT NULL AND next_query_at_ms <= ?1
     ORDER BY CASE WHEN status = 'pending' THEN 0 ELSE 1 END, next_query_at_ms, order_id LIMIT ?2";

/// An order a sweep claimed: asked about once by this instance in this period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The order id.
    pub order_id: String,
    /// Its stored status when claimed (`pending` or `complete`): what Order Query's answer is compared with.
    pub status: String,
}

/// An Import Order whose answer never came (a timeout, a broken connection, an unreadable answer, or this server
/// stopped meanwhile): CheckoutChamp may have created the order, tagged with `reference` (`custom5`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsettled {
    /// What the import sent as `custom5`: Order Query's answer is searched for it.
    pub reference: String,
    /// The Amazon account whose token sent it: only that buyer's next import asks about it.
    pub buyer_user_id: String,
    /// When it was sent (ms): Order Query is asked from that day on.
    pub started_at_ms: i64,
}

/// An Import Upsale whose answer never came: CheckoutChamp may have added the product to the order and charged
/// Amazon for it. Only the press with the same key asks (Order Query on the order) and then sends it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsettledUpsale {
    /// The key of the press that sent it.
    pub idempotency_key: String,
    /// What that press asked for (the key's fingerprint).
    pub fingerprint: String,
    /// How much of the product the order had before, as CheckoutChamp last answered this server: Order Query
    /// showing more means the upsale was added (`docs/api.md` says what is inferred).
    pub quantity_before: u64,
    /// When it was last sent (ms): the note is let go [`Follow::notes_for_ms`] later.
    pub started_at_ms: i64,
}

/// How much of `product_id` `lines` hold, whichever way CheckoutChamp lists an upsale (a line of its own, or
/// more of a line the order has).
pub fn quantity_of(lines: &[amazon_pay_contract::checkoutchamp::CrmOrderLine], product_id: u32) -> u64 {
    lines.iter().filter(|l| l.product_id == product_id).map(|l| u64::from(l.quantity)).sum()
}

/// The CheckoutChamp tables in the shared store.
#[derive(Clone)]
pub struct CheckoutChampOrders {
    store: Store,
    follow: Follow,
}

fn status_text(response: &ImportOrderResponse) -> String {
    serde_json::to_value(response.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn response_json(response: &ImportOrderResponse) -> Result<String, StoreError> {
    serde_json::to_string(response).map_err(|e| StoreError::Db(DbError::Encode(e.to_string())))
}

impl CheckoutChampOrders {
    /// The imported orders kept in `store`, followed as the sandbox's defaults say.
    pub fn new(store: Store) -> Self {
        CheckoutChampOrders::following(store, Follow::default())
    }

    /// The imported orders kept in `store`, followed as `follow` says.
    pub fn following(store: Store, follow: Follow) -> Self {
        CheckoutChampOrders { store, follow }
    }

    /// The import done under `key`, if any.
    pub fn import_by_key(&self, key: &str) -> Result<Option<StoredImport>, StoreError> {
        let row = self.store.read(|c| {
            c.query_row("SELECT kind, fingerprint, order_id, response_json FROM checkoutchamp_imports WHERE idempotency_key = ?1", [key], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })
            .optional()
        })?;
        row.map(|(kind, fingerprint, order_id, json)| {
            let response = serde_json::from_str(&json).map_err(|e| StoreError::Db(DbError::conversion(3, e)))?;
            Ok(StoredImport { kind, fingerprint, order_id, response })
        })
        .transpose()
    }

    /// The stored answer of the one-time order imported for `amazon_order_id` (an order reference is charged
    /// once, whatever key a reloaded page sends). Two reads need no snapshot: an import's row is written once
    /// and never changed or removed, so the second finds what the first pointed to.
    pub fn one_time_import_for(&self, amazon_order_id: &str) -> Result<Option<StoredImport>, StoreError> {
        let key: Option<String> = self.store.read(|c| {
            c.query_row(
                "SELECT i.idempotency_key FROM checkoutchamp_imports i JOIN checkoutchamp_orders o ON o.order_id = i.order_id
                 WHERE o.amazon_order_id = ?1 AND o.recurring = 0 AND i.kind = 'order' LIMIT 1",
                [amazon_order_id],
                |r| r.get(0),
            )
            .optional()
        })?;
        match key {
            Some(key) => self.import_by_key(&key),
            None => Ok(None),
        }
    }

    /// The Import Order of `amazon_order_id` whose answer never came, if any.
    pub fn unsettled(&self, amazon_order_id: &str) -> Result<Option<Unsettled>, StoreError> {
        self.store.read(|c| {
            c.query_row(
                "SELECT reference, buyer_user_id, started_at_ms FROM checkoutchamp_unsettled WHERE amazon_order_id = ?1",
                [amazon_order_id],
                |r| Ok(Unsettled { reference: r.get(0)?, buyer_user_id: r.get(1)?, started_at_ms: r.get(2)? }),
            )
            .optional()
        })
    }

    /// Notes an Import Order about to be sent, before it is: if its answer never comes (or this server stops
    /// first), the next import of `amazon_order_id` asks CheckoutChamp for it instead of importing again.
    pub async fn begin_import(&self, amazon_order_id: &str, unsettled: &Unsettled) -> Result<(), StoreError> {
        let (id, u) = (amazon_order_id.to_owned(), unsettled.clone());
        self.store
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO checkoutchamp_unsettled (amazon_order_id, reference, buyer_user_id, started_at_ms) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT(amazon_order_id) DO UPDATE SET reference = excluded.reference,
                       buyer_user_id = excluded.buyer_user_id, started_at_ms = excluded.started_at_ms",
                )?
                .execute(params![id, u.reference, u.buyer_user_id, u.started_at_ms])
                .map(drop)
            })
            .await
    }

    /// CheckoutChamp answered the Import Order of `amazon_order_id` with no order (a decline, a refusal), or
    /// Order Query found none: nothing is left to ask about.
    pub async fn settle_import(&self, amazon_order_id: &str) -> Result<(), StoreError> {
        let id = amazon_order_id.to_owned();
        self.store
            .write(move |c| c.prepare_cached("DELETE FROM checkoutchamp_unsettled WHERE amazon_order_id = ?1")?.execute(params![id]).map(drop))
            .await
    }

    /// The Import Upsale of `product_id` on `order_id` whose answer never came, if any.
    pub fn unsettled_upsale(&self, order_id: &str, product_id: u32) -> Result<Option<UnsettledUpsale>, StoreError> {
        self.store.read(|c| {
            c.query_row(
                "SELECT idempotency_key, fingerprint, quantity_before, started_at_ms FROM checkoutchamp_unsettled_upsales
                 WHERE order_id = ?1 AND product_id = ?2",
                params![order_id, i64::from(product_id)],
                |r| {
                    let before: i64 = r.get(2)?;
                    Ok(UnsettledUpsale {
                        idempotency_key: r.get(0)?,
                        fingerprint: r.get(1)?,
                        quantity_before: u64::try_from(before).map_err(|e| DbError::conversion(2, e))?,
                        started_at_ms: r.get(3)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Notes an Import Upsale of `product_id` on `order_id` about to be sent, before it is. `false` (nothing
    /// written) when another key's upsale of it is noted: that one may have charged Amazon already.
    pub async fn begin_upsale(&self, order_id: &str, product_id: u32, note: &UnsettledUpsale) -> Result<bool, StoreError> {
        let (id, n) = (order_id.to_owned(), note.clone());
        let before = i64::try_from(n.quantity_before).unwrap_or(i64::MAX);
        self.store
            .write(move |c| {
                let written = c
                    .prepare_cached(
                        "INSERT INTO checkoutchamp_unsettled_upsales
                         (order_id, product_id, idempotency_key, fingerprint, quantity_before, started_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                         ON CONFLICT(order_id, product_id) DO UPDATE SET started_at_ms = excluded.started_at_ms
                         WHERE checkoutchamp_unsettled_upsales.idempotency_key = excluded.idempotency_key",
                    )?
                    .execute(params![id, i64::from(product_id), n.idempotency_key, n.fingerprint, before, n.started_at_ms])?;
                Ok(written > 0)
            })
            .await
    }

    /// CheckoutChamp answered the Import Upsale of `product_id` on `order_id` without adding it (a decline, a
    /// refusal): nothing is left to ask about.
    pub async fn settle_upsale(&self, order_id: &str, product_id: u32) -> Result<(), StoreError> {
        let id = order_id.to_owned();
        self.store
            .write(move |c| {
                c.prepare_cached("DELETE FROM checkoutchamp_unsettled_upsales WHERE order_id = ?1 AND product_id = ?2")?
                    .execute(params![id, i64::from(product_id)])
                    .map(drop)
            })
            .await
    }

    /// How much of `product_id` order `order_id` has as CheckoutChamp last answered this server: its latest
    /// stored answer (Import Order, then each Import Upsale, answers the whole order; only upsales add lines, so
    /// the latest is the one with the most lines).
    pub fn known_quantity(&self, order_id: &str, product_id: u32) -> Result<u64, StoreError> {
        let answers: Vec<String> = self.store.read(|c| {
            c.prepare_cached("SELECT response_json FROM checkoutchamp_imports WHERE order_id = ?1")?
                .query_map([order_id], |r| r.get(0))?
                .collect::<crate::store::db::Result<_>>()
        })?;
        let mut latest: Option<ImportOrderResponse> = None;
        for json in answers {
            let answer: ImportOrderResponse = serde_json::from_str(&json).map_err(|e| StoreError::Db(DbError::conversion(0, e)))?;
            if latest.as_ref().is_none_or(|l| answer.items.len() > l.items.len()) {
                latest = Some(answer);
            }
        }
        Ok(latest.map_or(0, |answer| quantity_of(&answer.items, product_id)))
    }

    /// Lets go of the notes of imports and upsales sent before `now_ms` minus [`Follow::notes_for_ms`] that never
    /// got an answer nor a press that asked about them: they hold the buyer's Amazon account, and no page
    /// still waits on them. A note settled by its answer is gone already. Returns how many were let go.
    pub async fn sweep_notes(&self, now_ms: i64) -> Result<usize, StoreError> {
        let before = now_ms.saturating_sub(self.follow.notes_for_ms);
        self.store
            .write(move |c| {
                let imports = c.prepare_cached("DELETE FROM checkoutchamp_unsettled WHERE started_at_ms < ?1")?.execute(params![before])?;
                let upsales = c.prepare_cached("DELETE FROM checkoutchamp_unsettled_upsales WHERE started_at_ms < ?1")?.execute(params![before])?;
                Ok(imports + upsales)
            })
            .await
    }

    /// The imported order `order_id`, if this server imported it.
    pub fn order(&self, order_id: &str) -> Result<Option<ImportedOrder>, StoreError> {
        self.store.read(|c| {
            c.query_row(
                "SELECT order_id, amazon_order_id, buyer_user_id, recurring, status, total_minor, currency
                 FROM checkoutchamp_orders WHERE order_id = ?1",
                [order_id],
                |r| {
                    let currency: String = r.get(6)?;
                    Ok(ImportedOrder {
                        order_id: r.get(0)?,
                        amazon_order_id: r.get(1)?,
                        buyer_user_id: r.get(2)?,
                        recurring: r.get::<_, i64>(3)? != 0,
                        status: r.get(4)?,
                        total: Money::new(r.get(5)?, currency.parse().map_err(|e| DbError::conversion(6, e))?),
                    })
                },
            )
            .optional()
        })
    }

    /// Stores a successful Import Order and its key together.
    pub async fn record_order(
        &self,
        key: &str,
        fingerprint: &str,
        amazon_order_id: &str,
        buyer_user_id: &str,
        recurring: bool,
        response: &ImportOrderResponse,
    ) -> Result<(), StoreError> {
        let json = response_json(response)?;
        let t = now();
        let (status, response) = (status_text(response), response.clone());
        let due = self.follow.first_due(&status, crate::store::now_ms());
        let [key, fingerprint, amazon_order_id, buyer_user_id] = [key, fingerprint, amazon_order_id, buyer_user_id].map(str::to_owned);
        // One write job: both rows or neither.
        self.store
            .write(move |c| {
                c.prepare_cached(
                    "INSERT INTO checkoutchamp_orders
                     (order_id, amazon_order_id, buyer_user_id, recurring, status, total_minor, currency, created_at, updated_at, next_query_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)
                     ON CONFLICT(order_id) DO UPDATE SET status = excluded.status, total_minor = excluded.total_minor,
                       currency = excluded.currency, updated_at = excluded.updated_at, next_query_at_ms = excluded.next_query_at_ms",
                )?
                .execute(params![
                    response.order_id,
                    amazon_order_id,
                    buyer_user_id,
                    recurring as i64,
                    status,
                    response.total.minor,
                    response.total.currency.code(),
                    t,
                    due
                ])?;
                insert_import(c, "order", &key, &fingerprint, &response.order_id, &json, t)?;
                // Its answer came (or Order Query found it): nothing is left to ask about.
                c.prepare_cached("DELETE FROM checkoutchamp_unsettled WHERE amazon_order_id = ?1")?.execute(params![amazon_order_id])?;
                // The outbox, in the same transaction (store/events.rs).
                crate::store::events::record(c, &response.order_id, "order.placed")?;
                match response.status {
                    CrmOrderStatus::Complete => crate::store::events::record(c, &response.order_id, "order.paid"),
                    CrmOrderStatus::Pending => crate::store::events::record(c, &response.order_id, "order.pending"),
                    CrmOrderStatus::Partial | CrmOrderStatus::Declined | CrmOrderStatus::Other => Ok(()),
                }
            })
            .await
    }

    /// Stores a successful Import Upsale of `product_id` (the order's new status and total) and its key
    /// together, and lets go of its note.
    pub async fn record_upsale(&self, key: &str, fingerprint: &str, product_id: u32, response: &ImportOrderResponse) -> Result<(), StoreError> {
        let json = response_json(response)?;
        let t = now();
        let (status, response) = (status_text(response), response.clone());
        // An order already followed keeps its turn; one the upsale made pending or paid is followed from now.
        let due = self.follow.first_due(&status, crate::store::now_ms());
        let (key, fingerprint) = (key.to_owned(), fingerprint.to_owned());
        // One write job: both changes or neither.
        self.store
            .write(move |c| {
                c.prepare_cached(
                    "UPDATE checkoutchamp_orders SET status = ?2, total_minor = ?3, currency = ?4, updated_at = ?5,
                       next_query_at_ms = CASE WHEN CAST(?6 AS BIGINT) IS NULL THEN NULL ELSE coalesce(next_query_at_ms, CAST(?6 AS BIGINT)) END
                     WHERE order_id = ?1",
                )?
                .execute(params![response.order_id, status, response.total.minor, response.total.currency.code(), t, due])?;
                insert_import(c, "upsale", &key, &fingerprint, &response.order_id, &json, t)?;
                c.prepare_cached("DELETE FROM checkoutchamp_unsettled_upsales WHERE order_id = ?1 AND product_id = ?2")?
                    .execute(params![response.order_id, i64::from(product_id)])?;
                crate::store::events::record(c, &response.order_id, "order.updated")
            })
            .await
    }

    /// Claims up to `limit` orders due for Order Query at `now_ms` (pending ones first, then the longest due),
    /// pushing each to its next turn (a pending one a status period on, a paid one a paid period on), in one
    /// write: on PostgreSQL that write holds the store-wide write lock (`store/pg.rs`), so instances sharing the
    /// store claim in turn and never the same order twice in a period; a claimed order whose query fails is
    /// asked again at its next turn. Paid orders past their follow-up window are let go first.
    pub async fn claim_due(&self, now_ms: i64, limit: i64) -> Result<Vec<Claimed>, StoreError> {
        let follow = self.follow;
        // Imported before this (seconds, as `created_at`): a paid order no longer followed.
        let window_start = (now_ms - follow.paid_for_ms).div_euclid(1000);
        self.store
            .write(move |c| {
                c.prepare_cached(
                    "UPDATE checkoutchamp_orders SET next_query_at_ms = NULL
                     WHERE next_query_at_ms IS NOT NULL AND status <> 'pending' AND (status <> 'complete' OR created_at < ?1)",
                )?
                .execute(params![window_start])?;
                let due: Vec<Claimed> = c
                    .prepare_cached(&format!("SELECT order_id, status FROM checkoutchamp_orders WHERE order_id IN ({DUE}) ORDER BY order_id"))?
                    .query_map(params![now_ms, limit], |r| Ok(Claimed { order_id: r.get(0)?, status: r.get(1)? }))?
                    .collect::<crate::store::db::Result<_>>()?;
                // The same orders (this write is serialized: nothing changed them since the read), in one statement.
                c.prepare_cached(&format!(
                    "UPDATE checkoutchamp_orders SET next_query_at_ms = ?1 + CASE WHEN status = 'pending' THEN CAST(?3 AS BIGINT) ELSE CAST(?4 AS BIGINT) END
                     WHERE order_id IN ({DUE})"
                ))?
                .execute(params![now_ms, limit, follow.pending_every_ms, follow.paid_every_ms])?;
                Ok(due)
            })
            .await
    }

    /// Stores what Order Query said of a claimed order, with its event in the same transaction. From `pending`:
    /// `order.paid` when it became `complete`, `order.failed` when Amazon declined it, `order.updated` for any
    /// other change; a refund or cancel made in the CRM (of a paid order, or a pending one cancelled):
    /// `order.refunded` for CheckoutChamp's `REFUNDED`, `order.cancelled` for `CANCELLED` (both stored as
    /// `other`, `types::stored_status`). Only an order still as claimed moves (two instances asking at once
    /// store it once); a paid order stays followed for the rest of its window, any other is let go. Returns the
    /// event, or `None` when nothing changed.
    pub async fn follow(&self, claimed: &Claimed, order: &CrmOrder, now_ms: i64) -> Result<Option<&'static str>, StoreError> {
        let status = stored_status(&order.raw_status);
        if status == claimed.status {
            return Ok(None);
        }
        let raw = order.raw_status.trim().to_ascii_uppercase();
        let event = match (claimed.status.as_str(), status, raw.as_str()) {
            (_, "complete", _) => "order.paid",
            ("pending", "declined", _) => "order.failed",
            (_, _, "REFUNDED") => "order.refunded",
            (_, _, "CANCELLED" | "CANCELED") => "order.cancelled",
            _ => "order.updated",
        };
        let (id, was, total, t) = (order.order_id.clone(), claimed.status.clone(), order.total, now());
        let paid = self.follow;
        let window_start = (now_ms - paid.paid_for_ms).div_euclid(1000);
        let next = match status {
            "pending" => Some(now_ms.saturating_add(paid.pending_every_ms)),
            "complete" if paid.paid_for_ms > 0 => Some(now_ms.saturating_add(paid.paid_every_ms)),
            _ => None,
        };
        self.store
            .write(move |c| {
                let moved = c
                    .prepare_cached(
                        "UPDATE checkoutchamp_orders SET status = ?2, total_minor = ?3, currency = ?4, updated_at = ?5,
                           next_query_at_ms = CASE WHEN ?2 = 'complete' AND created_at < ?7 THEN NULL ELSE CAST(?6 AS BIGINT) END
                         WHERE order_id = ?1 AND status = ?8",
                    )?
                    .execute(params![id, status, total.minor, total.currency.code(), t, next, window_start, was])?;
                if moved == 0 {
                    return Ok(None);
                }
                crate::store::events::record(c, &id, event)?;
                Ok(Some(event))
            })
            .await
    }

    /// When order `order_id` is next due for Order Query (ms), if it is still followed (for tests and the harness).
    pub fn next_query_at(&self, order_id: &str) -> Result<Option<i64>, StoreError> {
        self.store.read(|c| {
            c.query_row("SELECT next_query_at_ms FROM checkoutchamp_orders WHERE order_id = ?1", [order_id], |r| r.get(0))
                .optional()
                .map(Option::flatten)
        })
    }

    /// How many imports are stored (for tests and the harness).
    pub fn import_count(&self) -> Result<i64, StoreError> {
        self.store.read(|c| c.query_row("SELECT COUNT(*) FROM checkoutchamp_imports", [], |r| r.get(0)))
    }
}

/// The idempotency key of a successful import (`kind` is `order` or `upsale`), with the answer it replays.
fn insert_import(c: &Conn<'_>, kind: &str, key: &str, fingerprint: &str, order_id: &str, json: &str, t: i64) -> crate::store::db::Result<()> {
    c.prepare_cached(
        "INSERT INTO checkoutchamp_imports (idempotency_key, kind, fingerprint, order_id, response_json, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![key, kind, fingerprint, order_id, json, t])
    .map(drop)
}

/// Serializes imports that concern the same Amazon order or CRM order, so two clicks (or two tabs) cannot
/// both reach CheckoutChamp: the second waits and then finds the first one's stored answer.
#[derive(Default, Clone)]
pub struct ImportLocks {
    locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl ImportLocks {
    /// The lock for `subject`; hold its guard for the whole import.
    pub fn lock_for(&self, subject: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Forget locks nobody holds, so the map does not grow without bound.
        map.retain(|_, lock| Arc::strong_count(lock) > 1);
        map.entry(subject.to_owned()).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(order_id: &str, total: i64) -> ImportOrderResponse {
        ImportOrderResponse { order_id: order_id.into(), status: CrmOrderStatus::Complete, total: Money::eur(total), items: vec![] }
    }

    #[tokio::test]
    async fn imports_are_stored_with_their_key_and_replayed() {
        let dir = tempfile::tempdir().unwrap();
        let orders = CheckoutChampOrders::new(Store::open(dir.path()).unwrap());
        orders.record_order("k1", "f1", "S02-1", "amzn1.account.A", false, &response("O1", 1290)).await.unwrap();
        let stored = orders.import_by_key("k1").unwrap().unwrap();
        assert_eq!((stored.kind.as_str(), stored.fingerprint.as_str()), ("order", "f1"));
        assert_eq!(stored.response, response("O1", 1290));
        assert_eq!(orders.one_time_import_for("S02-1").unwrap().unwrap().order_id, "O1");
        assert!(orders.record_order("k1", "f1", "S02-1", "amzn1.account.A", false, &response("O2", 1)).await.is_err(), "keys are unique");
        assert!(orders.order("O2").unwrap().is_none(), "a failed insert leaves nothing half-stored");

        orders.record_upsale("k2", "f2", 103, &response("O1", 1740)).await.unwrap();
        let order = orders.order("O1").unwrap().unwrap();
        assert_eq!((order.total, order.buyer_user_id.as_str(), order.recurring), (Money::eur(1740), "amzn1.account.A", false));
        assert_eq!(orders.import_count().unwrap(), 2);
        // Reopening the store keeps everything.
        let reopened = CheckoutChampOrders::new(Store::open(dir.path()).unwrap());
        assert_eq!(reopened.import_by_key("k2").unwrap().unwrap().kind, "upsale");
    }

    fn with_lines(order_id: &str, total: i64, lines: &[(u32, u32)]) -> ImportOrderResponse {
        let line = |&(product_id, quantity): &(u32, u32)| amazon_pay_contract::checkoutchamp::CrmOrderLine {
            product_id,
            name: String::new(),
            quantity,
            price: Money::eur(100),
        };
        ImportOrderResponse { items: lines.iter().map(line).collect(), ..response(order_id, total) }
    }

    #[tokio::test]
    async fn an_upsale_note_belongs_to_one_key_and_goes_with_its_answer() {
        let dir = tempfile::tempdir().unwrap();
        let orders = CheckoutChampOrders::new(Store::open(dir.path()).unwrap());
        orders.record_order("k1", "f1", "S02-1", "amzn1.account.A", false, &with_lines("O1", 1290, &[(101, 1)])).await.unwrap();
        assert_eq!((orders.known_quantity("O1", 101).unwrap(), orders.known_quantity("O1", 103).unwrap()), (1, 0));
        let note = UnsettledUpsale { idempotency_key: "u1".into(), fingerprint: "fu".into(), quantity_before: 0, started_at_ms: 1 };
        assert!(orders.begin_upsale("O1", 103, &note).await.unwrap());
        assert!(orders.begin_upsale("O1", 103, &UnsettledUpsale { started_at_ms: 2, ..note.clone() }).await.unwrap(), "its own key again");
        assert_eq!(orders.unsettled_upsale("O1", 103).unwrap(), Some(UnsettledUpsale { started_at_ms: 2, ..note.clone() }));
        let other = UnsettledUpsale { idempotency_key: "u2".into(), ..note.clone() };
        assert!(!orders.begin_upsale("O1", 103, &other).await.unwrap(), "another key's is refused");
        assert_eq!(orders.unsettled_upsale("O1", 103).unwrap().unwrap().idempotency_key, "u1", "and changes nothing");
        assert!(orders.begin_upsale("O1", 101, &other).await.unwrap(), "another product is another upsale");

        orders.record_upsale("u1", "fu", 103, &with_lines("O1", 1740, &[(101, 1), (103, 1)])).await.unwrap();
        assert!(orders.unsettled_upsale("O1", 103).unwrap().is_none(), "settled with its answer");
        assert_eq!(orders.known_quantity("O1", 103).unwrap(), 1, "the latest answer counts");
        orders.settle_upsale("O1", 101).await.unwrap();
        assert!(orders.unsettled_upsale("O1", 101).unwrap().is_none());
        assert_eq!(quantity_of(&with_lines("O1", 0, &[(103, 2), (101, 1), (103, 1)]).items, 103), 3, "lines of its own or more of one");
    }
}
