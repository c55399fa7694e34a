#!/usr/bin/env bash
# Prints the release bundle's first-load size: wasm, JS and CSS, raw and brotli.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET_KB=200
total_raw=0; total_br=0
printf '%-8s %12s %12s\n' "asset" "raw bytes" "brotli bytes"
for kind in wasm js css; do
  f=$(ls dist/*."$kind" 2>/dev/null | head -1)
  [ -n "$f" ] || { echo "no .$kind in dist/ (build first)"; exit 1; }
  raw=$(stat -c %s "$f"); br=$(brotli -c -q 11 "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_br=$((total_br + br))
  printf '%-8s %12d %12d\n' "$kind" "$raw" "$br"
done
printf '%-8s %12d %12d  (%d KB brotli; budget for the finished app %d KB; the official UI loads 1,061 KB)\n' \
  total "$total_raw" "$total_br" $((total_br / 1024)) "$BUDGET_KB"
if [ $((total_br / 1024)) -gt "$BUDGET_KB" ]; then echo "size: OVER the ${BUDGET_KB} KB budget by $(( total_br / 1024 - BUDGET_KB )) KB"; fi
