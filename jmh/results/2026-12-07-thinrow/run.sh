#!/usr/bin/env bash
# The record of one measuring session: /work/benchmarks.jar is jmh/target/benchmarks.jar, /work/old and
# /work/new-rnn4j.jar the core jar built at the commit before and after the change being measured.
set -u
cd /work/main
J25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
A=jmh/results/2026-12-07-alloc
V=rnn_tanh,rnn_relu,lstm,lstm_proj,lstm_peephole,gru,gru_reset_before
for jdk in 17 25; do
  J=java; [ $jdk = 25 ] && J=$J25
  $J --add-modules jdk.incubator.vector -jar /work/benchmarks.jar 'AllocationBench.stream' -p variant=$V -prof gc -jvm $(command -v $J | xargs readlink -f) -rf json -rff $A/stream-jdk$jdk.json > $A/stream-jdk$jdk.log 2>&1
  $J --add-modules jdk.incubator.vector -jar /work/benchmarks.jar 'AllocationBench.(forward|train)' -p format=f32 -prof gc -jvm $(command -v $J | xargs readlink -f) -rf json -rff $A/engine-jdk$jdk.json > $A/engine-jdk$jdk.log 2>&1
done
R=jmh/results/2026-12-07-thinrow
for round in 1 2 3 4; do
  for jdk in 17 25; do
    J=java; [ $jdk = 25 ] && J=$J25
    $J --add-modules jdk.incubator.vector -jar /work/old/target/rnn4j.jar bench --json > $R/before-jdk$jdk-r$round.json 2>/dev/null
    $J --add-modules jdk.incubator.vector -jar /work/new-rnn4j.jar bench --json > $R/after-jdk$jdk-r$round.json 2>/dev/null
  done
done
echo done > /work/timing.done
