//! The listening loop: hyper's HTTP/1 server on each accepted connection, as `axum::serve` does, plus a
//! header-read timeout. `axum::serve` gives hyper no timer, so hyper's own timeout never runs there: a client that
//! sends its headers a byte at a time (slowloris) held its connection, and a file descriptor, for as long as it
//! liked. Here a connection that has not sent a whole request head within `--header-read-timeout-ms` is closed.
//!
//! Kept from `axum::serve`: TCP_NODELAY on every connection, the peer's address for handlers
//! (`ConnectInfo<SocketAddr>`), and the graceful shutdown: once `shutdown` completes no connection is accepted,
//! every connection finishes its request in flight and closes, and the loop returns when the last one has.
//!
//! Both listeners use it: the server's own ([`crate::ops::listener::Closable`]) and `--metrics-listen`'s, which
//! is as reachable by a slow client inside the network as the public one is from outside.

use axum::body::Body;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::serve::Listener;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tower::{Service, ServiceExt};

/// Serves `app` on `listener` until `shutdown` completes and the connections then open have finished.
pub async fn serve<L>(mut listener: L, app: Router, header_read_timeout: Duration, shutdown: impl Future<Output = ()>)
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
        serve_connection(&mut make_service, tcp, remote, header_read_timeout, shutdown_seen.clone(), connection_handle.clone()).await;
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
    header_read_timeout: Duration,
    mut shutdown_seen: watch::Receiver<()>,
    connection_handle: watch::Receiver<()>,
) {
    // TCP_NODELAY: a response is written as headers and then its body; with Nagle's algorithm the body waits
    // for the client's delayed ACK of the headers, 40 ms on every static file of a fresh connection.
    if let Err(err) = tcp.set_nodelay(true) {
        tracing::warn!(%err, "cannot set TCP_NODELAY; responses may wait for delayed ACKs");
    }
    let service = make_service.call(remote).await.unwrap_or_else(|never: Infallible| match never {});
    let service = TowerToHyperService::new(service.map_request(|request: hyper::Request<Incoming>| request.map(Body::new)));
    tokio::spawn(async move {
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(header_read_timeout);
        let mut connection = std::pin::pin!(builder.serve_connection(TokioIo::new(tcp), service).with_upgrades());
        let mut told = false;
        loop {
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(err) = served {
                        // A header-read timeout, a client that went away, a malformed request: the client's doing.
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
