//! Two shops pointed at one store by mistake (docs/operations.md#several-shops): the second is refused at start
//! with a sentence that says why, and nothing of the first shop's changes; a second instance of the same shop
//! still starts. On SQLite, and on PostgreSQL with `AMAZON_PAY_TEST_SERVER_STORE=postgres`.

mod support;

use amazon_pay_server::app::Server;
use amazon_pay_server::config::{Args, Config};
use clap::Parser;
use std::path::Path;

/// The German shop: the sandbox's PAYONE, EUR.
fn german(dir: &Path) -> Config {
    Config::sandbox_for_tests(dir.to_owned())
}

/// The UK shop: Amazon Pay directly (the sandbox's simulator), GBP.
fn british(dir: &Path) -> Config {
    let catalogue = dir.join("uk-catalogue.json");
    std::fs::write(&catalogue, r#"{"currency":"GBP","products":{"mug":{"name":"Rust mug","price":1100}},"delivery":{"standard":0,"express":590}}"#)
        .expect("the catalogue is written");
    let args = Args::parse_from([
        "amazon-pay-server",
        "--sandbox",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.to_str().expect("a UTF-8 path"),
        "--provider",
        "amazon",
        "--currency",
        "GBP",
        "--catalogue",
        catalogue.to_str().expect("a UTF-8 path"),
    ]);
    Config::from_args(args).expect("the UK shop's configuration is valid")
}

/// Both configurations on one store: the test's SQLite directory, or one fresh PostgreSQL database.
async fn on_one_store(dir: &Path) -> (Config, Config) {
    let mut de = german(dir);
    let mut uk = british(dir);
    if let Some(url) = support::test_store(&mut de).await {
        uk.database_url = url.parse().expect("a PostgreSQL URL");
    }
    (de, uk)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_shop_on_the_first_shops_store_is_refused_and_a_second_instance_is_not() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (de, uk) = on_one_store(dir.path()).await;
    let same_shop = de.clone();
    let first = Server::bind(de).await.expect("the German shop starts on an empty store");

    let refused = Server::bind(uk).await.err().expect("the UK shop must not start on the German shop's store");
    let sentence = refused.to_string();
    assert!(sentence.contains("another shop"), "{sentence}");
    assert!(sentence.contains("payone") && sentence.contains("EUR"), "names the shop the store belongs to: {sentence}");
    assert!(sentence.contains("amazon") && sentence.contains("GBP"), "names this server's shop: {sentence}");
    assert!(sentence.contains("DATABASE_URL"), "says what to change: {sentence}");

    // The refusal changed nothing: the German shop's second instance (the same settings) still starts.
    let second = Server::bind(same_shop).await.expect("a second instance of the same shop starts");
    drop((first, second));
}
