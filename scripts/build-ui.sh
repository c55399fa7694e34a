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

# the areas' stylesheet goes with the chunks (and into their folder's hash)
node_modules/.bin/esbuild "$dist/areas.css" --minify --log-level=warning --outfile="$out/areas.css"
# the exec page's terminal (xterm.js from npm), fetched by that page only
node_modules/.bin/esbuild js/term.js --bundle --minify --format=esm --log-level=warning --outfile="$out/term.js"
node_modules/.bin/esbuild node_modules/@xterm/xterm/css/xterm.css --minify --log-level=warning --outfile="$out/term.css"
rm "$dist/areas.css"
hash=$(cat "$out"/* | sha256sum | cut -c1-16)
app="app-$hash"
rm -rf "$dist"/app-*
mkdir -p "$dist/$app"
cp "$out"/* "$dist/$app/"
if [ "$profile" = release ]; then
  # wasm-bindgen's glue and the chunk loader, minified (trunk would, but it
  # does not build them here); the glue imports the loader once per chunk
  # under one key, which esbuild warns of and keeps as it is
  for f in "$dist/$app"/yurt.js "$dist/$app"/__wasm_split.js; do
    node_modules/.bin/esbuild "$f" --minify --format=esm --log-level=warning \
      --log-override:duplicate-object-key=silent --outfile="$f" --allow-overwrite
  done
fi
# The start script is a file (no inline script, for a strict CSP) that finds
# the glue and the wasm next to itself, so the bundle works under any prefix.
cat > "$dist/$app/start.js" <<'JS'
import init from './yurt.js';
// the theme before the first paint (the top bar's switch keeps it after)
try {
  const t = localStorage.getItem('yurt.theme');
  document.documentElement.dataset.theme = t === 'light' || t === 'dark' ? t : matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
} catch (_) {}
await init({ module_or_path: new URL('yurt_bg.wasm', import.meta.url) });
JS
start="<link rel=\"modulepreload\" href=\"$app/yurt.js\"><link rel=\"preload\" href=\"$app/yurt_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin><script type=\"module\" src=\"$app/start.js\"></script>"
python3 - "$dist/index.html" "$start" "$app" "$base" <<'EOF'
import re, sys
path, start, app, base = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
html = open(path).read()
# Every file is named relative to <base href>, and the base tag has one
# spelling, so a proxy can serve the same bundle under another prefix by
# rewriting only that tag (deploy/nginx.conf's sub_filter).
html, n = re.subn(r'<base href="?([^" >]*)"?\s*/?>', lambda m: f'<base href="{m.group(1)}">', html)
if n != 1:
    sys.exit(f"build-ui: {path} has {n} base tags, not one")
html = re.sub(r'(<link[^>]*\bhref=)"?' + re.escape(base) + r'([^" >]+)"?', lambda m: f'{m.group(1)}"{m.group(2)}"', html)
# trunk minifies index.html in release builds: match the placeholder in any spelling
mark = re.compile(r'<script[^>]*\bdata-yurt-start\b[^>]*></script>')
if not mark.search(html):
    sys.exit(f"build-ui: {path} lacks the data-yurt-start placeholder")
# trunk leaves the skipped rust link in place; the browser has no use for it
html = re.sub(r'<link[^>]*\bdata-trunk-skip\b[^>]*>', '', html)
# the areas' stylesheet now sits in the app's folder
html, n = re.subn(r'(<meta[^>]*content=)"?areas\.css"?', lambda m: f'{m.group(1)}"{app}/areas.css"', html)
if n != 1:
    sys.exit(f"build-ui: {path} lacks the yurt-area-styles meta")
open(path, "w").write(mark.sub(lambda _: start, html))
EOF
echo "built $dist/ (base $base, $(ls "$dist/$app"/*.wasm | wc -l) wasm modules in $app/)"
