#!/usr/bin/env python3
"""Tables JMH -prof gc results of AllocationBench: bytes per op (gc.alloc.rate.norm) per variant,
format and benchmark. Usage: python3 jmh/alloc-report.py RESULT.json [RESULT.json ...]"""
import json
import sys

rows = {}
cols = []
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        bench = r["benchmark"].rsplit(".", 1)[1]
        p = r.get("params", {})
        fmt = p.get("format", "")
        col = bench if bench in ("forward", "train") else f"{bench} {fmt}"
        if col not in cols:
            cols.append(col)
        norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        b = norm["score"] if norm else None
        rows.setdefault(p.get("variant", "?"), {})[col] = (b, r["primaryMetric"]["score"])

order = ["stream1 f32", "stream1 bf16", "stream8 f32", "stream8 bf16", "forward", "train"]
cols = [c for c in order if c in cols] + [c for c in cols if c not in order]
print("| variant | " + " | ".join(cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for v, cells in rows.items():
    out = []
    for c in cols:
        if c not in cells or (v.endswith("bidirectional") and c.startswith("stream")):
            out.append("–")
        else:
            b, us = cells[c]
            out.append("n/a" if b is None else f"{b:.3g} B")
    print(f"| {v} | " + " | ".join(out) + " |")
print("\nB/op: gc.alloc.rate.norm (JMH -prof gc); '–': not a streaming variant or not run.")
