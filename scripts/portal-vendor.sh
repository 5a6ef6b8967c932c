#!/usr/bin/env bash
# Vendors the portal's browser libraries from the npm registry, at pinned
# versions, into the gateway's embedded assets (and axe-core into the
# browser tests' testdata), so that the portal and its tests work offline.
# Run it again only to change a version; the files are committed.
#   scripts/portal-vendor.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
leaflet=1.9.4
axe=4.14.1
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "leaflet@$leaflet" "axe-core@$axe" >/dev/null
tar -xzf "leaflet-$leaflet.tgz" && mv package leaflet
tar -xzf "axe-core-$axe.tgz" && mv package axe

dst="$root/services/gateway/internal/portal/static/vendor/leaflet"
rm -rf "$dst" && mkdir -p "$dst/images"
cp leaflet/dist/leaflet.js leaflet/dist/leaflet.css leaflet/LICENSE "$dst/"
cp leaflet/dist/images/*.png "$dst/images/"
echo "leaflet $leaflet" >"$dst/VERSION"

tdst="$root/services/relais/e2e/testdata/axe"
mkdir -p "$tdst"
cp axe/axe.min.js axe/LICENSE "$tdst/"
echo "axe-core $axe" >"$tdst/VERSION"
echo "vendored leaflet $leaflet and axe-core $axe"
