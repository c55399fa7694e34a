#!/usr/bin/env bash
# Sets up what is missing, builds Yurt, and serves it at /ui/ with the API at
# /v1/: from nomad-sim's demo cluster, or proxied to a real agent when
# NOMAD_ADDR is set. PORT (default 4646), SCENARIO (demo|large) and extra
# nomad-sim flags (e.g. --acl) can be given.
set -euo pipefail
cd "$(dirname "$0")/.."
# Build outputs live outside the checkout, so fresh clones (CI) reuse
# compiled dependencies; set CARGO_TARGET_DIR to override.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yurt/target}"
bash scripts/setup.sh
bash scripts/build-ui.sh
cargo build --quiet --release -p nomad-sim
PORT="${PORT:-4646}"
args=(--listen "127.0.0.1:$PORT" --ui dist)
if [ -n "${NOMAD_ADDR:-}" ]; then
  args+=(--proxy "$NOMAD_ADDR")
  [ -n "${NOMAD_SKIP_VERIFY:-}" ] && args+=(--proxy-insecure)
else
  args+=(--scenario "${SCENARIO:-demo}")
fi
echo
echo "Yurt is starting: open http://127.0.0.1:$PORT/ui/  (Ctrl-C to stop)"
exec "$CARGO_TARGET_DIR/release/nomad-sim" "${args[@]}" "$@"
