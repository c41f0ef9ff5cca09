# Submits one operation to io_uring with raw system calls (no liburing) and prints its completion's
# result (0, a new descriptor, or -errno):
#   python3 iouring.py connect FAMILY(4|6) HOST PORT    IORING_OP_CONNECT of a new TCP socket
#   python3 iouring.py socket DOMAIN TYPE PROTOCOL      IORING_OP_SOCKET (kernel 5.19+)
import ctypes, mmap, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SETUP, ENTER = 425, 426
OP_CONNECT, OP_SOCKET, ENTER_GETEVENTS, OFF_SQES = 16, 45, 1, 0x10000000


def submit(opcode, fd, off, addr, length):
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
    sqe = bytearray(64)
    struct.pack_into("<BBHiQQI", sqe, 0, opcode, 0, 0, fd, off, addr, length)
    sqes[0:64] = bytes(sqe)
    t = struct.unpack_from("I", rings, tail)[0]
    struct.pack_into("I", rings, array + (t & struct.unpack_from("I", rings, mask)[0]) * 4, 0)
    struct.pack_into("I", rings, tail, t + 1)
    if libc.syscall(ENTER, ring, 1, 1, ENTER_GETEVENTS, None, 0) < 0:
        sys.exit("io_uring_enter: errno %d" % ctypes.get_errno())
    ch = struct.unpack_from("I", rings, c_head)[0]
    return struct.unpack_from("<Qi", rings, cqes + (ch & struct.unpack_from("I", rings, c_mask)[0]) * 16)[1]


if sys.argv[1] == "connect":
    family = socket.AF_INET if sys.argv[2] == "4" else socket.AF_INET6
    s = socket.socket(family, socket.SOCK_STREAM)
    port = struct.pack(">H", int(sys.argv[4]))
    host = socket.inet_pton(family, sys.argv[3])
    sa = struct.pack("<H", family) + port + (host + bytes(8) if family == socket.AF_INET else bytes(4) + host + bytes(4))
    addr = ctypes.create_string_buffer(sa, len(sa))
    print(submit(OP_CONNECT, s.fileno(), len(sa), ctypes.addressof(addr), 0))
else:
    print(submit(OP_SOCKET, int(sys.argv[2]), int(sys.argv[3]), 0, int(sys.argv[4])))
