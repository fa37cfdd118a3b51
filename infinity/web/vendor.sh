#!/usr/bin/env bash
# Vendor the browser client's npm dependencies into static/vendor/: three and
# msgpack for the game, uPlot for the operators' console (/heart), and iwer
# (an emulated WebXR headset) that only tests load, through `/?xr-emulate=1`.
#
# Why vendor at all: the client must work with no build step and must never
# fetch anything from outside the server (no CDN), so the exact ES module files
# are committed. This script is how they were produced; rerun it to check or
# to bump a version (change the pins below and in index.html's importmap).
set -euo pipefail

THREE_VERSION=0.187.0
MSGPACK_VERSION=3.1.3
UPLOT_VERSION=1.6.32
IWER_VERSION=2.5.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
# `npm pack` fetches the published tarball exactly as the registry serves it:
# no install scripts run and no dependency tree is resolved.
npm pack --silent "three@$THREE_VERSION" "@msgpack/msgpack@$MSGPACK_VERSION" "uplot@$UPLOT_VERSION" "iwer@$IWER_VERSION" >/dev/null
mkdir three msgpack uplot iwer
tar -xzf "three-$THREE_VERSION.tgz" -C three --strip-components=1
tar -xzf "msgpack-msgpack-$MSGPACK_VERSION.tgz" -C msgpack --strip-components=1
tar -xzf "uplot-$UPLOT_VERSION.tgz" -C uplot --strip-components=1
tar -xzf "iwer-$IWER_VERSION.tgz" -C iwer --strip-components=1

rm -rf "$dest"
mkdir -p "$dest/three" "$dest/msgpack" "$dest/uplot" "$dest/iwer"

# three: the WebGL entry point imports everything else from three.core.js.
cp three/build/three.module.js three/build/three.core.js "$dest/three/"
cp three/LICENSE "$dest/three/LICENSE"

# @msgpack/msgpack ships its ES build as a tree of .mjs files with relative
# imports only (no bare specifiers), so the tree is self-contained as is.
(cd msgpack/dist.esm && find . -name '*.mjs' -print0 | xargs -0 -I{} cp --parents {} "$dest/msgpack/")
cp msgpack/LICENSE "$dest/msgpack/LICENSE"

# uPlot: one self-contained ES module (no imports) and its stylesheet.
cp uplot/dist/uPlot.esm.js uplot/dist/uPlot.min.css uplot/LICENSE "$dest/uplot/"

# iwer: its ES build bundles gl-matrix and webxr-layers-polyfill (both MIT),
# so it is one module with no imports. Loaded only by static/vr/emulate.js.
cp iwer/build/iwer.module.js iwer/LICENSE "$dest/iwer/"

# Sanity: every relative import of the copied modules resolves inside vendor/.
missing=0
while IFS= read -r file; do
  dir="$(dirname "$file")"
  while IFS= read -r spec; do
    [[ -f "$dir/$spec" ]] || { echo "unresolved import $spec in $file" >&2; missing=1; }
  done < <(grep -oE "from ['\"]\.{1,2}/[^'\"]+['\"]" "$file" | sed -E "s/^from ['\"]//; s/['\"]$//")
done < <(find "$dest" -name '*.js' -o -name '*.mjs')
[[ $missing -eq 0 ]]

cat > "$dest/VERSIONS" <<VERSIONS
three $THREE_VERSION (npm), files: three/three.module.js three/three.core.js
@msgpack/msgpack $MSGPACK_VERSION (npm), files: msgpack/**/*.mjs (dist.esm)
uplot $UPLOT_VERSION (npm), files: uplot/uPlot.esm.js uplot/uPlot.min.css
iwer $IWER_VERSION (npm), files: iwer/iwer.module.js (tests only: /?xr-emulate=1)
produced by infinity/web/vendor.sh
VERSIONS
echo "vendored three@$THREE_VERSION, @msgpack/msgpack@$MSGPACK_VERSION, uplot@$UPLOT_VERSION and iwer@$IWER_VERSION into $dest"
