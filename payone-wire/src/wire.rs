//! PAYONE's wire format: form-encoded requests, `key=value` line responses, hashed portal keys.
//! The simulator's tests check it against the facts in `shared/reference/payone-amazonpay.md` §1.

use md5::Md5;
use sha2::{Digest, Sha384};

/// The lowest `api_version` PAYONE allows for Amazon Pay.
pub const MIN_API_VERSION: (u32, u32) = (3, 10);

/// `hex(sha384(portal_key))`: what requests to PAYONE carry as `key`.
pub fn request_key(portal_key: &str) -> String {
    hex::encode(Sha384::digest(portal_key.as_bytes()))
}

/// `hex(md5(portal_key))`: what TransactionStatus notifications carry as `key` (and old clients send).
pub fn notification_key(portal_key: &str) -> String {
    hex::encode(Md5::digest(portal_key.as_bytes()))
}

/// Parses `"3.10"` into `(3, 10)`; `3.9` < `3.10` as PAYONE means it.
pub fn parse_api_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// An ordered list of request parameters, sent as `application/x-www-form-urlencoded`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayoneRequest {
    params: Vec<(String, String)>,
}

impl PayoneRequest {
    /// A request of type `request` (`genericpayment`, `preauthorization`, …).
    pub fn new(request: &str) -> Self {
        let mut r = PayoneRequest::default();
        r.set("request", request);
        r
    }

    /// Sets `name` (replacing an earlier value); empty values are not sent, as PAYONE's own plugins do.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        self.params.retain(|(k, _)| k != name);
        if !value.is_empty() {
            self.params.push((name.to_owned(), value));
        }
        self
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every parameter, in the order set.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// The form body. Bracketed keys such as `add_paydata[action]` are percent-encoded like any other.
    pub fn encode(&self) -> String {
        serde_urlencoded::to_string(&self.params).unwrap_or_default()
    }

    /// Parses a form body (for the simulator). Duplicate keys: the last one wins.
    pub fn decode(body: &str) -> Result<Self, serde_urlencoded::de::Error> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(body)?;
        let mut r = PayoneRequest::default();
        for (k, v) in pairs {
            r.params.retain(|(existing, _)| *existing != k);
            r.params.push((k, v));
        }
        Ok(r)
    }

    /// The parameters with `key` and other secrets replaced, for logs and the order store.
    pub fn redacted(&self) -> String {
        let redacted: Vec<(String, String)> = self
            .params
            .iter()
            .map(|(k, v)| {
                // The buyer's Login with Amazon token (CV1) is a credential too.
                let secret = matches!(k.as_str(), "key" | "hash" | "add_paydata[amazon_address_token]");
                let v = if secret { "<redacted>".to_owned() } else { v.clone() };
                (k.clone(), v)
            })
            .collect();
        serde_urlencoded::to_string(redacted).unwrap_or_default()
    }
}

/// A `key=value` response. Keeps every line in order; lines without `=` are kept as raw lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayoneResponse {
    fields: Vec<(String, String)>,
    raw_lines: Vec<String>,
}

impl PayoneResponse {
    /// Splits each line at the first `=`, trims the value (PAYONE may send CRLF), keeps odd lines aside.
    pub fn parse(body: &str) -> Self {
        let mut response = PayoneResponse::default();
        for line in body.lines() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            match line.split_once('=') {
                Some((key, value)) if !key.trim().is_empty() => response.fields.push((key.trim().to_owned(), value.trim().to_owned())),
                _ => response.raw_lines.push(line.to_owned()),
            }
        }
        response
    }

    /// An empty answer, to fill with [`PayoneResponse::with`] (the simulator's side).
    pub fn builder() -> Self {
        PayoneResponse::default()
    }

    /// The answer with `key=value` appended.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Self {
        self.fields.push((key.to_owned(), value.into()));
        self
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// `add_paydata[name]`.
    pub fn paydata(&self, name: &str) -> Option<&str> {
        self.get(&format!("add_paydata[{name}]"))
    }

    /// `status` (`APPROVED`, `REDIRECT`, `OK`, `ERROR`, …).
    pub fn status(&self) -> Option<&str> {
        self.get("status")
    }

    /// Every `key=value` line, in order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// The lines that were not `key=value`.
    pub fn raw_lines(&self) -> &[String] {
        &self.raw_lines
    }

    /// The body as PAYONE sends it: one `key=value` per line.
    pub fn to_body(&self) -> String {
        let mut body = String::new();
        for (k, v) in &self.fields {
            body.push_str(k);
            body.push('=');
            body.push_str(v);
            body.push('\n');
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_hashed_as_payone_expects() {
        assert_eq!(notification_key("abc"), "900150983cd24fb0d6963f7d28e17f72");
        let sha = request_key("abc");
        assert_eq!(sha.len(), 96);
        assert!(sha.starts_with("cb00753f45a35e8b"));
    }

    #[test]
    fn response_survives_equals_in_values_and_odd_lines() {
        let body = "status=OK\r\nadd_paydata[payload]={\"a\":\"b=c\"}\r\nworkorderid=WX1\r\ngarbage line\r\n\r\n=novalue\n";
        let r = PayoneResponse::parse(body);
        assert_eq!(r.status(), Some("OK"));
        assert_eq!(r.paydata("payload"), Some("{\"a\":\"b=c\"}"));
        assert_eq!(r.get("workorderid"), Some("WX1"));
        assert_eq!(r.raw_lines(), ["garbage line", "=novalue"]);
    }

    #[test]
    fn request_encodes_brackets_and_drops_empty_values() {
        let mut r = PayoneRequest::new("genericpayment");
        r.set("add_paydata[action]", "createCheckoutSessionPayload").set("narrative_text", "");
        assert_eq!(r.encode(), "request=genericpayment&add_paydata%5Baction%5D=createCheckoutSessionPayload");
        let back = PayoneRequest::decode(&r.encode()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn redaction_hides_the_key() {
        let mut r = PayoneRequest::new("genericpayment");
        r.set("key", request_key("secret"));
        r.set("add_paydata[amazon_address_token]", "Atza|buyer-token");
        assert!(!r.redacted().contains(&request_key("secret")));
        assert!(!r.redacted().contains("buyer-token"));
    }

    #[test]
    fn api_versions_compare_numerically() {
        assert!(parse_api_version("3.9").unwrap() < MIN_API_VERSION);
        assert!(parse_api_version("3.11").unwrap() >= MIN_API_VERSION);
        assert_eq!(parse_api_version("x"), None);
    }
}
