#!/usr/bin/python3
"""Single-threaded OpenBLAS ceiling for sgemm / sgemv (peer for the rnn4j JMH kernels).

Run with the Debian system interpreter (NOT a pyenv/venv python), e.g.:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
      /usr/bin/python3 jmh/peers/openblas_ceiling.py [--seconds 1.5] [--quick]

Output: one JSON line describing the BLAS library, then one JSON line per case.
See jmh/peers/README.md.
"""
import argparse
import ctypes
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc

import numpy as np

# (M, K, N) for C[M,N] = A[M,K] . B[K,N]
GEMM_SHAPES = [
    (32, 512, 1024),
    (20, 1300, 2600),
    (3200, 256, 1024),
    (64, 1024, 2048),
    (512, 512, 512),
]
# gemv: A has shape (4H, 2H)
GEMV_H = [64, 256, 1024]

# OpenBLAS core types whose kernels need AVX-512.
AVX512_CORES = {"skylakex", "cooperlake", "sapphirerapids", "zen4", "zen5"}

BATCH_TARGET_NS = 5_000_000  # aim for ~5 ms per timed batch


def emit(obj):
    print(json.dumps(obj), flush=True)


def cpu_info():
    model, flags = platform.processor() or "", set()
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


def openblas_info_ctypes():
    """Fallback when threadpoolctl is missing: ask the loaded libopenblas directly."""
    cands = []
    with open("/proc/self/maps") as f:
        for line in f:
            name = line.split()[-1]
            if "openblas" in name and ".so" in name and name not in cands:
                cands.append(name)
    # Prefer the libopenblas*.so itself over libblas/liblapack in the openblas dir.
    cands.sort(key=lambda n: "libopenblas" not in os.path.basename(n))
    path = cands[0] if cands else None
    if path is None:
        return None
    lib = ctypes.CDLL(path)
    info = {"internal_api": "openblas", "filepath": path}
    for fn, key in (("openblas_get_corename", "architecture"), ("openblas_get_config", "config")):
        f = getattr(lib, fn, None)
        if f is not None:
            f.restype = ctypes.c_char_p
            info[key] = f().decode()
    f = getattr(lib, "openblas_get_num_threads", None)
    if f is not None:
        f.restype = ctypes.c_int
        info["num_threads"] = f()
    info["_set_threads"] = getattr(lib, "openblas_set_num_threads", None)
    return info


def blas_setup():
    """Make sure exactly one thread is used; return a header dict describing the BLAS."""
    env_threads = os.environ.get("OPENBLAS_NUM_THREADS")
    header = {
        "peer": "openblas",
        "numpy": np.__version__,
        "python": sys.executable,
        "env_OPENBLAS_NUM_THREADS": env_threads,
        "env_OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "env_OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }
    limiter = None
    try:
        import threadpoolctl

        blas = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        if env_threads != "1":
            limiter = threadpoolctl.threadpool_limits(limits=1, user_api="blas")
            blas = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
            header["threads_set_by"] = "threadpoolctl"
        else:
            header["threads_set_by"] = "env"
        header["info_source"] = "threadpoolctl " + threadpoolctl.__version__
    except ImportError:
        info = openblas_info_ctypes()
        blas = [info] if info else []
        if info and env_threads != "1" and info.get("_set_threads"):
            info["_set_threads"](1)
            info = openblas_info_ctypes()
            blas = [info]
            header["threads_set_by"] = "openblas_set_num_threads"
        else:
            header["threads_set_by"] = "env"
        header["info_source"] = "ctypes"
    if len(blas) != 1:
        sys.exit("expected exactly one BLAS loaded, found: %r" % (blas,))
    b = blas[0]
    header.update({
        "internal_api": b.get("internal_api"),
        "library": b.get("filepath"),
        "version": b.get("version"),
        "threading_layer": b.get("threading_layer"),
        "architecture": b.get("architecture"),
        "threads": b.get("num_threads"),
    })
    model, flags = cpu_info()
    header["cpu"] = model
    header["cpu_avx512f"] = "avx512f" in flags
    header["cpu_avx2"] = "avx2" in flags
    if header["internal_api"] != "openblas":
        sys.exit("BLAS is not OpenBLAS (%r); see jmh/peers/README.md" % header["internal_api"])
    if header["threads"] != 1:
        sys.exit("OpenBLAS is using %r threads, expected 1" % header["threads"])
    arch = (header["architecture"] or "").lower()
    if arch in AVX512_CORES and not header["cpu_avx512f"]:
        sys.exit("OpenBLAS core %r needs AVX-512 but the CPU lacks avx512f: "
                 "unset OPENBLAS_CORETYPE" % header["architecture"])
    return header, limiter


def alloc_bytes(fn):
    """Peak bytes traced by tracemalloc during one call of fn (numpy data buffers are traced)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def time_case(fn, seconds, warmup):
    """Warm up, then time batches of calls; return per-call ns for every batch."""
    pc = time.perf_counter_ns
    end = pc() + int(warmup * 1e9)
    calls, t0 = 0, pc()
    while True:
        fn()
        calls += 1
        t = pc()
        if t >= end and calls >= 3:
            break
    per_call = max(1, (t - t0) // calls)
    inner = max(1, BATCH_TARGET_NS // per_call)
    rng = range(inner)
    samples = []
    deadline = pc() + int(seconds * 1e9)
    while True:
        s = pc()
        for _ in rng:
            fn()
        e = pc()
        samples.append((e - s) / inner)
        if e >= deadline and len(samples) >= 5:
            break
    return samples, inner


def report(base, flops, samples, inner, extra=None):
    med = statistics.median(samples)
    best = min(samples)
    row = dict(base)
    row.update({
        "ns_per_op_median": round(med, 1),
        "ns_per_op_best": round(best, 1),
        "gflops_median": round(flops / med, 3),
        "gflops_best": round(flops / best, 3),
        "batches": len(samples),
        "calls_per_batch": inner,
    })
    if extra:
        row.update(extra)
    emit(row)


def bench_gemm(rng, seconds, warmup):
    for (M, K, N) in GEMM_SHAPES:
        A = rng.standard_normal((M, K), dtype=np.float32)       # row-major M x K
        B = rng.standard_normal((K, N), dtype=np.float32)       # row-major K x N
        Bt_store = np.ascontiguousarray(B.T)                     # stored N x K
        At_store = np.ascontiguousarray(A.T)                     # stored K x M
        C = np.empty((M, N), dtype=np.float32)
        ref = A.astype(np.float64) @ B.astype(np.float64)
        forms = {
            "NN": (A, B),                 # C = A . B
            "NT": (A, Bt_store.T),        # C = A . B^T, B stored N x K (transposed view, no copy)
            "TN": (At_store.T, B),        # C = A^T . B, A stored K x M (transposed view, no copy)
        }
        flops = 2 * M * N * K
        for form, (x, y) in forms.items():
            mm = np.matmul
            def call(x=x, y=y, C=C, mm=mm):
                mm(x, y, out=C)
            call()
            err = float(np.max(np.abs(C - ref)) / (np.max(np.abs(ref)) + 1e-30))
            if err > 1e-4:
                sys.exit("sgemm %s %r wrong result, rel err %g" % (form, (M, K, N), err))
            # A copy of a transposed operand would show up as >= its size in traced bytes.
            extra_bytes = alloc_bytes(call)
            copy_free = extra_bytes < min(x.nbytes, y.nbytes) // 2
            samples, inner = time_case(call, seconds, warmup)
            report({"peer": "openblas", "op": "sgemm", "form": form, "M": M, "K": K, "N": N},
                   flops, samples, inner,
                   {"copy_free": copy_free, "alloc_bytes_per_call": extra_bytes,
                    "rel_err": float("%.3g" % err)})


def bench_gemv(rng, seconds, warmup):
    for H in GEMV_H:
        rows, cols = 4 * H, 2 * H
        A = rng.standard_normal((rows, cols), dtype=np.float32)
        x_n = rng.standard_normal(cols, dtype=np.float32)
        x_t = rng.standard_normal(rows, dtype=np.float32)
        y_n = np.empty(rows, dtype=np.float32)
        y_t = np.empty(cols, dtype=np.float32)
        A64 = A.astype(np.float64)
        cases = {
            "N": (A, x_n, y_n, A64 @ x_n),      # y = A . x
            "T": (A.T, x_t, y_t, A64.T @ x_t),  # y = A^T . x (transposed view -> trans flag)
        }
        flops = 2 * rows * cols
        for form, (m, v, out, ref) in cases.items():
            dot = np.dot
            def call(m=m, v=v, out=out, dot=dot):
                dot(m, v, out=out)
            call()
            err = float(np.max(np.abs(out - ref)) / (np.max(np.abs(ref)) + 1e-30))
            if err > 1e-4:
                sys.exit("sgemv %s H=%d wrong result, rel err %g" % (form, H, err))
            extra_bytes = alloc_bytes(call)
            samples, inner = time_case(call, seconds, warmup)
            report({"peer": "openblas", "op": "sgemv", "form": form, "H": H,
                    "rows": rows, "cols": cols},
                   flops, samples, inner,
                   {"copy_free": extra_bytes < m.nbytes // 2,
                    "alloc_bytes_per_call": extra_bytes,
                    "rel_err": float("%.3g" % err)})


def bench_overhead(seconds, warmup):
    """numpy -> BLAS dispatch cost on a trivial sgemv; dominates the small-H gemv numbers."""
    A = np.ones((2, 2), dtype=np.float32)
    x = np.ones(2, dtype=np.float32)
    y = np.empty(2, dtype=np.float32)
    dot = np.dot
    def call():
        dot(A, x, out=y)
    samples, inner = time_case(call, seconds, warmup)
    emit({"peer": "openblas", "op": "overhead", "what": "np.dot 2x2 sgemv call",
          "ns_per_op_median": round(statistics.median(samples), 1),
          "ns_per_op_best": round(min(samples), 1)})


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=1.5, help="timed seconds per case (default 1.5)")
    ap.add_argument("--warmup", type=float, default=0.5, help="warm-up seconds per case (default 0.5)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke test: 0.2 s timed + 0.1 s warm-up per case")
    ap.add_argument("--only", choices=["sgemm", "sgemv"], help="run just one op family")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.warmup = 0.2, 0.1

    header, _limiter = blas_setup()
    header["seconds"] = args.seconds
    header["warmup"] = args.warmup
    emit(header)

    rng = np.random.default_rng(20240601)
    if args.only in (None, "sgemm"):
        bench_gemm(rng, args.seconds, args.warmup)
    if args.only in (None, "sgemv"):
        bench_gemv(rng, args.seconds, args.warmup)
        bench_overhead(args.seconds, args.warmup)


if __name__ == "__main__":
    main()
