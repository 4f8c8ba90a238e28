//! Waiting without blocking: a promise-based `setTimeout`, so polling loops need no closures of their own.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = "export function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }")]
extern "C" {
    #[wasm_bindgen(js_name = sleep)]
    fn sleep_promise(ms: u32) -> js_sys::Promise;
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    // The promise never rejects.
    let _ = JsFuture::from(sleep_promise(ms)).await;
}
