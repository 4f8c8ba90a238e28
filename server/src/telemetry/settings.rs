//! The operator's settings, flattened into the server's `Args` (same flags, environment and `--config` file).

use crate::sender_range::IpRange;
use std::net::SocketAddr;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event, for people.
    Text,
    /// One JSON object per line (with the request's span and id), for log collectors.
    Json,
}

/// Metrics, logs, request ids and shutdown.
#[derive(Debug, Clone, clap::Args)]
pub struct OpsArgs {
    /// Where Prometheus metrics are served (`/metrics`); off unless set. Keep it off the public network.
    #[arg(long, env = "AMAZON_PAY_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// `text` or `json` (one object per line, with the request id).
    #[arg(long, env = "AMAZON_PAY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Comma-separated IP ranges of reverse proxies in front of this server. Only a peer in them is believed
    /// about the request: its `x-request-id` is kept (from anyone else a new id is made) and its `X-Forwarded-For`
    /// (read from the right) names the client's address (CheckoutChamp's `ipAddress`, the TransactionStatus sender).
    /// Empty: the TCP peer is the client.
    #[arg(long, env = "AMAZON_PAY_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpRange>,
    /// On SIGTERM, milliseconds `/readyz` answers 503 while new requests are still taken, so a balancer stops
    /// sending traffic before the listener closes.
    #[arg(long, env = "AMAZON_PAY_SHUTDOWN_DRAIN_MS", default_value_t = 0)]
    pub shutdown_drain_ms: u64,
    /// On SIGTERM, milliseconds requests in flight get to finish once the listener is closed; then the server exits.
    #[arg(long, env = "AMAZON_PAY_SHUTDOWN_TIMEOUT_MS", default_value_t = 30_000)]
    pub shutdown_timeout_ms: u64,
    /// Milliseconds a connection gets to send a request's headers (from its first byte, or from the previous
    /// answer on a kept-alive connection); then it is closed. Stops clients that trickle headers from holding
    /// connections (slowloris). At least 1.
    #[arg(long, env = "AMAZON_PAY_HEADER_READ_TIMEOUT_MS", default_value_t = DEFAULT_HEADER_READ_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_ms: u64,
    /// Milliseconds a request's body gets to arrive whole, from the end of its headers; then the request is
    /// answered `408` and its connection closed. Stops clients that trickle a body from holding a connection and
    /// a task. At least 1.
    #[arg(long, env = "AMAZON_PAY_BODY_READ_TIMEOUT_MS", default_value_t = DEFAULT_BODY_READ_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub body_read_timeout_ms: u64,
    /// Milliseconds writing an answer may make no progress (the client reads nothing); then the connection is
    /// closed. Stops clients that never read their answer from holding a connection and its buffers. At least 1.
    #[arg(long, env = "AMAZON_PAY_RESPONSE_WRITE_TIMEOUT_MS", default_value_t = DEFAULT_RESPONSE_WRITE_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub response_write_timeout_ms: u64,
    /// Milliseconds an answer may wait for a client that does not keep up with it: from the first write that has
    /// to wait until everything the server holds for the client has gone to the network; then the connection is
    /// closed. Stops clients that read a few bytes now and then, each in time for the stall limit above, from
    /// holding a connection and its buffers for ever. At least 1.
    #[arg(long, env = "AMAZON_PAY_RESPONSE_WRITE_DEADLINE_MS", default_value_t = DEFAULT_RESPONSE_WRITE_DEADLINE_MS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub response_write_deadline_ms: u64,
}

/// 10 s: as nginx's advice in docs/operations.md (`client_header_timeout 10s`); a browser sends its headers at once.
pub const DEFAULT_HEADER_READ_TIMEOUT_MS: u64 = 10_000;

/// 10 s: as nginx's advice in docs/operations.md (`client_body_timeout 10s`), but for the whole body (at most
/// 64 KB here), so a body trickled a byte at a time is cut off too.
pub const DEFAULT_BODY_READ_TIMEOUT_MS: u64 = 10_000;

/// 30 s: as nginx's advice in docs/operations.md (`send_timeout 30s`), without progress: a slow phone that reads
/// its answer at all is not cut off.
pub const DEFAULT_RESPONSE_WRITE_TIMEOUT_MS: u64 = 30_000;

/// 60 s: a whole page's bundle (45 KB gzip at most) is out in well under that on a slow phone (1 KB/s takes most
/// of it only when the socket's buffers hold none of it), while a client taking a few bytes every 29 s is cut off.
pub const DEFAULT_RESPONSE_WRITE_DEADLINE_MS: u64 = 60_000;

impl Default for OpsArgs {
    fn default() -> Self {
        OpsArgs {
            metrics_listen: None,
            log_format: LogFormat::Text,
            trusted_proxies: Vec::new(),
            shutdown_drain_ms: 0,
            shutdown_timeout_ms: 30_000,
            header_read_timeout_ms: DEFAULT_HEADER_READ_TIMEOUT_MS,
            body_read_timeout_ms: DEFAULT_BODY_READ_TIMEOUT_MS,
            response_write_timeout_ms: DEFAULT_RESPONSE_WRITE_TIMEOUT_MS,
            response_write_deadline_ms: DEFAULT_RESPONSE_WRITE_DEADLINE_MS,
        }
    }
}
