//! The server's listener, which the shutdown sequence closes itself ([`crate::ops::shutdown::sequence`]): it
//! serves what the kernel has already queued, then closes, while the connections it gave out keep running. hyper's
//! graceful shutdown ([`crate::ops::serve`]) closes every connection that is not in a request at that moment, including one accepted
//! an instant before whose request is not read yet: a balancer that wrote a POST there gets a reset (nginx answers
//! 502 and never resends a POST). Closing the listener first, and telling the connections only a moment later,
//! leaves no such connection: new ones are refused (nothing written: nginx resends those to another instance).

use axum::serve::Listener;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A [`TcpListener`] that stops accepting, and closes, once `stop` is true.
pub struct Closable {
    inner: Option<TcpListener>,
    stop: watch::Receiver<bool>,
}

impl Closable {
    /// `listener`, closed when `stop` turns true.
    pub fn new(listener: TcpListener, stop: watch::Receiver<bool>) -> Closable {
        Closable { inner: Some(listener), stop }
    }
}

impl Listener for Closable {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            let Closable { inner, stop } = self;
            let Some(listener) = inner.as_mut() else { return std::future::pending().await };
            if *stop.borrow_and_update() {
                // The connections the kernel has already completed are served; then the socket closes.
                match tokio::time::timeout(Duration::ZERO, TcpListener::accept(listener)).await {
                    Ok(Ok(accepted)) => return accepted,
                    Ok(Err(_)) | Err(_) => {
                        *inner = None;
                        tracing::info!("shutdown: the listener is closed; new connections are refused");
                        continue;
                    }
                }
            }
            tokio::select! {
                accepted = Listener::accept(listener) => return accepted,
                changed = stop.changed() => {
                    // No sequence left to say when: the server is ending; close now.
                    if changed.is_err() {
                        *inner = None;
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        match &self.inner {
            Some(listener) => listener.local_addr(),
            None => Err(std::io::Error::other("the listener is closed")),
        }
    }
}
