#!/usr/bin/env python3
"""Independent oracle for the findings of the shipped rule packs on the shipped data.

This script is an independent re-implementation, in plain Python (standard
library only), of the rule semantics as they are written down in prose for the
project -- it does NOT share code with, and was not derived from, the Rust check
implementation (crates/check). It reads the raw files under data/ (XES event
logs, OCDS JSON) and the rule packs under packs/*.toml, evaluates every rule and
reports the expected number of findings per rule. The numbers asserted in
crates/cli/tests/demo_real_data.rs come from this script.

Usage (from the repository root):

    python3 tests/oracle/expected_findings.py                 # {rule_id: count} as JSON
    python3 tests/oracle/expected_findings.py --subjects RULE # flagged subject ids, sorted, one a line
    python3 tests/oracle/expected_findings.py --by-process    # {rule_id: {process: count}} as JSON
    python3 tests/oracle/expected_findings.py --stats         # findings / applicable / not applicable
    python3 tests/oracle/expected_findings.py --compare findings.jsonl
                                   # compare subject by subject with a findings.jsonl of the tool

Options --data DIR and --packs DIR override the default locations (data/ and
packs/ next to tests/).

Rule semantics implemented here (one finding at most per rule and subject):

* Subject of a process case: "<process name>/<case id>", where the process name
  is the log-level concept:name (a <string key="concept:name"> that is a direct
  child of <log>) or, if there is none, the file name without .xes / .xes.gz;
  the case id is the trace's concept:name. Nested attributes are ignored.
* Events of a case are ordered by (timestamp instant, position in the file).
  A timestamp without a UTC offset is taken as UTC.
* A procedure applies to cases whose process name is in its `processes`; a
  stage is a set of activity names (event concept:name).
* precedence (stages, requires, granularity = instant | day): the offending
  event is the first event whose activity is in any of `stages` (none: not
  applicable); the required event is the first event of stage `requires`.
  Finding if there is no required event or if it happened after the offending
  event (instant: timestamps, equal is fine; day: each event's calendar date in
  its own UTC offset, same day is fine).
* deadline (start = {stage} | {case_attribute}; optional stage; within_days |
  within_months): start = first event of the start stage (none: not applicable)
  or the trace attribute parsed as a date (missing: not applicable). Due date =
  start's calendar date in its own offset + N days, or + M months (day clamped
  to the last day of the target month). Target = first event of `stage` (none:
  not applicable) or, without `stage`, the last event of the case. Finding if
  the target's date, in the start's UTC offset, is strictly after the due date.
* OCDS indicators: per ocid the compiled release (a record's compiledRelease,
  else all releases of the ocid merged in date order), with the publisher's
  codes mapped by packs/codelists/*.toml; every indicator kind as defined in
  docs/indicators/<kind>.md, implemented in ocds_indicators.py next to this
  script. Findings of aggregate indicators are counted per subject (buyer,
  tenderer, pair, group), as the tool reports them.
"""

import argparse
import calendar
import datetime as dt
import glob
import gzip
import json
import os
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ocds_indicators  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))

ATTR_TAGS = {"string", "date", "int", "float", "boolean", "id", "list", "container"}

# ---------------------------------------------------------------------------
# Timestamps

TS_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2})?$"
)


class Stamp:
    """A point in time with the UTC offset it was written in."""

    __slots__ = ("utc", "offset", "text")

    def __init__(self, utc, offset, text):
        self.utc = utc  # naive datetime in UTC
        self.offset = offset  # dt.timedelta
        self.text = text

    def local_date(self, offset=None):
        off = self.offset if offset is None else offset
        return (self.utc + off).date()


def parse_ts(text):
    m = TS_RE.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    micro = 0
    if frac:
        micro = int((frac + "000000")[:6])
    local = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro)
    if tz is None or tz in ("Z", "z"):
        off = dt.timedelta(0)
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        off = sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    return Stamp(local - off, off, text)


def add_months(date, months):
    total = date.year * 12 + (date.month - 1) + months
    y, m = divmod(total, 12)
    m += 1
    last = calendar.monthrange(y, m)[1]
    return dt.date(y, m, min(date.day, last))


# ---------------------------------------------------------------------------
# XES


def local_name(tag):
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def file_stem(path):
    base = os.path.basename(path)
    for ext in (".xes.gz", ".xes"):
        if base.endswith(ext):
            return base[: -len(ext)]
    return base


class Event:
    __slots__ = ("pos", "activity", "ts", "attrs")

    def __init__(self, pos, attrs):
        self.pos = pos
        self.attrs = attrs
        self.activity = attrs.get("concept:name")
        t = attrs.get("time:timestamp")
        self.ts = parse_ts(t) if t is not None else None


class Case:
    def __init__(self, process, case_id, attrs, events, source):
        self.process = process
        self.case_id = case_id
        self.attrs = attrs
        self.source = source
        # order by (instant, position in the file)
        self.events = sorted(
            (e for e in events if e.ts is not None), key=lambda e: (e.ts.utc, e.pos)
        )
        self.untimed = sum(1 for e in events if e.ts is None)

    @property
    def subject(self):
        return f"{self.process}/{self.case_id}"


def read_xes(path):
    """Returns (process name, [Case])."""
    opener = gzip.open if path.endswith(".gz") else open
    log_name = None
    traces = []  # (trace attrs, [Event])
    stack = []
    trace_attrs = None
    events = None
    ev_attrs = None
    pos = 0
    with opener(path, "rb") as fh:
        for kind, elem in ET.iterparse(fh, events=("start", "end")):
            tag = local_name(elem.tag)
            if kind == "start":
                stack.append(tag)
                if tag == "trace" and len(stack) == 2:
                    trace_attrs, events = {}, []
                elif tag == "event" and len(stack) == 3 and stack[1] == "trace":
                    ev_attrs = {}
                continue
            # end
            parent = stack[-2] if len(stack) >= 2 else None
            if tag in ATTR_TAGS and "key" in elem.attrib:
                key, val = elem.attrib["key"], elem.attrib.get("value")
                if parent == "log" and len(stack) == 2:
                    if tag == "string" and key == "concept:name" and log_name is None:
                        log_name = val
                elif parent == "trace" and len(stack) == 3:
                    trace_attrs.setdefault(key, val)
                elif parent == "event" and len(stack) == 4 and stack[1] == "trace":
                    ev_attrs.setdefault(key, val)
            elif tag == "event" and len(stack) == 3 and stack[1] == "trace":
                events.append(Event(pos, ev_attrs))
                pos += 1
                ev_attrs = None
                elem.clear()
            elif tag == "trace" and len(stack) == 2:
                traces.append((trace_attrs, events))
                trace_attrs = events = None
                elem.clear()
            stack.pop()
    process = log_name if log_name is not None else file_stem(path)
    cases = [
        Case(process, attrs.get("concept:name"), attrs, evs, path) for attrs, evs in traces
    ]
    return process, cases


# ---------------------------------------------------------------------------
# Packs


def load_packs(packs_dir):
    packs = []
    for path in sorted(glob.glob(os.path.join(packs_dir, "*.toml"))):
        with open(path, "rb") as fh:
            packs.append((path, tomllib.load(fh)))
    return packs


def stage_map(procedure):
    return {s["id"]: set(s["activities"]) for s in procedure.get("stage", [])}


def first_of(events, activities):
    for e in events:
        if e.activity in activities:
            return e
    return None


def eval_precedence(rule, stages, case):
    """None: not applicable; False: fine; True: finding."""
    offending_acts = set()
    for sid in rule["stages"]:
        offending_acts |= stages[sid]
    off = first_of(case.events, offending_acts)
    if off is None:
        return None
    req = first_of(case.events, stages[rule["requires"]])
    if req is None:
        return True
    gran = rule.get("granularity", "instant")
    if gran == "instant":
        return req.ts.utc > off.ts.utc
    if gran == "day":
        return req.ts.local_date() > off.ts.local_date()
    raise ValueError(f"unknown granularity {gran!r}")


def eval_deadline(rule, stages, case):
    start = rule["start"]
    if "stage" in start:
        ev = first_of(case.events, stages[start["stage"]])
        if ev is None:
            return None
        start_ts = ev.ts
    else:
        raw = case.attrs.get(start["case_attribute"])
        if raw is None:
            return None
        start_ts = parse_ts(raw)
        if start_ts is None:
            return None
    start_date = start_ts.local_date()
    if "within_days" in rule:
        due = start_date + dt.timedelta(days=rule["within_days"])
    else:
        due = add_months(start_date, rule["within_months"])
    if "stage" in rule:
        target = first_of(case.events, stages[rule["stage"]])
    else:
        target = case.events[-1] if case.events else None
    if target is None:
        return None
    return target.ts.local_date(start_ts.offset) > due


def eval_once(rule, stages, case):
    occurrences = [e for e in case.events if e.activity in stages[rule["stage"]]]
    if not occurrences:
        return None
    return len(occurrences) > 1


PROC_KINDS = {"precedence": eval_precedence, "deadline": eval_deadline, "once": eval_once}

# ---------------------------------------------------------------------------
# OCDS


def merge_into(base, new):
    """OCDS merge: objects recursively, arrays of objects with ids by id,
    other arrays replaced, null removes."""
    for key, val in new.items():
        if val is None:
            base.pop(key, None)
        elif isinstance(val, dict):
            cur = base.get(key)
            if not isinstance(cur, dict):
                cur = {}
            base[key] = merge_into(cur, val)
        elif (
            isinstance(val, list)
            and val
            and all(isinstance(x, dict) and "id" in x for x in val)
            and isinstance(base.get(key), list)
        ):
            old = base[key]
            index = {x.get("id"): i for i, x in enumerate(old) if isinstance(x, dict)}
            out = list(old)
            for item in val:
                if item["id"] in index:
                    out[index[item["id"]]] = merge_into(dict(out[index[item["id"]]]), item)
                else:
                    index[item["id"]] = len(out)
                    out.append(merge_into({}, item))
            base[key] = out
        else:
            base[key] = json.loads(json.dumps(val))
    return base


def read_json_documents(path):
    """One JSON document, or JSON Lines (one document a line)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def is_linked(rel):
    """A release given only by its URL (content elsewhere)."""
    return isinstance(rel, dict) and "url" in rel and set(rel) <= {"url", "date", "tag"}


def load_ocds(data_dir, notes, stream=False):
    """ocid -> compiled release. With `stream`, as `mandate indicators` reads
    files: a release tagged "compiled" counts as a compiled release, and the
    first compiled release of an ocid wins (the log keeps the latest)."""
    compiled = {}  # ocid -> compiled release (from records)
    releases = defaultdict(list)  # ocid -> [(date, seq, release, file)]
    seq = 0
    for path in sorted(glob.glob(os.path.join(data_dir, "**", "*.json"), recursive=True)):
        docs = []
        for doc in read_json_documents(path):
            if isinstance(doc, dict) and "records" in doc:
                for rec in doc["records"]:
                    docs.append(("record", rec))
            elif isinstance(doc, dict) and "releases" in doc and "compiledRelease" not in doc and "ocid" not in doc:
                for rel in doc["releases"]:
                    docs.append(("release", rel))
            elif isinstance(doc, dict) and ("compiledRelease" in doc or "releases" in doc):
                docs.append(("record", doc))
            elif isinstance(doc, dict) and "ocid" in doc:
                docs.append(("release", doc))
        for kind, d in docs:
            if kind == "record" and isinstance(d.get("compiledRelease"), dict):
                cr = d["compiledRelease"]
                ocid = cr.get("ocid") or d.get("ocid")
                if stream:
                    compiled.setdefault(ocid, cr)
                else:
                    compiled[ocid] = cr
                continue
            rels = [r for r in d.get("releases", [])] if kind == "record" else [d]
            for rel in rels:
                if is_linked(rel) or not isinstance(rel.get("ocid"), str) or rel.get("id") in (None, ""):
                    continue  # skipped or rejected on import
                tags = rel.get("tag") if isinstance(rel.get("tag"), list) else []
                if stream and "compiled" in tags:
                    compiled.setdefault(rel["ocid"], rel)
                    continue
                releases[rel["ocid"]].append((rel.get("date", ""), seq, rel, path))
                seq += 1
    out = dict(compiled)
    for ocid, rels in releases.items():
        if ocid in compiled:
            continue
        if len(rels) > 1:
            # Several releases for one ocid: record it, and whether the fields
            # the indicators read agree between them (merge order then moot).
            relevant = [
                json.dumps(
                    [
                        dig(r[2], "tender", "procurementMethod"),
                        dig(r[2], "tender", "numberOfTenderers"),
                        dig(r[2], "tender", "tenderPeriod"),
                        r[2].get("bids"),
                    ],
                    sort_keys=True,
                )
                for r in rels
            ]
            notes.append(
                f"ocid {ocid}: {len(rels)} releases, release ids "
                f"{sorted({r[2].get('id') for r in rels})}, dates {sorted({r[0] for r in rels})}, "
                f"fields read by the indicators identical: {len(set(relevant)) == 1}"
            )
        rels.sort(key=lambda r: (parse_ts(r[0]).utc if parse_ts(r[0]) else dt.datetime.min, r[1]))
        c = {}
        for _, _, rel, _ in rels:
            merge_into(c, rel)
        out[ocid] = c
    return out


def dig(obj, *keys):
    for k in keys:
        if not isinstance(obj, dict) or k not in obj:
            return None
        obj = obj[k]
    return obj


def load_codelists(packs_dir):
    lists = []
    for path in sorted(glob.glob(os.path.join(packs_dir, "codelists", "*.toml"))):
        with open(path, "rb") as fh:
            lists.append(tomllib.load(fh))
    return lists


# ---------------------------------------------------------------------------


def evaluate(data_dir, packs_dir, stream=False):
    packs = load_packs(packs_dir)
    notes = []
    # rule_id -> {"flagged": {subject: process}, "applicable": n, "na": n}
    results = {}
    proc_rules = []  # (rule, stages, processes)
    ocds_rules = []
    for _, pack in packs:
        for proc in pack.get("procedure", []):
            stages = stage_map(proc)
            for rule in proc.get("rule", []):
                proc_rules.append((rule, stages, set(proc["processes"])))
        for ind in pack.get("indicator", []):
            if ind["kind"] not in ocds_indicators.KINDS:
                raise SystemExit(f"oracle does not implement indicator kind {ind['kind']!r}")
            ocds_rules.append(ind)
            results.setdefault(ind["id"], {"flagged": {}, "applicable": 0, "na": 0})

    xes_files = sorted(
        glob.glob(os.path.join(data_dir, "**", "*.xes"), recursive=True)
        + glob.glob(os.path.join(data_dir, "**", "*.xes.gz"), recursive=True)
    )
    case_count = Counter()
    for path in xes_files:
        process, cases = read_xes(path)
        case_count[process] += len(cases)
        ids = Counter(c.case_id for c in cases)
        dups = [k for k, v in ids.items() if v > 1]
        if dups:
            notes.append(f"{process}: duplicate case ids {dups[:5]}")
        untimed = sum(c.untimed for c in cases)
        if untimed:
            notes.append(f"{process}: {untimed} events without a timestamp ignored")
        for rule, stages, processes in proc_rules:
            if process not in processes:
                continue
            # Procedures for processes with no data here (e.g. the worked
            # example's) are left to their own hand-worked verdicts.
            if rule["kind"] not in PROC_KINDS:
                raise SystemExit(f"oracle does not implement rule kind {rule['kind']!r}")
            res = results.setdefault(rule["id"], {"flagged": {}, "applicable": 0, "na": 0})
            ev = PROC_KINDS[rule["kind"]]
            for case in cases:
                r = ev(rule, stages, case)
                if r is None:
                    res["na"] += 1
                else:
                    res["applicable"] += 1
                    if r:
                        res["flagged"][case.subject] = process

    ocds = load_ocds(data_dir, notes, stream)
    codelists = load_codelists(packs_dir)
    for ind in ocds_rules:
        res = results[ind["id"]]
        verdicts = ocds_indicators.judge(ind, ocds, codelists)
        for (kind, subject), verdict in sorted(verdicts.items()):
            if kind == "process":
                continue  # a process an aggregate indicator could not use
            if verdict is None:
                res["na"] += 1
            else:
                res["applicable"] += 1
                if verdict:
                    res["flagged"][subject] = kind
    return results, notes, case_count, len(ocds)


def compare(results, findings_path):
    tool = defaultdict(list)
    with open(findings_path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                f = json.loads(line)
                tool[f["rule_id"]].append(f["subject"]["id"])
    ok = True
    for rule_id in sorted(set(tool) | set(results)):
        subjects = tool.get(rule_id, [])
        dup = [s for s, n in Counter(subjects).items() if n > 1]
        mine = set(results.get(rule_id, {"flagged": {}})["flagged"])
        theirs = set(subjects)
        only_tool = sorted(theirs - mine)
        only_oracle = sorted(mine - theirs)
        status = "OK" if not (only_tool or only_oracle or dup) else "DIFF"
        ok &= status == "OK"
        print(f"{status:4} {rule_id}: oracle {len(mine)}, tool {len(subjects)}")
        for s in dup:
            print(f"     duplicate finding in tool output: {s}")
        for s in only_tool:
            print(f"     only in tool:   {s}")
        for s in only_oracle:
            print(f"     only in oracle: {s}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(REPO, "data"))
    ap.add_argument("--packs", default=os.path.join(REPO, "packs"))
    ap.add_argument("--subjects", metavar="RULE_ID")
    ap.add_argument("--by-process", action="store_true")
    ap.add_argument("--stats", action="store_true")
    ap.add_argument("--compare", metavar="FINDINGS_JSONL")
    ap.add_argument("-v", "--verbose", action="store_true", help="print data notes to stderr")
    ap.add_argument(
        "--stream",
        action="store_true",
        help="read OCDS as `mandate indicators` does (releases tagged compiled; first compiled release wins)",
    )
    args = ap.parse_args()

    results, notes, case_count, n_ocids = evaluate(args.data, args.packs, args.stream)
    if args.verbose:
        for n in notes:
            print(f"note: {n}", file=sys.stderr)

    if args.subjects:
        if args.subjects not in results:
            raise SystemExit(f"unknown rule {args.subjects!r}")
        for s in sorted(results[args.subjects]["flagged"]):
            print(s)
    elif args.by_process:
        out = {}
        for rid, res in sorted(results.items()):
            out[rid] = dict(sorted(Counter(res["flagged"].values()).items()))
        print(json.dumps(out, indent=2, ensure_ascii=False))
    elif args.stats:
        out = {
            rid: {
                "findings": len(res["flagged"]),
                "applicable": res["applicable"],
                "not_applicable": res["na"],
            }
            for rid, res in sorted(results.items())
        }
        out["_cases_per_process"] = dict(sorted(case_count.items()))
        out["_ocids"] = n_ocids
        print(json.dumps(out, indent=2, ensure_ascii=False))
    elif args.compare:
        sys.exit(0 if compare(results, args.compare) else 1)
    else:
        print(json.dumps({rid: len(res["flagged"]) for rid, res in sorted(results.items())}, indent=2))


if __name__ == "__main__":
    main()
