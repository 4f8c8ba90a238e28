//! Every table of the order store, in one place: the store creates and migrates them, the modules that read
//! and write a table only use it.

/// Checkouts (CV2, APB, CV1): what the buyer is paying for.
pub(super) const CHECKOUTS: &str = "
CREATE TABLE IF NOT EXISTS checkouts (
    workorder_id TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    items_json TEXT NOT NULL,
    delivery TEXT NOT NULL DEFAULT 'standard',
    created_at INTEGER NOT NULL
);
";

/// Amazon's checkout session of a CV2 checkout (`amazonCheckoutSessionId`, as PAYONE's `getCheckoutSession`
/// answers it), stored when the order is placed: the merchant's reference to find the order in Seller Central.
pub(super) const AMAZON_CHECKOUT_SESSIONS: &str = "
CREATE TABLE IF NOT EXISTS amazon_checkout_sessions (
    workorder_id TEXT PRIMARY KEY,
    checkout_session_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS amazon_checkout_sessions_by_id ON amazon_checkout_sessions (checkout_session_id);
";

/// Every upstream exchange. A plain `INTEGER PRIMARY KEY`: ids still grow in insertion order (rows are never
/// deleted), without AUTOINCREMENT's extra write per insert (see `store/migrate.rs`).
pub(super) const UPSTREAM_CALLS: &str = "
CREATE TABLE IF NOT EXISTS upstream_calls (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    action TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at INTEGER NOT NULL
);
";

/// Orders and their attempts (`orders.rs` reads and writes them).
pub(super) const ORDERS: &str = "
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    workorder_id TEXT NOT NULL,
    flow TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    txid TEXT,
    userid TEXT,
    decline TEXT,
    response_json TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_workorder ON orders (workorder_id);
CREATE INDEX IF NOT EXISTS orders_by_txid ON orders (txid);
";

/// `orders.provider` (SQLite's migration 6, PostgreSQL's too): `payone` or `amazon`, whose API moves the
/// order's money; the orders Amazon Pay direct placed before it existed are those `amazon_orders` knows. A
/// released migration never changes, so this text is not [`ORDERS`]'s.
pub(super) const ORDERS_PROVIDER: &str = "
ALTER TABLE orders ADD COLUMN provider TEXT NOT NULL DEFAULT 'payone';
UPDATE orders SET provider = 'amazon' WHERE id IN (SELECT order_id FROM amazon_orders);
";

/// An index on `amazon_orders.charge_permission_id` (SQLite's migration 7, PostgreSQL's too): the id Seller
/// Central shows an Amazon Pay direct order by, which each of its IPNs looks the order up by exactly
/// (`amazon_order_by_charge_permission`), as `amazon_orders_by_charge` serves the charge's.
pub(super) const AMAZON_CHARGE_PERMISSION_INDEX: &str = "
CREATE INDEX IF NOT EXISTS amazon_orders_by_charge_permission ON amazon_orders (charge_permission_id);
";

/// What an Amazon Pay direct order keeps of its checkout session (SQLite's migration 11, PostgreSQL's too): the
/// buyer and addresses in Amazon's shape (`store/personal.rs`, `NULL` for orders placed before), and their
/// names and e-mail folded for the merchant's search, as `notifications.buyer_search` holds PAYONE's.
pub(super) const AMAZON_ORDERS_PERSONAL: &str = "
ALTER TABLE amazon_orders ADD COLUMN personal TEXT;
ALTER TABLE amazon_orders ADD COLUMN buyer_search TEXT NOT NULL DEFAULT '';
";

/// When each upstream call and notification happened to the millisecond (SQLite's migration 12, PostgreSQL's
/// too): `at` and `received_at` are seconds, too coarse to place them among a page's events in the sandbox
/// harness's log (`/sandbox/inspect/`). `NULL` in the rows written before (read as the second's start).
/// `(table, column)`, each an `INTEGER` column.
pub(super) const EVENT_TIMES_MS: [(&str, &str); 2] = [("upstream_calls", "at_ms"), ("notifications", "received_at_ms")];

/// Orders by state and last change (SQLite's migration 9, PostgreSQL's too): the sweep that gives up orders
/// left `redirected` (`redirect_expiry.rs`) reads only those, however many orders there are.
pub(super) const ORDERS_BY_STATE: &str = "
CREATE INDEX IF NOT EXISTS orders_by_state ON orders (state, updated_at);
";

/// `orders.replaced_by` and `orders.returned_at` (SQLite's migration 10, PostgreSQL's too): the APB order that
/// took a given-up order's place when the same tab placed again (`orders/replaced.rs`), so an authorization
/// that order gets later is released; and when the buyer came back through PAYONE's success URL, after which
/// the order is not given up for a new placement (PAYONE's word on it is on its way).
pub(super) const ORDERS_REPLACED: &str = "
ALTER TABLE orders ADD COLUMN replaced_by TEXT;
ALTER TABLE orders ADD COLUMN returned_at INTEGER;
";

/// `orders.abandon_reason` (SQLite's migration 13, PostgreSQL's too): why this server gave an order up
/// (`orders/abandon.rs`: every path names one, written with the state), so the merchant API, the dashboard and
/// the `order.abandoned` event can say it; NULL for orders never given up (and those an older server gave up
/// on a path that named none).
pub(super) const ORDERS_ABANDON_REASON: &str = "
ALTER TABLE orders ADD COLUMN abandon_reason TEXT;
";

/// The shop the store belongs to, one row (SQLite's migration 14, PostgreSQL's too: `store/shop_identity.rs`).
pub(super) const SHOP_IDENTITY: &str = "
CREATE TABLE IF NOT EXISTS shop_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    shop TEXT NOT NULL,
    claimed_at INTEGER NOT NULL
);
";

/// `orders.payment_status` (SQLite's migration 8, PostgreSQL's too): where the order's money stands
/// (`store/payment_status.rs`), NULL until computed; the rows already there are filled when the store opens.
pub(super) const ORDERS_PAYMENT_STATUS: &str = "
ALTER TABLE orders ADD COLUMN payment_status TEXT;
CREATE INDEX IF NOT EXISTS orders_by_payment_status ON orders (payment_status);
";

/// Every notification received (not refused), once. `id` orders them by arrival: a plain `INTEGER PRIMARY
/// KEY`, as rows are never deleted (no AUTOINCREMENT and its extra write per insert: `store/migrate.rs`).
/// `buyer_search` (what the order search finds of the buyer) is added after this by `store/buyer_search.rs`,
/// for new and old databases alike.
pub(super) const NOTIFICATIONS: &str = "
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,
    txid TEXT NOT NULL,
    txaction TEXT NOT NULL,
    transaction_status TEXT NOT NULL,
    reasoncode TEXT,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
";

/// The CV1 flow's order references (`api/cv1/` reads and writes them).
pub(super) const CV1: &str = "
CREATE TABLE IF NOT EXISTS cv1_sessions (
    workorder_id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    seller_id TEXT NOT NULL,
    amazon_reference_id TEXT
);
CREATE TABLE IF NOT EXISTS cv1_orders (
    order_id TEXT PRIMARY KEY,
    amazon_reference_id TEXT NOT NULL,
    return_path TEXT NOT NULL,
    buyer_json TEXT NOT NULL,
    authentication_status TEXT,
    authorize_json TEXT
);
";

/// When each CheckoutChamp order is next asked about (Order Query, `checkoutchamp/status.rs`), in ms; `NULL`:
/// no longer followed (SQLite's migration 15, PostgreSQL's too). Pending and paid orders the server already
/// had are due at once (their follow-up window still counts from their import), and so is a row an older
/// release inserts during a rolling restart (it does not name the column: the default); a later sweep lets go
/// of what is neither pending nor paid.
pub(super) const CHECKOUTCHAMP_NEXT_QUERY: &str = "
ALTER TABLE checkoutchamp_orders ADD COLUMN next_query_at_ms BIGINT DEFAULT 0;
UPDATE checkoutchamp_orders SET next_query_at_ms = NULL WHERE status NOT IN ('pending', 'complete');
CREATE INDEX checkoutchamp_orders_due ON checkoutchamp_orders (next_query_at_ms) WHERE next_query_at_ms IS NOT NULL;
";

/// Import Orders whose outcome this server does not know (migration 16, `checkoutchamp/orders.rs`): written
/// before each Import Order, removed with its answer; one left means CheckoutChamp did not answer in time (or
/// this server stopped meanwhile) and may have created the order under `reference` (sent as `custom5`), so the
/// next import of the same Amazon order asks Order Query first.
pub(super) const CHECKOUTCHAMP_UNSETTLED: &str = "
CREATE TABLE IF NOT EXISTS checkoutchamp_unsettled (
    amazon_order_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    buyer_user_id TEXT NOT NULL,
    started_at_ms BIGINT NOT NULL
);
";

/// What the merchant API keeps per order beside its keys' answers (migration 17, `store/merchant_marks.rs`): the
/// keys whose call PAYONE gave no usable answer to, and the money actions the provider refused. One row each,
/// inserted if absent, so two instances adding to one order at once both keep theirs.
pub(super) const MERCHANT_MARKS: &str = "
CREATE TABLE IF NOT EXISTS merchant_lost_calls (
    order_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (order_id, idempotency_key)
);
CREATE TABLE IF NOT EXISTS merchant_refusals (
    order_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    at INTEGER NOT NULL,
    provider TEXT NOT NULL,
    action TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (order_id, idempotency_key)
);
";

/// Migration 17's move of the lists releases before it kept in `merchant_requests` as JSON under reserved keys
/// (`lost:<order>`, status 1; `refused:<order>`, status 2; a client's key has no `:`) into [`MERCHANT_MARKS`]'s
/// rows: a listed lost key still unknown (its own row's status 0) with the time it was kept, every refusal under
/// `migrated:<its place in the list>` (their keys were not kept). A list that is not JSON was read as empty, and
/// is dropped.
pub(super) const MERCHANT_MARKS_MOVE: &str = "
INSERT OR IGNORE INTO merchant_lost_calls (order_id, idempotency_key, created_at)
SELECT substr(m.idempotency_key, 6), k.value, r.created_at
FROM merchant_requests m
JOIN json_each(CASE WHEN json_valid(m.response) THEN m.response ELSE '[]' END) k
JOIN merchant_requests r ON r.idempotency_key = k.value AND r.status = 0
WHERE m.idempotency_key LIKE 'lost:%' AND m.status = 1 AND k.type = 'text';
INSERT OR IGNORE INTO merchant_refusals (order_id, idempotency_key, at, provider, action, amount_minor, message)
SELECT substr(m.idempotency_key, 9), 'migrated:' || k.key, coalesce(json_extract(k.value, '$.at'), 0),
    coalesce(json_extract(k.value, '$.provider'), ''), coalesce(json_extract(k.value, '$.action'), ''),
    coalesce(json_extract(k.value, '$.amount'), 0), coalesce(json_extract(k.value, '$.message'), '')
FROM merchant_requests m
JOIN json_each(CASE WHEN json_valid(m.response) THEN m.response ELSE '[]' END) k
WHERE m.idempotency_key LIKE 'refused:%' AND m.status = 2 AND k.type = 'object';
DELETE FROM merchant_requests WHERE (idempotency_key LIKE 'lost:%' AND status = 1) OR (idempotency_key LIKE 'refused:%' AND status = 2);
";

/// Import Upsales whose outcome this server does not know (migration 18, `checkoutchamp/orders.rs`): one an
/// order and product at most, written before the Import Upsale, removed with its answer; one left means
/// CheckoutChamp may have added the product (and charged Amazon), so only the press with the same
/// `idempotency_key` may send it again, after Order Query shows more of the product than `quantity_before`.
pub(super) const CHECKOUTCHAMP_UNSETTLED_UPSALES: &str = "
CREATE TABLE IF NOT EXISTS checkoutchamp_unsettled_upsales (
    order_id TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    quantity_before BIGINT NOT NULL,
    started_at_ms BIGINT NOT NULL,
    PRIMARY KEY (order_id, product_id)
);
";

/// CheckoutChamp orders and upsells (`checkoutchamp/orders.rs` reads and writes them).
pub(super) const CHECKOUTCHAMP_ORDERS: &str = "
CREATE TABLE IF NOT EXISTS checkoutchamp_orders (
    order_id TEXT PRIMARY KEY,
    amazon_order_id TEXT NOT NULL,
    buyer_user_id TEXT NOT NULL,
    recurring INTEGER NOT NULL,
    status TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS checkoutchamp_orders_by_amazon ON checkoutchamp_orders (amazon_order_id);
CREATE TABLE IF NOT EXISTS checkoutchamp_imports (
    idempotency_key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    order_id TEXT NOT NULL,
    response_json TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
";

/// The shop's pages one checkout asked for (`return_urls.rs`), kept for the buyer's return after Amazon's pages.
pub(super) const RETURN_PAGES: &str = "
CREATE TABLE IF NOT EXISTS return_pages (
    workorder_id TEXT PRIMARY KEY,
    pages_json TEXT NOT NULL
);
";

/// The outbox and the merchant side (`store/events.rs`, `store/order_view.rs`, `merchant/`): events, webhook
/// deliveries and their attempts, money moved, the merchant API's idempotency keys, second authorizations.
pub(super) const EVENTS: &str = "
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    order_id TEXT NOT NULL,
    order_sequence INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_by_order ON events (order_id, order_sequence);
CREATE TABLE IF NOT EXISTS webhook_cursors (
    url TEXT PRIMARY KEY,
    last_seq INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    event_seq INTEGER NOT NULL,
    url TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at_ms INTEGER NOT NULL,
    PRIMARY KEY (event_seq, url)
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (state, next_at_ms);
CREATE TABLE IF NOT EXISTS webhook_attempts (
    id INTEGER PRIMARY KEY,
    event_seq INTEGER NOT NULL,
    url TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    status INTEGER,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_attempts_by_event ON webhook_attempts (event_seq);
CREATE TABLE IF NOT EXISTS order_payments (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    sequencenumber INTEGER NOT NULL,
    reason TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS order_payments_by_order ON order_payments (order_id);
CREATE TABLE IF NOT EXISTS duplicate_authorizations (
    order_id TEXT PRIMARY KEY,
    other_order_id TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT,
    detected_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS merchant_requests (
    idempotency_key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
";

/// Amazon Pay direct (`--provider amazon`, `amazon/records.rs`): the Amazon checkout session of each of our
/// checkouts, the session, charge permission and charge of each order, refunds, and every IPN once.
pub(super) const AMAZON: &str = "
CREATE TABLE IF NOT EXISTS amazon_checkouts (
    workorder_id TEXT PRIMARY KEY,
    checkout_session_id TEXT NOT NULL UNIQUE,
    bound_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS amazon_orders (
    order_id TEXT PRIMARY KEY,
    checkout_session_id TEXT NOT NULL,
    charge_permission_id TEXT,
    charge_id TEXT,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS amazon_orders_by_charge ON amazon_orders (charge_id);
CREATE INDEX IF NOT EXISTS amazon_orders_by_session ON amazon_orders (checkout_session_id);
CREATE TABLE IF NOT EXISTS amazon_refunds (
    refund_id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS amazon_notifications (
    message_id TEXT PRIMARY KEY,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
";
