// Starts the merchant dashboard: wasm-bindgen's loader fetches the wasm next to it; its start function
// mounts the app. A separate file, as the page's Content-Security-Policy allows no inline script.
import init from "./amazon-pay-dashboard.js";

init().catch((error) => {
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = `The dashboard could not start (${error}). Reload the page; if it stays, rebuild it with scripts/build-dashboard.`;
  document.body.append(p);
});
