# Installs, with SECCOMP_FILTER_FLAG_LOG, a filter that refuses getppid (110) with EPERM, as the
# seccomp gate refuses calls, then makes that call COUNT times. Prints "refused N" with the errno.
import ctypes, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
# ld arch; jne x86_64 -> allow; ld nr; jne 110 -> allow; ret ERRNO|EPERM; ret ALLOW
insns = [(0x20, 0, 0, 4), (0x15, 0, 3, 0xC000003E), (0x20, 0, 0, 0), (0x15, 0, 1, 110),
         (0x06, 0, 0, 0x00050001), (0x06, 0, 0, 0x7fff0000)]
code = b''.join(struct.pack('<HBBI', *i) for i in insns)
filt = ctypes.create_string_buffer(code, len(code))
prog = ctypes.create_string_buffer(struct.pack('<HxxxxxxQ', len(insns), ctypes.addressof(filt)), 16)
assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
assert libc.syscall(317, 1, 2, prog) == 0, ctypes.get_errno()  # seccomp(SET_MODE_FILTER, FLAG_LOG)
count = int(sys.argv[1]) if len(sys.argv) > 1 else 1
for _ in range(count):
    r = libc.syscall(110)
print("refused", r, ctypes.get_errno(), flush=True)
