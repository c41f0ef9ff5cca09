package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frames every codec benchmark measures, so that encode, decode and the Jackson baseline all
 * work on the same content.
 */
final class Frames {
    /** A typical process.spawned: pid, comm {@code python3}, monotonic ns, parent_pid (version 1.1). */
    static final long SPAWN_PID = 31_337;
    static final String SPAWN_COMM = "python3";
    static final long SPAWN_MONO_NS = 5_123_456_789_012L;
    static final long SPAWN_PARENT_PID = 1_024;

    /** A net.connect_attempted with an IPv6 peer (version 1.1). */
    static final long CONNECT_PID = 4_242;
    static final String CONNECT_COMM = "curl";
    static final long CONNECT_MONO_NS = 5_123_999_000_111L;
    static final String CONNECT_PEER = "[2001:db8::1]:443";

    private Frames() {
    }

    static ProbeEvent spawnEvent() {
        return ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, SPAWN_PID, SPAWN_COMM, SPAWN_MONO_NS)
                .withExtensions(Extensions.NONE.withParentPid(SPAWN_PARENT_PID));
    }

    static ProbeEvent connectEvent() {
        return ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, CONNECT_PID, CONNECT_COMM, CONNECT_MONO_NS)
                .withExtensions(Extensions.NONE.withPeer(CONNECT_PEER));
    }

    /** The encoded frame (prefix and body) of {@code event}, exactly sized. */
    static byte[] frame(ProbeEvent event) {
        byte[] buf = new byte[Wire.MAX_FRAME_BYTES];
        try {
            int n = new FrameEncoder().encode(event, buf, 0);
            return Arrays.copyOf(buf, n);
        } catch (FrameException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same content as a generic map, keys in wire order, for the Jackson baseline. */
    static Map<String, Object> asMap(ProbeEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(Field.CONTENT_VERSION.wireName(), e.contentVersion());
        m.put(Field.PROBE_SOURCE.wireName(), e.source().wireName());
        m.put(Field.GUEST_PID.wireName(), e.guestPid());
        m.put(Field.GUEST_COMM.wireName(), e.guestComm());
        m.put(Field.GUEST_MONOTONIC_NS.wireName(), e.guestMonotonicNs());
        Extensions x = e.extensions();
        if (x.parentPid() != null) {
            m.put(Field.PARENT_PID.wireName(), x.parentPid());
        }
        if (x.peer() != null) {
            m.put(Field.PEER.wireName(), x.peer());
        }
        return m;
    }
}
