#!/usr/bin/env bash
# Side by side: PM4Py's DECLARE conformance and mandate's checking engine,
# the same three precedence constraints (precedence.toml) on the same log.
#
#   bench/pm4py/run.sh [LOG.xes.gz] [--python PATH] [--runs N]
#
# Default log: data/process-logs/bpic2020/DomesticDeclarations.xes.gz.
# Needs PM4Py in the Python given (python3 -m venv /tmp/pm4py && /tmp/pm4py/bin/pip
# install pm4py==2.7.23.11, then --python /tmp/pm4py/bin/python). Each tool
# runs --runs times (default 3); the median is reported. Then the violating
# cases are compared, constraint by constraint (compare.py).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
log="$repo/data/process-logs/bpic2020/DomesticDeclarations.xes.gz"
python=python3
runs=3
while [ $# -gt 0 ]; do
    case "$1" in
        --python) python="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        *) log="$1"; shift ;;
    esac
done

constraints=(
    "Declaration SUBMITTED by EMPLOYEE>Declaration FINAL_APPROVED by SUPERVISOR"
    "Declaration FINAL_APPROVED by SUPERVISOR>Request Payment"
    "Request Payment>Payment Handled"
)

cargo build --release -q -p mandate-cli --manifest-path "$repo/Cargo.toml"
mandate="$repo/target/release/mandate"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== PM4Py $("$python" -c 'import pm4py; print(pm4py.__version__)' 2>/dev/null | tail -1), $runs runs"
for i in $(seq "$runs"); do
    "$python" "$here/declare_precedence.py" "$log" "${constraints[@]}" 2>/dev/null | tail -1 > "$work/pm4py-$i.json"
    "$python" -c "import json,sys; d=json.load(open(sys.argv[1])); print(f\"  read {d['read_seconds']} s, check {d['check_seconds']} s ({d['events']/d['check_seconds']:.0f} events/s), peak {d['peak_mib']} MiB\")" "$work/pm4py-$i.json"
done

echo "== mandate bench check, $runs runs"
for i in $(seq "$runs"); do
    "$mandate" bench check "$log" --rules "$here/precedence.toml" --repeat 10 | sed 's/^/  /'
done

echo "== violating cases, case by case"
"$mandate" init "$work/ws" > /dev/null
rm -f "$work/ws/rules/"*.toml
cp "$here/precedence.toml" "$work/ws/rules/"
"$mandate" -w "$work/ws" import "$log" > /dev/null
"$mandate" -w "$work/ws" check > /dev/null
"$python" "$here/compare.py" "$work/pm4py-1.json" "$work/ws/findings.jsonl"
