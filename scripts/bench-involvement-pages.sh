#!/usr/bin/env bash
# Involvement at full size: a process with 25,000 participants, 1,000,000 votes on 300
# statements and 25,000 inputs, on SQLite. Makes a synthetic Pol.is export (four opinion
# groups; seeded, so every run has the same data), imports it with `samskab import polis`,
# gives 25,000 inputs through personal links, runs the analysis job and reads how long its
# opinion part took (target < 5 s), then loads the process's pages and API reads with wrk
# (32 connections, after one request that warms the route) next to the bare /healthz route
# of the same server, as ratios, and prints p99 per route (target < 50 ms).
#
# Usage: scripts/bench-involvement-pages.sh [seconds per route]
# Needs: wrk (apt-get install wrk), curl, python3.
set -euo pipefail
duration=${1:-8}
connections=32
port=${SAMSKAB_BENCH_PORT:-18092}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build -q --release -p samskab
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/samskab"
# SAMSKAB_BENCH_KEEP=DIR keeps the data set there (and the server running) for a closer look.
work=${SAMSKAB_BENCH_KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${SAMSKAB_BENCH_KEEP:-}" ] || trap '[ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import random, sys
out = sys.argv[1]
rng = random.Random(2026)
statements, voters, per_voter, groups = 300, 25_000, 40, 4
# Each group leans its own way on each statement.
lean = [[rng.choice([-0.8, -0.4, 0.0, 0.4, 0.8]) for _ in range(statements)] for _ in range(groups)]
t = 1_700_000_000_000
with open(f"{out}/comments.csv", "w") as f:
    f.write("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n")
    for s in range(statements):
        f.write(f"{t + s},x,{s},0,0,0,1,Udsagn nummer {s} om fremtidens velfærd\n")
with open(f"{out}/votes.csv", "w") as f:
    f.write("timestamp,datetime,comment-id,voter-id,vote\n")
    for v in range(voters):
        g = v % groups
        for s in rng.sample(range(statements), per_voter):
            t += 1
            r = rng.random() * 2 - 1 + lean[g][s]
            f.write(f"{t},x,{s},{v},{1 if r > 0.35 else (-1 if r < -0.35 else 0)}\n")
PY

"$bin" demo --db "$work/bench.db" >/dev/null
started=$(date +%s.%N)
pid=$("$bin" import polis --votes "$work/votes.csv" --comments "$work/comments.csv" --title "Stor proces" --db "$work/bench.db")
echo "import of 1,000,000 votes: $(python3 -c "print(f'{$(date +%s.%N) - $started:.1f}')") s"
api_token=$("$bin" token add --user facilitator --name bench --db "$work/bench.db" 2>/dev/null)
"$bin" serve --demo --db "$work/bench.db" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done

python3 - "$port" "$api_token" "$pid" "$work" <<'PY'
import http.client, json, sys, time, urllib.parse, re
from concurrent.futures import ThreadPoolExecutor
port, token, pid, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
h = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
def call(method, path, body=None, want=(200, 201, 202), conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port)
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); data = r.read()
    if r.status not in want:
        sys.exit(f"{method} {path}: {r.status} {data[:300]}")
    return json.loads(data) if data else None
call("PATCH", f"/api/v1/processes/{pid}", {"active_step": "collect", "steps": [{"key": "collect", "allow_inputs": True, "allow_votes": True, "allow_anonymous": True}]})
tokens = []
for _ in range(5):
    tokens += call("POST", f"/api/v1/processes/{pid}/links", {"count": 5000})["tokens"]
words = ["møder", "borgerne", "dokumentation", "kollegerne", "vagtplanen", "it-systemerne", "kerneopgaven", "ledelsen"]
def give(chunk):
    c = http.client.HTTPConnection("127.0.0.1", port)
    for i, t in chunk:
        body = {"text": f"Forslag {i}: mere tid til {words[i % 8]} og færre {words[(i * 7 + 3) % 8]} i hverdagen"}
        c.request("POST", f"/api/v1/participate/{t}/inputs", body=json.dumps(body), headers={"Content-Type": "application/json"})
        r = c.getresponse(); r.read()
        if r.status != 201:
            sys.exit(f"input: {r.status}")
started = time.time()
chunks = [list(enumerate(tokens))[k::16] for k in range(16)]
with ThreadPoolExecutor(16) as pool:
    list(pool.map(give, chunks))
print(f"25,000 inputs through links: {time.time() - started:.1f} s")
job = call("POST", f"/api/v1/processes/{pid}/analyse")["job"]
while True:
    j = call("GET", f"/api/v1/jobs/{job}")
    if j["state"] in ("done", "failed"):
        break
    time.sleep(0.2)
if j["state"] != "done":
    sys.exit(f"analysis failed: {j}")
r = j["result"]
print(f"analysis job: opinions {r['opinions_seconds']:.2f} s (target < 5 s), themes {r['themes_seconds']:.2f} s")
# A facilitator's session for the pages.
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("GET", "/log-ind"); r = c.getresponse(); page = r.read().decode()
cookies = "; ".join(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"csrf_token": csrf, "username": "facilitator", "password": "demo"})
c.request("POST", "/log-ind", body=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies})
r = c.getresponse(); r.read()
session = "; ".join(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
open(f"{work}/session", "w").write(session)
open(f"{work}/link", "w").write(tokens[12345])
PY

session=$(cat "$work/session")
link=$(cat "$work/link")
measure() { # name path [header]
  local header=${3:-}
  local out
  # One request first: the first view after an analysis works out the page's parts once.
  if [ -n "$header" ]; then curl -fs -o /dev/null -H "$header" "http://127.0.0.1:$port$2"; else curl -fs -o /dev/null "http://127.0.0.1:$port$2"; fi
  if [ -n "$header" ]; then
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H "$header" "http://127.0.0.1:$port$2")
  else
    out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port$2")
  fi
  python3 -c '
import re, sys
name, t = sys.argv[1], sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def ms(p):
    v, u = re.search(p + r"%\s+([\d.]+)(us|ms|s)", t).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(name, rps, ms("50"), ms("99"), bad.group(1) if bad else 0)' "$1" <<<"$out"
}
echo "== Involvement pages on SQLite: 25,000 participants, 1,000,000 votes, 25,000 inputs; $connections connections, ${duration} s each"
rows=()
rows+=("$(measure healthz /healthz)")
rows+=("$(measure participant-next /api/v1/participate/$link)")
rows+=("$(measure link-page /deltag/$link)")
rows+=("$(measure statements-api /api/v1/processes/$pid/statements "Authorization: Bearer $api_token")")
rows+=("$(measure opinions-api /api/v1/processes/$pid/opinions "Authorization: Bearer $api_token")")
rows+=("$(measure themes-api /api/v1/processes/$pid/themes "Authorization: Bearer $api_token")")
rows+=("$(measure facilitate-page /processer/$pid/facilitering "Cookie: $session")")
rows+=("$(measure opinions-page /processer/$pid/meninger "Cookie: $session")")
rows+=("$(measure themes-page /processer/$pid/temaer "Cookie: $session")")
python3 - "${rows[@]}" <<'PY'
import sys
rows = [line.split() for line in sys.argv[1:]]
base = float(rows[0][1])
print(f"{'route':18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'vs /healthz':>13}{'p99 < 50 ms':>13}")
for name, rps, p50, p99, bad in rows:
    # No request answered within wrk's 2 s timeout counts as not met.
    verdict = "" if name == "healthz" else ("met" if float(rps) > 0 and float(p99) < 50 else "NOT met")
    print(f"{name:18}{float(rps):>9.0f}{float(p50):>9.2f}{float(p99):>9.2f}{int(bad):>9}{float(rps) / base:>12.3f}x{verdict:>13}")
PY
echo "server peak memory: $(grep VmHWM /proc/$server/status | awk '{print $2 / 1024 " MB"}')"
