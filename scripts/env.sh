# Sourced by the other scripts: where the project's tools live. Safe to source more than once.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
# The exact wasm-bindgen version the widget pins in Cargo.toml (`wasm-bindgen = "=X"`).
WASM_BINDGEN_VERSION="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml")"
TRUNK_VERSION_REQ="~0.21"
step() { printf '\n==> %s\n' "$*"; }
