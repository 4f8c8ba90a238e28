//! Amazon Pay API v2 directly (`--provider amazon`): the merchant's key and client, the checkout calls the
//! CV2 and APB routes make, Amazon's errors as the widget's buyer messages, and the IPN receiver.

/// Whether `pem` is an RSA private key Amazon Pay can sign with (the reason when not).
pub fn check_private_key(pem: &str) -> Result<(), String> {
    if pem.contains("-----BEGIN PRIVATE KEY-----") || pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
        Ok(())
    } else {
        Err("no 'BEGIN PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY' block".into())
    }
}
