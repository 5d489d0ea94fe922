"""Latency records per route: collect in a load process, merge across processes, summarise.

Every request lands in exactly one record (its route label), errors included: a status
of 0 (no answer) or >= 400 counts as an error, never silently dropped. Latencies are
kept whole (not bucketed) so p99 is exact; a 10-minute run is a few hundred thousand
floats, well within memory.
"""

import json
import math
from collections import defaultdict


class Recorder:
    """Collect (seconds, status, bytes) per label inside one load-generator process."""

    def __init__(self):
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.statuses = defaultdict(lambda: defaultdict(int))
        self.bytes = defaultdict(int)
        self.counting = True

    def __call__(self, label, seconds, status, nbytes):
        if not self.counting:
            return
        self.latencies[label].append(round(seconds * 1000, 3))
        self.statuses[label][str(status)] += 1
        self.bytes[label] += nbytes
        if status == 0 or status >= 400:
            self.errors[label] += 1

    def reset(self):
        """Forget everything so far (end of warm-up)."""
        self.latencies.clear()
        self.errors.clear()
        self.statuses.clear()
        self.bytes.clear()

    def to_json(self):
        return {
            label: {
                "ms": values,
                "errors": self.errors[label],
                "statuses": dict(self.statuses[label]),
                "bytes": self.bytes[label],
            }
            for label, values in self.latencies.items()
        }


def merge(parts):
    """Merge the to_json() dicts of several processes into one."""
    out = {}
    for part in parts:
        for label, rec in part.items():
            into = out.setdefault(label, {"ms": [], "errors": 0, "statuses": {}, "bytes": 0})
            into["ms"].extend(rec["ms"])
            into["errors"] += rec["errors"]
            into["bytes"] += rec["bytes"]
            for status, n in rec["statuses"].items():
                into["statuses"][status] = into["statuses"].get(status, 0) + n
    return out


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of an unsorted list; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(merged, seconds):
    """Return {label: {n, rps, p50, p95, p99, max, errors, statuses}} plus an "ALL" row."""
    rows = {}
    everything = []
    for label, rec in sorted(merged.items()):
        values = rec["ms"]
        everything.extend(values)
        rows[label] = _row(values, rec["errors"], seconds, rec["statuses"])
        rows[label]["bytes_each"] = round(rec["bytes"] / len(values)) if values else None  # which page came
    rows["ALL"] = _row(everything, sum(r["errors"] for r in merged.values()), seconds, {})
    return rows


def _row(values, errors, seconds, statuses):
    return {
        "n": len(values),
        "rps": round(len(values) / seconds, 1) if seconds else None,
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
        "errors": errors,
        "statuses": statuses,
    }


def load_json(path):
    with open(path) as handle:
        return json.load(handle)
