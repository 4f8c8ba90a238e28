//! Loads a third-party script once per page, however many widgets ask for it.
//!
//! Like paypal-js's loader: the same promise is returned to every caller while a load is in flight or has
//! succeeded; a failed or timed-out load is forgotten (its element removed), so a later call retries; failures
//! say what happened.

use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlScriptElement;

/// Why a script did not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// The browser could not load it.
    #[error("the script {url} failed to load (network error, blocked, or not found)")]
    Failed {
        /// The script's URL.
        url: String,
    },
    /// It did not load in time.
    #[error("the script {url} did not load within {millis} ms")]
    TimedOut {
        /// The script's URL.
        url: String,
        /// How long the widget waited.
        millis: u32,
    },
}

/// A load in flight or done: its `<script>` and the promise every caller awaits.
struct Load {
    url: String,
    script: HtmlScriptElement,
    promise: js_sys::Promise,
    /// The timeout's `setTimeout` handle, cleared once the script has loaded.
    timer: i32,
}

thread_local! {
    static LOADS: RefCell<Vec<Load>> = const { RefCell::new(Vec::new()) };
}

/// Appends `<script async src=url>`; the promise resolves on `load` and rejects on `error` or, with
/// `"timeout"`, after `millis`. The element's handlers and the timer call the promise's own functions, so no
/// Rust closure outlives the load.
fn append_script(url: &str, millis: u32) -> Result<Load, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = window.document().ok_or_else(|| JsValue::from_str("no document"))?;
    let script: HtmlScriptElement = document.create_element("script")?.unchecked_into();
    let mut timer = Ok(0);
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
        timer = window.set_timeout_with_callback_and_timeout_and_arguments_1(&reject, super::timers::timeout_arg(millis), &"timeout".into());
    });
    let timer = timer?;
    script.set_async(true);
    script.set_src(url);
    document.head().ok_or_else(|| JsValue::from_str("no <head>"))?.append_child(&script)?;
    Ok(Load { url: url.to_owned(), script, promise, timer })
}

/// Loads `url` once; concurrent and later callers share the same load. Gives up after `timeout`.
pub async fn load_script(url: &str, timeout: Duration) -> Result<(), ScriptError> {
    let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
    let failed = || ScriptError::Failed { url: url.to_owned() };
    let promise = LOADS.with(|loads| {
        let mut loads = loads.borrow_mut();
        if let Some(load) = loads.iter().find(|l| l.url == url) {
            return Ok(load.promise.clone());
        }
        let load = append_script(url, millis).map_err(|_| failed())?;
        let promise = load.promise.clone();
        loads.push(load);
        Ok(promise)
    })?;
    match JsFuture::from(promise).await {
        Ok(_) => {
            LOADS.with(|loads| {
                if let (Some(load), Some(window)) = (loads.borrow().iter().find(|l| l.url == url), web_sys::window()) {
                    window.clear_timeout_with_handle(load.timer);
                }
            });
            Ok(())
        }
        Err(reason) => {
            // Forget the failed load (its element too), so that the next call tries again.
            LOADS.with(|loads| {
                let mut loads = loads.borrow_mut();
                if let Some(i) = loads.iter().position(|l| l.url == url) {
                    let load = loads.remove(i);
                    load.script.set_onload(None);
                    load.script.set_onerror(None);
                    load.script.remove();
                }
            });
            if reason.as_string().as_deref() == Some("timeout") {
                Err(ScriptError::TimedOut { url: url.to_owned(), millis })
            } else {
                Err(failed())
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
