#!/usr/bin/env bash
# vendor-frontend.sh fetches the console's front-end libraries from npm at
# pinned versions and copies the files the console serves into
# internal/http/web/static/vendor/, so that `go build` never needs Node.
# Run it from anywhere; commit what it writes.
set -euo pipefail

HTMX_VERSION=2.0.11

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vendor="$root/internal/http/web/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# fetch NAME VERSION: unpack the npm tarball of NAME@VERSION into $tmp/NAME.
fetch() {
	local name="$1" version="$2"
	mkdir -p "$tmp/$name"
	(cd "$tmp/$name" && npm pack --silent "$name@$version" >/dev/null)
	tar -xzf "$tmp/$name"/*.tgz -C "$tmp/$name"
}

fetch htmx.org "$HTMX_VERSION"
mkdir -p "$vendor/htmx"
cp "$tmp/htmx.org/package/dist/htmx.min.js" "$vendor/htmx/htmx.min.js"
cp "$tmp/htmx.org/package/LICENSE" "$vendor/htmx/LICENSE"
echo "$HTMX_VERSION" >"$vendor/htmx/VERSION"

echo "vendored htmx.org@$HTMX_VERSION into ${vendor#"$root"/}/htmx"
