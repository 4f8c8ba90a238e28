//! Slow clients without a proxy in front (slowloris): a connection that does not send a whole request head
//! within `--header-read-timeout-ms` is closed, however it trickles, while other clients are served as usual.
#![cfg(feature = "sandbox")]

mod support;

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The timeout these tests configure: short, so the test is fast; the default is 10 s.
const TIMEOUT: Duration = Duration::from_millis(300);

/// Longer than any server could need to close after [`TIMEOUT`]: the test fails, not hangs, without the limit.
const DEADLINE: Duration = Duration::from_secs(5);

async fn server() -> support::Env {
    support::start_with(|config| config.ops.header_read_timeout_ms = TIMEOUT.as_millis() as u64).await
}

fn addr(env: &support::Env) -> String {
    env.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (or resets it); `None` when it is still open at [`DEADLINE`].
async fn closed_by_server(tcp: &mut TcpStream) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(DEADLINE, async {
        let mut buf = [0u8; 1024];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| received)
}

/// A client that opens a connection per request. A pooled one would reuse its idle connection from the last
/// check, which the server closes once it has been idle for [`TIMEOUT`], the moment these tests ask again.
/// Sends `bytes` one every 40 ms (the pace is the test: a client that keeps each byte inside any per-read
/// timeout) until the server closes the connection or `DEADLINE` passes; how many it sent.
async fn trickle(tcp: &mut TcpStream, bytes: &[u8]) -> usize {
    let started = Instant::now();
    let mut sent = 0;
    for byte in bytes {
        if tcp.write_all(&[*byte]).await.is_err() {
            break;
        }
        sent += 1;
        tokio::time::sleep(Duration::from_millis(40)).await;
        if started.elapsed() > DEADLINE {
            break;
        }
    }
    sent
}

fn unpooled() -> reqwest::Client {
    reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("a client")
}

async fn healthz_answers(env: &support::Env) {
    let response = unpooled().get(env.url("/healthz")).send().await.expect("a normal request is served");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn half_a_request_line_is_cut_off_after_the_timeout_while_others_are_served() {
    let env = server().await;
    let mut slow = TcpStream::connect(addr(&env)).await.unwrap();
    slow.write_all(b"GET /healthz HT").await.unwrap();
    let started = Instant::now();
    // While it waits, everyone else is served.
    healthz_answers(&env).await;
    let received = closed_by_server(&mut slow).await.expect("the server closes a connection whose headers never come");
    let waited = started.elapsed();
    assert!(waited >= TIMEOUT - Duration::from_millis(50), "not before the timeout: {waited:?}");
    assert!(!String::from_utf8_lossy(&received).contains("200 OK"), "no answer to half a request: {received:?}");
    healthz_answers(&env).await;
}

#[tokio::test]
async fn headers_trickled_a_byte_at_a_time_do_not_keep_the_connection() {
    let env = server().await;
    let mut slow = TcpStream::connect(addr(&env)).await.unwrap();
    let request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: a-very-slow-client\r\nAccept: */*\r\n\r\n";
    // The whole head would take about 3.5 s, each byte well inside the timeout.
    let sent = trickle(&mut slow, request).await;
    assert!(sent < request.len(), "the server closed the connection before the head was complete ({sent} bytes sent)");
    let received = closed_by_server(&mut slow).await.expect("closed");
    assert!(!String::from_utf8_lossy(&received).contains("200 OK"), "{received:?}");
    healthz_answers(&env).await;
}

/// Requests sent at once are answered one after another on one connection; once idle for the timeout, the
/// connection is closed (a balancer's idle keep-alive must be shorter: docs/operations.md).
#[tokio::test]
async fn a_request_sent_at_once_on_a_kept_alive_connection_is_answered() {
    let env = server().await;
    let mut tcp = TcpStream::connect(addr(&env)).await.unwrap();
    for _ in 0..2 {
        tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(DEADLINE, tcp.read(&mut buf)).await.expect("an answer").unwrap();
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(answer.starts_with("HTTP/1.1 200 OK") && answer.ends_with("ok"), "{answer}");
    }
    let idle = Instant::now();
    assert_eq!(closed_by_server(&mut tcp).await, Some(Vec::new()), "an idle connection is closed, without an answer");
    assert!(idle.elapsed() >= TIMEOUT - Duration::from_millis(50), "{:?}", idle.elapsed());
}

/// `--metrics-listen` is served the same way: half a request line there is cut off after the timeout too (it was
/// `axum::serve`, with no timeout at all), while a scrape is answered before and after.
#[tokio::test]
async fn the_metrics_listener_cuts_off_slow_clients_too() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = amazon_pay_server::config::Config::sandbox_for_tests(dir.path().to_owned());
    config.ops.header_read_timeout_ms = TIMEOUT.as_millis() as u64;
    config.ops.metrics_listen = Some("127.0.0.1:0".parse().expect("an address"));
    let pg_url = support::test_store(&mut config).await;
    let server = amazon_pay_server::app::Server::bind(config).await.expect("binds");
    let metrics = server.metrics_addr().expect("metrics are on");
    let (base, state) = server.spawn();
    let env = support::Env { base, state, http: reqwest::Client::new(), dir, pg_url };
    let scrape = || async {
        let response = unpooled().get(format!("http://{metrics}/metrics")).send().await.expect("a scrape is served");
        assert_eq!(response.status(), 200);
        assert!(response.text().await.expect("a body").ends_with("# EOF\n"), "the OpenMetrics text, whole");
    };

    let mut slow = TcpStream::connect(metrics).await.expect("connects");
    slow.write_all(b"GET /metrics HT").await.expect("written");
    let started = Instant::now();
    scrape().await;
    let received = closed_by_server(&mut slow).await.expect("the metrics listener closes a connection whose headers never come");
    let waited = started.elapsed();
    assert!(waited >= TIMEOUT - Duration::from_millis(50), "not before the timeout: {waited:?}");
    assert!(!String::from_utf8_lossy(&received).contains("200 OK"), "no answer to half a request: {received:?}");
    scrape().await;
    healthz_answers(&env).await;
}

/// A server whose body-read (or response-write) limit is [`TIMEOUT`]; the header limit stays at its 10 s, so
/// what cuts a connection off here is the limit under test.
async fn server_with(adjust: impl FnOnce(&mut amazon_pay_server::telemetry::OpsArgs)) -> support::Env {
    support::start_with(|config| adjust(&mut config.ops)).await
}

/// The head of a JSON POST to the buyer API announcing a body of `length` bytes.
fn post_head(length: usize) -> String {
    format!("POST /api/cv2/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n")
}

/// Half a body, then nothing: answered `408` and closed after `--body-read-timeout-ms` (before, the connection
/// and its task waited for the rest for ever), while others are served.
#[tokio::test]
async fn half_a_body_is_answered_408_and_cut_off_after_the_timeout() {
    let env = server_with(|ops| ops.body_read_timeout_ms = TIMEOUT.as_millis() as u64).await;
    let mut slow = TcpStream::connect(addr(&env)).await.unwrap();
    let body = br#"{"items":[{"sku":"mug","quantity":1}],"language":"en"}"#;
    slow.write_all(post_head(body.len()).as_bytes()).await.unwrap();
    slow.write_all(&body[..10]).await.unwrap();
    let started = Instant::now();
    healthz_answers(&env).await;
    let received = closed_by_server(&mut slow).await.expect("the server closes a connection whose body never comes");
    let waited = started.elapsed();
    assert!(waited >= TIMEOUT - Duration::from_millis(50), "not before the timeout: {waited:?}");
    let answer = String::from_utf8_lossy(&received);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("x-request-id: "), "the request's id is kept for the logs: {answer}");
    assert!(env.state.store.upstream_calls().unwrap().is_empty(), "nothing reached PAYONE");
    healthz_answers(&env).await;
}

/// PAYONE's TransactionStatus whose body stops half way: `408`, never `TSOK` (PAYONE would take a `TSOK` for a
/// notification stored and never send it again), nothing stored, whatever the receiver made of the failed read.
#[tokio::test]
async fn a_transaction_status_whose_body_runs_out_of_time_is_answered_408_never_tsok() {
    let env = server_with(|ops| ops.body_read_timeout_ms = TIMEOUT.as_millis() as u64).await;
    let mut slow = TcpStream::connect(addr(&env)).await.unwrap();
    let body = b"txaction=paid&txid=300000777&portalid=2000000&aid=10001&mode=test&key=0123456789abcdef&price=9.90&currency=EUR";
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        amazon_pay_contract::routes::PAYONE_TRANSACTION_STATUS,
        body.len()
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(&body[..40]).await.unwrap();
    let received = closed_by_server(&mut slow).await.expect("the server closes a connection whose body never comes");
    let answer = String::from_utf8_lossy(&received);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(!answer.contains("TSOK"), "{answer}");
    assert!(env.state.store.notifications_for_txid("300000777").unwrap().is_empty(), "nothing stored");
    healthz_answers(&env).await;
}

/// A body trickled a byte at a time, each byte well within the limit, is cut off once the whole body's time is
/// up: the limit is on the body, not between bytes.
#[tokio::test]
async fn a_body_trickled_a_byte_at_a_time_is_cut_off() {
    let env = server_with(|ops| ops.body_read_timeout_ms = TIMEOUT.as_millis() as u64).await;
    let mut slow = TcpStream::connect(addr(&env)).await.unwrap();
    let body = br#"{"items":[{"sku":"mug","quantity":1}],"language":"en","padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    slow.write_all(post_head(body.len()).as_bytes()).await.unwrap();
    // The body would take about 4 s.
    let sent = trickle(&mut slow, body).await;
    assert!(sent < body.len(), "the server closed the connection before the body was complete ({sent} bytes sent)");
    let received = closed_by_server(&mut slow).await.expect("closed");
    let answer = String::from_utf8_lossy(&received);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(env.state.store.upstream_calls().unwrap().is_empty(), "nothing reached PAYONE");
    healthz_answers(&env).await;
}

/// A body sent at once is not affected: the session is made as usual with the limit short.
#[tokio::test]
async fn a_body_sent_at_once_is_served_with_a_short_limit() {
    let env = server_with(|ops| ops.body_read_timeout_ms = TIMEOUT.as_millis() as u64).await;
    let body = serde_json::json!({"items": [{"sku": "mug", "quantity": 1}], "language": "en"});
    let response = unpooled().post(env.url("/api/cv2/sessions")).json(&body).send().await.expect("served");
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

/// A client that sends requests and never reads the answers: once writing has made no progress for
/// `--response-write-timeout-ms` the server closes the connection (before, it waited for ever, holding the
/// connection and its buffers), so the client's own writes fail.
#[tokio::test]
async fn a_client_that_never_reads_its_answers_is_cut_off() {
    let env = server_with(|ops| ops.response_write_timeout_ms = TIMEOUT.as_millis() as u64).await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    // A small receive window, so the answers fill it (and the server's send buffer) soon.
    socket.set_recv_buffer_size(4096).unwrap();
    let mut tcp = socket.connect(addr(&env).parse().unwrap()).await.unwrap();
    // Answers of 30 KB each (the sandbox's Widgets.js): a few fill every buffer between the two.
    let requests = b"GET /sandbox/amazon/Widgets.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(64);
    let started = Instant::now();
    let cut = tokio::time::timeout(DEADLINE, async {
        loop {
            if let Err(err) = tcp.write_all(&requests).await {
                return err;
            }
        }
    })
    .await;
    let err = cut.expect("the server cuts off a client that reads nothing (its writes still pending at the deadline)");
    assert!(matches!(err.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe), "{err}");
    assert!(started.elapsed() >= TIMEOUT, "{:?}", started.elapsed());
    healthz_answers(&env).await;
}

/// A client that reads its answers, but a few hundred bytes at a time, each read well within
/// `--response-write-timeout-ms` (10 s here): once it has been behind for `--response-write-deadline-ms` the
/// server closes the connection (before, every read restarted the only clock, so it was served for ever), while
/// a client that reads at once gets the same answers whole.
#[tokio::test]
async fn a_client_that_reads_a_little_at_a_time_is_cut_off_after_the_deadline() {
    let deadline = Duration::from_secs(1);
    let env = server_with(|ops| {
        ops.response_write_timeout_ms = 10_000;
        ops.response_write_deadline_ms = deadline.as_millis() as u64;
    })
    .await;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    // A small receive window, so the answers wait for its reads.
    socket.set_recv_buffer_size(4096).unwrap();
    let mut tcp = socket.connect(addr(&env).parse().unwrap()).await.unwrap();
    // Answers of 30 KB each (the sandbox's Widgets.js), 8 MB in all: more than the sockets' buffers hold (the
    // kernel's send buffer grows to 4 MB), so the server holds the rest.
    tcp.write_all(&b"GET /sandbox/amazon/Widgets.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(256)).await.unwrap();
    let started = Instant::now();
    let mut received = Vec::new();
    let cut = tokio::time::timeout(DEADLINE, async {
        let mut buf = [0u8; 512];
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
            // 5 KB/s: a Widgets.js every 6 s.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    let waited = started.elapsed();
    assert!(cut.is_ok(), "the server cuts off a client that stays behind (it read {} bytes in {waited:?})", received.len());
    assert!(waited >= deadline, "not before the deadline: {waited:?}");
    assert!(String::from_utf8_lossy(&received).starts_with("HTTP/1.1 200 OK"), "it was being answered");
    // At once, the same answer is served whole with the deadline this short.
    let whole = unpooled().get(env.url("/sandbox/amazon/Widgets.js")).send().await.expect("served");
    assert_eq!(whole.status(), 200);
    assert!(whole.bytes().await.expect("the whole body").len() > 20_000);
    healthz_answers(&env).await;
}
