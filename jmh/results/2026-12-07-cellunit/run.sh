#!/usr/bin/env bash
# The record of one measuring session: /work/before-rnn4j.jar is the core jar built at 9852d84 (before
# the CellUnit split and the fused peephole / reset-before kernels), /work/after-rnn4j.jar at the commit
# that added this directory. Rounds alternate before/after so drift hits both alike.
set -u
cd /work/main
J25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
R=jmh/results/2026-12-07-cellunit
for round in 1 2; do
  for jdk in 17 25; do
    J=java; [ $jdk = 25 ] && J=$J25
    $J --add-modules jdk.incubator.vector -jar /work/before-rnn4j.jar bench --json > $R/before-jdk$jdk-r$round.json 2>/dev/null
    $J --add-modules jdk.incubator.vector -jar /work/after-rnn4j.jar bench --json > $R/after-jdk$jdk-r$round.json 2>/dev/null
  done
done
echo done > /tmp/cellunit.done
