//! How the widget's files are delivered to shops on other origins, like a CDN's: CORS for exactly the allowed
//! origins, a Cross-Origin-Resource-Policy, and caching by kind of URL (scripts/release.mjs writes them):
//!
//! - `/v/<release>/…`, content-addressed (the release's hash names the directory): cached for a year, immutable.
//!   One page never mixes releases: the loader there imports its bundle and wasm relative to its own URL.
//! - `/widget.js` (the stable entry that imports the current release) and `/manifest.json` (the files and
//!   their SRI digests): a short cache, so a release reaches every page within minutes.
//! - the same files at the top level (`/amazon-pay-*.js`, `/widget-init.js`, …) for pages on this server:
//!   revalidated on every use (their names stay the same across releases).
//!
//! The demo pages and everything else are left as they are.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// `Cache-Control` of content-addressed files: their bytes never change under their URL.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of the stable entry and the manifest: five minutes.
pub const ENTRY: &str = "public, max-age=300";
/// `Cache-Control` of the unversioned top-level files: used only after a revalidation.
pub const REVALIDATE: &str = "no-cache";
/// `Cross-Origin-Resource-Policy` of every widget file: the files are public code, and a shop that turns on
/// `Cross-Origin-Embedder-Policy: require-corp` must still be able to load them. Which pages may *run* them
/// as modules (and read the wasm) is decided by CORS, which answers only the allowed origins.
pub const RESOURCE_POLICY: &str = "cross-origin";

/// What a request path is, for the headers its answer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `/v/<hex>/<widget file>`.
    Versioned,
    /// `/widget.js`, `/manifest.json`.
    Entry,
    /// A widget file at the top level.
    Unversioned,
    /// Not a widget file.
    Other,
}

impl Kind {
    /// The kind of the file at request path `path`.
    pub fn of(path: &str) -> Kind {
        if path == "/widget.js" || path == "/manifest.json" {
            return Kind::Entry;
        }
        if let Some(rest) = path.strip_prefix("/v/") {
            let (release, file) = rest.split_once('/').unwrap_or((rest, ""));
            let hex = !release.is_empty() && release.bytes().all(|b| b.is_ascii_hexdigit());
            return if hex && is_widget_file(file) { Kind::Versioned } else { Kind::Other };
        }
        match path.strip_prefix('/') {
            Some(file) if is_widget_file(file) => Kind::Unversioned,
            _ => Kind::Other,
        }
    }

    fn cache_control(self) -> Option<&'static str> {
        match self {
            Kind::Versioned => Some(IMMUTABLE),
            Kind::Entry => Some(ENTRY),
            Kind::Unversioned => Some(REVALIDATE),
            Kind::Other => None,
        }
    }
}

/// A file of the widget's release (what scripts/release.mjs copies): the bundles' glue and wasm, the loader,
/// the stylesheet and wasm-bindgen's snippets. No `..`: paths are the server's own files.
fn is_widget_file(file: &str) -> bool {
    let plain = !file.is_empty() && !file.split('/').any(|s| s.is_empty() || s == "." || s == "..");
    let name = file.rsplit('/').next().unwrap_or(file);
    plain
        && (file == "widget-init.js"
            || file.starts_with("snippets/") && name.ends_with(".js")
            || !file.contains('/') && name.ends_with(".css")
            || name.starts_with("amazon-pay-") && (name.ends_with(".js") || name.ends_with("_bg.wasm")))
}

/// What the start logs when `dist_dir` has no widget (`/widget.js`, scripts/release.mjs): the server is ready
/// and answers the API, but every shop page's script is a 404 and no button shows. `--dist-dir` defaults to the
/// relative `dist`, so a server started from another working directory (a service unit) finds none.
pub fn not_built_warning(dist_dir: &std::path::Path) -> Option<String> {
    if dist_dir.join("widget.js").is_file() {
        return None;
    }
    let shown = std::path::absolute(dist_dir).unwrap_or_else(|_| dist_dir.to_owned());
    Some(format!(
        "The widget is not built on this server: there is no widget.js in the --dist-dir directory ({}), so \
         /widget.js answers 404 and shops' pages show no Amazon Pay button. Run scripts/build-widget, or point \
         --dist-dir (AMAZON_PAY_DIST_DIR) at the built dist/ (a relative path is read from the working directory).",
        shown.display()
    ))
}

/// Whether `origin` is one of the allowed origins (normalized like `--allowed-origins`).
fn allowed(origin: &str, state: &AppState) -> bool {
    let origin = origin.trim().to_ascii_lowercase();
    state.config.allowed_origins.contains(&origin)
}

/// Adds the delivery headers to the answers for widget files (middleware around the static files, app.rs).
pub async fn headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let kind = Kind::of(request.uri().path());
    let origin = request.headers().get(header::ORIGIN).cloned();
    let mut response = next.run(request).await.into_response();
    let Some(cache) = kind.cache_control() else { return response };
    let headers = response.headers_mut();
    // The answer depends on the Origin (CORS) and on Accept-Encoding (precompressed twins) for every kind.
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding, origin"));
    if let Some(origin) = origin.filter(|o| o.to_str().is_ok_and(|o| allowed(o, &state))) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        headers.insert(HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static(RESOURCE_POLICY));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_classified() {
        assert_eq!(Kind::of("/widget.js"), Kind::Entry);
        assert_eq!(Kind::of("/manifest.json"), Kind::Entry);
        assert_eq!(Kind::of("/v/0123abcd/widget-init.js"), Kind::Versioned);
        assert_eq!(Kind::of("/v/0123abcd/amazon-pay-review_bg.wasm"), Kind::Versioned);
        assert_eq!(Kind::of("/v/0123abcd/shop.css"), Kind::Versioned);
        assert_eq!(Kind::of("/v/0123abcd/snippets/x-1/inline0.js"), Kind::Versioned);
        assert_eq!(Kind::of("/amazon-pay-button.js"), Kind::Unversioned);
        assert_eq!(Kind::of("/widget-init.js"), Kind::Unversioned);
        for other in [
            "/",
            "/review.html",
            "/v/zz/widget-init.js",
            "/v/0123/../x.js",
            "/v/0123/",
            "/v//widget-init.js",
            "/api/x",
            "/harness.js",
            "/v/0123/index.html",
        ] {
            assert_eq!(Kind::of(other), Kind::Other, "{other}");
        }
    }
}
