//! Loads a third-party script once per page, however many widgets ask for it.
//!
//! Like paypal-js's loader: the same promise is returned to every caller while a load is in flight or has
//! succeeded; a failed or timed-out load is forgotten, so a later call retries; failures say what happened.

use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
export function appendScript(url, timeoutMs) {
  return new Promise(function (resolve, reject) {
    var script = document.createElement("script");
    var timer = setTimeout(function () {
      script.onload = script.onerror = null;
      script.remove();
      reject("timeout");
    }, timeoutMs);
    script.onload = function () { clearTimeout(timer); resolve(); };
    script.onerror = function () { clearTimeout(timer); script.remove(); reject("error"); };
    script.async = true;
    script.src = url;
    document.head.appendChild(script);
  });
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = appendScript)]
    fn append_script(url: &str, timeout_ms: u32) -> js_sys::Promise;
}

/// Why a script did not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    #[error("the script {url} failed to load (network error, blocked, or not found)")]
    Failed { url: String },
    #[error("the script {url} did not load within {millis} ms")]
    TimedOut { url: String, millis: u32 },
}

thread_local! {
    /// The loads in flight or done, by URL (a page has one or two: a list is smaller than a map in the wasm).
    static LOADS: RefCell<Vec<(String, js_sys::Promise)>> = const { RefCell::new(Vec::new()) };
}

/// Loads `url` once; concurrent and later callers share the same load. Gives up after `timeout`.
pub async fn load_script(url: &str, timeout: Duration) -> Result<(), ScriptError> {
    let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
    let promise = LOADS.with(|loads| {
        let mut loads = loads.borrow_mut();
        match loads.iter().find(|(u, _)| u == url) {
            Some((_, promise)) => promise.clone(),
            None => {
                let promise = append_script(url, millis);
                loads.push((url.to_owned(), promise.clone()));
                promise
            }
        }
    });
    match JsFuture::from(promise).await {
        Ok(_) => Ok(()),
        Err(reason) => {
            // Forget the failed load so that the next call tries again.
            LOADS.with(|loads| loads.borrow_mut().retain(|(u, _)| u != url));
            if reason.as_string().as_deref() == Some("timeout") {
                Err(ScriptError::TimedOut { url: url.to_owned(), millis })
            } else {
                Err(ScriptError::Failed { url: url.to_owned() })
            }
        }
    }
}

/// Loads `url`, trying `attempts` times in all before giving up with the last error.
///
/// The retry uses the same URL on purpose: after a timeout, Chromium joins the new `<script>` to the request
/// still in flight, so a slow script that arrives during the retry is used (a fresh URL would start over).
/// A script whose request hangs for good is reported after `attempts` timeouts.
pub async fn load_script_with_retry(url: &str, timeout: Duration, attempts: u32) -> Result<(), ScriptError> {
    let mut last = None;
    for _ in 0..attempts.max(1) {
        match load_script(url, timeout).await {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or(ScriptError::Failed { url: url.to_owned() }))
}

/// How many `<script>` elements with exactly this `src` are in the document (for tests and diagnostics).
pub fn script_count(url: &str) -> u32 {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return 0 };
    let Ok(scripts) = document.query_selector_all("script[src]") else { return 0 };
    let mut count = 0;
    for i in 0..scripts.length() {
        if let Some(node) = scripts.item(i) {
            if let Ok(script) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlScriptElement>(node) {
                if script.src() == url || script.get_attribute("src").as_deref() == Some(url) {
                    count += 1;
                }
            }
        }
    }
    count
}
