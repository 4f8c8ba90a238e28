//! Shared by the reliability tests (upstream faults, hostile input, double actions, load): a sandbox server on
//! a free loopback port, a Checkout v2 checkout driven to the review page, a look into the store's database
//! (the SQLite file, or PostgreSQL with `AMAZON_PAY_TEST_SERVER_STORE=postgres`), and [`FaultyUpstream`], a stand-in for PAYONE or CheckoutChamp that passes requests on to the
//! sandbox's simulators except the ones it is told to break.
#![allow(dead_code)]

pub(crate) mod amazon_live;
pub(crate) mod captured_log;
pub(crate) mod pg;
pub(crate) mod process;
pub(crate) mod prometheus;

use amazon_pay_contract::cv2::{ButtonConfig, PlaceOrderRequest};
use amazon_pay_contract::{ApiError, ErrorCode, Language};
use amazon_pay_server::app::{AppState, Server};
use amazon_pay_server::config::Config;
use amazon_pay_server::sandbox::Sandbox;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A running sandbox server and what it keeps.
pub(crate) struct Env {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    /// The PostgreSQL database the server stores in (`AMAZON_PAY_TEST_SERVER_STORE=postgres`), if not SQLite.
    pub pg_url: Option<String>,
}

/// The same tests on PostgreSQL: with `AMAZON_PAY_TEST_SERVER_STORE=postgres` (scripts/test runs some so),
/// points `config` at a fresh database and returns its URL; `None` leaves SQLite.
pub(crate) async fn test_store(config: &mut Config) -> Option<String> {
    let url = match std::env::var("AMAZON_PAY_TEST_SERVER_STORE").as_deref() {
        Ok("postgres") => pg::fresh_database(&pg::base_url().unwrap_or_else(|| panic!("{}", pg::HOW))).await,
        _ => return None,
    };
    config.database_url = url.parse().expect("a PostgreSQL URL");
    Some(url)
}

pub(crate) async fn start() -> Env {
    start_with(|_| {}).await
}

/// A sandbox server whose configuration `adjust` may change first (endpoints, timeouts, origins).
pub(crate) async fn start_with(adjust: impl FnOnce(&mut Config)) -> Env {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = Config::sandbox_for_tests(dir.path().to_owned());
    // No notification retries linger after a test: the receiver is this server, which is up.
    config.sandbox_timings.settle_delay = Duration::from_millis(50);
    let pg_url = test_store(&mut config).await;
    adjust(&mut config);
    let (base, state) = Server::bind(config).await.expect("the server binds").spawn();
    Env { base, state, http: reqwest::Client::new(), dir, pg_url }
}

impl Env {
    pub(crate) fn sandbox(&self) -> &Sandbox {
        self.state.sandbox.as_ref().expect("sandbox mode")
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http.post(self.url(path)).json(body).send().await.expect("the server answers")
    }

    /// `POST /api/cv2/sessions` for two mugs; the button configuration.
    pub(crate) async fn create_session(&self) -> ButtonConfig {
        let response = self.post_json("/api/cv2/sessions", &serde_json::json!({"items": [{"sku": "mug", "quantity": 2}], "language": "en"})).await;
        assert_eq!(response.status(), 200, "create session");
        response.json().await.expect("a button configuration")
    }

    /// What the fake hosted pages do when the buyer picks an account, address and instrument.
    pub(crate) fn choose(&self, workorder: &str, buyer: &str, address: &str, instrument: &str) {
        let session = self.sandbox().payone.workorder(workorder).expect("the simulator knows the workorder").amazon_checkout_session_id;
        self.sandbox().amazon.select(&session, buyer, address, instrument).expect("a valid sandbox choice");
    }

    /// A checkout whose buyer (Anna, at home) chose `instrument`: the state the review page starts from.
    pub(crate) async fn checkout(&self, instrument: &str) -> String {
        let config = self.create_session().await;
        self.choose(&config.workorder_id, "anna", "anna-home", instrument);
        config.workorder_id
    }

    /// `POST /api/cv2/sessions/{workorder}/orders` with `key`.
    pub(crate) async fn place(&self, workorder: &str, key: &str, language: Language) -> reqwest::Response {
        let body = PlaceOrderRequest { idempotency_key: key.to_owned(), language, phone: None };
        self.http.post(self.url(&format!("/api/cv2/sessions/{workorder}/orders"))).json(&body).send().await.expect("the server answers")
    }

    /// A CV2 order of two mugs placed with `key` (`visa-1111`), back from Amazon's pages and settled in one of
    /// `states` (`Approved`; `Paid` too when PAYONE captures at the authorization); its id and PAYONE txid.
    pub(crate) async fn authorized_order(&self, key: &str, states: &[amazon_pay_contract::orders::OrderState]) -> (String, String) {
        use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderResponse};
        let workorder = self.checkout("visa-1111").await;
        let placed: PlaceOrderResponse = self.place(&workorder, key, Language::En).await.json().await.unwrap();
        assert!(matches!(placed.outcome, PlaceOrderOutcome::Redirect { .. }), "{placed:?}");
        let txid = self.state.store.order(&placed.order_id).unwrap().unwrap().txid.unwrap();
        self.sandbox().payone.finish_redirect(&txid, amazon_pay_server::sandbox::MfaOutcome::NotAsked).await.unwrap();
        let id = placed.order_id.clone();
        eventually("the order is approved", 10, || states.contains(&self.state.store.order(&id).unwrap().unwrap().state).then_some(())).await;
        (placed.order_id, txid)
    }

    /// How many calls of `action` the backend recorded, whatever their outcome.
    pub(crate) fn upstream(&self, action: &str) -> Vec<String> {
        self.state
            .store
            .upstream_calls()
            .expect("the store reads")
            .into_iter()
            .filter(|(_, a, _)| a == action)
            .map(|(_, _, outcome)| outcome)
            .collect()
    }

    /// A second, read-only connection to the server's SQLite file, for counts the store has no method for.
    pub(crate) fn db(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open_with_flags(self.dir.path().join("amazon-pay.sqlite"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("the store's file opens");
        conn.busy_timeout(Duration::from_secs(5)).expect("busy timeout");
        conn
    }

    /// One number from the store, e.g. `SELECT count(*) FROM checkouts`.
    pub(crate) fn count(&self, sql: &str) -> i64 {
        store_count(self.dir.path(), self.pg_url.as_deref(), sql)
    }

    /// The first column (text) of every row of `sql`, from the store whichever database it is in.
    pub(crate) fn texts(&self, sql: &str) -> Vec<String> {
        store_texts(self.dir.path(), self.pg_url.as_deref(), sql)
    }

    /// Runs `sql` on the store's database behind the server's back (to break it on purpose).
    pub(crate) fn execute(&self, sql: &str) {
        if let Some(url) = &self.pg_url {
            return pg::execute(url, sql);
        }
        let db = rusqlite::Connection::open(self.dir.path().join("amazon-pay.sqlite")).expect("the store's file opens");
        db.execute_batch(sql).expect("the statement runs");
    }
}

/// A read-only connection to the SQLite store under `dir`.
fn sqlite_file(dir: &std::path::Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_with_flags(dir.join("amazon-pay.sqlite"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("the store's file opens");
    conn.busy_timeout(Duration::from_secs(5)).expect("busy timeout");
    conn
}

/// One number from the store: PostgreSQL at `pg_url`, else the SQLite file under `dir` (for tests with their
/// own `Env`).
pub(crate) fn store_count(dir: &std::path::Path, pg_url: Option<&str>, sql: &str) -> i64 {
    match pg_url {
        Some(url) => pg::count(url, sql),
        None => sqlite_file(dir).query_row(sql, [], |r| r.get(0)).expect("the query runs"),
    }
}

/// The first column (text) of every row of `sql`: PostgreSQL at `pg_url`, else the SQLite file under `dir`.
pub(crate) fn store_texts(dir: &std::path::Path, pg_url: Option<&str>, sql: &str) -> Vec<String> {
    match pg_url {
        Some(url) => pg::texts(url, sql),
        None => {
            let db = sqlite_file(dir);
            let mut stmt = db.prepare(sql).expect("the query parses");
            stmt.query_map([], |r| r.get(0)).expect("the query runs").map(|r| r.expect("a text")).collect()
        }
    }
}

/// Checks an API error: status, code, and the buyer's sentence in `language`.
pub(crate) async fn expect_error(response: reqwest::Response, status: u16, code: ErrorCode, language: Language) -> ApiError {
    assert_eq!(response.status(), status, "HTTP status");
    let err: ApiError = response.json().await.expect("the API's error body");
    assert_eq!(err.code, code, "{err:?}");
    assert_eq!(err.message, code.buyer_message(language), "the buyer's sentence in their language");
    assert!(!err.message.is_empty());
    err
}

/// Polls `probe` until it yields, failing after `secs` (no fixed sleeps).
pub(crate) async fn eventually<T>(what: &str, secs: u64, probe: impl FnMut() -> Option<T>) -> T {
    eventually_or(what, secs, probe, String::new).await
}

/// [`eventually`], saying what `state` finds when it times out (what was seen instead).
pub(crate) async fn eventually_or<T>(what: &str, secs: u64, mut probe: impl FnMut() -> Option<T>, state: impl FnOnce() -> String) -> T {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = probe() {
            return value;
        }
        if Instant::now() >= deadline {
            panic!("timed out waiting for {what} {}", state());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// How [`FaultyUpstream`] treats a request that matches its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// HTTP 500 with an HTML error page.
    Status500,
    /// HTTP 503 with an empty body.
    Status503,
    /// HTTP 403 with a short text: something in front of the upstream refused the request.
    Status403,
    /// The connection is closed once the request is read, without a byte of answer.
    Close,
    /// Headers promise 1000 bytes; 20 arrive, then the connection closes.
    Truncate,
    /// Nothing is answered; the connection is held until the client gives up.
    Hang,
    /// HTTP 200 with an HTML page instead of the protocol's answer.
    Garbage,
    /// Passed on to the simulator, which acts on it; its answer is lost (the connection closes).
    LoseAnswer,
    /// Passed on to the simulator, which acts on it; its answer is held until the client gives up (its timeout).
    LateAnswer,
    /// Passed on to the simulator, which acts on it; its answer is replaced by [`Fault::Status500`]'s page.
    Acted500,
    /// Passed on to the simulator, which acts on it; its answer is replaced by [`Fault::Garbage`]'s page.
    ActedGarbage,
    /// HTTP 200 with this body instead of the simulator's answer (a spoofed or compromised upstream).
    Answer(&'static str),
}

#[derive(Default)]
struct Shared {
    /// Base URL (`http://127.0.0.1:PORT`) requests that pass are forwarded to, path kept.
    target: Mutex<String>,
    /// A request whose path and body contain the needle gets the fault.
    rule: Mutex<Option<(String, Fault)>>,
    faulted: AtomicUsize,
    passed: AtomicUsize,
    /// One client for every forwarded request: building one (native-tls loads the system's certificates) took
    /// long enough under load to run into the short upstream timeouts some tests set.
    http: reqwest::Client,
}

/// A fake upstream on 127.0.0.1:0 speaking just enough HTTP/1.1: it forwards to the sandbox's simulator, except
/// requests matching its rule, which get a fault. One connection per request (`Connection: close`).
#[derive(Clone)]
pub(crate) struct FaultyUpstream {
    /// `http://127.0.0.1:PORT` (append the upstream's usual path).
    pub base: String,
    shared: Arc<Shared>,
}

impl FaultyUpstream {
    pub(crate) async fn start() -> FaultyUpstream {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free loopback port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let shared = Arc::new(Shared::default());
        let accept = shared.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(handle(socket, accept.clone()));
            }
        });
        FaultyUpstream { base, shared }
    }

    /// Where passing requests go (the server under test, once it is bound).
    pub(crate) fn forward_to(&self, base: &str) {
        *self.shared.target.lock().unwrap_or_else(|p| p.into_inner()) = base.trim_end_matches('/').to_owned();
    }

    /// Requests containing `needle` (in the path or the form body) get `fault` from now on.
    pub(crate) fn break_on(&self, needle: &str, fault: Fault) {
        *self.shared.rule.lock().unwrap_or_else(|p| p.into_inner()) = Some((needle.to_owned(), fault));
    }

    /// Everything passes again.
    pub(crate) fn heal(&self) {
        *self.shared.rule.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub(crate) fn faulted(&self) -> usize {
        self.shared.faulted.load(Ordering::SeqCst)
    }
}

/// [`Fault::Status500`]'s body.
const ERROR_PAGE: &[u8] = b"<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>";

/// [`Fault::Garbage`]'s body.
const GARBAGE_PAGE: &[u8] = b"<!DOCTYPE html><html><body><p>Bad gateway: the proxy could not reach the backend</p></body></html>";

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn handle(mut socket: TcpStream, shared: Arc<Shared>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let length: usize = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = buf[head_end..head_end + length].to_vec();
    let fault = {
        let rule = shared.rule.lock().unwrap_or_else(|p| p.into_inner());
        let text = format!("{path}\n{}", String::from_utf8_lossy(&body));
        rule.as_ref().filter(|(needle, _)| text.contains(needle.as_str())).map(|(_, f)| *f)
    };
    if matches!(fault, None | Some(Fault::LoseAnswer | Fault::LateAnswer | Fault::Acted500 | Fault::ActedGarbage)) {
        shared.passed.fetch_add(1, Ordering::SeqCst);
        let target = format!("{}{path}", shared.target.lock().unwrap_or_else(|p| p.into_inner()));
        let (status, content_type, answer) =
            match shared.http.post(&target).header("content-type", "application/x-www-form-urlencoded").body(body).send().await {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("text/plain").to_owned();
                    (status, ct, r.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
                }
                Err(e) => (502, "text/plain".to_owned(), e.to_string().into_bytes()),
            };
        if fault == Some(Fault::LoseAnswer) {
            shared.faulted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
            return;
        }
        if fault == Some(Fault::LateAnswer) {
            shared.faulted.fetch_add(1, Ordering::SeqCst);
            hold(&mut socket).await;
            let _ = write_answer(&mut socket, status, &content_type, &answer).await;
            return;
        }
        if fault == Some(Fault::Acted500) {
            shared.faulted.fetch_add(1, Ordering::SeqCst);
            let _ = write_answer(&mut socket, 500, "text/html", ERROR_PAGE).await;
            return;
        }
        if fault == Some(Fault::ActedGarbage) {
            shared.faulted.fetch_add(1, Ordering::SeqCst);
            let _ = write_answer(&mut socket, 200, "text/html", GARBAGE_PAGE).await;
            return;
        }
        let _ = write_answer(&mut socket, status, &content_type, &answer).await;
        return;
    }
    let Some(fault) = fault else { return };
    shared.faulted.fetch_add(1, Ordering::SeqCst);
    match fault {
        Fault::Status500 => {
            let _ = write_answer(&mut socket, 500, "text/html", ERROR_PAGE).await;
        }
        Fault::Status503 => {
            let _ = write_answer(&mut socket, 503, "text/plain", b"").await;
        }
        Fault::Status403 => {
            let _ = write_answer(&mut socket, 403, "text/plain", b"Forbidden").await;
        }
        Fault::Garbage => {
            let _ = write_answer(&mut socket, 200, "text/html", GARBAGE_PAGE).await;
        }
        Fault::Close => drop(socket),
        Fault::Truncate => {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\nconnection: close\r\n\r\nstatus=APPROVED\ntxid=";
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.flush().await;
            drop(socket);
        }
        Fault::LoseAnswer | Fault::LateAnswer | Fault::Acted500 | Fault::ActedGarbage => {}
        Fault::Answer(body) => {
            let _ = write_answer(&mut socket, 200, "text/plain", body.as_bytes()).await;
        }
        Fault::Hang => hold(&mut socket).await,
    }
}

/// Holds the connection until the client hangs up (its timeout), at most half a minute.
async fn hold(socket: &mut TcpStream) {
    let mut chunk = [0u8; 512];
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(n) = socket.read(&mut chunk).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

async fn write_answer(socket: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Other",
    };
    let head = format!("HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
    socket.write_all(head.as_bytes()).await?;
    socket.write_all(body).await?;
    socket.flush().await
}

/// Polls every future at once until all are done (a small `join_all`, without the futures crate).
pub(crate) async fn join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, fut) in done.iter_mut().zip(pinned.iter_mut()) {
            if slot.is_none() {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    done.into_iter().flatten().collect()
}

/// A server whose PAYONE calls go through `upstream` (timeout 400 ms).
pub(crate) async fn payone_behind(upstream: &FaultyUpstream) -> Env {
    let endpoint = format!("{}/sandbox/payone/post-gateway/", upstream.base);
    let env = start_with(|config| {
        config.payone.endpoint = Some(endpoint);
        config.payone_timeout = Duration::from_millis(400);
    })
    .await;
    upstream.forward_to(&env.base);
    env
}
