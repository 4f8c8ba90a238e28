//! `/readyz` (issue #22): 200 when the store is reachable and migrated, 503 with the reason otherwise;
//! `/healthz` stays the liveness check and answers either way.
#![cfg(feature = "sandbox")]

mod support;

#[tokio::test]
async fn readyz_names_what_is_missing() {
    let env = support::start().await;
    let ready = env.http.get(env.url("/readyz")).send().await.expect("answered");
    assert_eq!(ready.status(), 200);
    assert!(ready.headers().contains_key("x-request-id"));

    // A store whose schema is not (or no longer) there: an instance that must not take traffic.
    env.execute("DROP TABLE cv1_orders");
    let not_ready = env.http.get(env.url("/readyz")).send().await.expect("answered");
    assert_eq!(not_ready.status(), 503);
    let reason = not_ready.text().await.expect("a body");
    assert!(reason.contains("not migrated") && reason.contains("cv1_orders"), "{reason}");
    assert_eq!(env.http.get(env.url("/healthz")).send().await.expect("answered").status(), 200, "still alive");

    let before = env.http.get(env.url("/healthz")).send().await.expect("answered");
    assert!(before.headers().get("connection").is_none_or(|v| v != "close"), "kept alive while serving: {:?}", before.headers());

    env.state.lifecycle.begin_shutdown();
    let draining = env.http.get(env.url("/readyz")).send().await.expect("answered");
    // During the drain every answer closes its connection, so a balancer stops reusing it before the
    // listener closes (nginx does not resend a POST written to a connection the instance then closed).
    assert_eq!(draining.headers().get("connection").map(|v| v.as_bytes()), Some(&b"close"[..]), "{:?}", draining.headers());
    let reason = draining.text().await.expect("a body");
    assert!(reason.contains("shutting down"), "{reason}");
    let api = env.http.get(env.url("/healthz")).send().await.expect("answered");
    assert_eq!(api.headers().get("connection").map(|v| v.as_bytes()), Some(&b"close"[..]), "every answer, not only /readyz");
}
