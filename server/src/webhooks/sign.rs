//! Webhook signatures: `Amazon-Pay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as
//! Stripe signs its webhooks. The timestamp is inside the MAC, so a receiver that refuses old timestamps
//! refuses replays of old deliveries too. While the secret is rotated a delivery carries one `v1=` per secret
//! (`t=...,v1=<old>,v1=<new>`), so a receiver that knows either accepts it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header every delivery carries.
pub const HEADER: &str = "Amazon-Pay-Signature";

/// How old a timestamp receivers should accept (docs/webhooks.md): five minutes.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a signature does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Not `t=<unix>,v1=<hex>`.
    #[error("the signature header is not t=<unix>,v1=<hex>")]
    Malformed,
    /// Older (or newer) than [`TOLERANCE_SECS`].
    #[error("the signature's timestamp is more than {TOLERANCE_SECS} s away from now")]
    Stale,
    /// Signed with another secret, or the body or timestamp changed.
    #[error("no v1 signature matches the body")]
    Mismatch,
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

/// The header value for `body` sent at `timestamp`, with one `v1=` per secret, in their order.
pub fn sign_all<S: AsRef<[u8]>>(secrets: &[S], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac(secret.as_ref(), timestamp, body).finalize().into_bytes()));
    }
    header
}

/// Checks a header value against `body` (constant-time comparison) and the timestamp against `now`.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", v)) => signatures.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if now.abs_diff(timestamp) > TOLERANCE_SECS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, timestamp, body);
    if signatures.iter().any(|s| expected.clone().verify_slice(s).is_ok()) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let header = sign(SECRET, 1_700_000_000, b"{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(verify(SECRET, &header, b"{\"a\":1}", 1_700_000_010), Ok(()));
        assert_eq!(verify(SECRET, &header, b"{\"a\":2}", 1_700_000_010), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"another-secret-another-secret-xx", &header, b"{\"a\":1}", 1_700_000_010), Err(SignatureError::Mismatch));
        let moved = header.replace("t=1700000000", "t=1700000001");
        assert_eq!(verify(SECRET, &moved, b"{\"a\":1}", 1_700_000_010), Err(SignatureError::Mismatch));
        assert_eq!(verify(SECRET, &header, b"{\"a\":1}", 1_700_000_000 + TOLERANCE_SECS + 1), Err(SignatureError::Stale));
        for bad in ["", "t=1", "v1=00", "t=x,v1=00", "t=1700000000,v1=zz"] {
            assert_eq!(verify(SECRET, bad, b"{}", 1_700_000_000), Err(SignatureError::Malformed), "{bad}");
        }
    }

    /// A timestamp at the ends of i64 is stale, not an overflow (a panic in a debug build, the receiver's
    /// request dropped).
    #[test]
    fn extreme_timestamps_are_stale() {
        for t in [i64::MIN, i64::MIN + 1, i64::MAX] {
            assert_eq!(verify(SECRET, &format!("t={t},v1=00"), b"{}", 1_700_000_000), Err(SignatureError::Stale), "{t}");
        }
    }

    #[test]
    fn a_rotation_signs_with_each_secret_and_either_verifies() {
        let next: &[u8] = b"fedcba9876543210fedcba9876543210";
        let header = sign_all(&[SECRET, next], 1_700_000_000, b"{}");
        assert_eq!(
            header,
            format!("{},{}", sign(SECRET, 1_700_000_000, b"{}"), sign(next, 1_700_000_000, b"{}").trim_start_matches("t=1700000000,"))
        );
        assert_eq!(verify(SECRET, &header, b"{}", 1_700_000_000), Ok(()));
        assert_eq!(verify(next, &header, b"{}", 1_700_000_000), Ok(()));
        assert_eq!(verify(b"another-secret-another-secret-xx", &header, b"{}", 1_700_000_000), Err(SignatureError::Mismatch));
        assert_eq!(sign_all(&[SECRET], 7, b"x"), sign(SECRET, 7, b"x"));
    }

    #[test]
    fn the_mac_is_hmac_sha256_of_timestamp_dot_body() {
        // Known answer: Python's hmac.new(b"Jefe", b"0.what do ya want for nothing?", hashlib.sha256).hexdigest().
        let header = sign(b"Jefe", 0, b"what do ya want for nothing?");
        assert_eq!(header, "t=0,v1=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc");
    }
}
