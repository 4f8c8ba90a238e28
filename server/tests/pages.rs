//! The widget's files as a browser gets them: precompressed twins when it accepts them, with `Vary`; and the demo
//! pages in the buyer language the harness picked (sandbox mode only).
#![cfg(feature = "sandbox")]
#[path = "support/payone_live.rs"]
mod payone_live;
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

/// A demo page as the repository's are: English, said in its first tag.
const PAGE: &str = "<!doctype html>\n<html lang=\"en\">\n<head><title>shop</title></head><body></body></html>";

/// The demo pages of a temporary directory: the shop's review page and the harness.
fn demo_pages() -> tempfile::TempDir {
    let pages = tempfile::tempdir().unwrap();
    for name in ["review.html", "harness.html"] {
        std::fs::write(pages.path().join(name), PAGE).unwrap();
    }
    pages
}

/// `GET path` with the harness's language cookie (when given) and any `extra` header: status, headers, body.
async fn page(base: &str, path: &str, cookie: Option<&str>, extra: Option<(&str, &str)>) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("other=1; {}={cookie}", amazon_pay_server::demo_language::COOKIE));
    }
    if let Some((name, value)) = extra {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.headers().clone(), response.text().await.unwrap())
}

/// The harness's buyer language (docs/sandbox.md): the shop's pages say it in `<html lang>`, uncached, also to a
/// browser holding another language's copy; the harness itself, and a language that is not ours, are left alone.
#[tokio::test]
async fn the_harness_language_relabels_the_shops_demo_pages_in_sandbox_mode() {
    let pages = demo_pages();
    let dir = pages.path().to_owned();
    let env = start_with(|config| config.static_dir = dir).await;

    let (status, headers, body) = page(&env.base, "/review.html", Some("de"), None).await;
    assert_eq!(status, 200);
    assert_eq!(body, PAGE.replace("lang=\"en\"", "lang=\"de\""));
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["vary"].to_str().unwrap().contains("cookie"));
    assert!(headers.get("last-modified").is_none() && headers.get("etag").is_none());

    // The page as shipped, with its validator; asked again in Italian with it: the whole Italian page, not a 304.
    let (_, headers, body) = page(&env.base, "/review.html", None, None).await;
    assert_eq!(body, PAGE);
    let modified = headers["last-modified"].to_str().unwrap().to_owned();
    assert_eq!(page(&env.base, "/review.html", None, Some(("if-modified-since", &modified))).await.0, 304);
    let (status, _, body) = page(&env.base, "/review.html", Some("it"), Some(("if-modified-since", &modified))).await;
    assert_eq!((status, body.contains("<html lang=\"it\">")), (200, true));

    for (path, cookie) in [("/review.html", "nl"), ("/review.html", ""), ("/harness.html", "de")] {
        assert_eq!(page(&env.base, path, Some(cookie), None).await.2, PAGE, "{path} with {cookie:?}");
    }
}

/// A live server never relabels a page, whatever the cookie says.
#[tokio::test]
async fn a_live_server_serves_the_pages_as_they_are_whatever_the_cookie() {
    let pages = demo_pages();
    let data = tempfile::tempdir().unwrap();
    let args = <amazon_pay_server::config::Args as clap::Parser>::try_parse_from(payone_live::live_payone_argv(
        data.path().to_str().unwrap(),
        &["--static-dir", pages.path().to_str().unwrap()],
    ))
    .unwrap();
    let config = amazon_pay_server::config::Config::from_args(args).unwrap();
    assert_eq!(config.mode, amazon_pay_server::config::Mode::Live);
    let (base, _state) = amazon_pay_server::app::Server::bind(config).await.unwrap().spawn();
    let (status, headers, body) = page(&base, "/review.html", Some("de"), None).await;
    assert_eq!((status, body.as_str()), (200, PAGE));
    assert_ne!(headers.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
}

/// A directory of the pages without its trailing slash is redirected to it (tower-http's `ServeDir`), with the
/// path as it came: `//evil.example` would answer `Location: //evil.example/`, which a browser reads as another
/// host. A path that starts with two slashes (or a backslash a browser turns into one) names no page.
#[tokio::test]
async fn a_path_starting_with_two_slashes_is_not_redirected_to_another_host() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::create_dir(dist.path().join("evil.example")).unwrap();
    std::fs::write(dist.path().join("evil.example").join("index.html"), "<p>a page</p>").unwrap();
    let dist_dir = dist.path().to_owned();
    let env = start_with(|config| config.dist_dir = dist_dir).await;
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    // The directory itself still gets its slash, on this server.
    let own = http.get(env.url("/evil.example")).send().await.unwrap();
    assert_eq!(own.status().as_u16() / 100, 3);
    assert_eq!(own.headers()["location"], "/evil.example/");
    for path in ["//evil.example", "///evil.example", "/%5Cevil.example", "//evil.example/", "/\\evil.example"] {
        let answer = http.get(format!("{}{path}", env.base)).send().await.unwrap();
        let location = answer.headers().get("location").map(|l| l.to_str().unwrap_or("?").to_owned());
        assert!(
            location.as_deref().is_none_or(|l| l.starts_with('/') && !l.starts_with("//") && !l.starts_with("/\\")),
            "{path}: redirected to {location:?}"
        );
        assert_eq!(answer.status(), 404, "{path}: {location:?}");
    }
}
