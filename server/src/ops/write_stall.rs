//! Time limits on writing an answer to a client that does not take it. Hyper has none: a client that sent
//! requests and never read the answers held its connection, and the answers buffered for it, for as long as it
//! liked.
//!
//! The connection's socket is wrapped, with two limits:
//! - a stall (`--response-write-timeout-ms`): a write (or flush) that has waited that long without the socket
//!   taking a byte fails. Progress restarts that clock, as nginx's `send_timeout` does;
//! - a backlog (`--response-write-deadline-ms`): from the first write that has to wait until a flush finds
//!   everything the server holds for the client gone to the network (hyper flushes the socket once its own
//!   buffer is empty), however much trickles out meanwhile. With the stall limit alone, a client reading a few
//!   bytes every 29 s was served for ever; Go's `http.Server` bounds the whole answer (`WriteTimeout`) for this,
//!   but from the request's headers, so the handler's own time counts. Here only the client's does: a handler
//!   waiting on PAYONE writes nothing and makes no backlog, and an answer the socket's buffers take at once has
//!   none either.
//!
//! Either failing fails the write with `TimedOut`, which ends the connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// `inner`, whose writes fail after `stall` without progress or `backlog` without catching up.
pub struct WriteStall<T> {
    inner: T,
    stall: Duration,
    backlog: Duration,
    /// The timer, made at the first wait and set to the nearer of the two limits at each later one.
    sleep: Option<Pin<Box<Sleep>>>,
    /// When the write waiting now began to wait (the stall).
    stalled_since: Option<Instant>,
    /// When the client stopped keeping up (the backlog): until a flush goes through.
    behind_since: Option<Instant>,
}

impl<T> WriteStall<T> {
    /// Wraps `inner`.
    pub fn new(inner: T, stall: Duration, backlog: Duration) -> WriteStall<T> {
        WriteStall { inner, stall, backlog, sleep: None, stalled_since: None, behind_since: None }
    }

    /// What a write that returned `polled` returns: its result once it is ready (the stall's clock stops, and
    /// the backlog's too when `caught_up`: a flush), else `Pending` until the socket is ready or a limit passes.
    fn watch<R>(&mut self, cx: &mut Context<'_>, polled: Poll<io::Result<R>>, caught_up: bool) -> Poll<io::Result<R>> {
        if polled.is_ready() {
            self.stalled_since = None;
            if caught_up {
                self.behind_since = None;
            }
            return polled;
        }
        let now = Instant::now();
        let stall_ends = *self.stalled_since.get_or_insert(now) + self.stall;
        let backlog_ends = *self.behind_since.get_or_insert(now) + self.backlog;
        let deadline = stall_ends.min(backlog_ends);
        match &mut self.sleep {
            Some(sleep) if sleep.deadline() != deadline => sleep.as_mut().reset(deadline),
            Some(_) => {}
            None => self.sleep = Some(Box::pin(tokio::time::sleep_until(deadline))),
        }
        match self.sleep.as_mut().map(|s| s.as_mut().poll(cx)) {
            Some(Poll::Ready(())) if deadline == stall_ends => {
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client read nothing within --response-write-timeout-ms")))
            }
            Some(Poll::Ready(())) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client did not catch up with its answer within --response-write-deadline-ms",
            ))),
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
        self.watch(cx, polled, false)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, polled, false)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, polled, true)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, polled, true)
    }
}
