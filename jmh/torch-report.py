#!/usr/bin/env python3
"""rnn4j against PyTorch per shape, cell and thread count (docs/performance.md, "Against PyTorch").

usage: jmh/torch-report.py RNN.json TORCH-SEQ.jsonl

  RNN.json         jmh/run 'RnnBench.forward' -p threads=1,2 -rf json -rff RNN.json
  TORCH-SEQ.jsonl  jmh/peers/torch_rnn_step.py --json TORCH-SEQ.jsonl   (command in jmh/peers/README.md)

Medians. "speed-up" is PyTorch's time over rnn4j's (> 1: rnn4j is faster); "2t/1t" is rnn4j's
one-thread time over its two-thread time.
"""
import json
import statistics
import sys

rnn, torch = {}, {}
for r in json.load(open(sys.argv[1])):
    method = r["benchmark"].rsplit(".", 1)[-1]
    p = r["params"]
    scale = {"ms/op": 1, "us/op": 1e-3, "ns/op": 1e-6, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
    raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
    mode = {"forward": "forward", "forwardBackward": "train"}.get(method)
    if mode:
        rnn[(p["shape"], p["cell"], int(p.get("threads", "1")), mode)] = statistics.median(raw)
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r.get("kind") == "seq":
        shape = f"{r['T']}x{r['B']}x{r['I']}x{r['H']}"
        torch[(shape, r["cell"], r["threads"], r["mode"])] = r["ms"]

print("| (T,B,I,H) | cell | mode | rnn4j 1t ms | PyTorch 1t ms | speed-up 1t | rnn4j 2t ms | PyTorch 2t ms | speed-up 2t | rnn4j 2t/1t |")
print("|---|---|---|---|---|---|---|---|---|---|")
order = ["100x32x256x256", "50x64x512x512", "100x1x128x128", "35x20x650x650"]
for shape in order:
    for cell in ("lstm", "gru", "rnn_tanh"):
        for mode in ("train", "forward"):
            r1, r2 = rnn.get((shape, cell, 1, mode)), rnn.get((shape, cell, 2, mode))
            t1, t2 = torch.get((shape, cell, 1, mode)), torch.get((shape, cell, 2, mode))
            if r1 is None:
                continue
            f = lambda x: "–" if x is None else f"{x:.2f}"
            q = lambda a, b: "–" if a is None or b is None else f"{a / b:.2f}"
            print(f"| ({shape.replace('x', ',')}) | {cell} | {mode} | {f(r1)} | {f(t1)} | {q(t1, r1)} | {f(r2)} | {f(t2)} "
                  f"| {q(t2, r2)} | {q(r1, r2)} |")
