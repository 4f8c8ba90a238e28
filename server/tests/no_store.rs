//! Answers that carry a buyer's personal data (the review page's name, e-mail and addresses; the merchant API's
//! orders) say `Cache-Control: no-store`: without it a browser keeps them in its disk cache (a shared computer,
//! the dashboard's machine) and a CDN or proxy a shop puts in front may keep and serve them to others.
#![cfg(feature = "sandbox")]

mod support;

use support::start_with;

const KEY: &str = "merchant-test-key-0123456789abcdefghij";

fn no_store(response: &reqwest::Response) -> bool {
    response.headers().get("cache-control").and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("no-store"))
}

#[tokio::test]
async fn the_buyer_and_merchant_apis_are_not_stored_by_caches() {
    let env = start_with(|c| c.merchant.api_keys = vec![KEY.to_owned()]).await;
    let workorder = env.checkout("visa-1111").await;
    let review = env.http.get(env.url(&format!("/api/cv2/sessions/{workorder}?lang=en"))).send().await.unwrap();
    assert_eq!(review.status(), 200);
    assert!(no_store(&review), "{:?}", review.headers());
    let body: serde_json::Value = review.json().await.unwrap();
    assert!(body["buyer_name"].as_str().is_some_and(|n| !n.is_empty()), "the answer names the buyer: {body}");

    // Refusals too (they may name what was asked), and the merchant API's lists and orders.
    let unknown = env.http.get(env.url("/api/orders/ONOSUCHORDER")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert!(no_store(&unknown));
    let orders = env.http.get(env.url("/merchant/api/orders")).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(orders.status(), 200);
    assert!(no_store(&orders), "{:?}", orders.headers());
    let refused = env.http.get(env.url("/merchant/api/orders")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert!(no_store(&refused));

    // The widget's files keep their own caching (assets.rs).
    let health = env.http.get(env.url("/healthz")).send().await.unwrap();
    assert!(!no_store(&health), "only the APIs");
}
