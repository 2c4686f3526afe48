#!/usr/bin/env python3
"""The phase table of jmh/breakdown: one row per cell, shape and mode, each phase's share of the
JFR samples and its implied ms (share × the same run's JMH score).

usage: jmh/breakdown-report.py PHASES.jsonl
"""
import json
import sys

PHASES = [("input-gemm", "all-step input GEMM"), ("step-gemm", "per-step recurrent GEMMs"),
          ("gate-math", "post-GEMM gate math"), ("packing", "packing, transposes"),
          ("weight-grad", "weight-gradient GEMMs (+ dx)"), ("other", "everything else")]
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| cell | (T,B,I,H) | mode | ms | samples | " + " | ".join(label for _, label in PHASES) + " |")
print("|---|---|---|---|---|" + "---|" * len(PHASES))
for r in rows:
    cells = []
    for key, _ in PHASES:
        s = r["share"][key]
        cells.append("–" if s == 0 else f"{100 * s:.0f} % ({s * r['ms']:.2f})")
    print(f"| {r['cell']} | {r['shape'].replace('x', ',')} | {r['mode']} | {r['ms']:.2f} | {r['samples']} | "
          + " | ".join(cells) + " |")
