//! The merchant dashboard's files (`dashboard/`, built by scripts/build-dashboard into `dist/merchant/`),
//! served at `/merchant/` only when merchant API keys are configured, and only to pages of this origin: a
//! strict Content-Security-Policy (no inline code, connections to this origin only, never framed), no CORS
//! header, `Cross-Origin-Resource-Policy: same-origin`. The dashboard signs in with a merchant API key, so
//! nothing here needs a key: the files are code, the orders come from the key-protected API.

use crate::state::AppState;
use axum::extract::Request;
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, get_service};
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Where the dashboard lives.
pub const PATH: &str = "/merchant/";

/// The dashboard's Content-Security-Policy: its own module script and wasm, its stylesheet, calls to this
/// origin's merchant API; nothing inline, no forms posted anywhere, never in a frame.
pub const POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `/merchant` and `/merchant/…` (but not the API under `/merchant/api/`, whose router is merged beside).
pub fn router(state: &AppState) -> Router<AppState> {
    if state.config.merchant.api_keys.is_empty() {
        return Router::new().route("/merchant", any(not_found)).route("/merchant/", any(not_found)).route("/merchant/{*file}", any(not_found));
    }
    // The request path is kept: `/merchant/x` is `dist/merchant/x`; `/merchant/` its index.html.
    let index = state.config.dist_dir.join("merchant").join("index.html");
    if !index.is_file() {
        tracing::warn!("{NOT_BUILT}");
    }
    let files = ServeDir::new(&state.config.dist_dir)
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(axum::handler::HandlerWithoutStateExt::into_service(move || not_built(index.clone())));
    let header = |name: HeaderName, value: &'static str| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    Router::new()
        .route("/merchant", get(|| async { Redirect::permanent(PATH) }))
        .route("/merchant/", get_service(files.clone()))
        .route("/merchant/{*file}", get_service(files))
        .layer(header(header::CONTENT_SECURITY_POLICY, POLICY))
        .layer(header(HeaderName::from_static("cross-origin-resource-policy"), "same-origin"))
        .layer(header(HeaderName::from_static("cross-origin-opener-policy"), "same-origin"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::CACHE_CONTROL, "no-cache"))
        .layer(header(header::VARY, "accept-encoding"))
        .layer(axum::middleware::from_fn_with_state(state.clone(), super::limit_guard))
}

async fn not_found() -> StatusCode {
    StatusCode::NOT_FOUND
}

/// What an operator who configured keys but deployed a dist/ without the dashboard reads at `/merchant/` (and
/// in the log at start), instead of an empty 404.
const NOT_BUILT: &str = "The merchant dashboard is not built on this server: there is no merchant/index.html in the \
     --dist-dir directory. Run scripts/build-dashboard after scripts/build-widget (docs/merchant-dashboard.md); \
     the merchant API works without it.";

/// A file under `/merchant/` that is not there: an empty 404, or [`NOT_BUILT`] when the whole dashboard is
/// missing (looked up per request, so a build shows up without a restart).
async fn not_built(index: std::path::PathBuf) -> Response {
    if index.is_file() {
        StatusCode::NOT_FOUND.into_response()
    } else {
        (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], NOT_BUILT).into_response()
    }
}

/// In front of the demo pages' file service (which serves all of dist/): no other path reaches the
/// dashboard's files (`/merchant%2Findex.html`, `//merchant/…`), so they are only ever served by
/// [`router`], with its headers, and not at all without keys.
pub async fn hide_from_pages(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let decoded = percent_decode(path);
    let mut segments = decoded.split(['/', '\\']).filter(|s| !s.is_empty() && *s != ".");
    if segments.next().is_some_and(|first| first.eq_ignore_ascii_case("merchant")) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

/// `%XX` decoded (bytes that are not UTF-8 become U+FFFD); enough to see which directory a path names.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_before_they_are_judged() {
        assert_eq!(percent_decode("/merchant%2Findex.html"), "/merchant/index.html");
        assert_eq!(percent_decode("/%6Derchant/x"), "/merchant/x");
        assert_eq!(percent_decode("/a%zz%4"), "/a%zz%4", "not escapes: kept");
    }
}
