#!/usr/bin/python3
# vm_attacks.py: the workload's attack suite against init and the agent, run AS THE WORKLOAD.
#
#   /usr/bin/python3 vm_attacks.py [INIT_PID [AGENT_PID]]
#
# (Arguments that are not numbers are ignored: a harness may add one to recognise its processes.)
# Without arguments it finds its targets as an attacker would: init is the parent whose command
# line names cellos; the agent is init's child whose command line says "agent". (It never attacks
# other cellos processes it can see: on a shared build machine those belong to other people.)
#
# One line per attempt, "<vector>[@init|@agent] <outcome>", where the outcome is
#   refused:<ERRNO>      the call failed with that errno
#   blocked:<reason>     there was no way to even try (the target invisible, no handle on it, ...)
#   EFFECT:<what>        the attack worked, or provably would have: a probe that must not harm this
#                        machine is made harmless (it sets a value to the value it already had, uses
#                        signal 0, a private mount namespace, a child of our own, or deliberately
#                        invalid arguments); when such a call fails only at the invalid argument
#                        (EINVAL/EBADF/ESRCH after every permission check), it says
#                        EFFECT:reached-kernel(<ERRNO>...) -- the gate and the capabilities let it
#                        through, and valid arguments would have done it.
#   standing:<what>      it works, and reaches nothing of init's or the agent's, nor the record: what
#                        a root workload keeps in a microVM (its own processes, files and resources;
#                        the README's "What a root workload can still do" says why each is left)
#   declared:<what>      the call went through, and what it aimed at is made to refuse it and say so:
#                        the harness checks the record for the declaration (a forged datagram the
#                        agent drops and declares as agent.tampered)
# and a last line "SUMMARY refused=N effect=M blocked=K standing=S declared=D".
#
# Environment: CELLOS_ATTACK_CODE, comma-separated files a harness knows init and the agent run
# (the JVM's library, the jar): code_write tries to open each for writing, with libc and the
# dynamic loader, which every process maps. CELLOS_ATTACK_LINGER, seconds to stay after the
# summary (so that the agent, quiet again, sends a heartbeat while the workload still runs).
#
# Rules it keeps (it runs on machines other people use): no AF_VSOCK socket is ever connected;
# nothing is rebooted, kexec'd, loaded or killed; every value changed is restored at once; audit
# state is only read (AUDIT_GET); cgroup.kill and cgroup.freeze are never written; the only
# process ever moved between cgroups is a child of our own; mounts are changed only inside private
# mount namespaces of forked children. The forgery probes (forge_*) send one clearly marked
# fake record (syscall 4095, comm "forged-by-wkld", a phantom pid) to the sockets of the one agent
# this workload belongs to, never to a multicast group; forge_connector_by_sock_diag, which cannot
# tell that agent's sockets apart, sends its marked fake to every proc connector listener of this
# network namespace: run it under the kernel-tests lock (scripts/attack-vm takes it), where the only
# listener is the cell's agent, whose socket, connected to the kernel, refuses it.
#
# stdlib + ctypes only; x86-64 Linux.
import ctypes
import errno
import fcntl
import mmap
import os
import signal
import socket
import struct
import sys
import tempfile
import time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

# x86-64 system call numbers
SYS = dict(
    mount=165, umount2=166, reboot=169, kexec_load=246, kexec_file_load=320, finit_module=313,
    delete_module=176, settimeofday=164, getpriority=140, setpriority=141, sched_setparam=142,
    sched_getparam=143, sched_setscheduler=144, sched_getscheduler=145, sched_get_priority_max=146,
    sched_setaffinity=203, sched_getaffinity=204, sched_setattr=314, sched_getattr=315,
    ioprio_set=251, ioprio_get=252, prlimit64=302, process_madvise=440, process_mrelease=448,
    kcmp=312, move_pages=279, migrate_pages=256, kill=62, tgkill=234, rt_sigqueueinfo=129,
    rt_tgsigqueueinfo=297, pidfd_open=434, pidfd_send_signal=424, pidfd_getfd=438,
    name_to_handle_at=303, open_by_handle_at=304, ptrace=101, process_vm_readv=310, bpf=321,
    perf_event_open=298, unshare=272, setns=308, clone=56, userfaultfd=323, io_uring_setup=425,
    keyctl=250, fanotify_init=300, fanotify_mark=301, prctl=157, setresuid=117,
)
CLONE_NEWNS = 0x00020000
CLONE_PARENT = 0x00008000
MS_REC, MS_PRIVATE, MS_BIND = 0x4000, 0x40000, 0x1000
MNT_DETACH = 2
AT_FDCWD = -100

_keep = []  # buffers handed to the kernel stay alive until exit


def cstr(s):
    b = ctypes.create_string_buffer(s.encode() if isinstance(s, str) else s)
    _keep.append(b)
    return ctypes.addressof(b)


def buf(n_or_bytes):
    b = ctypes.create_string_buffer(n_or_bytes)
    _keep.append(b)
    return b


def sc(name, *args):
    """A raw system call: (result, errno); errno is 0 when the call succeeded."""
    ctypes.set_errno(0)
    rc = libc.syscall(ctypes.c_long(SYS[name] if isinstance(name, str) else name),
                      *[ctypes.c_long(a) for a in args])
    return (rc, 0) if rc >= 0 else (rc, ctypes.get_errno())


def ename(e):
    return errno.errorcode.get(e, str(e))


def clean(s):
    return "_".join(str(s).split())


def refused(e, note=None):
    return "refused:" + ename(e) + ("(" + clean(note) + ")" if note else "")


def effect(what):
    return "EFFECT:" + clean(what)


def blocked(why):
    return "blocked:" + clean(why)


# the kernel's answer to a unicast to a netlink socket connected to the kernel (the agent's are)
CONNECTED_TO_KERNEL = "the-socket-is-connected-to-the-kernel,which-refuses-other-senders(ECONNREFUSED)"


def standing(what):
    return "standing:" + clean(what)


def declared(what):
    return "declared:" + clean(what)


def reached(e, what):
    return effect("reached-kernel(" + ename(e) + ")" + ":" + what)


COUNTS = {"refused": 0, "EFFECT": 0, "blocked": 0, "standing": 0, "declared": 0}


def report(name, outcome):
    COUNTS[outcome.split(":", 1)[0]] = COUNTS.get(outcome.split(":", 1)[0], 0) + 1
    print(name, outcome, flush=True)


def probe(name, fn, *args):
    try:
        out = fn(*args)
    except Exception as ex:  # a probe that could not run says why; it never hides an outcome
        out = blocked("probe-error:" + type(ex).__name__ + ":" + str(ex)[:120])
    if isinstance(out, list):
        for n, o in out:
            report(n, o)
    else:
        report(name, out)


def in_child(fn, *args):
    """Runs fn in a forked child (for what must not touch this process: namespaces, scheduling,
    uid); fn returns an outcome or a list of (name, outcome). Returns the same, read back."""
    r, w = os.pipe()
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            res = fn(*args)
        except BaseException as ex:
            res = blocked("child-error:" + type(ex).__name__ + ":" + str(ex)[:120])
        text = res if isinstance(res, str) else "\n".join("%s %s" % (n, o) for n, o in res)
        os.write(w, ("LIST\n" if not isinstance(res, str) else "ONE\n").encode() + text.encode())
        os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    os.close(r)
    os.waitpid(pid, 0)
    kind, _, body = data.decode(errors="replace").partition("\n")
    if kind == "ONE":
        return body
    if kind == "LIST":
        return [tuple(line.split(" ", 1)) for line in body.splitlines() if " " in line]
    return blocked("child-died-without-answer")


# ---------------------------------------------------------------- /proc reading

def readf(path, limit=1 << 20):
    with open(path, "rb") as f:
        return f.read(limit)


def stat_fields(pid, root="/proc", tid=None):
    """Fields of /proc/PID/stat after the comm: [0]=state [1]=ppid [2]=pgrp [3]=session
    [16]=nice [37]=rt_priority [38]=policy."""
    path = "%s/%d/task/%d/stat" % (root, pid, tid) if tid else "%s/%d/stat" % (root, pid)
    s = readf(path).decode(errors="replace")
    return s[s.rindex(")") + 2:].split()


def cmdline(pid, root="/proc"):
    try:
        return [a.decode(errors="replace") for a in readf("%s/%d/cmdline" % (root, pid)).split(b"\0") if a]
    except OSError:
        return []


def tids(pid, root="/proc"):
    try:
        return sorted(int(t) for t in os.listdir("%s/%d/task" % (root, pid)))
    except OSError:
        return []


def pids(root="/proc"):
    try:
        return sorted(int(p) for p in os.listdir(root) if p.isdigit())
    except OSError:
        return []


def first_mapping(pid, root="/proc"):
    """The start of the target's first readable mapping, from its maps file (None if unreadable)."""
    try:
        maps = readf("%s/%d/maps" % (root, pid)).decode()
    except OSError:
        return None
    for line in maps.splitlines():
        rng, perms = line.split()[:2]
        if perms.startswith("r"):
            return int(rng.split("-")[0], 16)
    return None


# ---------------------------------------------------------------- discovery

class Target:
    def __init__(self, role, pid):
        self.role, self.pid = role, pid

    def tag(self, vector):
        return "%s@%s" % (vector, self.role)


def discover(argv):
    argv = [a for a in argv if a.isdigit()]  # anything else (a harness's marker) is not a pid
    mine = os.getpid()
    cellos = [p for p in pids() if p != mine and any("cellos" in a for a in cmdline(p))]
    init = int(argv[0]) if len(argv) > 0 else None
    agent = int(argv[1]) if len(argv) > 1 else None
    parent = os.getppid()
    if init is None and any("cellos" in a for a in cmdline(parent)):
        init = parent
    if agent is None and init is not None:
        for p in cellos:
            try:
                if int(stat_fields(p)[1]) == init and "agent" in cmdline(p):
                    agent = p
            except (OSError, ValueError):
                pass
    others = [p for p in cellos if p not in (init, agent)]
    return init, agent, others


# ---------------------------------------------------------------- helpers on targets

def over_threads(t, what, fn):
    """fn(tid) -> (ok, errno); one outcome over every thread of the target."""
    ts = tids(t.pid) or [t.pid]
    res = [fn(tid) for tid in ts]
    ok = sum(1 for r in res if r[0])
    errs = sorted({ename(r[1]) for r in res if not r[0]})
    if ok == len(res):
        return effect("%s-on-%d/%d-threads" % (what, ok, len(res)))
    if ok == 0:
        return "refused:" + errs[0] + ("(also:%s)" % ",".join(errs[1:]) if len(errs) > 1 else "")
    return effect("%s-on-%d/%d-threads(others:%s)" % (what, ok, len(res), ",".join(errs)))


def pgid_of(t):
    return int(stat_fields(t.pid)[2])


def get_pidfd(pid):
    rc, e = sc("pidfd_open", pid, 0)
    return (rc, 0) if e == 0 else (-1, e)


# ================================================================ scheduling and limits

def v_prlimit_get(t):
    old = buf(16)
    rc, e = sc("prlimit64", t.pid, 7, 0, ctypes.addressof(old))
    if e:
        return refused(e)
    cur, mx = struct.unpack("<QQ", old.raw)
    return effect("read-RLIMIT_NOFILE=%d/%d" % (cur, mx))


def limits_from_proc(pid):
    for line in readf("/proc/%d/limits" % pid).decode().splitlines():
        if line.startswith("Max open files"):
            f = line.split()
            conv = lambda v: 2 ** 64 - 1 if v == "unlimited" else int(v)
            return conv(f[3]), conv(f[4])
    raise OSError("no 'Max open files' in limits")


def v_prlimit_set(t):
    cur, mx = limits_from_proc(t.pid)
    new = buf(struct.pack("<QQ", cur, mx))
    rc, e = sc("prlimit64", t.pid, 7, ctypes.addressof(new), 0)
    if e:
        return refused(e)
    return effect("set-RLIMIT_NOFILE-accepted(same-value-%d/%d;RLIMIT_NOFILE=0-or-RLIMIT_CPU=1-would-cripple-or-SIGKILL-it)" % (cur, mx))


def nice_of(pid, tid=None):
    return int(stat_fields(pid, tid=tid)[16])


def v_setpriority_process(t):
    def one(tid):
        rc, e = sc("setpriority", 0, tid, nice_of(t.pid, tid))
        return rc == 0, e
    return over_threads(t, "renice-accepted(same-nice)", one)


def v_setpriority_pgrp(t):
    pg = pgid_of(t)
    if pg == 0:
        return blocked("its-process-group-is-0(cannot-be-named)")
    nices = set()
    for p in pids():
        try:
            if int(stat_fields(p)[2]) == pg:
                for tid in tids(p):
                    nices.add(nice_of(p, tid))
        except (OSError, ValueError, IndexError):
            pass
    if len(nices) != 1:
        return blocked("group-%d-has-mixed-nice-values-%s(not-tested:could-not-be-made-a-no-op)" % (pg, sorted(nices)))
    nice = nices.pop()
    rc, e = sc("setpriority", 1, pg, nice)
    if e:
        return refused(e)
    return effect("renice-of-its-group-%d-accepted(same-nice-%d)" % (pg, nice))


def v_setpriority_user():
    # PRIO_USER with who=0 means "my own uid": as root, every root task (init, the agent, kernel
    # threads) would be reniced. Tested in a child that first takes a spare uid, so the identical
    # call (the gate sees the same arguments) can only renice that child, to the nice it has.
    def child():
        rc, e = sc("setresuid", 54321, 54321, 54321)
        if e:
            return blocked("cannot-take-a-spare-uid-to-test-harmlessly:" + ename(e))
        rc, e = sc("setpriority", 2, 0, nice_of(os.getpid()))
        if e:
            return refused(e)
        return effect("PRIO_USER-who=0-passes(tested-under-a-spare-uid;as-root-it-renices-every-root-task)")
    return in_child(child)


def v_sched_setscheduler(t):
    def one(tid):
        pol, e = sc("sched_getscheduler", tid)
        param = buf(4)
        if e:
            f = stat_fields(t.pid, tid=tid)
            pol = int(f[38])
            struct.pack_into("<i", param, 0, int(f[37]))
        else:
            rc, e = sc("sched_getparam", tid, ctypes.addressof(param))
        rc, e = sc("sched_setscheduler", tid, pol, ctypes.addressof(param))
        return rc == 0, e
    return over_threads(t, "sched_setscheduler-accepted(same-policy)", one)


def v_sched_setparam(t):
    def one(tid):
        param = buf(4)
        struct.pack_into("<i", param, 0, int(stat_fields(t.pid, tid=tid)[37]))
        rc, e = sc("sched_setparam", tid, ctypes.addressof(param))
        return rc == 0, e
    return over_threads(t, "sched_setparam-accepted(same-priority)", one)


SCHED_ATTR = "<IIQiIQQQII"  # size policy flags nice priority runtime deadline period util_min util_max
SCHED_FLAG_KEEP_ALL = 0x18


def v_sched_setattr(t):
    def one(tid):
        # KEEP_POLICY|KEEP_PARAMS: every permission check runs, nothing changes
        attr = buf(struct.pack(SCHED_ATTR, 56, 0, SCHED_FLAG_KEEP_ALL, nice_of(t.pid, tid), 0, 0, 0, 0, 0, 0))
        rc, e = sc("sched_setattr", tid, ctypes.addressof(attr), 0)
        return rc == 0, e
    return over_threads(t, "sched_setattr-accepted(KEEP_ALL)", one)


def v_sched_setaffinity(t):
    def one(tid):
        mask = buf(128)
        n, e = sc("sched_getaffinity", tid, 128, ctypes.addressof(mask))
        if e:
            n = 128
            ctypes.memset(mask, 0xff, 128)  # not set: we only get here if the gate refuses get
            return False, e
        rc, e = sc("sched_setaffinity", tid, n, ctypes.addressof(mask))
        return rc == 0, e
    return over_threads(t, "sched_setaffinity-accepted(same-mask)", one)


def v_ioprio_set(t):
    def one(tid):
        v, e = sc("ioprio_get", 1, tid)
        nice = nice_of(t.pid, tid)
        default = (2 << 13) | ((nice + 20) // 5)
        value = 0 if (e or v == default) else v  # 0: "none", follow the nice value, as a JVM thread does
        rc, e = sc("ioprio_set", 1, tid, value)
        return rc == 0, e
    return over_threads(t, "ioprio_set-accepted(same-effective-priority)", one)


def self_sched(policy):
    def child():
        mx, e = sc("sched_get_priority_max", policy)
        param = buf(struct.pack("<i", mx))
        rc, e = sc("sched_setscheduler", 0, policy, ctypes.addressof(param))
        back = buf(struct.pack("<i", 0))
        sc("sched_setscheduler", 0, 0, ctypes.addressof(back))  # at once back to SCHED_OTHER, never spun
        if e:
            return refused(e)
        rt = readf("/proc/sys/kernel/sched_rt_runtime_us").decode().strip()
        return effect("own-%s-priority-%d-accepted(not-spun;rt-throttle=%sus/s;%d-spinning-threads-would-leave-init-and-agent-%s)"
                      % ({1: "SCHED_FIFO", 2: "SCHED_RR"}[policy], mx, rt, os.cpu_count(),
                         "5%" if rt != "-1" else "nothing"))
    return in_child(child)


def v_self_deadline():
    def child():
        attr = buf(struct.pack(SCHED_ATTR, 56, 6, 0, 0, 0, 9_000_000, 10_000_000, 10_000_000, 0, 0))
        rc, e = sc("sched_setattr", 0, ctypes.addressof(attr), 0)
        back = buf(struct.pack(SCHED_ATTR, 56, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        sc("sched_setattr", 0, ctypes.addressof(back), 0)
        if e:
            return refused(e)
        return effect("own-SCHED_DEADLINE-9ms/10ms-accepted(not-spun)")
    return in_child(child)


def v_self_nice():
    def child():
        rc, e = sc("setpriority", 0, 0, -20)
        if e:
            return refused(e)
        now = nice_of(os.getpid())
        return effect("own-nice-%d-accepted(not-spun)" % now)
    return in_child(child)


# ================================================================ memory and process

def v_process_madvise(t):
    fd, e = get_pidfd(t.pid)
    if e:
        return blocked("no-pidfd(pidfd_open:%s;a-/proc/PID-fd-is-not-accepted-here)" % ename(e))
    try:
        iov = buf(16)
        rc, e = sc("process_madvise", fd, ctypes.addressof(iov), 0, 20, 0)  # MADV_COLD, no range: checks only
        return refused(e) if e else effect("process_madvise-accepted(empty-range;MADV_PAGEOUT-would-evict-it)")
    finally:
        os.close(fd)


def v_process_mrelease(t):
    fd, e = get_pidfd(t.pid)
    if e:
        return blocked("no-pidfd(pidfd_open:%s)" % ename(e))
    try:
        rc, e = sc("process_mrelease", fd, 0)
        if e == errno.EINVAL:
            return reached(e, "target-alive;it-reaps-a-dying-target's-memory")
        return refused(e) if e else effect("process_mrelease-accepted")
    finally:
        os.close(fd)


def v_kcmp(t):
    rc, e = sc("kcmp", os.getpid(), t.pid, 3, 0, 0)  # KCMP_FS: compares kernel objects, needs ptrace-read
    return refused(e) if e else effect("kcmp-answered(%d:ptrace-read-access-to-it)" % rc)


def v_move_pages(t):
    addr = first_mapping(t.pid)
    pages = buf(struct.pack("<Q", addr or 0))
    status = buf(8)
    rc, e = sc("move_pages", t.pid, 1 if addr else 0, ctypes.addressof(pages), 0, ctypes.addressof(status), 0)
    if e:
        return refused(e)
    return effect("move_pages-query-accepted(page-0x%x-on-node-%d;with-nodes-it-would-move-them)"
                  % (addr or 0, struct.unpack("<i", status.raw[:4])[0]))


def v_migrate_pages(t):
    nodes = buf(struct.pack("<Q", 1))
    rc, e = sc("migrate_pages", t.pid, 65, ctypes.addressof(nodes), ctypes.addressof(nodes))
    return refused(e) if e else effect("migrate_pages-accepted(node0->node0:no-op)")


def v_proc_mem(t):
    try:
        fd = os.open("/proc/%d/mem" % t.pid, os.O_RDWR)
    except OSError as ex:
        return refused(ex.errno)
    try:
        addr = first_mapping(t.pid)
        got = len(os.pread(fd, 8, addr)) if addr else 0
        return effect("opened-O_RDWR(read-%d-bytes-at-0x%x;write-not-attempted:it-would-rewrite-its-code-or-data)" % (got, addr or 0))
    finally:
        os.close(fd)


def write_and_restore(path, value, unit=""):
    """Writes value to a /proc file of the target, reads it back, and at once puts the old one back."""
    try:
        old = readf(path).decode().strip()
    except OSError as ex:
        return refused(ex.errno, "read")
    try:
        with open(path, "w") as f:
            f.write(value)
    except OSError as ex:
        return refused(ex.errno)
    now = readf(path).decode().strip()
    with open(path, "w") as f:
        f.write(old)
    back = readf(path).decode().strip()
    return effect("set-%s%s(was-%s;restored-%s)" % (now, unit, old, back))


def v_oom_score_adj(t):
    return write_and_restore("/proc/%d/oom_score_adj" % t.pid, "1000")


def v_timerslack(t):
    return write_and_restore("/proc/%d/timerslack_ns" % t.pid, "50000000", "ns")


def v_environ(t, root="/proc"):
    try:
        env = readf("%s/%d/environ" % (root, t.pid))
    except OSError as ex:
        return refused(ex.errno)
    names = [v.split(b"=", 1)[0].decode(errors="replace") for v in env.split(b"\0") if v]
    interesting = [n for n in names if any(k in n.upper() for k in ("CELLOS", "KEY", "TOKEN", "SECRET", "PASS", "NATS"))]
    return effect("read-%d-bytes-%d-variables(names-of-interest:%s)" % (len(env), len(names), ",".join(interesting) or "none"))


def v_cmdline(t, root="/proc"):
    args = cmdline(t.pid, root)
    if not args:
        return refused(errno.EACCES) if os.path.exists("%s/%d" % (root, t.pid)) else blocked("gone")
    channels = [a for a in args if "unix:" in a or "vsock:" in a or ".vsock" in a or "/hold" in a]
    return effect("read(%d-args;reveals:%s)" % (len(args), ",".join(channels) if channels else "no-channel-path"))


def v_fd_links(t, root="/proc"):
    base = "%s/%d/fd" % (root, t.pid)
    try:
        fds = os.listdir(base)
    except OSError as ex:
        return refused(ex.errno)
    kinds = {}
    for fd in fds:
        try:
            link = os.readlink(base + "/" + fd)
        except OSError as ex:
            kinds["unreadable:" + ename(ex.errno)] = kinds.get("unreadable:" + ename(ex.errno), 0) + 1
            continue
        k = link.split(":")[0] if ":" in link and not link.startswith("/") else ("file" if link.startswith("/") else link)
        if k == "anon_inode":
            k = link
        kinds[k] = kinds.get(k, 0) + 1
    if kinds and all(k.startswith("unreadable:") for k in kinds):
        return refused(errno.EACCES if "unreadable:EACCES" in kinds else errno.EPERM,
                       "only-the-%d-fd-numbers-are-listed" % len(fds))
    return effect("listed-%d-fds(%s)" % (len(fds), ",".join("%s=%d" % kv for kv in sorted(kinds.items()))))


def v_fd_reopen(t, root="/proc"):
    """Opens the target's descriptors through /proc/PID/fd (its sockets: the host channel, audit,
    the connector; any pidfd); each opened one is closed at once, nothing is read or written."""
    base = "%s/%d/fd" % (root, t.pid)
    try:
        fds = os.listdir(base)
    except OSError as ex:
        return refused(ex.errno)
    got, errs = [], {}
    for fd in fds:
        try:
            link = os.readlink(base + "/" + fd)
        except OSError as ex:
            errs["readlink:" + ename(ex.errno)] = errs.get("readlink:" + ename(ex.errno), 0) + 1
            continue
        if not (link.startswith("socket:") or "pidfd" in link):
            continue
        try:
            f = os.open(base + "/" + fd, os.O_RDONLY)
            try:
                got.append(link + pidfd_use(f, "%s/%d/fdinfo/%s" % (root, t.pid, fd)))
            finally:
                os.close(f)
        except OSError as ex:
            errs[ename(ex.errno)] = errs.get(ename(ex.errno), 0) + 1
    if got:
        return effect("reopened:%s" % ",".join(got[:5]))
    if errs:
        return "refused:" + next(iter(errs)).split(":")[-1] + "(%s)" % ",".join("%s=%d" % kv for kv in errs.items())
    return blocked("no-socket-or-pidfd")


def pidfd_use(fd, fdinfo):
    """For a pidfd got another way than pidfd_open: whose it is, and whether process_madvise (an
    empty range: the checks only) takes it."""
    try:
        info = readf(fdinfo).decode()
    except OSError:
        return ""
    whose = [l.split()[1] for l in info.splitlines() if l.startswith("Pid:")]
    if not whose:
        return ""
    iov = buf(16)
    rc, e = sc("process_madvise", fd, ctypes.addressof(iov), 0, 20, 0)
    return "(of-pid-%s;process_madvise-on-it:%s)" % (whose[0], ename(e) if e else "accepted")


def v_comm_write(t):
    path = "/proc/%d/comm" % t.pid
    old = readf(path)
    try:
        with open(path, "wb") as f:
            f.write(old.rstrip(b"\n"))
    except OSError as ex:
        return refused(ex.errno)
    return effect("rewrote-its-comm(same-name)")


def v_autogroup(t):
    path = "/proc/%d/autogroup" % t.pid
    try:
        text = readf(path).decode().strip()  # "/autogroup-12 nice 0"
    except OSError as ex:
        return blocked("no-autogroup-file:" + ename(ex.errno))
    nice = text.split()[-1]
    try:
        with open(path, "w") as f:
            f.write(nice)
    except OSError as ex:
        return refused(ex.errno)
    return effect("set-its-session-autogroup-nice(%s;same-value;19-would-shrink-its-CPU-share)" % text.replace(" ", "-"))


def v_oom_exposure(t):
    v = int(readf("/proc/%d/oom_score_adj" % t.pid).decode())
    score = readf("/proc/%d/oom_score" % t.pid).decode().strip()
    if v <= -1000:
        return blocked("oom-protected(oom_score_adj=-1000)")
    return effect("oom_score_adj=%d,oom_score=%s(a-workload-that-eats-memory-can-get-it-OOM-killed)" % (v, score))


# ================================================================ signals by other routes

F_SETOWN, F_GETOWN, F_SETSIG, F_SETOWN_EX, F_GETOWN_EX = 8, 9, 10, 15, 16
FIOSETOWN, SIOCSPGRP, FIOGETOWN = 0x8901, 0x8902, 0x8903


def v_setown(t, group):
    if group:
        pg = pgid_of(t)
        if pg == 0:
            return blocked("its-process-group-is-0(cannot-be-named)")
        who = -pg
    else:
        who = t.pid
    r, w = os.pipe()
    try:
        try:
            fcntl.fcntl(r, F_SETOWN, who)
        except OSError as ex:
            return refused(ex.errno)
        typ, got = struct.unpack("<ii", fcntl.fcntl(r, F_GETOWN_EX, bytes(8)))  # F_GETOWN cannot return a group
        got = -got if typ == 2 else got
        fcntl.fcntl(r, F_SETOWN, 0)
        return effect("SIGIO-owner-of-own-pipe-set-to-%d(read-back-%d;reset;no-I/O)" % (who, got))
    finally:
        os.close(r)
        os.close(w)


def v_setown_ex(t):
    ts = tids(t.pid)
    tid = ts[-1] if ts else t.pid
    r, w = os.pipe()
    try:
        try:
            fcntl.fcntl(r, F_SETOWN_EX, struct.pack("<ii", 0, tid))  # F_OWNER_TID
        except OSError as ex:
            return refused(ex.errno)
        got = struct.unpack("<ii", fcntl.fcntl(r, F_GETOWN_EX, bytes(8)))
        fcntl.fcntl(r, F_SETOWN_EX, struct.pack("<ii", 1, 0))
        return effect("F_OWNER_TID-set-to-thread-%d(read-back-%s;reset)" % (tid, got[1]))
    finally:
        os.close(r)
        os.close(w)


def v_sock_owner_ioctl(t, req):
    if req == SIOCSPGRP:
        pg = pgid_of(t)
        who = -pg if pg else t.pid
    else:
        who = t.pid
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        try:
            fcntl.ioctl(s.fileno(), req, struct.pack("<i", who))
        except OSError as ex:
            return refused(ex.errno)
        got = struct.unpack("<i", fcntl.ioctl(s.fileno(), FIOGETOWN, bytes(4)))[0]
        fcntl.ioctl(s.fileno(), FIOSETOWN, struct.pack("<i", 0))
        return effect("owner-of-own-socket-set-to-%d(read-back-%d;reset;no-I/O)" % (who, got))
    finally:
        s.close()


def v_sigio_delivery():
    """The SIGIO route works end to end, shown on a child of our own: its owner set, F_SETSIG(SIGSTOP),
    O_ASYNC, one byte written -- the kernel stops the child; no kill(2) for a filter to see."""
    child = os.fork()
    if child == 0:
        while True:
            time.sleep(1)
    r, w = os.pipe()
    try:
        fcntl.fcntl(r, F_SETOWN, child)
        fcntl.fcntl(r, F_SETSIG, signal.SIGSTOP)
        fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_ASYNC | os.O_NONBLOCK)
        os.write(w, b"x")
        deadline = time.time() + 2
        stopped = False
        while time.time() < deadline:
            p, st = os.waitpid(child, os.WUNTRACED | os.WNOHANG)
            if p == child and os.WIFSTOPPED(st):
                stopped = True
                break
            time.sleep(0.01)
        return (standing("SIGSTOP-delivered-to-own-child-through-F_SETOWN+F_SETSIG+O_ASYNC(the-gate-refuses-any-owner-of-init's-or-the-agent's)")
                if stopped else refused(errno.EPERM, "not-delivered"))
    finally:
        os.close(r)
        os.close(w)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def v_kill0(t):
    rc, e = sc("kill", t.pid, 0)
    return refused(e) if e else effect("kill(pid,0)-accepted:a-real-signal-would-be-sent")


def v_kill0_group(t):
    pg = pgid_of(t)
    if pg == 0:
        return blocked("its-process-group-is-0(cannot-be-named)")
    rc, e = sc("kill", -pg, 0)
    return refused(e) if e else effect("kill(-%d,0)-accepted" % pg)


def v_kill0_threads(t):
    def one(tid):
        rc, e = sc("kill", tid, 0)
        return rc == 0, e
    return over_threads(t, "kill(tid,0)-accepted", one)


def v_kill0_x32(t):
    rc, e = sc(62 | 0x40000000, t.pid, 0)
    return refused(e) if e else effect("x32-kill(pid,0)-accepted")


def v_kill0_int80(t):
    """kill(pid, 0) through the 32-bit ABI (int 0x80, i386 number 37), from machine code of our own,
    in a child: a kernel without the 32-bit entry answers int 0x80 with a fault."""
    def child():
        code = bytes([0x53, 0x89, 0xfb, 0x89, 0xf1, 0xb8, 37, 0, 0, 0, 0xcd, 0x80, 0x5b, 0xc3])
        m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        m.write(code)
        _keep.append(m)
        addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
        rc = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_int)(addr)(t.pid, 0)
        return refused(-rc) if rc < 0 else effect("i386-kill(pid,0)-accepted")
    out = in_child(child)
    if out.startswith("blocked:child-died"):
        return blocked("int-0x80-faults-here(no-32-bit-syscall-entry-on-this-kernel)")
    return out


def v_pidfd_open(t):
    fd, e = get_pidfd(t.pid)
    if e:
        return refused(e)
    os.close(fd)
    return effect("pidfd-obtained")


def v_pidfd_send_signal(t):
    fd, e = get_pidfd(t.pid)
    how = "pidfd_open"
    if e:
        try:
            fd = os.open("/proc/%d" % t.pid, os.O_RDONLY | os.O_DIRECTORY)
            how = "/proc/PID-dirfd"
        except OSError as ex:
            return blocked("no-pidfd-nor-/proc-dirfd:" + ename(ex.errno))
    try:
        rc, e = sc("pidfd_send_signal", fd, 0, 0, 0)
        return refused(e, "via-" + how) if e else effect("signal-0-accepted-via-" + how)
    finally:
        os.close(fd)


def v_pidfd_getfd(t):
    fd, e = get_pidfd(t.pid)
    how = "pidfd"
    if e:
        fd = os.open("/proc/%d" % t.pid, os.O_RDONLY | os.O_DIRECTORY)
        how = "/proc/PID-dirfd"
    try:
        rc, e = sc("pidfd_getfd", fd, 0, 0)
        if e == 0:
            os.close(rc)
            return effect("copied-its-fd-0-via-" + how)
        if e == errno.EBADF and how != "pidfd":
            return reached(e, "a-/proc-dirfd-is-no-pidfd;with-a-pidfd-it-copies-any-fd(the-host-channel)")
        return refused(e, "via-" + how)
    finally:
        os.close(fd)


def v_open_by_handle_at():
    """A pidfs file handle of our own process, opened again: the route that makes a pidfd for any
    process whose pidfs inode number one knows or guesses, past pidfd_open's rule."""
    fd, e = sc("pidfd_open", os.getpid(), 0)
    if e:
        return blocked("no-own-pidfd:" + ename(e))
    try:
        handle = buf(struct.pack("<Ii", 120, 0) + bytes(120))
        mount_id = buf(4)
        rc, e = sc("name_to_handle_at", fd, cstr(""), ctypes.addressof(handle), ctypes.addressof(mount_id), 0x1000)
        if e:
            rc, e2 = sc("open_by_handle_at", fd, ctypes.addressof(handle), 0)
            if e2 == errno.EPERM:
                return refused(e2, "name_to_handle_at:" + ename(e))
            return reached(e2, "no-pidfs-handle(name_to_handle_at:%s)" % ename(e))
        rc, e = sc("open_by_handle_at", fd, ctypes.addressof(handle), 0)
        if e:
            return refused(e)
        os.close(rc)
        return effect("own-pidfs-handle-opened-as-a-pidfd(a-guessed-inode-number-gives-anyone's)")
    finally:
        os.close(fd)


def siginfo_queue(sig):
    info = buf(128)
    struct.pack_into("<iii", info, 0, sig, 0, -1)  # si_code SI_QUEUE: the kernel itself would allow it
    struct.pack_into("<ii", info, 16, os.getpid(), os.getuid())
    return ctypes.addressof(info)


def v_rt_sigqueueinfo(t):
    rc, e = sc("rt_sigqueueinfo", t.pid, 0, siginfo_queue(0))
    return refused(e) if e else effect("rt_sigqueueinfo(pid,0)-accepted")


def v_rt_tgsigqueueinfo(t):
    rc, e = sc("rt_tgsigqueueinfo", t.pid, t.pid, 0, siginfo_queue(0))
    return refused(e) if e else effect("rt_tgsigqueueinfo(pid,pid,0)-accepted")


def v_ptrace_peek(t):
    rc, e = sc("ptrace", 2, t.pid, 0, 0)  # PEEKDATA on a process we do not trace: ESRCH past the gate
    if e == errno.ESRCH:
        return reached(e, "not-our-tracee;the-gate-let-ptrace(pid)-through")
    return refused(e) if e else effect("ptrace-peek-answered")


def v_process_vm_readv(t):
    addr = first_mapping(t.pid)
    local = buf(8)
    liov = buf(struct.pack("<QQ", ctypes.addressof(local), 8))
    riov = buf(struct.pack("<QQ", addr or 0, 8))
    rc, e = sc("process_vm_readv", t.pid, ctypes.addressof(liov), 1, ctypes.addressof(riov), 1, 0)
    return refused(e) if e else effect("read-%d-bytes-of-its-memory" % rc)


def v_clone_parent(init):
    """A child of ours made a child of init (CLONE_PARENT): it outlives us in init's care, and the
    evidence shows init as the parent of a process it never started."""
    r, w = os.pipe()
    sys.stdout.flush()
    rc, e = sc("clone", CLONE_PARENT | signal.SIGCHLD, 0, 0, 0, 0)
    if rc == 0:
        os.write(w, str(os.getppid()).encode())
        os._exit(0)
    os.close(w)
    if e:
        os.close(r)
        return refused(e)
    ppid = os.read(r, 64).decode()
    os.close(r)
    if init and ppid == str(init):
        return effect("child-%d-was-born-a-child-of-init(ppid=%s;init-reaps-it)" % (rc, ppid))
    return effect("child-%d-has-ppid-%s(our-parent)" % (rc, ppid))


def v_comm_spoof():
    def child():
        name = b"cellos-agent"
        libc.prctl(15, ctypes.c_char_p(name), 0, 0, 0)
        got = readf("/proc/self/comm").strip()
        return standing("own-comm-set-to-%s(events-about-us-name-us-so;their-pid-and-the-executable-the-kernel-ran-say-who)"
                        % got.decode()) if got == name else refused(ctypes.get_errno())
    return in_child(child)


# ================================================================ blinding

def v_audit(agent):
    out = []
    try:
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
    except OSError as ex:
        return [("netlink_audit_socket", refused(ex.errno)), ("audit_get", blocked("no-audit-socket"))]
    out.append(("netlink_audit_socket", effect("created")))
    try:
        s.settimeout(2)
        s.bind((0, 0))
        s.send(struct.pack("<IHHII", 16, 1000, 1 | 4, 1, 0))  # AUDIT_GET, read only
        status = None
        err = None
        end = time.time() + 2
        while time.time() < end and status is None and err is None:
            data = s.recv(8192)
            off = 0
            while off + 16 <= len(data):
                ln, typ = struct.unpack_from("<IH", data, off)
                if typ == 2:  # NLMSG_ERROR: an ack (0) or the refusal
                    e = -struct.unpack_from("<i", data, off + 16)[0]
                    if e:
                        err = e
                elif typ == 1000:
                    status = struct.unpack_from("<IIIIIIII", data, off + 16)
                off += (ln + 3) & ~3 if ln else len(data)
        if err:
            out.append(("audit_get", refused(err)))
        elif status:
            mask, enabled, failure, pid, rate, backlog_limit, lost, backlog = status
            who = "the-agent" if agent and pid == agent else ("pid-%d" % pid)
            out.append(("audit_get", effect(
                "status-read(enabled=%d,daemon=%s,backlog_limit=%d,lost=%d;AUDIT_SET/AUDIT_DEL_RULE/daemon-takeover-pass-the-same-CAP_AUDIT_CONTROL-check;not-attempted)"
                % (enabled, who, backlog_limit, lost))))
        else:
            out.append(("audit_get", blocked("no-answer")))
    except OSError as ex:
        out.append(("audit_get", refused(ex.errno)))
    finally:
        s.close()
    return out


def bpf_call(cmd, attr_bytes):
    attr = buf(attr_bytes + bytes(128 - len(attr_bytes)))
    return sc("bpf", cmd, ctypes.addressof(attr), 128)


def v_bpf_map():
    fd, e = bpf_call(0, struct.pack("<IIII", 2, 4, 8, 1))  # BPF_MAP_CREATE array, 1 entry
    if e:
        return refused(e)
    os.close(fd)
    return effect("map-created-and-closed")


def bpf_prog(prog_type, insns):
    code = buf(b"".join(insns))
    lic = cstr("GPL")
    attr = struct.pack("<IIQQIIQII", prog_type, len(insns), ctypes.addressof(code), lic, 0, 0, 0, 0, 0)
    return bpf_call(5, attr)


MOV_R0_0 = bytes([0xb7, 0x00, 0, 0, 0, 0, 0, 0])
MOV_R1_0 = bytes([0xb7, 0x01, 0, 0, 0, 0, 0, 0])
EXIT = bytes([0x95, 0, 0, 0, 0, 0, 0, 0])
CALL_SEND_SIGNAL = bytes([0x85, 0, 0, 0]) + struct.pack("<i", 109)


def v_bpf_prog_socket_filter():
    fd, e = bpf_prog(1, [MOV_R0_0, EXIT])
    if e:
        return refused(e)
    os.close(fd)
    return effect("socket-filter-loaded-and-closed(not-attached)")


def v_bpf_prog_send_signal():
    """A tracepoint program that calls bpf_send_signal: attached to any tracepoint init or the agent
    passes, it would signal them from inside the kernel, where no seccomp filter looks."""
    fd, e = bpf_prog(5, [MOV_R1_0, CALL_SEND_SIGNAL, MOV_R0_0, EXIT])
    if e:
        return refused(e)
    os.close(fd)
    return effect("tracepoint-program-calling-bpf_send_signal-verified-and-loaded(closed;never-attached)")


def perf_attr(config, extra_flags=0, period=0):
    flags = 1 | (1 << 5) | (1 << 6) | extra_flags  # disabled, exclude_kernel, exclude_hv
    return buf(struct.pack("<IIQQQQQIIQ", 1, 64, config, period, 0, 0, flags, 0, 0, 0))


def v_perf_task(t):
    rc, e = sc("perf_event_open", ctypes.addressof(perf_attr(1)), t.pid, -1, -1, 8)
    if e:
        return refused(e)
    os.close(rc)
    return effect("task-clock-counter-on-it-opened(disabled;closed)")


def v_perf_sigtrap(t):
    """A counter on the target with sigtrap: on overflow the kernel sends SIGTRAP to the target
    itself (a JVM dies of it), with no kill(2) for the gate to see. Opened disabled, closed at once."""
    flags = (1 << 36) | (1 << 37)  # remove_on_exec, sigtrap
    rc, e = sc("perf_event_open", ctypes.addressof(perf_attr(1, flags, 1000000)), t.pid, -1, -1, 8)
    if e:
        return refused(e)
    os.close(rc)
    return effect("sigtrap-counter-on-it-opened(disabled;closed;enabled-it-would-SIGTRAP-it-every-1ms-of-its-CPU)")


def v_perf_systemwide():
    rc, e = sc("perf_event_open", ctypes.addressof(perf_attr(0)), -1, 0, -1, 8)
    if e:
        return refused(e)
    os.close(rc)
    return effect("cpu-wide-counter-opened(disabled;closed)")


def v_vsock_socket():
    try:
        s = socket.socket(40, socket.SOCK_STREAM)  # AF_VSOCK: created only, NEVER connected
    except OSError as ex:
        return refused(ex.errno)
    s.close()
    return effect("created(not-connected)")


def private_mount_ns():
    """In a child: a mount namespace of its own whose mounts propagate nowhere; else an outcome."""
    rc, e = sc("unshare", CLONE_NEWNS)
    if e:
        return refused(e, "unshare(CLONE_NEWNS)")
    rc, e = sc("mount", 0, cstr("/"), 0, MS_REC | MS_PRIVATE, 0)
    if e:
        return refused(e, "mount--make-rprivate")
    return None


def find_cellos(root, init_hint=None):
    """In a /proc at root: (self pid there, init pid there, agent pid there, cellos pids)."""
    try:
        me = int(os.readlink(root + "/self"))
    except (OSError, ValueError):
        me = None
    found = [p for p in pids(root) if any("cellos" in a for a in cmdline(p, root))]
    init = None
    p = me
    seen = 0
    while p and p > 1 and seen < 64:  # our ancestors there: the first whose command line is cellos init
        seen += 1
        try:
            p = int(stat_fields(p, root)[1])
        except (OSError, ValueError):
            break
        if p in found and "init" in cmdline(p, root):
            init = p
            break
    agent = None
    for q in found:
        args = cmdline(q, root)
        if "agent" not in args:
            continue
        if init and ("--scope-root" in args and str(init) in args):
            agent = q
        elif init:
            try:
                if int(stat_fields(q, root)[1]) == init:
                    agent = q
            except (OSError, ValueError):
                pass
    return me, init, agent, found


def hostproc_probes(root, agent):
    """What a /proc of the agent's PID namespace, reached some other way, lets a workload do to it."""
    t = Target("agent", agent)
    res = []
    res.append(("hostproc_mem_rw@agent", try_open("%s/%d/mem" % (root, agent), os.O_RDWR, "opened-O_RDWR(write-not-attempted)")))
    res.append(("hostproc_cmdline@agent", v_cmdline(t, root)))
    res.append(("hostproc_environ@agent", v_environ(t, root)))
    res.append(("hostproc_fd_links@agent", v_fd_links(t, root)))
    res.append(("hostproc_fd_reopen@agent", v_fd_reopen(t, root)))
    res.append(("hostproc_oom_score_adj@agent", try_open("%s/%d/oom_score_adj" % (root, agent), os.O_WRONLY,
                                                         "opened-for-write(not-written)")))
    try:
        fd = os.open("%s/%d" % (root, agent), os.O_RDONLY | os.O_DIRECTORY)
        rc, e = sc("pidfd_send_signal", fd, 0, 0, 0)
        os.close(fd)
        res.append(("hostproc_pidfd_send_signal0@agent", refused(e) if e else effect("signal-0-accepted")))
    except OSError as ex:
        res.append(("hostproc_pidfd_send_signal0@agent", refused(ex.errno)))
    try:
        fd = os.open("%s/%d/ns/pid" % (root, agent), os.O_RDONLY)
        rc, e = sc("setns", fd, 0x20000000)  # CLONE_NEWPID: an ancestor namespace, the kernel says no
        os.close(fd)
        res.append(("hostproc_setns_pid@agent", refused(e) if e else effect("joined-its-pid-namespace-for-our-children")))
    except OSError as ex:
        res.append(("hostproc_setns_pid@agent", refused(ex.errno)))
    return res


def v_proc_umount(init, agent, forging=False):
    """Unmounts /proc in a private mount namespace and looks at what was underneath. In a local
    cell, that is the /proc of the initial PID namespace, where the agent is; with forging, only the
    forgeries are made through it (run last), else the other probes."""
    def child():
        bad = private_mount_ns()
        if bad:
            return [("proc_umount_private_ns" if not forging else "hostproc_forge", bad)]
        rc, e = sc("umount2", cstr("/proc"), MNT_DETACH)
        if e:
            return [("proc_umount_private_ns", refused(e))]
        under = pids("/proc")
        if not under:
            return [("proc_umount_private_ns", effect(
                "umounted(/proc-underneath-is-empty;the-same-umount-or-an-overmount-in-the-shared-namespace-would-blind-the-agent's-/proc-reads)"))]
        me, hinit, hagent, found = find_cellos("/proc")
        if forging:
            return forge(hagent, hinit, "/proc", "hostproc_") if hagent and hagent != agent else []
        res = [("proc_umount_private_ns", effect(
            "umounted:an-older-/proc-was-underneath(%d-processes;we-are-%s-there;init=%s;agent=%s;%d-cellos-processes)"
            % (len(under), me, hinit, hagent, len(found))))]
        if hagent and hagent != agent:
            res += hostproc_probes("/proc", hagent)
        return res
    return in_child(child)


def v_proc_fresh(init, agent):
    def child():
        bad = private_mount_ns()
        if bad:
            return bad
        d = tempfile.mkdtemp(prefix="cellos-attack-proc-")
        try:
            rc, e = sc("mount", cstr("proc"), cstr(d), cstr("proc"), 0, 0)
            if e:
                return refused(e)
            seen = set(pids(d))
            sc("umount2", cstr(d), MNT_DETACH)
            what = "init-%s,agent-%s" % ("seen" if init in seen else "absent", "seen" if agent in seen else "absent")
            if agent and agent in seen:
                return effect("mounted-a-new-proc(%s)" % what)
            return blocked("mounted-a-new-proc-but-it-shows-only-our-pid-namespace(%s)" % what)
        finally:
            os.rmdir(d)
    return in_child(child)


def v_proc_overmount(init):
    def child():
        bad = private_mount_ns()
        if bad:
            return bad
        target = "/proc/%d/cmdline" % init if init else "/proc/1/cmdline"
        rc, e = sc("mount", cstr("/dev/null"), cstr(target), 0, MS_BIND, 0)
        if not e:
            return effect("bind-mounted-over-%s(in-a-private-ns;in-the-shared-one-the-agent-would-read-our-version)" % target)
        rc2, e2 = sc("mount", cstr("none"), cstr("/proc"), cstr("tmpfs"), 0, 0)
        if e2:
            return refused(e2, "file-overmount:%s" % ename(e))
        return effect("tmpfs-mounted-over-/proc(in-a-private-ns;%s-overmount:%s;a-fake-/proc-in-the-shared-ns-would-feed-the-agent)"
                      % (target, ename(e)))
    return in_child(child)


def cgroup_mounts():
    """{controller or '' for v2: mount point}."""
    m = {}
    for line in readf("/proc/self/mountinfo").decode().splitlines():
        pre, _, post = line.partition(" - ")
        fstype, _, opts = post.split()[:3]
        point = pre.split()[4]
        if fstype == "cgroup2":
            m[""] = point
        elif fstype == "cgroup":
            for o in opts.split(","):
                if o not in ("rw", "ro", "relatime", "nosuid", "nodev", "noexec"):
                    m[o] = point
    return m


def v_cgroup_write(t):
    mounts = cgroup_mounts()
    writable, missing, refusedf = [], [], []
    for line in readf("/proc/%d/cgroup" % t.pid).decode().splitlines():
        _, ctrls, path = line.split(":", 2)
        point = mounts.get(ctrls) or mounts.get(ctrls.split(",")[0])
        if not point:
            continue
        d = point + path
        files = ["cgroup.procs"]
        if ctrls == "":
            files += ["cgroup.freeze", "cgroup.kill", "cpu.max", "cpu.weight"]
        elif "freezer" in ctrls:
            files += ["freezer.state"]
        elif "cpu" in ctrls.split(","):
            files += ["cpu.shares"]
        for f in files:
            p = d.rstrip("/") + "/" + f
            label = "%s:%s" % (ctrls or "v2", (path.rstrip("/") + "/" + f))
            if not os.path.exists(p):
                missing.append(label)
                continue
            try:
                os.close(os.open(p, os.O_WRONLY))  # opened for writing, closed, nothing written
                writable.append(label)
            except OSError as ex:
                refusedf.append(label + "=" + ename(ex.errno))
    if not writable:
        return "refused:" + (refusedf[0].split("=")[-1] if refusedf else "none") if refusedf else blocked("no-cgroup-files")
    return effect("writable(%s)%s%s" % (",".join(writable),
                                           ";absent:" + ",".join(missing) if missing else "",
                                           ";refused:" + ",".join(refusedf) if refusedf else ""))


def v_cgroup_move_self():
    """A new cgroup of our own, and a child of ours moved into it: what init or the agent could be
    moved into, to be frozen or killed with the group. The child exits; the cgroup is removed."""
    mounts = cgroup_mounts()
    root = mounts.get("") or mounts.get("freezer")
    if not root:
        return blocked("no-cgroup-hierarchy-mounted")
    mine = [l.split(":", 2) for l in readf("/proc/self/cgroup").decode().splitlines()]
    path = next((p for _, c, p in mine if (c == "" if root == mounts.get("") else "freezer" in c)), "/")
    d = os.path.join(root + path, "cellos-attack-%d" % os.getpid())
    try:
        os.mkdir(d)
    except OSError as ex:
        return refused(ex.errno, "mkdir")
    try:
        r, w = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(r)
            try:
                with open(d + "/cgroup.procs", "w") as f:
                    f.write(str(os.getpid()))
                os.write(w, readf("/proc/self/cgroup").replace(b"\n", b";"))
            except OSError as ex:
                os.write(w, ("ERR %d" % ex.errno).encode())
            os._exit(0)
        os.close(w)
        got = os.read(r, 4096).decode()
        os.close(r)
        os.waitpid(child, 0)
        if got.startswith("ERR"):
            return refused(int(got.split()[1]), "write-cgroup.procs")
        frz = "cgroup.freeze" if os.path.exists(d + "/cgroup.freeze") else ("freezer.state" if os.path.exists(d + "/freezer.state") else "no-freezer")
        return effect("made-%s-and-moved-a-child-of-ours-into-it(its-%s-would-stop-whatever-is-moved-there)"
                      % (d.replace(root, ""), frz))
    finally:
        for _ in range(50):
            try:
                os.rmdir(d)
                break
            except OSError:
                time.sleep(0.02)


# ================================================================ forging the agent's inputs

def netlink_sockets():
    """{inode: (protocol, portid, rcvbuf, groups)} of every netlink socket, from sock_diag."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4)  # NETLINK_SOCK_DIAG
    s.settimeout(2)
    try:
        req = struct.pack("<BBHIIII", 16, 255, 0, 0, 1 | 2, 0, 0)  # AF_NETLINK, all protocols, MEMINFO|GROUPS
        s.send(struct.pack("<IHHII", 16 + len(req), 20, 1 | 0x300, 1, 0) + req)
        res = {}
        while True:
            data = s.recv(1 << 16)
            off = 0
            while off + 16 <= len(data):
                ln, typ = struct.unpack_from("<IH", data, off)
                if typ == 3:  # NLMSG_DONE
                    return res
                if typ == 2:
                    raise OSError(-struct.unpack_from("<i", data, off + 16)[0], "sock_diag")
                fam, styp, proto, state, portid, dport, dgroup, ino = struct.unpack_from("<BBBBIIII", data, off + 16)
                rcvbuf, groups = 0, 0
                a = off + 16 + 28
                while a + 4 <= off + ln:
                    alen, atyp = struct.unpack_from("<HH", data, a)
                    if alen < 4:
                        break
                    if atyp == 0 and alen >= 8 + 4:
                        rcvbuf = struct.unpack_from("<I", data, a + 4 + 4)[0]
                    elif atyp == 1 and alen >= 8:
                        groups = struct.unpack_from("<I", data, a + 4)[0]
                    a += (alen + 3) & ~3
                res[ino] = (proto, portid, rcvbuf, groups)
                off += (ln + 3) & ~3
    finally:
        s.close()


def sockets_of(pid, root):
    base = "%s/%d/fd" % (root, pid)
    inodes = set()
    for fd in os.listdir(base):
        link = os.readlink(base + "/" + fd)  # unreadable: the error says why the forgery cannot aim
        if link.startswith("socket:["):
            inodes.add(int(link[8:-1]))
    return inodes


def v_netlink_user_unicast():
    """Whether this process may send a netlink datagram to a user-space socket at all (what the
    forgeries need), tried between two sockets of our own, for audit and for the connector."""
    res = []
    for proto, name in ((9, "audit"), (11, "connector")):
        kind = socket.SOCK_RAW if proto == 9 else socket.SOCK_DGRAM
        try:
            a = socket.socket(socket.AF_NETLINK, kind, proto)
            b = socket.socket(socket.AF_NETLINK, kind, proto)
        except OSError as ex:
            res.append(("netlink_user_unicast_" + name, refused(ex.errno, "socket")))
            continue
        try:
            a.bind((0, 0))
            b.bind((0, 0))
            b.settimeout(1)
            a.sendto(struct.pack("<IHHII", 20, 0x7fff, 0, 0, 0) + b"ping", (b.getsockname()[0], 0))
            got = b.recv(64)
            res.append(("netlink_user_unicast_" + name, standing(
                "delivered-%d-bytes-between-two-sockets-of-ours(the-agent-takes-only-the-kernel's:see-forge_*)" % len(got))))
        except OSError as ex:
            res.append(("netlink_user_unicast_" + name, refused(ex.errno or errno.ETIMEDOUT)))
        finally:
            a.close()
            b.close()
    return res


def phantom_pid():
    mx = int(readf("/proc/sys/kernel/pid_max").decode())
    for p in range(mx - 1, mx - 2000, -1):
        if not os.path.exists("/proc/%d" % p):
            return p
    return mx - 1


def forge(agent, init, root="/proc", prefix=""):
    """Unicasts one marked fake audit record and one fake fork+exit pair to THIS cell's agent's own
    netlink sockets: the agent reads them with read(2), which does not say who sent a datagram."""
    res = []
    try:
        mine = sockets_of(agent, root)
        table = netlink_sockets()
    except OSError as ex:
        return [(prefix + "forge_audit_record@agent", blocked("cannot-map-its-sockets:" + ename(ex.errno))),
                (prefix + "forge_connector_events@agent", blocked("cannot-map-its-sockets"))]
    audit = sorted((v for i, v in table.items() if i in mine and v[0] == 9), key=lambda v: (v[3] != 0, v[2]))
    conn = [v for i, v in table.items() if i in mine and v[0] == 11]
    framed = init or agent
    if not audit:
        res.append((prefix + "forge_audit_record@agent", blocked("no-audit-socket-of-its-own-found")))
    else:
        record = audit[-1]  # the record socket: the multicast one, else the one with the big buffer (not control)
        text = ('audit(%.3f:1): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=%d comm="forged-by-wkld" '
                'exe="/forged" sig=0 arch=c000003e syscall=4095 compat=0 ip=0x0 code=0x50000'
                % (time.time(), framed)).encode()
        msg = struct.pack("<IHHII", 16 + len(text), 1326, 0, 0, 0) + text  # AUDIT_SECCOMP
        try:
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 9)
            s.bind((0, 0))
            s.sendto(msg, (record[1], 0))
            s.close()
            res.append((prefix + "forge_audit_record@agent", effect(
                "fake-AUDIT_SECCOMP-queued-on-its-record-socket(portid=%d;names-pid-%d-syscall-4095-comm-forged-by-wkld)"
                % (struct.unpack("<i", struct.pack("<I", record[1]))[0], framed))))
        except ConnectionRefusedError:
            res.append((prefix + "forge_audit_record@agent", blocked(CONNECTED_TO_KERNEL)))
        except OSError as ex:
            res.append((prefix + "forge_audit_record@agent", refused(ex.errno)))
    if not conn:
        res.append((prefix + "forge_connector_events@agent", blocked("no-connector-socket-of-its-own-found")))
    else:
        ghost = phantom_pid()
        try:
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11)
            s.bind((0, 0))
            for seq, (what, data) in enumerate([(1, (framed, framed, ghost, ghost)),
                                                (0x80000000, (ghost, ghost, 0, 17, framed, framed))]):
                ev = struct.pack("<IIQ", what, 4095, time.monotonic_ns()) + struct.pack("<%dI" % len(data), *data)
                ev += bytes(40 - len(ev))
                cn = struct.pack("<IIIIHH", 1, 1, seq, 0, len(ev), 0) + ev
                s.sendto(struct.pack("<IHHII", 16 + len(cn), 3, 0, 0, 0) + cn, (conn[0][1], 0))
                time.sleep(0.05)
            s.close()
            res.append((prefix + "forge_connector_events@agent", effect(
                "fake-fork+exit-queued-on-its-connector-socket(phantom-pid-%d-child-of-%d)" % (ghost, framed))))
        except ConnectionRefusedError:
            res.append((prefix + "forge_connector_events@agent", blocked(CONNECTED_TO_KERNEL)))
        except OSError as ex:
            res.append((prefix + "forge_connector_events@agent", refused(ex.errno)))
    return res


def v_host_channels(init):
    """The host's channels as init's command line names them: a unix: one (a local cell, or this
    machine's stand-in for vsock) is connected to and closed without a byte; a vsock: one is never
    touched (socket(AF_VSOCK) is the gate's to refuse, see vsock_socket)."""
    args = cmdline(init) if init else []
    paths = [a.split("unix:", 1)[1] for a in args if "unix:" in a]
    for p in list(paths):  # Firecracker's naming: <uds>_<port>; the telemetry port sits next to the exit port
        if p.endswith("_9000") and p[:-4] + "9001" not in paths:
            paths.append(p[:-4] + "9001")
    if not paths:
        return blocked("no-unix-channel-named(vsock-only:see-vsock_socket)" if any("vsock:" in a for a in args)
                       else "no-channel-named")
    reached_, errs = [], []
    for path in paths:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.settimeout(2)
            s.connect(path)
            reached_.append(os.path.basename(path))
        except OSError as ex:
            errs.append("%s=%s" % (os.path.basename(path), ename(ex.errno or errno.EIO)))
        finally:
            s.close()
    if reached_:
        return effect("connected-to-the-host's-%s(closed-without-a-byte;a-forger-would-write-frames-or-an-exit-status)%s"
                      % ("+".join(reached_), ";" + ",".join(errs) if errs else ""))
    return "refused:" + errs[0].split("=")[1] + "(%s)" % ",".join(errs)


def v_kernel_cmdline():
    text = readf("/proc/cmdline").decode(errors="replace")
    keys = [w.split("=", 1)[0] for w in text.split() if w.startswith("cellos")]
    return standing("read(%d-bytes;cellos-keys:%s;it-holds-no-secret)" % (len(text), ",".join(keys) or "none"))


# ================================================================ power

def v_reboot():
    rc, e = sc("reboot", 0xdeadbeef, 0, 0, 0)  # an invalid magic: nothing can happen
    if e == errno.EINVAL:
        return reached(e, "bad-magic;the-real-magic-would-power-off-the-VM(or-kill-the-cell's-init-in-a-pid-ns)")
    return refused(e) if e else effect("reboot-returned-0?!")


def v_kexec_load():
    rc, e = sc("kexec_load", 0, 100000, 0, 0)  # more segments than allowed
    if e == errno.EINVAL:
        return reached(e, "too-many-segments;a-real-image-would-replace-the-kernel")
    return refused(e, "kernel-built-without-kexec" if e == errno.ENOSYS else None)


def v_kexec_file_load():
    rc, e = sc("kexec_file_load", -1, -1, 0, 0, 0xffff)
    if e in (errno.EINVAL, errno.EBADF):
        return reached(e, "invalid-flags")
    return refused(e, "kernel-built-without-kexec" if e == errno.ENOSYS else None)


def v_finit_module():
    rc, e = sc("finit_module", -1, cstr(""), 0)
    if e == errno.EBADF:
        return reached(e, "no-file;a-module-fd-would-load-kernel-code")
    return blocked("kernel-built-without-modules") if e == errno.ENOSYS else refused(e)


def v_delete_module():
    rc, e = sc("delete_module", cstr("cellos_attack_no_such_module"), 0)
    if e == errno.ENOENT:
        return reached(e, "no-such-module")
    return blocked("kernel-built-without-modules") if e == errno.ENOSYS else refused(e)


def v_settimeofday():
    tz = buf(struct.pack("<ii", 100000, 0))  # minuteswest out of range: EINVAL after the capability check
    rc, e = sc("settimeofday", 0, ctypes.addressof(tz))
    if e == errno.EINVAL:
        return reached(e, "bad-timezone;CAP_SYS_TIME-held:the-wall-clock-that-dates-audit-records-could-be-moved")
    return refused(e)


def try_open(path, flags, what):
    """Opens path and closes it at once, nothing read or written: whether it could be."""
    if not os.path.exists(path):
        return blocked("absent:" + path)
    try:
        os.close(os.open(path, flags))
        return effect(what)
    except OSError as ex:
        return refused(ex.errno)


def open_for_write(path):
    return try_open(path, os.O_WRONLY, "opened-for-write(not-written):" + path)


def v_ns_last_pid():
    """Choosing the next pid (CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN): the value it has is written
    back, so that nothing changes were it allowed."""
    path = "/proc/sys/kernel/ns_last_pid"
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError as ex:
        return refused(ex.errno, "open")
    try:
        os.write(fd, readf(path).strip())
        return effect("written(its-own-value):the-next-pid-is-ours-to-choose")
    except OSError as ex:
        return refused(ex.errno, "write")
    finally:
        os.close(fd)


def v_code_write():
    """The files init and the agent run, written in place, would rewrite their code (a library's
    pages are the page cache's): each opened for writing, closed unwritten."""
    files = [f for f in os.environ.get("CELLOS_ATTACK_CODE", "").split(",") if f]
    for line in readf("/proc/self/maps").decode(errors="replace").splitlines():
        path = line.split(None, 5)[5] if len(line.split(None, 5)) > 5 else ""
        base = os.path.basename(path)
        if base.startswith("libc.so") or base.startswith("ld-linux"):
            files.append(path)
    res = []
    for f in sorted(set(files)):
        name = "code_write:" + f
        if not os.path.isfile(f):
            res.append((name, blocked("absent")))
            continue
        try:
            os.close(os.open(f, os.O_WRONLY))
            res.append((name, effect("opened-for-write(not-written;writes-would-rewrite-init's-and-the-agent's-code)")))
        except OSError as ex:
            res.append((name, refused(ex.errno)))
    return res or blocked("no-code-file-known")


def v_forge_by_sock_diag():
    """Without seeing the agent: sock_diag lists every netlink socket of this network namespace
    with its port id, and anyone may unicast to a port id. One marked fake fork of a phantom pid is
    sent to each proc connector listener (group 1 joined)."""
    try:
        table = netlink_sockets()
    except OSError as ex:
        return refused(ex.errno, "sock_diag")
    mine = set()
    try:
        mine = sockets_of(os.getpid(), "/proc")
    except OSError:
        pass
    listeners = sorted({v[1] for i, v in table.items() if v[0] == 11 and v[3] & 1 and i not in mine})
    if not listeners:
        return blocked("no-connector-listener-listed")
    ghost = phantom_pid()
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 11)
    try:
        s.bind((0, 0))
        ev = struct.pack("<IIQ", 1, 4095, time.monotonic_ns()) + struct.pack("<4I", os.getpid(), os.getpid(), ghost, ghost)
        ev += bytes(40 - len(ev))
        cn = struct.pack("<IIIIHH", 1, 1, 0, 0, len(ev), 0) + ev
        for portid in listeners:
            s.sendto(struct.pack("<IHHII", 16 + len(cn), 3, 0, 0, 0) + cn, (portid, 0))
    except ConnectionRefusedError:
        return blocked(CONNECTED_TO_KERNEL)
    except OSError as ex:
        return refused(ex.errno)
    finally:
        s.close()
    return declared("fake-fork-of-phantom-pid-%d-sent-to-%d-connector-listener(s)(the-agent-takes-only-the-kernel's-"
                    "datagrams-and-declares-others)" % (ghost, len(listeners)))


def v_dev_mem():
    return try_open("/dev/mem", os.O_RDONLY, "opened(closed;physical-memory-reads)")


# ================================================================ capabilities and the rest

CAPS = ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
        "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
        "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
        "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
        "CHECKPOINT_RESTORE"]
DANGEROUS = {"KILL", "SYS_PTRACE", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_MODULE", "SYS_RAWIO",
             "SYS_TIME", "AUDIT_CONTROL", "AUDIT_WRITE", "AUDIT_READ", "NET_ADMIN", "BPF", "PERFMON", "LEASE",
             "DAC_READ_SEARCH", "SETUID", "CHECKPOINT_RESTORE"}
# Root's ordinary powers, whose reach to init and the agent is walled elsewhere: KILL by the gate,
# DAC_READ_SEARCH's open_by_handle_at by the gate, SETUID and NET_ADMIN change only the workload's own
# identity and network (the agent speaks vsock, which no IP setting touches)
ORDINARY_ROOT = {"KILL", "DAC_READ_SEARCH", "SETUID", "NET_ADMIN"}


def v_caps():
    status = dict(l.split(":\t", 1) for l in readf("/proc/self/status").decode().splitlines() if ":\t" in l)
    res = []
    for key, name in (("CapEff", "caps_effective"), ("CapPrm", "caps_permitted"), ("CapBnd", "caps_bounding"),
                      ("CapAmb", "caps_ambient"), ("CapInh", "caps_inheritable")):
        v = int(status[key], 16)
        held = [c for i, c in enumerate(CAPS) if v >> i & 1]
        bad = [c for c in held if c in DANGEROUS and c not in ORDINARY_ROOT]
        ordinary = [c for c in held if c in ORDINARY_ROOT]
        if bad:
            res.append((name, effect("0x%x(%d-caps;incl:%s)" % (v, len(held), ",".join(bad)))))
        elif ordinary:
            res.append((name, standing("0x%x(%d-caps;root's-ordinary:%s;walled-elsewhere)" % (v, len(held), ",".join(ordinary)))))
        else:
            res.append((name, blocked("none-that-matter(0x%x)" % v)))
    mode = status.get("Seccomp", "?").strip()
    filters = status.get("Seccomp_filters", "?").strip()
    nnp = status.get("NoNewPrivs", "?").strip()
    res.append(("seccomp_status", blocked("gated(mode=%s,filters=%s,no_new_privs=%s)" % (mode, filters, nnp))
                if mode == "2" else effect("no-seccomp-filter(mode=%s)" % mode)))
    res.append(("uid", standing("root(uid=0;the-microVM's-usual-workload)") if os.getuid() == 0
                else blocked("uid=%d" % os.getuid())))
    return res


def v_gate_dump(targets):
    """Reads our own seccomp filter (a traced child's copy) and runs it on kill(tid, 0) for every
    current thread of init and the agent: which ones it does not protect."""
    child = os.fork()
    if child == 0:
        sc("ptrace", 0, 0, 0, 0)  # PTRACE_TRACEME
        os.kill(os.getpid(), signal.SIGSTOP)
        os._exit(0)
    try:
        os.waitpid(child, os.WUNTRACED)
        n, e = sc("ptrace", 0x420c, child, 0, 0)  # PTRACE_SECCOMP_GET_FILTER: how many instructions
        if e:
            return refused(e)
        prog = buf(8 * n)
        n, e = sc("ptrace", 0x420c, child, 0, ctypes.addressof(prog))
        if e:
            return refused(e)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    insns = [struct.unpack_from("<HBBI", prog.raw, 8 * i) for i in range(n)]

    def run(nr, args):
        data = struct.pack("<iIQ6Q", nr, 0xc000003e, 0, *[a & 0xffffffffffffffff for a in args])
        pc, acc = 0, 0
        for _ in range(10000):
            code, jt, jf, k = insns[pc]
            if code == 0x20:
                acc = struct.unpack_from("<I", data, k)[0]
            elif code == 0x06:
                return k
            elif code == 0x05:
                pc += k
            elif code in (0x15, 0x25, 0x35, 0x45):
                cond = {0x15: acc == k, 0x25: acc > k, 0x35: acc >= k, 0x45: acc & k != 0}[code]
                pc += jt if cond else jf
            elif code == 0x54:
                acc &= k
            else:
                raise ValueError("instruction 0x%x" % code)
            pc += 1
        raise ValueError("no return")

    holes = []
    for t in targets:
        ts = tids(t.pid)
        open_ = [tid for tid in ts if run(62, [tid, 0]) >> 16 == 0x7fff]  # SECCOMP_RET_ALLOW
        holes.append("%s:%d/%d-threads-unprotected%s" % (t.role, len(open_), len(ts), (str(open_[:5]) if open_ else "")))
    return effect("filter-read(%d-instructions;%s)" % (n, ";".join(holes)))


def v_userfaultfd():
    rc, e = sc("userfaultfd", os.O_CLOEXEC)
    if e:
        return refused(e)
    os.close(rc)
    return effect("created(closed)")


def v_io_uring():
    params = buf(120)
    rc, e = sc("io_uring_setup", 4, ctypes.addressof(params))
    if e:
        return refused(e)
    os.close(rc)
    return effect("ring-created(closed;its-operations-pass-no-seccomp-and-no-audit-rule)")


def v_keyctl():
    rc, e = sc("keyctl", 0, -4, 0)  # KEYCTL_GET_KEYRING_ID of the user keyring, without creating it
    return refused(e) if e else standing("root's-user-keyring-%d(init-and-the-agent-keep-no-keys)" % rc)


def v_fanotify_perm():
    fd, e = sc("fanotify_init", 0x04 | 0x01, os.O_RDONLY)  # FAN_CLASS_CONTENT: permission events
    if e:
        return refused(e)
    try:
        with tempfile.NamedTemporaryFile(prefix="cellos-attack-") as f:
            rc, e = sc("fanotify_mark", fd, 1, 0x10000, AT_FDCWD, cstr(f.name))  # FAN_OPEN_PERM on our own file
        return refused(e, "mark") if e else effect(
            "permission-group-made-and-own-file-marked(closed;marking-files-init-or-the-agent-open-would-freeze-them-until-answered)")
    finally:
        os.close(fd)


def v_lease():
    tfd, name = tempfile.mkstemp(prefix="cellos-attack-")
    os.close(tfd)  # a write lease needs the file open nowhere else
    fd = os.open(name, os.O_RDONLY)
    try:
        try:
            fcntl.fcntl(fd, 1024, fcntl.F_WRLCK)  # F_SETLEASE
        except OSError as ex:
            return refused(ex.errno)
        fcntl.fcntl(fd, 1024, fcntl.F_UNLCK)
        return standing("write-lease-on-own-file(released;lease-break-time=%ss;init-and-the-agent-open-no-leasable-file-"
                        "after-start-but-the-agents'-lock,-with-O_NONBLOCK)" % readf("/proc/sys/fs/lease-break-time").decode().strip())
    finally:
        os.close(fd)
        os.unlink(name)


def v_setns(t):
    def child():
        opened, joined, same = 0, 0, 0
        errs = set()
        for ns in ("mnt", "pid", "net", "uts", "ipc", "cgroup", "time"):
            try:
                fd = os.open("/proc/%d/ns/%s" % (t.pid, ns), os.O_RDONLY)
            except OSError as ex:
                errs.add(ename(ex.errno))
                continue
            opened += 1
            if os.fstat(fd).st_ino == os.stat("/proc/self/ns/" + ns).st_ino:
                same += 1
            rc, e = sc("setns", fd, 0)
            os.close(fd)
            if e:
                errs.add(ename(e))
            else:
                joined += 1
        if opened == 0:
            return "refused:" + sorted(errs)[0]
        return effect("opened-%d/7-ns-files,joined-%d(%d-already-ours)%s" % (opened, joined, same,
                                                                          ";errors:" + ",".join(sorted(errs)) if errs else ""))
    return in_child(child)


def v_workload_limits():
    lim = []
    mounts = cgroup_mounts()
    for line in readf("/proc/self/cgroup").decode().splitlines():
        _, ctrls, path = line.split(":", 2)
        for ctrl, f in (("pids", "pids.max"), ("memory", "memory.limit_in_bytes"), ("", "pids.max"), ("", "memory.max")):
            if ctrls == ctrl and ctrl in mounts:
                p = mounts[ctrl] + path.rstrip("/") + "/" + f
                if os.path.exists(p):
                    v = readf(p).decode().strip()
                    lim.append("%s=%s" % (f, v))
    unlimited = all(v.split("=")[1] in ("max", "9223372036854771712") for v in lim) if lim else True
    text = ",".join(lim) or "no-pids-or-memory-limit-file-for-our-cgroup"
    return (standing("fork-bomb-and-memory-hog-unbounded(%s;the-microVM's-resources-are-the-workload's;"
                     "init-and-the-agent-out-of-the-OOM-killer's-choice;the-agent-drops-and-counts)" % text)
            if unlimited else blocked("bounded(%s)" % text))


# ================================================================ the run

def main():
    init, agent, others = discover(sys.argv[1:])
    targets = []
    if init:
        targets.append(Target("init", init))
    if agent:
        targets.append(Target("agent", agent))
    report("discover_targets", effect("init=%s,agent=%s(by-command-line;%d-other-cellos-processes-visible-and-left-alone)"
                                      % (init, agent, len(others))) if targets else blocked("no-cellos-process-visible"))
    if not agent:
        report("discover_agent", blocked("invisible(not-in-this-pid-namespace)"))
    probe("caps", v_caps)
    if targets:
        probe("gate_dump", v_gate_dump, targets)

    per_target = [
        # scheduling and limits
        ("prlimit64_get", v_prlimit_get), ("prlimit64_set", v_prlimit_set),
        ("setpriority_process", v_setpriority_process), ("setpriority_pgrp", v_setpriority_pgrp),
        ("sched_setscheduler", v_sched_setscheduler), ("sched_setparam", v_sched_setparam),
        ("sched_setattr", v_sched_setattr), ("sched_setaffinity", v_sched_setaffinity),
        ("ioprio_set", v_ioprio_set), ("autogroup_nice", v_autogroup),
        # memory and process
        ("process_madvise", v_process_madvise), ("process_mrelease", v_process_mrelease), ("kcmp", v_kcmp),
        ("move_pages", v_move_pages), ("migrate_pages", v_migrate_pages), ("proc_mem_rw", v_proc_mem),
        ("process_vm_readv", v_process_vm_readv), ("ptrace_peek", v_ptrace_peek),
        ("oom_score_adj", v_oom_score_adj), ("oom_exposure", v_oom_exposure), ("timerslack_ns", v_timerslack),
        ("environ", v_environ), ("cmdline", v_cmdline), ("fd_links", v_fd_links), ("fd_reopen", v_fd_reopen),
        ("comm_write", v_comm_write),
        # signals by other routes
        ("fsetown_pid", lambda t: v_setown(t, False)), ("fsetown_pgrp", lambda t: v_setown(t, True)),
        ("fsetown_ex_tid", v_setown_ex), ("ioctl_fiosetown", lambda t: v_sock_owner_ioctl(t, FIOSETOWN)),
        ("ioctl_siocspgrp", lambda t: v_sock_owner_ioctl(t, SIOCSPGRP)),
        ("kill0", v_kill0), ("kill0_group", v_kill0_group), ("kill0_threads", v_kill0_threads),
        ("kill0_x32", v_kill0_x32), ("kill0_int80", v_kill0_int80),
        ("pidfd_open", v_pidfd_open), ("pidfd_send_signal0", v_pidfd_send_signal), ("pidfd_getfd", v_pidfd_getfd),
        ("rt_sigqueueinfo0", v_rt_sigqueueinfo), ("rt_tgsigqueueinfo0", v_rt_tgsigqueueinfo),
        # blinding
        ("perf_event_open", v_perf_task), ("perf_event_open_sigtrap", v_perf_sigtrap), ("cgroup_write", v_cgroup_write), ("setns", v_setns),
    ]
    for vector, fn in per_target:
        for t in targets:
            probe(t.tag(vector), fn, t)
        if not agent:
            report(vector + "@agent", blocked("invisible"))

    # on nobody in particular, or on ourselves
    probe("setpriority_user_uid0", v_setpriority_user)
    probe("self_sched_fifo_max", self_sched, 1)
    probe("self_sched_rr_max", self_sched, 2)
    probe("self_sched_deadline", v_self_deadline)
    probe("self_nice_minus20", v_self_nice)
    probe("workload_limits", v_workload_limits)
    probe("sigio_route_own_child", v_sigio_delivery)
    probe("open_by_handle_at", v_open_by_handle_at)
    probe("clone_parent_child", v_clone_parent, init)
    probe("comm_spoof", v_comm_spoof)
    probe("audit", v_audit, agent)
    probe("bpf_map_create", v_bpf_map)
    probe("bpf_prog_load_socket_filter", v_bpf_prog_socket_filter)
    probe("bpf_prog_load_send_signal", v_bpf_prog_send_signal)
    probe("perf_event_open_cpu_wide", v_perf_systemwide)
    probe("vsock_socket", v_vsock_socket)
    probe("proc_umount", v_proc_umount, init, agent)
    probe("proc_fresh_mount_private_ns", v_proc_fresh, init, agent)
    probe("proc_overmount_private_ns", v_proc_overmount, init)
    probe("cgroup_move_self", v_cgroup_move_self)
    probe("userfaultfd", v_userfaultfd)
    probe("io_uring_setup", v_io_uring)
    probe("keyctl_user_keyring", v_keyctl)
    probe("fanotify_permission_events", v_fanotify_perm)
    probe("file_lease", v_lease)
    probe("reboot_invalid_magic", v_reboot)
    probe("kexec_load_invalid", v_kexec_load)
    probe("kexec_file_load_invalid", v_kexec_file_load)
    probe("finit_module_invalid", v_finit_module)
    probe("delete_module_absent", v_delete_module)
    probe("settimeofday_invalid", v_settimeofday)
    probe("sysrq_trigger", open_for_write, "/proc/sysrq-trigger")
    probe("sysctl_ns_last_pid", v_ns_last_pid)
    probe("code_write", v_code_write)
    probe("dev_mem", v_dev_mem)
    probe("kernel_cmdline", v_kernel_cmdline)
    probe("netlink_user_unicast", v_netlink_user_unicast)
    probe("host_channel_connect", v_host_channels, init)
    # last: the forgeries, so that nothing after them can be confused by what they made the agent say
    probe("forge_connector_by_sock_diag", v_forge_by_sock_diag)
    if agent:
        probe("forge", forge, agent, init)
    else:
        report("forge_audit_record@agent", blocked("agent-invisible(see-hostproc_forge_*)"))
        report("forge_connector_events@agent", blocked("agent-invisible(see-hostproc_forge_*)"))
        probe("hostproc_forge", v_proc_umount, init, agent, True)
    print("SUMMARY refused=%d effect=%d blocked=%d standing=%d declared=%d" % (
        COUNTS["refused"], COUNTS["EFFECT"], COUNTS["blocked"], COUNTS["standing"], COUNTS["declared"]), flush=True)
    time.sleep(float(os.environ.get("CELLOS_ATTACK_LINGER", "0")))


if __name__ == "__main__":
    main()
