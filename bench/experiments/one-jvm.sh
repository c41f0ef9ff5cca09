#!/bin/bash
# usage: onejvm.sh two|one  -> prints: mode init_to_workload_ms rss_total_kib pss_total_kib
mode=$1; img=/tmp/gi-one; d=$(mktemp -d /tmp/oj.XXXX)
/work/main/cellos host listen --uds $d/vm --cell-id vm --run-id r1 --out $d/ev.jsonl 2>$d/listen.err &
lp=$!
for i in $(seq 100); do [ -S $d/vm_9001 ] && break; sleep 0.05; done
env_one=""; [ $mode != two ] && env_one="CELLOS_ONE_JVM=1"; [ $mode = oneflags ] && export JDK_JAVA_OPTIONS="$(cat /tmp/notes/agentflags.txt)"
s=$(date +%s%N)
env $env_one setsid $img/bin/cellos-init --agent-transport unix:$d/vm_9001 --exit-to unix:$d/vm_9000 -- \
  sh -c 'date +%s%N > '$d'/t; sleep 6' >$d/out 2>$d/err &
ip=$!
sleep 4.5
rss=0; pss=0
for p in $(pgrep -f "$img/runtime/bin/java"); do
  r=$(awk '/VmRSS/{print $2}' /proc/$p/status); q=$(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup)
  rss=$((rss+r)); pss=$((pss+q)); n=$((n+1))
done
for p in $(pgrep -f -- "--launched"); do tr "\0" "\n" < /proc/$p/cmdline > /tmp/notes/agentcmd.txt; done
w=$(cat $d/t 2>/dev/null || echo 0)
wait $ip
kill $lp; wait $lp 2>/dev/null
echo "$mode jvms=$n init_to_workload_ms=$(( (w-s)/1000000 )) rss_kib=$rss pss_kib=$pss events=$(wc -l < $d/ev.jsonl) exec_seen=$(grep -c process.exec $d/ev.jsonl)"
grep -h "in-process\|ready:" $d/err | cut -c1-150 | head -2
rm -rf $d
