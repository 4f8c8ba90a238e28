//! APB placement over HTTP against the sandbox: validation, server-side amount, idempotency, and orders whose
//! buyer never came back from Amazon given up (after the expiry, or at once when the same tab places again).
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_contract::apb::{ApbBuyer, ApbOrderRequest, ApbOrderResponse, ApbReplaces};
use amazon_pay_contract::cv2::{CartLine, PostalAddress, ProductType};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ApiError, ErrorCode, Language, Money};
use amazon_pay_server::app::Server;
use amazon_pay_server::config::Config;

/// A sandbox server on a fresh store: SQLite, or a new PostgreSQL database with
/// `AMAZON_PAY_TEST_SERVER_STORE=postgres` (these tests ran on SQLite there). Its counts of PAYONE calls are its
/// own order's all the same ([`authorizations_of`]), so they hold on a database other tests write too.
async fn start() -> (String, tempfile::TempDir, amazon_pay_server::app::AppState) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    support::test_store(&mut config).await;
    let (base, state) = Server::bind(config).await.unwrap().spawn();
    (base, dir, state)
}

/// How many PAYONE preauthorizations the store recorded for order `id` (its `reference`), and not for any other
/// order in the same database.
fn authorizations_of(state: &amazon_pay_server::app::AppState, id: &str) -> usize {
    let reference = format!("reference={id}");
    let requests = state.store.upstream_call_requests().unwrap();
    requests.iter().filter(|r| r.split('&').any(|p| p == "request=preauthorization") && r.split('&').any(|p| p == reference)).count()
}

fn request(key: &str, product_type: ProductType, buyer: Option<ApbBuyer>) -> ApbOrderRequest {
    ApbOrderRequest {
        items: vec![CartLine { sku: "tshirt".into(), quantity: 2 }],
        idempotency_key: key.into(),
        language: Language::En,
        product_type,
        buyer,
        replaces: None,
        replay_only: false,
    }
}

fn buyer() -> ApbBuyer {
    ApbBuyer {
        email: "anna@sandbox.example".into(),
        phone: "+49 30 1234567".into(),
        address: PostalAddress {
            first_name: "Anna".into(),
            last_name: "Schmidt".into(),
            street: "Unter den Linden 1".into(),
            zip: "10117".into(),
            city: "Berlin".into(),
            country: "DE".into(),
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn apb_returns_the_signed_process_order_payload_priced_by_the_server() {
    let (base, _dir, state) = start().await;
    let client = reqwest::Client::new();
    // Extra fields such as an amount are not part of the contract and change nothing.
    let mut body = serde_json::to_value(request("apb-key-00000001", ProductType::PayAndShip, Some(buyer()))).unwrap();
    body["amount"] = serde_json::json!({"minor": 1, "currency": "EUR"});
    let response = client.post(format!("{base}/api/apb/orders")).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let placed: ApbOrderResponse = response.json().await.unwrap();
    let price = state.catalogue.products["tshirt"].price;
    assert_eq!(placed.button().unwrap().amount, Money::eur(2 * price));
    let payload: serde_json::Value = serde_json::from_str(&placed.button().unwrap().payload_json).unwrap();
    assert_eq!(payload["webCheckoutDetails"]["checkoutMode"], "ProcessOrder");
    assert_eq!(payload["paymentDetails"]["chargeAmount"]["amount"], Money::eur(2 * price).decimal());
    let order = state.store.order(placed.order_id()).unwrap().unwrap();
    assert_eq!(order.workorder_id, placed.button().unwrap().workorder_id);

    // The same key again: the same answer, no second authorization.
    let again: ApbOrderResponse = client
        .post(format!("{base}/api/apb/orders"))
        .json(&request("apb-key-00000001", ProductType::PayAndShip, Some(buyer())))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again, placed);
    assert_eq!(authorizations_of(&state, placed.order_id()), 1);
}

/// The same key with another cart is not answered with the first cart's button (another amount, or other
/// goods for the same amount): 400, nothing sent to PAYONE, and the first cart's answer stays the key's.
#[tokio::test]
async fn apb_refuses_the_same_key_with_another_cart() {
    let (base, _dir, state) = start().await;
    let client = reqwest::Client::new();
    let post = |body: ApbOrderRequest| client.post(format!("{base}/api/apb/orders")).json(&body).send();
    let first = request("apb-key-reused-01", ProductType::PayAndShip, Some(buyer()));
    let placed: ApbOrderResponse = post(first.clone()).await.unwrap().json().await.unwrap();
    let line = |sku: &str, quantity| CartLine { sku: sku.into(), quantity };
    // tshirt x2 is 49.80 EUR; mug x1 another amount; the same lines in another quantity split are other goods.
    let others = [vec![line("mug", 1)], vec![line("tshirt", 1), line("tshirt", 1)], vec![line("tshirt", 3)]];
    for items in others {
        let response = post(ApbOrderRequest { items: items.clone(), ..first.clone() }).await.unwrap();
        assert_eq!(response.status(), 400, "{items:?}");
        let err: ApiError = response.json().await.unwrap();
        assert_eq!(err.code, ErrorCode::BadRequest);
        assert!(err.detail.unwrap_or_default().contains("another cart"), "{items:?}");
    }
    assert_eq!(authorizations_of(&state, placed.order_id()), 1, "nothing more reached PAYONE");
    let again: ApbOrderResponse = post(first).await.unwrap().json().await.unwrap();
    assert_eq!(again, placed, "the key still answers its own cart");
}

#[tokio::test]
async fn apb_refuses_physical_goods_without_an_address_and_sends_nothing() {
    let (base, _dir, state) = start().await;
    // A cart no other test here places (four shirts), so a call for it would be this request's.
    let mut refused = request("apb-key-00000002", ProductType::PayAndShip, None);
    refused.items = vec![CartLine { sku: "tshirt".into(), quantity: 4 }];
    let response = reqwest::Client::new().post(format!("{base}/api/apb/orders")).json(&refused).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<ApiError>().await.unwrap().code, ErrorCode::BadRequest);
    assert!(state.store.order_by_key("apb-key-00000002").unwrap().is_none(), "no order");
    let amount = format!("amount={}", 4 * state.catalogue.products["tshirt"].price);
    let sent = state.store.upstream_call_requests().unwrap().into_iter().filter(|r| r.split('&').any(|p| p == amount)).count();
    assert_eq!(sent, 0, "nothing sent to PAYONE");
}

/// The buyer's fields come from the shop's own form, i.e. from anyone: what is not an address (a country that is
/// not an ISO code, an e-mail without `@`, a line break, 20 000 characters) is refused with a clear error before
/// PAYONE or Amazon hears of it, for PayOnly buyers too (their fields are sent as the billing data).
#[tokio::test]
async fn apb_refuses_buyer_fields_that_are_not_an_address_and_sends_nothing() {
    let (base, _dir, state) = start().await;
    let client = reqwest::Client::new();
    type Change = fn(&mut ApbBuyer);
    let cases: Vec<(&str, Change)> = vec![
        ("country", (|b| b.address.country = "DE&amount=1".into()) as Change),
        ("country", (|b| b.address.country = "ZZZ".into()) as Change),
        ("email", (|b| b.email = "not-an-email".into()) as Change),
        ("email", (|b| b.email = "anna@sandbox.example\r\nBcc: x@evil.example".into()) as Change),
        ("first_name", (|b| b.address.first_name = "Anna\r\nX-Injected: 1".into()) as Change),
        ("city", (|b| b.address.city = "Berlin\u{1b}[31m".into()) as Change),
        ("last_name", (|b| b.address.last_name = "S".repeat(20_000)) as Change),
        ("street", (|b| b.address.street = "x".repeat(256)) as Change),
    ];
    for (n, (field, change)) in cases.iter().enumerate() {
        let mut b = buyer();
        change(&mut b);
        for (product_type, items) in [(ProductType::PayAndShip, "tshirt"), (ProductType::PayOnly, "ebook")] {
            let mut body = request(&format!("apb-bad-buyer-{n:03}-{items}"), product_type, Some(b.clone()));
            body.items = vec![CartLine { sku: items.into(), quantity: 1 }];
            let response = client.post(format!("{base}/api/apb/orders")).json(&body).send().await.unwrap();
            assert_eq!(response.status(), 400, "{field} ({items})");
            let error = response.json::<ApiError>().await.unwrap();
            assert_eq!(error.code, ErrorCode::BadRequest);
            assert!(error.detail.as_deref().unwrap_or_default().contains(field), "{field}: {:?}", error.detail);
        }
    }
    assert!(state.store.upstream_calls().unwrap().is_empty(), "nothing reached PAYONE");
    // Names in any script, with accents, apostrophes and hyphens, are addresses.
    let mut b = buyer();
    b.address.first_name = "Zoë-Anne".into();
    b.address.last_name = "O'Brien 山田".into();
    b.address.country = "de".into();
    let ok =
        client.post(format!("{base}/api/apb/orders")).json(&request("apb-good-buyer-001", ProductType::PayAndShip, Some(b))).send().await.unwrap();
    assert_eq!(ok.status(), 200, "{:?}", ok.text().await);
}

#[tokio::test]
async fn apb_digital_goods_need_no_address() {
    let (base, _dir, _state) = start().await;
    let mut digital = request("apb-key-00000003", ProductType::PayOnly, None);
    digital.items = vec![CartLine { sku: "ebook".into(), quantity: 1 }];
    let response = reqwest::Client::new().post(format!("{base}/api/apb/orders")).json(&digital).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let placed: ApbOrderResponse = response.json().await.unwrap();
    assert_eq!(placed.button().unwrap().product_type, ProductType::PayOnly);
}

/// The buyer reloads the APB page while on Amazon's pages and pays with the new order (a reload makes a new
/// key), or just closes the tab: the first order is `redirected` and nothing else would ever move it. After
/// `--redirected-expiry-seconds` it is given up, with its `order.abandoned` event (on SQLite, and on
/// PostgreSQL with `AMAZON_PAY_TEST_SERVER_STORE=postgres`).
#[tokio::test]
async fn an_order_whose_buyer_never_came_back_is_given_up_after_the_expiry() {
    let env = support::start_with(|config| config.redirected_expiry = std::time::Duration::from_secs(1)).await;
    let place = |key: &'static str| {
        let (http, base) = (env.http.clone(), env.base.clone());
        async move {
            let mut digital = request(key, ProductType::PayOnly, None);
            digital.items = vec![CartLine { sku: "ebook".into(), quantity: 1 }];
            let response = http.post(format!("{base}/api/apb/orders")).json(&digital).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<ApbOrderResponse>().await.unwrap().order_id().to_owned()
        }
    };
    let first = place("apb-key-reload-1").await;
    let status = |id: &str| {
        let url = format!("{}/api/orders/{id}", env.base);
        let http = env.http.clone();
        async move { http.get(url).send().await.unwrap().json::<amazon_pay_contract::orders::OrderStatus>().await.unwrap() }
    };
    assert_eq!(status(&first).await.state, OrderState::Redirected);
    // Reloaded: a new key, a new order.
    let second = place("apb-key-reload-2").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let given_up = loop {
        let now = status(&first).await;
        if now.state != OrderState::Redirected || std::time::Instant::now() > deadline {
            break now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!((given_up.state, given_up.settled), (OrderState::Abandoned, true), "given up within the deadline: {given_up:?}");
    let kinds: Vec<String> = env.state.store.events_for_order(&first).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "order.abandoned").count(), 1, "one event, for the webhooks: {kinds:?}");
    assert_ne!(first, second);
}

/// An ebook placed with `key`; `replaces`: the earlier placement `(order id, key)` the tab claims.
async fn place_ebook(env: &support::Env, key: &str, replaces: Option<(&str, &str)>) -> ApbOrderResponse {
    let replaces =
        replaces.map(|(order_id, idempotency_key)| ApbReplaces { order_id: order_id.into(), idempotency_key: idempotency_key.into(), retry: false });
    place_ebook_claiming(env, key, replaces).await
}

/// An ebook placed with `key` by the page whose own order `(order id, key)` was given up (`retry`).
async fn place_ebook_again(env: &support::Env, key: &str, order_id: &str, its_key: &str) -> ApbOrderResponse {
    place_ebook_claiming(env, key, Some(ApbReplaces { order_id: order_id.into(), idempotency_key: its_key.into(), retry: true })).await
}

async fn place_ebook_claiming(env: &support::Env, key: &str, replaces: Option<ApbReplaces>) -> ApbOrderResponse {
    let mut digital = request(key, ProductType::PayOnly, None);
    digital.items = vec![CartLine { sku: "ebook".into(), quantity: 1 }];
    digital.replaces = replaces;
    let response = env.http.post(env.url("/api/apb/orders")).json(&digital).send().await.unwrap();
    assert_eq!(response.status(), 200, "a claim never fails the placement");
    response.json().await.unwrap()
}

/// The buyer chose Anna's Visa on Amazon's pages and finished there: PAYONE authorizes and notifies.
async fn finish_on_amazon(env: &support::Env, placed: &ApbOrderResponse) {
    env.choose(&placed.button().unwrap().workorder_id, "anna", "anna-home", "visa-1111");
    let txid = env.state.store.order(placed.order_id()).unwrap().unwrap().txid.unwrap();
    env.sandbox().payone.finish_redirect(&txid, amazon_pay_server::sandbox::MfaOutcome::NotAsked).await.unwrap();
}

fn state_of(env: &support::Env, id: &str) -> OrderState {
    env.state.store.order(id).unwrap().unwrap().state
}

fn abandoned_events(env: &support::Env, id: &str) -> usize {
    env.state.store.events_for_order(id).unwrap().into_iter().filter(|e| e.kind == "order.abandoned").count()
}

/// The buyer reloads the APB page while on Amazon's pages and pays again: the tab names its earlier order and
/// the key it placed it with, and that order is given up at once (not after the sweep's 24 hours), once, with
/// its event, even when the new placement is replayed or claimed again (on SQLite, and on PostgreSQL with
/// `AMAZON_PAY_TEST_SERVER_STORE=postgres`).
#[tokio::test]
async fn a_tab_that_places_again_gives_up_its_earlier_order_at_once() {
    let env = support::start().await;
    let first = place_ebook(&env, "apb-key-replace-1", None).await.order_id().to_owned();
    assert_eq!(state_of(&env, &first), OrderState::Redirected);
    let second = place_ebook(&env, "apb-key-replace-2", Some((&first, "apb-key-replace-1"))).await;
    assert_eq!(state_of(&env, &first), OrderState::Abandoned, "given up at once");
    assert_eq!(state_of(&env, second.order_id()), OrderState::Redirected);
    assert_eq!(abandoned_events(&env, &first), 1, "one event, for the webhooks");
    assert_eq!(env.texts(&format!("SELECT replaced_by FROM orders WHERE id = '{first}'")), [second.order_id()]);
    let event = env.state.store.events_for_order(&first).unwrap().into_iter().find(|e| e.kind == "order.abandoned").unwrap();
    let event: serde_json::Value = serde_json::from_str(&event.body).unwrap();
    assert_eq!(event["order"]["abandon_reason"], "replaced", "the event says why: {event}");
    let status: amazon_pay_contract::orders::OrderStatus =
        env.http.get(env.url(&format!("/api/orders/{first}"))).send().await.unwrap().json().await.unwrap();
    assert_eq!((status.state, status.settled), (OrderState::Abandoned, true));

    // A replay of the second placement is a replay: the same answer, nothing given up twice.
    let again = place_ebook(&env, "apb-key-replace-2", Some((&first, "apb-key-replace-1"))).await;
    assert_eq!(again, second);
    // A third placement claiming the same order changes nothing either.
    let third = place_ebook(&env, "apb-key-replace-3", Some((&first, "apb-key-replace-1"))).await;
    assert_eq!(abandoned_events(&env, &first), 1);
    assert_eq!(env.texts(&format!("SELECT replaced_by FROM orders WHERE id = '{first}'")), [second.order_id()], "still the first replacement");
    assert_eq!(state_of(&env, third.order_id()), OrderState::Redirected);
    let auths: Vec<usize> = [&first, second.order_id(), third.order_id()].iter().map(|id| authorizations_of(&env.state, id)).collect();
    assert_eq!(auths, [1, 1, 1], "one authorization per placement, none for the replay");
}

/// A claim that does not hold changes nothing and never fails the new placement: a wrong key, an unknown
/// order, an order that is not APB's, one whose buyer came back through the success URL, one already moved.
#[tokio::test]
async fn claims_that_do_not_hold_give_nothing_up() {
    use amazon_pay_server::orders::replaced::Replaced;
    let env = support::start().await;
    let store = &env.state.store;
    let first = place_ebook(&env, "apb-key-claims-1", None).await.order_id().to_owned();

    let wrong = place_ebook(&env, "apb-key-claims-2", Some((&first, "apb-key-claims-X"))).await.order_id().to_owned();
    assert_eq!(store.give_up_replaced(&first, "apb-key-claims-X", &wrong).await.unwrap(), Replaced::WrongKey);
    assert_eq!(store.give_up_replaced(&first, "apb-key-claims-", &wrong).await.unwrap(), Replaced::WrongKey, "a prefix of the key");
    let unknown = place_ebook(&env, "apb-key-claims-3", Some(("ONOSUCHORDER1", "apb-key-claims-1"))).await.order_id().to_owned();
    assert_eq!(store.give_up_replaced("ONOSUCHORDER1", "apb-key-claims-1", &unknown).await.unwrap(), Replaced::Unknown);
    assert_eq!(store.give_up_replaced(&first, "apb-key-claims-1", &first).await.unwrap(), Replaced::Itself);
    assert_eq!((state_of(&env, &first), abandoned_events(&env, &first)), (OrderState::Redirected, 0));

    // Back through PAYONE's success URL: the buyer finished there, PAYONE's word is on its way.
    let returned = place_ebook(&env, "apb-key-claims-4", None).await.order_id().to_owned();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let token = amazon_pay_server::return_token::token(&env.state.config.payone.key, &returned);
    let back = no_redirects.get(env.url(&format!("/api/orders/{returned}/return?result=success&token={token}"))).send().await.unwrap();
    assert!(back.status().is_redirection(), "{}", back.status());
    let after = place_ebook(&env, "apb-key-claims-5", Some((&returned, "apb-key-claims-4"))).await.order_id().to_owned();
    assert_eq!((state_of(&env, &returned), abandoned_events(&env, &returned)), (OrderState::Redirected, 0));
    assert_eq!(store.give_up_replaced(&returned, "apb-key-claims-4", &after).await.unwrap(), Replaced::Returned);

    // Not an APB order: a Checkout v2 order waiting for its buyer on Amazon's pages.
    let workorder = env.checkout("visa-1111").await;
    let placed: amazon_pay_contract::cv2::PlaceOrderResponse = env.place(&workorder, "cv2-key-claims-1", Language::En).await.json().await.unwrap();
    assert_eq!(state_of(&env, &placed.order_id), OrderState::Redirected);
    let apb = place_ebook(&env, "apb-key-claims-6", Some((&placed.order_id, "cv2-key-claims-1"))).await.order_id().to_owned();
    assert_eq!((state_of(&env, &placed.order_id), abandoned_events(&env, &placed.order_id)), (OrderState::Redirected, 0));
    assert_eq!(store.give_up_replaced(&placed.order_id, "cv2-key-claims-1", &apb).await.unwrap(), Replaced::NotApb);

    // Moved already (PAYONE authorized it): it stays what PAYONE said.
    let paid = place_ebook(&env, "apb-key-claims-7", None).await;
    finish_on_amazon(&env, &paid).await;
    let (state, id) = (env.state.clone(), paid.order_id().to_owned());
    support::eventually("the order authorized", 10, || (state.store.order(&id).unwrap().unwrap().state != OrderState::Redirected).then_some(()))
        .await;
    let moved = state_of(&env, paid.order_id());
    let later = place_ebook(&env, "apb-key-claims-8", Some((paid.order_id(), "apb-key-claims-7"))).await.order_id().to_owned();
    assert_eq!((state_of(&env, paid.order_id()), abandoned_events(&env, paid.order_id())), (moved, 0));
    assert_eq!(store.give_up_replaced(paid.order_id(), "apb-key-claims-7", &later).await.unwrap(), Replaced::NotRedirected(moved));
    for id in [&wrong, &unknown, &after, &apb, &later] {
        assert_eq!(state_of(&env, id), OrderState::Redirected, "the new placement went ahead");
    }
}

/// The buyer had finished on Amazon's pages after all (then reloaded instead of waiting for the return):
/// PAYONE's `appointed` wins over `abandoned`, and the server releases that authorization by itself, as for
/// two attempts of one checkout, keeping the order the buyer paid with last.
#[tokio::test]
async fn a_replaced_order_authorized_after_all_is_released() {
    let env = support::start().await;
    let first_placed = place_ebook(&env, "apb-key-release-1", None).await;
    let first = first_placed.order_id().to_owned();
    let second_placed = place_ebook(&env, "apb-key-release-2", Some((&first, "apb-key-release-1"))).await;
    let second = second_placed.order_id().to_owned();
    assert_eq!(state_of(&env, &first), OrderState::Abandoned);
    let txid = |id: &str| env.state.store.order(id).unwrap().unwrap().txid.unwrap();
    let (first_txid, second_txid) = (txid(&first), txid(&second));
    finish_on_amazon(&env, &second_placed).await;
    finish_on_amazon(&env, &first_placed).await;
    let sim = env.sandbox().payone.clone();
    let released =
        support::eventually("the first authorization released", 10, || sim.transaction(&first_txid).filter(|t| t.sequencenumber == 1)).await;
    assert_eq!((released.captured, released.capture_closed), (0, true));
    let kept = env.sandbox().payone.transaction(&second_txid).unwrap();
    assert_eq!((kept.sequencenumber, kept.capture_closed), (0, false), "the buyer's order is untouched");
    let (state, id) = (env.state.clone(), first.clone());
    let kinds = support::eventually("order.released", 10, || {
        let kinds: Vec<String> = state.store.events_for_order(&id).unwrap().into_iter().map(|e| e.kind).collect();
        kinds.contains(&"order.released".to_owned()).then_some(kinds)
    })
    .await;
    let at = |kind: &str| kinds.iter().position(|k| k == kind).unwrap_or_else(|| panic!("no {kind}: {kinds:?}"));
    assert!(at("order.abandoned") < at("order.approved") && at("order.approved") < at("order.released"), "{kinds:?}");
    assert_eq!(env.count(&format!("SELECT count(*) FROM duplicate_authorizations WHERE order_id = '{first}' AND other_order_id = '{second}'")), 1);
}

/// The buyer paid, then pressed the browser's Back to the APB page, whose button sends the same key again:
/// while the buyer is on Amazon's pages the same button (Back from them), but once past them (back through
/// PAYONE's success URL, then authorized) the answer is `placed` with the order's confirmation page, not the
/// button that would open Amazon's checkout again, and PAYONE is asked once (on SQLite, and on PostgreSQL
/// with `AMAZON_PAY_TEST_SERVER_STORE=postgres`).
#[tokio::test]
async fn the_same_key_after_the_buyer_paid_answers_the_confirmation_not_amazon() {
    let env = support::start().await;
    let placed = place_ebook(&env, "apb-key-paid-0001", None).await;
    let id = placed.order_id().to_owned();
    assert!(placed.button().is_some(), "{placed:?}");
    assert_eq!(place_ebook(&env, "apb-key-paid-0001", None).await, placed, "on Amazon's pages: the same button");

    let expected =
        |state| ApbOrderResponse::Placed { order_id: id.clone(), state, confirmation_url: env.url(&format!("/confirmation.html?order={id}")) };
    // Back through the success URL: PAYONE's word is on its way, the order is still `redirected`.
    let token = amazon_pay_server::return_token::token(&env.state.config.payone.key, &id);
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let back = no_redirects.get(env.url(&format!("/api/orders/{id}/return?result=success&token={token}"))).send().await.unwrap();
    assert!(back.status().is_redirection(), "{}", back.status());
    assert_eq!(state_of(&env, &id), OrderState::Redirected);
    assert_eq!(place_ebook(&env, "apb-key-paid-0001", None).await, expected(OrderState::Redirected));

    finish_on_amazon(&env, &placed).await;
    let (state, order) = (env.state.clone(), id.clone());
    support::eventually("the order authorized", 10, || (state.store.order(&order).unwrap().unwrap().state == OrderState::Approved).then_some(()))
        .await;
    assert_eq!(place_ebook(&env, "apb-key-paid-0001", None).await, expected(OrderState::Approved));
    assert_eq!(authorizations_of(&env.state, &id), 1, "PAYONE asked once");
}

/// A return without the order's token (any page's `<img>` with an order id it learned, from the shop's page
/// events, a shared confirmation link or a referrer) recorded `success` as the buyer's return, and the APB
/// replay then sent the buyer, back from Amazon's pages with the checkout unfinished, to the confirmation page
/// of an order still waiting, instead of the button that finishes it. Only the order's own return URL says the
/// buyer came back (on SQLite, and on PostgreSQL with `AMAZON_PAY_TEST_SERVER_STORE=postgres`).
#[tokio::test]
async fn a_tokenless_success_return_does_not_end_the_checkout_of_a_waiting_buyer() {
    let env = support::start().await;
    let placed = place_ebook(&env, "apb-key-img-0001", None).await;
    let id = placed.order_id().to_owned();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let img = no_redirects.get(env.url(&format!("/api/orders/{id}/return?result=success"))).send().await.unwrap();
    assert!(img.status().is_redirection(), "still sends a buyer on: {}", img.status());
    assert!(!env.state.store.returned(&id).unwrap(), "not recorded as the buyer's return");
    assert_eq!(place_ebook(&env, "apb-key-img-0001", None).await, placed, "the same button, which finishes the checkout");
    assert_eq!(state_of(&env, &id), OrderState::Redirected);
}

/// The widget's question about a page the browser brought back (`replay_only`): the key's order as a click
/// would get it, and for a key that placed nothing 404 with nothing placed.
#[tokio::test]
async fn replay_only_places_nothing() {
    let env = support::start().await;
    let ask = |key: &str| {
        let mut digital = request(key, ProductType::PayOnly, None);
        digital.items = vec![CartLine { sku: "ebook".into(), quantity: 1 }];
        digital.replay_only = true;
        env.http.post(env.url("/api/apb/orders")).json(&digital).send()
    };
    let refused = ask("apb-key-never-01").await.unwrap();
    assert_eq!(refused.status(), 404);
    assert_eq!(refused.json::<ApiError>().await.unwrap().code, ErrorCode::NotFound);
    assert!(env.state.store.upstream_calls().unwrap().is_empty(), "nothing sent to PAYONE");
    assert!(env.state.store.order_by_key("apb-key-never-01").unwrap().is_none(), "no order");

    let placed = place_ebook(&env, "apb-key-asked-01", None).await;
    let asked = ask("apb-key-asked-01").await.unwrap();
    assert_eq!(asked.status(), 200);
    assert_eq!(asked.json::<ApbOrderResponse>().await.unwrap(), placed);
}

/// The buyer comes back from Amazon's pages through the order's own return URL (`success`, `error`, `back`).
async fn return_from_amazon(env: &support::Env, id: &str, result: &str) {
    let token = amazon_pay_server::return_token::token(&env.state.config.payone.key, id);
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let back = no_redirects.get(env.url(&format!("/api/orders/{id}/return?result={result}&token={token}"))).send().await.unwrap();
    assert!(back.status().is_redirection(), "{}", back.status());
}

/// The buyer cancelled on Amazon's pages (PAYONE's back URL: `abandoned`), then went Back to the APB page. Its
/// key answered the order's button again, and a page that placed anew left the cancelled order unlinked: if
/// Amazon authorized it late after all, the buyer paid twice for one purchase. Now the key answers the
/// order's confirmation page (`abandoned`); the page pays again with a new key naming it (`retry`), which links
/// it, and its late authorization is released, the new order kept (on SQLite, and on PostgreSQL with
/// `AMAZON_PAY_TEST_SERVER_STORE=postgres`).
#[tokio::test]
async fn a_cancelled_order_paid_again_from_its_page_is_released_if_amazon_authorizes_it_late() {
    let env = support::start().await;
    let first_placed = place_ebook(&env, "apb-key-cancel-01", None).await;
    let first = first_placed.order_id().to_owned();
    return_from_amazon(&env, &first, "back").await;
    assert_eq!(state_of(&env, &first), OrderState::Abandoned);
    let confirmation_url = env.url(&format!("/confirmation.html?order={first}"));
    assert_eq!(
        place_ebook(&env, "apb-key-cancel-01", None).await,
        ApbOrderResponse::Placed { order_id: first.clone(), state: OrderState::Abandoned, confirmation_url },
        "a given-up order's checkout is not opened again"
    );

    let second_placed = place_ebook_again(&env, "apb-key-cancel-02", &first, "apb-key-cancel-01").await;
    let second = second_placed.order_id().to_owned();
    assert!(second_placed.button().is_some(), "{second_placed:?}");
    assert_eq!(env.texts(&format!("SELECT replaced_by FROM orders WHERE id = '{first}'")), [second.as_str()]);
    assert_eq!(abandoned_events(&env, &first), 1, "given up once, by the cancel");

    let txid = |id: &str| env.state.store.order(id).unwrap().unwrap().txid.unwrap();
    let (first_txid, second_txid) = (txid(&first), txid(&second));
    finish_on_amazon(&env, &second_placed).await;
    finish_on_amazon(&env, &first_placed).await;
    let sim = env.sandbox().payone.clone();
    let released =
        support::eventually("the late authorization released", 10, || sim.transaction(&first_txid).filter(|t| t.sequencenumber == 1)).await;
    assert_eq!((released.captured, released.capture_closed), (0, true));
    let kept = env.sandbox().payone.transaction(&second_txid).unwrap();
    assert_eq!((kept.sequencenumber, kept.capture_closed), (0, false), "the order the buyer paid with is untouched");
    assert_eq!(env.count(&format!("SELECT count(*) FROM duplicate_authorizations WHERE order_id = '{first}' AND other_order_id = '{second}'")), 1);
}

/// Amazon authorized the cancelled order after all before the page paid again: the page's `retry` gets that
/// order's confirmation page and nothing is placed or authorized; a new purchase (another page of the tab, no
/// `retry`) and a claim with another key still place (on SQLite, and on PostgreSQL with
/// `AMAZON_PAY_TEST_SERVER_STORE=postgres`).
#[tokio::test]
async fn paying_again_for_an_order_amazon_authorized_meanwhile_answers_that_order_and_places_nothing() {
    let env = support::start().await;
    let placed = place_ebook(&env, "apb-key-late-0001", None).await;
    let first = placed.order_id().to_owned();
    return_from_amazon(&env, &first, "back").await;
    finish_on_amazon(&env, &placed).await;
    let (state, id) = (env.state.clone(), first.clone());
    support::eventually("the late authorization", 10, || (state.store.order(&id).unwrap().unwrap().state == OrderState::Approved).then_some(()))
        .await;

    let again = place_ebook_again(&env, "apb-key-late-0002", &first, "apb-key-late-0001").await;
    let confirmation_url = env.url(&format!("/confirmation.html?order={first}"));
    assert_eq!(again, ApbOrderResponse::Placed { order_id: first.clone(), state: OrderState::Approved, confirmation_url });
    assert!(env.state.store.order_by_key("apb-key-late-0002").unwrap().is_none(), "nothing placed");
    assert_eq!(authorizations_of(&env.state, &first), 1);

    let forged = place_ebook_again(&env, "apb-key-late-0003", &first, "apb-key-late-000X").await;
    assert!(forged.button().is_some(), "a claim that does not hold is no retry: {forged:?}");
    let new_purchase = place_ebook(&env, "apb-key-late-0004", Some((&first, "apb-key-late-0001"))).await;
    assert!(new_purchase.button().is_some(), "another page's purchase: {new_purchase:?}");
    assert_eq!(state_of(&env, &first), OrderState::Approved);
}

/// An APB (pre)authorization PAYONE answered after the server's timeout stays `upstream_failed`, unlike CV2's
/// (docs/api.md, "After an upstream timeout"): its only answer is the button's payload, which the buyer never got,
/// and nothing is authorized without it. The widget's next press (a new key) gets a new attempt and its button;
/// the lost one's transaction still waits for a buyer who cannot come.
#[tokio::test]
async fn an_apb_authorization_answered_too_late_is_failed_and_the_next_press_gets_a_button() {
    let upstream = support::FaultyUpstream::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    support::test_store(&mut config).await;
    config.payone.endpoint = Some(format!("{}/sandbox/payone/post-gateway/", upstream.base));
    config.payone_timeout = std::time::Duration::from_millis(400);
    let (base, state) = Server::bind(config).await.unwrap().spawn();
    upstream.forward_to(&base);
    let client = reqwest::Client::new();
    let place = |key: &str| client.post(format!("{base}/api/apb/orders")).json(&request(key, ProductType::PayAndShip, Some(buyer()))).send();

    upstream.break_on("request=preauthorization", support::Fault::LateAnswer);
    let response = place("apb-late-00000001").await.unwrap();
    assert_eq!(response.status(), 504);
    assert_eq!(response.json::<ApiError>().await.unwrap().code, ErrorCode::UpstreamTimeout);
    let first = state.store.order_by_key("apb-late-00000001").unwrap().unwrap();
    assert_eq!((first.state, first.decline), (OrderState::UpstreamFailed, Some(ErrorCode::UpstreamTimeout)));
    upstream.heal();
    let txid = support::eventually("PAYONE's lost transaction", 5, || {
        state.sandbox.as_ref().unwrap().payone.transactions_for_reference(&first.id).into_iter().next().map(|t| t.txid)
    })
    .await;

    let response = place("apb-late-00000002").await.unwrap();
    assert_eq!(response.status(), 200);
    let placed: ApbOrderResponse = response.json().await.unwrap();
    assert_ne!(placed.order_id(), first.id);
    assert!(placed.button().is_some(), "{placed:?}");
    let lost = state.sandbox.as_ref().unwrap().payone.transaction(&txid).unwrap();
    assert_eq!(lost.state, amazon_pay_server::sandbox::TxState::AwaitingBuyer, "never authorized");
    assert_eq!(authorizations_of(&state, &first.id), 1, "the lost attempt is not asked about again");
}
