#!/usr/bin/env python3
"""Compares PM4Py's violating cases (declare_precedence.py's JSON) with
mandate's findings on precedence.toml, constraint by constraint.

usage: compare.py PM4PY.json FINDINGS.jsonl; exit 1 on any difference.
"""
import json
import sys

# precedence.toml's rule ids and the DECLARE constraint each stands for.
RULES = {
    "approved-after-submitted": "Declaration SUBMITTED by EMPLOYEE>Declaration FINAL_APPROVED by SUPERVISOR",
    "requested-after-approved": "Declaration FINAL_APPROVED by SUPERVISOR>Request Payment",
    "paid-after-requested": "Request Payment>Payment Handled",
}


def main():
    pm4py = json.load(open(sys.argv[1]))["violations"]
    flagged = {rule: set() for rule in RULES}
    for line in open(sys.argv[2]):
        finding = json.loads(line)
        case = finding["subject"]["id"].split("/", 1)[1]
        flagged[finding["rule_id"]].add(case)
    differ = 0
    for rule, constraint in RULES.items():
        theirs, ours = set(pm4py[constraint]), flagged[rule]
        same = "agree" if theirs == ours else "DIFFER"
        print(f"  {constraint}: PM4Py {len(theirs)}, mandate {len(ours)} cases: {same}")
        for case in sorted(theirs ^ ours):
            print(f"    {case}: {'PM4Py only' if case in theirs else 'mandate only'}")
        differ += len(theirs ^ ours)
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
