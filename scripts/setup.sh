#!/usr/bin/env bash
# Idempotent set-up for Yurt on a fresh machine: installs only what is missing,
# prints nothing when everything is already present.
# Everything comes from crates.io, Debian's apt and npm; nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen in Cargo.lock
WASM_OPT_VERSION=0.116.1
WASM_SPLIT_VERSION=0.2.4      # wasm-split-cli (0.2.2 predates wasm-bindgen 0.2.128's imports)

say() { echo "setup: $*" >&2; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >/dev/null
fi

have_version() { # binary, expected version substring
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"
}

if ! have_version trunk "$TRUNK_VERSION"; then
  say "installing trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install --quiet --locked "trunk@$TRUNK_VERSION"
fi
if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (once)"
  cargo install --quiet --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if ! have_version wasm-opt "116"; then
  say "installing wasm-opt $WASM_OPT_VERSION (once)"
  cargo install --quiet --locked "wasm-opt@$WASM_OPT_VERSION"
fi

# wasm-split-cli has no --version: ask cargo what it installed
if ! command -v wasm-split-cli >/dev/null 2>&1 \
  || ! cargo install --list | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then
  say "installing wasm-split-cli $WASM_SPLIT_VERSION (once)"
  cargo install --quiet --locked wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --features build-binary
fi

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  say "installing chromium and chromium-driver from apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  say "installing nginx from apt (the reverse-proxy tests)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq nginx-light >/dev/null 2>&1 || apt-get install -y -qq nginx >/dev/null
fi

if ! command -v brotli >/dev/null 2>&1; then
  say "installing brotli from apt (bundle-size report)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  apt-get install -y -qq brotli >/dev/null
fi

if [ -f package-lock.json ] && { [ ! -d node_modules/playwright-core ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/@xterm/addon-fit ] || [ ! -f node_modules/axe-core/axe.min.js ]; }; then
  say "installing playwright-core, esbuild, xterm.js and axe-core from npm (package-lock.json)"
  npm ci --silent --no-audit --no-fund >/dev/null
fi
