#!/usr/bin/env python3
"""Markdown tables of the streaming benchmarks against PyTorch and OpenBLAS (docs/serving.md).

usage: jmh/stream-report.py STREAM.json [BATCH.json] [TORCH.jsonl]

  STREAM.json  jmh/run StreamBench -prof gc -rf json -rff STREAM.json
  BATCH.json   jmh/run StreamBatchBench -rf json -rff BATCH.json
  TORCH.jsonl  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 \\
                   /usr/bin/python3 jmh/peers/torch_cell_step.py --json TORCH.jsonl

Times are the median of the measurement iterations (JMH) or of the repeats (peer). Ratios:
"torch / rnn4j" is PyTorch's cell call over rnn4j's step (the serving issue's target: >= 5 for
H <= 128); "rnn4j / sgemv" is rnn4j's step over OpenBLAS's bare sgemv over the same (G*H, 2H)
float32 weights through numpy (np.dot; target <= 1.1 for H >= 256; at small H the ~1 us numpy
dispatch is inside the sgemv figure). "step / gemv" is rnn4j's step over its own GEMV of the same
bytes in the same JMH run.
"""
import json
import statistics
import sys

stream, batch, torch = {}, {}, {"cell": {}, "gemv": {}}
alloc = {}
header = None
for path in sys.argv[1:]:
    if path.endswith(".jsonl"):
        for line in open(path):
            r = json.loads(line)
            if r["kind"] == "header":
                header = r
            elif r["kind"] == "cell":
                torch["cell"][(r["cell"], r["H"], r["batch"])] = r["ns_per_call"]
            elif r["kind"] == "gemv":
                torch["gemv"][(r["op"], r["G"], r["H"])] = r["ns_per_call"]
        continue
    for r in json.load(open(path)):
        bench, method = r["benchmark"].rsplit(".", 2)[-2:]
        p = r["params"]
        scale = {"ns/op": 1, "us/op": 1e3, "ms/op": 1e6}[r["primaryMetric"]["scoreUnit"]]
        raw = [x * scale for fork in r["primaryMetric"]["rawData"] for x in fork]
        med = statistics.median(raw)
        if bench == "StreamBench":
            key = (p["cell"], int(p["hidden"]), p["format"], method)
            stream[key] = med
            g = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            if g is not None:
                alloc[key] = g["score"]
        else:
            batch[(p["cell"], int(p["hidden"]), int(p["batch"]), method)] = med

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1}


def f(x, unit=1e3, digits=2):
    return "–" if x is None else f"{x / unit:.{digits}f}"


if stream:
    print("| cell | H | rnn4j f32 µs | rnn4j bf16 µs | own GEMV f32 µs | step/GEMV | PyTorch cell µs | torch / rnn4j f32 "
          "| OpenBLAS sgemv µs | rnn4j f32 / sgemv | rnn4j bf16 / sgemv | B/op f32, bf16 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for cell in ("lstm", "gru", "rnn_tanh"):
        for h in (64, 128, 256, 1024):
            s32 = stream.get((cell, h, "f32", "step"))
            s16 = stream.get((cell, h, "bf16", "step"))
            g32 = stream.get((cell, h, "f32", "gemv"))
            tc = torch["cell"].get((cell, h, 1))
            sg = torch["gemv"].get(("np.dot", GATES[cell], h))
            a = alloc.get((cell, h, "f32", "step")), alloc.get((cell, h, "bf16", "step"))
            al = "–" if a[0] is None else f"{a[0]:.3g}, {a[1]:.3g}"
            print(f"| {cell} | {h} | {f(s32)} | {f(s16)} | {f(g32)} | {f(s32 / g32 if s32 and g32 else None, 1)} "
                  f"| {f(tc)} | {f(tc / s32 if tc and s32 else None, 1, 1)} | {f(sg)} "
                  f"| {f(s32 / sg if s32 and sg else None, 1)} | {f(s16 / sg if s16 and sg else None, 1)} | {al} |")
if batch:
    print()
    print("| cell | H | streams | batched µs/call | µs per stream-step | singles µs per stream-step | batched speed-up "
          "| PyTorch batched µs per stream-step |")
    print("|---|---|---|---|---|---|---|---|")
    for (cell, h, b, m) in sorted(batch):
        if m != "batched":
            continue
        bt = batch[(cell, h, b, "batched")]
        sg = batch.get((cell, h, b, "singles"))
        tc = torch["cell"].get((cell, h, b))
        print(f"| {cell} | {h} | {b} | {f(bt)} | {f(bt / b)} | {f(sg / b if sg else None)} "
              f"| {f(sg / bt if sg else None, 1, 1)} | {f(tc / b if tc else None)} |")
if header:
    print()
    print(f"PyTorch {header['torch']} ({header['torch_cpu_capability']}), {header['blas_config']}, "
          f"{header['blas_threads']} BLAS thread, {header['cpu']}")
