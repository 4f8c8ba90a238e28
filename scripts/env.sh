# Sourced by the other scripts: where the project's tools live. Safe to source more than once.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
# The exact wasm-bindgen CLI version, pinned in Trunk.toml's [tools] (`wasm_bindgen = "X"`); the bundles pin the
# crate to the same version (`wasm-bindgen = { version = "=X", … }` in bundles/*/Cargo.toml).
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm_bindgen = "\([0-9.]*\)".*/\1/p' "$ROOT/Trunk.toml")"
TRUNK_VERSION_REQ="~0.21"
step() { printf '\n==> %s\n' "$*"; }
# nginx, the load balancer of the multi-instance tests and benchmarks (Debian's nginx-light when missing).
ensure_nginx() {
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    step "apt-get install nginx-light (the balancer of the multi-instance tests)"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends nginx-light
  fi
}
