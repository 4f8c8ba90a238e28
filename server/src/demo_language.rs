//! Sandbox only: the demo pages in the buyer language a tester picked in the harness (`/harness.html`).
//!
//! The harness sets the cookie [`COOKIE`]; the demo shop's pages (`/`, `/review.html`, `/lander.html`, …) are
//! then served with `<html lang="de">` (or the language picked) instead of `en`. The widget follows `<html lang>`
//! as it does on a shop's page, and so does the loader's choice of a one-language bundle, so the whole flow
//! speaks that language, also the pages Amazon's redirects come back to. A cookie, not a script in the frame:
//! only the server can name the language before the page's scripts read it. Live mode never rewrites a page.

use amazon_pay_contract::Language;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The cookie the harness sets: a language code of ours (`de`, `en`, `fr`, `it`, `es`).
pub const COOKIE: &str = "amazon-pay-demo-lang";
/// What the demo pages say before the rewrite (each one's first tag).
const ENGLISH: &str = "<html lang=\"en\">";
/// A demo page is a few KB; anything larger is left as it is.
const MAX_PAGE: usize = 1 << 20;

/// The language named by the `Cookie` header's [`COOKIE`], if it is one of ours.
pub fn chosen(cookies: &str) -> Option<Language> {
    cookies.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(name, _)| *name == COOKIE).and_then(|(_, v)| Language::parse_code(v))
}

/// Whether `path` is one of the demo shop's pages: a top-level HTML page, not the harness itself (which stays
/// English) nor anything under a folder (the merchant dashboard, the sandbox's Amazon pages).
pub fn is_demo_page(path: &str) -> bool {
    let Some(name) = path.strip_prefix('/') else { return false };
    !name.contains('/') && (name.is_empty() || name.ends_with(".html")) && name != "harness.html"
}

/// `html` with its `<html lang="en">` saying `lang`; `None` when the page does not start so.
pub fn relabel(html: &str, lang: Language) -> Option<String> {
    let at = html.find(ENGLISH)?;
    Some([&html[..at], "<html lang=\"", lang.code(), "\">", &html[at + ENGLISH.len()..]].concat())
}

/// The middleware around the demo pages (app.rs, sandbox mode only).
pub async fn pages(mut request: Request, next: Next) -> Response {
    let lang = request.headers().get(header::COOKIE).and_then(|c| c.to_str().ok()).and_then(chosen);
    let Some(lang) = lang.filter(|_| request.method() == Method::GET && is_demo_page(request.uri().path())) else {
        return next.run(request).await;
    };
    // The browser's copy may be another language's: always the whole page.
    request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    request.headers_mut().remove(header::IF_NONE_MATCH);
    let response = next.run(request).await;
    let html = response.headers().get(header::CONTENT_TYPE).and_then(|t| t.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if response.status() != StatusCode::OK || !html || response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "demo page too large to relabel").into_response();
    };
    let body = match core::str::from_utf8(&bytes).ok().and_then(|page| relabel(page, lang)) {
        Some(page) => Body::from(page),
        None => Body::from(bytes),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::LAST_MODIFIED);
    parts.headers.remove(header::ETAG);
    parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    parts.headers.insert(header::VARY, HeaderValue::from_static("accept-encoding, cookie"));
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_names_one_of_our_languages_or_nothing() {
        assert_eq!(chosen("amazon-pay-demo-lang=de"), Some(Language::De));
        assert_eq!(chosen("a=b; amazon-pay-demo-lang=es; c=d"), Some(Language::Es));
        for refused in ["", "amazon-pay-demo-lang=nl", "amazon-pay-demo-lang=", "x-amazon-pay-demo-lang=de", "amazon-pay-demo-lang=DE-de"] {
            assert_eq!(chosen(refused), None, "{refused}");
        }
    }

    #[test]
    fn only_the_shops_pages_are_relabelled() {
        for page in ["/", "/index.html", "/review.html", "/confirmation.html", "/lander.html", "/cv1.html"] {
            assert!(is_demo_page(page), "{page}");
        }
        for other in ["/harness.html", "/merchant/", "/merchant/index.html", "/sandbox/amazon/x.html", "/widget-init.js", "/shop.css", ""] {
            assert!(!is_demo_page(other), "{other}");
        }
    }

    #[test]
    fn the_first_html_tag_says_the_language() {
        let page = "<!doctype html>\n<html lang=\"en\">\n<head><title>x</title></head></html>";
        assert_eq!(relabel(page, Language::Fr).as_deref(), Some("<!doctype html>\n<html lang=\"fr\">\n<head><title>x</title></head></html>"));
        assert_eq!(relabel("<html lang=\"de\"><p>", Language::It), None);
    }
}
