//! Waiting without blocking: promise-based `setTimeout`, so polling loops and deadlines need no closures of their
//! own. (The timers call the promises' own `resolve`/`reject`: no Rust closure to keep alive, and no JS snippet
//! file for the page to fetch.)

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// `ms` as `setTimeout` takes it: an `i32`, so longer waits are cut to `i32::MAX` ms (about 24.8 days).
pub(crate) fn timeout_arg(ms: u32) -> i32 {
    ms.min(i32::MAX as u32) as i32
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let Some(window) = web_sys::window() else { return };
    let timer = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, timeout_arg(ms));
    });
    // The promise never rejects.
    let _ = JsFuture::from(timer).await;
}

/// What `promise` settles with, or `Err("timeout")` when it has not settled after `ms` milliseconds. The timer
/// is cleared either way.
pub async fn within(promise: &js_sys::Promise, ms: u32) -> Result<JsValue, JsValue> {
    let Some(window) = web_sys::window() else { return Err("timeout".into()) };
    let mut timer = Ok(0);
    let deadline = js_sys::Promise::new(&mut |_resolve, reject| {
        timer = window.set_timeout_with_callback_and_timeout_and_arguments_1(&reject, timeout_arg(ms), &"timeout".into());
    });
    let outcome = JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(promise, &deadline))).await;
    if let Ok(timer) = timer {
        window.clear_timeout_with_handle(timer);
    }
    outcome
}
