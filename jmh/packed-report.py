#!/usr/bin/env python3
"""Table of PackedGemmBench results (docs/performance-log.md, "Per-step GEMM on two threads"; conclusions in
docs/performance.md, "Two threads: hand-off cost and this VM's ceiling").

usage: jmh/packed-report.py SPLIT.json TWO-COPIES.json
  SPLIT.json       jmh/run PackedGemmBench -rf json -rff SPLIT.json            (par = 1 and 2 tasks, one JMH thread)
  TWO-COPIES.json  jmh/run PackedGemmBench -p par=1 -t 2 -rf json -rff ...     (two JMH threads, each its own serial GEMM)

Medians of the measurement iterations. "2 tasks / 1" is the speed-up of the column split; "2 copies / 1"
is the aggregate throughput of two independent GEMMs at once over one: what this machine gives two
threads when nothing is shared or handed off, the ceiling for the split.
"""
import json
import statistics
import sys


def load(path):
    out = {}
    for r in json.load(open(path)):
        p = r["params"]
        scale = {"ns/op": 1e-3, "us/op": 1.0, "ms/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
        raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
        out[(p["shape"], int(p["par"]), r["threads"])] = statistics.median(raw)
    return out


if len(sys.argv) != 3:
    raise SystemExit(__doc__)
split, copies = load(sys.argv[1]), load(sys.argv[2])
print("| (M,N,K) | 1 task µs | GFLOP/s | 2 tasks µs | 2 tasks / 1 | 2 copies: µs per call per thread | 2 copies / 1 |")
print("|---|---|---|---|---|---|---|")
for shape in sorted({k[0] for k in split}, key=lambda s: [int(x) for x in s.split("x")]):
    m, n, k = map(int, shape.split("x"))
    t1, t2 = split.get((shape, 1, 1)), split.get((shape, 2, 1))
    c2 = copies.get((shape, 1, 2))
    gf = 2.0 * m * n * k / (t1 * 1e3)
    print(f"| ({m},{n},{k}) | {t1:.1f} | {gf:.1f} | {t2:.1f} | {t1 / t2:.2f} | "
          + (f"{c2:.1f} | {2 * t1 / c2:.2f} |" if c2 else "— | — |"))
