#!/bin/sh
# run.sh [ROUNDS=3] [RATE=600]: the floor of one wake (and one send) per event, in C and in Java,
# alternated round by round, first on a quiet machine, then beside a spawn load (/bin/true in a
# loop, as AgentCost's workload); 10 s of events each. Builds wakefloor first. No root needed;
# nothing here touches audit, BPF or vsock.
set -e
cd "$(dirname "$0")"
ROUNDS=${1:-3}; RATE=${2:-600}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
OUT=${TMPDIR:-/tmp}/wakefloor
gcc -O2 -Wall -o "$OUT" wakefloor.c
EVENTS=$((RATE * 10))
one() { echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) $*"; }
series() {
  for r in $(seq 1 "$ROUNDS"); do
    for m in send wake; do
      one "C    $("$OUT" "$RATE" "$EVENTS" $m)"
      one "Java $("$OUT" "$RATE" "$EVENTS" $m "$JAVA" --enable-native-access=ALL-UNNAMED WakeFloor.java)"
    done
  done
}
echo "== quiet"; series
echo "== beside a spawn load"
( while :; do /bin/true; done ) & LOAD=$!
trap 'kill $LOAD 2>/dev/null' EXIT
series
