#!/usr/bin/env python3
"""Markdown table of RnnBench results (docs/performance.md, "Cells").

usage: jmh/rnn-report.py RESULT.json [RESULT.json ...]     (jmh/run RnnBench ... -rf json -rff FILE)

Times are the best measurement iteration (interference on a shared VM only adds time) with the
median beside it; GFLOP/s counts GEMM FLOPs only: forward 2·T·B·G·H·(I+H), forward+backward 3× that.
"""
import json
import statistics
import sys

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}
rows = {}
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        method = r["benchmark"].rsplit(".", 1)[-1]
        p = r["params"]
        scale = {"ns/op": 1e-6, "us/op": 1e-3, "ms/op": 1, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
        raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
        impl = p.get("impl", "simd") + ("" if p.get("threads", "1") == "1" else f", {p['threads']} threads")
        rows[(p["shape"], p["cell"], impl, method)] = (min(raw), statistics.median(raw))

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
