#!/usr/bin/env bash
# Programmes at full size, on SQLite: a programme from the Hedensted template with about
# 2,000 participants (everyone in a demo municipality of 2,000 employees, enrolled by one
# selection), all on the kick-off, in learning groups of 4–6 adopted from the group engine.
# Its pages and API are loaded with wrk (32 connections, after one warming request) next to
# the bare /healthz route of the same server, as ratios, with p99 per route (target < 50 ms);
# a personal and the programme's iCalendar feed are timed one request at a time (target
# < 20 ms); and forming the learning groups for everyone (the preview: reading the people and
# running analysis::groups) is timed (target < 1 s), printing the share of groups whose
# members all come from different units next to a random assignment of the same sizes.
#
# Usage: scripts/bench-programmes.sh [seconds per route]   (SAMSKAB_BENCH_BIN=path to skip the build)
# Needs: wrk (apt-get install wrk), curl, python3.
set -euo pipefail
duration=${1:-8}
connections=32
port=${SAMSKAB_BENCH_PORT:-18094}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

# SAMSKAB_BENCH_BIN: a release binary built already (else it is built here).
bin=${SAMSKAB_BENCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build -q --release -p samskab
  target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
  bin="$target/release/samskab"
fi
work=${SAMSKAB_BENCH_KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${SAMSKAB_BENCH_KEEP:-}" ] || trap '[ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

"$bin" demo --size 2000 --db "$work/bench.db" >/dev/null
hr_token=$("$bin" token add --user facilitator --name bench --db "$work/bench.db" 2>/dev/null)
"$bin" serve --demo --db "$work/bench.db" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done

python3 - "$port" "$hr_token" "$work" <<'PY'
import http.client, json, random, re, statistics, sys, time, urllib.parse
port, hr, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def call(method, path, body=None, want=(200, 201), raw=False):
    c = http.client.HTTPConnection("127.0.0.1", port)
    h = {"Authorization": f"Bearer {hr}", "Content-Type": "application/json"}
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); data = r.read()
    if r.status not in want:
        sys.exit(f"{method} {path}: {r.status} {data[:300]}")
    return data if raw else (json.loads(data) if data else None)
pid = call("POST", "/api/v1/programmes", {"title": "Ledelse tæt på kerneopgaven (bench)", "template": "hedensted"})["id"]
started = time.time()
selected = call("POST", f"/api/v1/programmes/{pid}/selection", {"roles": ["leader", "employee"]})
print(f"{selected['enrolled']} participants enrolled by one selection in {time.time() - started:.1f} s")
detail = call("GET", f"/api/v1/programmes/{pid}")
kickoff = next(a for a in detail["activities"] if a["kind"] == "kick_off")["id"]
people = [p["person"] for p in call("GET", f"/api/v1/programmes/{pid}/enrolments")]
started = time.time()
c = http.client.HTTPConnection("127.0.0.1", port)
for p in people:
    c.request("POST", f"/api/v1/activities/{kickoff}/enrolments", body=json.dumps({"person": p}),
              headers={"Authorization": f"Bearer {hr}", "Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    if r.status != 201: sys.exit(f"enrol: {r.status}")
print(f"{len(people)} sign-ups on the kick-off in {time.time() - started:.1f} s")
# Forming learning groups of 4-6 for everyone: the preview, three times.
times = []
for _ in range(3):
    started = time.time()
    preview = call("POST", f"/api/v1/programmes/{pid}/groups/preview", {"kind": "learning", "size": "4-6", "mix": ["unit", "role"]})
    times.append(time.time() - started)
groups = call("POST", f"/api/v1/programmes/{pid}/groups/adopt", preview)["groups"]
unit = {m["person"]: m["unit"] for g in groups for m in g["members"]}
sizes = [len(g["members"]) for g in preview["groups"]]
def mixed(assignment):
    return sum(len({unit[p] for p in g}) == len(g) for g in assignment) / len(assignment)
formed = mixed([g["members"] for g in preview["groups"]])
rnd = random.Random(7); shuffled = list(unit); shares = []
for _ in range(20):
    rnd.shuffle(shuffled); at = 0; groups_r = []
    for s in sizes:
        groups_r.append(shuffled[at:at + s]); at += s
    shares.append(mixed(groups_r))
t = statistics.median(times)
print(f"learning groups of 4-6 for {len(unit)} people: {len(sizes)} groups, sizes {min(sizes)}-{max(sizes)}, "
      f"formed in {t:.3f} s (median of 3; target < 1 s: {'met' if t < 1 else 'NOT met'})")
print(f"  groups whose members all come from different units: {formed:.1%} (engine), "
      f"{statistics.mean(shares):.1%} (random assignment of the same sizes, mean of 20); score {preview['score']:.1f}")
# The facilitator's own place on the kick-off, a calendar feed, and a session for the pages.
me = None
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("GET", "/log-ind"); r = c.getresponse(); page = r.read().decode()
cookies = "; ".join(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"csrf_token": csrf, "username": "facilitator", "password": "demo"})
c.request("POST", "/log-ind", body=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies})
r = c.getresponse(); r.read()
session = "; ".join(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
feed = call("POST", "/api/v1/me/calendar-feed", {})["url"]
feed_path = feed[feed.index("/mit-forloeb/"):]
def timed(path, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("GET", path, headers=headers or {}); r = c.getresponse(); r.read()  # warm
    out = []
    for _ in range(50):
        started = time.time(); c.request("GET", path, headers=headers or {}); r = c.getresponse(); body = r.read()
        if r.status != 200: sys.exit(f"{path}: {r.status}")
        out.append(time.time() - started)
    return out, body
personal, body = timed(feed_path)
assert body.startswith(b"BEGIN:VCALENDAR"), body[:40]
whole, body = timed(f"/programmes/{pid}/kalender.ics", {"Cookie": session})
for name, t in [("personal feed", personal), ("programme feed", whole)]:
    p99 = sorted(t)[int(len(t) * 0.99) - 1] * 1000
    print(f"iCalendar {name}: median {statistics.median(t) * 1000:.2f} ms, p99 {p99:.2f} ms of 50 "
          f"(target < 20 ms: {'met' if p99 < 20 else 'NOT met'})")
open(f"{work}/ids", "w").write(f"{pid}\n{kickoff}\n{session}\n")
PY

pid=$(sed -n 1p "$work/ids")
kickoff=$(sed -n 2p "$work/ids")
session=$(sed -n 3p "$work/ids")
measure() { # name path [header]
  local header=${3:-}
  local out
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
echo "== Programme pages on SQLite: about 2,000 participants; $connections connections, ${duration} s each"
rows=()
rows+=("$(measure healthz /healthz)")
rows+=("$(measure programme-api "/api/v1/programmes/$pid" "Authorization: Bearer $hr_token")")
rows+=("$(measure programme-page "/programmer/$pid" "Cookie: $session")")
rows+=("$(measure groups-page "/programmer/$pid/grupper" "Cookie: $session")")
rows+=("$(measure kickoff-page "/aktiviteter/$kickoff" "Cookie: $session")")
rows+=("$(measure dashboard "/programmer/$pid/overblik" "Cookie: $session")")
rows+=("$(measure progress "/programmer/$pid/fremmoede" "Cookie: $session")")
rows+=("$(measure mit-forloeb "/mit-forloeb" "Cookie: $session")")
python3 - "${rows[@]}" <<'PY'
import sys
rows = [line.split() for line in sys.argv[1:]]
base = float(rows[0][1])
print(f"{'route':18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'vs /healthz':>13}{'p99 < 50 ms':>13}")
for name, rps, p50, p99, bad in rows:
    verdict = "" if name == "healthz" else ("met" if float(rps) > 0 and float(p99) < 50 and int(bad) == 0 else "NOT met")
    print(f"{name:18}{float(rps):>9.0f}{float(p50):>9.2f}{float(p99):>9.2f}{int(bad):>9}{float(rps) / base:>12.3f}x{verdict:>13}")
PY
echo "server peak memory: $(grep VmHWM /proc/$server/status | awk '{print $2 / 1024 " MB"}')"
