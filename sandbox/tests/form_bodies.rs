//! Both simulators read a request's parameters however PHP's curl sends them: urlencoded, `multipart/form-data`
//! (PAYONE's Shopware 6 plugin, Konnektive's lander kit) and, for CheckoutChamp, the query string.

mod support;

use amazon_pay_sandbox::SandboxConfig;
use payone_wire::sandbox_settings::defaults as d;
use reqwest::multipart::{Form, Part};
use sha2::{Digest, Sha384};

fn payone_fields(lastname: &str) -> Vec<(&'static str, String)> {
    vec![
        ("request", "genericpayment".into()),
        ("mid", d::PAYONE_MID.into()),
        ("portalid", d::PAYONE_PORTALID.into()),
        ("aid", d::PAYONE_AID.into()),
        ("key", hex::encode(Sha384::digest(d::PAYONE_KEY.as_bytes()))),
        ("mode", "test".into()),
        ("api_version", "3.10".into()),
        ("encoding", "UTF-8".into()),
        ("clearingtype", "wlt".into()),
        ("wallettype", "AMP".into()),
        ("add_paydata[action]", "createCheckoutSessionPayload".into()),
        ("amount", "1290".into()),
        ("currency", "EUR".into()),
        ("successurl", "https://shop.example/review".into()),
        ("errorurl", "https://shop.example/review?error=1".into()),
        ("backurl", "https://shop.example/cart".into()),
        ("lastname", lastname.into()),
    ]
}

fn multipart(fields: &[(&'static str, String)]) -> Form {
    fields.iter().fold(Form::new(), |form, (k, v)| form.text(*k, v.clone()))
}

fn lines(body: &str) -> Vec<(String, String)> {
    body.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

fn get<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn payone_answers_a_multipart_request_like_an_urlencoded_one() {
    let (base, sandbox) = support::serve(SandboxConfig::default()).await;
    let url = format!("{base}/sandbox/payone/post-gateway/");
    let http = reqwest::Client::new();
    let reply = http.post(&url).multipart(multipart(&payone_fields("Müller"))).send().await.unwrap();
    assert_eq!(reply.status(), 200);
    let fields = lines(&reply.text().await.unwrap());
    assert_eq!(get(&fields, "status"), Some("OK"), "{fields:?}");
    let workorder = get(&fields, "workorderid").expect("a workorder id");
    assert!(sandbox.payone.workorder(workorder).is_some());

    // A Latin-1 request in a multipart body: the part's bytes are ISO-8859-1, read as such.
    let mut latin1 = Form::new();
    for (k, v) in payone_fields("x") {
        latin1 = match k {
            "encoding" => latin1.text(k, "ISO-8859-1"),
            "lastname" => latin1.part(k, Part::bytes(b"M\xfcller".to_vec())),
            _ => latin1.text(k, v),
        };
    }
    let reply = http.post(&url).multipart(latin1).send().await.unwrap();
    assert_eq!(reply.headers()["content-type"], "text/plain; charset=ISO-8859-1");
    let fields = lines(&String::from_utf8_lossy(&reply.bytes().await.unwrap()));
    assert_eq!(get(&fields, "status"), Some("OK"), "{fields:?}");
}

#[tokio::test]
async fn a_malformed_multipart_body_is_refused_with_the_reason() {
    let (base, sandbox) = support::serve(SandboxConfig::default()).await;
    let http = reqwest::Client::new();
    for path in ["payone/post-gateway/", "checkoutchamp/landers/clicks/import/"] {
        let reply = http
            .post(format!("{base}/sandbox/{path}"))
            .header("content-type", "multipart/form-data; boundary=XYZ")
            .body("--XYZ\r\nContent-Disposition: form-data; name=\"request\"\r\n\r\ngeneric")
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 400, "{path}");
        assert!(reply.text().await.unwrap().contains("multipart"), "{path}");
    }
    assert!(sandbox.payone.notifications().is_empty());
    assert!(sandbox.checkoutchamp.orders().is_empty());
}

#[tokio::test]
async fn checkoutchamp_reads_multipart_urlencoded_and_query_string_alike() {
    let (base, _sandbox) = support::serve(SandboxConfig::default()).await;
    let url = format!("{base}/sandbox/checkoutchamp/landers/clicks/import/");
    let http = reqwest::Client::new();
    let fields: Vec<(&'static str, String)> = vec![
        ("loginId", d::CHECKOUTCHAMP_LOGIN_ID.into()),
        ("password", d::CHECKOUTCHAMP_PASSWORD.into()),
        ("campaignId", d::CHECKOUTCHAMP_CAMPAIGN_ID.into()),
        ("pageType", "checkoutPage".into()),
    ];
    let query = serde_urlencoded::to_string(&fields).unwrap();
    let answers = [
        http.post(&url).multipart(multipart(&fields)).send().await.unwrap(),
        http.post(&url).header("content-type", "application/x-www-form-urlencoded").body(query.clone()).send().await.unwrap(),
        http.post(format!("{url}?{query}")).send().await.unwrap(),
    ];
    for (i, reply) in answers.into_iter().enumerate() {
        let json: serde_json::Value = reply.json().await.unwrap();
        assert_eq!(json["result"], "SUCCESS", "form {i}: {json}");
        assert!(json["message"]["sessionId"].as_str().is_some_and(|s| !s.is_empty()), "form {i}: {json}");
    }
    // Wrong credentials in a multipart body are still refused.
    let mut wrong = fields.clone();
    wrong[1].1 = "nope".into();
    let json: serde_json::Value = http.post(&url).multipart(multipart(&wrong)).send().await.unwrap().json().await.unwrap();
    assert_eq!(json, serde_json::json!({"result": "ERROR", "message": "Invalid Login Credentials"}));
}
