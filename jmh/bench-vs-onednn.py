#!/usr/bin/env python3
"""rnn4j bench --json against the oneDNN peer, same session (docs/performance.md, "oneDNN").

usage: jmh/bench-vs-onednn.py DIR

reads DIR/onednn-r*.jsonl (jmh/peers/onednn-peer --json) and DIR/rnn4j-jdkJ-tN-rR.json (rnn4j bench
--json --threads N; tNstep = --split step). Per row the best of the rounds on each side (each side's
least disturbed figure; interference only adds time): rnn4j's per-run medians, oneDNN's ms_min.
Speed-up = oneDNN ms / rnn4j ms: > 1 means rnn4j is faster. "% of peak" is rnn4j's GEMM GFLOP/s in its
best JDK 25 round over that round's measured FMA peak × threads (bench's peak_fraction), where recorded.
"""
import collections
import glob
import json
import os
import re
import sys

d = sys.argv[1]
one = collections.defaultdict(list)
for f in glob.glob(f"{d}/onednn-r*.jsonl"):
    for line in open(f):
        r = json.loads(line)
        if r.get("kind") == "seq":
            mode = "inference" if r["mode"] == "forward" else "train"
            one[(r["cell"], f"{r['T']}x{r['B']}x{r['I']}x{r['H']}", mode, r["threads"])].append(r.get("ms_min", r["ms"]))
rn = collections.defaultdict(list)
for f in glob.glob(f"{d}/rnn4j-jdk*-t*-r*.json"):
    m = re.match(r"rnn4j-jdk(\d+)-t(\d+)(step)?-r\d+\.json", os.path.basename(f))
    jdk, threads, step = m.group(1), int(m.group(2)), bool(m.group(3))
    for line in open(f):
        r = json.loads(line)
        if r["kind"] in ("train", "inference"):
            rn[(r["cell"], r["shape"], r["kind"], threads, jdk, step)].append((r["ms"], r.get("peak_fraction")))
print("| cell | (T,B,I,H) | mode | threads | oneDNN ms | rnn4j JDK 25 ms | % of peak | speed-up | rnn4j JDK 17 ms | speed-up "
      "| rnn4j JDK 25, per-step split ms |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for key in sorted(one, key=lambda k: (k[3], ["lstm", "gru", "rnn_tanh"].index(k[0]), k[2] != "train")):
    cell, shape, mode, thr = key
    o = min(one[key])
    def best(jdk, step=False):
        v = rn.get((cell, shape, mode, thr, jdk, step))
        return min(v, key=lambda x: x[0]) if v else (None, None)
    (r25, f25), (r17, _), (s25, _) = best("25"), best("17"), best("25", True) if thr > 1 else (None, None)
    fmt = lambda x: "–" if x is None else f"{x:.2f}"
    ratio = lambda x: "–" if x is None else f"{o / x:.2f}"
    pct = "–" if f25 is None else f"{100 * f25:.1f} %"
    print(f"| {cell} | {shape.replace('x', ',')} | {mode} | {thr} | {o:.2f} | {fmt(r25)} | {pct} | {ratio(r25)} | {fmt(r17)} "
          f"| {ratio(r17)} | {fmt(s25)} |")
