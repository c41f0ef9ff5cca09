# Tries every way the seccomp gate must close to reach a protected process, and prints one line
# per attempt: "<name> <errno name or OK>". Arguments: the pid to attack, the signal, and the
# target's other thread ids, comma-separated (the workload's /proc does not list the target, so it
# cannot find them itself). Run under the gate.
import ctypes, os, signal, sys, time

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
target = int(sys.argv[1])
sig = int(sys.argv[2]) if len(sys.argv) > 2 else signal.SIGKILL
given_tids = [int(t) for t in sys.argv[3].split(",") if t] if len(sys.argv) > 3 else []

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
info = ctypes.create_string_buffer(128)
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

# What must keep working: a child of our own, signalled and reaped.
os.kill(child, signal.SIGTERM)
_, status = os.waitpid(child, 0)
print("own_child", "OK" if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM else "FAILED", flush=True)
