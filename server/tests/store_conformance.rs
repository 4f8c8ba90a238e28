//! One set of store tests, run against both backends: SQLite in a temporary directory, and PostgreSQL in a
//! fresh database of the cluster `AMAZON_PAY_TEST_DATABASE_URL` names (`scripts/test` starts one with
//! `scripts/pg-cluster`). Without that variable the PostgreSQL half fails when `AMAZON_PAY_REQUIRE_PG=1`
//! (CI) and is left out otherwise, saying how to run it.

use amazon_pay_contract::cv2::DeliveryOption;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::Money;
use amazon_pay_server::orders::{AbandonReason, Applied, OrderRecord, Received};
use amazon_pay_server::payone::TransactionStatus;
use amazon_pay_server::store::events::Attempt;
use amazon_pay_server::store::merchant_marks::Refusal;
use amazon_pay_server::store::order_list::OrderQuery;
use amazon_pay_server::store::personal::AmazonPersonal;
use amazon_pay_server::store::{Checkout, DatabaseUrl, Store};
use std::time::Duration;

mod support;

/// A fresh, empty database on the test cluster, or `None` (after saying why) when there is no cluster.
async fn fresh_pg_url() -> Option<String> {
    Some(support::pg::fresh_database(&support::pg::base_url()?).await)
}

fn open(url: &str) -> Store {
    let url: DatabaseUrl = url.parse().expect("a database URL");
    Store::open_url(&url, std::path::Path::new("unused")).expect("the store opens")
}

/// Runs `test` on a SQLite store, then on a PostgreSQL one (when there is a cluster).
macro_rules! both {
    ($name:ident, $test:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                super::$test(amazon_pay_server::store::Store::open(dir.path()).unwrap(), None).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(url) = super::fresh_pg_url().await else { return };
                super::$test(super::open(&url), Some(url)).await;
            }
        }
    };
}

fn checkout(id: &str) -> Checkout {
    Checkout {
        workorder_id: id.into(),
        flow: "cv2".into(),
        amount: Money::eur(1290),
        items_json: "[{\"sku\":\"mug\"}]".into(),
        delivery: DeliveryOption::Standard,
        created_at: 7,
    }
}

fn order(id: &str, workorder: &str, key: &str) -> OrderRecord {
    OrderRecord {
        id: id.into(),
        workorder_id: workorder.into(),
        flow: "cv2".into(),
        idempotency_key: key.into(),
        state: OrderState::Placing,
        amount: Money::eur(1290),
        txid: None,
        userid: None,
        decline: None,
        response_json: None,
        provider: amazon_pay_server::orders::Provider::Payone,
    }
}

both!(checkouts_and_upstream_calls, checkouts_and_upstream_calls_test);
async fn checkouts_and_upstream_calls_test(store: Store, _: Option<String>) {
    store.insert_checkout(&checkout("WO1")).await.unwrap();
    assert_eq!(store.checkout("WO1").unwrap(), Some(checkout("WO1")));
    assert_eq!(store.checkout("WO2").unwrap(), None);
    assert!(store.insert_checkout(&checkout("WO1")).await.is_err(), "a workorder is stored once");
    store.update_checkout_delivery("WO1", DeliveryOption::Express, Money::eur(1790)).await.unwrap();
    let updated = store.checkout("WO1").unwrap().unwrap();
    assert_eq!((updated.delivery, updated.amount), (DeliveryOption::Express, Money::eur(1790)));
    store.record_upstream_call("payone", "genericpayment", "req1", "resp1", "ok").await.unwrap();
    store.record_upstream_call("payone", "preauthorization", "req2", "resp2", "redirect").await.unwrap();
    assert_eq!(
        store.upstream_calls().unwrap(),
        [("payone".into(), "genericpayment".into(), "ok".into()), ("payone".into(), "preauthorization".into(), "redirect".into())]
    );
    assert_eq!(store.upstream_call_requests().unwrap(), ["req1", "req2"]);
}

both!(orders_and_idempotency_keys, orders_and_idempotency_keys_test);
async fn orders_and_idempotency_keys_test(store: Store, _: Option<String>) {
    store.insert_order(&order("O1", "WO1", "key-00000001")).await.unwrap();
    let err = store.insert_order(&order("O2", "WO1", "key-00000001")).await.unwrap_err();
    assert!(matches!(err, amazon_pay_server::store::StoreError::Db(ref e) if e.is_constraint_violation()), "{err}");
    assert_eq!(store.order_by_key("key-00000001").unwrap().unwrap().id, "O1");
    assert!(store.order("O2").unwrap().is_none(), "the refused insert left nothing");
    store.insert_order(&order("O3", "WO1", "key-00000003")).await.unwrap();
    let ids: Vec<String> = store.orders_for_workorder("WO1").unwrap().into_iter().map(|o| o.id).collect();
    assert_eq!(ids, ["O1", "O3"], "in the order they were placed");
    let mut placed = order("O1", "WO1", "key-00000001");
    placed.state = OrderState::Pending;
    placed.txid = Some("T1".into());
    store.finish_placing(&placed).await.unwrap();
    assert_eq!(store.order_by_txid("T1").unwrap().unwrap().state, OrderState::Pending);
    let kinds: Vec<String> = store.events_for_order("O1").unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["order.placed", "order.pending"]);
}

fn ts(txid: &str, action: &str, status: &str, seq: u32) -> TransactionStatus {
    TransactionStatus::parse(format!("txid={txid}&txaction={action}&transaction_status={status}&sequencenumber={seq}").as_bytes())
}

both!(notifications_move_orders_once, notifications_test);
async fn notifications_test(store: Store, _: Option<String>) {
    let mut o = order("O1", "WO1", "key-00000001");
    o.state = OrderState::Pending;
    o.txid = Some("T1".into());
    store.insert_order(&o).await.unwrap();
    let first = store.receive_notification(&ts("T1", "appointed", "completed", 0)).await.unwrap();
    assert!(matches!(first, Received::Fresh { applied: Ok(Applied::Moved(ref m)) } if m.to == OrderState::Approved), "{first:?}");
    let replay = store.receive_notification(&ts("T1", "appointed", "completed", 0)).await.unwrap();
    assert!(matches!(replay, Received::Replay), "{replay:?}");
    let unknown = store.receive_notification(&ts("T9", "appointed", "completed", 0)).await.unwrap();
    assert!(matches!(unknown, Received::Fresh { applied: Ok(Applied::UnknownOrder) }), "kept for later: {unknown:?}");
    store.receive_notification(&ts("T1", "paid", "completed", 1)).await.unwrap();
    assert_eq!(store.order("O1").unwrap().unwrap().state, OrderState::Paid);
    assert_eq!(store.notifications_for_txid("T1").unwrap().len(), 2);
    let log = store.notification_log().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(store.notification_log_page(1, 10).unwrap(), log[1..], "the first skipped by the database");
    assert_eq!(store.notification_log_page(0, 2).unwrap(), log[..2]);
    assert!(store.notification_log_page(3, 10).unwrap().is_empty());
    assert_eq!(store.reconcile("T1").await.unwrap(), Some(OrderState::Paid));
}

/// The ids the merchant's order list finds for `q` (newest first; ties by id, descending).
fn found(store: &Store, q: Option<&str>) -> Vec<String> {
    let query = OrderQuery { search: q.map(str::to_owned), limit: 10, ..OrderQuery::default() };
    store.order_page(&query).unwrap().into_iter().map(|(_, id)| id).collect()
}

both!(order_search_is_plain_sql_on_both, order_search_test);
async fn order_search_test(store: Store, url: Option<String>) {
    for (id, txid) in [("O1", "T1"), ("O2", "T2"), ("O3", "T3")] {
        let mut o = order(id, &format!("W{id}"), &format!("key-0000000{id}"));
        o.state = OrderState::Pending;
        o.txid = Some(txid.into());
        store.insert_order(&o).await.unwrap();
    }
    let note = |txid: &str, seq: u32, buyer: &str| {
        TransactionStatus::parse(format!("txid={txid}&txaction=appointed&transaction_status=completed&sequencenumber={seq}&{buyer}").as_bytes())
    };
    store
        .receive_notification(&note("T1", 0, "firstname=J%FCrgen&lastname=M%FCller&email=jm@example.com&company=50%25+Off_Ltd&city=Annaberg"))
        .await
        .unwrap();
    store.receive_notification(&note("T2", 0, "firstname=Anna&lastname=Schmidt&shipping_company=Acme")).await.unwrap();
    assert_eq!(found(&store, None), ["O3", "O2", "O1"]);
    assert_eq!(found(&store, Some("anna")), ["O2"], "any case; a field that is not searched (city) is not found");
    assert_eq!(found(&store, Some("JM@EXAMPLE")), ["O1"]);
    assert_eq!(found(&store, Some("müller")), ["O1"], "UTF-8 from PAYONE's ISO-8859-1");
    assert_eq!(found(&store, Some("acme")), ["O2"], "shipping fields too");
    assert_eq!(found(&store, Some("t3")), ["O3"], "PAYONE's txid");
    assert_eq!(found(&store, Some("WO2")), ["O2"], "the workorder");
    assert_eq!(found(&store, Some("50%")), ["O1"], "% taken literally");
    assert_eq!(found(&store, Some("_")), ["O1"], "_ taken literally");
    assert_eq!(found(&store, Some("5_%")), Vec::<String>::new());
    assert_eq!(found(&store, Some("\\")), Vec::<String>::new(), "a backslash is no escape of the search");
    assert_eq!(found(&store, Some("appointed")), Vec::<String>::new(), "never other fields of the notification");
    let first_page = OrderQuery { limit: 1, ..OrderQuery::default() };
    assert_eq!(store.order_page(&first_page).unwrap().len(), 2, "one more than the page: there is a next one");

    // PostgreSQL: migration 4 fills the column of notifications stored before it (as an older server left them).
    let Some(url) = url else { return };
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client.batch_execute("ALTER TABLE notifications DROP COLUMN buyer_search; DELETE FROM schema_migrations WHERE version IN (4, 5)").await.unwrap();
    let migrated = open(&url);
    assert_eq!(found(&migrated, Some("anna")), ["O2"]);
    assert_eq!(found(&migrated, Some("50% off_")), ["O1"]);
}

both!(amazon_direct_orders_keep_their_buyer_and_addresses, amazon_personal_test);
/// An Amazon Pay direct order keeps the buyer and addresses its checkout session gave (`store/personal.rs`):
/// its events show them in the shape of PAYONE's orders, and the merchant's search finds it by them.
async fn amazon_personal_test(store: Store, _: Option<String>) {
    use amazon_pay_server::orders::Provider;
    use amazon_pay_v2::models::{Address, Buyer};
    let address = |street: &str, zip: &str, city: &str| Address {
        name: Some("Élodie Müller".into()),
        address_line1: Some(street.into()),
        address_line2: Some("3. OG".into()),
        postal_code: Some(zip.into()),
        city: Some(city.into()),
        country_code: Some("DE".into()),
        ..Address::default()
    };
    let personal = AmazonPersonal {
        buyer: Some(Buyer {
            buyer_id: Some("amzn1.account.X".into()),
            name: Some("Élodie Müller".into()),
            email: Some("elodie@example.com".into()),
            phone_number: None,
        }),
        billing_address: Some(address("Unter den Linden 1", "10117", "Berlin")),
        shipping_address: Some(address("Marienplatz 8", "80331", "München")),
    };
    let mut placed = OrderRecord { provider: Provider::Amazon, ..order("O-KEPT", "W-KEPT", "key-kept-0001") };
    store.insert_order(&placed).await.unwrap();
    store.insert_amazon_order("O-KEPT", "3f1c2a9e-1b2c-4d5e-8f90-0123456789ab", &personal).await.unwrap();
    // Recorded once: a second insert (a reload) keeps the first.
    store.insert_amazon_order("O-KEPT", "3f1c2a9e-1b2c-4d5e-8f90-0123456789ab", &AmazonPersonal::default()).await.unwrap();
    placed.state = OrderState::Redirected;
    store.finish_placing(&placed).await.unwrap();
    store.insert_order(&OrderRecord { provider: Provider::Amazon, ..order("O-NONE", "W-NONE", "key-kept-0002") }).await.unwrap();
    store.insert_amazon_order("O-NONE", "4f1c2a9e-1b2c-4d5e-8f90-0123456789ab", &AmazonPersonal::default()).await.unwrap();

    let events = store.events_for_order("O-KEPT").unwrap();
    let shown = |kind: &str| -> serde_json::Value {
        let event = events.iter().find(|e| e.kind == kind).unwrap_or_else(|| panic!("no {kind}"));
        serde_json::from_str::<serde_json::Value>(&event.body).unwrap()["order"].clone()
    };
    assert_eq!(shown("order.placed")["buyer"], serde_json::Value::Null, "placed before Amazon's session was kept");
    let order = shown("order.redirected");
    assert_eq!(order["buyer"], serde_json::json!({"first_name": "Élodie", "last_name": "Müller", "email": "elodie@example.com"}));
    let expected = |street: &str, zip: &str, city: &str| {
        serde_json::json!({"first_name": "Élodie", "last_name": "Müller", "company": null, "street": street, "addition": "3. OG",
                           "zip": zip, "city": city, "country": "DE"})
    };
    assert_eq!(order["shipping_address"], expected("Marienplatz 8", "80331", "München"));
    assert_eq!(order["billing_address"], expected("Unter den Linden 1", "10117", "Berlin"));
    // Read into the dashboard's types, as the merchant API's answer is.
    let typed: amazon_pay_contract::merchant::MerchantOrder = serde_json::from_value(order).unwrap();
    assert_eq!(typed.shipping_address.and_then(|a| a.addition).as_deref(), Some("3. OG"));
    // The merchant's search finds it by the buyer, in any case, and not the order that kept nothing.
    for q in ["ÉLODIE", "müller", "elodie@EXAMPLE"] {
        assert_eq!(found_at_amazon(&store, None, Some(q)), ["O-KEPT"], "q={q}");
    }
}

/// The ids the merchant's order list finds with `amazon_id` (exactly, Seller Central's id) or `q` (anywhere).
fn found_at_amazon(store: &Store, amazon_id: Option<&str>, q: Option<&str>) -> Vec<String> {
    let query = OrderQuery { amazon_id: amazon_id.map(str::to_owned), search: q.map(str::to_owned), limit: 10, ..OrderQuery::default() };
    store.order_page(&query).unwrap().into_iter().map(|(_, id)| id).collect()
}

both!(amazon_direct_orders_are_found_by_seller_centrals_ids, seller_central_ids_test);
async fn seller_central_ids_test(store: Store, _: Option<String>) {
    use amazon_pay_server::orders::Provider;
    store.insert_order(&order("O-PAYONE", "W-PAYONE", "key-seller-1")).await.unwrap();
    for (id, session, permission, charge) in [
        ("O-DIRECT", "bd504926-f659-4ad7-a1a9-9a747aaf5275", "S01-5105180-3221187", "S01-5105180-3221187-C056351"),
        ("O-OTHER", "c0ffee00-f659-4ad7-a1a9-9a747aaf5275", "S01-9999999-1111111", "S01-9999999-1111111-C000001"),
    ] {
        store.insert_order(&OrderRecord { provider: Provider::Amazon, ..order(id, &format!("W{id}"), &format!("key-{id}")) }).await.unwrap();
        store.insert_amazon_order(id, session, &AmazonPersonal::default()).await.unwrap();
        store.set_amazon_charge(id, Some(permission.into()), Some(charge.into())).await.unwrap();
    }
    // Placed, the buyer not back from Amazon yet: no charge permission, no charge.
    store.insert_order(&OrderRecord { provider: Provider::Amazon, ..order("O-APB", "W-APB", "key-seller-4") }).await.unwrap();
    store.insert_amazon_order("O-APB", "5e5510e0-f659-4ad7-a1a9-9a747aaf5275", &AmazonPersonal::default()).await.unwrap();

    let by_id = |id: &str| found_at_amazon(&store, Some(id), None);
    assert_eq!(by_id("S01-5105180-3221187"), ["O-DIRECT"], "the charge permission, as Seller Central shows the order");
    assert_eq!(by_id("S01-5105180-3221187-C056351"), ["O-DIRECT"], "the charge");
    assert_eq!(by_id("bd504926-f659-4ad7-a1a9-9a747aaf5275"), ["O-DIRECT"], "the checkout session, as before");
    assert_eq!(by_id("5e5510e0-f659-4ad7-a1a9-9a747aaf5275"), ["O-APB"]);
    assert_eq!(by_id("S01-5105180"), Vec::<String>::new(), "exactly: part of an id finds nothing");
    assert_eq!(by_id("s01-5105180-3221187"), Vec::<String>::new(), "exactly: in Amazon's case");
    let search = |q: &str| found_at_amazon(&store, None, Some(q));
    assert_eq!(search("s01-5105180-3221187"), ["O-DIRECT"], "the search: any case, charge permission and charge alike");
    assert_eq!(search("C000001"), ["O-OTHER"], "part of the charge");
    assert_eq!(search("S01-"), ["O-OTHER", "O-DIRECT"]);
    assert_eq!(found_at_amazon(&store, Some("S01-9999999-1111111"), Some("C000001")), ["O-OTHER"], "both at once");
    assert_eq!(found_at_amazon(&store, Some("S01-9999999-1111111"), Some("C056351")), Vec::<String>::new());
}

/// Two orders whose buyers' names have non-ASCII capitals (ISO-8859-1, as PAYONE sends them): `ÉLODIE ÖZTÜRK`
/// for O1, `Müller` for O2.
async fn non_ascii_buyers(store: &Store) {
    for (id, txid) in [("O1", "T1"), ("O2", "T2")] {
        let mut o = order(id, &format!("W{id}"), &format!("key-0000000{id}"));
        o.txid = Some(txid.into());
        store.insert_order(&o).await.unwrap();
    }
    let note = |txid: &str, buyer: &str| {
        TransactionStatus::parse(format!("txid={txid}&txaction=appointed&transaction_status=completed&sequencenumber=0&{buyer}").as_bytes())
    };
    store.receive_notification(&note("T1", "firstname=%C9LODIE&lastname=%D6ZT%DCRK")).await.unwrap();
    store.receive_notification(&note("T2", "lastname=M%FCller")).await.unwrap();
}

both!(order_search_folds_unicode_alike, unicode_search_test);
async fn unicode_search_test(store: Store, url: Option<String>) {
    non_ascii_buyers(&store).await;
    assert_eq!(found(&store, Some("öztürk")), ["O1"], "a capital Ö and Ü found by small letters");
    assert_eq!(found(&store, Some("Élodie")), ["O1"]);
    assert_eq!(found(&store, Some("MÜLLER")), ["O2"], "small letters found by capitals");
    assert_eq!(found(&store, Some("müller")), ["O2"]);
    assert_eq!(found(&store, Some("ÜLL")), ["O2"]);

    // PostgreSQL: migration 5 folds what an older server stored unfolded (SQLite: the test after this one).
    let Some(url) = url else { return };
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .batch_execute("UPDATE notifications SET buyer_search = 'ÉLODIE ÖZTÜRK' WHERE txid = 'T1'; DELETE FROM schema_migrations WHERE version = 5")
        .await
        .unwrap();
    let migrated = open(&url);
    let stored: String = client.query_one("SELECT buyer_search FROM notifications WHERE txid = 'T1'", &[]).await.unwrap().get(0);
    assert_eq!(stored, "élodie öztürk");
    assert_eq!(found(&migrated, Some("ÖZTÜRK")), ["O1"]);
}

/// SQLite: migration 5 folds the buyer's search text an older server (schema version 4) stored unfolded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migration_5_folds_old_search_text() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    non_ascii_buyers(&store).await;
    drop(store);
    let file = dir.path().join("amazon-pay.sqlite");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch("UPDATE notifications SET buyer_search = 'ÉLODIE ÖZTÜRK' WHERE txid = 'T1'; PRAGMA user_version = 4;")
        .unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(found(&store, Some("öztürk")), ["O1"]);
    drop(store);
    let conn = rusqlite::Connection::open(&file).unwrap();
    let stored: String = conn.query_row("SELECT buyer_search FROM notifications WHERE txid = 'T1'", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, "élodie öztürk");
}

both!(outbox_claims_leases_and_retries, outbox_test);
async fn outbox_test(store: Store, url: Option<String>) {
    let urls = vec!["http://127.0.0.1:9/hook".to_owned()];
    assert_eq!(store.queue_deliveries(urls.clone(), 0).await.unwrap(), 0, "a new URL starts with the next event");
    store.insert_order(&order("O1", "WO1", "key-00000001")).await.unwrap();
    store.insert_order(&order("O2", "WO2", "key-00000002")).await.unwrap();
    assert_eq!(store.queue_deliveries(urls.clone(), 1_000).await.unwrap(), 2);
    assert_eq!(store.queue_deliveries(urls.clone(), 1_000).await.unwrap(), 0, "queued once");
    // The metrics' backlog: two waiting for the URL, none for one that is not (or no longer) configured.
    let (waiting, oldest) = store.outbox_backlog(&urls).unwrap();
    assert!(waiting == 2 && oldest > 0, "{waiting} {oldest}");
    assert_eq!(store.outbox_backlog(&["http://127.0.0.1:9/other".to_owned()]).unwrap(), (0, 0));
    // A second instance on the same database (PostgreSQL), or the same store (SQLite), claims at once.
    let other = match &url {
        Some(url) => open(url),
        None => store.clone(),
    };
    let (a, b) = tokio::join!(store.claim_deliveries(&urls, 1_000, 10, 60_000), other.claim_deliveries(&urls, 1_000, 10, 60_000));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len() + b.len(), 2, "each delivery claimed by exactly one: {a:?} {b:?}");
    assert!(store.claim_deliveries(&urls, 2_000, 10, 60_000).await.unwrap().is_empty(), "claimed: not due again");
    // The claimer dies without recording: after the lease the delivery is due again.
    let again = store.claim_deliveries(&urls, 61_001, 10, 60_000).await.unwrap();
    assert_eq!(again.len(), 2, "a dead instance's claims are retried");
    let failed = Attempt {
        event_seq: again[0].event_seq,
        url: urls[0].clone(),
        at_ms: 61_001,
        status: Some(500),
        error: None,
        duration_ms: 3,
        retry_at_ms: Some(70_000),
        delivered: false,
    };
    let delivered = Attempt { event_seq: again[1].event_seq, status: Some(200), retry_at_ms: None, delivered: true, ..failed.clone() };
    store.record_attempts(vec![failed, delivered]).await.unwrap();
    assert!(store.claim_deliveries(&urls, 69_999, 10, 60_000).await.unwrap().is_empty());
    let retry = store.claim_deliveries(&urls, 70_000, 10, 60_000).await.unwrap();
    assert_eq!((retry.len(), retry[0].attempts), (1, 1), "the failed one comes back once, the delivered one never");
    let deliveries = store.deliveries_for_order(&store.events_for_order("O1").unwrap()[0].order_id).unwrap();
    assert_eq!(deliveries.len(), 1);
}

/// Three orders: PAYONE's, one placed with Amazon Pay direct, and one of Amazon Pay direct stored as PAYONE's
/// (as every one was before `orders.provider`) that Amazon knows.
async fn orders_of_both_providers(store: &Store) {
    use amazon_pay_server::orders::Provider;
    store.insert_order(&order("O-PAYONE", "W-PAYONE", "key-provider-1")).await.unwrap();
    store.insert_order(&OrderRecord { provider: Provider::Amazon, ..order("O-AMAZON", "W-AMAZON", "key-provider-2") }).await.unwrap();
    store.insert_amazon_order("O-AMAZON", "S02-0000002-0000002", &AmazonPersonal::default()).await.unwrap();
    store.insert_order(&order("O-BEFORE", "W-BEFORE", "key-provider-3")).await.unwrap();
    store.insert_amazon_order("O-BEFORE", "S02-0000001-0000001", &AmazonPersonal::default()).await.unwrap();
}

fn providers(store: &Store) -> Vec<&'static str> {
    ["O-PAYONE", "O-AMAZON", "O-BEFORE"].map(|id| store.order(id).unwrap().expect("stored").provider.as_str()).to_vec()
}

/// Migration 6 (`orders.provider`): an order keeps the provider it was placed with; orders stored before the
/// column are Amazon Pay direct's when Amazon knows them (`amazon_orders`), else PAYONE's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_orders_provider_is_stored_and_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    orders_of_both_providers(&store).await;
    assert_eq!(providers(&store), ["payone", "amazon", "payone"], "as placed");
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("amazon-pay.sqlite")).unwrap();
    conn.execute_batch("ALTER TABLE orders DROP COLUMN provider; PRAGMA user_version = 4;").unwrap();
    drop(conn);
    assert_eq!(providers(&Store::open(dir.path()).unwrap()), ["payone", "amazon", "amazon"], "filled in from amazon_orders");
}

/// As [`sqlite_orders_provider_is_stored_and_filled_in`], on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_orders_provider_is_stored_and_filled_in() {
    let Some(url) = fresh_pg_url().await else { return };
    let store = open(&url);
    orders_of_both_providers(&store).await;
    assert_eq!(providers(&store), ["payone", "amazon", "payone"], "as placed");
    drop(store);
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client.batch_execute("ALTER TABLE orders DROP COLUMN provider; DELETE FROM schema_migrations WHERE version = 6").await.unwrap();
    assert_eq!(providers(&open(&url)), ["payone", "amazon", "amazon"], "filled in from amazon_orders");
}

/// Two approved orders, one of them released (the merchant's cancel): what migration 8 fills in.
async fn approved_orders(store: &Store) {
    for (id, key) in [("O-CANCELLED", "key-status-1"), ("O-OPEN", "key-status-2")] {
        store.insert_order(&OrderRecord { state: OrderState::Approved, ..order(id, &format!("W-{id}"), key) }).await.unwrap();
    }
}

/// A release of the whole amount, written as an older server did (no `payment_status` column to keep).
/// And an order whose state this server cannot read: left without a status, the store still opens.
const OLD_RELEASE: &str = "INSERT INTO order_payments (order_id, kind, amount_minor, sequencenumber, reason, created_at) VALUES ('O-CANCELLED', 'release', 1290, 1, NULL, 1);
     INSERT INTO orders (id, workorder_id, flow, idempotency_key, state, amount_minor, currency, created_at, updated_at)
         VALUES ('O-UNREADABLE', 'W-UNREADABLE', 'cv2', 'key-status-3', 'no-such-state', 1290, 'EUR', 1, 1);";

fn with_payment_status(store: &Store, status: &str) -> Vec<String> {
    let query = OrderQuery { payment_status: Some(status.to_owned()), limit: 10, ..OrderQuery::default() };
    store.order_page(&query).unwrap().into_iter().map(|(_, id)| id).collect()
}

/// Migration 8 (`orders.payment_status`): new orders have it from their first event; orders stored before the
/// column get it from their money when the store opens (a cancelled order is `cancelled`, not `authorized`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_payment_status_is_kept_and_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    approved_orders(&store).await;
    assert_eq!(with_payment_status(&store, "authorized"), ["O-OPEN", "O-CANCELLED"], "as placed");
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("amazon-pay.sqlite")).unwrap();
    conn.execute_batch(&format!(
        "DROP INDEX orders_by_payment_status; ALTER TABLE orders DROP COLUMN payment_status; {OLD_RELEASE} PRAGMA user_version = 7;"
    ))
    .unwrap();
    drop(conn);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(with_payment_status(&store, "cancelled"), ["O-CANCELLED"], "filled in from its money");
    assert_eq!(with_payment_status(&store, "authorized"), ["O-OPEN"]);
    let all = store.order_page(&OrderQuery { limit: 10, ..OrderQuery::default() }).unwrap();
    assert!(all.iter().any(|(_, id)| id == "O-UNREADABLE"), "{all:?}");
}

/// As [`sqlite_payment_status_is_kept_and_filled_in`], on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_payment_status_is_kept_and_filled_in() {
    let Some(url) = fresh_pg_url().await else { return };
    let store = open(&url);
    approved_orders(&store).await;
    assert_eq!(with_payment_status(&store, "authorized"), ["O-OPEN", "O-CANCELLED"], "as placed");
    drop(store);
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!("ALTER TABLE orders DROP COLUMN payment_status; {OLD_RELEASE} DELETE FROM schema_migrations WHERE version = 8"))
        .await
        .unwrap();
    let store = open(&url);
    assert_eq!(with_payment_status(&store, "cancelled"), ["O-CANCELLED"], "filled in from its money");
    assert_eq!(with_payment_status(&store, "authorized"), ["O-OPEN"]);
    let all = store.order_page(&OrderQuery { limit: 10, ..OrderQuery::default() }).unwrap();
    assert!(all.iter().any(|(_, id)| id == "O-UNREADABLE"), "{all:?}");
}

/// PostgreSQL only: migrations from empty, again (nothing to do), and by two instances at once; two stores
/// on one database take one placement lock, exactly one at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migrations_and_shared_placement_locks() {
    let Some(url) = fresh_pg_url().await else { return };
    let (a, b) = tokio::join!(
        tokio::task::spawn_blocking({
            let url = url.clone();
            move || open(&url)
        }),
        tokio::task::spawn_blocking({
            let url = url.clone();
            move || open(&url)
        })
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    drop(open(&url));
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let versions: Vec<i64> =
        client.query("SELECT version FROM schema_migrations ORDER BY version", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(
        versions,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18],
        "applied once by two instances starting together and a third after"
    );
    let indexed = client.query_one("SELECT count(*) FROM pg_indexes WHERE indexname = 'amazon_orders_by_charge_permission'", &[]).await.unwrap();
    assert_eq!(indexed.get::<_, i64>(0), 1, "migration 7: Seller Central's id of an order is indexed");

    // Many claimers from two instances: exactly one wins while it is held.
    let claims = (0..20).map(|i| {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tokio::spawn(async move { store.try_lease("WO-LOCK", Duration::from_secs(60)).await.unwrap() })
    });
    let mut won = Vec::new();
    for claim in claims {
        if let Some(lease) = claim.await.unwrap() {
            won.push(lease);
        }
    }
    assert_eq!(won.len(), 1, "exactly one holder");
    assert!(b.try_lease("WO-LOCK", Duration::from_secs(60)).await.unwrap().is_none());
    a.release_lease(won.remove(0)).await.unwrap();
    let next = b.try_lease("WO-LOCK", Duration::from_millis(1)).await.unwrap().expect("free after release");
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(a.try_lease("WO-LOCK", Duration::from_secs(60)).await.unwrap().is_some(), "an expired lease is taken over");
    b.release_lease(next).await.unwrap();
    // Waiting has an end: a lease held for longer is refused with its key, and changes nothing.
    let held = b.try_lease("WO-BUSY", Duration::from_secs(60)).await.unwrap().expect("free");
    let busy = a.lease_within("WO-BUSY", Duration::from_secs(60), Duration::from_millis(100)).await.unwrap_err();
    assert!(busy.to_string().contains("WO-BUSY"), "{busy}");
    b.release_lease(held).await.unwrap();
    a.lease_within("WO-BUSY", Duration::from_secs(60), Duration::from_millis(100)).await.expect("free again");

    // A placement waits for the other instance's lock, and gets it once released.
    let locks_a = amazon_pay_server::orders::OrderLocks::for_store(&a);
    let locks_b = amazon_pay_server::orders::OrderLocks::for_store(&b);
    let held = locks_a.lock("WO-2").await.unwrap();
    let waiting = tokio::spawn(async move { locks_b.lock("WO-2").await.map(drop) });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the second instance waits");
    drop(held);
    tokio::time::timeout(Duration::from_secs(10), waiting).await.expect("it gets the lock").unwrap().unwrap();
}

both!(pruning, pruning_test);
/// Finished deliveries older than the cut are deleted with their attempts; an event goes only when no
/// delivery of it is left and it is neither its order's newest nor the newest of all; the sequence goes on.
async fn pruning_test(store: Store, _: Option<String>) {
    use amazon_pay_server::store::events::Pruned;
    let urls = vec!["http://127.0.0.1:9/hook".to_owned()];
    store.queue_deliveries(urls.clone(), 0).await.unwrap();
    store.insert_order(&order("O1", "WO1", "key-00000001")).await.unwrap();
    store.set_order_state("O1", OrderState::Approved).await.unwrap();
    store.insert_order(&order("O2", "WO2", "key-00000002")).await.unwrap();
    assert_eq!(store.queue_deliveries(urls.clone(), 1_000).await.unwrap(), 3);
    let due = store.claim_deliveries(&urls, 1_000, 10, 0).await.unwrap();
    let seqs: Vec<i64> = due.iter().map(|d| d.event_seq).collect();
    // The first two delivered at 1 000 ms; O2's event stays pending.
    let done = |seq: i64| Attempt {
        event_seq: seq,
        url: urls[0].clone(),
        at_ms: 1_000,
        status: Some(200),
        error: None,
        duration_ms: 1,
        retry_at_ms: None,
        delivered: true,
    };
    store.record_attempts(vec![done(seqs[0]), done(seqs[1])]).await.unwrap();

    assert_eq!(store.prune_webhooks(urls.clone(), 1_000, 10).await.unwrap(), Pruned::default(), "finished at the cut: kept");
    let later = (amazon_pay_server::store::now() + 10) * 1000;
    // Batches of one: the oldest delivery, then its event (no delivery of it is left).
    assert_eq!(store.prune_webhooks(urls.clone(), later, 1).await.unwrap(), Pruned { deliveries: 1, events: 1 });
    assert_eq!(store.prune_webhooks(urls.clone(), later, 1).await.unwrap(), Pruned { deliveries: 1, events: 0 }, "O1's newest event stays");
    assert_eq!(store.prune_webhooks(urls.clone(), later, 10).await.unwrap(), Pruned::default(), "nothing more");
    let kinds = |id: &str| store.events_for_order(id).unwrap().into_iter().map(|e| e.kind).collect::<Vec<_>>();
    assert_eq!(kinds("O1"), ["order.approved"], "O1's newest stays");
    assert_eq!(kinds("O2"), ["order.placed"], "pending: kept");
    assert_eq!(store.deliveries_for_order("O2").unwrap().len(), 1);
    store.set_order_state("O1", OrderState::Paid).await.unwrap();
    let last: serde_json::Value = serde_json::from_str(&store.events_for_order("O1").unwrap()[1].body).unwrap();
    assert_eq!(last["sequence"], 3, "the order's sequence counts on");
}

/// PostgreSQL only (SQLite's lock lives in one process): a renewed lease stays its holder's past its length;
/// a dead holder's (no more renewals) frees within about its length; a renewal or release by a holder whose
/// lease was taken over changes nothing (owner token); a waiter gives up with the typed error, a 409 `busy`;
/// a guard whose lease was lost refuses to go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_lease_renewal_and_dead_holders() {
    let Some(url) = fresh_pg_url().await else { return };
    let (a, b) = (open(&url), open(&url));
    let short = Duration::from_millis(400);

    // Renewed every 100 ms for three lease lengths: never free for the other instance meanwhile.
    let held = a.try_lease("WO-RENEW", short).await.unwrap().expect("free");
    let started = std::time::Instant::now();
    while started.elapsed() < short * 3 {
        assert!(a.renew_lease(&held, short).await.unwrap(), "still ours");
        assert!(b.try_lease("WO-RENEW", short).await.unwrap().is_none(), "a renewed lease is not taken over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The holder dies (no more renewals): the lease frees within about its length.
    let died = std::time::Instant::now();
    let taken = loop {
        if let Some(lease) = b.try_lease("WO-RENEW", Duration::from_secs(60)).await.unwrap() {
            break lease;
        }
        assert!(died.elapsed() < short * 4, "a dead holder's lease never freed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(died.elapsed() < short * 2, "freed after {:?}", died.elapsed());
    // The old holder can neither extend nor delete the new holder's lease.
    assert!(!a.renew_lease(&held, Duration::from_secs(60)).await.unwrap(), "a renewal of a lost lease fails");
    a.release_lease(held).await.unwrap();
    assert!(a.try_lease("WO-RENEW", short).await.unwrap().is_none(), "the new holder still has it");
    assert!(b.renew_lease(&taken, short).await.unwrap());

    // A waiter gives up after its wait with the typed error, which the API answers as 409 `busy`.
    let waited = std::time::Instant::now();
    let busy = a.lease_within("WO-RENEW", short, Duration::from_millis(150)).await.unwrap_err();
    assert!(waited.elapsed() >= Duration::from_millis(150));
    assert!(matches!(busy, amazon_pay_server::store::StoreError::Busy(_)), "{busy:?}");
    let answer = axum::response::IntoResponse::into_response(amazon_pay_server::error::AppError::from(busy));
    assert_eq!(answer.status(), axum::http::StatusCode::CONFLICT);
    b.release_lease(taken).await.unwrap();

    // A placement lock's guard keeps its lease beyond one renewal period, and refuses to go on once lost.
    let locks = amazon_pay_server::orders::OrderLocks::for_store(&a);
    let guard = locks.lock("WO-GUARD").await.unwrap();
    guard.confirm().await.expect("held");
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    // Another instance takes it over (as after an expiry): the guard's lease is no longer its own.
    client.execute("UPDATE placement_leases SET owner = 'someone-else' WHERE lock_key = 'WO-GUARD'", &[]).await.unwrap();
    let lost = guard.confirm().await.unwrap_err();
    assert!(matches!(lost, amazon_pay_server::store::StoreError::Busy(_)), "{lost:?}");
    drop(guard);
    // Its drop (a release in the background) does not delete the other holder's lease. A thing that must
    // not happen cannot be polled for: give the background release time to run.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let owners: Vec<String> =
        client.query("SELECT owner FROM placement_leases WHERE lock_key = 'WO-GUARD'", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(owners, ["someone-else"]);
}

/// SQLite only (PostgreSQL's `schema_migrations` is checked above): a store written before schema versions
/// (`user_version` 0) is upgraded in place at open, keeping its rows; a file a newer server wrote is refused,
/// changing nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_unversioned_store_is_upgraded_in_place() {
    use amazon_pay_server::store::sqlite_migrations::LATEST;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("amazon-pay.sqlite");
    let version =
        |file: &std::path::Path| -> i64 { rusqlite::Connection::open(file).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap() };
    let store = Store::open(dir.path()).unwrap();
    store.insert_checkout(&checkout("WO-OLD")).await.unwrap();
    store.insert_order(&order("O-OLD", "WO-OLD", "key-old-0001")).await.unwrap();
    drop(store);
    assert_eq!(version(&file), LATEST, "a new store is at the latest version");
    // As the server before versions left it: the same tables, no version, and upstream_calls with AUTOINCREMENT.
    {
        let conn = rusqlite::Connection::open(&file).unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 0;
             DROP TABLE upstream_calls;
             CREATE TABLE upstream_calls (id INTEGER PRIMARY KEY AUTOINCREMENT, service TEXT NOT NULL, action TEXT NOT NULL,
                 request TEXT NOT NULL, response TEXT NOT NULL, outcome TEXT NOT NULL, at INTEGER NOT NULL);
             INSERT INTO upstream_calls (service, action, request, response, outcome, at) VALUES ('payone', 'old', 'q', 'a', 'ok', 1);",
        )
        .unwrap();
    }
    assert_eq!(version(&file), 0);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.checkout("WO-OLD").unwrap(), Some(checkout("WO-OLD")), "rows kept");
    assert_eq!(store.order_by_key("key-old-0001").unwrap().map(|o| o.id), Some("O-OLD".to_owned()));
    store.record_upstream_call("payone", "new", "q", "a", "ok").await.unwrap();
    drop(store);
    assert_eq!(version(&file), LATEST, "upgraded in place");
    let conn = rusqlite::Connection::open(&file).unwrap();
    let sql: String = conn.query_row("SELECT sql FROM sqlite_master WHERE name = 'upstream_calls'", [], |r| r.get(0)).unwrap();
    assert!(!sql.to_ascii_uppercase().contains("AUTOINCREMENT"), "{sql}");
    let indexed: i64 =
        conn.query_row("SELECT count(*) FROM sqlite_master WHERE name = 'amazon_orders_by_charge_permission'", [], |r| r.get(0)).unwrap();
    assert_eq!(indexed, 1, "migration 7: Seller Central's id of an order is indexed");
    let ids: Vec<(i64, String)> = conn
        .prepare("SELECT id, action FROM upstream_calls ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids, [(1, "old".to_owned()), (2, "new".to_owned())], "the old row and its id kept, new ids follow");
    let times: Vec<Option<i64>> =
        conn.prepare("SELECT at_ms FROM upstream_calls ORDER BY id").unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert!(matches!(times[..], [None, Some(ms)] if ms > 1_700_000_000_000), "migration 12: new calls' time in milliseconds: {times:?}");

    // Written by a newer server: refused with a clear error, the file untouched.
    conn.execute_batch(&format!("PRAGMA user_version = {}", LATEST + 1)).unwrap();
    drop(conn);
    let refused = Store::open(dir.path()).err().expect("a newer schema is refused");
    assert!(refused.to_string().contains("newer than this server knows"), "{refused}");
    assert_eq!(version(&file), LATEST + 1);
}

/// SQLite's migration 11: a store from before Amazon Pay direct's orders kept their buyer gets the columns,
/// keeping its orders (which show no buyer: nothing was kept then).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_amazon_orders_get_their_personal_columns() {
    use amazon_pay_server::orders::Provider;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.insert_order(&OrderRecord { provider: Provider::Amazon, ..order("O-V9", "W-V9", "key-v9-00001") }).await.unwrap();
    store.insert_amazon_order("O-V9", "S02-0000009-0000009", &AmazonPersonal::default()).await.unwrap();
    drop(store);
    let file = dir.path().join("amazon-pay.sqlite");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch(
            "ALTER TABLE amazon_orders DROP COLUMN personal; ALTER TABLE amazon_orders DROP COLUMN buyer_search; PRAGMA user_version = 10;",
        )
        .unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.amazon_order("O-V9").unwrap().map(|o| o.checkout_session_id).as_deref(), Some("S02-0000009-0000009"), "kept");
    assert_eq!(found_at_amazon(&store, None, Some("anna")), Vec::<String>::new(), "the search reads the new column");
    drop(store);
    let conn = rusqlite::Connection::open(&file).unwrap();
    let columns: i64 = conn
        .query_row("SELECT count(*) FROM pragma_table_info('amazon_orders') WHERE name IN ('personal', 'buyer_search')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(columns, 2);
}

both!(orders_left_redirected_are_given_up_once, redirected_expiry_test);
/// An order whose buyer never came back from Amazon is given up (`redirect_expiry.rs`): once, with one event,
/// however many instances sweep at once; and PAYONE's later `appointed` (the money moved) still wins.
async fn redirected_expiry_test(store: Store, url: Option<String>) {
    let gone = OrderRecord { state: OrderState::Redirected, txid: Some("T-GONE".into()), ..order("O-GONE", "W-GONE", "key-gone-0001") };
    store.insert_order(&gone).await.unwrap();
    store.insert_order(&OrderRecord { state: OrderState::Approved, ..order("O-BACK", "W-BACK", "key-back-0001") }).await.unwrap();
    let now = amazon_pay_server::store::now();
    assert!(
        store.abandon_stale(amazon_pay_server::orders::Stale::Redirected, now - 3600, 100).await.unwrap().is_empty(),
        "not given up before its time"
    );
    // A second instance on the same database (PostgreSQL), or the same store (SQLite), sweeps at once.
    let other = match &url {
        Some(url) => open(url),
        None => store.clone(),
    };
    let (a, b) = tokio::join!(
        store.abandon_stale(amazon_pay_server::orders::Stale::Redirected, now + 1, 100),
        other.abandon_stale(amazon_pay_server::orders::Stale::Redirected, now + 1, 100)
    );
    let mut given_up = a.unwrap();
    given_up.extend(b.unwrap());
    assert_eq!(given_up, ["O-GONE"], "given up once, and only the redirected order");
    assert_eq!(store.order("O-GONE").unwrap().unwrap().state, OrderState::Abandoned);
    assert_eq!(store.order("O-BACK").unwrap().unwrap().state, OrderState::Approved);
    let kinds = |id: &str| store.events_for_order(id).unwrap().into_iter().map(|e| e.kind).collect::<Vec<_>>();
    assert_eq!(kinds("O-GONE"), ["order.placed", "order.redirected", "order.abandoned"], "one event for the move");
    // The buyer's late return through the error URL changes nothing more.
    assert!(!store.abandon("O-GONE", OrderState::Redirected, AbandonReason::BuyerReturnedError).await.unwrap());
    assert_eq!(kinds("O-GONE").len(), 3);
    // PAYONE authorizes after all: recorded, and the order is authorized again (money is never lost).
    let appointed = TransactionStatus::parse(b"txid=T-GONE&txaction=appointed&transaction_status=completed&sequencenumber=0");
    let received = store.receive_notification(&appointed).await.unwrap();
    assert!(
        matches!(received, Received::Fresh { applied: Ok(Applied::Moved(ref m)) } if m.from == OrderState::Abandoned && m.to == OrderState::Approved),
        "{received:?}"
    );
    assert_eq!(kinds("O-GONE").last().map(String::as_str), Some("order.approved"));
    assert!(with_payment_status(&store, "authorized").contains(&"O-GONE".to_owned()));
    // Back through the error URL, then PAYONE's `failed` with its reason: recorded with the decline.
    let back = OrderRecord { state: OrderState::Redirected, txid: Some("T-SOFT".into()), ..order("O-SOFT", "W-SOFT", "key-soft-0001") };
    store.insert_order(&back).await.unwrap();
    assert!(store.abandon("O-SOFT", OrderState::Redirected, AbandonReason::BuyerReturnedError).await.unwrap());
    let failed = TransactionStatus::parse(b"txid=T-SOFT&txaction=failed&transaction_status=completed&reasoncode=981&sequencenumber=0");
    store.receive_notification(&failed).await.unwrap();
    let soft = store.order("O-SOFT").unwrap().unwrap();
    assert_eq!((soft.state, soft.decline), (OrderState::Failed, Some(amazon_pay_contract::ErrorCode::SoftDecline)));
    assert_eq!(kinds("O-SOFT").last().map(String::as_str), Some("order.failed"));
}

both!(orders_left_placing_are_closed_once, placing_expiry_test);
/// An order whose placement was cut off (the instance died before the provider's answer was stored) is given
/// up after its time with the reason `placement_cut_off` (`redirect_expiry.rs`): once however many instances
/// sweep; never a young one, one whose transaction is known, or one a notification moved; and PAYONE's late
/// TransactionStatus still wins.
async fn placing_expiry_test(store: Store, url: Option<String>) {
    store.insert_order(&order("O-CUT", "W-CUT", "key-cut-00001")).await.unwrap();
    // PAYONE's answer named the transaction (stored), the state not yet: PAYONE has it, not ours to close.
    store.insert_order(&OrderRecord { txid: Some("T-KNOWN".into()), ..order("O-KNOWN", "W-KNOWN", "key-known-001") }).await.unwrap();
    // Cut off too, but its notification came (found by its reference): it moved, nothing to close.
    store.insert_order(&order("O-TOLD", "W-TOLD", "key-told-0001")).await.unwrap();
    let told = TransactionStatus::parse(b"txid=T-TOLD&reference=O-TOLD&txaction=appointed&transaction_status=completed&sequencenumber=0");
    store.receive_notification(&told).await.unwrap();
    assert_eq!(store.order("O-TOLD").unwrap().unwrap().state, OrderState::Approved);
    let now = amazon_pay_server::store::now();
    assert!(store.abandon_stale(amazon_pay_server::orders::Stale::Placing, now - 3600, 100).await.unwrap().is_empty(), "young: not given up");
    assert!(
        store.abandon_stale(amazon_pay_server::orders::Stale::Redirected, now + 1, 100).await.unwrap().is_empty(),
        "the redirected sweep leaves placing orders alone"
    );
    let other = match &url {
        Some(url) => open(url),
        None => store.clone(),
    };
    let (a, b) = tokio::join!(
        store.abandon_stale(amazon_pay_server::orders::Stale::Placing, now + 1, 100),
        other.abandon_stale(amazon_pay_server::orders::Stale::Placing, now + 1, 100)
    );
    let mut given_up = a.unwrap();
    given_up.extend(b.unwrap());
    assert_eq!(given_up, ["O-CUT"], "given up once, and only the order with no transaction and no notification");
    assert_eq!(store.order("O-CUT").unwrap().unwrap().state, OrderState::Abandoned);
    assert_eq!(store.order("O-KNOWN").unwrap().unwrap().state, OrderState::Placing);
    assert_eq!(store.order("O-TOLD").unwrap().unwrap().state, OrderState::Approved);
    let events = store.events_for_order("O-CUT").unwrap();
    assert_eq!(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["order.placed", "order.abandoned"]);
    let body: serde_json::Value = serde_json::from_str(&events[1].body).unwrap();
    assert_eq!(body["order"]["abandon_reason"], "placement_cut_off", "the event says why: {body}");
    assert!(store.abandon_stale(amazon_pay_server::orders::Stale::Placing, now + 1, 100).await.unwrap().is_empty(), "a second sweep finds nothing");
    // PAYONE had a transaction after all: its late notification (by the reference) moves the order, and the
    // reason is history.
    let late = TransactionStatus::parse(b"txid=T-CUT&reference=O-CUT&txaction=appointed&transaction_status=completed&sequencenumber=0");
    let received = store.receive_notification(&late).await.unwrap();
    assert!(
        matches!(received, Received::Fresh { applied: Ok(Applied::Moved(ref m)) } if m.from == OrderState::Abandoned && m.to == OrderState::Approved),
        "{received:?}"
    );
    let cut = store.order("O-CUT").unwrap().unwrap();
    assert_eq!((cut.state, cut.txid.as_deref()), (OrderState::Approved, Some("T-CUT")));
    let events = store.events_for_order("O-CUT").unwrap();
    let last: serde_json::Value = serde_json::from_str(&events.last().unwrap().body).unwrap();
    assert_eq!((last["type"].as_str(), &last["order"]["abandon_reason"]), (Some("order.approved"), &serde_json::Value::Null));
}

both!(send_now_makes_waiting_deliveries_due_once, send_now_test);
/// "Send now" after a receiver's outage (`Store::make_deliveries_due`): the deliveries waiting for a later
/// retry become due, only those to the URLs asked for, never one another instance has claimed (due within the
/// kept margin), and once: a second call (or a second instance at once) finds them due already.
async fn send_now_test(store: Store, url: Option<String>) {
    let (down, other_url) = ("http://127.0.0.1:9/hook".to_owned(), "http://127.0.0.1:9/crm".to_owned());
    let urls = vec![down.clone(), other_url.clone()];
    store.queue_deliveries(urls.clone(), 0).await.unwrap();
    for (id, key) in [("O1", "key-00000001"), ("O2", "key-00000002"), ("O3", "key-00000003")] {
        store.insert_order(&order(id, &format!("W{id}"), key)).await.unwrap();
    }
    assert_eq!(store.queue_deliveries(urls.clone(), 1_000).await.unwrap(), 6);
    // Every delivery tried and refused: each waits a day for its retry, but the CRM's first, due again soon.
    let claimed = store.claim_deliveries(&urls, 1_000, 10, 0).await.unwrap();
    assert_eq!(claimed.len(), 6);
    let first_crm = claimed.iter().find(|d| d.url == other_url).map(|d| d.event_seq);
    let day = 86_400_000;
    let refused = |d: &amazon_pay_server::store::events::Due| Attempt {
        event_seq: d.event_seq,
        url: d.url.clone(),
        at_ms: 1_000,
        status: Some(503),
        error: None,
        duration_ms: 3,
        retry_at_ms: Some(if Some(d.event_seq) == first_crm && d.url == other_url { 1_500 } else { 1_000 + day }),
        delivered: false,
    };
    store.record_attempts(claimed.iter().map(refused).collect()).await.unwrap();
    // Another instance claims that one (a lease of a minute): it is on its way, not ours to make due.
    let on_its_way = store.claim_deliveries(&urls, 2_000, 10, 60_000).await.unwrap();
    assert_eq!(on_its_way.iter().map(|d| (d.event_seq, d.url.as_str())).collect::<Vec<_>>(), [(first_crm.unwrap(), other_url.as_str())]);
    assert!(store.claim_deliveries(&urls, 2_000, 10, 0).await.unwrap().is_empty(), "nothing else due before send now");
    // Asked for the hook only, from two instances at once: its three are made due, once.
    let other = match &url {
        Some(url) => open(url),
        None => store.clone(),
    };
    let now = 2_000;
    let (a, b) =
        tokio::join!(store.make_deliveries_due(vec![down.clone()], now, 120_000), other.make_deliveries_due(vec![down.clone()], now, 120_000));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.made_due + b.made_due, 3, "{a:?} {b:?}");
    assert_eq!((a.pending, b.pending), (3, 3));
    let due = store.claim_deliveries(&urls, now, 10, 0).await.unwrap();
    assert_eq!(due.iter().map(|d| d.url.as_str()).collect::<Vec<_>>(), [down.as_str(); 3], "only the hook's, oldest first");
    assert!(due.windows(2).all(|w| w[0].event_seq < w[1].event_seq));
    // Everything: the CRM's two waiting ones are made due; the claimed one stays with its claimer (due
    // within the margin kept), and the hook's (now claimed, due at once again) are not counted twice.
    let all = store.make_deliveries_due(urls.clone(), now, 120_000).await.unwrap();
    assert_eq!((all.made_due, all.pending), (2, 6), "{all:?}");
    let crm_due = store.claim_deliveries(std::slice::from_ref(&other_url), now, 10, 0).await.unwrap();
    assert_eq!(crm_due.len(), 2);
    assert!(!crm_due.iter().any(|d| d.event_seq == on_its_way[0].event_seq), "the claimed one is not taken again");
    assert_eq!(store.make_deliveries_due(urls, now, 120_000).await.unwrap().made_due, 0, "idempotent");
}

both!(every_way_of_giving_an_order_up_says_why, abandon_reasons_test);
/// Every path that gives an order up stores its reason in the same update as the state, so the
/// `order.abandoned` event says it (`orders/abandon.rs`): the buyer back through PAYONE's error or back URL,
/// CV1's abandoned authentication, Amazon's cancelled session, an APB order its tab replaced, the sweeps. A
/// second attempt (the order moved already) changes neither state nor reason, and writes no event.
async fn abandon_reasons_test(store: Store, _url: Option<String>) {
    let reason_of_last_event = |id: &str| {
        let events = store.events_for_order(id).unwrap();
        let last = events.last().unwrap();
        let body: serde_json::Value = serde_json::from_str(&last.body).unwrap();
        (last.kind.clone(), body["order"]["abandon_reason"].as_str().map(str::to_owned))
    };
    for (n, reason) in AbandonReason::ALL.into_iter().enumerate() {
        let id = format!("O-WHY{n}");
        let redirected = OrderRecord { state: OrderState::Redirected, ..order(&id, &format!("W-WHY{n}"), &format!("key-why-{n:05}")) };
        store.insert_order(&redirected).await.unwrap();
        assert!(store.abandon(&id, OrderState::Redirected, reason).await.unwrap(), "{reason:?}");
        assert_eq!(store.order(&id).unwrap().unwrap().state, OrderState::Abandoned);
        assert_eq!(reason_of_last_event(&id), ("order.abandoned".to_owned(), Some(reason.as_str().to_owned())), "{reason:?}");
        // Given up already: nothing moves, the first reason stays, no second event.
        let events = store.events_for_order(&id).unwrap().len();
        assert!(!store.abandon(&id, OrderState::Redirected, AbandonReason::BuyerCancelled).await.unwrap());
        assert_eq!(store.events_for_order(&id).unwrap().len(), events);
        assert_eq!(reason_of_last_event(&id).1.as_deref(), Some(reason.as_str()));
    }
    // Not in the state the caller expected (PAYONE approved it first): it stays, with no reason.
    store.insert_order(&OrderRecord { state: OrderState::Approved, ..order("O-KEPT-OK", "W-KEPT-OK", "key-kept-ok-01") }).await.unwrap();
    assert!(!store.abandon("O-KEPT-OK", OrderState::Redirected, AbandonReason::BuyerReturnedError).await.unwrap());
    assert_eq!(reason_of_last_event("O-KEPT-OK"), ("order.approved".to_owned(), None));
    // An APB order its tab placed again.
    let apb = |id: &str, key: &str| OrderRecord { flow: "apb".into(), state: OrderState::Redirected, ..order(id, id, key) };
    store.insert_order(&apb("O-APB-OLD", "key-apb-old-01")).await.unwrap();
    store.insert_order(&apb("O-APB-NEW", "key-apb-new-01")).await.unwrap();
    let replaced = store.give_up_replaced("O-APB-OLD", "key-apb-old-01", "O-APB-NEW").await.unwrap();
    assert_eq!(replaced, amazon_pay_server::orders::replaced::Replaced::GivenUp);
    assert_eq!(reason_of_last_event("O-APB-OLD"), ("order.abandoned".to_owned(), Some("replaced".to_owned())));
}

both!(the_outbox_is_read_per_url_with_each_deliverys_last_attempt, outbox_view_test);
/// `GET /merchant/api/webhooks/deliveries`'s read (`store/outbox.rs`): per configured URL how many deliveries
/// wait or were given up and when the next goes, then the deliveries in one state, next due first, each with
/// its last attempt; URLs no longer configured are left out, and a URL's token is shown redacted.
async fn outbox_view_test(store: Store, _url: Option<String>) {
    use amazon_pay_server::store::outbox::OutboxState;
    let (hook, crm, gone) =
        ("http://127.0.0.1:9/hook?token=0123456789abcdef0123".to_owned(), "http://127.0.0.1:9/crm".to_owned(), "http://127.0.0.1:9/old".to_owned());
    let urls = vec![hook.clone(), crm.clone()];
    let everywhere = vec![hook.clone(), crm.clone(), gone.clone()];
    store.queue_deliveries(everywhere.clone(), 0).await.unwrap();
    for (id, key) in [("O1", "key-00000001"), ("O2", "key-00000002")] {
        store.insert_order(&order(id, &format!("W{id}"), key)).await.unwrap();
    }
    assert_eq!(store.queue_deliveries(everywhere.clone(), 1_000).await.unwrap(), 6);
    let empty = store.webhook_outbox(&urls, &urls, OutboxState::Pending, 10).unwrap();
    assert_eq!(empty.data.len(), 6 - 2, "untried deliveries wait too; the removed URL's are not listed");
    assert!(empty.data.iter().all(|d| d.attempt_count == 0 && d.last_attempt.is_none() && d.next_attempt_at_ms == Some(1_000)));
    // The hook refuses twice (the second retry later), the CRM's first event is given up, its second delivered.
    let claimed = store.claim_deliveries(&everywhere, 1_000, 10, 0).await.unwrap();
    let attempt = |d: &amazon_pay_server::store::events::Due, at_ms: i64, status: Option<u16>, retry: Option<i64>| Attempt {
        event_seq: d.event_seq,
        url: d.url.clone(),
        at_ms,
        status,
        error: status.is_none().then(|| "connection refused".to_owned()),
        duration_ms: 2,
        retry_at_ms: retry,
        delivered: status == Some(200),
    };
    let crm_first = claimed.iter().filter(|d| d.url == crm).map(|d| d.event_seq).min().unwrap();
    let mut attempts = Vec::new();
    for d in &claimed {
        if d.url == hook {
            attempts.push(attempt(d, 1_000, Some(503), Some(5_000)));
        } else if d.url == crm {
            attempts.push(if d.event_seq == crm_first { attempt(d, 1_000, None, None) } else { attempt(d, 1_000, Some(200), None) });
        }
    }
    store.record_attempts(attempts).await.unwrap();
    let again = store.claim_deliveries(std::slice::from_ref(&hook), 5_000, 10, 0).await.unwrap();
    let hook_seqs: Vec<i64> = again.iter().map(|d| d.event_seq).collect();
    store
        .record_attempts(again.iter().map(|d| attempt(d, 5_000, None, Some(if d.event_seq == hook_seqs[0] { 9_000 } else { 8_000 }))).collect())
        .await
        .unwrap();

    let outbox = store.webhook_outbox(&urls, &urls, OutboxState::Pending, 10).unwrap();
    let shown_hook = amazon_pay_server::config::merchant::url_shown(&hook);
    assert!(!shown_hook.contains("0123456789abcdef"), "the token is not shown: {shown_hook}");
    let summary: Vec<(String, u64, u64, Option<i64>)> =
        outbox.urls.iter().map(|u| (u.url.clone(), u.pending, u.failed, u.next_attempt_at_ms)).collect();
    assert_eq!(summary, [(shown_hook.clone(), 2, 0, Some(8_000)), (crm.clone(), 0, 1, None)]);
    assert_eq!(outbox.data.len(), 2);
    assert!(!outbox.has_more);
    assert_eq!(outbox.data.iter().map(|d| d.next_attempt_at_ms).collect::<Vec<_>>(), [Some(8_000), Some(9_000)], "next due first");
    for d in &outbox.data {
        assert_eq!((d.url.as_str(), d.state.as_str(), d.attempt_count, d.kind.as_str()), (shown_hook.as_str(), "pending", 2, "order.placed"));
        let last = d.last_attempt.as_ref().unwrap();
        assert_eq!((last.at_ms, last.status, last.error.as_deref()), (5_000, None, Some("connection refused")), "the last attempt, not the first");
    }
    let page = store.webhook_outbox(&urls, &urls, OutboxState::Pending, 1).unwrap();
    assert_eq!((page.data.len(), page.has_more), (1, true));
    let failed = store.webhook_outbox(&urls, std::slice::from_ref(&crm), OutboxState::Failed, 10).unwrap();
    assert_eq!(failed.data.len(), 1);
    assert_eq!((failed.data[0].url.as_str(), failed.data[0].next_attempt_at_ms), (crm.as_str(), None));
    assert_eq!(failed.data[0].last_attempt.as_ref().and_then(|a| a.error.as_deref()), Some("connection refused"));
    assert!(store.webhook_outbox(&urls, std::slice::from_ref(&crm), OutboxState::Pending, 10).unwrap().data.is_empty(), "only the URL asked for");
}

fn refusal(at: i64, action: &str, amount: i64) -> Refusal {
    Refusal { at, provider: "payone".into(), action: action.into(), amount, message: format!("error 911: {action} refused") }
}

both!(merchant_marks, merchant_marks_test);
/// The merchant API's lost calls and refusals (`store/merchant_marks.rs`): per order, once per key, oldest first;
/// and two instances adding to one order at once both keep theirs (the JSON lists, read and written back whole,
/// could lose one).
async fn merchant_marks_test(store: Store, url: Option<String>) {
    store.insert_merchant_lost_call("O1", "key-lost-0001").await.unwrap();
    store.insert_merchant_lost_call("O1", "key-lost-0002").await.unwrap();
    store.insert_merchant_lost_call("O1", "key-lost-0001").await.unwrap();
    store.insert_merchant_lost_call("O2", "key-lost-0003").await.unwrap();
    assert_eq!(store.merchant_lost_calls("O1").unwrap(), ["key-lost-0001", "key-lost-0002"], "each key once");
    store.delete_merchant_lost_call("O1", "key-lost-0001").await.unwrap();
    store.delete_merchant_lost_call("O1", "key-lost-0003").await.unwrap();
    assert_eq!(store.merchant_lost_calls("O1").unwrap(), ["key-lost-0002"]);
    assert_eq!(store.merchant_lost_calls("O2").unwrap(), ["key-lost-0003"], "another order's key is not touched");
    assert!(store.merchant_lost_calls("O3").unwrap().is_empty());

    store.insert_merchant_refusal("O1", "key-refused-2", refusal(20, "refund", 500)).await.unwrap();
    store.insert_merchant_refusal("O1", "key-refused-1", refusal(10, "capture", 1290)).await.unwrap();
    store.insert_merchant_refusal("O1", "key-refused-1", refusal(30, "cancel", 0)).await.unwrap();
    assert_eq!(store.merchant_refusals("O1").unwrap(), [refusal(10, "capture", 1290), refusal(20, "refund", 500)], "oldest first, once per key");
    assert!(store.merchant_refusals("O2").unwrap().is_empty());

    // Two instances (on SQLite, two writers of one store), 40 keys added to one order at once, each twice.
    let other = match url {
        Some(url) => open(&url),
        None => store.clone(),
    };
    let adds = (0..80).map(|i| {
        let store = if i % 2 == 0 { store.clone() } else { other.clone() };
        tokio::spawn(async move {
            let key = format!("key-race-{:04}", i % 40);
            store.insert_merchant_lost_call("O-RACE", &key).await.unwrap();
            store.insert_merchant_refusal("O-RACE", &key, refusal(i % 40, "capture", 100)).await.unwrap();
        })
    });
    for add in adds.collect::<Vec<_>>() {
        add.await.unwrap();
    }
    let expected: Vec<String> = (0..40).map(|i| format!("key-race-{i:04}")).collect();
    let mut kept = store.merchant_lost_calls("O-RACE").unwrap();
    kept.sort();
    assert_eq!(kept, expected, "every key kept, once");
    assert_eq!(other.merchant_refusals("O-RACE").unwrap(), (0..40).map(|i| refusal(i, "capture", 100)).collect::<Vec<_>>());
}

/// The lists releases before migration 17 kept in `merchant_requests`: order O1's lost keys (one still unknown,
/// kept at 1234; one answered since), its two refusals; O2's list unreadable (it was read as empty); and a
/// client's own key, which stays.
const MERCHANT_LISTS_BEFORE_17: &str = r#"
INSERT INTO merchant_requests (idempotency_key, fingerprint, status, response, created_at) VALUES
    ('key-pending-01', 'f1', 0, '{"sequencenumber":2,"amount":500,"order":"O1","action":"capture","reason":null}', 1234),
    ('key-answered-1', 'f2', 200, '{}', 1300),
    ('lost:O1', '', 1, '["key-pending-01","key-answered-1"]', 1300),
    ('refused:O1', '', 2, '[{"at":20,"provider":"payone","action":"refund","amount":500,"message":"error 911: refund refused"},{"at":10,"provider":"payone","action":"capture","amount":1290,"message":"error 911: capture refused"}]', 1400),
    ('lost:O2', '', 1, 'not json', 1500),
    ('key-of-client', 'f3', 502, '{"error":"payone_refused"}', 1600);
"#;

/// What migration 17 made of [`MERCHANT_LISTS_BEFORE_17`].
fn assert_merchant_lists_moved(store: &Store) {
    assert_eq!(store.merchant_lost_calls("O1").unwrap(), ["key-pending-01"], "the unknown one kept; the answered one needs no mark");
    assert!(store.merchant_lost_calls("O2").unwrap().is_empty());
    assert_eq!(store.merchant_refusals("O1").unwrap(), [refusal(10, "capture", 1290), refusal(20, "refund", 500)]);
}

/// SQLite: migration 17 moves the lists into their tables and out of `merchant_requests`, which keeps the keys'
/// own rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migration_17_moves_the_merchant_lists() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let file = dir.path().join("amazon-pay.sqlite");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch(&format!("DROP TABLE merchant_lost_calls; DROP TABLE merchant_refusals; {MERCHANT_LISTS_BEFORE_17} PRAGMA user_version = 16;"))
        .unwrap();
    let store = Store::open(dir.path()).unwrap();
    assert_merchant_lists_moved(&store);
    drop(store);
    let conn = rusqlite::Connection::open(&file).unwrap();
    let keys: Vec<String> = conn
        .prepare("SELECT idempotency_key FROM merchant_requests ORDER BY idempotency_key")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(keys, ["key-answered-1", "key-of-client", "key-pending-01"], "idempotency only");
    let kept_at: i64 =
        conn.query_row("SELECT created_at FROM merchant_lost_calls WHERE idempotency_key = 'key-pending-01'", [], |r| r.get(0)).unwrap();
    assert_eq!(kept_at, 1234, "when the call was lost");
}

/// As [`sqlite_migration_17_moves_the_merchant_lists`], on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migration_17_moves_the_merchant_lists() {
    let Some(url) = fresh_pg_url().await else { return };
    drop(open(&url));
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "DROP TABLE merchant_lost_calls; DROP TABLE merchant_refusals; {MERCHANT_LISTS_BEFORE_17} DELETE FROM schema_migrations WHERE version = 17"
        ))
        .await
        .unwrap();
    let store = open(&url);
    assert_merchant_lists_moved(&store);
    let mut keys: Vec<String> = client.query("SELECT idempotency_key FROM merchant_requests", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    keys.sort();
    assert_eq!(keys, ["key-answered-1", "key-of-client", "key-pending-01"], "idempotency only");
    let kept_at: i64 =
        client.query_one("SELECT created_at FROM merchant_lost_calls WHERE idempotency_key = 'key-pending-01'", &[]).await.unwrap().get(0);
    assert_eq!(kept_at, 1234, "when the call was lost");
}
