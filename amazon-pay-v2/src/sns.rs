//! Amazon SNS messages, which carry Amazon Pay's notifications (IPN): the string SNS signs and the check of its
//! `SignatureVersion` 2 signature (SHA256withRSA, PKCS#1 v1.5) with the signing certificate. Whether the
//! certificate URL may be trusted (an `sns.<region>.amazonaws.com` host, or the sandbox's own certificate in
//! sandbox mode) is the receiver's decision, not this module's.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsa::pkcs1v15;
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use x509_cert::der::{DecodePem, Encode};

use crate::keys::{KeyError, PrivateKey, PublicKey};

/// An SNS HTTP(S) message body (`Notification`, `SubscriptionConfirmation` or `UnsubscribeConfirmation`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnsMessage {
    /// The kind.
    #[serde(rename = "Type")]
    pub kind: String,
    /// Unique per message: the receiver's replay key.
    #[serde(rename = "MessageId")]
    pub message_id: String,
    /// The topic.
    #[serde(rename = "TopicArn")]
    pub topic_arn: String,
    /// Optional subject (signed when present).
    #[serde(rename = "Subject", default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The payload: for Amazon Pay a JSON string naming the object (`ObjectType`, `ObjectId`, ...).
    #[serde(rename = "Message")]
    pub message: String,
    /// ISO 8601.
    #[serde(rename = "Timestamp")]
    pub timestamp: String,
    /// `1` (SHA1withRSA) or `2` (SHA256withRSA).
    #[serde(rename = "SignatureVersion")]
    pub signature_version: String,
    /// Base64 signature.
    #[serde(rename = "Signature")]
    pub signature: String,
    /// Where the signing certificate is.
    #[serde(rename = "SigningCertURL")]
    pub signing_cert_url: String,
    /// Unsubscribe link (notifications).
    #[serde(rename = "UnsubscribeURL", default, skip_serializing_if = "Option::is_none")]
    pub unsubscribe_url: Option<String>,
    /// Confirmation link (subscription messages).
    #[serde(rename = "SubscribeURL", default, skip_serializing_if = "Option::is_none")]
    pub subscribe_url: Option<String>,
    /// Confirmation token (subscription messages).
    #[serde(rename = "Token", default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// Why an SNS message was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SnsError {
    /// Only SignatureVersion 2 is checked (v1 is SHA-1).
    #[error("SNS SignatureVersion {0} is not accepted (only 2, SHA256withRSA)")]
    UnsupportedVersion(String),
    /// A field the signed string needs is missing.
    #[error("the SNS {0} message lacks {1}")]
    MissingField(String, &'static str),
    /// Unknown `Type`.
    #[error("unknown SNS message type {0}")]
    UnknownType(String),
    /// The certificate is not a PEM X.509 certificate with an RSA key.
    #[error("the signing certificate is not a PEM X.509 certificate with an RSA key")]
    BadCertificate,
    /// The signature does not verify.
    #[error("the SNS signature does not match")]
    BadSignature,
}

/// The string SNS signs: `Key\nValue\n` for the type's fields in SNS's fixed order.
pub fn string_to_sign(m: &SnsMessage) -> Result<String, SnsError> {
    let mut out = String::new();
    let mut add = |k: &str, v: &str| {
        out.push_str(k);
        out.push('\n');
        out.push_str(v);
        out.push('\n');
    };
    match m.kind.as_str() {
        "Notification" => {
            add("Message", &m.message);
            add("MessageId", &m.message_id);
            if let Some(s) = &m.subject {
                add("Subject", s);
            }
            add("Timestamp", &m.timestamp);
            add("TopicArn", &m.topic_arn);
            add("Type", &m.kind);
        }
        "SubscriptionConfirmation" | "UnsubscribeConfirmation" => {
            let url = m.subscribe_url.as_deref().ok_or(SnsError::MissingField(m.kind.clone(), "SubscribeURL"))?;
            let token = m.token.as_deref().ok_or(SnsError::MissingField(m.kind.clone(), "Token"))?;
            add("Message", &m.message);
            add("MessageId", &m.message_id);
            add("SubscribeURL", url);
            add("Timestamp", &m.timestamp);
            add("Token", token);
            add("TopicArn", &m.topic_arn);
            add("Type", &m.kind);
        }
        other => return Err(SnsError::UnknownType(other.to_string())),
    }
    Ok(out)
}

/// The RSA public key of a PEM certificate.
pub fn certificate_key(cert_pem: &str) -> Result<PublicKey, SnsError> {
    let cert = x509_cert::Certificate::from_pem(cert_pem.trim().as_bytes()).map_err(|_| SnsError::BadCertificate)?;
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().map_err(|_| SnsError::BadCertificate)?;
    let key = rsa::RsaPublicKey::from_public_key_der(&spki).map_err(|_| SnsError::BadCertificate)?;
    Ok(PublicKey(key))
}

/// Checks `m`'s signature with the certificate `cert_pem` (which the caller fetched from a URL it trusts).
pub fn verify(m: &SnsMessage, cert_pem: &str) -> Result<(), SnsError> {
    if m.signature_version != "2" {
        return Err(SnsError::UnsupportedVersion(m.signature_version.clone()));
    }
    let key = certificate_key(cert_pem)?;
    let to_sign = string_to_sign(m)?;
    let bytes = STANDARD.decode(m.signature.trim()).map_err(|_| SnsError::BadSignature)?;
    let signature = pkcs1v15::Signature::try_from(bytes.as_slice()).map_err(|_| SnsError::BadSignature)?;
    pkcs1v15::VerifyingKey::<Sha256>::new(key.0).verify(to_sign.as_bytes(), &signature).map_err(|_| SnsError::BadSignature)
}

/// Signs `m` (SignatureVersion 2) in place: for the sandbox, which plays SNS with its own certificate.
pub fn sign(m: &mut SnsMessage, key: &PrivateKey) -> Result<(), SnsError> {
    m.signature_version = "2".into();
    let to_sign = string_to_sign(m)?;
    let signature = pkcs1v15::SigningKey::<Sha256>::new(key.0.clone()).sign(to_sign.as_bytes());
    m.signature = STANDARD.encode(signature.to_bytes());
    Ok(())
}

impl From<KeyError> for SnsError {
    fn from(_: KeyError) -> Self {
        SnsError::BadCertificate
    }
}

/// Whether `url` is where Amazon SNS serves signing certificates: `https://sns.<region>.amazonaws.com/…pem`
/// (or `.amazonaws.com.cn`), no credentials, no port, no query. A receiver fetches a certificate only from such a
/// URL (and, in sandbox mode only, from the sandbox's own).
pub fn is_amazon_sns_cert_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else { return false };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let region_host = host.strip_prefix("sns.").and_then(|h| h.strip_suffix(".amazonaws.com").or_else(|| h.strip_suffix(".amazonaws.com.cn")));
    let region_ok = region_host.is_some_and(|r| !r.is_empty() && r.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'));
    region_ok && path.ends_with(".pem") && !path.contains(['?', '#', '\\']) && !path.contains("..")
}

/// The `Message` of an Amazon Pay notification: which object changed. The receiver then reads the object
/// (Get Charge, Get Refund, ...) to learn its state; `NotificationId` makes replays recognizable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AmazonPayNotification {
    /// `Sandbox` or `Live`.
    #[serde(default)]
    pub release_environment: String,
    /// The merchant.
    #[serde(rename = "MerchantID", default)]
    pub merchant_id: String,
    /// `CHARGE`, `REFUND`, `CHARGE_PERMISSION`.
    pub object_type: String,
    /// The object's id.
    pub object_id: String,
    /// The charge permission it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_permission_id: Option<String>,
    /// `STATE_CHANGE`.
    #[serde(default)]
    pub notification_type: String,
    /// Unique per notification.
    #[serde(default)]
    pub notification_id: String,
    /// `V1`.
    #[serde(default)]
    pub notification_version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_amazon_sns_hosts_serve_certificates() {
        assert!(is_amazon_sns_cert_url("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem"));
        assert!(is_amazon_sns_cert_url("https://sns.cn-north-1.amazonaws.com.cn/x.pem"));
        for bad in [
            "http://sns.eu-west-1.amazonaws.com/x.pem",
            "https://sns.eu-west-1.amazonaws.com.evil.example/x.pem",
            "https://evil.example/sns.eu-west-1.amazonaws.com/x.pem",
            "https://sns.eu-west-1.amazonaws.com:8443/x.pem",
            "https://user@sns.eu-west-1.amazonaws.com/x.pem",
            "https://sns.eu-west-1.amazonaws.com/x.pem?x=1",
            "https://sns.eu-west-1.amazonaws.com/x.txt",
            "https://sns..amazonaws.com/x.pem",
            "https://s3.amazonaws.com/x.pem",
        ] {
            assert!(!is_amazon_sns_cert_url(bad), "{bad}");
        }
    }

    #[test]
    fn notification_messages_parse() {
        let n: AmazonPayNotification = serde_json::from_str(
            r#"{"ReleaseEnvironment":"Sandbox","MerchantID":"M","ObjectType":"CHARGE","ObjectId":"S02-1","ChargePermissionId":"P02-1","NotificationType":"STATE_CHANGE","NotificationId":"n1","NotificationVersion":"V1","New":1}"#,
        )
        .expect("parses");
        assert_eq!((n.object_type.as_str(), n.charge_permission_id.as_deref()), ("CHARGE", Some("P02-1")));
    }
}
