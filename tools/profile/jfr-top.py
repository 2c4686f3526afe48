#!/usr/bin/env python3
"""Top rnn4j methods of a JFR recording by execution samples: "self" counts a sample for the innermost
org.rnn4j frame of its stack (JFR attributes samples to inlined JDK methods such as the Vector API's
lanewiseTemplate; those count for the rnn4j kernel that inlined them), "total" counts every rnn4j
method anywhere on the stack; both as shares of all samples of the thread that ran the most
(the benchmark thread) (docs/performance.md, "Where the time goes").

usage: tools/profile/jfr-top.py REC.jfr [N]

Record with e.g.
  java --add-modules jdk.incubator.vector -XX:StartFlightRecording=filename=REC.jfr,settings=profile \\
       -jar target/rnn4j.jar bench --cells lstm --seconds 3
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jfrsamples  # noqa: E402

rec = sys.argv[1]
top_n = int(sys.argv[2]) if len(sys.argv) > 2 else 15
main_thread, samples = jfrsamples.busiest_thread_samples(rec)
self_c, total_c = collections.Counter(), collections.Counter()
n = len(samples)
for names in samples:
    if not names:
        continue
    self_c[names[0]] += 1
    for m in set(names):
        total_c[m] += 1
print(f"{n} samples of thread '{main_thread}'")
print("| method | self | total |")
print("|---|---|---|")
for m, c in self_c.most_common(top_n):
    print(f"| `{m}` | {100 * c / n:.1f} % | {100 * total_c[m] / n:.1f} % |")
