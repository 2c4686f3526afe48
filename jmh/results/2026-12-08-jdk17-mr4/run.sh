#!/usr/bin/env bash
# JDK 17 against JDK 25 with the 4-row GEMM micro-kernel on both (the default since this directory's
# commit; /work/now-rnn4j.jar = its target/rnn4j.jar), one thread, two alternating rounds, every shape.
set -u
cd /work/main
R=jmh/results/2026-12-08-jdk17-mr4
for round in 1 2; do
  for jdk in 17 25; do
    J=java; [ $jdk = 25 ] && J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
    f=$R/rnn4j-jdk$jdk-t1-r$round.json; : > $f
    $J --add-modules jdk.incubator.vector -jar /work/now-rnn4j.jar bench --json --stream-hidden none >> $f 2>/dev/null
    for s in 50x64x512x512 35x20x650x650 100x1x128x128; do
      $J --add-modules jdk.incubator.vector -jar /work/now-rnn4j.jar bench --json --cells lstm --shape $s --stream-hidden none >> $f 2>/dev/null
    done
  done
done
