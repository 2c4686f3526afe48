#!/usr/bin/env python3
"""Tables from a JMH JSON result of OrtSeqBench / OrtStreamBench (the ONNX Runtime peer).

    python3 jmh/ort-report.py result.json[,result2.json...]

Times are medians of all JMH iterations of a benchmark, pooled over the files given (rounds of one
session).

Sequence: per shape (T x B x I x H) and cell, ms per forward and GFLOP/s for ort and rnn4j, and the
rnn4j speed-up = ort time / rnn4j time (> 1: rnn4j faster). GFLOP/s counts the GEMM FLOPs only,
2*T*B*G*H*(I + H) with G = 4, 3, 1 (LSTM, GRU, RNN), as rnn-report.py does for RnnBench's forward.
Streaming: per H and cell, us per step for ort, ort_alloc and rnn4j, and the speed-ups ort / rnn4j and
ort_alloc / rnn4j; with -prof gc, bytes allocated per step (gc.alloc.rate.norm) for each. Missing points
print as '-'. Standard library only.
"""
import json
import statistics
import sys

GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1}
TO_SECONDS = {"s/op": 1.0, "ms/op": 1e-3, "us/op": 1e-6, "ns/op": 1e-9}


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def ratio(a, b):
    return a / b if a is not None and b is not None and b > 0 else None


def load(paths):
    seq, stream, alloc = {}, {}, {}
    runs = []
    for path in paths.split(","):
        with open(path) as f:
            runs += json.load(f)
    for r in runs:
        name = r["benchmark"].rsplit(".", 2)
        cls, p, m = name[-2], r.get("params", {}), r["primaryMetric"]
        unit = m["scoreUnit"]
        if unit not in TO_SECONDS:
            raise SystemExit("%s: unit %r is not a time per op (run in AverageTime mode)" % (r["benchmark"], unit))
        raw = [x * TO_SECONDS[unit] for fork in m["rawData"] for x in fork]
        if cls == "OrtSeqBench":
            seq.setdefault((p["shape"], p["cell"], p["impl"]), []).extend(raw)
        elif cls == "OrtStreamBench":
            stream.setdefault((int(p["hidden"]), p["cell"], p["impl"]), []).extend(raw)
            gc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", r.get("secondaryMetrics", {}).get("\u00b7gc.alloc.rate.norm"))
            if gc is not None:
                alloc[(int(p["hidden"]), p["cell"], p["impl"])] = gc["score"]
    med = lambda d: {k: statistics.median(v) for k, v in d.items()}
    return med(seq), med(stream), alloc


def seq_table(seq):
    keys = sorted({(s, c) for s, c, _ in seq}, key=lambda k: ([int(v) for v in k[0].split("x")], k[1]))
    print("Sequence inference (one layer, one thread, zero initial state)")
    print("%-16s %-9s %10s %10s %10s %10s %9s" % ("TxBxIxH", "cell", "ort ms", "ort GF/s", "rnn4j ms",
                                                  "rnn4j GF/s", "speed-up"))
    for shape, cell in keys:
        t, b, i, h = (int(v) for v in shape.split("x"))
        flops = 2.0 * t * b * GATES[cell] * h * (i + h)
        o, r = seq.get((shape, cell, "ort")), seq.get((shape, cell, "rnn4j"))
        print("%-16s %-9s %10s %10s %10s %10s %9s" % (
            shape, cell, fmt(o and o * 1e3, ".3f"), fmt(o and flops / o / 1e9, ".2f"),
            fmt(r and r * 1e3, ".3f"), fmt(r and flops / r / 1e9, ".2f"), fmt(ratio(o, r), ".2f")))
    print("speed-up = ort ms / rnn4j ms (> 1: rnn4j faster)")


def stream_table(stream, alloc):
    keys = sorted({(h, c) for h, c, _ in stream})
    print("Streaming step (batch 1, I = H, state carried)")
    print("%6s %-9s %10s %13s %10s %9s %11s %26s" % ("H", "cell", "ort us", "ort_alloc us", "rnn4j us",
                                                    "speed-up", "vs alloc", "B/op ort, ort_alloc, rnn4j"))
    for h, cell in keys:
        o, a, r = (stream.get((h, cell, k)) for k in ("ort", "ort_alloc", "rnn4j"))
        b = "/".join(fmt(alloc.get((h, cell, k)), ".0f") for k in ("ort", "ort_alloc", "rnn4j"))
        print("%6d %-9s %10s %13s %10s %9s %11s %26s" % (
            h, cell, fmt(o and o * 1e6, ".3f"), fmt(a and a * 1e6, ".3f"), fmt(r and r * 1e6, ".3f"),
            fmt(ratio(o, r), ".2f"), fmt(ratio(a, r), ".2f"), b))
    print("speed-up = ort us / rnn4j us; vs alloc = ort_alloc us / rnn4j us (> 1: rnn4j faster);")
    print("B/op: bytes allocated on the Java heap per step (JMH -prof gc; '-' without it)")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: ort-report.py RESULT.json  (from jmh/run 'Ort(Seq|Stream)Bench' -rf json -rff RESULT.json)")
    seq, stream, alloc = load(sys.argv[1])
    if not seq and not stream:
        raise SystemExit("%s: no OrtSeqBench or OrtStreamBench results" % sys.argv[1])
    if seq:
        seq_table(seq)
    if seq and stream:
        print()
    if stream:
        stream_table(stream, alloc)


if __name__ == "__main__":
    main()
