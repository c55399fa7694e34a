#!/usr/bin/env bash
# The framework floor of the first load: a Leptos CSR app with the router,
# one route, one fetched and decoded list and a keyed <For>, built with
# Yurt's profile and tools. Prints its wasm and glue, raw and brotli.
set -euo pipefail
cd "$(dirname "$0")/floor"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yurt/target}"
[ -f Cargo.lock ] || cp ../../../Cargo.lock .
RUSTFLAGS="--cfg erase_components" cargo build --release --offline --quiet --target wasm32-unknown-unknown
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$out" "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/floor.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  "$out/floor_bg.wasm" -o "$out/floor_bg.wasm"
../../../node_modules/.bin/esbuild "$out/floor.js" --minify --format=esm --log-level=warning --outfile="$out/floor.js" --allow-overwrite
for f in floor_bg.wasm floor.js; do
  printf '%-16s %9d raw %9d brotli\n' "$f" "$(stat -c %s "$out/$f")" "$(brotli -c -q 11 "$out/$f" | wc -c)"
done
