#!/bin/sh
# run.sh [ROUNDS=3] [RATE=600]: the floor of one wake (and one send) per event, in C (wakefloor.c)
# and in Java through the agent's own system-call path (the bench harness WakeFloor, from
# bench/target/benchmarks.jar: build it first), alternated round by round; first on a quiet
# machine, then beside a spawn load (/bin/true in a loop, like AgentCost's workload); 10 s of events
# each. No root needed; nothing here touches audit, BPF or vsock.
set -e
cd "$(dirname "$0")"
ROUNDS=${1:-3}; RATE=${2:-600}
JAVA=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
JAR=../target/benchmarks.jar
[ -f "$JAR" ] || { echo "run.sh: $JAR is missing: build it first (mvn -B -q install -DskipTests)" >&2; exit 2; }
OUT=${TMPDIR:-/tmp}/wakefloor
gcc -O2 -Wall -o "$OUT" wakefloor.c
one() { echo "$(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg) $*"; }
series() {
  for r in $(seq 1 "$ROUNDS"); do
    one "C    $("$OUT" "$RATE" $((RATE * 10)) send)"
    one "Java $("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$JAR" io.cellos.telemetry.bench.WakeFloor \
        --per-second "$RATE" --seconds 10)"
    one "C    $("$OUT" "$RATE" $((RATE * 10)) wake)"
  done
}
echo "== quiet"; series
echo "== beside a spawn load"
( while :; do /bin/true; done ) & LOAD=$!
trap 'kill $LOAD 2>/dev/null' EXIT
series
