#!/usr/bin/env python3
"""Where a training step or inference pass spends its time, by phase of the cell's computation, from
the JFR execution samples of one recording (docs/performance.md, "Where the time goes, by phase").

usage: tools/profile/jfr-phases.py REC.jfr [--ms MS] [--json]

Each sample of the busiest thread (the benchmark thread) is given to ONE phase by its whole stack,
the first rule that matches:
  packing     a frame packs an operand or transposes a weight: Kernels.packGemmB (W_hh packed once
              per call), VectorGemm/ScalarGemm pack* (the blocked GEMM's packA/packB), LstmUnit.transposed
  weight-grad a frame is CellUnit.weightGradients or recurrentWeightGradient (dW_ih, dW_hh, db and
              dx as GEMMs over all steps, after the backward loop)
  input-gemm  a frame is CellUnit.inputProjection and the innermost one is not broadcastRows (the
              all-step x·W_ihᵀ GEMM; the bias broadcast before it goes to "other")
  step-gemm   a frame is Kernels.multAddPacked or Kernels.gemm (the per-step recurrent GEMMs,
              forward h·W_hhᵀ and backward dGates·W_hh, plus the projection's)
  gate-math   a frame is a fused post-GEMM kernel (lstm*/gru* Cell/Gate kernels) or an activation
              (tanh, relu, sigmoid and their Backward forms)
  other       everything else: input/output copies, length sorting, zeroing of ended rows, the dY
              accumulation, bias broadcast, JIT and runtime frames of that thread
With --ms (the measured time of one call in the same run, e.g. JMH's score) each share is also
given in ms. Shares are of samples, so a phase below ~2 % of a few hundred samples is noise.
JFR's sampler is safepoint-free on JDK 17+ (AsyncGetCallTrace-like), and -XX:+DebugNonSafepoints
(JMH's jfr profiler does not set it; jmh/breakdown does) keeps inlined frames exact.
"""
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jfrsamples  # noqa: E402

args = sys.argv[1:]
if not args or args[0].startswith("-"):
    sys.exit(__doc__)
rec = args[0]
ms = float(args[args.index("--ms") + 1]) if "--ms" in args else None
as_json = "--json" in args

PHASES = ["input-gemm", "step-gemm", "gate-math", "packing", "weight-grad", "other"]
GATE = ("lstmCell", "lstmPeepholeCell", "gruCell", "gruReset", "tanh", "relu", "sigmoid")


def classify(names):
    """names: rnn4j frames 'Class.method', innermost first."""
    for n in names:
        cls, _, m = n.rpartition(".")
        if m == "packGemmB" or (cls in ("kernel.VectorGemm", "kernel.ScalarGemm") and m.startswith("pack")) \
                or n == "cell.LstmUnit.transposed":
            return "packing"
    if any(n.endswith("CellUnit.weightGradients") or n.endswith(".recurrentWeightGradient") for n in names):
        return "weight-grad"
    if any(n.endswith("CellUnit.inputProjection") for n in names):
        return "other" if names[0].endswith("broadcastRows") or names[0].endswith("broadcastRows0") else "input-gemm"
    if any(n in ("kernel.Kernels.multAddPacked", "kernel.Kernels.gemm") for n in names):
        return "step-gemm"
    for n in names:
        cls, _, m = n.rpartition(".")
        if cls.startswith("kernel.") and m.startswith(GATE):
            return "gate-math"
    return "other"


main_thread, samples = jfrsamples.busiest_thread_samples(rec)
n = len(samples)
count = collections.Counter(classify(names) if names else "other" for names in samples)
share = {p: count[p] / n for p in PHASES}
if as_json:
    print(json.dumps({"recording": rec, "thread": main_thread, "samples": n, "share": share, "ms": ms}))
else:
    print(f"{n} samples of thread '{main_thread}'")
    print("| phase | share |" + (" ms |" if ms else ""))
    print("|---|---|" + ("---|" if ms else ""))
    for p in PHASES:
        print(f"| {p} | {100 * share[p]:.1f} % |" + (f" {share[p] * ms:.2f} |" if ms else ""))
