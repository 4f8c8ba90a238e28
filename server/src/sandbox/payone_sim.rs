//! PAYONE simulator: speaks the Server API at `POST /sandbox/payone/post-gateway/`.
//!
//! It checks credentials the way PAYONE does (mid, portalid, aid, mode, and `key` as md5 or sha384 of the
//! portal key) and answers in `key=value` lines.

use crate::app::AppState;
use crate::config::PayoneConfig;
use crate::payone::wire::{notification_key, parse_api_version, request_key, PayoneRequest, PayoneResponse, MIN_API_VERSION};
use amazon_pay_contract::{Currency, Money};
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use std::collections::HashMap;
use std::sync::Mutex;

/// What the simulator remembers about one checkout session.
#[derive(Debug, Clone)]
pub struct Workorder {
    pub id: String,
    pub amount: Money,
    pub success_url: String,
    pub error_url: String,
    pub back_url: String,
    pub amazon_checkout_session_id: String,
}

pub struct PayoneSimulator {
    config: PayoneConfig,
    workorders: Mutex<HashMap<String, Workorder>>,
}

fn error(code: &str, message: &str, customer: &str) -> PayoneResponse {
    PayoneResponse::builder()
        .with("status", "ERROR")
        .with("errorcode", code)
        .with("errormessage", message)
        .with("customermessage", customer)
}

fn random_id(len: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..len).map(|_| CHARS[rng.random_range(0..CHARS.len())] as char).collect()
}

fn uuid_like() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let b: [u8; 16] = rng.random();
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

impl PayoneSimulator {
    pub fn new(config: PayoneConfig, workorders: Mutex<HashMap<String, Workorder>>) -> Self {
        PayoneSimulator { config, workorders }
    }

    pub fn workorder(&self, id: &str) -> Option<Workorder> {
        self.workorders.lock().ok()?.get(id).cloned()
    }

    /// Checks the standard parameters; `Some(error)` when PAYONE would refuse the request.
    fn authenticate(&self, req: &PayoneRequest) -> Option<PayoneResponse> {
        for field in ["request", "mid", "portalid", "key", "mode"] {
            if req.get(field).is_none() {
                return Some(error("1", &format!("Parameter {{{field}}} faulty or missing"), "An error occurred."));
            }
        }
        if req.get("mid") != Some(self.config.mid.as_str()) {
            return Some(error("2", "Merchant ID invalid", "An error occurred."));
        }
        if req.get("portalid") != Some(self.config.portal_id.as_str()) {
            return Some(error("3", "Portal ID invalid", "An error occurred."));
        }
        let key = req.get("key").unwrap_or_default();
        if key != request_key(&self.config.key) && key != notification_key(&self.config.key) {
            return Some(error("2", "Key invalid", "An error occurred."));
        }
        if !matches!(req.get("mode"), Some("test" | "live")) {
            return Some(error("1", "Parameter {mode} faulty or missing", "An error occurred."));
        }
        if let Some(version) = req.get("api_version") {
            match parse_api_version(version) {
                Some(v) if v >= MIN_API_VERSION => {}
                _ => return Some(error("1", "Parameter {api_version} faulty or missing", "An error occurred.")),
            }
        }
        None
    }

    /// Answers one Server API request.
    pub fn handle(&self, req: &PayoneRequest, sign: impl Fn(&str) -> String) -> PayoneResponse {
        if let Some(refusal) = self.authenticate(req) {
            return refusal;
        }
        match (req.get("request"), req.get("add_paydata[action]")) {
            (Some("genericpayment"), Some("createCheckoutSessionPayload")) => self.create_checkout_session(req, sign),
            (Some(request), action) => error(
                "1",
                &format!("request {request} with action {} is not simulated yet", action.unwrap_or("-")),
                "An error occurred.",
            ),
            (None, _) => error("1", "Parameter {request} faulty or missing", "An error occurred."),
        }
    }

    fn create_checkout_session(&self, req: &PayoneRequest, sign: impl Fn(&str) -> String) -> PayoneResponse {
        if req.get("clearingtype") != Some("wlt") || req.get("wallettype") != Some("AMP") {
            return error("1", "Parameter {clearingtype}/{wallettype} faulty or missing", "An error occurred.");
        }
        let currency: Currency = match req.get("currency").map(str::parse) {
            Some(Ok(c)) => c,
            _ => return error("1", "Parameter {currency} faulty or missing", "An error occurred."),
        };
        if currency != Currency::Eur {
            return error("923", "Payment type not available for this currency", "Amazon Pay is only available in EUR.");
        }
        let amount = match req.get("amount").and_then(|a| a.parse::<i64>().ok()) {
            Some(a) if a > 0 => Money::new(a, currency),
            _ => return error("1", "Parameter {amount} faulty or missing", "An error occurred."),
        };
        let Some(success_url) = req.get("successurl") else {
            return error("1041", "Parameter {successurl} faulty or missing", "An error occurred.");
        };
        let workorder = Workorder {
            id: format!("WO{}", random_id(14)),
            amount,
            success_url: success_url.to_owned(),
            error_url: req.get("errorurl").unwrap_or(success_url).to_owned(),
            back_url: req.get("backurl").unwrap_or(success_url).to_owned(),
            amazon_checkout_session_id: uuid_like(),
        };
        let payload = serde_json::json!({
            "webCheckoutDetails": {
                "checkoutReviewReturnUrl": workorder.success_url,
                "checkoutCancelUrl": workorder.back_url,
            },
            "storeId": "amzn1.application-oa2-client.sandbox0000000000000000000000000",
            "chargePermissionType": "OneTime",
            "paymentDetails": {
                "paymentIntent": "Authorize",
                "canHandlePendingAuthorization": true,
                "chargeAmount": { "amount": amount.decimal(), "currencyCode": currency.code() },
                "totalOrderAmount": { "amount": amount.decimal(), "currencyCode": currency.code() },
            },
            "merchantMetadata": { "merchantReferenceId": workorder.id },
        })
        .to_string();
        let signature = sign(&payload);
        let response = PayoneResponse::builder()
            .with("status", "OK")
            .with("workorderid", &workorder.id)
            .with("add_paydata[payload]", payload)
            .with("add_paydata[signature]", signature);
        if let Ok(mut map) = self.workorders.lock() {
            map.insert(workorder.id.clone(), workorder);
        }
        response
    }
}

/// `POST /sandbox/payone/post-gateway/`.
pub async fn post_gateway(State(state): State<AppState>, body: String) -> impl IntoResponse {
    let answer = match (&state.sandbox, PayoneRequest::decode(&body)) {
        (Some(sandbox), Ok(req)) => sandbox.payone.handle(&req, |p| sandbox.sign(p)),
        (_, Err(_)) => error("1", "Request body is not form-encoded", "An error occurred."),
        (None, _) => error("1", "Sandbox disabled", "An error occurred."),
    };
    ([(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], answer.to_body())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::sandbox_defaults as d;

    fn sim() -> PayoneSimulator {
        let config = PayoneConfig {
            mid: d::PAYONE_MID.into(),
            portal_id: d::PAYONE_PORTALID.into(),
            aid: d::PAYONE_AID.into(),
            key: d::PAYONE_KEY.into(),
            endpoint: None,
            currency: Currency::Eur,
        };
        PayoneSimulator::new(config, Mutex::new(HashMap::new()))
    }

    fn base(key: &str) -> PayoneRequest {
        let mut r = PayoneRequest::new("genericpayment");
        r.set("mid", d::PAYONE_MID)
            .set("portalid", d::PAYONE_PORTALID)
            .set("aid", d::PAYONE_AID)
            .set("key", key)
            .set("mode", "test")
            .set("api_version", "3.10")
            .set("clearingtype", "wlt")
            .set("wallettype", "AMP")
            .set("add_paydata[action]", "createCheckoutSessionPayload")
            .set("amount", "1290")
            .set("currency", "EUR")
            .set("successurl", "http://127.0.0.1/review.html");
        r
    }

    #[test]
    fn creates_a_checkout_session_with_either_key_hash() {
        let s = sim();
        for key in [request_key(d::PAYONE_KEY), notification_key(d::PAYONE_KEY)] {
            let r = s.handle(&base(&key), |_| "sig".into());
            assert_eq!(r.status(), Some("OK"), "{r:?}");
            let id = r.get("workorderid").unwrap();
            assert!(id.len() <= 16);
            let payload: serde_json::Value = serde_json::from_str(r.paydata("payload").unwrap()).unwrap();
            assert_eq!(payload["paymentDetails"]["chargeAmount"]["amount"], "12.90");
            assert_eq!(r.paydata("signature"), Some("sig"));
            assert_eq!(s.workorder(id).unwrap().amount, Money::eur(1290));
        }
    }

    #[test]
    fn refuses_a_wrong_key_old_api_versions_and_other_currencies() {
        let s = sim();
        let r = s.handle(&base(&request_key("wrong")), |_| String::new());
        assert_eq!((r.status(), r.get("errorcode")), (Some("ERROR"), Some("2")));
        let mut old = base(&request_key(d::PAYONE_KEY));
        old.set("api_version", "3.9");
        assert_eq!(s.handle(&old, |_| String::new()).status(), Some("ERROR"));
        let mut usd = base(&request_key(d::PAYONE_KEY));
        usd.set("currency", "USD");
        assert_eq!(s.handle(&usd, |_| String::new()).get("errorcode"), Some("923"));
    }
}
