"""A tiny DNS server and client for the DNS answers tests: loopback only, nothing leaves the machine.

  dns_fixture.py serve ADDR            answers on ADDR port 53, UDP and TCP, until killed; prints READY
  dns_fixture.py query SERVER NAME TYPE [--tcp] [--connect PORT] [--sleep S]
                                       asks SERVER (port 53) for NAME (A or AAAA), prints the address,
                                       then, after S seconds, connects to it on PORT (TCP)
  dns_fixture.py flood SERVER N        asks for flood-0 .. flood-(N-1) over UDP, one socket

Zone (under test.cellos, every name lower or mixed case):
  www        CNAME edge.cdn (TTL 300) -> CNAME node.cdn (TTL 120) -> A 127.0.0.88 / AAAA ::1 (TTL 60)
  a          A 127.0.0.89 (TTL 60), AAAA ::1 (TTL 60)
  short      A 127.0.0.90 (TTL 1)
  flood-N    A 10.(N>>16).(N>>8).N (TTL 600): only data, never connected to
  bad-trunc, bad-loop, bad-count, bad-forward: malformed answers (cut, a compression loop,
             65535 answers declared, a forward pointer); then the client gets nothing back
"""
import socket
import struct
import sys
import threading
import time

ZONE = "test.cellos"


def name(n):
    out = b""
    for label in n.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rr(owner, rtype, ttl, rdata):
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def answer(query):
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    p = 12
    labels = []
    while query[p]:
        labels.append(query[p + 1:p + 1 + query[p]].decode())
        p += 1 + query[p]
    qtype = struct.unpack("!H", query[p + 1:p + 3])[0]
    question = query[12:p + 5]
    qname = ".".join(labels)
    short = qname.lower()[:-len(ZONE) - 1] if qname.lower().endswith("." + ZONE) else None
    header = lambda an, rcode=0: struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, an, 0, 0)
    QPTR = b"\xc0\x0c"  # the question's name
    if short == "bad-trunc":
        return (header(1) + question + rr(QPTR, 1, 60, bytes([127, 0, 0, 91])))[:-3]
    if short == "bad-loop":
        # an answer whose owner is a pointer to itself
        at = 12 + len(question)
        return header(1) + question + struct.pack("!H", 0xc000 | at) + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([127, 0, 0, 92])
    if short == "bad-count":
        return header(65535) + question + rr(QPTR, 1, 60, bytes([127, 0, 0, 93]))
    if short == "bad-forward":
        at = 12 + len(question)
        return header(1) + question + struct.pack("!H", 0xc000 | (at + 2)) + name("x") + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([127, 0, 0, 94])
    records = b""
    count = 0
    owner = QPTR
    ttl = 60
    if short == "www":
        edge = name("edge.cdn." + ZONE)
        node = name("node.cdn." + ZONE)
        records += rr(owner, 5, 300, edge)
        records += rr(edge, 5, 120, node)
        owner = node
        count = 2
        target_v4 = bytes([127, 0, 0, 88])
    elif short == "a":
        target_v4 = bytes([127, 0, 0, 89])
    elif short == "short":
        target_v4 = bytes([127, 0, 0, 90])
        ttl = 1
    elif short is not None and short.startswith("flood-"):
        n = int(short[6:])
        target_v4 = bytes([10, n >> 16 & 255, n >> 8 & 255, n & 255])
        ttl = 600
    else:
        return header(0, 3) + question  # NXDOMAIN
    if qtype == 1:
        records += rr(owner, 1, ttl, target_v4)
        count += 1
    elif qtype == 28:
        records += rr(owner, 28, ttl, socket.inet_pton(socket.AF_INET6, "::1"))
        count += 1
    return header(count) + question + records


def serve(addr):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    udp = socket.socket(family, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    udp.bind((addr, 53))
    tcp = socket.socket(family, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind((addr, 53))
    tcp.listen(16)

    def tcp_loop():
        while True:
            c, _ = tcp.accept()
            with c:
                length = struct.unpack("!H", c.recv(2, socket.MSG_WAITALL))[0]
                a = answer(c.recv(length, socket.MSG_WAITALL))
                c.sendall(struct.pack("!H", len(a)) + a)  # one segment: loopback's MTU is 64 KiB

    threading.Thread(target=tcp_loop, daemon=True).start()
    print("READY", flush=True)
    while True:
        q, peer = udp.recvfrom(4096)
        udp.sendto(answer(q), peer)


def query_bytes(qname, qtype, qid=0x1234):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + name(qname) + struct.pack("!HH", qtype, 1)


def address_of(reply, qtype):
    size = 4 if qtype == 1 else 16
    an = struct.unpack("!H", reply[6:8])[0]
    if an == 0 or reply[3] & 0xf:
        return None
    return socket.inet_ntop(socket.AF_INET if size == 4 else socket.AF_INET6, reply[-size:])


def query(server, qname, qtype_text, tcp, port, sleep):
    qtype = {"A": 1, "AAAA": 28}[qtype_text]
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    q = query_bytes(qname, qtype)
    if tcp:
        with socket.create_connection((server, 53), timeout=5) as s:
            s.sendall(struct.pack("!H", len(q)) + q)
            length = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))[0]
            reply = s.recv(length, socket.MSG_WAITALL)
    else:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            s.sendto(q, (server, 53))
            try:
                reply = s.recvfrom(65535)[0]
            except socket.timeout:
                reply = b""
    addr = address_of(reply, qtype) if len(reply) >= 12 else None
    print(addr, flush=True)
    if addr and port:
        time.sleep(sleep)
        with socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET) as c:
            try:
                c.connect((addr, port))
            except ConnectionRefusedError:
                pass  # attempted all the same


def flood(server, n):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        for i in range(n):
            s.sendto(query_bytes("flood-%d.%s" % (i, ZONE), 1, i & 0xffff), (server, 53))
            s.recvfrom(4096)
    print("done", flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "serve":
        serve(sys.argv[2])
    elif cmd == "query":
        args = sys.argv[5:]
        tcp = "--tcp" in args
        port = int(args[args.index("--connect") + 1]) if "--connect" in args else 0
        sleep = float(args[args.index("--sleep") + 1]) if "--sleep" in args else 0
        query(sys.argv[2], sys.argv[3], sys.argv[4], tcp, port, sleep)
    elif cmd == "flood":
        flood(sys.argv[2], int(sys.argv[3]))
