#!/usr/bin/env bash
# Decisions at full size, on SQLite: a process with 10,000 proposals (half of them decided)
# whose lists are loaded with wrk (32 connections, after one warming request) next to the
# bare /healthz route of the same server, as ratios, with p99 per route (target < 50 ms;
# Decidim's proposal list took 7.2-7.5 s for about 900 proposals, decidim#13701); then the
# decision document of a process with 300 proposals, made as PDF after each of five new
# decisions (target < 2 s), next to the same document's page (gathering its data) and a
# download of the kept, unchanged file.
#
# Usage: scripts/bench-decisions.sh [seconds per route]
# Needs: wrk (apt-get install wrk), curl, python3.
set -euo pipefail
duration=${1:-8}
connections=32
port=${SAMSKAB_BENCH_PORT:-18093}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build -q --release -p samskab
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin="$target/release/samskab"
work=${SAMSKAB_BENCH_KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${SAMSKAB_BENCH_KEEP:-}" ] || trap '[ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

"$bin" demo --db "$work/bench.db" >/dev/null
hr_token=$("$bin" token add --user facilitator --name bench --db "$work/bench.db" 2>/dev/null)
board_token=$("$bin" token add --user direktion --name bench --db "$work/bench.db" 2>/dev/null)
"$bin" serve --demo --db "$work/bench.db" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.05
done

python3 - "$port" "$hr_token" "$board_token" "$work" <<'PY'
import http.client, json, re, statistics, sys, time, urllib.parse
from concurrent.futures import ThreadPoolExecutor
port, hr, board, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def call(token, method, path, body=None, want=(200, 201, 202), conn=None, raw=False):
    c = conn or http.client.HTTPConnection("127.0.0.1", port)
    h = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); data = r.read()
    if r.status not in want:
        sys.exit(f"{method} {path}: {r.status} {data[:300]}")
    return data if raw else (json.loads(data) if data else None)
states = ["accepted", "partly_accepted", "rejected", "implemented", "under_consideration"]
def process(title, n, decided):
    pid = call(hr, "POST", "/api/v1/processes", {"title": title, "template": "proposals"})["id"]
    call(hr, "PATCH", f"/api/v1/processes/{pid}", {"active_step": "decide"})
    def make(chunk):
        c = http.client.HTTPConnection("127.0.0.1", port)
        ids = []
        for i in chunk:
            p = call(hr, "POST", f"/api/v1/processes/{pid}/proposals",
                     {"title": f"Forslag {i}: færre dobbeltregistreringer i team {i % 97}",
                      "text": "Registrér én gang, og brug oplysningerne dér, hvor de skal bruges. " * 2}, conn=c)
            ids.append(p["id"])
            if i % 2 == 0 and i < decided * 2:
                call(board, "POST", f"/api/v1/proposals/{p['id']}/decision",
                     {"state": states[i % 5], "reason": "Besluttet af direktionen på mødet.", "deadline": "2027-06-30"}, conn=c)
        return ids
    started = time.time()
    with ThreadPoolExecutor(8) as pool:
        ids = [i for part in pool.map(make, [range(k, n, 8) for k in range(8)]) for i in part]
    return pid, ids, time.time() - started
big, _, seconds = process("Ti tusind forslag", 10_000, 5_000)
print(f"10,000 proposals made and 5,000 decided through the API: {seconds:.1f} s")
doc, doc_ids, _ = process("Beslutningsdokument", 300, 300)
# The decision document: five times a new decision, then the PDF (made anew each time).
def timed(path, token=board):
    c = http.client.HTTPConnection("127.0.0.1", port)
    started = time.time(); data = call(token, "GET", path, conn=c, raw=True); return time.time() - started, data
made = []
for k in range(5):
    call(board, "POST", f"/api/v1/proposals/{doc_ids[k]}/decision", {"state": "implemented", "reason": f"Gennemført, runde {k}."})
    t, pdf = timed(f"/api/v1/processes/{doc}/decision-document.pdf")
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    made.append(t)
kept = [timed(f"/api/v1/processes/{doc}/decision-document.pdf")[0] for _ in range(5)]
# A board member's session for the pages.
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("GET", "/log-ind"); r = c.getresponse(); page = r.read().decode()
cookies = "; ".join(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
form = urllib.parse.urlencode({"csrf_token": csrf, "username": "direktion", "password": "demo"})
c.request("POST", "/log-ind", body=form, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies})
r = c.getresponse(); r.read()
session = "; ".join(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
def page_time(path):
    c = http.client.HTTPConnection("127.0.0.1", port)
    started = time.time(); c.request("GET", path, headers={"Cookie": session}); r = c.getresponse(); r.read()
    if r.status != 200: sys.exit(f"{path}: {r.status}")
    return time.time() - started
gather = [page_time(f"/processer/{doc}/beslutningsdokument") for _ in range(5)]
m, g, k = statistics.median(made), statistics.median(gather), statistics.median(kept)
print(f"decision document, 300 proposals: PDF made in {m:.3f} s (median of 5; target < 2 s: {'met' if m < 2 else 'NOT met'}), "
      f"{len(pdf) / 1024:.0f} KB")
print(f"  its page (gathering the data): {g:.3f} s; the kept PDF: {k:.3f} s; making / page = {m / g:.1f}x, making / kept = {m / k:.1f}x")
open(f"{work}/ids", "w").write(f"{big}\n{session}\n")
PY

pid=$(sed -n 1p "$work/ids")
session=$(sed -n 2p "$work/ids")
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
echo "== Proposal lists on SQLite: 10,000 proposals, 5,000 decided; $connections connections, ${duration} s each"
rows=()
rows+=("$(measure healthz /healthz)")
rows+=("$(measure list-api "/api/v1/processes/$pid/proposals?limit=50" "Authorization: Bearer $board_token")")
rows+=("$(measure list-api-filtered "/api/v1/processes/$pid/proposals?state=accepted&offset=500&limit=50" "Authorization: Bearer $board_token")")
rows+=("$(measure list-page "/processer/$pid/forslag" "Cookie: $session")")
rows+=("$(measure list-page-100 "/processer/$pid/forslag?side=100" "Cookie: $session")")
rows+=("$(measure list-page-undecided "/processer/$pid/forslag?status=undecided&side=20" "Cookie: $session")")
python3 - "${rows[@]}" <<'PY'
import sys
rows = [line.split() for line in sys.argv[1:]]
base = float(rows[0][1])
print(f"{'route':22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'vs /healthz':>13}{'p99 < 50 ms':>13}")
for name, rps, p50, p99, bad in rows:
    verdict = "" if name == "healthz" else ("met" if float(rps) > 0 and float(p99) < 50 and int(bad) == 0 else "NOT met")
    print(f"{name:22}{float(rps):>9.0f}{float(p50):>9.2f}{float(p99):>9.2f}{int(bad):>9}{float(rps) / base:>12.3f}x{verdict:>13}")
PY
echo "server peak memory: $(grep VmHWM /proc/$server/status | awk '{print $2 / 1024 " MB"}')"
