#!/usr/bin/env bash
# Feedback and measurement at full size: the demo municipality at 25,000 employees with a
# history of about 1,000,000 survey answers (four waves of the 20-question well-being survey,
# two WHO-5 rounds and monthly pulses back in time), on SQLite and on PostgreSQL (the same
# generator and seed). Per backend, on a server started afresh, so that no table is decided yet:
#   - the whole tree × 20 questions × 4 waves: /api/v1/aggregates/tree for every question and
#     wave, one after another (each reads its running totals, decides the suppression for the
#     whole organisation and answers with every unit) — target < 1 s in all;
#   - a unit's aggregate with its subtree: the first request for a wave on a fresh server
#     (the table decided on the way) for 20 different units, then warm under wrk — target
#     < 100 ms;
#   - the answering page /svar/{token} of an open round and a leader's results page, under wrk
#     at 32 connections next to /healthz of the same server — target p99 < 50 ms;
# then PostgreSQL against SQLite as ratios (target within 2×). The cost of one elimination
# when every question's counts differ (no pattern reused) is printed by
# `cargo run --release -p analysis --example suppress_tree` with the same tree size.
#
# Usage: scripts/bench-feedback.sh [seconds per route] [employees] [answers]
#   SAMSKAB_BENCH_BIN=path      a release binary built already (else it is built here)
#   SAMSKAB_BENCH_POSTGRES_URL  postgres://…/postgres to run PostgreSQL too (a database
#                               samskab_bench is made and dropped)
# Needs: wrk (apt-get install wrk), curl, python3; psql for PostgreSQL.
set -euo pipefail
duration=${1:-8}
employees=${2:-25000}
answers=${3:-1000000}
connections=32
port=${SAMSKAB_BENCH_PORT:-18096}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

bin=${SAMSKAB_BENCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build -q --release -p samskab
  target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$target/release/samskab"
fi
work=$(mktemp -d)
pg_admin=${SAMSKAB_BENCH_POSTGRES_URL:-}
pg_db=samskab_bench
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null
  [ -n "$pg_admin" ] && psql "$pg_admin" -q -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

start_server() { # db
  "$bin" serve --demo --db "$1" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
  server=$!
  until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.05
  done
}
stop_server() {
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=
}

measure() { # name path header → "name req/s p50 p99 non-2xx"
  curl -fs -o /dev/null -H "$3" "http://127.0.0.1:$port$2"
  wrk -t2 -c"$connections" -d"${duration}s" --latency -H "$3" "http://127.0.0.1:$port$2" | python3 -c '
import re, sys
name, t = sys.argv[1], sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def ms(p):
    v, u = re.search(p + r"%\s+([\d.]+)(us|ms|s)", t).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(name, rps, ms("50"), ms("99"), bad.group(1) if bad else 0)' "$1"
}

run_backend() { # name db-url
  local name=$1 db=$2
  echo "== $name: demo with about $employees employees and $answers survey answers"
  local started=$SECONDS
  "$bin" demo --size "$employees" --answers "$answers" --db "$db" | tail -1
  echo "   made in $((SECONDS - started)) s"
  # What was made, read from the database itself.
  local counts="SELECT (SELECT COUNT(*) FROM feedback_response WHERE round_id IS NOT NULL) || ' answers in ' ||
    (SELECT COUNT(*) FROM feedback_round) || ' rounds, ' || (SELECT COUNT(*) FROM feedback_round_link) || ' personal links'"
  if [ "$name" = sqlite ]; then
    echo "   $(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$counts")"
  else
    echo "   $(psql "$db" -tAc "$counts")"
  fi
  local token
  token=$("$bin" token add --user admin --name bench --db "$db" 2>/dev/null)
  start_server "$db"
  # A fresh server: nothing decided. The whole tree for every question of every wave.
  python3 - "$port" "$token" "$work/$name" <<'PY'
import http.client, json, statistics, sys, time, urllib.parse
port, token, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
def fetch(path):
    c.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    r = c.getresponse(); body = r.read()
    if r.status != 200: sys.exit(f"GET {path}: {r.status} {body[:300]}")
    return body
def get(path):
    return json.loads(fetch(path))
rounds = [r for r in get("/api/v1/rounds")["items"] if r["instrument"] == "trivsel"]
rounds.sort(key=lambda r: r["closes"])
assert len(rounds) == 4, rounds
instrument = next(i for i in get("/api/v1/instruments") if i["key"] == "trivsel")
items = [i["key"] for i in instrument["definition"]["items"] if i["scale"]["kind"] != "text"]
assert len(items) == 20, items
# The bodies are read in the timed loop and parsed after it (the client's parsing is not
# the server's work).
started = time.perf_counter()
bodies = [fetch(f"/api/v1/aggregates/tree?instrument=trivsel&round={r['id']}&item={urllib.parse.quote(item)}")
          for r in rounds for item in items]
whole = time.perf_counter() - started
hidden = shown = 0
for body in bodies:
    tree = json.loads(body)
    for u in tree:
        for f in (u["self"], u["subtree"]):
            if f.get("suppressed"): hidden += 1
            else: shown += 1
units = len(tree)
print(f"   whole tree × {len(items)} questions × {len(rounds)} waves: {whole:.3f} s for {units} units "
      f"({hidden} figures hidden, {shown} shown; target < 1 s: {'met' if whole < 1 else 'NOT met'})")
# A unit's aggregate with its subtree, the first request of the other WHO-5 waves on this server:
# 20 middle units (neither the root nor a leaf), each asked of a wave not decided yet.
who5 = sorted([r for r in get("/api/v1/rounds")["items"] if r["instrument"] == "who5" and r["state"] == "closed"], key=lambda r: r["closes"])
children = {}
for u in tree:
    children.setdefault(u["parent"], []).append(u["unit"])
middle = [u["unit"] for u in tree if u["parent"] and children.get(u["unit"])][:20]
firsts = []
for n, unit in enumerate(middle):
    r = who5[n % len(who5)]
    item = ["", "glad", "rolig", "aktiv", "udhvilet", "interesse"][n // len(who5) % 6]
    path = f"/api/v1/aggregates?instrument=who5&unit={unit}&subtree=true&round={r['id']}" + (f"&item={item}" if item else "")
    started = time.perf_counter(); figure = get(path); firsts.append(time.perf_counter() - started)
firsts.sort()
print(f"   a unit with its subtree, first request of a wave (table decided on the way): "
      f"median {statistics.median(firsts) * 1000:.1f} ms, max {firsts[-1] * 1000:.1f} ms of {len(firsts)} "
      f"(target < 100 ms: {'met' if firsts[-1] < 0.1 else 'NOT met'})")
json.dump({"whole": whole, "first_max": firsts[-1], "first_median": statistics.median(firsts),
           "unit": middle[0], "round": who5[-1]["id"]}, open(out + ".json", "w"))
PY
  # An open round for the answering page: sent to one small unit so its links come back.
  python3 - "$port" "$token" "$work/$name" <<'PY'
import http.client, json, sys, datetime
port, token, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
def call(method, path, body=None):
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    r = c.getresponse(); data = r.read()
    if r.status not in (200, 201): sys.exit(f"{method} {path}: {r.status} {data[:300]}")
    return json.loads(data)
state = json.load(open(out + ".json"))
today = datetime.date.today()
made = call("POST", "/api/v1/rounds", {"instrument": "trivsel", "units": [state["unit"]],
            "opens": str(today), "closes": str(today + datetime.timedelta(days=14)), "title": "Bench"})
state["token"] = made["tokens"][0]["token"]
json.dump(state, open(out + ".json", "w"))
PY
  local unit round link
  unit=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["unit"])' "$work/$name.json")
  round=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["round"])' "$work/$name.json")
  link=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/$name.json")
  local rows=()
  rows+=("$(measure healthz /healthz "Accept: text/html")")
  rows+=("$(measure answer-page "/svar/$link" "Accept: text/html")")
  rows+=("$(measure unit-aggregate "/api/v1/aggregates?instrument=who5&unit=$unit&subtree=true&round=$round" "Authorization: Bearer $token")")
  rows+=("$(measure tree-aggregate "/api/v1/aggregates/tree?instrument=who5&round=$round" "Authorization: Bearer $token")")
  printf '%s\n' "${rows[@]}" >"$work/$name.rows"
  python3 - "${rows[@]}" <<'PY'
import sys
rows = [line.split() for line in sys.argv[1:]]
base = float(rows[0][1])
print(f"   {'route':16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'vs /healthz':>13}")
for name, rps, p50, p99, bad in rows:
    target = {"answer-page": 50, "unit-aggregate": 100}.get(name)
    verdict = "" if target is None else (f"  p99 < {target} ms: " + ("met" if float(p99) < target and int(bad) == 0 else "NOT met"))
    print(f"   {name:16}{float(rps):>9.0f}{float(p50):>9.2f}{float(p99):>9.2f}{int(bad):>9}{float(rps) / base:>12.3f}x{verdict}")
PY
  echo "   server peak memory: $(grep VmHWM /proc/$server/status | awk '{print $2 / 1024 " MB"}')"
  stop_server
}

run_backend sqlite "$work/bench.db"
if [ -n "$pg_admin" ]; then
  psql "$pg_admin" -q -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
  psql "$pg_admin" -q -c "CREATE DATABASE $pg_db" >/dev/null
  run_backend postgres "${pg_admin%/*}/$pg_db"
  python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
s, p = (json.load(open(f"{work}/{n}.json")) for n in ("sqlite", "postgres"))
rows = {n: {l.split()[0]: l.split() for l in open(f"{work}/{n}.rows")} for n in ("sqlite", "postgres")}
print("== PostgreSQL against SQLite (target within 2×)")
for label, a, b in [("whole tree × 20 × 4 waves", s["whole"], p["whole"]),
                    ("unit aggregate, first request (max)", s["first_max"], p["first_max"])]:
    r = b / a
    print(f"   {label:38} SQLite {a * 1000:8.1f} ms  PostgreSQL {b * 1000:8.1f} ms  {r:5.2f}×  {'met' if r <= 2 else 'NOT met'}")
for route in ("answer-page", "unit-aggregate", "tree-aggregate"):
    a, b = float(rows["sqlite"][route][3]), float(rows["postgres"][route][3])
    print(f"   {route + ' p99':38} SQLite {a:8.2f} ms  PostgreSQL {b:8.2f} ms  {b / a:5.2f}×  {'met' if b / a <= 2 or b < 5 else 'NOT met'}")
PY
fi
