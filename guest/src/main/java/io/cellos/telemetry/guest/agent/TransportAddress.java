package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.linux.SockAddr;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.cellos.telemetry.wire.Wire;

/**
 * Where the agent sends its frames: {@code vsock:CID:PORT} in a microVM (the default,
 * {@code vsock:2:9001}), or {@code unix:PATH} in a local cell and in tests.
 *
 * @param unixPath the socket path, or {@code null} for vsock
 * @param cid      the vsock CID (unused for unix)
 * @param port     the vsock port (unused for unix)
 */
public record TransportAddress(String unixPath, int cid, int port) {
    /** The host's telemetry port: {@code vsock:2:9001}. */
    public static final TransportAddress DEFAULT = new TransportAddress(null, Wire.VMADDR_CID_HOST, Wire.VSOCK_TELEMETRY_PORT);

    /**
     * Parses {@code unix:PATH} or {@code vsock:CID:PORT}.
     *
     * @throws IllegalArgumentException saying which forms are accepted
     */
    public static TransportAddress parse(String text) {
        if (text.startsWith("unix:") && text.length() > 5) {
            return new TransportAddress(text.substring(5), 0, 0);
        }
        if (text.startsWith("vsock:")) {
            String[] parts = text.substring(6).split(":", -1);
            if (parts.length == 2) {
                try {
                    long cid = Long.parseLong(parts[0]);
                    long port = Long.parseLong(parts[1]);
                    if (cid >= 0 && cid <= 0xffff_ffffL && port >= 0 && port <= 0xffff_ffffL) {
                        return new TransportAddress(null, (int) cid, (int) port);
                    }
                } catch (NumberFormatException e) {
                    // falls through to the error below, which says what is accepted
                }
            }
        }
        throw new IllegalArgumentException("transport '" + text + "' is neither unix:PATH nor vsock:CID:PORT "
                + "(e.g. vsock:2:9001, unix:/run/cell.vsock_9001)");
    }

    /** The socket family: {@code AF_UNIX} or {@code AF_VSOCK}. */
    public int family() {
        return isUnix() ? SockAddr.AF_UNIX : SockAddr.AF_VSOCK;
    }

    /** The address as a {@code sockaddr} in {@code arena}; its length is {@link #sockaddrLength}. */
    public MemorySegment sockaddr(Arena arena) {
        return isUnix() ? SockAddr.unix(arena, unixPath) : SockAddr.vsock(arena, cid, port);
    }

    public int sockaddrLength() {
        return (int) (isUnix() ? SockAddr.SOCKADDR_UN : SockAddr.SOCKADDR_VM).byteSize();
    }

    public boolean isUnix() {
        return unixPath != null;
    }

    @Override
    public String toString() {
        return isUnix() ? "unix:" + unixPath : "vsock:" + Integer.toUnsignedString(cid) + ":" + Integer.toUnsignedString(port);
    }
}
