//! Waiting without blocking: a promise-based `setTimeout`, so polling loops need no closures of their own.

use wasm_bindgen_futures::JsFuture;

/// Resolves after `ms` milliseconds. (The timer calls the promise's own `resolve`: no Rust closure to keep
/// alive, and no JS snippet file for the page to fetch.)
pub async fn sleep(ms: u32) {
    let Some(window) = web_sys::window() else { return };
    let timer = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.min(i32::MAX as u32) as i32);
    });
    // The promise never rejects.
    let _ = JsFuture::from(timer).await;
}
