#!/usr/bin/env bash
# Second measuring session on the AVX2 VM, after the bias-gradient allocation fix: oneDNN 2.6.3
# against rnn4j bench (/work/now-rnn4j.jar = target/rnn4j.jar of the commit that added this
# directory), three alternating rounds (this VM's cores switch between a fast and a ~30 % slower
# mode every few seconds; best of three per side); then GemmPairBench on both JDKs, then the scaling sweep.
set -u
cd /work/main
J25=/usr/lib/jvm/temurin-25-jdk-amd64
R=jmh/results/2026-12-08-avx2b
NOW=/work/now-rnn4j.jar
bench() {   # jdk args...
  local jdk=$1; shift
  local J=java; [ "$jdk" = 25 ] && J=$J25/bin/java
  $J --add-modules jdk.incubator.vector -jar "$NOW" bench --json "$@" 2>/dev/null
}
for round in 1 2 3; do
  jmh/peers/onednn-peer --json $R/onednn-r${round}a.jsonl --cells lstm --threads 1,2 --seconds 1 > $R/onednn-r${round}a.log 2>&1
  jmh/peers/onednn-peer --skip-check --json $R/onednn-r${round}b.jsonl --cells gru,rnn_tanh --shapes 100x32x256x256 \
      --threads 1,2 --seconds 1 > $R/onednn-r${round}b.log 2>&1
  for jdk in 25 17; do
    for t in 1 2; do
      f=$R/rnn4j-jdk$jdk-t$t-r$round.json; : > $f
      bench $jdk --threads $t --stream-hidden 64,256 >> $f
      for s in 50x64x512x512 35x20x650x650 100x1x128x128; do
        bench $jdk --threads $t --cells lstm --shape $s --stream-hidden none >> $f
      done
    done
  done
done
for jdk in 25 17; do
  J=/usr/lib/jvm/java-17-openjdk-amd64; [ $jdk = 25 ] && J=$J25
  JAVA_HOME=$J jmh/run GemmPairBench -rf json -rff $R/gemmpair-jdk$jdk.json > $R/gemmpair-jdk$jdk.log 2>&1
done
jmh/scaling $R/scaling > $R/scaling.log 2>&1
echo done > /tmp/avx2b.done
