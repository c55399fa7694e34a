#!/usr/bin/env bash
# Builds the bundle into dist/ (or $YURT_DIST), offline, with the pinned
# tools. Trunk does the stylesheet, the favicon and index.html; the wasm is
# built here because trunk 0.21 cannot split it: cargo (feature `split`,
# linked with --emit-relocs) → wasm-split-cli (one chunk per area, see
# src/lazy.rs) → wasm-bindgen --keep-lld-exports (the chunk loader calls
# back through the function table) → wasm-opt 116 on every module. The
# modules go into dist/app-<hash>/ (the loader fetches chunks next to
# itself by fixed names, so the directory carries the version) and
# index.html gets the script that starts them.
# DEBUG=1: dev profile, no wasm-opt, names kept (readable panic stacks).
set -euo pipefail
cd "$(dirname "$0")/.."
# Build outputs live outside the checkout, so fresh clones (CI) reuse
# compiled dependencies; set CARGO_TARGET_DIR to override.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yurt/target}"
export PATH="$HOME/.cargo/bin:$PATH"
base="${YURT_BASE:-/ui/}"
dist="${YURT_DIST:-dist}"
if [ "${DEBUG:-}" = 1 ]; then profile=debug; release=(); else profile=release; release=(--release); fi

trunk build "${release[@]}" --offline --public-url "$base" --dist "$dist" >/tmp/yurt-trunk.log 2>&1 \
  || { cat /tmp/yurt-trunk.log; exit 1; }

cargo build "${release[@]}" --offline --quiet --target wasm32-unknown-unknown --bin yurt --features split
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/yurt.wasm"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-split-cli "$wasm" "$out" --target web --out-name yurt >/dev/null
if [ "$profile" = debug ]; then keep=(--debug --keep-debug); else keep=(); fi
wasm-bindgen --target web --keep-lld-exports --no-typescript "${keep[@]}" \
  --out-name yurt --out-dir "$out" "$out/yurt.wasm"
rm "$out/yurt.wasm"
if [ "$profile" = release ]; then
  for f in "$out"/*.wasm; do
    # (the split modules carry a name subsection wasm-opt 116 does not know)
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals "$f" -o "$f" 2> >(grep -v "unknown name subsection" >&2)
  done
fi

hash=$(cat "$out"/* | sha256sum | cut -c1-16)
app="app-$hash"
rm -rf "$dist"/app-*
mkdir -p "$dist/$app"
cp "$out"/* "$dist/$app/"
# the start script replaces the placeholder trunk copied through; paths
# are relative to <base href>
start="<link rel=\"modulepreload\" href=\"$app/yurt.js\"><link rel=\"preload\" href=\"$app/yurt_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin><script type=\"module\">import init from './$app/yurt.js'; await init({ module_or_path: './$app/yurt_bg.wasm' });</script>"
python3 - "$dist/index.html" "$start" <<'EOF'
import sys
path, start = sys.argv[1], sys.argv[2]
html = open(path).read()
mark = '<script type="module" data-yurt-start></script>'
if mark not in html:
    sys.exit(f"build-ui: {path} lacks {mark}")
open(path, "w").write(html.replace(mark, start))
EOF
echo "built $dist/ (base $base, $(ls "$dist/$app"/*.wasm | wc -l) wasm modules in $app/)"
