#!/usr/bin/env bash
# The browser suite: starts a local OpenID Connect provider, the demo municipality (with
# OIDC login configured) and ChromeDriver, then drives the main journeys in headless
# Chromium with axe-core checking every page.
# Needs: chromium and chromium-driver (Debian), Node.js/npm for axe-core. Run from the
# repository root; .ci/run calls it. With SAMSKAB_E2E_POSTGRES_URL (a PostgreSQL server's
# URL, e.g. postgres://postgres@127.0.0.1:5432/postgres) the suite runs again on a fresh
# database there, so every journey is seen on both backends.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
port=${SAMSKAB_E2E_PORT:-18080}
driver_port=${SAMSKAB_E2E_DRIVER_PORT:-19515}
oidc_port=${SAMSKAB_E2E_OIDC_PORT:-18300}
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  [ -n "${pg_made:-}" ] && psql "$SAMSKAB_E2E_POSTGRES_URL" -q -c "DROP DATABASE IF EXISTS $pg_made" >/dev/null 2>&1 || true
  [ -n "${driver:-}" ] && kill "$driver" 2>/dev/null || true
  [ -n "${idp:-}" ] && kill "$idp" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# axe-core and a real OpenID Connect provider (oidc-provider), from the npm registry.
node_dir=${SAMSKAB_E2E_NODE_DIR:-$HOME/.cache/samskab-e2e-node}
if [ ! -f "$node_dir/node_modules/axe-core/axe.min.js" ] || [ ! -d "$node_dir/node_modules/oidc-provider" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --silent --no-audit --no-fund axe-core@4 oidc-provider@9 >/dev/null)
fi
cp crates/e2e/oidc-provider.mjs "$node_dir/"
redirect="http://127.0.0.1:$port/log-ind/oidc/tilbage"
OIDC_PORT=$oidc_port SAMSKAB_REDIRECT=$redirect node "$node_dir/oidc-provider.mjs" >"$work/idp.log" 2>&1 &
idp=$!

cargo build -q -p samskab
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$oidc_port/.well-known/openid-configuration" >/dev/null 2>&1 && break; sleep 0.2; done
chromedriver --port="$driver_port" >"$work/driver.log" 2>&1 &
driver=$!
cargo test -q -p e2e --test browser --no-run

# Runs the whole suite against a fresh demo municipality in the database at $1.
suite() {
  local db=$1
  (cd "$work" && SAMSKAB_OIDC_CLIENT_SECRET=samskab-test-secret exec "$target/debug/samskab" serve --demo --db "$db" \
    --listen "127.0.0.1:$port" --oidc-issuer "http://127.0.0.1:$oidc_port" --oidc-client-id samskab \
    --oidc-redirect-url "$redirect" >"$work/server.log" 2>&1) &
  server=$!
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$driver_port/status" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
  done
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/server.log"; echo "the demo server did not start"; exit 1; }
  SAMSKAB_E2E_URL="http://127.0.0.1:$port" \
  SAMSKAB_E2E_WEBDRIVER="http://127.0.0.1:$driver_port" \
  SAMSKAB_E2E_AXE="$node_dir/node_modules/axe-core/axe.min.js" \
    cargo test -p e2e --test browser -- --test-threads=1 --nocapture
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=
}

echo "== browser suite on SQLite"
suite "$work/e2e.db"
# The same journeys on PostgreSQL, in a database of their own, when a server is given.
if [ -n "${SAMSKAB_E2E_POSTGRES_URL:-}" ]; then
  pg_db="samskab_e2e_$$"
  psql "$SAMSKAB_E2E_POSTGRES_URL" -q -c "CREATE DATABASE $pg_db" >/dev/null
  pg_made=$pg_db
  echo "== browser suite on PostgreSQL"
  suite "${SAMSKAB_E2E_POSTGRES_URL%/*}/$pg_db"
fi
