//! The merchant's order list: every flow's orders, newest first, filtered, searched and paged by a cursor.
//! Plain SQL on both backends: the buyer's searchable fields are a column (`store/buyer_search.rs`), stored
//! case-folded in Rust, and the pattern is folded the same way, so both backends find the same orders whatever
//! their `lower()` does beyond ASCII (SQLite's nothing, PostgreSQL's what its locale says). `lower()` still
//! folds the ids (ASCII) on both sides, as PostgreSQL's LIKE is case-sensitive.

use super::db::{params, Conn, Result};

/// What the list shows, already validated by its caller.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    /// Only orders in this state.
    pub state: Option<String>,
    /// Only orders whose money stands so (`orders.payment_status`: `cancelled`, `refunded`, ...; CheckoutChamp's
    /// orders have none).
    pub payment_status: Option<String>,
    /// Only orders of this flow (`cv2`, `apb`, `cv1`, `checkoutchamp`).
    pub flow: Option<String>,
    /// Created at or after (Unix seconds).
    pub since: Option<i64>,
    /// Created before (Unix seconds).
    pub until: Option<i64>,
    /// `(created, id)` of the last order of the previous page.
    pub after: Option<(i64, String)>,
    /// Text found anywhere in the order id, PAYONE's txid and workorder, Amazon's order reference (or
    /// checkout session), Amazon Pay direct's charge permission and charge, CheckoutChamp's ids, or the
    /// buyer's name, e-mail and company from PAYONE's notifications (Amazon Pay direct: the buyer's name and
    /// e-mail and the addresses' names its checkout session gave). Taken literally (`%`, `_` and `\` are
    /// no wildcards).
    pub search: Option<String>,
    /// Only the order with this id at Amazon: a CV2 checkout session (through PAYONE or Amazon Pay direct), an
    /// Amazon Pay direct order's charge permission or charge (what Seller Central shows it by), a CV1 order
    /// reference, a CheckoutChamp order's Amazon id. Matched exactly.
    pub amazon_id: Option<String>,
    /// Orders per page.
    pub limit: i64,
}

/// `text` as a LIKE pattern that finds it anywhere, its own wildcards escaped with `\`.
pub fn like_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// `(created, id)` of up to `limit + 1` orders (one more than a page: whether there is a next one).
pub fn page(c: &Conn<'_>, query: &OrderQuery) -> Result<Vec<(i64, String)>> {
    let (after_created, after_id) = query.after.clone().unzip();
    let pattern = query.search.as_deref().map(|text| like_pattern(&super::buyer_search::fold(text)));
    let mut stmt = c.prepare_cached(
        "SELECT id, created_at FROM (
             SELECT o.id, o.flow, o.state, o.payment_status, o.created_at, amazon_id, charge_permission_id, charge_id FROM (
                 SELECT o.*, coalesce(s.checkout_session_id, d.checkout_session_id, v.amazon_reference_id) AS amazon_id,
                        d.charge_permission_id, d.charge_id, d.buyer_search AS amazon_buyer
                 FROM orders o LEFT JOIN amazon_checkout_sessions s ON s.workorder_id = o.workorder_id
                      LEFT JOIN amazon_orders d ON d.order_id = o.id
                      LEFT JOIN cv1_orders v ON v.order_id = o.id) AS o
             WHERE CAST(?8 AS TEXT) IS NULL
                OR lower(o.id || ' ' || coalesce(o.txid, '') || ' ' || o.workorder_id || ' ' || coalesce(amazon_id, '') || ' '
                         || coalesce(charge_permission_id, '') || ' ' || coalesce(charge_id, '')) LIKE lower(?8) ESCAPE '\\'
                OR o.txid IN (SELECT txid FROM notifications WHERE lower(buyer_search) LIKE lower(?8) ESCAPE '\\')
                OR coalesce(amazon_buyer, '') LIKE ?8 ESCAPE '\\'
             UNION ALL
             SELECT order_id, 'checkoutchamp', status, CAST(NULL AS TEXT), created_at, amazon_order_id, CAST(NULL AS TEXT), CAST(NULL AS TEXT) FROM checkoutchamp_orders
             WHERE CAST(?8 AS TEXT) IS NULL
                OR lower(order_id || ' ' || amazon_order_id || ' ' || buyer_user_id) LIKE lower(?8) ESCAPE '\\') AS listed
         WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (CAST(?2 AS TEXT) IS NULL OR flow = ?2)
           AND (CAST(?3 AS BIGINT) IS NULL OR created_at >= ?3) AND (CAST(?4 AS BIGINT) IS NULL OR created_at < ?4)
           AND (CAST(?5 AS BIGINT) IS NULL OR created_at < ?5 OR (created_at = ?5 AND id < ?6))
           AND (CAST(?9 AS TEXT) IS NULL OR amazon_id = ?9 OR charge_permission_id = ?9 OR charge_id = ?9)
           AND (CAST(?10 AS TEXT) IS NULL OR payment_status = ?10)
         ORDER BY created_at DESC, id DESC LIMIT ?7",
    )?;
    let rows = stmt.query_map(
        params![
            query.state,
            query.flow,
            query.since,
            query.until,
            after_created,
            after_id,
            query.limit + 1,
            pattern,
            query.amazon_id,
            query.payment_status
        ],
        |r| Ok((r.get::<_, i64>(1)?, r.get::<_, String>(0)?)),
    )?;
    rows.collect()
}

impl super::Store {
    /// [`page`] in a read of its own (for callers outside the store's transactions, and the tests).
    pub fn order_page(&self, query: &OrderQuery) -> std::result::Result<Vec<(i64, String)>, super::StoreError> {
        self.read(|c| page(c, query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_are_taken_literally() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern("Anna"), "%Anna%");
    }
}
