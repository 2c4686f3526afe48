#!/usr/bin/env python3
"""Markdown table of RnnOptionBench results (docs/performance.md, "Cell-family options").

usage: jmh/rnn-option-report.py RESULT.json      (jmh/run RnnOptionBench -rf json -rff FILE)

Times are the best measurement iteration with the median beside it. GFLOP/s counts GEMM FLOPs only,
per unit (direction): forward 2·T·B·(G·H·(I + P) + [proj] H·P), forward+backward 3× that; peephole
and reset-before gate math is element-wise and not counted (reset-before's two recurrent GEMMs have
the same FLOPs as one). "vs plain" divides the variant's GFLOP/s by its plain cell's from the same
run: 1.00 means the option runs as fast per FLOP as the plain cell.
"""
import json
import statistics
import sys

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1}
rows = {}
for path in sys.argv[1:]:
    for r in json.load(open(path)):
        method = r["benchmark"].rsplit(".", 1)[-1]
        p = r["params"]
        scale = {"ns/op": 1e-6, "us/op": 1e-3, "ms/op": 1, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
        raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
        rows[(p["shape"], p["variant"], method)] = (min(raw), statistics.median(raw))


def split(variant):
    cell = "rnn_tanh" if variant.startswith("rnn_tanh") else variant.split("_")[0]
    return cell, variant[len(cell) + 1:]


def flops(shape, variant):
    T, B, I, H = map(int, shape.split("x"))
    cell, option = split(variant)
    P = H // 2 if option == "proj" else H
    units = 2 if option == "bidirectional" else 1
    per_unit = 2.0 * T * B * (GATES[cell] * H * (I + P) + (H * P if option == "proj" else 0))
    return units * per_unit


print("| (T,B,I,H) | variant | forward ms (median) | GFLOP/s | vs plain | fwd+bwd ms (median) | GFLOP/s | vs plain |")
print("|---|---|---|---|---|---|---|---|")
for (shape, variant) in sorted({k[:2] for k in rows}, key=lambda k: (k[0], split(k[1])[0], k[1] != split(k[1])[0], k[1])):
    T, B, I, H = map(int, shape.split("x"))
    fl = flops(shape, variant)
    plain = split(variant)[0]
    cells = [f"({T},{B},{I},{H})", variant]
    for method, mult in (("forward", 1), ("forwardBackward", 3)):
        r = rows.get((shape, variant, method))
        base = rows.get((shape, plain, method))
        if not r:
            cells += ["—", "—", "—"]
            continue
        g = mult * fl / (r[0] * 1e6)
        gb = mult * flops(shape, plain) / (base[0] * 1e6) if base else None
        cells += [f"{r[0]:.2f} ({r[1]:.2f})", f"{g:.1f}", f"{g / gb:.2f}" if gb else "—"]
    print("| " + " | ".join(cells) + " |")
