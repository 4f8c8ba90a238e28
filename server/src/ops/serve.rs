//! The listening loop: hyper's HTTP/1 server on each accepted connection, as `axum::serve` does, plus time limits
//! on slow clients. `axum::serve` gives hyper no timer, so hyper's own timeout never runs there: a client that
//! sends its headers a byte at a time (slowloris) held its connection, and a file descriptor, for as long as it
//! liked. Here a connection that has not sent a whole request head within `--header-read-timeout-ms` is closed;
//! a body not whole within `--body-read-timeout-ms` fails to read, and the router's layer answers `408`
//! (`ops/body_deadline.rs`; every router served here has it); and a connection
//! whose answer makes no progress for `--response-write-timeout-ms` (the client reads nothing), or has not
//! caught up with it within `--response-write-deadline-ms` (it reads a little now and then), is closed
//! (`ops/write_stall.rs`).
//!
//! Kept from `axum::serve`: TCP_NODELAY on every connection, the peer's address for handlers
//! (`ConnectInfo<SocketAddr>`), and the graceful shutdown: once `shutdown` completes no connection is accepted,
//! every connection finishes its request in flight and closes, and the loop returns when the last one has.
//!
//! Both listeners use it: the server's own ([`crate::ops::listener::Closable`]) and `--metrics-listen`'s, which
//! is as reachable by a slow client inside the network as the public one is from outside.

use super::body_deadline;
use super::write_stall::WriteStall;
use crate::telemetry::OpsArgs;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::serve::Listener;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tower::{Service, ServiceExt};

/// How long a client may take over each part of a request and its answer.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// To send a request's headers (`--header-read-timeout-ms`).
    pub header_read: Duration,
    /// To send a request's whole body, from the end of its headers (`--body-read-timeout-ms`).
    pub body_read: Duration,
    /// Without reading any of its answer (`--response-write-timeout-ms`).
    pub response_write: Duration,
    /// Not keeping up with its answer, however little it reads (`--response-write-deadline-ms`).
    pub response_backlog: Duration,
}

impl Timeouts {
    /// The operator's settings.
    pub fn of(ops: &OpsArgs) -> Timeouts {
        Timeouts {
            header_read: Duration::from_millis(ops.header_read_timeout_ms),
            body_read: Duration::from_millis(ops.body_read_timeout_ms),
            response_write: Duration::from_millis(ops.response_write_timeout_ms),
            response_backlog: Duration::from_millis(ops.response_write_deadline_ms),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` completes and the connections then open have finished.
pub async fn serve<L>(mut listener: L, app: Router, timeouts: Timeouts, shutdown: impl Future<Output = ()>)
where
    L: Listener<Io = TcpStream, Addr = SocketAddr>,
{
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    // Each connection holds a receiver of `shutting_down` (dropping the sender tells them) and a receiver of
    // `open` (the sender's `closed()` resolves when the last connection has ended).
    let (shutting_down, shutdown_seen) = watch::channel(());
    let (open, connection_handle) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        serve_connection(&mut make_service, tcp, remote, timeouts, shutdown_seen.clone(), connection_handle.clone()).await;
    }
    drop(listener);
    drop(shutdown_seen);
    drop(connection_handle);
    tracing::debug!(connections = open.receiver_count(), "shutdown: waiting for open connections");
    drop(shutting_down);
    open.closed().await;
}

/// Spawns the task that serves one connection.
async fn serve_connection(
    make_service: &mut IntoMakeServiceWithConnectInfo<Router, SocketAddr>,
    tcp: TcpStream,
    remote: SocketAddr,
    timeouts: Timeouts,
    mut shutdown_seen: watch::Receiver<()>,
    connection_handle: watch::Receiver<()>,
) {
    // TCP_NODELAY: a response is written as headers and then its body; with Nagle's algorithm the body waits
    // for the client's delayed ACK of the headers, 40 ms on every static file of a fresh connection.
    if let Err(err) = tcp.set_nodelay(true) {
        tracing::warn!(%err, "cannot set TCP_NODELAY; responses may wait for delayed ACKs");
    }
    let service = make_service.call(remote).await.unwrap_or_else(|never: Infallible| match never {});
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        // The `408` for a body cut off is the router's layer's (`body_deadline::replace`), inside the request
        // id's and the metrics' layers, so they count it.
        service.clone().oneshot(body_deadline::limit(request, timeouts.body_read))
    });
    tokio::spawn(async move {
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(timeouts.header_read);
        let io = TokioIo::new(WriteStall::new(tcp, timeouts.response_write, timeouts.response_backlog));
        let mut connection = std::pin::pin!(builder.serve_connection(io, service).with_upgrades());
        let mut told = false;
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(err) = served {
                        // A header-read or write timeout, a client that went away, a malformed request: the client's doing.
                        tracing::debug!(%err, %remote, "connection ended");
                    }
                    break;
                }
                changed = shutdown_seen.changed(), if !told => {
                    // Only a closed sender ends `changed()` with an error: the server is shutting down.
                    if changed.is_err() {
                        told = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
        }
        drop(connection_handle);
    });
}
