//! Counts and times every HTTP request by its route template (`/api/cv2/sessions/{workorder}/orders`, never the
//! raw path, so labels stay few) and status: the status the client gets, so a request whose body ran out of
//! time counts as the `408` that replaces its handler's answer (`ops/body_deadline.rs`, the layer inside
//! this one).

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// The middleware.
pub async fn track(request: Request, next: Next) -> Response {
    // Requests no route matched are the page files (or 404s): one label for all of them.
    let route = request.extensions().get::<MatchedPath>().map_or_else(|| "static".to_owned(), |m| m.as_str().to_owned());
    let method = match request.method().as_str() {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => m.to_owned(),
        _ => "other".to_owned(),
    };
    let started = Instant::now();
    let response = next.run(request).await;
    crate::telemetry::metrics::http_request(route, method, response.status().as_u16(), started.elapsed());
    response
}
