#!/usr/bin/env bash
# HTTP benchmark: starts the demo municipality with 25,000 employees on SQLite (release
# build), adds 10,000 stories through the API, then loads the organisation pages, the
# span-of-control report, the story search and the JSON API from a second process (wrk,
# 32 connections) and prints requests/s and p50/p99 latency next to the same figures for
# the bare /healthz route of the same server, as ratios; and the API's overhead against
# the same page's HTML route. The bare route answers a
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
unit_id=${unit##*/}
api_token=$("$target/release/samskab" token add --user admin --name bench --db "$work/bench.db" 2>/dev/null)
bearer="Authorization: Bearer $api_token"

# 10,000 stories: sentences of the demo stories mixed (fixed seed), posted through the API.
# The API is loaded with pages of 20 stories, as the story page shows.
stories=${SAMSKAB_BENCH_STORIES:-10000}
python3 - "$port" "$api_token" "$stories" <<'PY'
import http.client, json, random, re, sys
port, token, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port)
h = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
c.request("GET", "/api/v1/stories?limit=1000", headers=h)
demo = json.loads(c.getresponse().read())["items"]
sentences = [s for d in demo for s in re.split(r"(?<=[.!?])\s+", d["body"].replace("\n", " ")) if len(s) > 20]
titles = [d["title"] for d in demo]
tasks = ["fritid-faellesskab", "laering", "beskaeftigelse", "social-omsorg"]
rng = random.Random(7)
for i in range(n - len(demo)):
    body = " ".join(rng.sample(sentences, 4))
    story = {"title": f"{rng.choice(titles)} ({i})", "body": body, "core_tasks": [rng.choice(tasks)],
             "tags": rng.sample(["trivsel", "samarbejde", "ældre", "unge", "frivillige", "læring"], 2)}
    c.request("POST", "/api/v1/stories", body=json.dumps(story), headers=h)
    r = c.getresponse(); r.read()
    if r.status != 201:
        sys.exit(f"story {i}: {r.status}")
PY

# One request alone, first computed and then remembered (result pages are remembered until
# a story changes; the load below measures the remembered case, this line the other one).
cold() { # name path
  local first again
  first=$(curl -fs -o /dev/null -w '%{time_total}' -H "$bearer" "http://127.0.0.1:$port$2")
  again=$(curl -fs -o /dev/null -w '%{time_total}' -H "$bearer" "http://127.0.0.1:$port$2")
  python3 - "$1" "$first" "$again" <<'PY'
import sys
name, first, again = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
print(f"  {name:30} first {first * 1000:7.2f} ms, again {again * 1000:6.2f} ms")
PY
}
{
  echo "one request alone, computed, then remembered:"
  cold "search borgerne" "/api/v1/stories?q=borgerne&limit=20"
  cold "search kantine" "/api/v1/stories?q=kantine&limit=20"
  cold "search, 2 words" "/api/v1/stories?q=frivillige+f%C3%A6llesskab&limit=20"
  cold "newest stories (no search)" "/api/v1/stories?limit=20"
} > "$work/cold.txt"

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
  run "unit, JSON API" "/api/v1/units/$unit_id" "$bearer"
  run "span of control, JSON API" "/api/v1/span-of-control" "$bearer"
  run "story search page" "/historier?q=borgerne"
  run "story search, JSON API" "/api/v1/stories?q=borgerne&limit=20" "$bearer"
  run "story search, 2 words" "/api/v1/stories?q=frivillige+f%C3%A6llesskab&limit=20" "$bearer"
} > "$work/results.tsv"
peak=$(awk '/VmHWM/ { print $2 }' "/proc/$server/status")

python3 - "$work/results.tsv" "$size" "$connections" "$ready" "$peak" "$work/cold.txt" <<'PY'
import sys
rows = [l.split("\t") for l in open(sys.argv[1]).read().strip().splitlines()]
size, conns, ready, peak = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
base = float(rows[0][1])
print(f"Samskab HTTP benchmark: demo with {size} employees on SQLite, wrk with {conns} connections")
print(f"{'route':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} {'errors':>7}")
for name, rps, p50, p99, err in rows:
    print(f"{name:28} {float(rps):8.0f} {float(p50):8.2f} {float(p99):8.2f} {float(rps)/base:8.1%} {err:>7}")
by = {r[0]: r for r in rows}
def overhead(api, page):
    a, p = by[api], by[page]
    return f"{api} against {page}: p50 {float(a[2])/float(p[2]):.2f}x, p99 {float(a[3])/float(p[3]):.2f}x, req/s {float(a[1])/float(p[1]):.2f}x"
print("API overhead (token check + JSON) against the page's HTML route, latency ratios (target <= 1.5x):")
print("  " + overhead("unit, JSON API", "unit page"))
print("  " + overhead("span of control, JSON API", "span of control"))
print(f"story search over the stories: p99 {by['story search page'][3]} ms (page), {by['story search, JSON API'][3]} ms (API); target < 20 ms")
print(open(sys.argv[6]).read().rstrip())
print(f"server peak memory (VmHWM): {peak/1024:.0f} MB")
print(f"serve --demo --demo-size {size} ready after {ready} s (from an empty directory)")
PY
