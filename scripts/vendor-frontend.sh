#!/usr/bin/env bash
# vendor-frontend.sh fetches the console's front-end libraries from npm at
# pinned versions and copies the files the console serves into
# internal/http/web/static/vendor/, so that `go build` never needs Node.
# Run it from anywhere; commit what it writes.
set -euo pipefail

HTMX_VERSION=2.0.11
LEAFLET_VERSION=1.9.4
MARKERCLUSTER_VERSION=1.5.3
GEOMAN_VERSION=2.20.2
HEAT_VERSION=0.2.0

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

# The map: Leaflet, marker clustering, drawing and editing (Geoman), and
# the heat layer. Only the built files and their licences are kept.
fetch leaflet "$LEAFLET_VERSION"
rm -rf "$vendor/leaflet"
mkdir -p "$vendor/leaflet/images"
cp "$tmp/leaflet/package/dist/leaflet.js" "$tmp/leaflet/package/dist/leaflet.css" "$vendor/leaflet/"
cp "$tmp/leaflet/package/dist/images/"*.png "$vendor/leaflet/images/"
cp "$tmp/leaflet/package/LICENSE" "$vendor/leaflet/LICENSE"
echo "$LEAFLET_VERSION" >"$vendor/leaflet/VERSION"

fetch leaflet.markercluster "$MARKERCLUSTER_VERSION"
rm -rf "$vendor/markercluster"
mkdir -p "$vendor/markercluster"
cp "$tmp/leaflet.markercluster/package/dist/leaflet.markercluster.js" \
	"$tmp/leaflet.markercluster/package/dist/MarkerCluster.css" \
	"$tmp/leaflet.markercluster/package/dist/MarkerCluster.Default.css" "$vendor/markercluster/"
cp "$tmp/leaflet.markercluster/package/MIT-LICENCE.txt" "$vendor/markercluster/LICENSE"
echo "$MARKERCLUSTER_VERSION" >"$vendor/markercluster/VERSION"

fetch @geoman-io/leaflet-geoman-free "$GEOMAN_VERSION"
rm -rf "$vendor/geoman"
mkdir -p "$vendor/geoman"
cp "$tmp/@geoman-io/leaflet-geoman-free/package/dist/leaflet-geoman.min.js" \
	"$tmp/@geoman-io/leaflet-geoman-free/package/dist/leaflet-geoman.css" "$vendor/geoman/"
cp "$tmp/@geoman-io/leaflet-geoman-free/package/LICENSE" "$vendor/geoman/LICENSE"
echo "$GEOMAN_VERSION" >"$vendor/geoman/VERSION"

fetch leaflet.heat "$HEAT_VERSION"
rm -rf "$vendor/heat"
mkdir -p "$vendor/heat"
cp "$tmp/leaflet.heat/package/dist/leaflet-heat.js" "$vendor/heat/"
cp "$tmp/leaflet.heat/package/LICENSE" "$vendor/heat/LICENSE"
echo "$HEAT_VERSION" >"$vendor/heat/VERSION"

echo "vendored leaflet@$LEAFLET_VERSION, leaflet.markercluster@$MARKERCLUSTER_VERSION, @geoman-io/leaflet-geoman-free@$GEOMAN_VERSION, leaflet.heat@$HEAT_VERSION"
