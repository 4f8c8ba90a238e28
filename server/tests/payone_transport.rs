//! The PAYONE client's two transports give the same answers: HTTP to the sandbox's gateway, and the
//! simulator called in process (the default in sandbox mode without `PAYONE_ENDPOINT`).
#![cfg(feature = "sandbox")]

mod support;

use amazon_pay_server::payone::{PayoneClient, PayoneError, PayoneRequest};
use std::time::Duration;

fn session_request(client: &PayoneClient, currency: &str) -> PayoneRequest {
    let mut r = client.request("genericpayment");
    r.set("clearingtype", "wlt")
        .set("wallettype", "AMP")
        .set("add_paydata[action]", "createCheckoutSessionPayload")
        .set("amount", "2580")
        .set("currency", currency)
        .set("language", "de")
        .set("successurl", "http://127.0.0.1:1/review.html")
        .set("errorurl", "http://127.0.0.1:1/review.html?error=amazon")
        .set("backurl", "http://127.0.0.1:1/");
    r
}

#[tokio::test]
async fn in_process_and_http_answer_alike() {
    let env = support::start().await;
    let config = env.state.config.payone.clone();
    let mode = env.state.config.mode;
    assert_eq!(env.state.payone.transport_name(), "in-process", "sandbox without an endpoint calls the simulator directly");
    let http = PayoneClient::new(config.clone(), env.url("/sandbox/payone/post-gateway/"), mode, Duration::from_secs(5)).unwrap();
    let local = PayoneClient::in_process(config, env.sandbox().payone_gateway(), mode, Duration::from_secs(5));
    assert_eq!(http.transport_name(), "http");

    for client in [&http, &local] {
        let ok = client.send(&session_request(client, "EUR")).await.expect("a checkout session");
        assert_eq!(ok.status(), Some("OK"));
        // Every request names the caller, as PAYONE's own plugins do.
        let name = Some("amazon-pay-server".to_owned());
        let version = Some(env!("CARGO_PKG_VERSION").to_owned());
        let caller = env.sandbox().payone.last_caller().expect("the simulator saw the request");
        assert_eq!((caller.integrator_name, caller.integrator_version), (name.clone(), version.clone()));
        assert_eq!((caller.solution_name, caller.solution_version), (name, version));
        assert!(ok.get("workorderid").is_some_and(|w| w.starts_with("WO") && w.len() == 16));
        let payload = ok.paydata("payload").expect("a payload");
        assert!(env.sandbox().verify(payload, ok.paydata("signature").expect("a signature")), "signed the same way");

        match client.send(&session_request(client, "GBP")).await {
            Err(PayoneError::Declined { code, .. }) => assert_eq!(code, "923"),
            other => panic!("{}: expected a 923 decline, got {other:?}", client.transport_name()),
        }
    }
}
