#!/usr/bin/env python3
"""Compare the flags of Cardinal (ocdscardinal indicators) with mandate's.

    compare.py --cardinal cardinal.json --mandate mandate.jsonl [options]

cardinal.json  the output of `ocdscardinal indicators [--map] FILE`: one JSON
               object {"OCID": {ocid: {"R018": 1.0, ...}}, "Buyer": {...},
               "ProcuringEntity": {...}, "Tenderer": {...}, "Meta": ..., "Maps": ...}.
mandate.jsonl  the output of `mandate indicators --json FILE`: one finding per
               line, {"rule_id": ..., "subject": {"kind": ..., "id": ...}, ...}.

For each Cardinal indicator that mandate defines the same way (the mapping is
read from the rule pack: an indicator's `cardinal = "R018"` field, or failing
that its `kind`; --map R018=ocds.single-bid adds or overrides a pair), and
for each subject group (OCID / Buyer / ProcuringEntity / Tenderer), prints the
flagged ids only in Cardinal, only in mandate, and in both. Groups that only
one tool computes are listed as such. Python standard library only.
"""

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

GROUPS = ["OCID", "Buyer", "ProcuringEntity", "Tenderer"]

# mandate subject kinds -> Cardinal groups
KIND_TO_GROUP = {
    "contracting_process": "OCID",
    "contracting-process": "OCID",
    "ocid": "OCID",
    "process": "OCID",
    "buyer": "Buyer",
    "procuring_entity": "ProcuringEntity",
    "procuring-entity": "ProcuringEntity",
    "procuringEntity": "ProcuringEntity",
    "tenderer": "Tenderer",
    "supplier": "Tenderer",
    "bidder": "Tenderer",
}

# mandate indicator kinds -> Cardinal codes, used when the pack names no code.
KIND_TO_CODE = {
    "short_submission_period": "R003",
    "single_bid": "R018",
    "price_close_to_winning_bid": "R024",
    "excessive_unsuccessful_bids": "R025",
    "identical_bid_prices": "R028",
    "late_bid_won": "R030",
    "all_except_winner_disqualified": "R035",
    "all_except_winning_bid_disqualified": "R035",
    "lowest_bid_disqualified": "R036",
    "excessive_disqualified_bids": "R038",
    "heterogeneous_supplier": "R048",
    "heavily_discounted_bid": "R058",
}

# The groups each Cardinal indicator reports on (rows shown even when empty).
DEFAULT_GROUPS = {
    "R003": ["OCID"],
    "R018": ["OCID"],
    "R024": ["OCID", "Tenderer"],
    "R025": ["Tenderer"],
    "R028": ["OCID", "Tenderer"],
    "R030": ["OCID", "Tenderer"],
    "R035": ["OCID", "Tenderer"],
    "R036": ["OCID"],
    "R038": ["Buyer", "ProcuringEntity", "Tenderer"],
    "R048": ["Tenderer"],
    "R058": ["OCID", "Tenderer"],
}

TITLES = {
    "R003": "Short submission period",
    "R018": "Single bid received",
    "R024": "Price close to winning bid",
    "R025": "Excessive unsuccessful bids",
    "R028": "Identical bid prices",
    "R030": "Late bid won",
    "R035": "All except winning bid disqualified",
    "R036": "Lowest bid disqualified",
    "R038": "Excessive disqualified bids",
    "R048": "Heterogeneous supplier",
    "R055": "(not in Cardinal)",
    "R058": "Heavily discounted bid",
}


def load_pack_mapping(paths):
    """{code: set(rule ids)} from rule packs (TOML)."""
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        print("note: Python < 3.11, rule packs not read; use --map", file=sys.stderr)
        return {}
    mapping = defaultdict(set)
    for p in paths:
        p = Path(p)
        files = sorted(p.glob("*.toml")) if p.is_dir() else [p]
        for f in files:
            with open(f, "rb") as fh:
                pack = tomllib.load(fh)
            for ind in pack.get("indicator", []):
                rid = ind.get("id")
                kind = ind.get("kind", "")
                code = ind.get("cardinal") or ind.get("cardinal_code") or KIND_TO_CODE.get(kind)
                # R003 counts whole 24-hour periods for every publisher; a
                # legal minimum in calendar days for one publisher is not R003.
                if kind == "short_tender_period" and not ind.get("cardinal"):
                    if ind.get("whole_days") and not ind.get("ocid_prefixes") and ind.get("days", "calendar") == "calendar":
                        code = "R003"
                if rid and code:
                    mapping[str(code).upper()].add(rid)
    return mapping


def load_cardinal(path):
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    flagged = defaultdict(lambda: defaultdict(dict))  # code -> group -> id -> value
    for group in GROUPS:
        for ident, results in (data.get(group) or {}).items():
            for code, value in results.items():
                flagged[code][group][ident] = value
    return flagged, data.get("Meta") or {}, data.get("Maps") or {}


# Cardinal also flags the tenderers of a flagged process for these codes;
# mandate names them in the finding's `involved` ("tenderer: ID").
TENDERERS_OF_PROCESS = {"R024", "R028", "R030", "R035", "R058"}


def load_mandate(path):
    """{rule id: {group: {id: 1}}}; tenderers named in a process finding's
    `involved` go to the "Tenderer (involved)" group of that rule."""
    flagged = defaultdict(lambda: defaultdict(dict))  # rule id -> group -> id -> 1
    unknown_kinds = set()
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                f = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}: line {n}: not JSON ({e})")
            subject = f.get("subject") or {}
            kind = subject.get("kind", "")
            group = KIND_TO_GROUP.get(kind)
            if group is None:
                unknown_kinds.add(kind)
                group = kind
            rule = f.get("rule_id")
            flagged[rule][group][str(subject.get("id"))] = 1
            if group == "OCID":
                for who in f.get("involved") or []:
                    if isinstance(who, str) and who.startswith(("tenderer: ", "supplier: ")):
                        flagged[rule]["Tenderer (involved)"][who.split(": ", 1)[1]] = 1
    for k in sorted(unknown_kinds):
        print(f"note: mandate subject kind {k!r} has no Cardinal group", file=sys.stderr)
    return flagged


def compare(cardinal, mandate, mapping):
    rows = []
    codes = sorted(set(cardinal) | set(mapping))
    for code in codes:
        rules = sorted(mapping.get(code, ()))
        if code in TENDERERS_OF_PROCESS:
            # Cardinal's Tenderer results for these codes are the involved tenderers.
            for r in rules:
                if "Tenderer (involved)" in mandate.get(r, {}):
                    mandate[r]["Tenderer"] = mandate[r].pop("Tenderer (involved)")
        else:
            for r in rules:
                mandate.get(r, {}).pop("Tenderer (involved)", None)
        groups = sorted(
            set(DEFAULT_GROUPS.get(code, []))
            | set(cardinal.get(code, {}))
            | {g for r in rules for g in mandate.get(r, {})},
            key=lambda g: GROUPS.index(g) if g in GROUPS else 99,
        )
        for group in groups:
            c = set(cardinal.get(code, {}).get(group, {}))
            m = set()
            for r in rules:
                m |= set(mandate.get(r, {}).get(group, {}))
            rows.append(
                {
                    "code": code,
                    "title": TITLES.get(code, ""),
                    "rules": rules,
                    "group": group,
                    "cardinal": len(c),
                    "mandate": len(m),
                    "both": sorted(c & m),
                    "only_cardinal": sorted(c - m),
                    "only_mandate": sorted(m - c),
                    "mapped": bool(rules),
                }
            )
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cardinal", required=True, help="ocdscardinal indicators output (JSON)")
    ap.add_argument("--mandate", required=True, help="mandate indicators --json output (JSON Lines)")
    default_pack = Path(__file__).resolve().parents[2] / "packs"
    ap.add_argument("--pack", action="append", default=None,
                    help=f"rule pack file or folder to read the mapping from (default {default_pack})")
    ap.add_argument("--map", action="append", default=[], metavar="CODE=RULE",
                    help="map a Cardinal code to a mandate rule id (repeatable)")
    ap.add_argument("--show", type=int, default=20, help="ids to print per list (default 20; 0 = all)")
    ap.add_argument("--strip-copy", action="store_true",
                    help="also report agreement on the real process behind each copy (make_large_input.py ids)")
    ap.add_argument("--json", dest="json_out", help="write the full comparison as JSON to this file")
    ap.add_argument("--markdown", action="store_true", help="print the summary table as Markdown")
    args = ap.parse_args()

    mapping = load_pack_mapping(args.pack or [default_pack])
    # Rule ids that are Cardinal codes (mandate's comparison profile,
    # docs/indicators/cardinal/) map to themselves.
    for m in args.map:
        code, _, rule = m.partition("=")
        mapping.setdefault(code.upper(), set()).add(rule)

    cardinal, meta, _maps = load_cardinal(args.cardinal)
    mandate = load_mandate(args.mandate)
    for rule in mandate:
        if rule and re.fullmatch(r"R\d{3}", rule):
            mapping.setdefault(rule, set()).add(rule)
    rows = compare(cardinal, mandate, mapping)

    mapped_rules = {r for rules in mapping.values() for r in rules}
    unmapped = sorted(r for r in mandate if r not in mapped_rules)

    def show(ids):
        ids = list(ids)
        if args.show and len(ids) > args.show:
            return ", ".join(ids[: args.show]) + f", ... ({len(ids) - args.show} more)"
        return ", ".join(ids) if ids else "-"

    if args.markdown:
        print("| Cardinal | subject | mandate rule | Cardinal flags | mandate flags | both | only Cardinal | only mandate |")
        print("|---|---|---|---:|---:|---:|---:|---:|")
        for r in rows:
            rule = ", ".join(f"`{x}`" for x in r["rules"]) if r["rules"] else "(none)"
            print(f"| {r['code']} {r['title']} | {r['group']} | {rule} | {r['cardinal']:,} | {r['mandate']:,} | "
                  f"{len(r['both']):,} | {len(r['only_cardinal']):,} | {len(r['only_mandate']):,} |")
        print()
    print(f"{'code':5} {'group':16} {'mandate rule':36} {'cardinal':>8} {'mandate':>8} {'both':>7} {'only C':>7} {'only M':>7}")
    for r in rows:
        rule = ",".join(r["rules"]) if r["rules"] else "(no mandate rule)"
        print(f"{r['code']:5} {r['group']:16} {rule:36} {r['cardinal']:8} {r['mandate']:8} "
              f"{len(r['both']):7} {len(r['only_cardinal']):7} {len(r['only_mandate']):7}")
    for rule in unmapped:
        n = sum(len(v) for v in mandate[rule].values())
        print(f"{'-':5} {'':16} {rule:36} {'':8} {n:8}   (no Cardinal indicator)")
    print()
    for r in rows:
        if not r["mapped"]:
            continue
        if not (r["only_cardinal"] or r["only_mandate"]):
            continue
        print(f"== {r['code']} {r['title']} / {r['group']} / {','.join(r['rules'])}")
        print(f"   only Cardinal ({len(r['only_cardinal'])}): {show(r['only_cardinal'])}")
        print(f"   only mandate  ({len(r['only_mandate'])}): {show(r['only_mandate'])}")
        print(f"   both          ({len(r['both'])}): {show(r['both'])}")

    if args.strip_copy:
        strip = re.compile(r"(-x\d{7}|~g\d+)$")
        print("\nBy real process/organisation (copy suffixes removed):")
        for r in rows:
            if not r["mapped"]:
                continue
            sets = {k: {strip.sub("", i) for i in r[k]} for k in ("both", "only_cardinal", "only_mandate")}
            print(f"{r['code']:5} {r['group']:16} both {len(sets['both']):5}  only C {len(sets['only_cardinal']):5}"
                  f"  only M {len(sets['only_mandate']):5}  only C: {show(sorted(sets['only_cardinal']))}"
                  f"  only M: {show(sorted(sets['only_mandate']))}")

    if meta:
        print("\nCardinal's fences (Meta):", json.dumps(meta, sort_keys=True))

    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as fh:
            json.dump({"rows": rows, "unmapped_mandate_rules": unmapped, "cardinal_meta": meta,
                       "mapping": {k: sorted(v) for k, v in mapping.items()}}, fh, indent=1)


if __name__ == "__main__":
    main()
