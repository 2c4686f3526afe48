#!/usr/bin/env bash
# One measuring session on an AVX2 machine (rnn4j info: simd-256, GEMM micro-kernel 6x16 on JDK 17):
# oneDNN 2.6.3 (Debian libdnnl-dev) against rnn4j bench at the shapes, 1 and 2 threads, JDK 25
# and 17, two alternating rounds; then the jar before the shared-dGates weight-gradient GEMM
# (/work/before-rnn4j.jar = commit 0109ae5) alternated with the jar after it (/work/now-rnn4j.jar =
# target/rnn4j.jar of the commit that added this directory), training step only.
set -u
cd /work/main
J25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
R=jmh/results/2026-12-08-avx2
NOW=/work/now-rnn4j.jar
bench() {   # jar jdk args...
  local jar=$1 jdk=$2; shift 2
  local J=java; [ "$jdk" = 25 ] && J=$J25
  $J --add-modules jdk.incubator.vector -jar "$jar" bench --json "$@" 2>/dev/null
}
for round in 1 2; do
  jmh/peers/onednn-peer --json $R/onednn-r${round}a.jsonl --cells lstm --threads 1,2 --seconds 1 > $R/onednn-r${round}a.log 2>&1
  jmh/peers/onednn-peer --skip-check --json $R/onednn-r${round}b.jsonl --cells gru,rnn_tanh --shapes 100x32x256x256 \
      --threads 1,2 --seconds 1 > $R/onednn-r${round}b.log 2>&1
  for jdk in 25 17; do
    for t in 1 2; do
      f=$R/rnn4j-jdk$jdk-t$t-r$round.json; : > $f
      bench $NOW $jdk --threads $t --stream-hidden 64,256 >> $f
      for s in 50x64x512x512 35x20x650x650 100x1x128x128; do
        bench $NOW $jdk --threads $t --cells lstm --shape $s --stream-hidden none >> $f
      done
    done
  done
done
for round in 1 2 3; do
  for side in before now; do
    jar=/work/$side-rnn4j.jar
    for jdk in 25 17; do
      bench $jar $jdk --stream-hidden 64 > $R/pair-$side-jdk$jdk-r$round.json
    done
  done
done
echo done > /tmp/avx2-session.done
