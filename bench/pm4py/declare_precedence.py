#!/usr/bin/env python3
"""PM4Py's DECLARE conformance on an XES log, for the side-by-side with
mandate (see README.md here). Prints, as JSON on the last line: the seconds
to read the log and to check it, the peak memory, and per constraint the
case ids that violate it.

usage: declare_precedence.py LOG.xes[.gz] A>B [A>B ...]
  A>B: precedence(A, B), "B only after A".
"""
import json
import resource
import sys
import time

import pm4py


def main():
    path, pairs = sys.argv[1], [p.split(">", 1) for p in sys.argv[2:]]
    started = time.perf_counter()
    log = pm4py.read_xes(path, return_legacy_log_object=True)
    read = time.perf_counter() - started
    events = sum(len(trace) for trace in log)

    violations = {}
    checked = time.perf_counter()
    for a, b in pairs:
        model = {"precedence": {(a, b): {"support": 1.0, "confidence": 1.0}}}
        results = pm4py.conformance_declare(log, model)
        violations[f"{a}>{b}"] = sorted(
            trace.attributes["concept:name"]
            for trace, result in zip(log, results)
            if not result["is_fit"]
        )
    check = time.perf_counter() - checked
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "cases": len(log),
        "events": events,
        "read_seconds": round(read, 3),
        "check_seconds": round(check, 3),
        "peak_mib": round(peak_mib, 1),
        "violations": violations,
    }))


if __name__ == "__main__":
    main()
