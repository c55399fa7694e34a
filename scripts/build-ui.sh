#!/usr/bin/env bash
# Builds the release bundle into dist/ (trunk, offline, wasm-opt 116).
set -euo pipefail
cd "$(dirname "$0")/.."
# Build outputs live outside the checkout, so fresh clones (CI) reuse
# compiled dependencies; set CARGO_TARGET_DIR to override.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yurt/target}"
export PATH="$HOME/.cargo/bin:$PATH"
trunk build --release --offline --public-url "${YURT_BASE:-/ui/}" >/tmp/yurt-trunk.log 2>&1 || { cat /tmp/yurt-trunk.log; exit 1; }
echo "built dist/ (base ${YURT_BASE:-/ui/})"
