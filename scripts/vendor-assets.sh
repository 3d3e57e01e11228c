#!/usr/bin/env bash
# Copies the front-end files Samskab embeds from the npm registry into assets/vendor/.
# Run by a maintainer when bumping a version; builds and CI never need npm.
# Usage: scripts/vendor-assets.sh   (idempotent; writes assets/vendor/VERSIONS)
set -euo pipefail
DKFDS=11.2.0
HTMX=2.0.11
repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/assets/vendor"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "dkfds@$DKFDS" "htmx.org@$HTMX" >/dev/null
mkdir dkfds htmx
tar xzf "dkfds-$DKFDS.tgz" -C dkfds --strip-components=1
tar xzf "htmx.org-$HTMX.tgz" -C htmx --strip-components=1

d="$out/dkfds-$DKFDS"
rm -rf "$d" "$out/htmx-$HTMX"
mkdir -p "$d/css" "$d/js" "$d/img" "$out/htmx-$HTMX"
cp dkfds/dist/css/dkfds.min.css "$d/css/"
cp dkfds/dist/js/dkfds.min.js "$d/js/"
cp dkfds/LICENSE.md "$d/LICENSE.md" 2>/dev/null || cp dkfds/dist/LICENSE.md "$d/LICENSE.md"
# Exactly the fonts and images the stylesheet references, with the dist/ layout kept,
# so the CSS's relative url(../fonts/...) and url(../img/...) resolve.
grep -o 'url([^)]*)' dkfds/dist/css/dkfds.min.css | sed -E 's/url\(["'\'']?//; s/["'\'']?\)$//; s/[?#].*$//' \
  | grep '^\.\./' | sort -u | while read -r rel; do
    src="dkfds/dist/css/$rel"
    [ -f "$src" ] || continue
    dst="$d/css/$rel"
    mkdir -p "$(dirname "$dst")"
    cp "$src" "$dst"
  done
cp dkfds/dist/img/all-svg-icons.svg "$d/img/"
cp htmx/dist/htmx.min.js "$out/htmx-$HTMX/"
cp htmx/LICENSE "$out/htmx-$HTMX/LICENSE"
{
  echo "dkfds $DKFDS $(npm view "dkfds@$DKFDS" dist.integrity)"
  echo "htmx.org $HTMX $(npm view "htmx.org@$HTMX" dist.integrity)"
} > "$out/VERSIONS"
echo "vendored into $out"
