//! Loads a third-party script once per page, however many widgets ask for it.
//!
//! Like paypal-js's loader: the same promise is returned to every caller while a load is in flight or has
//! succeeded; a failed or timed-out load is forgotten (its element removed), so a later call retries; failures
//! say what happened. A `<script>` the page already has for the same URL (a shop that includes Amazon's script
//! itself) is adopted, not doubled: Amazon's scripts define their globals once and misbehave when run twice.
//! A caller that knows the script's global ([`load_script_until`]) is answered at once when it is there, and a
//! page's own script counts as loaded only once it is (a preloaded script the page inserted late has a
//! resource timing entry before it has run).

use crate::prelude::*;
use core::cell::RefCell;
use core::time::Duration;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, HtmlScriptElement, Window};

/// How long one attempt waits for Amazon's script by default. Two attempts (see [`load_script_with_retry`])
/// plus the session request stay within 15 s, and the views say "still loading" long before that.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(6);

/// Set on a page's own `<script>` that failed while adopted, so that a retry adds a fresh one instead.
const FAILED_MARK: &str = "data-amazon-pay-failed";

/// Why a script did not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// The browser could not load it.
    Failed {
        /// The script's URL.
        url: String,
    },
    /// It did not load in time.
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
    /// The page's own element, adopted: never removed by us, only marked when it failed.
    adopted: bool,
}

thread_local! {
    static LOADS: RefCell<Vec<Load>> = const { RefCell::new(Vec::new()) };
}

/// The page's own `<script>` for `url` that has not failed us before, if any.
fn existing_script(document: &Document, url: &str) -> Option<HtmlScriptElement> {
    let scripts = crate::dom_calls::query_all(document, "script[src]");
    (0..scripts.length())
        .filter_map(|i| scripts.item(i)?.dyn_into::<HtmlScriptElement>().ok())
        .find(|s| s.src() == url && !s.has_attribute(FAILED_MARK))
}

/// Whether the page's own `script` has finished: `true` when the document is complete and the browser holds a
/// resource timing entry for it; else its `load` or `error` event, or the window's `load` (which comes after
/// every script the document was parsed with), will say. A page script that failed then counts as loaded: the
/// global it should have defined is missing, which the caller reports.
fn finished(window: &Window, document: &Document, script: &HtmlScriptElement) -> bool {
    document.ready_state() == "complete" && window.performance().is_some_and(|p| p.get_entries_by_name(&script.src()).length() > 0)
}

/// Adopts the page's own `<script>` for `url`, else appends `<script async src=url>`. The promise resolves on
/// `load` and rejects on `error` or, with `"timeout"`, after `millis`. Listeners (not `onload`, which is the
/// page's) and the timer call the promise's own functions, so no Rust closure outlives the load.
fn start_load(url: &str, millis: u32, defined: Option<fn() -> bool>) -> Result<Load, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = window.document().ok_or_else(|| JsValue::from_str("no document"))?;
    let found = existing_script(&document, url);
    let adopted = found.is_some();
    let script: HtmlScriptElement = match found {
        Some(script) => script,
        None => crate::dom_calls::create("script").unchecked_into(),
    };
    // With a known global, `Tries::attempt` found it missing just now: the page's script has not run yet.
    let done = adopted && defined.is_none() && finished(&window, &document, &script);
    let mut timer: Result<i32, JsValue> = Ok(0);
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        timer = (|| {
            if done {
                resolve.call0(&JsValue::NULL)?;
            } else {
                crate::dom_calls::listen(&script, "load", &resolve);
                crate::dom_calls::listen(&script, "error", &reject);
                if adopted {
                    crate::dom_calls::listen(&window, "load", &resolve);
                }
            }
            Ok(super::timers::set_timeout(&reject, millis, &"timeout".into()))
        })();
    });
    let timer = timer?;
    if !adopted {
        script.set_async(true);
        script.set_src(url);
        let head = document.head().ok_or_else(|| JsValue::from_str("no <head>"))?;
        crate::dom_calls::append(&head, &script);
    }
    Ok(Load { url: url.to_owned(), script, promise, timer, adopted })
}

/// Loads `url` once; concurrent and later callers share the same load. Gives up after `timeout`.
pub async fn load_script(url: &str, timeout: Duration) -> Result<(), ScriptError> {
    load_script_with_retry(url, timeout, 1).await
}

/// Loads `url`, trying `attempts` times in all before giving up with the last error.
///
/// The retry uses the same URL on purpose: after a timeout, Chromium joins the new `<script>` to the request
/// still in flight, so a slow script that arrives during the retry is used (a fresh URL would start over).
/// A script whose request hangs for good is reported after `attempts` timeouts.
pub fn load_script_with_retry(url: &str, timeout: Duration, attempts: u32) -> impl core::future::Future<Output = Result<(), ScriptError>> + '_ {
    load_script_until(url, None, timeout, attempts)
}

/// [`load_script_with_retry`] for a script whose global `defined` says is there: nothing is loaded while it is,
/// and a page's own `<script>` for `url` counts as loaded only once it is (or on its `load` event).
pub async fn load_script_until(url: &str, defined: Option<fn() -> bool>, timeout: Duration, attempts: u32) -> Result<(), ScriptError> {
    let mut tries = Tries::new(url, timeout, attempts);
    tries.defined = defined;
    loop {
        let outcome = JsFuture::from(tries.attempt()).await;
        if let Some(done) = tries.settle(outcome) {
            return done;
        }
    }
}

/// The attempts to load one script, for a caller that awaits each in its own loop (as
/// [`load_script_with_retry`] does): the bookkeeping in plain functions, so each caller's `async` code is one
/// small state machine in the wasm instead of one per nested `async fn`.
pub(crate) struct Tries<'a> {
    url: &'a str,
    millis: u32,
    left: u32,
    /// Whether the script's global is there, when the caller knows it (see [`load_script_until`]).
    defined: Option<fn() -> bool>,
}

impl<'a> Tries<'a> {
    /// At most `attempts` loads of `url` (at least one), each given `timeout`.
    pub(crate) fn new(url: &'a str, timeout: Duration, attempts: u32) -> Tries<'a> {
        Tries { url, millis: super::timers::millis(timeout), left: attempts.max(1), defined: None }
    }

    /// The promise of the load in flight or done (shared with every caller), else of a new one; a rejected one
    /// when it cannot start (no document).
    pub(crate) fn attempt(&self) -> js_sys::Promise {
        LOADS.with(|loads| {
            let mut loads = loads.borrow_mut();
            if let Some(load) = loads.iter().find(|l| l.url == self.url) {
                return load.promise.clone();
            }
            if self.defined.is_some_and(|defined| defined()) {
                return js_sys::Promise::resolve(&JsValue::UNDEFINED);
            }
            match start_load(self.url, self.millis, self.defined) {
                Ok(load) => {
                    let promise = load.promise.clone();
                    loads.push(load);
                    promise
                }
                Err(e) => js_sys::Promise::reject(&e),
            }
        })
    }

    /// What the awaited [`Tries::attempt`] came to: `None` to try again, else the answer. Loaded: its timer
    /// is cleared. Failed or timed out (`"timeout"`): the load is forgotten (our element too), so that the next
    /// attempt starts afresh. The page's own element is never removed; once it failed it is marked, so the
    /// next attempt adds a fresh one (after a timeout it may still arrive: the next attempt waits for it again).
    pub(crate) fn settle(&mut self, outcome: Result<JsValue, JsValue>) -> Option<Result<(), ScriptError>> {
        let timed_out = match &outcome {
            Ok(_) => None,
            Err(reason) => Some(reason.as_string().as_deref() == Some("timeout")),
        };
        LOADS.with(|loads| {
            let mut loads = loads.borrow_mut();
            let Some(i) = loads.iter().position(|l| l.url == self.url) else { return };
            match timed_out {
                None => super::timers::clear_timeout(loads[i].timer),
                Some(timed_out) => {
                    let load = loads.remove(i);
                    if !load.adopted {
                        load.script.remove();
                    } else if !timed_out {
                        crate::dom_calls::set_attribute(&load.script, FAILED_MARK, "");
                    }
                }
            }
        });
        let url = self.url.to_owned();
        let error = match timed_out {
            None => return Some(Ok(())),
            Some(true) => ScriptError::TimedOut { url, millis: self.millis },
            Some(false) => ScriptError::Failed { url },
        };
        self.left -= 1;
        (self.left == 0).then_some(Err(error))
    }
}

/// How many `<script>` elements with exactly this `src` are in the document (for tests and diagnostics).
pub fn script_count(url: &str) -> u32 {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return 0 };
    let scripts = crate::dom_calls::query_all(&document, "script[src]");
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

impl core::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::js_error::write_parts as w;
        match self {
            ScriptError::Failed { url } => w(f, &["the script ", url, " failed to load (network error, blocked, or not found)"]),
            ScriptError::TimedOut { url, millis } => {
                w(f, &["the script ", url, " did not load within ", &amazon_pay_contract::digits((*millis).into()), " ms"])
            }
        }
    }
}

impl ScriptError {
    /// The same words as `Display` (a test holds them equal), concatenated: no `Formatter` in the legacy
    /// bundles (`crate::js_error::Cause`); the review page's loader keeps `Display`.
    pub fn text(&self) -> String {
        match self {
            ScriptError::Failed { url } => ["the script ", url, " failed to load (network error, blocked, or not found)"].concat(),
            ScriptError::TimedOut { url, millis } => {
                ["the script ", url, " did not load within ", &amazon_pay_contract::digits((*millis).into()), " ms"].concat()
            }
        }
    }
}
