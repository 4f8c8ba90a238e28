//! No request a page makes may carry the buyer's Login with Amazon token in its `Referer` (the token arrives
//! in the address, `?access_token=…`, before the widget cleans it): every answer of the server says
//! `Referrer-Policy: strict-origin`, and every page says so itself before it loads anything, for shops that
//! copy the pages onto servers of their own.
mod support;

use std::path::{Path, PathBuf};
use support::start_with;

const POLICY: &str = "strict-origin";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The demo pages: `static/*.html` and Trunk's `index.html`.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> =
        std::fs::read_dir(repo().join("static")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "html")).collect();
    pages.push(repo().join("index.html"));
    assert!(pages.len() > 5, "{pages:?}");
    pages
}

#[tokio::test]
async fn every_answer_carries_the_referrer_policy() {
    let static_dir = repo().join("static");
    let env = start_with(|config| config.static_dir = static_dir).await;
    let mut paths: Vec<String> = pages()
        .iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with("static")))
        .map(|p| format!("/{}?access_token=Atza%7Csecret&token_type=bearer&expires_in=3600", p.file_name().unwrap().to_str().unwrap()))
        .collect();
    paths.extend(
        ["/shop.css", "/no-such-page.html", "/healthz", "/api/orders/ONOSUCHORDER", "/sandbox/amazon/checkout.js", "/sandbox/amazon/ap/signin"]
            .map(String::from),
    );
    for path in paths {
        let response = env.http.get(env.url(&path)).send().await.unwrap();
        let policy = response.headers().get("referrer-policy").map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(policy.as_deref(), Some(POLICY), "{path} (HTTP {})", response.status());
    }
}

#[test]
fn every_page_sets_the_policy_before_it_loads_anything() {
    for page in pages() {
        let html = std::fs::read_to_string(&page).unwrap();
        let meta = html.find(&format!(r#"<meta name="referrer" content="{POLICY}">"#));
        let first_resource = ["<link", "<script", "<img", "<iframe", "<style"].iter().filter_map(|tag| html.find(tag)).min();
        match (meta, first_resource) {
            (Some(meta), Some(resource)) => assert!(meta < resource, "{}: the meta comes after a resource", page.display()),
            (Some(_), None) => {}
            (None, _) => panic!("{}: no <meta name=\"referrer\" content=\"{POLICY}\">", page.display()),
        }
    }
}
