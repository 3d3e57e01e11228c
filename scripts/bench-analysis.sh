#!/usr/bin/env bash
# Analysis benchmarks (issue 3, section 5): builds the release binary, installs the Python
# references in a virtual environment from PyPI (red-dwarf, scikit-learn, snowballstemmer;
# pinned below) and prints Samskab's figures next to theirs from one run.
#
# Usage: scripts/bench-analysis.sh [--only opinions|themes|groups] [--synthetic 20000x2000|none]
# Needs: python3 with venv (apt-get install python3-venv), GNU time for peak memory
# (apt-get install time), network access to PyPI once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${SAMSKAB_SHARED:-$root/../shared}/data
[ -d "$data/polis" ] || { echo "the shared data is missing: $data" >&2; exit 1; }

cargo build -q --release -p samskab
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

venv="$target/bench-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import reddwarf, sklearn, snowballstemmer' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check \
    red-dwarf==0.4.0 scikit-learn==1.9.1 snowballstemmer==3.1.1
fi

exec "$venv/bin/python" scripts/bench/analysis.py --bin "$target/release/samskab" --data "$data" "$@"
