#!/usr/bin/env bash
# Involvement benchmark: the design load is a kick-off where 25,000 employees answer within
# ten minutes. Starts the demo municipality on SQLite (release build), makes a process in
# its collection step with 300 statements and 25,000 personal links, then loads input
# submissions and votes through the links from a second process (wrk, 32 connections, each
# request with the next link, so no link comes near its rate limit) and prints requests/s
# and p50/p99 latency next to the bare /healthz route of the same server, as ratios.
# Targets: at least 2,000 submissions/s and 3,000 votes/s sustained.
#
# Usage: scripts/bench-involvement.sh [seconds per load]
# Needs: wrk (apt-get install wrk), curl, python3.
set -euo pipefail
duration=${1:-10}
connections=32
port=${SAMSKAB_BENCH_PORT:-18091}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build -q --release -p samskab
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
work=$(mktemp -d)
trap '[ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

"$target/release/samskab" demo --db "$work/bench.db" >/dev/null
api_token=$("$target/release/samskab" token add --user facilitator --name bench --db "$work/bench.db" 2>/dev/null)
"$target/release/samskab" serve --demo --db "$work/bench.db" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done

python3 - "$port" "$api_token" "$work/tokens" <<'PY'
import http.client, json, sys
port, token, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
h = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
def call(method, path, body=None, want=(200, 201)):
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); data = r.read()
    if r.status not in want:
        sys.exit(f"{method} {path}: {r.status} {data[:200]}")
    return json.loads(data) if data else None
pid = call("POST", "/api/v1/processes", {"title": "Kick-off", "template": "proposals"})["id"]
call("PATCH", f"/api/v1/processes/{pid}", {"active_step": "collect"})
for i in range(300):
    call("POST", f"/api/v1/processes/{pid}/statements", {"text": f"Udsagn nummer {i} om fremtidens arbejdsplads"})
tokens = []
for _ in range(5):
    tokens += call("POST", f"/api/v1/processes/{pid}/links", {"count": 5000})["tokens"]
open(out, "w").write("\n".join(tokens) + "\n")
PY

cat >"$work/input.lua" <<'LUA'
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local counter = 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("offset", threads * 7919) end
function request()
  counter = counter + 1
  local t = tokens[((counter + offset) % #tokens) + 1]
  local body
  if os.getenv("KIND") == "votes" then
    body = string.format('{"statement":%d,"vote":%d}', (counter * 31 + offset) % 300, (counter % 3) - 1)
    return wrk.format("POST", "/api/v1/participate/" .. t .. "/votes", {["Content-Type"] = "application/json"}, body)
  end
  body = string.format('{"text":"Forslag %d: kortere møder og mere tid til borgerne i vores afdeling"}', counter)
  return wrk.format("POST", "/api/v1/participate/" .. t .. "/inputs", {["Content-Type"] = "application/json"}, body)
end
local statuses = {}
function response(status) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.2f %.2f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
LUA

load() { # name kind
  TOKENS="$work/tokens" KIND="$2" wrk -t2 -c"$connections" -d"${duration}s" -s "$work/input.lua" \
    "http://127.0.0.1:$port" 2>&1 | grep -E '^RESULT' | tail -1 | sed "s/^RESULT/$1/"
}

echo "== Involvement on SQLite, $connections connections, ${duration} s each (release build)"
base=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/healthz" | python3 -c '
import re, sys
t = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def ms(p):
    v, u = re.search(p + r"%\s+([\d.]+)(us|ms|s)", t).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
p50, p99 = ms("50"), ms("99")
print(f"healthz {rps:.1f} {p50:.2f} {p99:.2f} 0")')
inputs=$(load inputs inputs)
votes=$(load votes votes)
python3 - "$base" "$inputs" "$votes" <<'PY'
import sys
rows = [line.split() for line in sys.argv[1:]]
base = float(rows[0][1])
print(f"{'route':12}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'vs /healthz':>13}")
for name, rps, p50, p99, bad in rows:
    print(f"{name:12}{float(rps):>10.0f}{float(p50):>9.2f}{float(p99):>9.2f}{int(bad):>9}{float(rps) / base:>12.2f}x")
targets = {"inputs": 2000, "votes": 3000}
for name, rps, *_ in rows[1:]:
    verdict = "met" if float(rps) >= targets[name] else "NOT met"
    print(f"target {name}: >= {targets[name]}/s: {verdict}")
PY
echo "server peak memory: $(grep VmHWM /proc/$server/status | awk '{print $2 / 1024 " MB"}')"
