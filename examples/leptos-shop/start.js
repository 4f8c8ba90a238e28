// Starts the app's wasm module (its `main` mounts the Leptos app). An external file, not Trunk's inline
// script, so the page works under a Content-Security-Policy without 'unsafe-inline'.
import init from "/leptos-shop.js";

await init({ module_or_path: "/leptos-shop_bg.wasm" });
