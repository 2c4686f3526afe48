#!/usr/bin/env python3
"""SVG chart of rnn4j's speed-up against its peers (docs/img/perf-vs-peers.svg, docs/performance.md).

usage: jmh/peer-chart.py RNN.json[,RNN2.json...] TORCH-SEQ.jsonl[,TORCH2.jsonl...] ORT.json OUT.svg

Several files per side (comma-separated) are rounds of one session, pooled as in jmh/torch-report.py
(rnn4j: median of all JMH iterations; PyTorch: median of the per-round medians).

One horizontal bar per (shape, cell) and comparison: PyTorch training step (1 thread), PyTorch
training step (2 threads), ONNX Runtime sequence inference; the bar's length is the peer's time over
rnn4j's (right of the 1.0 line: rnn4j faster), on a log scale. Standard library only.
"""
import json
import math
import statistics
import sys


def jmh(paths):
    raws = {}
    for path in paths.split(","):
        for r in json.load(open(path)):
            bench, method = r["benchmark"].rsplit(".", 2)[-2:]
            p = dict(r["params"])
            if p.pop("executor", "team") not in ("team", "split"):
                continue
            scale = {"ms/op": 1, "us/op": 1e-3, "ns/op": 1e-6, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
            raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
            raws.setdefault((bench, method, tuple(sorted(p.items()))), []).extend(raw)
    return {k: statistics.median(v) for k, v in raws.items()}


rnn = jmh(sys.argv[1])
ort = jmh(sys.argv[3])
torch_rounds = {}
for path in sys.argv[2].split(","):
    for line in open(path):
        r = json.loads(line)
        if r.get("kind") == "seq":
            key = (f"{r['T']}x{r['B']}x{r['I']}x{r['H']}", r["cell"], r["threads"], r["mode"])
            torch_rounds.setdefault(key, []).append(r["ms"])
torch = {k: statistics.median(v) for k, v in torch_rounds.items()}


def rnn_ms(shape, cell, threads, method):
    key = {"shape": shape, "cell": cell, "impl": "simd", "threads": str(threads)}
    return rnn.get(("RnnBench", method, tuple(sorted(key.items()))))


def ort_ms(shape, cell, impl):
    key = {"shape": shape, "cell": cell, "impl": impl}
    return ort.get(("OrtSeqBench", "forward", tuple(sorted(key.items()))))


rows = []
for shape in ["100x32x256x256", "50x64x512x512", "100x1x128x128", "35x20x650x650"]:
    for cell in ["lstm", "gru", "rnn_tanh"]:
        r1, r2 = rnn_ms(shape, cell, 1, "forwardBackward"), rnn_ms(shape, cell, 2, "forwardBackward")
        t1, t2 = torch.get((shape, cell, 1, "train")), torch.get((shape, cell, 2, "train"))
        o, orr = ort_ms(shape, cell, "ort"), ort_ms(shape, cell, "rnn4j")
        rows.append((f"{cell} {shape}", [t1 / r1 if t1 and r1 else None, t2 / r2 if t2 and r2 else None,
                                         o / orr if o and orr else None]))

SERIES = [("PyTorch, training step, 1 thread", "#4e79a7"), ("PyTorch, training step, 2 threads", "#a0cbe8"),
          ("ONNX Runtime, sequence inference", "#f28e2b")]
lo, hi = 0.25, 16.0
left, width, bar, gap = 190, 520, 7, 8
height = 84 + len(rows) * (3 * bar + gap) + 40


def x(v):
    return left + width * (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))


svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 30}" height="{height}" '
       f'font-family="sans-serif" font-size="11">',
       f'<text x="10" y="16" font-size="13">rnn4j speed-up = peer time / rnn4j time (log scale; '
       f'right of 1: rnn4j faster)</text>']
for i, (name, color) in enumerate(SERIES):
    svg.append(f'<rect x="{left}" y="{26 + 14 * i}" width="10" height="10" fill="{color}"/>'
               f'<text x="{left + 14}" y="{35 + 14 * i}">{name}</text>')
top = 74
for v in (0.25, 0.5, 1, 2, 4, 8, 16):
    svg.append(f'<line x1="{x(v):.1f}" y1="{top}" x2="{x(v):.1f}" y2="{height - 30}" '
               f'stroke="{"#333" if v == 1 else "#ddd"}" stroke-width="{1.5 if v == 1 else 1}"/>'
               f'<text x="{x(v):.1f}" y="{height - 15}" text-anchor="middle">{v:g}</text>')
y = top + 4
for label, vals in rows:
    svg.append(f'<text x="{left - 6}" y="{y + 1.5 * bar + 4}" text-anchor="end">{label}</text>')
    for (name, color), v in zip(SERIES, vals):
        if v is not None:
            x0, x1 = sorted((x(1), x(min(max(v, lo), hi))))
            svg.append(f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 1):.1f}" height="{bar}" fill="{color}">'
                       f'<title>{label}: {name} {v:.2f}</title></rect>')
        y += bar
    y += gap
svg.append("</svg>")
open(sys.argv[4], "w").write("\n".join(svg) + "\n")
print(f"wrote {sys.argv[4]} ({len(rows)} rows)")
