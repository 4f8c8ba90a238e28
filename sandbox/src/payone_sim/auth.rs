//! Credential checks and refusals, in PAYONE's words: `status=ERROR` with `errorcode`, `errormessage` (for the
//! merchant) and `customermessage` (for the buyer, in the request's `language`).

use super::messages::Customer;
use crate::config::PayoneAccount;
use amazon_pay_contract::Language;
use payone_wire::{notification_key, parse_api_version, request_key, PayoneRequest, PayoneResponse, MIN_API_VERSION};

/// A request PAYONE would answer with `status=ERROR`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("PAYONE error {code}: {message}")]
pub(crate) struct Refusal {
    pub code: u32,
    pub message: String,
    pub customer: Customer,
}

/// Error codes for faulty or missing parameters. PAYONE numbers these in the 1000s (`1041` for `successurl`
/// is in its Shopware 5 plugin's snippets); the other numbers are the sandbox's, in the same style.
/// PAYONE says "faulty or missing" for both: a wrong `mid` or `key` is refused like a missing one.
pub(super) const PARAM_CODES: &[(&str, u32)] = &[
    ("request", 1000),
    ("aid", 1001),
    ("mid", 1002),
    ("portalid", 1003),
    ("key", 1004),
    ("mode", 1005),
    ("clearingtype", 1006),
    ("reference", 1007),
    ("amount", 1008),
    ("currency", 1009),
    ("txid", 1010),
    ("sequencenumber", 1011),
    ("workorderid", 1012),
    ("wallettype", 1013),
    ("add_paydata[action]", 1014),
    ("api_version", 1015),
    ("successurl", 1041),
    ("errorurl", 1042),
    ("backurl", 1043),
];
/// Any other parameter (mostly `add_paydata[...]` fields).
pub(super) const OTHER_PARAM_CODE: u32 = 1016;

/// 923: "payment type not available for this currency" (SW5's snippets).
pub(super) const CURRENCY_NOT_AVAILABLE: u32 = 923;
/// PAYONE refuses a second transaction with the same `reference` ("Reference number already exists").
pub(super) const DUPLICATE_REFERENCE: u32 = 911;
/// The sandbox's choice for an expired or closed Amazon session; PAYONE's list has 101 "The authorisation has
/// expired. Restart entire process.", which is what the shop has to do.
pub(super) const SESSION_EXPIRED: u32 = 101;
/// PAYONE's 21 "Activity not processed": capture or debit on a transaction that does not allow it.
pub(super) const NOT_PROCESSED: u32 = 21;
/// Amazon's error codes as PAYONE passes them on (reference §6).
pub(super) const UNSPECIFIED: u32 = 900;
pub(super) const TRANSACTION_TIMED_OUT: u32 = 980;
pub(super) const INVALID_PAYMENT_METHOD: u32 = 981;
pub(super) const AMAZON_REJECTED: u32 = 982;
pub(super) const PROCESSING_FAILURE: u32 = 983;
pub(super) const BUYER_EQUALS_SELLER: u32 = 984;
pub(super) const PAYMENT_METHOD_NOT_ALLOWED: u32 = 985;
pub(super) const PAYMENT_PLAN_NOT_SET: u32 = 986;
pub(super) const SHIPPING_ADDRESS_NOT_SET: u32 = 987;

impl Refusal {
    pub(crate) fn new(code: u32, message: impl Into<String>, customer: Customer) -> Self {
        Refusal { code, message: message.into(), customer }
    }

    /// `Parameter {name} faulty or missing`.
    pub(crate) fn param(name: &str) -> Self {
        Refusal::new(param_code(name), format!("Parameter {{{name}}} faulty or missing"), Customer::Generic)
    }

    /// `Parameter {name} faulty or missing: why` — the sandbox says why, PAYONE often does not.
    pub(crate) fn param_because(name: &str, why: impl std::fmt::Display) -> Self {
        Refusal::new(param_code(name), format!("Parameter {{{name}}} faulty or missing: {why}"), Customer::Generic)
    }

    pub(crate) fn to_response(&self, lang: Language) -> PayoneResponse {
        PayoneResponse::builder()
            .with("status", "ERROR")
            .with("errorcode", self.code.to_string())
            .with("errormessage", &self.message)
            .with("customermessage", self.customer.text(lang))
    }
}

pub(super) fn param_code(name: &str) -> u32 {
    PARAM_CODES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c).unwrap_or(OTHER_PARAM_CODE)
}

/// Request types that move money; they need the sub-account id `aid` as well.
fn is_payment(request: &str) -> bool {
    matches!(request, "preauthorization" | "authorization" | "capture" | "debit" | "refund")
}

/// Checks the standard parameters of §1.2: what PAYONE refuses before it looks at the action.
pub(super) fn check_credentials(config: &PayoneAccount, req: &PayoneRequest) -> Result<(), Refusal> {
    let request = req.get("request").ok_or_else(|| Refusal::param("request"))?;
    if req.get("mid") != Some(config.mid.as_str()) {
        return Err(Refusal::param("mid"));
    }
    if req.get("portalid") != Some(config.portal_id.as_str()) {
        return Err(Refusal::param("portalid"));
    }
    if (is_payment(request) || req.get("aid").is_some()) && req.get("aid") != Some(config.aid.as_str()) {
        return Err(Refusal::param("aid"));
    }
    // Current plugins send sha384 of the portal key, older ones md5; PAYONE takes both (§1.3).
    let key = req.get("key").map(str::to_ascii_lowercase).ok_or_else(|| Refusal::param("key"))?;
    if !crate::secret_eq(&key, &request_key(&config.key)) && !crate::secret_eq(&key, &notification_key(&config.key)) {
        return Err(Refusal::param("key"));
    }
    if !matches!(req.get("mode"), Some("test" | "live")) {
        return Err(Refusal::param("mode"));
    }
    if let Some(version) = req.get("api_version") {
        match parse_api_version(version) {
            Some(v) if v >= MIN_API_VERSION => {}
            _ => return Err(Refusal::param_because("api_version", "Amazon Pay needs api_version 3.10 or later")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use payone_wire::sandbox_settings::defaults as d;

    fn config() -> PayoneAccount {
        PayoneAccount { mid: d::PAYONE_MID.into(), portal_id: d::PAYONE_PORTALID.into(), aid: d::PAYONE_AID.into(), key: d::PAYONE_KEY.into() }
    }

    fn request(kind: &str) -> PayoneRequest {
        let mut r = PayoneRequest::new(kind);
        r.set("mid", d::PAYONE_MID)
            .set("portalid", d::PAYONE_PORTALID)
            .set("aid", d::PAYONE_AID)
            .set("key", request_key(d::PAYONE_KEY))
            .set("mode", "test");
        r
    }

    fn code(r: Result<(), Refusal>) -> u32 {
        r.err().map(|e| e.code).unwrap_or(0)
    }

    #[test]
    fn accepts_sha384_and_md5_in_any_case() {
        let c = config();
        assert_eq!(check_credentials(&c, &request("genericpayment")), Ok(()));
        let mut md5 = request("genericpayment");
        md5.set("key", notification_key(d::PAYONE_KEY).to_uppercase());
        assert_eq!(check_credentials(&c, &md5), Ok(()));
    }

    #[test]
    fn refuses_each_faulty_standard_parameter() {
        let c = config();
        for (name, value, expected) in [
            ("mid", "99999", 1002),
            ("portalid", "1", 1003),
            ("key", "00", 1004),
            ("mode", "prod", 1005),
            ("api_version", "3.9", 1015),
            ("api_version", "three", 1015),
            ("aid", "1", 1001),
        ] {
            let mut r = request("preauthorization");
            r.set(name, value);
            assert_eq!(code(check_credentials(&c, &r)), expected, "{name}={value}");
        }
        let mut no_aid = request("capture");
        no_aid.set("aid", "");
        assert_eq!(code(check_credentials(&c, &no_aid)), 1001);
        let mut generic = request("genericpayment");
        generic.set("aid", "");
        assert_eq!(check_credentials(&c, &generic), Ok(()), "genericpayment needs no aid");
    }

    #[test]
    fn refusals_speak_the_buyers_language() {
        let r = Refusal::param("amount").to_response(Language::De);
        assert_eq!(r.get("errorcode"), Some("1008"));
        assert_eq!(r.get("errormessage"), Some("Parameter {amount} faulty or missing"));
        assert_eq!(r.get("customermessage"), Some(Customer::Generic.text(Language::De)));
    }
}
