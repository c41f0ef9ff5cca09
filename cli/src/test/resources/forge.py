# A hostile workload that knows the cell's directory (argument 1) and tries to speak for init and
# the agent: an exit status of its own on the exit-code channel, and valid frames on the telemetry
# channel, once with a session it made up and once with none. Prints one line per attempt.
import cbor2, os, socket, struct, sys

d = sys.argv[1]

def frame(m):
    body = cbor2.dumps(m)
    return struct.pack("<I", len(body)) + body

def event(source, pid, comm, extra=None):
    m = {"content_version": 0x0101, "probe_source": source, "guest_pid": pid, "guest_comm": comm,
         "guest_monotonic_ns": 1}
    m.update(extra or {})
    return frame(m)

def attempt(name, path, data):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        s.connect(path)
        print(name, "connected", flush=True)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        try:
            s.recv(16)  # the host closes a refused connection; wait for it
        except socket.timeout:
            pass
        s.close()
        print(name, "sent", flush=True)
    except OSError as e:
        print(name, "failed:" + str(e.errno), flush=True)

attempt("exit_status", os.path.join(d, "cell.vsock_9000"), struct.pack("<I", 42 << 8))
forged = event("process.spawned", 4242424, "rt-forged", {"parent_pid": 1})
attempt("telemetry_made_up_session", os.path.join(d, "cell.vsock_9001"),
        event("telemetry.dropped", os.getpid(), "rt-forged", {"dropped_total": 0, "session": "ab" * 16}) + forged)
attempt("telemetry_no_session", os.path.join(d, "cell.vsock_9001"), forged)
