#!/usr/bin/env python3
"""rnn4j against PyTorch per shape, cell and thread count (docs/performance.md, "Against PyTorch").

usage: jmh/torch-report.py RNN.json[,RNN2.json...] TORCH-SEQ.jsonl[,TORCH2.jsonl...]

  RNN.json         jmh/run 'RnnBench.forward' -p threads=1,2 -rf json -rff RNN.json
  TORCH-SEQ.jsonl  jmh/peers/torch_rnn_step.py --json TORCH-SEQ.jsonl   (command in jmh/peers/README.md)

Several files per side (comma-separated) are rounds of one session: rnn4j's JMH iterations of all
rounds are pooled, and PyTorch's per-round medians. Two ratios per cell: "med" = PyTorch's median
over rnn4j's median, "best" = PyTorch's fastest repeat over rnn4j's fastest iteration (interference
on a shared VM only adds time, so the best of each side is the least disturbed estimate of it).
> 1: rnn4j is faster. "2t/1t" is rnn4j's one-thread median over its two-thread median.
Only RnnBench rows of the default executor count as rnn4j's two-thread figures: split (data-parallel
over batch rows), or team (per-step GEMM split) in files from before split existed; a session's
files hold one of the two.
"""
import json
import statistics
import sys

rnn, torch = {}, {}
for path in sys.argv[1].split(","):
    for r in json.load(open(path)):
        method = r["benchmark"].rsplit(".", 1)[-1]
        p = r["params"]
        if p.get("impl", "simd") != "simd" or p.get("executor", "team") not in ("team", "split"):
            continue
        scale = {"ms/op": 1, "us/op": 1e-3, "ns/op": 1e-6, "s/op": 1e3}[r["primaryMetric"]["scoreUnit"]]
        raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
        mode = {"forward": "forward", "forwardBackward": "train"}.get(method)
        if mode:
            rnn.setdefault((p["shape"], p["cell"], int(p.get("threads", "1")), mode), []).extend(raw)
for path in sys.argv[2].split(","):
    for line in open(path):
        r = json.loads(line)
        if r.get("kind") == "seq":
            shape = f"{r['T']}x{r['B']}x{r['I']}x{r['H']}"
            torch.setdefault((shape, r["cell"], r["threads"], r["mode"]), []).append((r["ms"], r.get("ms_min", r["ms"])))


def rnn_times(key):
    raw = rnn.get(key)
    return (statistics.median(raw), min(raw)) if raw else None


def torch_times(key):
    rs = torch.get(key)
    return (statistics.median([m for m, _ in rs]), min(b for _, b in rs)) if rs else None


print("| (T,B,I,H) | cell | mode | rnn4j 1t ms | PyTorch 1t ms | speed-up 1t med | best | rnn4j 2t ms "
      "| PyTorch 2t ms | speed-up 2t med | best | rnn4j 2t/1t |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
order = ["100x32x256x256", "50x64x512x512", "100x1x128x128", "35x20x650x650"]
for shape in order:
    for cell in ("lstm", "gru", "rnn_tanh"):
        for mode in ("train", "forward"):
            r1, r2 = rnn_times((shape, cell, 1, mode)), rnn_times((shape, cell, 2, mode))
            t1, t2 = torch_times((shape, cell, 1, mode)), torch_times((shape, cell, 2, mode))
            if r1 is None:
                continue
            f = lambda x: "–" if x is None else f"{x[0]:.2f}"
            q = lambda a, b, i: "–" if a is None or b is None else f"{a[i] / b[i]:.2f}"
            print(f"| ({shape.replace('x', ',')}) | {cell} | {mode} | {f(r1)} | {f(t1)} | {q(t1, r1, 0)} | {q(t1, r1, 1)} "
                  f"| {f(r2)} | {f(t2)} | {q(t2, r2, 0)} | {q(t2, r2, 1)} | {q(r1, r2, 0)} |")
