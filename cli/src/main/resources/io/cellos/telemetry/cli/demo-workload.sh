#!/bin/sh
# The workload of 'cellos demo': what a CI job might do, and what it must not.
# $1: a file in the watched directory; $2: a port on 127.0.0.1 that accepts connections.
echo "demo: running 20 short-lived processes"
i=0
while [ "$i" -lt 20 ]; do /bin/true; i=$((i + 1)); done
echo "demo: writing $1 (a declared file)"
echo "build output" > "$1"
echo "demo: connecting to 127.0.0.1:$2"
if bash -c "exec 3<>/dev/tcp/127.0.0.1/$2"; then echo "demo: connected"; fi
echo "demo: trying to kill init, its parent (kill -9 $PPID)"
kill -9 "$PPID" || echo "demo: refused"
echo "demo: trying to kill every process in the cell, the agent included (kill -9 -1)"
kill -9 -1 || echo "demo: refused"
agents=$(grep -l '^cellos-agent$' /proc/[0-9]*/comm 2>/dev/null | wc -l)
echo "demo: agent processes visible inside the cell: $agents"
echo "demo: setting the hostname as user nobody"
setpriv --reuid=65534 --regid=65534 --clear-groups hostname demo-cell || echo "demo: refused"
echo "demo: done"
