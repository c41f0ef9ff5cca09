#!/usr/bin/env python3
"""What audit's TCP Fast Open rules cost a process that sends datagrams.

The audit probe audits sendto(2) and sendmsg(2) at exit, but only with MSG_FASTOPEN; every other
send still runs those two rules' checks. This harness times sendloop (N loopback UDP sends, each
datagram read back) in rounds of three: audit off; audit on with a connect(2) exit rule (as the
probe's rules leave it); and the same plus the probe's two Fast Open rules. Rounds alternate so
that the machine's drift falls on each alike; prints each round, then median and minimum.

Run as root from this directory, with nothing else changing audit (flock the kernel-tests lock):
    gcc -O2 -o sendloop sendloop.c
    flock /tmp/cellos-kernel-tests.lock python3 ab.py [N=2000000] [ROUNDS=6]
Audit's enabled flag is restored as found, and the rules it added are deleted, also on failure.
"""
import socket, struct, subprocess, statistics, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9); s.bind((0, 0))
seq = [0]
def req(t, payload=b""):
    seq[0] += 1
    s.send(struct.pack("=IHHII", 16 + len(payload), t, 1 | 4, seq[0], 0) + payload)
    d = s.recv(65536)
    ty = struct.unpack_from("=H", d, 4)[0]
    if ty == 2:
        err = struct.unpack_from("=i", d, 16)[0]
        if err: raise OSError(-err, "audit request %d" % t)
def status():
    seq[0] += 1
    s.send(struct.pack("=IHHII", 16, 1000, 1, seq[0], 0))
    d = s.recv(65536); return struct.unpack_from("=I", d, 20)[0]
def set_enabled(v):
    req(1001, struct.pack("=IIIIIIII", 1, v, 0, 0, 0, 0, 0, 0) + b"\0" * 16)
EQ, NE, BT = 0x40000000, 0x30000000, 0x48000000
def rule(sc, fields, key="sendcost"):
    mask = [0] * 64; mask[sc // 32] |= 1 << (sc % 32)
    f = [0] * 64; v = [0] * 64; ff = [0] * 64
    allf = [(11, EQ, 0xC000003E)] + fields + [(210, EQ, len(key))]
    for i, (a, op, val) in enumerate(allf):
        f[i] = a; ff[i] = op; v[i] = val & 0xffffffff
    kb = key.encode()
    return struct.pack("=III", 4, 2, len(allf)) + struct.pack("=64I", *mask) + struct.pack("=64I", *f) \
        + struct.pack("=64I", *v) + struct.pack("=64I", *ff) + struct.pack("=I", len(kb)) + kb
EXIT = 103
base = rule(42, [(EXIT, NE, -114), (EXIT, NE, -106)])
tfo = [rule(44, [(EXIT, NE, -114), (EXIT, NE, -106), (203, BT, 0x20000000)]),
       rule(46, [(EXIT, NE, -114), (EXIT, NE, -106), (202, BT, 0x20000000)])]
n = sys.argv[1] if len(sys.argv) > 1 else "2000000"
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 6
was = status()
res = {"off": [], "A": [], "B": []}
try:
    for r in range(rounds):
        for variant in ("off", "A", "B"):
            if variant == "off":
                set_enabled(0)
            else:
                set_enabled(1); req(1011, base)
                if variant == "B":
                    for t in tfo: req(1011, t)
            ns = float(subprocess.check_output(["./sendloop", n]).decode())
            res[variant].append(ns)
            if variant != "off":
                req(1012, base)
                if variant == "B":
                    for t in tfo: req(1012, t)
        print("round", r, {k: v[-1] for k, v in res.items()}, flush=True)
finally:
    for r in [base] + tfo:
        try:
            req(1012, r)
        except OSError:
            pass  # not there: deleted after its run
    set_enabled(was)
for k, v in res.items():
    print(k, "median %.1f ns  min %.1f" % (statistics.median(v), min(v)))
