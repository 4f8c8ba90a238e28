//! The token on the return URLs this server hands PAYONE (`successurl`, `errorurl`, `backurl` of CV2, APB and
//! CV1): `…/return?result=error&token=T`. The return is a GET that changes the order (an `error` or `back` gives
//! it up), so without a token any page could do it with an `<img>` and an order id it learned. The token is the
//! first 128 bits of HMAC-SHA256 over the order id, under a key derived from the PAYONE portal key (a secret
//! every instance shares, present whenever PAYONE carries orders), in hex; it is compared in constant time.
//!
//! Return URLs handed to PAYONE before tokens came have none and stay usable for their order's lifetime (24 h):
//! a return without a token still sends the buyer on, but only `success` is recorded (it notes that the buyer
//! came back); `error` and `back` change nothing ([`Trust::Legacy`], docs/api.md). Changing `PAYONE_KEY` changes
//! every token: open redirects then come back refused.

use crate::error::AppError;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The query parameter.
pub const PARAM: &str = "token";

/// Bytes of the MAC kept: 128 bits, 32 hex characters in the URL (PAYONE takes 255 in all).
const TOKEN_BYTES: usize = 16;

/// Separates this use of the portal key from every other.
const PURPOSE: &[u8] = b"amazon-pay-server return-url token v1";

/// What a return's token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// This order's token.
    Valid,
    /// No token: a URL handed to PAYONE before tokens came, or a forged one.
    Missing,
    /// A token, not this order's.
    Wrong,
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

fn tag(portal_key: &str, order_id: &str) -> [u8; TOKEN_BYTES] {
    let mut derive = mac(portal_key.as_bytes());
    derive.update(PURPOSE);
    let mut token = mac(&derive.finalize().into_bytes());
    token.update(order_id.as_bytes());
    let full = token.finalize().into_bytes();
    let mut out = [0u8; TOKEN_BYTES];
    out.copy_from_slice(&full[..TOKEN_BYTES]);
    out
}

/// Order `order_id`'s token under `portal_key`.
pub fn token(portal_key: &str, order_id: &str) -> String {
    hex::encode(tag(portal_key, order_id))
}

/// Whether `given` is order `order_id`'s token.
pub fn check(portal_key: &str, order_id: &str, given: Option<&str>) -> Check {
    let Some(given) = given else { return Check::Missing };
    let expected = tag(portal_key, order_id);
    match hex::decode(given) {
        Ok(bytes) if bytes.len() == TOKEN_BYTES && bool::from(bytes.ct_eq(&expected)) => Check::Valid,
        _ => Check::Wrong,
    }
}

/// What a return's token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The order's own token: the return may change the order.
    Token,
    /// No token: a URL PAYONE got before tokens came (or any page's `<img>`). It only sends the buyer on and
    /// changes nothing, not even the return time (which the APB replay and a tab's new placement act on), so
    /// the buyer of an order placed before the upgrade still reaches the confirmation or review page, and
    /// PAYONE's notification or the expiry sweep decides the order later.
    Legacy,
}

/// Refuses a return whose token is another order's or not one: the return is a GET, so any page could send it
/// with an `<img>`. Checked before the order is looked up: a wrong token says nothing about which orders exist.
pub fn trust(portal_key: &str, order_id: &str, token: Option<&str>) -> Result<Trust, AppError> {
    match check(portal_key, order_id, token) {
        Check::Valid => Ok(Trust::Token),
        Check::Missing => {
            tracing::info!(order = %order_id, "a return without a token (a URL from before tokens): it changes no state");
            Ok(Trust::Legacy)
        }
        Check::Wrong => Err(AppError::new(
            amazon_pay_contract::ErrorCode::BadRequest,
            "this return URL has a token that is not this order's: only the URLs this server handed PAYONE for the order may change it; nothing was changed",
        )),
    }
}

/// `{base}{path}?result={result}&token=T`: a return URL of order `order_id` for PAYONE.
pub fn url(base: &str, path: &str, result: &str, portal_key: &str, order_id: &str) -> String {
    format!("{base}{path}?result={result}&{PARAM}={}", token(portal_key, order_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_fits_its_order_only() {
        let t = token("portal-key", "OABCDEFGHJKLM");
        assert_eq!(t.len(), 32);
        assert_eq!(check("portal-key", "OABCDEFGHJKLM", Some(&t)), Check::Valid);
        assert_eq!(check("portal-key", "OABCDEFGHJKLN", Some(&t)), Check::Wrong, "another order's");
        assert_eq!(check("another-key", "OABCDEFGHJKLM", Some(&t)), Check::Wrong, "another key's");
        assert_eq!(check("portal-key", "OABCDEFGHJKLM", None), Check::Missing);
        // Shortened (a 1-byte prefix would be guessed in 256 tries), lengthened, not hex.
        for bad in ["", "zz", &t[..30], &t[..2], &format!("{t}00"), &t.replace(|c: char| c.is_ascii_digit(), "g")] {
            assert_eq!(check("portal-key", "OABCDEFGHJKLM", Some(bad)), Check::Wrong, "{bad:?}");
        }
        assert_ne!(token("portal-key", "OABCDEFGHJKLM"), token("portal-key", "OABCDEFGHJKLN"));
    }
}
