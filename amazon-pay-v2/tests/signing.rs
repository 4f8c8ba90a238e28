//! Signing, verification, keys, the button and the request canonicalization.

use amazon_pay_v2::button::{button_payload, sign_button, ButtonWebCheckoutDetails, DeliverySpecifications};
use amazon_pay_v2::request::{self, ReceivedRequest, RequestAuthError, RequestToSign};
use amazon_pay_v2::signing::{self, string_to_sign, VerifyError};
use amazon_pay_v2::{Algorithm, ButtonPayload, KeyError, PrivateKey, PublicKey};

const KEY: &str = include_str!("fixtures/test-key.pem");
const KEY_PKCS1: &str = include_str!("fixtures/test-key-pkcs1.pem");
const PUB: &str = include_str!("fixtures/test-key.pub.pem");
const SHORT: &str = include_str!("fixtures/short-key.pem");

fn key() -> PrivateKey {
    PrivateKey::from_pem(KEY).expect("fixture key")
}

/// The one vector Amazon's SDKs publish (PHP and .NET SDK tests).
#[test]
fn amazons_published_vector() {
    let payload = r#"{"storeId":"amzn1.application-oa2-client.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","webCheckoutDetails":{"checkoutReviewReturnUrl":"https://localhost/test/CheckoutReview.php","checkoutResultReturnUrl":"https://localhost/test/CheckoutResult.php"}}"#;
    assert_eq!(
        string_to_sign(Algorithm::V2, payload.as_bytes()),
        "AMZN-PAY-RSASSA-PSS-V2\n8dec52d799607be40f82d5c8e7ecb6c171e6591c41b1111a576b16076c89381c"
    );
    assert_eq!(
        string_to_sign(Algorithm::V1, payload.as_bytes()),
        "AMZN-PAY-RSASSA-PSS\n8dec52d799607be40f82d5c8e7ecb6c171e6591c41b1111a576b16076c89381c"
    );
}

#[test]
fn signatures_verify_with_their_own_salt_only() {
    let key = key();
    let public = PublicKey::from_pem(PUB).expect("fixture public key");
    assert_eq!(key.public_key(), public);
    for alg in [Algorithm::V2, Algorithm::V1] {
        let sig = signing::sign(&key, alg, b"hello");
        assert_eq!(sig.len(), 344, "base64 of 256 bytes");
        assert_eq!(signing::verify(&public, alg, b"hello", &sig), Ok(()));
        assert_eq!(signing::verify(&public, alg, b"hellO", &sig), Err(VerifyError::Mismatch));
        let other = if alg == Algorithm::V2 { Algorithm::V1 } else { Algorithm::V2 };
        assert_eq!(signing::verify(&public, other, b"hello", &sig), Err(VerifyError::Mismatch), "salt length is checked");
    }
    assert_eq!(signing::verify(&public, Algorithm::V2, b"x", "not base64!"), Err(VerifyError::Encoding(256)));
    assert_eq!(signing::verify(&public, Algorithm::V2, b"x", "AAAA"), Err(VerifyError::Encoding(256)));
}

#[test]
fn keys_in_both_pem_forms_and_refusals() {
    assert_eq!(PrivateKey::from_pem(KEY_PKCS1).expect("pkcs1").public_key(), key().public_key());
    assert_eq!(PrivateKey::from_pem("hello").unwrap_err(), KeyError::NotPem);
    assert_eq!(PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").unwrap_err(), KeyError::Malformed("PRIVATE KEY"));
    assert_eq!(PrivateKey::from_pem(SHORT).unwrap_err(), KeyError::TooShort(1024));
    assert_eq!(PublicKey::from_pem(KEY).unwrap_err(), KeyError::NotPem);
    let public = key().public_key();
    assert_eq!(PublicKey::from_spki_der(&public.to_spki_der()).expect("der"), public);
    assert_eq!(PublicKey::from_pem(&public.to_pem()).expect("pem"), public);
    let jwk = public.to_jwk();
    assert_eq!(jwk["kty"], "RSA");
    assert_eq!(jwk["e"], "AQAB");
    assert!(!format!("{:?}", key()).contains("BEGIN"), "Debug never shows the key");
}

#[test]
fn button_payload_is_compact_json_and_signed() {
    let payload = ButtonPayload {
        web_checkout_details: ButtonWebCheckoutDetails {
            checkout_review_return_url: Some("https://shop.example/review".into()),
            ..Default::default()
        },
        store_id: "amzn1.application-oa2-client.abc".into(),
        scopes: vec!["name".into(), "email".into()],
        delivery_specifications: Some(DeliverySpecifications::allowed_countries(&["de", "AT"])),
        ..Default::default()
    };
    let json = button_payload(&payload);
    assert_eq!(
        json,
        r#"{"webCheckoutDetails":{"checkoutReviewReturnUrl":"https://shop.example/review"},"storeId":"amzn1.application-oa2-client.abc","scopes":["name","email"],"deliverySpecifications":{"addressRestrictions":{"restrictionType":"Allowed","restrictions":{"AT":{},"DE":{}}}}}"#
    );
    let sig = sign_button(&key(), Algorithm::V2, &json);
    assert_eq!(signing::verify(&key().public_key(), Algorithm::V2, json.as_bytes(), &sig), Ok(()));
}

fn signed(alg: Algorithm, key_id: &str, idem: Option<&str>, now: i64) -> Vec<(String, String)> {
    request::sign_request(
        &key(),
        key_id,
        alg,
        &RequestToSign {
            method: "POST",
            path: "/v2/charges/C1/capture",
            query: &[],
            host: "127.0.0.1:8443",
            region: "eu",
            unix_time: now,
            idempotency_key: idem,
            body: br#"{"captureAmount":{"amount":"1.00","currencyCode":"EUR"}}"#,
        },
    )
}

fn received<'a>(headers: &'a [(String, String)], body: &'a [u8]) -> ReceivedRequest<'a> {
    ReceivedRequest { method: "POST", path: "/v2/charges/C1/capture", query: &[], headers, body }
}

#[test]
fn signed_requests_verify_and_every_refusal_has_its_code() {
    let now = 1_700_000_000;
    let body: &[u8] = br#"{"captureAmount":{"amount":"1.00","currencyCode":"EUR"}}"#;
    let public = key().public_key();
    let lookup = |id: &str| (id == "SANDBOX-K").then(|| public.clone());
    let headers = signed(Algorithm::V2, "SANDBOX-K", Some("idem-1"), now);
    let auth = headers.iter().find(|(n, _)| n == "authorization").expect("authorization").1.clone();
    assert!(auth.starts_with("AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=SANDBOX-K, SignedHeaders=accept;content-type;x-amz-pay-date;x-amz-pay-host;x-amz-pay-idempotency-key;x-amz-pay-region, Signature="), "{auth}");
    let ok = request::verify_request(&received(&headers, body), lookup, now + 60, request::MAX_SKEW_SECS).expect("verifies");
    assert_eq!(ok.public_key_id, "SANDBOX-K");

    // Tampered body.
    let err = request::verify_request(&received(&headers, b"{}"), lookup, now, 900).unwrap_err();
    assert!(matches!(err, RequestAuthError::BadSignature(_)));
    assert_eq!((err.reason_code(), err.status()), ("InvalidRequestSignature", 401));
    // Tampered header value.
    let mut h2 = headers.clone();
    h2.iter_mut().find(|(n, _)| n == "x-amz-pay-idempotency-key").expect("idem").1 = "idem-2".into();
    assert_eq!(request::verify_request(&received(&h2, body), lookup, now, 900).unwrap_err().reason_code(), "InvalidRequestSignature");
    // Unknown key id.
    let other = signed(Algorithm::V2, "SANDBOX-OTHER", None, now);
    let err = request::verify_request(&received(&other, body), lookup, now, 900).unwrap_err();
    assert_eq!((err.reason_code(), err.status()), ("UnauthorizedAccess", 401));
    // Stale date (16 minutes old), and a date in the future (beyond a minute's tolerance).
    let err = request::verify_request(&received(&headers, body), lookup, now + 961, 900).unwrap_err();
    assert_eq!((err.reason_code(), err.status()), ("InvalidHeaderValue", 400));
    assert!(matches!(err, RequestAuthError::DateExpired(..)));
    let err = request::verify_request(&received(&headers, body), lookup, now - 61, 900).unwrap_err();
    assert_eq!(err.to_string(), "The value 20231114T221320Z provided for x-amz-pay-date should not be in future");
    assert!(request::verify_request(&received(&headers, body), lookup, now - 59, 900).is_ok());
    // Unsigned.
    let unsigned: Vec<_> = headers.iter().filter(|(n, _)| n != "authorization").cloned().collect();
    let err = request::verify_request(&received(&unsigned, body), lookup, now, 900).unwrap_err();
    assert_eq!((err.reason_code(), err.status()), ("MissingHeader", 400));
}

#[test]
fn canonical_request_matches_the_sdk_layout() {
    let headers = vec![("accept".to_string(), "application/json".to_string()), ("x-amz-pay-date".to_string(), "20190923T231908Z".to_string())];
    let query = request::canonical_query(&[("b".into(), "x y/é".into()), ("a".into(), "1".into())]);
    assert_eq!(query, "a=1&b=x%20y%2F%C3%A9");
    let (canonical, signed) = request::canonical_request("GET", "/live/v2/charges/1", &query, &headers, b"");
    assert_eq!(signed, "accept;x-amz-pay-date");
    assert_eq!(
        canonical,
        "GET\n/live/v2/charges/1\na=1&b=x%20y%2F%C3%A9\naccept:application/json\nx-amz-pay-date:20190923T231908Z\n\naccept;x-amz-pay-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn authorization_parsing_refuses_garbage() {
    for bad in [
        "",
        "Bearer x",
        "AMZN-PAY-RSASSA-PSS-V2",
        "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=, SignedHeaders=a, Signature=b",
        "AMZN-PAY-RSASSA-PSS-V3 PublicKeyId=a, SignedHeaders=a, Signature=b",
        "AMZN-PAY-RSASSA-PSS-V2 PublicKeyId=a, Foo=b, SignedHeaders=a, Signature=b",
    ] {
        assert_eq!(request::parse_authorization(bad), None, "{bad}");
    }
    let a = request::parse_authorization("AMZN-PAY-RSASSA-PSS PublicKeyId=K, SignedHeaders=Accept;x-amz-pay-date, Signature=ab==").expect("parses");
    assert_eq!(a.algorithm, Algorithm::V1);
    assert_eq!(a.signed_headers, vec!["accept", "x-amz-pay-date"]);
    assert_eq!(a.signed_headers_raw, "Accept;x-amz-pay-date");
    assert_eq!(a.signature, "ab==");
}
