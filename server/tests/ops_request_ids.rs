//! Request ids at the edge (issue #22): a trusted proxy's `x-request-id` is kept; anyone else's, or a
//! malformed one, is replaced by a fresh id.
#![cfg(feature = "sandbox")]

mod support;

async fn id_for(env: &support::Env, given: &str) -> String {
    let response = env.http.get(env.url("/healthz")).header("x-request-id", given).send().await.expect("answered");
    response.headers()["x-request-id"].to_str().expect("ascii").to_owned()
}

#[tokio::test]
async fn only_a_trusted_proxys_well_formed_id_is_kept() {
    let trusted = support::start_with(|config| config.ops.trusted_proxies = vec!["127.0.0.1/32".parse().expect("a range")]).await;
    assert_eq!(id_for(&trusted, "lb-7f3a.42").await, "lb-7f3a.42");
    for malformed in ["has space", "quote\"", &"x".repeat(129)] {
        let id = id_for(&trusted, malformed).await;
        assert_ne!(id, malformed);
        assert_eq!(id.len(), 32, "a fresh id instead: {id}");
    }

    let untrusted = support::start_with(|config| config.ops.trusted_proxies = vec!["10.0.0.0/8".parse().expect("a range")]).await;
    let id = id_for(&untrusted, "lb-7f3a.42").await;
    assert_ne!(id, "lb-7f3a.42");
    assert_ne!(id_for(&untrusted, "x").await, id, "each request its own id");
}
