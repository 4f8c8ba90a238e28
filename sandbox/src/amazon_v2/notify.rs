//! Amazon Pay's notifications (IPN) as SNS delivers them: a JSON `Message` naming the changed object, wrapped
//! in an SNS `Notification` signed (SignatureVersion 2) with the sandbox's certificate, which the sandbox
//! serves at `SigningCertURL`. Delivered best effort, in the background, to the configured URL.

use super::keys::{SANDBOX_SNS_CERT_PEM, SANDBOX_SNS_KEY_PEM};
use super::store::Change;
use amazon_pay_v2::sns::{self, SnsMessage};
use amazon_pay_v2::PrivateKey;

/// Where the certificate is served, relative to the public URL.
pub const CERT_PATH: &str = "/sandbox/amazon-pay/sns/SimpleNotificationService-sandbox.pem";
/// The sandbox's topic.
pub const TOPIC_ARN: &str = "arn:aws:sns:eu-west-1:000000000000:amazon-pay-sandbox";

pub(crate) struct Notifier {
    url: Option<String>,
    /// The `MerchantID` every notification names.
    merchant_id: String,
    cert_url: String,
    key: Option<PrivateKey>,
    http: reqwest::Client,
}

impl Notifier {
    pub(crate) fn new(public_url: &str, url: Option<String>, merchant_id: &str) -> Self {
        Self {
            merchant_id: merchant_id.to_owned(),
            url: url.filter(|u| !u.is_empty()),
            cert_url: format!("{public_url}{CERT_PATH}"),
            key: PrivateKey::from_pem(SANDBOX_SNS_KEY_PEM).ok(),
            http: reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build().unwrap_or_default(),
        }
    }

    /// The signed SNS message for one change.
    pub(crate) fn message(&self, change: &Change) -> Option<SnsMessage> {
        let key = self.key.as_ref()?;
        let payload = sns::AmazonPayNotification {
            release_environment: "Sandbox".into(),
            merchant_id: self.merchant_id.clone(),
            object_type: change.object_type.into(),
            object_id: change.object_id.clone(),
            charge_permission_id: Some(change.charge_permission_id.clone()),
            notification_type: "STATE_CHANGE".into(),
            notification_id: crate::amazon::uuid(),
            notification_version: "V1".into(),
        };
        let mut m = SnsMessage {
            kind: "Notification".into(),
            message_id: crate::amazon::uuid(),
            topic_arn: TOPIC_ARN.into(),
            subject: None,
            message: serde_json::to_string(&payload).ok()?,
            timestamp: amazon_pay_v2::date::format_iso(amazon_pay_v2::date::unix_now()),
            signature_version: "2".into(),
            signature: String::new(),
            signing_cert_url: self.cert_url.clone(),
            unsubscribe_url: None,
            subscribe_url: None,
            token: None,
        };
        sns::sign(&mut m, key).ok()?;
        Some(m)
    }

    /// Posts each change's notification, in the background.
    pub(crate) fn send(&self, changes: Vec<Change>) {
        let Some(url) = self.url.clone() else { return };
        for change in changes {
            let Some(m) = self.message(&change) else { continue };
            let http = self.http.clone();
            let url = url.clone();
            tokio::spawn(async move {
                let body = serde_json::to_string(&m).unwrap_or_default();
                let sent = http
                    .post(&url)
                    .header("content-type", "text/plain; charset=UTF-8")
                    .header("x-amz-sns-message-type", "Notification")
                    .header("x-amz-sns-message-id", m.message_id.clone())
                    .header("x-amz-sns-topic-arn", TOPIC_ARN)
                    .body(body)
                    .send()
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "sandbox: Amazon Pay notification not delivered");
                }
            });
        }
    }
}

/// `GET /sandbox/amazon-pay/sns/…pem`: the certificate notifications are signed with.
pub(crate) async fn certificate() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/x-pem-file")], SANDBOX_SNS_CERT_PEM)
}
