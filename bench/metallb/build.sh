#!/usr/bin/env bash
# Builds MetalLB's controller and speaker from bench/metallb/go.mod into a cache
# directory keyed by the module files, once per machine; prints the directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export PATH="$PATH:/usr/local/go/bin"
release="$(sed -n 's/^require go.universe.tf\/metallb \(v[^ ]*\)$/\1/p' "$here/go.mod")"
hash="$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)"
out="${PORTICO_METALLB_BIN:-$HOME/.cache/portico/metallb/${release}-${hash}}"
if [ ! -x "$out/speaker" ] || [ ! -x "$out/controller" ]; then
  mkdir -p "$out.tmp"
  (cd "$here" && go build -o "$out.tmp/" go.universe.tf/metallb/controller go.universe.tf/metallb/speaker) >&2
  rm -rf "$out" && mv "$out.tmp" "$out"
fi
echo "$out"
