#!/usr/bin/env python3
"""Markdown table of RnnBench results (docs/performance.md, "Cells").

usage: jmh/rnn-report.py RESULT.json [RESULT.json ...]     (jmh/run RnnBench ... -rf json -rff FILE)

The same benchmark in several files (rounds of one session) has its iterations pooled. Where a
shape, cell and mode was run both with impl=simd and impl=scalar (one thread), a second table gives
SIMD's speed-up over the scalar twin (best iterations, medians in brackets). Results of a run with
-prof gc add a table of bytes allocated per op.

Times are the best measurement iteration (interference on a shared VM only adds time) with the
median beside it; GFLOP/s counts GEMM FLOPs only: forward 2·T·B·G·H·(I+H), forward+backward 3× that.
"""
import json
import statistics
import sys

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}
rows = {}
alloc = {}   # (shape, cell, impl, method) -> bytes per op (JMH -prof gc: gc.alloc.rate.norm)
# The main two-thread figures are RnnBench's default executor: "split" (data-parallel over batch rows)
# since it exists, "team" (per-step GEMM split) in files from before; any other executor is labelled.
main = "split" if any(r["params"].get("executor") == "split" for path in sys.argv[1:] for r in json.load(open(path))) else "team"
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        method = r["benchmark"].rsplit(".", 1)[-1]
        p = r["params"]
        scale = {"ns/op": 1e-6, "us/op": 1e-3, "ms/op": 1, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
        raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
        impl = p.get("impl", "simd") + ("" if p.get("threads", "1") == "1" else f", {p['threads']} threads")
        if p.get("threads", "1") != "1" and p.get("executor", "team") != main:
            impl += f" ({p['executor']})"
        key = (p["shape"], p["cell"], impl, method)
        gc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", r.get("secondaryMetrics", {}).get("\u00b7gc.alloc.rate.norm"))
        if gc is not None:
            alloc[key] = gc["score"]
        rows[key] = rows.get(key, []) + raw     # several files: iterations of all of them pooled
rows = {k: (min(v), statistics.median(v)) for k, v in rows.items()}

print("| (T,B,I,H) | cell | impl | forward ms (median) | GFLOP/s | fwd+bwd ms (median) | GFLOP/s | one GEMM of fwd FLOPs, GFLOP/s | fwd / GEMM |")
print("|---|---|---|---|---|---|---|---|---|")
for (shape, cell, impl, method) in sorted({k[:3] + ("",) for k in rows}):
    T, B, I, H = map(int, shape.split("x"))
    flops = 2.0 * T * B * GATES[cell] * H * (I + H)
    f = rows.get((shape, cell, impl, "forward"))
    fb = rows.get((shape, cell, impl, "forwardBackward"))
    g = rows.get((shape, cell, impl, "gemmSameFlops"))
    def gf(t, mult=1):
        return f"{mult * flops / (t * 1e6):.1f}" if t else "—"
    cells = [f"({T},{B},{I},{H})", cell, impl,
             f"{f[0]:.2f} ({f[1]:.2f})" if f else "—", gf(f and f[0]),
             f"{fb[0]:.2f} ({fb[1]:.2f})" if fb else "—", gf(fb and fb[0], 3),
             gf(g and g[0]), f"{g[0] / f[0]:.2f}" if f and g else "—"]
    print("| " + " | ".join(cells) + " |")

pairs = [(k[0], k[1], k[3]) for k in rows if k[2] == "scalar" and (k[0], k[1], "simd", k[3]) in rows]
if pairs:
    print()
    print("| (T,B,I,H) | cell | mode | SIMD ms | scalar ms | SIMD / scalar speed-up (median) |")
    print("|---|---|---|---|---|---|")
    for shape, cell, method in sorted(pairs):
        v, sc = rows[(shape, cell, "simd", method)], rows[(shape, cell, "scalar", method)]
        mode = {"forward": "forward", "forwardBackward": "train"}.get(method, method)
        print(f"| ({shape.replace('x', ',')}) | {cell} | {mode} | {v[0]:.2f} | {sc[0]:.2f} | "
              f"{sc[0] / v[0]:.1f} ({sc[1] / v[1]:.1f}) |")

if alloc:
    print()
    print("| (T,B,I,H) | cell | impl | forward B/op | fwd+bwd B/op |")
    print("|---|---|---|---|---|")
    for (shape, cell, impl) in sorted({k[:3] for k in alloc}):
        f = alloc.get((shape, cell, impl, "forward"))
        fb = alloc.get((shape, cell, impl, "forwardBackward"))
        b = lambda v: "—" if v is None else f"{v:.0f}"
        print(f"| ({shape.replace('x', ',')}) | {cell} | {impl} | {b(f)} | {b(fb)} |")
