#!/usr/bin/python3
"""PyTorch peer for rnn4j's cell benchmarks (RnnBench): nn.LSTM / nn.GRU / nn.RNN(tanh), one layer,
sequence inference (forward under inference_mode) and one training step (forward + backward of
sum(y * dY), all parameter gradients), at the (T, B, I, H) shapes of issue 7, on 1 and 2 threads.

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE \
      /usr/bin/python3 jmh/peers/torch_rnn_step.py --json out.jsonl [--quick]

Environment checks, BLAS discovery and timing are torch_cell_step.py's (imported): median of
--repeats timed repeats after a warm-up. For 2 threads the script raises torch's and OpenBLAS's
thread counts itself after the 1-thread points. One JSON object per line with --json: a header,
then {"kind": "seq", cell, T, B, I, H, threads, mode: "forward"|"train", ms, ms_min, gflops}, GFLOP/s
counting GEMM FLOPs as rnn4j's reports do (forward 2·T·B·G·H·(I+H), train 3× that).
"""
import argparse
import ctypes
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_cell_step as tcs  # noqa: E402  (checks the OpenBLAS pins before torch loads)
import torch  # noqa: E402

SHAPES = [(100, 32, 256, 256), (50, 64, 512, 512), (100, 1, 128, 128), (35, 20, 650, 650)]
MODULES = {"lstm": (4, lambda i, h: torch.nn.LSTM(i, h)), "gru": (3, lambda i, h: torch.nn.GRU(i, h)),
           "rnn_tanh": (1, lambda i, h: torch.nn.RNN(i, h, nonlinearity="tanh"))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--cells", default="lstm,gru,rnn_tanh")
    ap.add_argument("--allow-any-blas", action="store_true")
    args = ap.parse_args()
    if args.quick:
        args.seconds, args.repeats, args.warmup = 0.05, 3, 0.01
    header = tcs.setup(args)
    header["peer"] = "torch-seq"
    out = open(args.json, "w") if args.json else None
    if out:
        out.write(json.dumps(header) + "\n")
    _, ob = tcs.openblas_handle(tcs.mapped_libraries())
    print(f"torch {torch.__version__}, BLAS {header.get('blas_config')}")
    print(f"{'cell':9} {'T,B,I,H':16} {'thr':>3} {'forward ms':>11} {'GFLOP/s':>8} {'train ms':>10} {'GFLOP/s':>8}")
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        if ob is not None:
            ob.openblas_set_num_threads(ctypes.c_int(threads))
        for cell in args.cells.split(","):
            gates, make = MODULES[cell]
            for (t, b, i, h) in SHAPES:
                torch.manual_seed(1)
                m = make(i, h)
                x = torch.rand(t, b, i) - 0.5
                dy = torch.rand(t, b, h) - 0.5
                flops = 2.0 * t * b * gates * h * (i + h)

                def forward(n):
                    with torch.inference_mode():
                        for _ in range(n):
                            m(x)

                def train(n):
                    for _ in range(n):
                        y, _ = m(x)
                        (y * dy).sum().backward()
                        for p in m.parameters():
                            p.grad = None

                res = {}
                for mode, run, mult in (("forward", forward, 1), ("train", train, 3)):
                    samples, _ = tcs.timed(run, args)
                    med, mn = tcs.summary(samples)
                    res[mode] = med
                    row = {"kind": "seq", "cell": cell, "T": t, "B": b, "I": i, "H": h, "threads": threads,
                           "mode": mode, "ms": med / 1e6, "ms_min": mn / 1e6, "gflops": mult * flops / med,
                           "torch": torch.__version__}
                    if out:
                        out.write(json.dumps(row) + "\n")
                        out.flush()
                print(f"{cell:9} {f'{t},{b},{i},{h}':16} {threads:3d} {res['forward'] / 1e6:11.2f} "
                      f"{flops / res['forward']:8.1f} {res['train'] / 1e6:10.2f} {3 * flops / res['train']:8.1f}")
    if out:
        out.close()


if __name__ == "__main__":
    main()
