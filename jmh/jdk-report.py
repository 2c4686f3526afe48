#!/usr/bin/env python3
"""JDK 17 against JDK 25 for RnnBench (docs/performance.md): medians, one thread.

usage: jmh/jdk-report.py RNN-JDK17.json RNN-JDK25.json
"""
import json
import statistics
import sys


def load(path):
    out = {}
    for r in json.load(open(path)):
        p = r["params"]
        if p.get("threads", "1") != "1" or p.get("impl", "simd") != "simd":
            continue
        scale = {"ns/op": 1e-6, "us/op": 1e-3, "ms/op": 1.0, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
        raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
        out[(p["shape"], p["cell"], r["benchmark"].rsplit(".", 1)[-1])] = statistics.median(raw)
    return out


if len(sys.argv) != 3:
    raise SystemExit(__doc__)
a, b = load(sys.argv[1]), load(sys.argv[2])
print("| (T,B,I,H) | cell | JDK 17 fwd ms | JDK 25 fwd ms | JDK 17 train ms | JDK 25 train ms | JDK 25 / JDK 17 (train) |")
print("|---|---|---|---|---|---|---|")
for shape, cell in sorted({k[:2] for k in a if k[:2] in {j[:2] for j in b}}):
    f17, f25 = a.get((shape, cell, "forward")), b.get((shape, cell, "forward"))
    t17, t25 = a.get((shape, cell, "forwardBackward")), b.get((shape, cell, "forwardBackward"))
    print(f"| ({shape.replace('x', ',')}) | {cell} | {f17:.2f} | {f25:.2f} | {t17:.2f} | {t25:.2f} | {t25 / t17:.2f} |")
