#!/usr/bin/env python3
"""rnn4j against PyTorch per shape, cell and thread count (docs/performance.md, "Against PyTorch").

usage: jmh/torch-report.py RNN.json[,RNN2.json...] TORCH-SEQ.jsonl[,TORCH2.jsonl...]

  RNN.json         jmh/run 'RnnBench.forward' -p threads=1,2 -rf json -rff RNN.json
  TORCH-SEQ.jsonl  jmh/peers/torch_rnn_step.py --json TORCH-SEQ.jsonl   (command in jmh/peers/README.md)

Several files per side (comma-separated) are rounds of one session: rnn4j's JMH iterations of all
rounds are pooled, and PyTorch's per-round medians. Two ratios per cell: "med" = PyTorch's median
over rnn4j's median, "best" = PyTorch's fastest repeat over rnn4j's fastest iteration (interference
on a shared VM only adds time, so the best of each side is the least disturbed estimate of it).
> 1: rnn4j is faster. "2t/1t" is rnn4j's one-thread median over its two-thread median.
Only RnnBench rows of the default executor count as rnn4j's two-thread figures: split (data-parallel
over batch rows), or team (per-step GEMM split) in files from before split existed; a session's
files hold one of the two. The table itself is jmh/peer_report.py's (shared with onednn-report.py).
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in jmh/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_report  # noqa: E402

if len(sys.argv) != 3:
    sys.exit(__doc__)
peer_report.print_table(peer_report.read_rnn4j(sys.argv[1]), peer_report.read_peer(sys.argv[2])[0], "PyTorch")
