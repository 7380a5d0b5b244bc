#!/usr/bin/env bash
# Flag comparison on the real data, one copy of each contracting process.
#
#   bench/cardinal/real.sh [--cardinal PATH] [--mandate PATH] [--dir DIR] [INPUT...]
#
# INPUT: OCDS files or folders (default: the repository's data/ocds). Writes
# real.jsonl (one compiled release per process, make_large_input.py
# --copies 1), runs `ocdscardinal prepare` + `indicators` (settings.ini) and
# `mandate indicators --json` with the shipped pack and with the Cardinal
# profile (docs/indicators/cardinal/ + packs/codelists/), then compare.py on
# both, listing every id.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cardinal="${CARDINAL:-ocdscardinal}"
mandate=""
dir=""
inputs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cardinal) cardinal="$2"; shift 2 ;;
    --mandate) mandate="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) inputs+=("$1"); shift ;;
  esac
done
command -v "$cardinal" >/dev/null 2>&1 || {
  echo "real.sh: ocdscardinal not found ($cardinal); put it on PATH or pass --cardinal PATH" >&2; exit 2; }
if [ -z "$mandate" ]; then
  (cd "$repo" && cargo build --release -p mandate-cli >&2)
  mandate="$repo/target/release/mandate"
fi
[ -n "$dir" ] || dir="$(mktemp -d "${TMPDIR:-/tmp}/mandate-cardinal-real.XXXXXX")"
mkdir -p "$dir"

python3 "$here/make_large_input.py" "${inputs[@]}" --copies 1 -o "$dir/real.jsonl"
"$cardinal" prepare --settings "$here/settings.ini" -o "$dir/prepared.jsonl" -e "$dir/prepare-issues.csv" "$dir/real.jsonl"
"$cardinal" indicators --settings "$here/settings.ini" --map "$dir/prepared.jsonl" > "$dir/cardinal.json" 2> "$dir/stderr.cardinal"
"$mandate" indicators --json "$dir/real.jsonl" > "$dir/mandate.jsonl" 2> "$dir/summary.mandate.txt"

rules="$dir/cardinal-profile"
mkdir -p "$rules/codelists"
cp "$repo/docs/indicators/cardinal/"*.toml "$rules/"
cp "$repo/packs/codelists/"*.toml "$rules/codelists/" 2>/dev/null || true
"$mandate" indicators --json --rules "$rules" "$dir/real.jsonl" > "$dir/mandate-profile.jsonl" 2> "$dir/summary.mandate-profile.txt"

echo "## mandate's shipped pack (packs/) vs Cardinal"
python3 "$here/compare.py" --cardinal "$dir/cardinal.json" --mandate "$dir/mandate.jsonl" --show 0 --json "$dir/compare.json"
echo
echo "## mandate's Cardinal profile (docs/indicators/cardinal/ + packs/codelists/) vs Cardinal"
python3 "$here/compare.py" --cardinal "$dir/cardinal.json" --mandate "$dir/mandate-profile.jsonl" --pack "$rules" --show 0 --json "$dir/compare-profile.json"
echo
echo "outputs in $dir" >&2
