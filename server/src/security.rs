//! What the server does so that browsers treat its answers safely: which other sites may call the JSON API
//! (CORS plus a server-side origin check), the Content-Security-Policy of the pages it serves, and the
//! `Referrer-Policy` of every answer.
//!
//! Same-origin pages need nothing. A browser request that carries an `Origin` of another site that is not on
//! `--allowed-origins` is refused with 403 before any handler runs, so it can neither read nor change anything
//! (CORS alone would only hide the answer from the page, after the request had done its work).

use amazon_pay_contract::{ApiError, ErrorCode, Language};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// The demo pages' policy: only this server's own scripts, styles, images and API; `'wasm-unsafe-eval'` is the
/// one addition, because compiling the widget's WebAssembly needs it. No inline script or style anywhere.
pub const SANDBOX_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'; object-src 'none'";

/// Live mode loads Amazon's real scripts, which need Amazon's hosts (docs/embedding.md lists why each is here):
/// `checkout.js` and `Widgets.js` from each region's static host (EU, NA, FE: `--amazon-region`); the Login with
/// Amazon SDK the CV1 and lander pages load (`api-cdn.amazon.com` from older `Widgets.js`,
/// `assets.loginwithamazon.com`); the EU button's iframe on `m.media-amazon.com`; the account status
/// `checkout.js` asks `payments-eu.amazon.com` for; and the sign-in pages the button's form posts to. Best
/// effort: it cannot be checked offline against Amazon's live scripts, so merchants verify it on a live test
/// and override it with `--content-security-policy` when Amazon needs more.
pub const LIVE_CSP: &str = "default-src 'self'; \
script-src 'self' 'wasm-unsafe-eval' https://static-eu.payments-amazon.com https://static-na.payments-amazon.com \
https://static-fe.payments-amazon.com https://api-cdn.amazon.com https://assets.loginwithamazon.com; \
style-src 'self' https://*.payments-amazon.com; img-src 'self' data: https://*.payments-amazon.com; \
connect-src 'self' https://*.payments-amazon.com https://payments-eu.amazon.com; \
frame-src https://*.payments-amazon.com https://m.media-amazon.com; \
frame-ancestors 'self'; base-uri 'none'; \
form-action 'self' https://*.amazon.de https://*.amazon.fr https://*.amazon.it https://*.amazon.es https://*.amazon.co.uk https://*.amazon.com; \
object-src 'none'";

/// A configured origin or policy that cannot be used, said so the operator can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityConfigError {
    #[error("AMAZON_PAY_ALLOWED_ORIGINS: {0:?} is not an origin like https://shop.example (scheme, host and optional port; no path, no wildcard)")]
    /// Bad origin.
    BadOrigin(String),
    #[error("the Content-Security-Policy contains characters a header cannot carry")]
    /// Bad policy.
    BadPolicy,
}

/// Normalizes one allowed origin: `https://Shop.Example/` → `https://shop.example`. Refuses paths, queries,
/// credentials, wildcards and anything but http(s), so the list means exactly what it says.
pub fn parse_origin(text: &str) -> Result<String, SecurityConfigError> {
    let bad = || SecurityConfigError::BadOrigin(text.to_owned());
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://").ok_or_else(bad)?;
    if scheme != "http" && scheme != "https" {
        return Err(bad());
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = match authority.rsplit_once(':') {
        // An IPv6 literal's colons are inside brackets; a port follows the closing one.
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let host_ok = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'));
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    if !host_ok || !port_ok {
        return Err(bad());
    }
    Ok(format!("{scheme}://{authority}"))
}

/// Every non-empty entry of `list` parsed with [`parse_origin`].
pub fn parse_origins(list: &[String]) -> Result<Vec<String>, SecurityConfigError> {
    list.iter().filter(|o| !o.trim().is_empty()).map(|o| parse_origin(o)).collect()
}

/// The policy the pages get: `configured` when given (empty turns it off), else the mode's default.
pub fn page_policy(configured: Option<&str>, live: bool) -> Result<Option<String>, SecurityConfigError> {
    let policy = match configured {
        Some(p) if p.trim().is_empty() => return Ok(None),
        Some(p) => p.trim().to_owned(),
        None if live => LIVE_CSP.to_owned(),
        None => SANDBOX_CSP.to_owned(),
    };
    HeaderValue::from_str(&policy).map_err(|_| SecurityConfigError::BadPolicy)?;
    Ok(Some(policy))
}

/// `scheme://host[:port]` of a URL such as the public URL (`None` when it has no scheme).
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    Some(format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
}

/// Whether a request with `origin` may use the API: same origin as the page it was served with (the
/// request's own `Host`, or the configured public URL), or on the allowed list. `Origin: null` never is.
pub fn origin_allowed(origin: &str, host: Option<&str>, public_url: &str, allowed: &[String]) -> bool {
    let origin = origin.trim().to_ascii_lowercase();
    origin != "null" && (same_server(&origin, host, public_url) || allowed.contains(&origin))
}

/// Whether `origin` is this server's own: the request's `Host`, or the configured public URL.
pub fn same_server(origin: &str, host: Option<&str>, public_url: &str) -> bool {
    let origin = origin.trim().to_ascii_lowercase();
    let same_host = origin.split_once("://").zip(host).is_some_and(|((_, authority), host)| authority.eq_ignore_ascii_case(host.trim()));
    same_host || origin_of(public_url).as_deref() == Some(origin.as_str())
}

/// CORS answers for the allowed origins only: GET and POST with a JSON body, preflight cached ten minutes.
pub fn cors_layer(allowed: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = allowed.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::ACCEPT_LANGUAGE])
        .max_age(Duration::from_secs(600))
}

/// Who may call the JSON API: this server (at `public_url`) and the allowed origins.
#[derive(Debug, Clone)]
pub struct OriginPolicy {
    /// Where buyers reach this server.
    pub public_url: String,
    /// Normalized origins allowed to call cross-origin.
    pub allowed: Arc<[String]>,
}

/// Refuses browser requests from sites that are neither this one nor on the allowed list.
pub async fn origin_guard(State(policy): State<OriginPolicy>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        if !origin_allowed(origin, host, &policy.public_url, &policy.allowed) {
            // The route's template: the ids in API paths read a buyer's details (ops::request_id).
            let route = request.extensions().get::<axum::extract::MatchedPath>().map_or("unmatched", |m| m.as_str());
            tracing::info!(origin, route, "cross-origin request refused");
            let body = ApiError {
                code: ErrorCode::BadRequest,
                message: ErrorCode::BadRequest.buyer_message(Language::default()).to_owned(),
                detail: Some(format!("requests from {origin} are not allowed; add it to --allowed-origins")),
            };
            return (StatusCode::FORBIDDEN, Json(body)).into_response();
        }
    }
    next.run(request).await
}

/// The JSON API with CORS for the allowed origins and the origin check in front of it; no answer is stored.
pub fn protect_api<S: Clone + Send + Sync + 'static>(api: Router<S>, public_url: &str, allowed: &[String]) -> Router<S> {
    let policy = OriginPolicy { public_url: public_url.to_owned(), allowed: allowed.into() };
    api.layer(cors_layer(allowed)).layer(axum::middleware::from_fn_with_state(policy, origin_guard)).layer(no_store_layer())
}

/// `Cache-Control: no-store` on every answer of an API (refusals included): the review page's answer names the
/// buyer, the merchant API's hold buyers' addresses, and neither may stay in a browser's disk cache or in a
/// CDN or proxy a shop puts in front.
pub fn no_store_layer() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

/// What every answer tells the browser to send as `Referer`: the origin only, never the path or the query, also
/// to this server itself. A page opened with the buyer's `?access_token=…` (Login with Amazon's redirect) loads
/// its CSS, scripts and wasm before the widget cleans the address; with the browsers' default
/// (`strict-origin-when-cross-origin`) those same-origin requests would carry the whole address, token and all,
/// into access logs. Not `no-referrer`: the origin is no secret, Amazon's and PAYONE's pages may look at where a
/// buyer came from, and under `no-referrer` a form POST goes out with `Origin: null`.
pub const REFERRER_POLICY: &str = "strict-origin";

/// Sets [`REFERRER_POLICY`] on every answer that has no policy of its own (pages, API, sandbox).
pub fn referrer_policy_layer() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static(REFERRER_POLICY))
}

/// `X-Content-Type-Options: nosniff` on every answer of a listener (`ops::wrap`, the metrics listener): a
/// browser then takes a JSON answer, an error or a file for the type it was served as, never for a script or a
/// page it guessed from the bytes (a JSON answer that echoes what a request sent cannot become HTML).
pub fn nosniff_layer() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))
}

/// The demo pages' service with the Content-Security-Policy (when configured) and `Vary: Accept-Encoding` (the
/// widget's files are served precompressed to clients that accept it); `nosniff` is every answer's
/// ([`nosniff_layer`]).
pub type PageService<S> = SetResponseHeader<SetResponseHeader<S, Option<HeaderValue>>, HeaderValue>;

/// Wraps the service that serves the widget and the demo pages.
pub fn page_headers<S>(pages: S, policy: Option<&str>) -> PageService<S> {
    let csp = policy.and_then(|p| HeaderValue::from_str(p).ok());
    let with_csp = SetResponseHeader::if_not_present(pages, header::CONTENT_SECURITY_POLICY, csp);
    SetResponseHeader::if_not_present(with_csp, header::VARY, HeaderValue::from_static("accept-encoding"))
}

/// In front of the pages' file service: a path that starts with two slashes (or a slash and a backslash, which
/// browsers read as one; also percent-encoded) is 404. `ServeDir` redirects a directory without its trailing
/// slash to the path as it came plus `/`, so `//evil.example` (a directory of that name) would answer
/// `Location: //evil.example/`, another host to a browser: an open redirect. No page has such a path.
pub async fn refuse_scheme_relative_paths(request: Request, next: Next) -> Response {
    let path = request.uri().path().as_bytes();
    let second = match path {
        [b'/', b'%', a, b, ..] => match (a.to_ascii_lowercase(), b.to_ascii_lowercase()) {
            (b'2', b'f') => Some(b'/'),
            (b'5', b'c') => Some(b'\\'),
            _ => None,
        },
        [b'/', second, ..] => Some(*second),
        _ => None,
    };
    if matches!(second, Some(b'/' | b'\\')) {
        return StatusCode::NOT_FOUND.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalized_and_strict() {
        assert_eq!(parse_origin("https://Shop.Example/").unwrap(), "https://shop.example");
        assert_eq!(parse_origin(" http://127.0.0.1:9000 ").unwrap(), "http://127.0.0.1:9000");
        assert_eq!(parse_origin("http://[::1]:8080").unwrap(), "http://[::1]:8080");
        for bad in [
            "shop.example",
            "ftp://shop.example",
            "https://shop.example/path",
            "https://*.shop.example",
            "https://",
            "https://a:b",
            "https://u@shop.example",
            "null",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_origins(&["".into(), "https://a.example".into()]).unwrap(), vec!["https://a.example".to_owned()]);
    }

    #[test]
    fn same_origin_and_listed_origins_pass_others_do_not() {
        let allowed = vec!["https://shop.example".to_owned()];
        let public = "http://127.0.0.1:8080";
        assert!(origin_allowed("http://127.0.0.1:8080", Some("127.0.0.1:8080"), public, &allowed));
        assert!(origin_allowed("http://localhost:8080", Some("localhost:8080"), public, &allowed), "same host as asked");
        assert!(origin_allowed("https://shop.example", Some("127.0.0.1:8080"), public, &allowed));
        assert!(origin_allowed("HTTPS://SHOP.EXAMPLE", None, public, &allowed));
        assert!(!origin_allowed("https://evil.example", Some("127.0.0.1:8080"), public, &allowed));
        assert!(!origin_allowed("https://shop.example.evil.example", None, public, &allowed));
        assert!(!origin_allowed("null", Some("127.0.0.1:8080"), public, &allowed));
        assert!(!origin_allowed("http://127.0.0.1:9999", Some("127.0.0.1:8080"), public, &allowed), "another port is another origin");
    }

    #[test]
    fn policy_defaults_by_mode_and_can_be_turned_off() {
        assert_eq!(page_policy(None, false).unwrap().as_deref(), Some(SANDBOX_CSP));
        assert_eq!(page_policy(None, true).unwrap().as_deref(), Some(LIVE_CSP));
        assert_eq!(page_policy(Some(""), false).unwrap(), None);
        assert_eq!(page_policy(Some("default-src 'none'"), false).unwrap().as_deref(), Some("default-src 'none'"));
        assert_eq!(page_policy(Some("a\nb"), false), Err(SecurityConfigError::BadPolicy));
        assert!(SANDBOX_CSP.contains("'wasm-unsafe-eval'") && !SANDBOX_CSP.contains("unsafe-inline"));
    }

    /// The sources `directive` of the live policy allows.
    fn live_sources(directive: &str) -> Vec<&'static str> {
        let found = LIVE_CSP.split(';').map(str::trim).find(|d| d.split_whitespace().next() == Some(directive));
        found.map(|d| d.split_whitespace().skip(1).collect()).unwrap_or_default()
    }

    /// Each region's `checkout.js` host: `config::amazon`'s test (this module does not import config).
    #[test]
    fn the_live_policy_lets_amazons_other_scripts_frames_and_calls_through() {
        let scripts = live_sources("script-src");
        let widgets = origin_of(amazon_pay_contract::cv1::AMAZON_EU_WIDGETS_JS).unwrap();
        assert!(scripts.contains(&widgets.as_str()));
        assert!(scripts.contains(&"https://assets.loginwithamazon.com"), "the Login with Amazon SDK");
        assert!(live_sources("frame-src").contains(&"https://m.media-amazon.com"), "the EU button's iframe");
        assert!(live_sources("connect-src").contains(&"https://payments-eu.amazon.com"), "checkout.js's account status");
        assert!(!LIVE_CSP.contains("unsafe-inline") && !scripts.contains(&"*"));
    }
}
