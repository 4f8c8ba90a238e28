//! SNS signature version 2 round trip and refusals.

use amazon_pay_v2::sns::{self, SnsError, SnsMessage};
use amazon_pay_v2::PrivateKey;

const KEY: &str = include_str!("fixtures/test-key.pem");
const CERT: &str = include_str!("fixtures/sns-cert.pem");

fn message() -> SnsMessage {
    SnsMessage {
        kind: "Notification".into(),
        message_id: "m-1".into(),
        topic_arn: "arn:aws:sns:eu-west-1:000000000000:sandbox".into(),
        subject: None,
        message: r#"{"ObjectType":"CHARGE","ObjectId":"C1"}"#.into(),
        timestamp: "2026-01-01T00:00:00.000Z".into(),
        signature_version: "2".into(),
        signature: String::new(),
        signing_cert_url: "https://sns.eu-west-1.amazonaws.com/x.pem".into(),
        unsubscribe_url: None,
        subscribe_url: None,
        token: None,
    }
}

#[test]
fn string_to_sign_follows_sns_order() {
    assert_eq!(
        sns::string_to_sign(&message()).expect("notification"),
        "Message\n{\"ObjectType\":\"CHARGE\",\"ObjectId\":\"C1\"}\nMessageId\nm-1\nTimestamp\n2026-01-01T00:00:00.000Z\nTopicArn\narn:aws:sns:eu-west-1:000000000000:sandbox\nType\nNotification\n"
    );
    let mut sub = message();
    sub.kind = "SubscriptionConfirmation".into();
    assert_eq!(sns::string_to_sign(&sub), Err(SnsError::MissingField("SubscriptionConfirmation".into(), "SubscribeURL")));
}

#[test]
fn signed_messages_verify_and_tampering_is_refused() {
    let key = PrivateKey::from_pem(KEY).expect("key");
    let mut m = message();
    sns::sign(&mut m, &key).expect("sign");
    assert_eq!(sns::verify(&m, CERT), Ok(()));
    let mut tampered = m.clone();
    tampered.message = r#"{"ObjectType":"CHARGE","ObjectId":"C2"}"#.into();
    assert_eq!(sns::verify(&tampered, CERT), Err(SnsError::BadSignature));
    let mut v1 = m.clone();
    v1.signature_version = "1".into();
    assert_eq!(sns::verify(&v1, CERT), Err(SnsError::UnsupportedVersion("1".into())));
    assert_eq!(sns::verify(&m, "not a cert"), Err(SnsError::BadCertificate));
    let json = serde_json::to_string(&m).expect("json");
    assert!(json.contains("\"SigningCertURL\"") && json.contains("\"SignatureVersion\":\"2\""));
}
