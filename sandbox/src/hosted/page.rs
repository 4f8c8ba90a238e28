//! Small server-rendered HTML pages for the fake Amazon hosted pages: one layout, one escaper, form
//! fields parsed without panicking, and error pages that look like Amazon's.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Escapes text for HTML element content and double-quoted attribute values.
pub(super) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#0f1111;background:#f7f8f8}\
header{background:#232f3e;color:#fff;padding:.6rem 1rem;font-weight:700}header span{color:#ffd814;margin-left:.4rem}\
main{max-width:36rem;margin:1.5rem auto;padding:0 1rem}fieldset{border:1px solid #d5d9d9;border-radius:8px;margin:0 0 1rem;padding:.8rem 1rem;background:#fff}\
legend{font-weight:700;padding:0 .3rem}label{display:block;padding:.35rem 0}.hint{color:#565959;font-size:.9rem}\
.actions{display:flex;gap:.8rem;flex-wrap:wrap}button{font:inherit;padding:.55rem 1.2rem;border-radius:20px;border:1px solid #888c8c;background:#fff;cursor:pointer}\
button.primary{background:#ffd814;border-color:#fcd200}button:focus-visible,input:focus-visible{outline:3px solid #007185;outline-offset:2px}\
.error{border-left:4px solid #c40000;background:#fff;padding:.6rem 1rem}code{font-size:1.1rem}";

/// A whole page. `title` and every interpolated value must already be escaped by the caller's helpers.
pub(super) fn layout(title: &str, body: &str) -> String {
    let title = html_escape(title);
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\">\
<title>{title} - Amazon Pay (sandbox)</title><style>{STYLE}</style></head>\
<body><header>amazon pay<span>sandbox</span></header><main><h1>{title}</h1>{body}</main></body></html>\n"
    )
}

/// An HTML response that no cache keeps (every page carries one buyer's session).
pub(super) fn html(status: StatusCode, page: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
}

/// `<input type=hidden>` for each pair.
pub(super) fn hidden(fields: &[(&str, &str)]) -> String {
    fields.iter().fold(String::new(), |mut out, (name, value)| {
        let _ = write!(out, "<input type=\"hidden\" name=\"{}\" value=\"{}\">", html_escape(name), html_escape(value));
        out
    })
}

/// One radio button of a group; `lines` become the label (the first bold), each escaped.
pub(super) fn radio(name: &str, value: &str, checked: bool, lines: &[&str]) -> String {
    let id = format!("{name}-{value}");
    let mut label = String::new();
    for (i, line) in lines.iter().filter(|l| !l.is_empty()).enumerate() {
        if i == 0 {
            let _ = write!(label, "<strong>{}</strong>", html_escape(line));
        } else {
            let _ = write!(label, "<br><span class=\"hint\">{}</span>", html_escape(line));
        }
    }
    format!(
        "<label for=\"{id}\"><input type=\"radio\" id=\"{id}\" name=\"{name}\" value=\"{value}\" required{checked}> {label}</label>",
        id = html_escape(&id),
        name = html_escape(name),
        value = html_escape(value),
        checked = if checked { " checked" } else { "" },
    )
}

/// A fieldset with a legend around `content`.
pub(super) fn fieldset(legend: &str, content: &str) -> String {
    format!("<fieldset><legend>{}</legend>{content}</fieldset>", html_escape(legend))
}

/// The two submit buttons every step has: go on, or cancel (which skips the browser's field validation).
pub(super) fn actions(primary: &str, cancel: &str) -> String {
    actions_with(primary, cancel, "")
}

/// As [`actions`], with the primary button disabled and described by the element `why` (which says why).
pub(super) fn actions_blocked(primary: &str, cancel: &str, why: &str) -> String {
    actions_with(primary, cancel, &format!(" disabled aria-describedby=\"{}\"", html_escape(why)))
}

fn actions_with(primary: &str, cancel: &str, primary_attributes: &str) -> String {
    format!(
        "<div class=\"actions\"><button type=\"submit\" class=\"primary\" name=\"action\" value=\"continue\"{primary_attributes}>{}</button>\
<button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>{}</button></div>",
        html_escape(primary),
        html_escape(cancel)
    )
}

/// The sandbox's one-time code for the MFA step; the page shows it, since no phone receives it.
pub(super) const SANDBOX_MFA_CODE: &str = "123456";

/// Amazon's multi-factor authentication step: a code field, Verify and Cancel.
pub(super) fn mfa_page(action_url: &str, fields: &[(&str, &str)], problem: Option<&str>) -> String {
    let alert = problem.map(|p| format!("<p class=\"error\" role=\"alert\">{}</p>", html_escape(p))).unwrap_or_default();
    let body = format!(
        "<p>Your bank asks you to confirm this payment.</p>{alert}\
<form method=\"post\" action=\"{action}\">{hidden}\
<p><label for=\"mfa-code\">Security code</label><input id=\"mfa-code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" \
aria-describedby=\"mfa-hint\" autofocus></p><p id=\"mfa-hint\" class=\"hint\">Sandbox: the code is <code>{code}</code>. \
Cancel to abandon the authentication.</p>\
<div class=\"actions\"><button type=\"submit\" class=\"primary\" name=\"action\" value=\"verify\">Verify</button>\
<button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button></div></form>",
        action = html_escape(action_url),
        hidden = hidden(fields),
        code = SANDBOX_MFA_CODE,
    );
    layout("Confirm your payment", &body)
}

/// A refusal shown as Amazon shows one: a page with the error code and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub(crate) struct PageError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl PageError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        PageError { status, code, message: message.into() }
    }

    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub(crate) fn missing(field: &str) -> Self {
        Self::bad_request("MissingParameterValue", format!("The required parameter '{field}' is missing or empty."))
    }
}

impl From<crate::amazon::AmazonError> for PageError {
    fn from(e: crate::amazon::AmazonError) -> Self {
        let status = match e.code {
            "InvalidCheckoutSessionId" | "InvalidOrderReferenceId" => StatusCode::NOT_FOUND,
            "BuyerSessionExpired" => StatusCode::UNAUTHORIZED,
            "BuyerNotAssociated" => StatusCode::FORBIDDEN,
            _ => StatusCode::BAD_REQUEST,
        };
        PageError::new(status, e.code, e.message)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = format!(
            "<div class=\"error\" role=\"alert\"><p>We're sorry, this request cannot be completed.</p>\
<p>Error code: <strong>{}</strong></p><p>{}</p></div>",
            html_escape(self.code),
            html_escape(&self.message)
        );
        html(self.status, layout("Something went wrong", &body))
    }
}

/// Form fields (or query parameters), parsed leniently so that a bad request gets a page, not a panic.
#[derive(Debug, Default)]
pub(super) struct Fields(HashMap<String, String>);

impl Fields {
    /// Parses `application/x-www-form-urlencoded` text; the last value of a repeated name wins.
    pub(super) fn parse(text: &str) -> Result<Fields, PageError> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(text)
            .map(|pairs| Fields(pairs.into_iter().collect()))
            .map_err(|_| PageError::bad_request("InvalidParameterValue", "The request is not form-encoded."))
    }

    pub(super) fn from_query(query: Option<String>) -> Result<Fields, PageError> {
        Self::parse(query.as_deref().unwrap_or(""))
    }

    /// The value of `name` if present and not blank, exactly as sent (a signed payload must stay byte-exact).
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.trim().is_empty())
    }

    pub(super) fn require(&self, name: &str) -> Result<&str, PageError> {
        self.get(name).ok_or_else(|| PageError::missing(name))
    }

    /// The buyer pressed a button with `name="action" value="cancel"`.
    pub(super) fn cancelled(&self) -> bool {
        self.get("action") == Some("cancel")
    }
}

/// Only absolute http(s) URLs may be redirect targets (never `javascript:` and the like).
pub(super) fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")) && !url.chars().any(|c| c.is_control() || c == ' ')
}

/// `url` with `pairs` added to its query, keeping any query and fragment it has.
pub(super) fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let encoded = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let separator = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{separator}{encoded}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `url` with its fragment replaced by `pairs` (OAuth's implicit-grant answer for full-page redirects).
pub(super) fn with_fragment(url: &str, pairs: &[(&str, &str)]) -> String {
    let base = url.split_once('#').map(|(b, _)| b).unwrap_or(url);
    format!("{base}#{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
}

/// `scheme://host[:port]` of an absolute URL, the target origin for `postMessage`.
pub(super) fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next().filter(|h| !h.is_empty())?;
    Some(format!("{}://{}", scheme.to_ascii_lowercase(), host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(html_escape(r#"<img src=x onerror="a('1')">&"#), "&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt;&amp;");
    }

    #[test]
    fn adds_query_parameters_to_any_url() {
        assert_eq!(with_query("https://s.example/r", &[("a", "1 2")]), "https://s.example/r?a=1+2");
        assert_eq!(with_query("https://s.example/r?x=1#top", &[("a", "b")]), "https://s.example/r?x=1&a=b#top");
        assert_eq!(with_query("https://s.example/r?", &[("a", "&")]), "https://s.example/r?a=%26");
        assert_eq!(with_fragment("https://s.example/r#old", &[("t", "A|b")]), "https://s.example/r#t=A%7Cb");
    }

    #[test]
    fn only_web_urls_are_redirect_targets() {
        assert!(is_web_url("https://shop.example/review"));
        assert!(is_web_url("HTTP://127.0.0.1:8080/"));
        assert!(!is_web_url("javascript:alert(1)"));
        assert!(!is_web_url("//evil.example"));
        assert!(!is_web_url("https://a.example/\nLocation: x"));
        assert_eq!(origin_of("http://127.0.0.1:9/x?y#z").as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(origin_of("https://shop.example").as_deref(), Some("https://shop.example"));
        assert_eq!(origin_of("nope"), None);
    }

    #[test]
    fn blank_fields_count_as_missing() {
        let f = Fields::parse("a=+&b=x").unwrap();
        assert_eq!(f.get("a"), None);
        assert_eq!(f.require("b").unwrap(), "x");
        assert_eq!(f.require("a").unwrap_err().code, "MissingParameterValue");
    }
}
