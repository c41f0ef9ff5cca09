# Tries every way the seccomp gate must close to reach a protected process, and prints one line
# per attempt: "<name> <errno name or OK>". Arguments: the pid to attack ("parent": ours, which is
# init for a workload, whichever PID namespace it is in), the signal, the
# target's other thread ids, comma-separated (the workload's /proc does not list the target, so it
# cannot find them itself), and files the target runs, comma-separated (opened for writing, never
# written). Run under the gate.
import ctypes, os, signal, sys, time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
target = os.getppid() if sys.argv[1] == "parent" else int(sys.argv[1])
sig = int(sys.argv[2]) if len(sys.argv) > 2 else signal.SIGKILL
given_tids = [int(t) for t in sys.argv[3].split(",") if t] if len(sys.argv) > 3 else []
code = [f for f in sys.argv[4].split(",") if f] if len(sys.argv) > 4 else []

# A child of our own: the calls the gate refuses whatever they name are tried on it.
child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)

def attempt(name, nr, *args):
    ctypes.set_errno(0)
    rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    err = ctypes.get_errno()
    print(name, "OK" if rc >= 0 else os.strerror(err).replace(" ", "_") + ":" + str(err), flush=True)

tids = sorted(int(t) for t in os.listdir("/proc/%d/task" % target)) if os.path.isdir("/proc/%d/task" % target) else [target]
other = [t for t in tids + given_tids if t != target]
attempt("kill", 62, target, sig)
attempt("kill_group", 62, -target, sig)
attempt("kill_all", 62, -1, sig)
if other:
    attempt("kill_thread", 62, other[-1], sig)
attempt("tkill", 200, target, sig)
attempt("tgkill", 234, target, target, sig)
info = ctypes.create_string_buffer(128)  # si_code SI_QUEUE: the kernel itself refuses a queued signal whose code is 0 or more
ctypes.memmove(ctypes.addressof(info), (ctypes.c_int * 3)(sig, 0, -1), 12)
attempt("rt_sigqueueinfo", 129, target, sig, ctypes.addressof(info))
attempt("rt_tgsigqueueinfo", 297, target, target, sig, ctypes.addressof(info))
attempt("ptrace_attach", 101, 16, target, 0, 0)
attempt("ptrace_seize", 101, 0x4206, target, 0, 0)
attempt("pidfd_open", 434, target, 0)
attempt("pidfd_send_signal", 424, os.open("/proc/%d" % child, os.O_RDONLY | os.O_DIRECTORY), 0, 0, 0)
buf = ctypes.create_string_buffer(8)
iov = (ctypes.c_void_p * 2)(ctypes.addressof(buf), 8)
attempt("process_vm_readv", 310, target, ctypes.addressof(iov), 1, ctypes.addressof(iov), 1, 0)
attempt("process_vm_writev", 311, target, ctypes.addressof(iov), 1, ctypes.addressof(iov), 1, 0)
params = ctypes.create_string_buffer(120)
attempt("io_uring_setup", 425, 4, ctypes.addressof(params))

# The host's channels: a vsock socket is only created, never connected (the build machines' CID 2
# is not ours); a pidfd from /proc for pidfd_getfd; a file handle for open_by_handle_at.
def create_only(name, nr, *args):
    ctypes.set_errno(0)
    rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    err = ctypes.get_errno()
    if rc >= 0:
        os.close(rc)
    print(name, "OK" if rc >= 0 else os.strerror(err).replace(" ", "_") + ":" + str(err), flush=True)
create_only("vsock_socket", 41, 40, 1, 0)  # socket(AF_VSOCK, SOCK_STREAM, 0)
own_pidfd = libc.syscall(ctypes.c_long(434), ctypes.c_long(child), ctypes.c_long(0))
attempt("pidfd_getfd", 438, own_pidfd, 0, 0)
print("target_listed", "OK" if os.path.isdir("/proc/%d" % target) else "No_such_file_or_directory:2", flush=True)
handle = ctypes.create_string_buffer(128)
attempt("open_by_handle_at", 304, -100, ctypes.addressof(handle), 0)
create_only("inet_socket_own", 41, 2, 1, 0)  # socket(AF_INET, SOCK_STREAM, 0): ordinary work goes on

# Starving, pinning, slowing, reading: each naming the target, harmless if it got through (a read,
# the value it has, or arguments the kernel would refuse after the gate).
limit = ctypes.create_string_buffer(16)
attempt("prlimit64", 302, target, 0, 0, ctypes.addressof(limit))  # RLIMIT_CPU, get only
attempt("setpriority", 141, 0, target, 0)                         # PRIO_PROCESS
attempt("setpriority_group", 141, 1, target, 0)                   # PRIO_PGRP: its group
attempt("setpriority_user_root", 141, 2, 0, 0)                    # PRIO_USER: every root process
param = ctypes.create_string_buffer(64)
attempt("sched_setscheduler", 144, target, 0, ctypes.addressof(param))
attempt("sched_setparam", 142, target, ctypes.addressof(param))
attempt("sched_setattr", 314, target, ctypes.addressof(param), 0)
mask = ctypes.create_string_buffer(128)
libc.syscall(ctypes.c_long(204), ctypes.c_long(0), ctypes.c_long(128), ctypes.c_long(ctypes.addressof(mask)))
attempt("sched_setaffinity", 203, target, 128, ctypes.addressof(mask))
attempt("ioprio_set", 251, 1, target, 0)                          # IOPRIO_WHO_PROCESS
attempt("ioprio_set_user_root", 251, 3, 0, 0)                     # IOPRIO_WHO_USER
attempt("kcmp", 312, os.getpid(), target, 0, 0, 0)
attempt("move_pages", 279, target, 0, 0, 0, 0, 0)
attempt("migrate_pages", 256, target, 0, 0, 0)
# Signals by ownership, on a pipe of our own (set, never triggered)
r, w = os.pipe()
attempt("fcntl_setown", 72, r, 8, target)
attempt("fcntl_setown_group", 72, r, 8, -target)
owner = (ctypes.c_int * 2)(1, target)                             # F_OWNER_PID
attempt("fcntl_setown_ex", 72, r, 15, ctypes.addressof(owner))
pid_arg = ctypes.c_int(target)
attempt("ioctl_fiosetown", 16, r, 0x8901, ctypes.addressof(pid_arg))
attempt("ioctl_siocspgrp", 16, r, 0x8902, ctypes.addressof(pid_arg))
attempt("fcntl_setown_own", 72, r, 8, os.getpid())                # ordinary: SIGIO to ourselves
os.close(r)
os.close(w)
# Always refused
attempt("process_madvise", 440, own_pidfd, 0, 0, 0, 0)
attempt("process_mrelease", 448, own_pidfd, 0)
attempt("reboot", 169, 0, 0, 0, 0)                                # bad magic: EINVAL were it allowed
attempt("kexec_load", 246, 0, 0, 0, 0)
attempt("bpf", 321, 0, 0, 0)
attempt("perf_event_open", 298, 0, target, -1, -1, 0)
create_only("netlink_audit_socket", 41, 16, 3, 9)                 # socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)
create_only("netlink_route_socket_own", 41, 16, 3, 0)             # ordinary: NETLINK_ROUTE
attempt("setpriority_own", 141, 0, 0, 0)                          # ordinary: our own niceness

# A child born a child of init (CLONE_PARENT): refused; clone3, whose flags the filter cannot read,
# is answered as if the kernel had none, and a thread of our own still starts (libc falls back).
rc = libc.syscall(ctypes.c_long(56), ctypes.c_long(0x8000 | signal.SIGCHLD), ctypes.c_long(0), ctypes.c_long(0),
                  ctypes.c_long(0), ctypes.c_long(0))
if rc == 0:
    os._exit(0)
print("clone_parent", "OK" if rc > 0 else os.strerror(ctypes.get_errno()).replace(" ", "_") + ":" + str(ctypes.get_errno()),
      flush=True)
args = ctypes.create_string_buffer(88)  # clone_args with no flags and SIGCHLD: a fork, were clone3 let through
ctypes.memmove(ctypes.addressof(args) + 32, (ctypes.c_ulong * 1)(signal.SIGCHLD), 8)
rc = libc.syscall(ctypes.c_long(435), ctypes.c_long(ctypes.addressof(args)), ctypes.c_long(88))
if rc == 0:
    os._exit(0)
print("clone3", "OK" if rc > 0 else os.strerror(ctypes.get_errno()).replace(" ", "_") + ":" + str(ctypes.get_errno()),
      flush=True)
import threading
ran = []
t = threading.Thread(target=lambda: ran.append(1))
t.start()
t.join()
print("thread_own", "OK" if ran else "FAILED", flush=True)

# The target's code: a library or jar it runs, written in place, would rewrite it. Opened for
# writing and closed unwritten; a file of our own is written (ordinary work goes on).
for i, f in enumerate(code):
    try:
        os.close(os.open(f, os.O_WRONLY))
        print("code_write_%d" % i, "OK", flush=True)
    except OSError as e:
        print("code_write_%d" % i, os.strerror(e.errno).replace(" ", "_") + ":" + str(e.errno), flush=True)
own = "/tmp/attack-own-%d" % os.getpid()
with open(own, "w") as f:
    f.write("ours")
os.unlink(own)
print("write_own", "OK", flush=True)

# What must keep working: a child of our own, signalled and reaped.
os.kill(child, signal.SIGTERM)
_, status = os.waitpid(child, 0)
print("own_child", "OK" if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM else "FAILED", flush=True)
