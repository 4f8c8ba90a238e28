//! `amazon-pay-server migrate-store`: a SQLite store copied into an empty PostgreSQL database, ids and order
//! kept, counts checked; a non-empty target and wrong arguments refused. Needs the test cluster (see
//! support/pg.rs).

mod support;

use amazon_pay_contract::cv2::DeliveryOption;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::Money;
use amazon_pay_server::orders::OrderRecord;
use amazon_pay_server::payone::TransactionStatus;
use amazon_pay_server::store::{Checkout, DatabaseUrl, Store};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_amazon-pay-server");

fn order(id: &str, key: &str, txid: Option<&str>) -> OrderRecord {
    OrderRecord {
        id: id.into(),
        workorder_id: "WO1".into(),
        flow: "cv2".into(),
        idempotency_key: key.into(),
        state: if txid.is_some() { OrderState::Pending } else { OrderState::UpstreamFailed },
        amount: Money::eur(1290),
        txid: txid.map(str::to_owned),
        userid: None,
        decline: None,
        response_json: Some("{\"a\":\"ü\"}".into()),
        provider: amazon_pay_server::orders::Provider::Payone,
    }
}

/// A refused capture, as the merchant API records it.
fn refused() -> amazon_pay_server::store::merchant_marks::Refusal {
    amazon_pay_server::store::merchant_marks::Refusal {
        at: 7,
        provider: "payone".into(),
        action: "capture".into(),
        amount: 1290,
        message: "error 911: refused".into(),
    }
}

fn migrate(args: &[&str]) -> std::process::Output {
    Command::new(BIN).arg("migrate-store").args(args).output().expect("the binary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_store_is_copied_whole_into_an_empty_postgres_and_a_full_one_is_refused() {
    let Some(base) = support::pg::base_url() else { return };
    let target = support::pg::fresh_database(&base).await;
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        let checkout = Checkout {
            workorder_id: "WO1".into(),
            flow: "cv2".into(),
            amount: Money::eur(1290),
            items_json: "[]".into(),
            delivery: DeliveryOption::Express,
            created_at: 5,
        };
        store.insert_checkout(&checkout).await.unwrap();
        store.record_upstream_call("payone", "genericpayment", "r1", "a1", "ok").await.unwrap();
        store.queue_deliveries(vec!["http://127.0.0.1:9/hook".into()], 0).await.unwrap();
        // Inserted second but with the same created_at: only SQLite's rowid keeps them in placement order.
        store.insert_order(&order("OZZZ", "key-00000001", None)).await.unwrap();
        store.insert_order(&order("OAAA", "key-00000002", Some("T1"))).await.unwrap();
        store
            .receive_notification(&TransactionStatus::parse(b"txid=T1&txaction=appointed&transaction_status=completed&sequencenumber=0"))
            .await
            .unwrap();
        store.queue_deliveries(vec!["http://127.0.0.1:9/hook".into()], 0).await.unwrap();
        // The merchant API's per-order marks (migration 17's tables) are copied too.
        store.insert_merchant_lost_call("OAAA", "key-lost-0001").await.unwrap();
        store.insert_merchant_refusal("OAAA", "key-refused-1", refused()).await.unwrap();
    }
    let source = format!("sqlite:{}", dir.path().join("amazon-pay.sqlite").display());

    let out = migrate(&["--from", &source, "--to", &target]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let sqlite = rusqlite::Connection::open(dir.path().join("amazon-pay.sqlite")).unwrap();
    for table in amazon_pay_server::store::pg_schema::TABLES {
        let rows: i64 = sqlite.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
        assert!(
            stdout.contains(&format!("\n{table}: {rows} rows copied, counts match")) || stdout.starts_with(&format!("{table}: {rows} rows")),
            "{table} {rows} in {stdout}"
        );
        assert_eq!(support::pg::count(&target, &format!("SELECT count(*) FROM {table}")), rows, "{table}");
    }
    assert!(stdout.contains("orders: 2 rows") && stdout.contains("notifications: 1 rows") && stdout.ends_with("migrate-store: done\n"), "{stdout}");

    let pg = Store::open_url(&target.parse::<DatabaseUrl>().unwrap(), dir.path()).unwrap();
    let ids: Vec<String> = pg.orders_for_workorder("WO1").unwrap().into_iter().map(|o| o.id).collect();
    assert_eq!(ids, ["OZZZ", "OAAA"], "placement order kept");
    let approved = pg.order_by_key("key-00000002").unwrap().unwrap();
    assert_eq!((approved.state, approved.response_json.as_deref()), (OrderState::Approved, Some("{\"a\":\"ü\"}")));
    assert_eq!(pg.checkout("WO1").unwrap().unwrap().delivery, DeliveryOption::Express);
    assert_eq!(pg.merchant_lost_calls("OAAA").unwrap(), ["key-lost-0001"]);
    assert_eq!(pg.merchant_refusals("OAAA").unwrap(), [refused()]);
    // New rows continue after the copied ids.
    pg.record_upstream_call("payone", "preauthorization", "r2", "a2", "ok").await.unwrap();
    assert_eq!(pg.upstream_call_requests().unwrap(), ["r1", "r2"]);
    let before = pg.last_event_seq().unwrap();
    pg.set_order_state("OAAA", OrderState::Paid).await.unwrap();
    assert_eq!(pg.last_event_seq().unwrap(), before + 1);

    let again = migrate(&["--from", &source, "--to", &target]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(!again.status.success() && stderr.contains("not empty"), "{stderr}");
}

#[test]
fn wrong_arguments_are_refused_with_the_usage() {
    for args in [
        &["--to", "postgres://u@127.0.0.1/db"][..],
        &["--from", "postgres://u@127.0.0.1/a", "--to", "postgres://u@127.0.0.1/b"],
        &["--from", "sqlite:/nonexistent/x.sqlite", "--to", "postgres://u@127.0.0.1/b"],
        &["--from", "sqlite:a", "--to", "sqlite:b", "--x"],
    ] {
        let out = migrate(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains("usage: amazon-pay-server migrate-store"), "{args:?}: {stderr}");
    }
    // A path without `sqlite:` or a `--to` that is no URL: the argument is named, not the server's --database-url.
    for (args, said) in [
        (&["--from", "data/amazon-pay.sqlite", "--to", "postgres://u@127.0.0.1/b"][..], "--from must be sqlite:PATH"),
        (&["--from", "sqlite:a", "--to", "db.internal/amazonpay"][..], "--to must be a postgres:// URL"),
    ] {
        let out = migrate(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(said) && !stderr.contains("--database-url"), "{args:?}: {stderr}");
    }
}

#[test]
fn help_prints_the_usage_and_changes_nothing() {
    for flag in ["--help", "-h"] {
        let out = migrate(&[flag]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{flag}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.starts_with("Usage: amazon-pay-server migrate-store --from sqlite:PATH --to postgres://"), "{flag}: {stdout}");
    }
}
