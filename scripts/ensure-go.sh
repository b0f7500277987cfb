#!/usr/bin/env bash
# Makes a Go toolchain new enough for packages/test-cluster/go/go.mod available as
# `go`, for CI on a fresh machine: the one on PATH or in /usr/local/go, else
# Debian's golang-go, which fetches the release go.mod asks for as a module.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null; then
  apt-get install -y -q --no-install-recommends golang-go >/dev/null
fi
want="go$(sed -n 's/^go //p' packages/test-cluster/go/go.mod)"
have="$(go env GOVERSION)"
if [ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -1)" != "$want" ]; then
  # Older than go.mod wants (Debian 12 ships 1.19, which cannot switch toolchains
  # by itself): the toolchain is itself a module, golang.org/toolchain.
  module="golang.org/toolchain@v0.0.1-${want}.$(go env GOOS)-$(go env GOARCH)"
  dir="$(cd "$(mktemp -d)" && go mod init tmp >/dev/null 2>&1 && go mod download -json "$module" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  chmod +x "$dir/bin/"* "$dir/pkg/tool/"*/* 2>/dev/null || true
  ln -sf "$dir/bin/go" /usr/local/bin/go
fi
echo "Go for the test cluster: $(go version)"
