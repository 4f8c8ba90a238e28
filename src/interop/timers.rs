//! Waiting without blocking: promise-based `setTimeout`, so polling loops and deadlines need no closures of their
//! own. (The timers call the promises' own `resolve`/`reject`: no Rust closure to keep alive, and no JS snippet
//! file for the page to fetch.)

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `setTimeout(handler, ms, arg)`, bound without catch (it does not throw): no exception check in the wasm.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout_raw(handler: &js_sys::Function, ms: i32, arg: &JsValue) -> i32;
    /// `clearTimeout(handle)`, bound without catch (it does not throw, whatever the handle).
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(handle: i32);
}

/// Calls `handler(arg)` after `ms` milliseconds; the timer's handle for `clearTimeout`.
pub(crate) fn set_timeout(handler: &js_sys::Function, ms: u32, arg: &JsValue) -> i32 {
    set_timeout_raw(handler, timeout_arg(ms), arg)
}

/// `ms` as `setTimeout` takes it: an `i32`, so longer waits are cut to `i32::MAX` ms (about 24.8 days).
pub(crate) fn timeout_arg(ms: u32) -> i32 {
    ms.min(i32::MAX as u32) as i32
}

/// `duration` in whole milliseconds, at most `u32::MAX` (about 49.7 days). Not `Duration::as_millis`, whose
/// `u128` brings a 128-bit multiplication (`__multi3`) into the wasm.
pub(crate) fn millis(duration: core::time::Duration) -> u32 {
    let secs = u32::try_from(duration.as_secs()).ok();
    secs.and_then(|s| s.checked_mul(1000)).and_then(|ms| ms.checked_add(duration.subsec_millis())).unwrap_or(u32::MAX)
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let timer = js_sys::Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms, &JsValue::UNDEFINED);
    });
    // The promise never rejects.
    let _ = JsFuture::from(timer).await;
}

/// `promise` raced against a deadline: what it settles with, or a rejection with `"timeout"` when it has not
/// settled after `ms` milliseconds; and the deadline's timer, for the caller to clear once the race is over.
/// Not `async`: the caller awaits the race in its own state machine (one less in the wasm).
pub fn within(promise: &js_sys::Promise, ms: u32) -> (js_sys::Promise, i32) {
    let mut timer = 0;
    let deadline = js_sys::Promise::new(&mut |_resolve, reject| {
        timer = set_timeout(&reject, ms, &"timeout".into());
    });
    (js_sys::Promise::race(&js_sys::Array::of2(promise, &deadline)), timer)
}

#[cfg(test)]
mod tests {
    use super::millis;
    use core::time::Duration;

    #[test]
    fn durations_in_milliseconds_stop_at_u32_max() {
        assert_eq!(millis(Duration::from_millis(1500)), 1500);
        assert_eq!(millis(Duration::from_micros(2999)), 2);
        assert_eq!(millis(Duration::from_millis(u64::from(u32::MAX))), u32::MAX);
        assert_eq!(millis(Duration::from_millis(u64::from(u32::MAX) + 1)), u32::MAX);
        assert_eq!(millis(Duration::from_secs(u64::MAX)), u32::MAX);
    }
}
