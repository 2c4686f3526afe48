#!/usr/bin/env bash
# The code as it stands at the end of the 2026-12-08 AVX-512 session (commit fdaa6a2: 8-row kernel,
# 4-row edge tiles, no small-M dot form), one thread, JDK 25, two alternated rounds against oneDNN.
set -u
cd /work/main
R=jmh/results/2026-12-08-avx512/final; J25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
for round in 1 2; do
  jmh/peers/onednn-peer --skip-check --json $R/onednn-r${round}a.jsonl --cells lstm --threads 1 --seconds 1 > $R/onednn-r${round}a.log 2>&1
  jmh/peers/onednn-peer --skip-check --json $R/onednn-r${round}b.jsonl --cells gru,rnn_tanh --shapes 100x32x256x256 --threads 1 --seconds 1 > $R/onednn-r${round}b.log 2>&1
  f=$R/rnn4j-jdk25-t1-r$round.json; : > $f
  $J25 --add-modules jdk.incubator.vector -jar /work/final-rnn4j.jar bench --json --stream-hidden none 2>/dev/null >> $f
  for s in 50x64x512x512 35x20x650x650 100x1x128x128; do
    $J25 --add-modules jdk.incubator.vector -jar /work/final-rnn4j.jar bench --json --cells lstm --shape $s --stream-hidden none 2>/dev/null >> $f
  done
done
python3 jmh/bench-vs-onednn.py $R
