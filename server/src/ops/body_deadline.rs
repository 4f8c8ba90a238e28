//! A time limit on a request's body (`--body-read-timeout-ms`). Hyper limits how long the headers may take, not
//! the body: a client that announced a body and trickled it, or stopped, held its connection and the task of its
//! handler (waiting in an extractor) for as long as it liked.
//!
//! The limit is on the whole body, counted from the end of the headers: a body trickled a byte at a time, each
//! byte in time, is cut off all the same. When it passes, the handler's read fails, and the answer, whatever the
//! handler made of the failure, becomes `408` with `Connection: close`.
//!
//! Two halves: the accept loop ([`limit`], `ops/serve.rs`) puts the deadline on every request's body, and the
//! router's layer ([`replace`]) makes the `408`, once, inside the request id's and the HTTP metrics' layers
//! (`ops::wrap`), so the request's log line and the metrics count the answer the client got.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Request, Response, StatusCode};
use axum::middleware::Next;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// Why a body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The connection failed or the body was malformed.
    #[error(transparent)]
    Read(#[from] hyper::Error),
    /// The whole body had not arrived within its limit.
    #[error("the request's body did not arrive within --body-read-timeout-ms")]
    TimedOut,
}

/// Set when a request's body ran out of time: its answer is then replaced by [`timed_out`].
#[derive(Clone, Default)]
struct Cut(Arc<AtomicBool>);

impl Cut {
    fn happened(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// `request` with a body that fails once `limit` has passed; the [`Cut`] that tells whether it did goes with it,
/// as an extension for [`replace`]. A request without a body is left as it is (no timer, no allocation).
pub fn limit(request: Request<Incoming>, limit: Duration) -> Request<Body> {
    if http_body::Body::is_end_stream(request.body()) {
        return request.map(Body::new);
    }
    let cut = Cut::default();
    let deadline = Instant::now() + limit;
    let mut request = request.map(|inner| Body::new(Deadline { inner, deadline, sleep: None, cut: cut.clone() }));
    request.extensions_mut().insert(cut);
    request
}

/// The layer: the answer, unless the request's body ran out of time: then `408` and the connection closed (the
/// rest of the body may still be on its way, so the connection cannot be reused). Every router the accept loop
/// serves has it (`ops::wrap` for the app, `ops/metrics_server.rs`): without it a cut-off body gets whatever its
/// handler made of the failed read.
pub async fn replace(request: Request<Body>, next: Next) -> Response<Body> {
    let cut = request.extensions().get::<Cut>().cloned();
    let response = next.run(request).await;
    match cut {
        Some(cut) if cut.happened() => timed_out(),
        _ => response,
    }
}

fn timed_out() -> Response<Body> {
    let mut response = Response::new(Body::from("the request's body did not arrive in time\n"));
    *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// The body of a request, failing at `deadline`. The timer is made only if the body is not there at once.
struct Deadline {
    inner: Incoming,
    deadline: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
    cut: Cut,
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(BodyError::Read)));
        }
        let deadline = self.deadline;
        let sleep = self.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.cut.0.store(true, Ordering::Release);
                Poll::Ready(Some(Err(BodyError::TimedOut)))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
