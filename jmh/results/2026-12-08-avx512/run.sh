#!/usr/bin/env bash
# Measuring session on an AVX-512 AMD EPYC VM (2 cores) after the 8-row GEMM micro-kernel:
# oneDNN 2.6.3 and ONNX Runtime against rnn4j bench, in three alternated rounds, best per side.
# /work/new-rnn4j.jar = target/rnn4j.jar of commit 7f77271 (8 rows by default here on JDK 25,
# 4 on JDK 17); /work/old-rnn4j.jar = the jar of 7ec926d (4 rows everywhere), the same-session
# baseline for the before/after table (bench-compare.py: before-/after-jdk25-rN.json).
set -u
cd /work/main
J25=/usr/lib/jvm/temurin-25-jdk-amd64
R=jmh/results/2026-12-08-avx512
bench() {   # jar jdk args...
  local jar=$1 jdk=$2; shift 2
  local J=java; [ "$jdk" = 25 ] && J=$J25/bin/java
  $J --add-modules jdk.incubator.vector -jar "$jar" bench --json "$@" 2>/dev/null
}
for round in 1 2 3; do
  jmh/peers/onednn-peer --skip-check --json $R/onednn-r${round}a.jsonl --cells lstm --threads 1,2 --seconds 1 > $R/onednn-r${round}a.log 2>&1
  jmh/peers/onednn-peer --skip-check --json $R/onednn-r${round}b.jsonl --cells gru,rnn_tanh --shapes 100x32x256x256 \
      --threads 1,2 --seconds 1 > $R/onednn-r${round}b.log 2>&1
  for run in "25 1" "25 2" "17 1"; do
    set -- $run; jdk=$1; t=$2
    f=$R/rnn4j-jdk$jdk-t$t-r$round.json; : > $f
    bench /work/new-rnn4j.jar $jdk --threads $t --stream-hidden 64,256 >> $f
    for s in 50x64x512x512 35x20x650x650 100x1x128x128; do
      bench /work/new-rnn4j.jar $jdk --threads $t --cells lstm --shape $s --stream-hidden none >> $f
    done
  done
  cp $R/rnn4j-jdk25-t1-r$round.json $R/after-jdk25-r$round.json
  f=$R/before-jdk25-r$round.json; : > $f
  bench /work/old-rnn4j.jar 25 --threads 1 --stream-hidden 64,256 >> $f
  for s in 50x64x512x512 35x20x650x650 100x1x128x128; do
    bench /work/old-rnn4j.jar 25 --threads 1 --cells lstm --shape $s --stream-hidden none >> $f
  done
  if [ $round -le 2 ]; then
    JAVA_HOME=$J25 jmh/run OrtSeqBench -p impl=ort -wi 2 -i 3 -w 1s -r 1s -rf json -rff $PWD/$R/ort-seq-r$round.json > $R/ort-seq-r$round.log 2>&1
  fi
done
echo done > /tmp/avx512.done
