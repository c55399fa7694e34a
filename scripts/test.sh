#!/usr/bin/env bash
# Sets up what is missing and runs every test layer:
#   0. lint: cargo fmt --check, clippy -D warnings (native and wasm32), file length
#   1. native: cargo test (nomad-model: corpus, decoder, diff; nomad-sim: API)
#   2. the release bundle, and its size
#   3. browser: wasm-bindgen-test in headless Chromium against nomad-sim
#   4. end to end: Playwright driving Chromium against nomad-sim serving dist/
set -euo pipefail
cd "$(dirname "$0")/.."
# Build outputs live outside the checkout, so fresh clones (CI) reuse
# compiled dependencies; set CARGO_TARGET_DIR to override.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yurt/target}"
export PATH="$HOME/.cargo/bin:$PATH"
start=$(date +%s)
step() { echo; echo "=== $* ($(( $(date +%s) - start ))s)"; }

step "set-up"
bash scripts/setup.sh

step "lint (fmt, clippy, file length)"
bash scripts/lint.sh

step "native tests"
cargo test --quiet 2>&1 | tee /tmp/yurt-native.log | grep -E "^(test result|running|error)|panicked|FAILED" || true
if grep -qE "FAILED|^error" /tmp/yurt-native.log || ! grep -q "test result: ok" /tmp/yurt-native.log; then
  cat /tmp/yurt-native.log; echo "native tests failed"; exit 1
fi

step "release bundle"
bash scripts/build-ui.sh
bash scripts/size.sh

step "browser tests (wasm-bindgen-test, headless Chromium)"
cargo build --quiet -p nomad-sim
sim_log=$(mktemp)
"$CARGO_TARGET_DIR/debug/nomad-sim" --listen 127.0.0.1:0 --tick-ms 300 >"$sim_log" 2>&1 &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$sim_log" && break; sleep 0.1; done
sim_url=$(grep -o "http://127.0.0.1:[0-9]*" "$sim_log" | head -1)
YURT_TEST_SIM="$sim_url" cargo test --target wasm32-unknown-unknown -p yurt 2>&1 | tee /tmp/yurt-browser.log | grep -E "^test |test result|panicked" || true
kill $sim_pid 2>/dev/null || true
grep -q "test result: ok. [1-9]" /tmp/yurt-browser.log || { cat /tmp/yurt-browser.log; echo "browser tests failed"; exit 1; }

step "end-to-end tests (Playwright + Chromium)"
YURT_SIM_BIN="$CARGO_TARGET_DIR/debug/nomad-sim" node --test --test-concurrency=1 --test-reporter=spec tests/e2e/ 2>&1 | tee /tmp/yurt-e2e.log | grep -vE "^\s*$" | tail -40
grep -qE "^ℹ fail 0" /tmp/yurt-e2e.log || { echo "end-to-end tests failed"; exit 1; }

step "all test layers passed"
echo "screenshots: tests/e2e/screenshots/"
