#!/usr/bin/env python3
"""Build an OCDS JSON Lines file of compiled releases for the Cardinal benchmark.

Reads real OCDS files (release packages, record packages, single releases,
single records; .json, .jsonl, optionally .gz), keeps one compiled release per
ocid, and writes COPIES copies of the whole set, one compiled release per line.

Which compiled release is kept for an ocid:
  1. a record's `compiledRelease`, if any file holds a record for that ocid;
  2. otherwise the releases of that ocid, merged in date order by the OCDS
     merge rules (objects merged field by field, arrays of objects with `id`
     merged by `id`, other arrays replaced, null removes), tagged "compiled".
Ocids are read in sorted file order; the first compiled release seen wins.

Replication scheme (copy k = 0 .. COPIES-1):
  * ocid          -> "<ocid>-x<k>"       (k zero-padded to 7 digits)
  * release id    -> "<ocid>-x<k>-compiled"
  * every organisation id that is a string -- /buyer/id,
    /tender/procuringEntity/id, /parties[]/id, /bids/details[]/tenderers[]/id,
    /awards[]/suppliers[]/id -- becomes "<id>~g<g>" with g = k // GROUP
    (a reference with no id gets the mark on its identifier.id instead).
  So the copies are split into groups of GROUP consecutive copies; inside a
  group every organisation is shared (one buyer buys in GROUP times as many
  processes as in the real data), across groups organisations are distinct.
  Per-organisation ratios (R038, R025) are therefore those of the real data,
  the number of organisations grows with COPIES / GROUP, and a per-process
  result of copy k is the result of the real process it copies.
  With --copies 1 the ids are left exactly as they are (the real data).
  Numeric ids (some publishers use them) are left as they are.

Python standard library only.

Examples:
  make_large_input.py --copies 1 -o real.jsonl               # the real data, once
  make_large_input.py --records 300000 -o large.jsonl        # benchmark input
  make_large_input.py data/ocds /other/ocds --copies 2000 -o large.jsonl
"""

import argparse
import gzip
import json
import os
import sys
from pathlib import Path

DEFAULT_INPUTS = [str(Path(__file__).resolve().parents[2] / "data" / "ocds")]
DEFAULT_RECORDS = 300_000
DEFAULT_GROUP = 100
MARK_K = "@@copy-k@@"  # replaced by the copy number
MARK_G = "@@copy-g@@"  # replaced by the group number


def open_text(path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return open(path, encoding="utf-8")


def iter_files(paths):
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.name.endswith((".json", ".jsonl", ".json.gz", ".jsonl.gz")):
                    yield f
        elif p.is_file():
            yield p
        else:
            sys.exit(f"{p}: no such file or directory")


def iter_documents(path):
    """JSON documents in a file: the whole file, or one per line."""
    with open_text(path) as fh:
        text = fh.read()
    try:
        yield json.loads(text)
        return
    except json.JSONDecodeError:
        pass
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{path}: line {n}: not JSON ({e}), skipped", file=sys.stderr)


def classify(doc, compiled, releases):
    """Put compiled releases and plain releases of one document into the two dicts."""
    if isinstance(doc, list):
        for d in doc:
            classify(d, compiled, releases)
        return
    if not isinstance(doc, dict):
        return
    if "records" in doc and isinstance(doc["records"], list):  # record package
        for r in doc["records"]:
            classify_record(r, compiled, releases)
    elif "releases" in doc and "ocid" not in doc and isinstance(doc["releases"], list):  # release package
        for r in doc["releases"]:
            add_release(r, releases)
    elif "compiledRelease" in doc or ("releases" in doc and "ocid" in doc):  # record
        classify_record(doc, compiled, releases)
    elif "ocid" in doc:  # single release
        add_release(doc, releases)


def classify_record(record, compiled, releases):
    cr = record.get("compiledRelease")
    if isinstance(cr, dict) and isinstance(cr.get("ocid"), str):
        compiled.setdefault(cr["ocid"], cr)
        return
    for r in record.get("releases") or []:
        if isinstance(r, dict) and "url" in r and "tag" not in r and "tender" not in r:
            continue  # linked release
        add_release(r, releases)


def add_release(r, releases):
    if isinstance(r, dict) and isinstance(r.get("ocid"), str):
        releases.setdefault(r["ocid"], []).append(r)


def merge_value(old, new):
    if new is None:
        return None
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for k, v in new.items():
            if v is None:
                out.pop(k, None)
            else:
                out[k] = merge_value(out.get(k), v)
        return out
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and new
        and all(isinstance(x, dict) and "id" in x for x in new)
        and all(isinstance(x, dict) and "id" in x for x in old)
    ):
        out = list(old)
        index = {json.dumps(x["id"]): i for i, x in enumerate(out)}
        for x in new:
            key = json.dumps(x["id"])
            if key in index:
                out[index[key]] = merge_value(out[index[key]], x)
            else:
                index[key] = len(out)
                out.append(x)
        return out
    return new


def compile_releases(ocid, rels):
    rels = sorted(rels, key=lambda r: str(r.get("date") or ""))
    out = {}
    for r in rels:
        out = merge_value(out, {k: v for k, v in r.items() if k not in ("id", "tag")})
    out["ocid"] = ocid
    out["id"] = f"{ocid}-{out.get('date', '')}"
    out["tag"] = ["compiled"]
    return out


def load_compiled(paths):
    compiled, releases = {}, {}
    for f in iter_files(paths):
        for doc in iter_documents(f):
            classify(doc, compiled, releases)
    result = dict(compiled)
    for ocid, rels in releases.items():
        if ocid not in result:
            result[ocid] = compile_releases(ocid, rels)
    return [result[o] for o in sorted(result)]


def mark_org(obj, key):
    if not isinstance(obj, dict):
        return
    if isinstance(obj.get(key), str):
        obj[key] = obj[key] + "~g" + MARK_G
    elif key == "id" and isinstance(obj.get("identifier"), dict) and isinstance(obj["identifier"].get("id"), str):
        # An OCDS 1.0 reference with no id: tools that identify it by its
        # identifier (scheme-id) must see the copy's own organisation too.
        obj["identifier"]["id"] = obj["identifier"]["id"] + "~g" + MARK_G


def mark_org_list(lst):
    if isinstance(lst, list):
        for x in lst:
            mark_org(x, "id")
    elif isinstance(lst, dict):  # an object where OCDS expects an array
        mark_org(lst, "id")


def template(release):
    """Serialise a compiled release with markers for the copy and group numbers."""
    r = json.loads(json.dumps(release))  # deep copy
    ocid = r["ocid"]
    r["ocid"] = ocid + "-x" + MARK_K
    r["id"] = ocid + "-x" + MARK_K + "-compiled"
    mark_org(r.get("buyer"), "id")
    tender = r.get("tender")
    if isinstance(tender, dict):
        mark_org(tender.get("procuringEntity"), "id")
    mark_org_list(r.get("parties"))
    bids = r.get("bids")
    if isinstance(bids, dict) and isinstance(bids.get("details"), list):
        for b in bids["details"]:
            if isinstance(b, dict):
                mark_org_list(b.get("tenderers"))
    if isinstance(r.get("awards"), list):
        for a in r["awards"]:
            if isinstance(a, dict):
                mark_org_list(a.get("suppliers"))
    s = json.dumps(r, ensure_ascii=False, separators=(",", ":"))
    return s.encode("utf-8").split(MARK_K.encode())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*", default=DEFAULT_INPUTS,
                    help="OCDS files or folders (default: the repository's data/ocds)")
    ap.add_argument("-o", "--output", required=True, help="output .jsonl file ('-' for standard output)")
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--copies", type=int, help="number of copies of the whole set")
    size.add_argument("--records", type=int,
                      help=f"approximate number of lines: copies = ceil(records / set size) (default {DEFAULT_RECORDS:,})")
    ap.add_argument("--max-bytes", type=float, default=None,
                    help="stop adding copies once the file would exceed this many bytes (e.g. 2e9)")
    ap.add_argument("--group", type=int, default=DEFAULT_GROUP,
                    help=f"consecutive copies that share organisation ids (default {DEFAULT_GROUP})")
    args = ap.parse_args()

    releases = load_compiled(args.inputs)
    if not releases:
        sys.exit("no compiled release found in the inputs")
    n = len(releases)
    if args.copies is not None:
        copies = args.copies
    else:
        records = args.records if args.records is not None else DEFAULT_RECORDS
        copies = max(1, -(-records // n))

    out = sys.stdout.buffer if args.output == "-" else open(args.output, "wb")
    written = lines = 0
    try:
        if copies == 1:
            for r in releases:
                b = json.dumps(r, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                out.write(b)
                written += len(b)
                lines += 1
        else:
            mark_g = MARK_G.encode()
            for r in releases:
                text = json.dumps(r, ensure_ascii=False)
                if MARK_K in text or MARK_G in text:
                    sys.exit(f"{r['ocid']}: contains a marker of this script ({MARK_K} or {MARK_G})")
            templates = [template(r) for r in releases]
            set_bytes = sum(sum(len(p) for p in t) + 1 for t in templates)
            for k in range(copies):
                if args.max_bytes and written + set_bytes > args.max_bytes and k > 0:
                    break
                kb = b"%07d" % k
                gb = b"%d" % (k // args.group)
                chunk = b"\n".join(kb.join(t).replace(mark_g, gb) for t in templates) + b"\n"
                out.write(chunk)
                written += len(chunk)
                lines += n
    finally:
        if out is not sys.stdout.buffer:
            out.close()
    print(f"{args.output}: {lines:,} compiled releases ({n} distinct real processes x "
          f"{lines // n} copies, group {args.group}), {written / 1e6:,.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
