#!/usr/bin/env bash
# One measuring session: oneDNN 2.6.3 (Debian libdnnl-dev) against rnn4j bench at 100x32x256x256,
# 1 and 2 threads, two alternating rounds. /work/now-rnn4j.jar is target/rnn4j.jar of the commit that
# added this directory.
set -u
cd /work/main
J25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
R=jmh/results/2026-12-07-onednn
for round in 1 2; do
  jmh/peers/onednn-peer --json $R/onednn-r$round.jsonl --shapes 100x32x256x256 --threads 1,2 --seconds 1 > $R/onednn-r$round.log 2>&1
  for jdk in 25 17; do
    J=java; [ $jdk = 25 ] && J=$J25
    $J --add-modules jdk.incubator.vector -jar /work/now-rnn4j.jar bench --json --stream-hidden 64 > $R/rnn4j-jdk$jdk-t1-r$round.json 2>/dev/null
    $J --add-modules jdk.incubator.vector -jar /work/now-rnn4j.jar bench --json --stream-hidden 64 --threads 2 > $R/rnn4j-jdk$jdk-t2-r$round.json 2>/dev/null
    $J --add-modules jdk.incubator.vector -jar /work/now-rnn4j.jar bench --json --stream-hidden 64 --threads 2 --split step > $R/rnn4j-jdk$jdk-t2step-r$round.json 2>/dev/null
  done
done
echo done > /tmp/onednn.done
