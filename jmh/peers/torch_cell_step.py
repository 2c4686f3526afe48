#!/usr/bin/python3
"""PyTorch peer for the rnn4j streaming-step benchmarks: one LSTMCell / GRUCell / RNNCell(tanh)
call per step on one thread, and the bare sgemv over the same weights.

Run with the Debian system interpreter (NOT a pyenv/venv python), e.g.:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 \
      /usr/bin/python3 jmh/peers/torch_cell_step.py --json out.jsonl [--quick]

Prints readable tables; with --json PATH also writes one JSON object per line (a header, then one
line per measured point). See jmh/peers/README.md.
"""
import argparse
import ctypes
import gc
import json
import os
import statistics
import sys
import time

# Checked before numpy/torch load OpenBLAS: these pin its kernels (AVX2, cache blocking).
PINNING_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ENV_AT_START = {k: os.environ.get(k) for k in
                PINNING_VARS + ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "ATEN_CPU_CAPABILITY")}
for _k in PINNING_VARS:
    if ENV_AT_START[_k] is not None:
        print("WARNING: %s=%s is set, so OpenBLAS does not pick its kernels by detecting the CPU. "
              "Run with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ...` (jmh/peers/README.md)."
              % (_k, ENV_AT_START[_k]), file=sys.stderr, flush=True)

import numpy as np  # noqa: E402
import torch  # noqa: E402

CELLS = [  # (name used in rnn4j's reports, gate count G, constructor)
    ("lstm", 4, lambda n: torch.nn.LSTMCell(n, n)),
    ("gru", 3, lambda n: torch.nn.GRUCell(n, n)),
    ("rnn_tanh", 1, lambda n: torch.nn.RNNCell(n, n, nonlinearity="tanh")),
]
HIDDEN = [64, 128, 256, 1024]
BATCHES = [1, 8, 32, 64]
# OpenBLAS core types whose kernels need AVX-512.
AVX512_CORES = {"skylakex", "cooperlake", "sapphirerapids", "zen4", "zen5"}

JSON_OUT = None
COMMON = {}  # torch version, BLAS, CPU, threads: repeated on every JSON line


def emit(row):
    if JSON_OUT is not None:
        full = dict(row)
        full.update(COMMON)
        JSON_OUT.write(json.dumps(full) + "\n")
        JSON_OUT.flush()


# ---------------------------------------------------------------- environment

def cpu_info():
    model, flags = "", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and not model:
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    return model, flags


def mapped_libraries(words=("blas", "lapack", "mkl", "gomp", "iomp", "torch_cpu")):
    """Shared objects of interest mapped into this process right now (after torch has run a matmul)."""
    seen = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 6:
                continue
            path = parts[-1]
            base = os.path.basename(path)
            if ".so" in base and any(w in base for w in words) and path not in seen:
                seen.append(path)
    return seen


def openblas_handle(libs):
    """(path, ctypes handle) of the loaded libopenblas, or (None, None)."""
    cands = [p for p in libs if "openblas" in os.path.basename(p)]
    cands.sort(key=lambda p: not os.path.basename(p).startswith("libopenblas"))
    for path in cands:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        if hasattr(lib, "openblas_get_num_threads"):
            return path, lib
    return None, None


def openblas_query(lib):
    out = {}
    for fn, key in (("openblas_get_corename", "core"), ("openblas_get_config", "config")):
        f = getattr(lib, fn, None)
        if f is not None:
            f.restype = ctypes.c_char_p
            out[key] = f().decode()
    f = lib.openblas_get_num_threads
    f.restype = ctypes.c_int
    out["threads"] = f()
    f = getattr(lib, "openblas_get_parallel", None)
    if f is not None:
        f.restype = ctypes.c_int
        out["parallel"] = {0: "sequential", 1: "pthreads", 2: "openmp"}.get(f(), f())
    return out


def torch_cpu_capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return None


def setup(args):
    """One thread everywhere; find the BLAS torch really calls; return the header dict."""
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    # Make torch and numpy call into BLAS once, so the library is mapped and initialised.
    a = torch.randn(64, 32)
    torch.mv(a, torch.randn(32))
    torch.addmm(torch.zeros(1, 64), torch.randn(1, 32), a.t())
    np.dot(np.ones((8, 8), np.float32), np.ones(8, np.float32))

    libs = mapped_libraries()
    blas_libs = [p for p in libs if any(w in os.path.basename(p) for w in ("blas", "lapack", "mkl"))]
    ob_path, ob = openblas_handle(libs)
    model, flags = cpu_info()
    header = {
        "kind": "header",
        "peer": "torch",
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.executable,
        "torch_cpu_capability": torch_cpu_capability(),
        "torch_threads": torch.get_num_threads(),
        "torch_interop_threads": torch.get_num_interop_threads(),
        "grad_mode": "inference_mode",
        "mapped_libraries": libs,
        "blas_libraries": blas_libs,
        "cpu": model,
        "cpu_avx512f": "avx512f" in flags,
        "cpu_avx2": "avx2" in flags,
        "nproc": os.cpu_count(),
        "seconds_per_point": args.seconds,
        "repeats": args.repeats,
        "warmup": args.warmup,
        "quick": args.quick,
    }
    header.update({"env_" + k: v for k, v in ENV_AT_START.items()})
    if ob is None:
        msg = ("no OpenBLAS is mapped (BLAS libraries: %r): torch/numpy would run on the reference "
               "BLAS. Install libopenblas0-pthread or libopenblas0-openmp (jmh/peers/README.md)."
               % (blas_libs,))
        if not args.allow_any_blas:
            sys.exit(msg)
        print("WARNING: " + msg, file=sys.stderr)
        header.update({"blas": "not-openblas", "blas_library": ";".join(blas_libs) or None,
                       "blas_threads": None})
    else:
        q = openblas_query(ob)
        header["blas_threads_at_start"] = q["threads"]
        if q["threads"] != 1:
            # OpenBLAS keeps its own pool: torch.set_num_threads does not reach it.
            ob.openblas_set_num_threads(ctypes.c_int(1))
            q = openblas_query(ob)
            header["blas_threads_set_by"] = "openblas_set_num_threads"
        else:
            header["blas_threads_set_by"] = "env"
        header.update({
            "blas": "openblas",
            "blas_library": os.path.realpath(ob_path),
            "blas_core": q.get("core"),
            "blas_config": q.get("config"),
            "blas_parallel": q.get("parallel"),
            "blas_threads": q["threads"],
        })
        if q["threads"] != 1:
            sys.exit("OpenBLAS uses %r threads, expected 1" % q["threads"])
        if (q.get("core") or "").lower() in AVX512_CORES and not header["cpu_avx512f"]:
            sys.exit("OpenBLAS core %r needs AVX-512 but the CPU lacks avx512f: unset "
                     "OPENBLAS_CORETYPE" % q.get("core"))
    if torch.get_num_threads() != 1:
        sys.exit("torch uses %d threads, expected 1" % torch.get_num_threads())
    COMMON.update({
        "torch": header["torch"],
        "blas": header["blas"],
        "blas_library": header["blas_library"],
        "blas_core": header.get("blas_core"),
        "cpu": header["cpu"],
        "threads": 1,
        "openblas_env_pinned": [k for k in PINNING_VARS if ENV_AT_START[k] is not None],
    })
    return header


# ---------------------------------------------------------------- timing

def time_point(run, args):
    """run(n) performs n calls. Returns (per-call ns of each repeat, calls per repeat)."""
    pc = time.perf_counter_ns
    # Warm-up: at least 3 calls and `warmup` seconds; also gives the per-call estimate.
    n, spent = 1, 0
    t_end = pc() + int(args.warmup * 1e9)
    total_calls, total_ns = 0, 0
    while True:
        s = pc()
        run(n)
        spent = pc() - s
        total_calls += n
        total_ns += spent
        if pc() >= t_end and total_calls >= 3:
            break
        if spent < 1_000_000:
            n *= 2
    per_call = max(1.0, total_ns / total_calls)
    calls = max(1, int(args.seconds * 1e9 / args.repeats / per_call))
    samples = []
    for _ in range(args.repeats):
        s = pc()
        run(calls)
        samples.append((pc() - s) / calls)
    return samples, calls


def timed(run, args):
    gc_was = gc.isenabled()
    gc.disable()
    try:
        return time_point(run, args)
    finally:
        if gc_was:
            gc.enable()


def summary(samples):
    return statistics.median(samples), min(samples)


# ---------------------------------------------------------------- cells

def make_stream_runner(name, cell, xs, state):
    """A run(n) that makes n consecutive calls, feeding each call's output back as the next state.
    The inputs cycle through `xs`; the state lives in a one-element list so it carries across
    repeats (the stream never restarts)."""
    box = [state]
    k = len(xs)
    if name == "lstm":
        def run(n):
            h, c = box[0]
            for i in range(n):
                h, c = cell(xs[i % k], (h, c))
            box[0] = (h, c)
    else:
        def run(n):
            h = box[0]
            for i in range(n):
                h = cell(xs[i % k], h)
            box[0] = h
    return run


def cell_weight_bytes(cell):
    return sum(p.numel() * p.element_size() for p in cell.parameters())


def bench_cells(args, gen, results):
    print("\n== cells: one call cell(x, state) per step, state carried, inference_mode, 1 thread ==")
    print("%-9s %5s %4s %13s %13s %15s %15s %9s %8s"
          % ("cell", "H", "B", "ns/call med", "ns/call min", "ns/stream-step", "stream-steps/s",
             "weights", "GB/s"))
    for name, G, ctor in (c for c in CELLS if c[0] in args.cells):
        for H in args.hidden:
            torch.manual_seed(1234 + H)
            cell = ctor(H).float().eval()
            wbytes = cell_weight_bytes(cell)
            for B in args.batch:
                xs = [torch.randn(B, H, generator=gen) for _ in range(16)]
                h0 = torch.zeros(B, H)
                state = (h0, torch.zeros(B, H)) if name == "lstm" else h0
                run = make_stream_runner(name, cell, xs, state)
                with torch.inference_mode():
                    samples, calls = timed(run, args)
                med, best = summary(samples)
                flops = 2 * B * G * H * (H + H)  # the two matmuls; gates/activations not counted
                row = {
                    "kind": "cell", "cell": name, "G": G, "H": H, "I": H, "batch": B,
                    "ns_per_call": round(med, 1), "ns_per_call_min": round(best, 1),
                    "ns_per_stream_step": round(med / B, 1),
                    "ns_per_stream_step_min": round(best / B, 1),
                    "stream_steps_per_s": round(B * 1e9 / med, 1),
                    "weight_bytes": wbytes,
                    "weight_gb_per_s": round(wbytes / med, 3),
                    "gflops": round(flops / med, 3),
                    "repeats": len(samples), "calls_per_repeat": calls,
                }
                emit(row)
                results.append(row)
                print("%-9s %5d %4d %13.0f %13.0f %15.1f %15.0f %8.2fM %8.2f"
                      % (name, H, B, med, best, med / B, B * 1e9 / med, wbytes / 2**20,
                         wbytes / med), flush=True)


# ---------------------------------------------------------------- sgemv ceiling

def bench_gemv(args, gen, results):
    print("\n== sgemv ceiling: y = W·x, W float32 (G·H, 2H) row-major, preallocated y, 1 thread ==")
    print("%-12s %2s %5s %12s %12s %12s %8s %8s"
          % ("op", "G", "H", "shape", "ns med", "ns min", "GB/s", "GFLOP/s"))
    gs = sorted({G for name, G, _ in CELLS if name in args.cells}, reverse=True)
    for G in gs:
        for H in args.hidden:
            rows, cols = G * H, 2 * H
            W = torch.randn(rows, cols, generator=gen)
            x = torch.randn(cols, generator=gen)
            b = torch.randn(rows, generator=gen)
            y = torch.empty(rows)
            x2, b2, y2 = x.view(1, cols), b.view(1, rows), torch.empty(1, rows)
            Wn, xn, yn = W.numpy(), x.numpy(), np.empty(rows, np.float32)
            ref = Wn.astype(np.float64) @ xn.astype(np.float64)
            wt = W.t()
            mv, addmv, addmm, dot = torch.mv, torch.addmv, torch.addmm, np.dot

            def run_mv(n):
                for _ in range(n):
                    mv(W, x, out=y)

            def run_addmv(n):
                for _ in range(n):
                    addmv(b, W, x, out=y)

            def run_addmm(n):  # what nn.Linear does for a (1, 2H) input: bias + x · Wᵀ
                for _ in range(n):
                    addmm(b2, x2, wt, out=y2)

            def run_dot(n):
                for _ in range(n):
                    dot(Wn, xn, out=yn)

            cases = [
                ("torch.mv", run_mv, lambda: y.numpy(), ref),
                ("torch.addmv", run_addmv, lambda: y.numpy(), ref + b.numpy()),
                ("torch.addmm", run_addmm, lambda: y2.numpy()[0], ref + b.numpy()),
                ("np.dot", run_dot, lambda: yn, ref),
            ]
            for op, run, got, want in cases:
                with torch.inference_mode():
                    run(1)
                err = float(np.max(np.abs(got() - want)) / (np.max(np.abs(want)) + 1e-30))
                if err > 1e-4:
                    sys.exit("%s G=%d H=%d wrong result, rel err %g" % (op, G, H, err))
                with torch.inference_mode():
                    samples, calls = timed(run, args)
                med, best = summary(samples)
                wbytes = rows * cols * 4
                row = {
                    "kind": "gemv", "op": op, "G": G, "H": H, "rows": rows, "cols": cols,
                    "batch": 1,
                    "ns_per_call": round(med, 1), "ns_per_call_min": round(best, 1),
                    "ns_per_stream_step": round(med, 1),
                    "ns_per_stream_step_min": round(best, 1),
                    "weight_bytes": wbytes,
                    "weight_gb_per_s": round(wbytes / med, 3),
                    "gflops": round(2 * rows * cols / med, 3),
                    "rel_err": float("%.3g" % err),
                    "repeats": len(samples), "calls_per_repeat": calls,
                }
                emit(row)
                results.append(row)
                print("%-12s %2d %5d %12s %12.0f %12.0f %8.2f %8.2f"
                      % (op, G, H, "%dx%d" % (rows, cols), med, best, wbytes / med,
                         2 * rows * cols / med), flush=True)


def bench_overhead(args, results):
    """Fixed cost of one call: a 2x2 sgemv through torch and through numpy."""
    print("\n== per-call overhead: 2x2 sgemv (the dispatch cost with almost no data) ==")
    W, x, y = torch.ones(2, 2), torch.ones(2), torch.empty(2)
    Wn, xn, yn = W.numpy(), x.numpy(), np.empty(2, np.float32)
    mv, dot = torch.mv, np.dot

    def run_mv(n):
        for _ in range(n):
            mv(W, x, out=y)

    def run_dot(n):
        for _ in range(n):
            dot(Wn, xn, out=yn)

    def run_loop(n):
        for _ in range(n):
            pass

    for op, run in (("torch.mv 2x2", run_mv), ("np.dot 2x2", run_dot),
                    ("empty python loop", run_loop)):
        with torch.inference_mode():
            samples, calls = timed(run, args)
        med, best = summary(samples)
        row = {"kind": "overhead", "op": op, "ns_per_call": round(med, 1),
               "ns_per_call_min": round(best, 1), "repeats": len(samples),
               "calls_per_repeat": calls}
        emit(row)
        results.append(row)
        print("%-18s %10.1f ns med %10.1f ns min" % (op, med, best), flush=True)


def print_summary(results):
    """Batch-1 step next to the bare sgemv over the same (G·H, 2H) weights."""
    cell1 = {(r["cell"], r["H"]): r for r in results if r["kind"] == "cell" and r["batch"] == 1}
    gemv = {(r["op"], r["G"], r["H"]): r for r in results if r["kind"] == "gemv"}
    if not cell1 or not gemv:
        return
    print("\n== batch-1 step vs the bare sgemv over the same weights (medians, ns) ==")
    print("%-9s %5s %10s %10s %10s %10s %14s" % ("cell", "H", "step", "torch.mv", "np.dot",
                                                  "step/np.dot", "step-np.dot"))
    for (name, H), r in cell1.items():
        mvr, dtr = gemv.get(("torch.mv", r["G"], H)), gemv.get(("np.dot", r["G"], H))
        if mvr is None or dtr is None:
            continue
        s, d = r["ns_per_call"], dtr["ns_per_call"]
        print("%-9s %5d %10.0f %10.0f %10.0f %10.2f %14.0f"
              % (name, H, s, mvr["ns_per_call"], d, s / d, s - d))


def main():
    global JSON_OUT
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", metavar="PATH", help="also write one JSON object per line to PATH")
    ap.add_argument("--seconds", type=float, default=0.3,
                    help="timed seconds per point, split over the repeats (default 0.3)")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats per point (default 5)")
    ap.add_argument("--warmup", type=float, default=0.1,
                    help="warm-up seconds per point (default 0.1)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 3 repeats, 0.02 s timed + 0.005 s warm-up per point")
    ap.add_argument("--only", choices=["cells", "gemv"], help="run one part only")
    ap.add_argument("--cells", default="lstm,gru,rnn_tanh", help="comma list (default all)")
    ap.add_argument("--hidden", default=",".join(map(str, HIDDEN)), help="comma list of H")
    ap.add_argument("--batch", default=",".join(map(str, BATCHES)), help="comma list of B")
    ap.add_argument("--allow-any-blas", action="store_true",
                    help="run even if the BLAS is not OpenBLAS (the numbers are then not the peer's)")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.repeats, args.warmup = 0.02, 3, 0.005
    args.cells = [c for c in args.cells.split(",") if c]
    known = {name for name, _, _ in CELLS}
    if not set(args.cells) <= known:
        ap.error("--cells: unknown %s" % sorted(set(args.cells) - known))
    args.hidden = [int(v) for v in args.hidden.split(",")]
    args.batch = [int(v) for v in args.batch.split(",")]

    header = setup(args)
    if args.json:
        JSON_OUT = open(args.json, "w")
        JSON_OUT.write(json.dumps(header) + "\n")
        JSON_OUT.flush()

    print("torch %s (CPU capability %s), numpy %s, %s" % (
        header["torch"], header["torch_cpu_capability"], header["numpy"], header["python"]))
    print("BLAS: %s  core=%s  threads=%s  (%s)" % (
        header["blas_library"], header.get("blas_core"), header["blas_threads"],
        header.get("blas_parallel")))
    print("mapped: %s" % ", ".join(header["mapped_libraries"]))
    print("CPU: %s  avx512f=%s avx2=%s  nproc=%s;  torch threads=%d interop=%d" % (
        header["cpu"], header["cpu_avx512f"], header["cpu_avx2"], header["nproc"],
        header["torch_threads"], header["torch_interop_threads"]))
    print("env: " + "  ".join("%s=%s" % (k, v) for k, v in ENV_AT_START.items()))
    if args.quick:
        print("QUICK smoke run: too few iterations for the figures to mean anything")

    gen = torch.Generator().manual_seed(20240601)
    results = []
    if args.only in (None, "cells"):
        bench_cells(args, gen, results)
    if args.only in (None, "gemv"):
        bench_gemv(args, gen, results)
        bench_overhead(args, results)
    print_summary(results)
    if JSON_OUT is not None:
        JSON_OUT.close()
        print("\nwrote %s" % args.json)


if __name__ == "__main__":
    main()
