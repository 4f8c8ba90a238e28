//! A time limit on writing an answer that makes no progress (`--response-write-timeout-ms`). Hyper has none: a
//! client that sent requests and never read the answers held its connection, and the answers buffered for it,
//! for as long as it liked.
//!
//! The connection's socket is wrapped: a write (or flush) that has waited `limit` without the socket taking a
//! byte fails with `TimedOut`, which ends the connection. Progress restarts the clock, so a slow reader that
//! reads at all is served.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// `inner`, whose writes fail after `limit` without progress.
pub struct WriteStall<T> {
    inner: T,
    limit: Duration,
    /// The stall's timer, made at the first stall and reset at each later one.
    sleep: Option<Pin<Box<Sleep>>>,
    /// Whether a write is waiting now (the timer runs).
    stalled: bool,
}

impl<T> WriteStall<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, limit: Duration) -> WriteStall<T> {
        WriteStall { inner, limit, sleep: None, stalled: false }
    }

    /// What a write that returned `polled` returns: its result once it is ready (the clock stops), else
    /// `Pending` until the socket is ready or the limit has passed since the stall began.
    fn watch<R>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<R>>) -> Poll<io::Result<R>> {
        if polled.is_ready() {
            self.stalled = false;
            return polled;
        }
        if !self.stalled {
            self.stalled = true;
            let deadline = Instant::now() + self.limit;
            match &mut self.sleep {
                Some(sleep) => sleep.as_mut().reset(deadline),
                None => self.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
        }
        match self.sleep.as_mut().map(|s| s.as_mut().poll(cx)) {
            Some(Poll::Ready(())) => {
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client read nothing within --response-write-timeout-ms")))
            }
            _ => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteStall<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteStall<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, polled)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, polled)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, polled)
    }
}
