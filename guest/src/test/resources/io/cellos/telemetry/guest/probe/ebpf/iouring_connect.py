# Connects a socket through io_uring (IORING_OP_CONNECT), with raw system calls: no liburing.
# usage: python3 iouring_connect.py FAMILY(4|6) HOST PORT ; prints the completion's result (0 or -errno)
import ctypes, mmap, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SETUP, ENTER = 425, 426
OP_CONNECT, ENTER_GETEVENTS, OFF_SQES = 16, 1, 0x10000000
params = ctypes.create_string_buffer(120)
ring = libc.syscall(SETUP, 4, params)
if ring < 0:
    sys.exit("io_uring_setup: errno %d" % ctypes.get_errno())
sq_entries, cq_entries = struct.unpack_from("II", params, 0)
head, tail, mask, entries, flags, dropped, array = struct.unpack_from("7I", params, 40)
c_head, c_tail, c_mask, c_entries, c_overflow, cqes = struct.unpack_from("6I", params, 80)
size = max(array + sq_entries * 4, cqes + cq_entries * 16)
rings = mmap.mmap(ring, size, offset=0)
sqes = mmap.mmap(ring, sq_entries * 64, offset=OFF_SQES)
family = socket.AF_INET if sys.argv[1] == "4" else socket.AF_INET6
s = socket.socket(family, socket.SOCK_STREAM)
if family == socket.AF_INET:
    sa = struct.pack("<H", family) + struct.pack(">H", int(sys.argv[3])) + socket.inet_pton(family, sys.argv[2]) + bytes(8)
else:
    sa = struct.pack("<H", family) + struct.pack(">H", int(sys.argv[3])) + bytes(4) + socket.inet_pton(family, sys.argv[2]) + bytes(4)
addr = ctypes.create_string_buffer(sa, len(sa))
sqe = bytearray(64)
struct.pack_into("<BBHiQQ", sqe, 0, OP_CONNECT, 0, 0, s.fileno(), len(sa), ctypes.addressof(addr))
sqes[0:64] = bytes(sqe)
t = struct.unpack_from("I", rings, tail)[0]
struct.pack_into("I", rings, array + (t & struct.unpack_from("I", rings, mask)[0]) * 4, 0)
struct.pack_into("I", rings, tail, t + 1)
if libc.syscall(ENTER, ring, 1, 1, ENTER_GETEVENTS, None, 0) < 0:
    sys.exit("io_uring_enter: errno %d" % ctypes.get_errno())
ch = struct.unpack_from("I", rings, c_head)[0]
res = struct.unpack_from("<Qi", rings, cqes + (ch & struct.unpack_from("I", rings, c_mask)[0]) * 16)[1]
print(res)
