//! The widget's files as a browser gets them: precompressed twins when it accepts them, with `Vary`.
#![cfg(feature = "sandbox")]
mod support;

use support::start_with;

#[tokio::test]
async fn widget_files_are_served_precompressed_to_browsers_that_accept_it() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("amazon-pay-button.js"), "export function mount() {}").unwrap();
    std::fs::write(dist.path().join("amazon-pay-button.js.br"), b"brotli bytes").unwrap();
    std::fs::write(dist.path().join("amazon-pay-button.js.gz"), b"gzip bytes").unwrap();
    std::fs::write(dist.path().join("amazon-pay-button_bg.wasm"), b"\0asm").unwrap();
    let dist_dir = dist.path().to_owned();
    let env = start_with(|config| config.dist_dir = dist_dir).await;
    let get = |encodings: &'static str, path: &'static str| {
        let request = env.http.get(env.url(path));
        let request = if encodings.is_empty() { request } else { request.header("accept-encoding", encodings) };
        async move { request.send().await.unwrap() }
    };

    let br = get("gzip, deflate, br", "/amazon-pay-button.js").await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["vary"], "accept-encoding, origin", "the answer also depends on the Origin (CORS)");
    assert!(br.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let gz = get("gzip", "/amazon-pay-button.js").await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    assert_eq!(gz.bytes().await.unwrap().as_ref(), b"gzip bytes");

    let plain = get("", "/amazon-pay-button.js").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"export function mount() {}");

    // No twin: the file itself, with its type.
    let wasm = get("br", "/amazon-pay-button_bg.wasm").await;
    assert!(wasm.headers().get("content-encoding").is_none());
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
}
