#!/usr/bin/env bash
# Side-by-side benchmark: Cardinal (ocdscardinal) and `mandate indicators`
# on the same large OCDS JSON Lines file of compiled releases.
#
#   bench/cardinal/run.sh [--cardinal PATH] [--mandate PATH] [--records N]
#                         [--runs N] [--dir DIR] [--input FILE] [--keep]
#                         [--no-mandate] [--retries N]
#                         [-- extra inputs for make_large_input.py]
#
# Generates the input (make_large_input.py, default 500,000 compiled
# releases from the repository's data/ocds) unless --input is given, then
# times, --runs times each (median reported): `ocdscardinal prepare`,
# `ocdscardinal indicators --map` on the prepared file (settings.ini: all
# indicators), `mandate indicators --json` on the original file with the
# shipped packs (every indicator) and with the Cardinal profile (Cardinal's
# eleven indicators only); prints the table and compare.py's agreement on
# the outputs.
#
# A run during which other processes used more than 10 % of its wall time
# in CPU (the machine is shared) is repeated up to --retries times (default 2);
# the table shows that figure ("others' CPU s") for the runs kept.
#
# Needs: ocdscardinal (on PATH or --cardinal), GNU time at /usr/bin/time
# (Debian: apt-get install time), python3. mandate is built with
# `cargo build --release -p mandate-cli` unless --mandate is given.
# See bench/cardinal/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

cardinal="${CARDINAL:-ocdscardinal}"
mandate=""
records=500000
runs=3
retries=2
dir=""
input=""
keep=0
with_mandate=1
gen_inputs=()

while [ $# -gt 0 ]; do
  case "$1" in
    --cardinal) cardinal="$2"; shift 2 ;;
    --mandate) mandate="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --retries) retries="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --input) input="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --no-mandate) with_mandate=0; shift ;;
    --) shift; gen_inputs=("$@"); break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

command -v "$cardinal" >/dev/null 2>&1 || {
  echo "run.sh: ocdscardinal not found ($cardinal); build it (see README.md) and put it on PATH or pass --cardinal PATH" >&2
  exit 2
}
cardinal="$(command -v "$cardinal")"
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time missing (Debian: apt-get update && apt-get install time)" >&2; exit 2; }

if [ "$with_mandate" = 1 ] && [ -z "$mandate" ]; then
  (cd "$repo" && cargo build --release -p mandate-cli >&2)
  mandate="$repo/target/release/mandate"
fi

if [ -z "$dir" ]; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/mandate-cardinal-bench.XXXXXX")"
  [ "$keep" = 1 ] || trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

if [ -z "$input" ]; then
  input="$dir/large-$records.jsonl"
  if [ ! -s "$input" ]; then
    python3 "$here/make_large_input.py" "${gen_inputs[@]}" --records "$records" -o "$input"
  fi
fi
lines=$(wc -l < "$input")
bytes=$(stat -c %s "$input")
echo "input: $input ($lines compiled releases, $((bytes / 1000000)) MB)" >&2
echo "cardinal: $cardinal ($("$cardinal" --version))" >&2
[ "$with_mandate" = 1 ] && echo "mandate: $mandate" >&2

# Warm the page cache so that neither tool pays for the first read.
cat "$input" > /dev/null

# Busy CPU seconds of the whole machine so far (all processes), from /proc/stat.
busy_cpu() { awk '/^cpu / { printf "%.2f\n", ($2 + $3 + $4 + $7 + $8) / 100 }' /proc/stat; }

# measure NAME OUTFILE CMD... -> appends "name wall user sys maxrss_kb others_cpu" to $dir/times.
# others_cpu: CPU seconds used by OTHER processes on the machine during the run
# (the machine's busy time minus the tool's own); well above 0 means the
# figure was taken on a busy machine and should be repeated.
measure() {
  local name="$1" out="$2"; shift 2
  local t="$dir/time.$name" before after
  sync
  before=$(busy_cpu)
  /usr/bin/time -v -o "$t" "$@" > "$out" 2> "$dir/stderr.$name" || {
    echo "run.sh: $name failed, see $dir/stderr.$name" >&2; tail -5 "$dir/stderr.$name" >&2; exit 1; }
  after=$(busy_cpu)
  awk -v n="$name" -v b="$before" -v a="$after" '
    /Elapsed \(wall clock\)/ { split($NF, x, ":"); w = (length(x) == 3) ? x[1]*3600 + x[2]*60 + x[3] : x[1]*60 + x[2] }
    /User time/ { u = $NF } /System time/ { s = $NF } /Maximum resident/ { r = $NF }
    END { o = a - b - u - s; if (o < 0) o = 0; printf "%s %.2f %.2f %.2f %d %.2f\n", n, w, u, s, r, o }' "$t" >> "$dir/times"
}

# measure_quiet NAME OUTFILE CMD...: measure, and repeat (up to $retries times)
# while other processes took more than 10 % of the run's wall time in CPU.
measure_quiet() {
  local attempt=0 last
  while :; do
    measure "$@"
    last=$(tail -n 1 "$dir/times")
    if awk -v l="$last" 'BEGIN { split(l, f, " "); exit !(f[6] > 0.1 * f[2]) }' && [ "$attempt" -lt "$retries" ]; then
      echo "$last" >> "$dir/times.noisy"
      sed -i '$d' "$dir/times"
      attempt=$((attempt + 1))
      echo "run.sh: $1: the machine was busy (others' CPU ${last##* } s), repeating" >&2
      sleep 10
    else
      break
    fi
  done
}

: > "$dir/times"; : > "$dir/times.noisy"
settings="$here/settings.ini"

# Cardinal's prepare step (normalises codes and ids), timed on its own.
for i in $(seq "$runs"); do
  measure_quiet cardinal-prepare "$dir/prepared.jsonl" "$cardinal" prepare --settings "$settings" -o - -e /dev/null "$input"
done
for i in $(seq "$runs"); do
  measure_quiet cardinal-indicators "$dir/cardinal.json" "$cardinal" indicators --settings "$settings" --map "$dir/prepared.jsonl"
done
# mandate's comparison profile (Cardinal's eleven indicators with Cardinal's
# defaults) with the shipped code lists, which settings.ini mirrors for Cardinal.
profile="$repo/docs/indicators/cardinal"
rules="$dir/cardinal-profile"
mkdir -p "$rules/codelists"
cp "$profile"/*.toml "$rules/"
cp "$repo/packs/codelists/"*.toml "$rules/codelists/" 2>/dev/null || true
if [ "$with_mandate" = 1 ]; then
  for i in $(seq "$runs"); do
    measure_quiet mandate-indicators "$dir/mandate.jsonl" "$mandate" indicators --json "$input"
  done
  for i in $(seq "$runs"); do
    measure_quiet mandate-cardinal-eleven "$dir/mandate-profile.jsonl" "$mandate" indicators --json --rules "$rules" "$input"
  done
fi

python3 - "$dir/times" "$lines" "$bytes" <<'PY'
import sys, statistics
path, lines, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
runs = {}
for line in open(path):
    name, wall, user, sys_, rss, others = line.split()
    runs.setdefault(name, []).append((float(wall), float(user) + float(sys_), int(rss), float(others)))
print(f"\n{lines:,} compiled releases, {nbytes / 1e6:,.0f} MB; median of {max(len(v) for v in runs.values())} runs each\n")
print(f"| tool | records | seconds | records/s | MB/s | CPU s | peak RSS | others' CPU s |")
print(f"|---|---:|---:|---:|---:|---:|---:|---:|")
for name, v in runs.items():
    wall = statistics.median(x[0] for x in v)
    cpu = statistics.median(x[1] for x in v)
    rss = statistics.median(x[2] for x in v)
    others = statistics.median(x[3] for x in v)
    print(f"| {name} | {lines:,} | {wall:.2f} | {lines / wall:,.0f} | {nbytes / 1e6 / wall:,.0f} | {cpu:.2f} | {rss / 1024:,.1f} MiB | {others:.1f} |")
print("\nall runs (wall s, CPU s, peak RSS KB, others' CPU s):")
for name, v in runs.items():
    print(f"  {name}: " + "; ".join(f"{w:.2f}, {c:.2f}, {r}, {o:.1f}" for w, c, r, o in v))
if any(x[3] > 0.1 * x[0] for v in runs.values() for x in v):
    print("\nwarning: other processes used the CPU during some runs (others' CPU s); repeat on a quiet machine")
PY

if [ "$with_mandate" = 1 ]; then
  echo
  echo "## Agreement: mandate's shipped pack (packs/) vs Cardinal"
  python3 "$here/compare.py" --cardinal "$dir/cardinal.json" --mandate "$dir/mandate.jsonl" --strip-copy --show 5 || true
  echo
  echo "## Agreement: mandate's Cardinal profile (docs/indicators/cardinal/) vs Cardinal"
  python3 "$here/compare.py" --cardinal "$dir/cardinal.json" --mandate "$dir/mandate-profile.jsonl" \
    --pack "$rules" --strip-copy --show 5 || true
fi
[ "$keep" = 1 ] && echo "outputs kept in $dir (cardinal.json, mandate.jsonl, mandate-profile.jsonl)" >&2
exit 0
