//! Graceful shutdown (issue #22): SIGTERM while an order is being placed. The server under test is the real
//! binary; its PAYONE is a sandbox simulator in this process behind a proxy that holds the placement until
//! the test has sent SIGTERM, so the request is provably in flight when the signal arrives.
#![cfg(all(feature = "sandbox", unix))]

mod support;

use amazon_pay_contract::cv2::{ButtonConfig, PlaceOrderRequest};
use amazon_pay_contract::Language;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

const BIN: &str = env!("CARGO_BIN_EXE_amazon-pay-server");

/// A one-request-per-connection HTTP proxy to `target` that holds requests whose body contains `needle`
/// until [`HoldingProxy::release`].
struct HoldingProxy {
    url: String,
    held: Arc<AtomicBool>,
    release: Arc<Notify>,
}

impl HoldingProxy {
    async fn start(target: String, needle: &'static str) -> HoldingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let url = format!("http://{}/post-gateway/", listener.local_addr().expect("bound"));
        let held = Arc::new(AtomicBool::new(false));
        let release = Arc::new(Notify::new());
        let (h, r) = (held.clone(), release.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(forward(socket, http.clone(), target.clone(), needle, h.clone(), r.clone()));
            }
        });
        HoldingProxy { url, held, release }
    }
}

async fn forward(mut socket: TcpStream, http: reqwest::Client, target: String, needle: &str, held: Arc<AtomicBool>, release: Arc<Notify>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let body = loop {
        let n = socket.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let length: usize = head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0);
        if buf.len() >= end + 4 + length {
            break buf[end + 4..end + 4 + length].to_vec();
        }
    };
    if String::from_utf8_lossy(&body).contains(needle) {
        let released = release.notified();
        held.store(true, Ordering::SeqCst);
        released.await;
    }
    let response =
        http.post(&target).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.expect("the simulator answers");
    let status = response.status().as_u16();
    let answer = response.bytes().await.expect("the simulator's body");
    let head =
        format!("HTTP/1.1 {status} OK\r\ncontent-type: text/plain; charset=UTF-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", answer.len());
    let _ = socket.write_all(head.as_bytes()).await;
    let _ = socket.write_all(&answer).await;
}

/// Starts the binary and reads its base URL from the "listening on" line. The caller waits for the child.
#[allow(clippy::zombie_processes)]
fn start_server(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN).args(args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            let status = child.wait();
            panic!("the server exited before listening: {status:?}");
        }
        if let Some(base) = line.trim().strip_prefix("amazon-pay-server listening on ") {
            let base = base.to_owned();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in reader.lines() {});
            return (child, base);
        }
    }
}

async fn eventually<T>(what: &str, secs: u64, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_an_order_placement_lets_it_finish_once_and_exits_0() {
    let upstream = support::start().await;
    let proxy = HoldingProxy::start(upstream.url("/sandbox/payone/post-gateway/"), "request=preauthorization").await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut child, base) = start_server(&[
        "--sandbox",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.path().to_str().expect("utf-8 path"),
        "--payone-endpoint",
        &proxy.url,
        "--payone-notify-url",
        "",
        "--shutdown-drain-ms",
        "1500",
    ]);
    let http = reqwest::Client::new();
    assert_eq!(http.get(format!("{base}/readyz")).send().await.expect("readyz").status(), 200, "ready before the signal");

    let created = http
        .post(format!("{base}/api/cv2/sessions"))
        .json(&serde_json::json!({"items": [{"sku": "mug", "quantity": 2}], "language": "en"}))
        .send()
        .await
        .expect("create session");
    assert_eq!(created.status(), 200);
    let workorder = created.json::<ButtonConfig>().await.expect("a button configuration").workorder_id;
    upstream.choose(&workorder, "anna", "anna-home", "visa-1111");

    let place = {
        let http = http.clone();
        let url = format!("{base}/api/cv2/sessions/{workorder}/orders");
        let body = PlaceOrderRequest { idempotency_key: "shutdown-test-1".to_owned(), language: Language::En, phone: None };
        tokio::spawn(async move { http.post(url).json(&body).send().await })
    };
    eventually("the placement to reach PAYONE", 20, async || proxy.held.load(Ordering::SeqCst).then_some(())).await;

    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
    assert!(killed.success());
    let readyz = format!("{base}/readyz");
    let reason = eventually("/readyz to answer 503", 10, async || {
        let response = http.get(&readyz).send().await.ok()?;
        (response.status() == 503).then_some(response)
    })
    .await;
    assert!(reason.text().await.expect("a body").contains("shutting down"));

    proxy.release.notify_one();
    let placed = place.await.expect("the task ran").expect("the buyer's request is answered, not cut");
    assert_eq!(placed.status(), 200, "{:?}", placed.text().await);

    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "exit status {status:?}");

    let db = rusqlite::Connection::open(dir.path().join("amazon-pay.sqlite")).expect("the store opens");
    let orders: i64 = db.query_row("SELECT count(*) FROM orders WHERE workorder_id = ?1", [&workorder], |r| r.get(0)).expect("count");
    assert_eq!(orders, 1, "the order is stored once");
    let state: String = db.query_row("SELECT state FROM orders WHERE workorder_id = ?1", [&workorder], |r| r.get(0)).expect("state");
    assert!(matches!(state.as_str(), "redirected" | "approved" | "pending" | "paid"), "the placement's outcome was stored before the exit: {state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_still_running_at_the_deadline_is_cut_and_the_exit_says_so() {
    let upstream = support::start().await;
    let proxy = HoldingProxy::start(upstream.url("/sandbox/payone/post-gateway/"), "request=preauthorization").await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (mut child, base) = start_server(&[
        "--sandbox",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        dir.path().to_str().expect("utf-8 path"),
        "--payone-endpoint",
        &proxy.url,
        "--payone-notify-url",
        "",
        "--shutdown-timeout-ms",
        "300",
    ]);
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{base}/api/cv2/sessions"))
        .json(&serde_json::json!({"items": [{"sku": "mug", "quantity": 1}], "language": "en"}))
        .send()
        .await
        .expect("create session");
    let workorder = created.json::<ButtonConfig>().await.expect("a button configuration").workorder_id;
    upstream.choose(&workorder, "anna", "anna-home", "visa-1111");
    let place = {
        let url = format!("{base}/api/cv2/sessions/{workorder}/orders");
        let body = PlaceOrderRequest { idempotency_key: "shutdown-test-2".to_owned(), language: Language::En, phone: None };
        tokio::spawn(async move { http.post(url).json(&body).send().await })
    };
    eventually("the placement to reach PAYONE", 20, async || proxy.held.load(Ordering::SeqCst).then_some(())).await;
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().expect("kill runs").success());

    // Never released: the server gives up after its deadline instead of hanging, and says so.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit at its deadline");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(status.code(), Some(1), "cut-off requests are not a clean exit");
    assert!(place.await.expect("the task ran").is_err(), "the held request was cut");
    proxy.release.notify_one();
}
