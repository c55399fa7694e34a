#!/usr/bin/env bash
# Habits the test command enforces before any test runs: formatting,
# clippy with warnings as errors (native crates, and the UI crate for
# wasm32), and no source file over 650 lines (aim for 600).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yurt/target}"
export PATH="$HOME/.cargo/bin:$PATH"

cargo fmt --all -- --check || { echo "lint: run cargo fmt --all"; exit 1; }
cargo clippy --quiet -p nomad-model -p nomad-sim --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown -p yurt --all-targets -- -D warnings

long=$(find src nomad/src nomad/tests sim/src sim/tests tests -name '*.rs' -exec wc -l {} + \
  | awk '$2 != "total" && $1 > 650 {printf "  %s (%s lines)\n", $2, $1}')
if [ -n "$long" ]; then
  echo "lint: files over 650 lines; split them:"
  echo "$long"
  exit 1
fi
echo "lint: ok"
