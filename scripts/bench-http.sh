#!/usr/bin/env bash
# HTTP benchmark: starts the demo municipality with 25,000 employees on SQLite (release
# build), then loads the organisation pages and the span-of-control report from a second
# process (wrk, 32 connections) and prints requests/s and p50/p99 latency next to the same
# figures for the bare /healthz route of the same server, as ratios. The bare route answers a
# constant through the same middleware; it is measured without a session (the ceiling) and
# with one (what every signed-in page pays before its own work). Also prints the
# server's peak memory and how long `serve --demo` took to be ready.
#
# Usage: scripts/bench-http.sh [employees] [seconds per route]
# Needs: wrk (apt-get install wrk), curl, python3.
set -euo pipefail
size=${1:-25000}
duration=${2:-10}
connections=32
port=${SAMSKAB_BENCH_PORT:-18090}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build -q --release -p samskab
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
work=$(mktemp -d)
trap '[ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

start=$(date +%s.%N)
"$target/release/samskab" serve --demo --demo-size "$size" --db "$work/bench.db" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.05; done
ready=$(python3 -c "print(f'{$(date +%s.%N) - $start:.2f}')")

# Log in as the administrator (sees everything) and keep the session cookie.
jar="$work/cookies"
token=$(curl -fs -c "$jar" "http://127.0.0.1:$port/log-ind" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -fs -b "$jar" -c "$jar" -o /dev/null -d "csrf_token=$token&username=admin&password=demo&next=/" "http://127.0.0.1:$port/log-ind"
session=$(awk '$6 == "samskab_session" { print $7 }' "$jar")
[ -n "$session" ] || { echo "login failed" >&2; exit 1; }
cookie="Cookie: samskab_session=$session"
unit=$(curl -fs -H "$cookie" "http://127.0.0.1:$port/organisation" | grep -o '/organisation/enhed/[0-9a-f-]*' | sed -n 2p)

run() { # name path
  local out
  local header=${3-$cookie}
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H "$header" "http://127.0.0.1:$port$2")
  printf '%s\n' "$out" >> "$work/wrk.log"
  python3 - "$1" "$out" <<'PY'
import re, sys
name, out = sys.argv[1], sys.argv[2]
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
    if not m:
        sys.exit(f"cannot read the latency {v!r} in:\n{out}")
    n, unit = m.groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p50 = ms(re.search(r"^\s*50%\s+(\S+)", out, re.M).group(1))
p99 = ms(re.search(r"^\s*99%\s+(\S+)", out, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(f"{name}\t{rps:.0f}\t{p50:.2f}\t{p99:.2f}\t{errors.group(1) if errors else 0}")
PY
}

{
  run "bare /healthz" /healthz "X-Bench: bare"
  run "bare /healthz, with session" /healthz
  run "organisation overview" /organisation
  run "unit page" "$unit"
  run "span of control" /organisation/ledelsesspaend
  run "span of control, over 30" "/organisation/ledelsesspaend?kun_over=1"
} > "$work/results.tsv"
peak=$(awk '/VmHWM/ { print $2 }' "/proc/$server/status")

python3 - "$work/results.tsv" "$size" "$connections" "$ready" "$peak" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().strip().splitlines()]
size, conns, ready, peak = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
base = float(rows[0][1])
print(f"Samskab HTTP benchmark: demo with {size} employees on SQLite, wrk with {conns} connections")
print(f"{'route':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} {'errors':>7}")
for name, rps, p50, p99, err in rows:
    print(f"{name:28} {float(rps):8.0f} {float(p50):8.2f} {float(p99):8.2f} {float(rps)/base:8.1%} {err:>7}")
print(f"server peak memory (VmHWM): {peak/1024:.0f} MB")
print(f"serve --demo --demo-size {size} ready after {ready} s (from an empty directory)")
PY
