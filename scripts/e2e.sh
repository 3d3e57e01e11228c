#!/usr/bin/env bash
# The browser suite: starts the demo municipality and ChromeDriver, then drives the main
# journeys in headless Chromium with axe-core checking every page.
# Needs: chromium and chromium-driver (Debian), Node.js/npm for axe-core. Run from the
# repository root; .ci/run calls it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
port=${SAMSKAB_E2E_PORT:-18080}
driver_port=${SAMSKAB_E2E_DRIVER_PORT:-19515}
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  [ -n "${driver:-}" ] && kill "$driver" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

axe_dir=${SAMSKAB_AXE_DIR:-$HOME/.cache/samskab-axe}
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
  mkdir -p "$axe_dir"
  (cd "$axe_dir" && npm install --silent --no-audit --no-fund axe-core@4 >/dev/null)
fi

cargo build -q -p samskab
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
(cd "$work" && exec "$target/debug/samskab" serve --demo --db "$work/e2e.db" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1) &
server=$!
chromedriver --port="$driver_port" >"$work/driver.log" 2>&1 &
driver=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$driver_port/status" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log"; echo "the demo server did not start"; exit 1; }

SAMSKAB_E2E_URL="http://127.0.0.1:$port" \
SAMSKAB_E2E_WEBDRIVER="http://127.0.0.1:$driver_port" \
SAMSKAB_E2E_AXE="$axe_dir/node_modules/axe-core/axe.min.js" \
  cargo test -p e2e --test browser -- --test-threads=1 --nocapture
