# Ways a root process blinds the audit probe, for AuditProbeTest. Speaks NETLINK_AUDIT itself, as an
# attacker would. Usage, one of:
#   audit_blind.py exe-exclude add|del ROOT HEXPATH
#       from inside chroot ROOT, adds (or deletes) the exclude rule "exe != PATH", put first, PATH's
#       bytes given in hex (any bytes: "..", no character set): every record of every process
#       dropped, its own add among them. The add makes PATH's parent directories in ROOT first; PATH
#       resolves only inside ROOT, so a process elsewhere cannot name the rule to delete it
#   audit_blind.py refused-changes SECONDS
#       drops every record but CONFIG_CHANGE (no record names a sender any more), unrecorded, then
#       makes a refused change (deleting a rule that does not exist) every 40 ms for SECONDS; the
#       exclude rule is left in place
#   audit_blind.py user-never
#       adds "user,never msgtype=AUDIT_USER": every message from user space dropped
#   audit_blind.py under-key KEY
#       adds, unrecorded (an exclude rule on CONFIG_CHANGE around it), two rules under filter key
#       KEY: "exit,always -S bind", which makes records, and "exit,never -S connect", which keeps
#       them from being made; then deletes the exclude rule (recorded, naming this process)
# Prints "ok" and exits 0, or says what the kernel refused and exits 1.
import os, socket, struct, sys, time

ADD, DEL = 1011, 1012
LIST_USER, EXIT, LIST_EXCLUDE, PREPEND = 0x00, 0x04, 0x05, 0x10
NEVER, ALWAYS = 0, 2
MSGTYPE, ARCH, EXE, KEY = 12, 11, 112, 210
X86_64, BIND, CONNECT = 0xC000003E, 49, 42
EQUAL, NOT_EQUAL = 0x40000000, 0x30000000

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)


def rule(flags, action, fields, syscalls=()):
    """struct audit_rule_data: fields are (type, op, int or str), for the x86-64 system calls listed"""
    mask = [0] * 64
    for nr in syscalls:
        mask[nr // 32] |= 1 << (nr % 32)
    types, values, ops, strings = [0] * 64, [0] * 64, [0] * 64, b""
    for i, (field, op, value) in enumerate(fields):
        types[i], ops[i] = field, op
        if isinstance(value, str):
            value = value.encode()
        if isinstance(value, bytes):
            strings += value
            value = len(value)
        values[i] = value
    return (struct.pack("=III", flags, action, len(fields)) + struct.pack("=64I", *mask) + struct.pack("=64I", *types)
            + struct.pack("=64I", *values) + struct.pack("=64I", *ops) + struct.pack("=I", len(strings)) + strings)


def request(kind, payload):
    """sends with an ack asked for; returns the kernel's errno (0: done)"""
    sock.send(struct.pack("=IHHII", 16 + len(payload), kind, 1 | 4, 0, 0) + payload)
    return -struct.unpack_from("=i", sock.recv(65536), 16)[0]


def must(kind, payload, what):
    err = request(kind, payload)
    if err:
        sys.exit("%s: %s" % (what, os.strerror(err)))


def without_prepend(r):
    """the kernel keeps no PREPEND flag with the rule: a deletion names the list alone"""
    return struct.pack("=I", struct.unpack_from("=I", r, 0)[0] & ~PREPEND) + r[4:]


what = sys.argv[1]
if what == "exe-exclude":
    op, root, path = sys.argv[2], sys.argv[3], bytes.fromhex(sys.argv[4])
    os.chroot(root)
    os.chdir("/")
    if op == "add":
        os.makedirs(os.path.dirname(path), exist_ok=True)
    r = rule(LIST_EXCLUDE | PREPEND, ALWAYS, [(EXE, NOT_EQUAL, path)])
    must(ADD, r, "add") if op == "add" else must(DEL, without_prepend(r), "delete")
elif what == "refused-changes":
    seconds = float(sys.argv[2])
    hide_changes = rule(LIST_EXCLUDE | PREPEND, ALWAYS, [(MSGTYPE, EQUAL, 1305)])
    hide_rest = rule(LIST_EXCLUDE | PREPEND, ALWAYS, [(MSGTYPE, NOT_EQUAL, 1305)])
    must(ADD, hide_changes, "add")
    must(ADD, hide_rest, "add")  # unrecorded
    must(DEL, without_prepend(hide_changes), "delete")  # recorded, but nothing names who did it
    nothing = rule(EXIT, ALWAYS, [(KEY, EQUAL, "no-such-rule")], syscalls=[0])  # exit,always -S read
    end = time.time() + seconds
    while time.time() < end:
        request(DEL, nothing)  # refused (ENOENT), recorded, unnamed
        time.sleep(0.04)
elif what == "under-key":
    key = sys.argv[2]
    hide_changes = rule(LIST_EXCLUDE | PREPEND, ALWAYS, [(MSGTYPE, EQUAL, 1305)])
    must(ADD, hide_changes, "add")
    must(ADD, rule(EXIT, ALWAYS, [(ARCH, EQUAL, X86_64), (KEY, EQUAL, key)], [BIND]), "add")
    must(ADD, rule(EXIT, NEVER, [(ARCH, EQUAL, X86_64), (KEY, EQUAL, key)], [CONNECT]), "add")
    must(DEL, without_prepend(hide_changes), "delete")
elif what == "user-never":
    must(ADD, rule(LIST_USER, NEVER, [(MSGTYPE, EQUAL, 1005)]), "add")
else:
    sys.exit("unknown: " + what)
print("ok")
