#!/usr/bin/env python3
"""rnn4j against oneDNN's fused RNN primitive per shape, cell, mode and thread count.

usage: jmh/onednn-report.py RNN.json[,RNN2.json...] ONEDNN.jsonl[,ONEDNN2.jsonl...]

  RNN.json      jmh/run 'RnnBench.forward' -p threads=1,2 -rf json -rff RNN.json
  ONEDNN.jsonl  jmh/peers/onednn-peer --json ONEDNN.jsonl   (jmh/peers/README.md, "onednn-peer")

The table is torch-report.py's (jmh/peer_report.py): speed-up = oneDNN time / rnn4j time, > 1 means
rnn4j is faster; "med" compares medians (oneDNN's: the median of its per-round medians), "best" the
fastest repeat of each side. Above it, one line per oneDNN file: version, ISA, thread handling.
Smoke-run files (--quick), points whose OpenMP team was not the thread count asked for, and
multi-thread points whose CPU time / wall time shows a descheduled thread (other work on the machine)
are named in warnings on stderr, since their figures mean nothing.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in jmh/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_report  # noqa: E402

if len(sys.argv) != 3:
    sys.exit(__doc__)
peer, headers = peer_report.read_peer(sys.argv[2])
for path, h in zip(sys.argv[2].split(","), headers):
    print(f"oneDNN {h.get('dnnl_version')} ({h.get('cpu_runtime')}), ISA {h.get('isa')}, {h.get('cpu')}; "
          f"weights reordered {h.get('weights_reorder')}; OMP_WAIT_POLICY={h.get('env_OMP_WAIT_POLICY') or 'default'}"
          f" ({os.path.basename(path)})")
    if h.get("quick"):
        print(f"WARNING: {path} is a --quick smoke run: its figures are meaningless", file=sys.stderr)
busy = 0
for path in sys.argv[2].split(","):
    spinning = True
    for line in open(path):
        r = json.loads(line)
        if r.get("kind") == "header":
            spinning = (r.get("env_OMP_WAIT_POLICY") or "").upper() != "PASSIVE"
        if r.get("kind") != "seq":
            continue
        point = f"{r['cell']} {r['T']}x{r['B']}x{r['I']}x{r['H']} {r['mode']} {r['threads']}t"
        if r.get("omp_threads", r["threads"]) != r["threads"]:
            print(f"WARNING: {path}: {point} ran on {r['omp_threads']} OpenMP threads, not {r['threads']}",
                  file=sys.stderr)
        # With spinning waits every OpenMP thread is on a core all the time, so CPU time / wall time
        # well under the thread count means that a thread was descheduled: other work on the machine.
        if spinning and r["threads"] > 1 and "cpu_per_wall" in r and r["cpu_per_wall"] < 0.75 * r["threads"]:
            busy += 1
            print(f"WARNING: {path}: {point}: cpu/wall {r['cpu_per_wall']:.2f}: the machine was not idle, "
                  f"this point's time is not oneDNN's", file=sys.stderr)
print("oneDNN forward = forward_inference; train = forward_training + backward (all gradients).")
print()
peer_report.print_table(peer_report.read_rnn4j(sys.argv[1]), peer, "oneDNN")
