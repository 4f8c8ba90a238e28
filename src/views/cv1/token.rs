//! The buyer's Login with Amazon `access_token`: taken out of the address bar the moment the page starts,
//! kept in memory, never rendered.
//!
//! Where it may also live, and why:
//! - **sessionStorage** (this tab only, cleared when the tab closes, never sent to a server by itself, dropped
//!   when it expires or the buyer signs out): the upsell page, a redirect-mode sign-in and the return from
//!   Amazon's confirmation flow (PAYONE CV1) are new page loads in the same tab; without it the buyer would
//!   have to sign in again on each of them.
//! - the **`amazon_Login_accessToken` cookie**: Amazon's documented way to tell `Widgets.js` about a token the
//!   page got by itself (redirect mode, or a new page load, reference §B.3); set only then.
//!
//! Parsing is pure (tested natively); the browser parts are thin wrappers around it.

use crate::page::query_value;
use crate::prelude::*;

/// Query or fragment keys of a Login with Amazon answer, removed from the address bar together.
const ANSWER_KEYS: &[&str] = &["access_token", "token_type", "expires_in", "scope", "state", "error", "error_description", "error_uri"];
/// Where the token is kept in this tab.
const STORAGE_KEY: &str = "amazonPay.accessToken";
/// What `Widgets.js` reads (reference §B.3, `setUseCookie`).
const WIDGETS_COOKIE: &str = "amazon_Login_accessToken";
/// Amazon's tokens live about an hour; assume that when the answer does not say.
const DEFAULT_LIFETIME_SECS: u32 = 3600;

/// A Login with Amazon access token. Its `Debug` never shows the value.
#[derive(Clone, PartialEq)]
pub struct AccessToken {
    value: String,
    /// `Date.now()` milliseconds after which Amazon no longer accepts it (an integer: no float code in the wasm).
    expires_at_ms: u64,
}

impl core::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AccessToken").field("expires_at_ms", &self.expires_at_ms).finish_non_exhaustive()
    }
}

impl AccessToken {
    /// A token as Amazon issues them (`Atza|…`, printable, no separators a cookie or header cannot carry).
    pub fn parse(value: &str, expires_in_secs: Option<u32>, now_ms: u64) -> Option<AccessToken> {
        let well_formed = value.starts_with("Atza")
            && (16..=2048).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'\\'));
        let lifetime = u64::from(expires_in_secs.unwrap_or(DEFAULT_LIFETIME_SECS).min(24 * 3600));
        well_formed.then(|| AccessToken { value: value.to_owned(), expires_at_ms: now_ms + lifetime * 1000 })
    }

    /// The token itself, for the backend and Amazon only.
    pub fn secret(&self) -> &str {
        &self.value
    }

    /// Whether the token is dead at `now_ms` (milliseconds since the epoch).
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at_ms
    }

    /// Seconds left, for the cookie's `max-age`.
    fn seconds_left(&self, now_ms: u64) -> u32 {
        u32::try_from(self.expires_at_ms.saturating_sub(now_ms) / 1000).unwrap_or(u32::MAX)
    }

    fn stored(&self) -> String {
        [&amazon_pay_contract::digits(self.expires_at_ms), ":", &self.value].concat()
    }

    fn from_stored(text: &str, now_ms: u64) -> Option<AccessToken> {
        let (expires, value) = crate::scan::cut(text, b':');
        let value = value?;
        let expires_at_ms = crate::scan::number(expires)?;
        let token = AccessToken::parse(value, None, now_ms)?;
        let token = AccessToken { expires_at_ms, ..token };
        (!token.is_expired(now_ms)).then_some(token)
    }
}

/// What the address bar said about a sign-in, and the address without it.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlSignIn {
    /// The buyer's access token, when the address carried one.
    pub token: Option<AccessToken>,
    /// OAuth's `error` (e.g. `access_denied` when the buyer cancelled).
    pub error: Option<String>,
    /// `location.search` and `location.hash` without the answer's keys (`""` when nothing is left).
    pub search: String,
    /// `location.hash` without the answer's keys (`""` when nothing is left).
    pub hash: String,
    /// Whether anything was removed (the address bar must then be rewritten).
    pub changed: bool,
}

/// A sign-in answer found in one part of the address.
struct Answer {
    token: Option<String>,
    expires_in: Option<u32>,
    error: Option<String>,
}

/// Removes the answer's keys from one part when it carries an answer; returns the rest and what was found.
fn strip(part: &str, prefix: &str) -> (String, Option<Answer>) {
    // `?` or `#`, trimmed as bytes (`trim_start_matches` with a `&str` brings `core`'s substring searcher).
    let raw = prefix.bytes().fold(part, crate::scan::trim_start);
    let find = |key: &str| query_value(raw, key);
    let (token, error) = (find("access_token"), find("error"));
    if token.is_none() && error.is_none() {
        return (part.to_owned(), None);
    }
    let rest = without_keys(raw, prefix, ANSWER_KEYS);
    let expires_in = find("expires_in").and_then(|e| crate::scan::number(&e)).and_then(|e| u32::try_from(e).ok());
    (rest, Some(Answer { token, expires_in, error }))
}

/// The `&`-separated parameters of `raw` (no leading `?` or `#`) whose key is not one of `keys`, after
/// `prefix`; `""` when none is left.
pub fn without_keys(raw: &str, prefix: &str, keys: &[&str]) -> String {
    let mut rest = String::new();
    for pair in crate::scan::pieces(raw, b'&') {
        let key = crate::scan::cut(pair, b'=').0;
        if !pair.is_empty() && !keys.contains(&key) {
            rest.push_str(if rest.is_empty() { prefix } else { "&" });
            rest.push_str(pair);
        }
    }
    rest
}

/// Reads a sign-in answer from `search` (popup fallback) or `hash` (redirect mode) and removes it.
pub fn take_from(search: &str, hash: &str, now_ms: u64) -> UrlSignIn {
    let (search_rest, in_search) = strip(search, "?");
    let (hash_rest, in_hash) = strip(hash, "#");
    let changed = in_search.is_some() || in_hash.is_some();
    let answer = in_hash.or(in_search).unwrap_or(Answer { token: None, expires_in: None, error: None });
    UrlSignIn {
        token: answer.token.and_then(|t| AccessToken::parse(&t, answer.expires_in, now_ms)),
        error: answer.error,
        search: search_rest,
        hash: hash_rest,
        changed,
    }
}

/// `Date.now()` in whole milliseconds.
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// Takes a sign-in answer out of the address bar (`history.replaceState`, before anything else runs), and
/// returns it. A malformed token is dropped with a console warning.
pub fn take_from_address_bar() -> UrlSignIn {
    let Some(window) = web_sys::window() else {
        return UrlSignIn { token: None, error: None, search: String::new(), hash: String::new(), changed: false };
    };
    let location = window.location();
    let search = crate::dom_calls::search(&location);
    let hash = crate::dom_calls::hash(&location);
    let found = take_from(&search, &hash, now_ms());
    if found.changed {
        let path = crate::dom_calls::pathname(&location);
        let clean = [path.as_str(), &found.search, &found.hash].concat();
        let replaced = crate::dom_calls::history(&window).replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        if let Err(err) = replaced {
            web_sys::console::error_2(&"Amazon Pay: cannot remove the access token from the address bar".into(), &err);
        }
        if found.token.is_none() && found.error.is_none() {
            web_sys::console::warn_1(&"Amazon Pay: ignoring a malformed access_token in the address".into());
        }
    }
    found
}

/// Keeps `token` for later page loads in this tab.
pub fn remember(token: &AccessToken) {
    if let Some(s) = storage() {
        // Storage may be full or disabled: the token still lives in memory for this page.
        let _ = s.set_item(STORAGE_KEY, &token.stored());
    }
}

/// The unexpired token kept in this tab, if any.
pub fn recall() -> Option<AccessToken> {
    let text = storage()?.get_item(STORAGE_KEY).ok().flatten()?;
    let token = AccessToken::from_stored(&text, now_ms());
    if token.is_none() {
        forget();
    }
    token
}

/// Forgets the token everywhere this module put it.
pub fn forget() {
    if let Some(s) = storage() {
        let _ = s.remove_item(STORAGE_KEY);
    }
    write_cookie(&[WIDGETS_COOKIE, "=;path=/;max-age=0;samesite=lax"].concat());
}

/// Tells `Widgets.js` about a token it did not hand out on this page (redirect mode, new page load).
pub fn share_with_widgets(token: &AccessToken) {
    let secure = web_sys::window().map(|w| crate::dom_calls::href(&w.location())).is_some_and(|href| href.starts_with("https:"));
    let max_age = amazon_pay_contract::digits(token.seconds_left(now_ms()).into());
    let cookie = [WIDGETS_COOKIE, "=", token.secret(), ";path=/;max-age=", &max_age, ";samesite=lax", if secure { ";secure" } else { "" }];
    write_cookie(&cookie.concat());
}

fn write_cookie(cookie: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        // `document.cookie` without the HtmlDocument binding (one feature less in the wasm).
        let _ = js_sys::Reflect::set(&document, &"cookie".into(), &cookie.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "Atza|IwEBIAbcdefghijklmnop";

    #[test]
    fn a_token_in_the_query_is_taken_out_with_its_companions() {
        let found =
            take_from(&format!("?access_token={}&token_type=bearer&expires_in=3600&scope=profile&lang=de", TOKEN.replace('|', "%7C")), "", 1000);
        assert_eq!(found.token.as_ref().map(AccessToken::secret), Some(TOKEN));
        assert_eq!(found.search, "?lang=de");
        assert!(found.changed);
        assert!(!found.token.unwrap().is_expired(1000 + 3599 * 1000));
    }

    #[test]
    fn the_fragment_of_redirect_mode_counts_and_empty_parts_vanish() {
        let found = take_from("?workorderId=WO1", &format!("#access_token={TOKEN}&token_type=bearer&expires_in=60"), 0);
        assert_eq!(found.token.as_ref().map(AccessToken::secret), Some(TOKEN));
        assert_eq!((found.search.as_str(), found.hash.as_str()), ("?workorderId=WO1", ""));
        assert!(found.token.unwrap().is_expired(61_000));
    }

    #[test]
    fn errors_and_nothing_at_all() {
        let found = take_from("?error=access_denied&error_description=The+user+denied", "", 0);
        assert_eq!((found.error.as_deref(), found.token.is_none(), found.search.as_str()), (Some("access_denied"), true, ""));
        let nothing = take_from("?scope=mine&x=1", "#top", 0);
        assert!(!nothing.changed, "keys of the shop's own are left alone when there is no answer");
        assert_eq!((nothing.search.as_str(), nothing.hash.as_str()), ("?scope=mine&x=1", "#top"));
    }

    #[test]
    fn malformed_tokens_are_refused_but_still_removed() {
        for bad in ["nope", "Atza|short", "Atza|with;semicolon-0123456789", "Atza|with space 0123456789"] {
            assert!(AccessToken::parse(bad, None, 0).is_none(), "{bad}");
        }
        let found = take_from("?access_token=%3Cscript%3E", "", 0);
        assert!(found.changed && found.token.is_none());
    }

    #[test]
    fn other_parameters_are_kept_in_order() {
        assert_eq!(without_keys("a=1&access_token=x&&b&state=s&c=3", "?", ANSWER_KEYS), "?a=1&b&c=3");
        assert_eq!(without_keys("access_token=x", "#", ANSWER_KEYS), "");
        assert_eq!(without_keys("", "?", ANSWER_KEYS), "");
    }

    #[test]
    fn stored_tokens_round_trip_until_they_expire() {
        let token = AccessToken::parse(TOKEN, Some(10), 5_000).unwrap();
        assert_eq!(AccessToken::from_stored(&token.stored(), 6_000), Some(token.clone()));
        assert_eq!(AccessToken::from_stored(&token.stored(), 15_000), None);
        assert_eq!(AccessToken::from_stored("garbage", 0), None);
        assert!(!format!("{token:?}").contains("Atza"), "Debug hides the token");
    }
}
