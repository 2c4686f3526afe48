#!/usr/bin/env python3
"""Turns JMH JSON results and the OpenBLAS peer's JSON lines into the markdown tables of
docs/performance.md.

usage: jmh/report.py --jdk17 r17.json --jdk25 r25.json --openblas openblas.jsonl

r17.json / r25.json: `jmh/run ... -rf json -rff FILE` outputs (any subset of the benchmarks).
"""
import argparse
import json
import statistics
from collections import defaultdict


def load_jmh(path):
    rows = {}
    if not path:
        return rows
    with open(path) as f:
        for r in json.load(f):
            name = r["benchmark"].rsplit(".", 2)
            cls, method = name[-2], name[-1]
            params = tuple(sorted((r.get("params") or {}).items()))
            unit = r["primaryMetric"]["scoreUnit"]
            scale = {"ns/op": 1, "us/op": 1e3, "ms/op": 1e6, "s/op": 1e9}[unit]
            raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
            # (best, median) of the measurement iterations: interference on a shared 2-core VM only
            # ever adds time, so the best iteration is the steadiest estimate; the median is shown too.
            rows[(cls, method, params)] = (min(raw) * scale, statistics.median(raw) * scale)
    return rows


def load_openblas(path):
    gemm, gemv = {}, {}
    if not path:
        return gemm, gemv, None
    header = None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            o = json.loads(line)
            if o.get("op") == "sgemm":
                gemm[(o["M"], o["K"], o["N"], o["form"])] = o
            elif o.get("op") == "sgemv":
                gemv[(o.get("H"), o["form"])] = o
            elif header is None and "architecture" in o:
                header = o
    return gemm, gemv, header


def get(rows, cls, method, **params):
    key = (cls, method, tuple(sorted((k, str(v)) for k, v in params.items())))
    return rows.get(key)


def fmt(x, d=1):
    return "—" if x is None else f"{x:.{d}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jdk17")
    ap.add_argument("--jdk25")
    ap.add_argument("--openblas")
    a = ap.parse_args()
    r17, r25 = load_jmh(a.jdk17), load_jmh(a.jdk25)
    ob_gemm, ob_gemv, header = load_openblas(a.openblas)
    if header:
        print(f"OpenBLAS: {header.get('version')} core type {header.get('architecture')}, threads {header.get('threads')}\n")

    shapes = ["32x512x1024", "20x1300x2600", "3200x256x1024", "64x1024x2048", "512x512x512"]
    print("GFLOP/s, best iteration (median in brackets). OpenBLAS: best 5 ms batch (median).\n")
    print("| (M,K,N) | form | OpenBLAS | rnn4j JDK 17 | % of OpenBLAS | rnn4j JDK 25 | % of OpenBLAS | scalar JDK 17 | SIMD/scalar (17) | scalar JDK 25 | SIMD/scalar (25) | 2 threads JDK 17 | 2 threads JDK 25 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in shapes:
        m, k, n = map(int, s.split("x"))
        flops = 2.0 * m * n * k
        for form in ["NN", "NT", "TN"]:
            ob = ob_gemm.get((m, k, n, form))
            obb = ob["gflops_best"] if ob else None
            obm = ob["gflops_median"] if ob else None

            def g(rows, impl, threads=1):
                v = get(rows, "GemmBench", "gemm", shape=s, form=form, impl=impl, threads=threads)
                return (flops / v[0], flops / v[1]) if v else (None, None)

            def both(x):
                return "—" if x[0] is None else f"{x[0]:.1f} ({x[1]:.1f})"

            s17, s25 = g(r17, "simd"), g(r25, "simd")
            c17, c25 = g(r17, "scalar"), g(r25, "scalar")
            t17, t25 = g(r17, "simd", 2), g(r25, "simd", 2)
            pct = lambda x: f"{100 * x[0] / obb:.0f}% ({100 * x[1] / obm:.0f}%)" if (x[0] and obb) else "—"
            ratio = lambda x, y: f"{x[0] / y[0]:.1f}×" if (x[0] and y[0]) else "—"
            obs = "—" if obb is None else f"{obb:.1f} ({obm:.1f})"
            print(f"| ({m},{k},{n}) | {form} | {obs} | {both(s17)} | {pct(s17)} | {both(s25)} | {pct(s25)} | {both(c17)} | {ratio(s17, c17)} | {both(c25)} | {ratio(s25, c25)} | {both(t17)} | {both(t25)} |")

    print()
    print("ns per call, best iteration (OpenBLAS: best batch, includes ~1 µs of numpy dispatch).\n")
    print("| H | A | form | OpenBLAS ns | rnn4j JDK 17 ns | OpenBLAS/rnn4j (17) | rnn4j JDK 25 ns | OpenBLAS/rnn4j (25) | scalar JDK 17 ns | scalar JDK 25 ns |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for h in [64, 256, 1024]:
        for form in ["N", "T"]:
            ob = ob_gemv.get((h, form))
            obn = ob["ns_per_op_best"] if ob else None

            def t(rows, impl):
                v = get(rows, "GemvBench", "gemv", hidden=h, form=form, impl=impl)
                return v[0] if v else None

            s17, s25, c17, c25 = t(r17, "simd"), t(r25, "simd"), t(r17, "scalar"), t(r25, "scalar")
            ratio = lambda x: fmt(obn / x, 2) if (x and obn) else "—"
            print(f"| {h} | {4*h}×{2*h} | {form} | {fmt(obn, 0)} | {fmt(s17, 0)} | {ratio(s17)} | {fmt(s25, 0)} | {ratio(s25)} | {fmt(c17, 0)} | {fmt(c25, 0)} |")

    print()
    print("| kernel (4096 floats; cells: H = 1024) | poly JDK 17 ns | SVML JDK 17 ns | scalar JDK 17 ns | poly JDK 25 ns | SVML JDK 25 ns | scalar JDK 25 ns |")
    print("|---|---|---|---|---|---|---|")
    for meth in ["exp", "sigmoid", "tanh", "lstmCellForward", "gruCellForward"]:
        def t(rows, cls, impl):
            v = get(rows, cls, meth, impl=impl)
            return v[0] if v else None
        print(f"| {meth} | {fmt(t(r17, 'ActivationBench', 'simd'), 0)} | {fmt(t(r17, 'ActivationSvmlBench', 'simd'), 0)} | {fmt(t(r17, 'ActivationBench', 'scalar'), 0)} | {fmt(t(r25, 'ActivationBench', 'simd'), 0)} | {fmt(t(r25, 'ActivationSvmlBench', 'simd'), 0)} | {fmt(t(r25, 'ActivationBench', 'scalar'), 0)} |")

    print()
    print("| kernel (4096 floats) | SIMD JDK 17 ns | scalar JDK 17 ns | SIMD JDK 25 ns | scalar JDK 25 ns |")
    print("|---|---|---|---|---|")
    for meth in ["dot", "axpy", "sumSquares", "softmax"]:
        def t(rows, impl):
            v = get(rows, "Level1Bench", meth, impl=impl)
            return v[0] if v else None
        print(f"| {meth} | {fmt(t(r17, 'simd'), 0)} | {fmt(t(r17, 'scalar'), 0)} | {fmt(t(r25, 'simd'), 0)} | {fmt(t(r25, 'scalar'), 0)} |")


if __name__ == "__main__":
    main()
