package io.cellos.telemetry.wire;

import java.nio.charset.StandardCharsets;

/**
 * What a frame is about: the {@code probe_source} of protocol.md §5.
 *
 * <p>The core sources are those of CellOS 0.5; the others are this project's version 1.1
 * extensions, which an older host drops as unknown.
 */
public enum ProbeSource {
    PROCESS_SPAWNED("process.spawned", true),
    PROCESS_EXITED("process.exited", true),
    NET_CONNECT_ATTEMPTED("net.connect_attempted", true),
    CAPABILITY_DENIED("capability.denied", true),
    FS_INOTIFY_FIRED("fs.inotify_fired", true),
    PROCESS_EXEC("process.exec", false),
    TELEMETRY_DROPPED("telemetry.dropped", false),
    AGENT_HEARTBEAT("agent.heartbeat", false),
    AGENT_TAMPERED("agent.tampered", false),
    NET_RAW_SOCKET_OPENED("net.raw_socket_opened", false);

    private static final ProbeSource[] ALL = values();

    private final String wireName;
    private final byte[] utf8;
    private final boolean core;

    ProbeSource(String wireName, boolean core) {
        this.wireName = wireName;
        this.utf8 = wireName.getBytes(StandardCharsets.US_ASCII);
        this.core = core;
    }

    /** The name on the wire, e.g. {@code process.spawned}. */
    public String wireName() {
        return wireName;
    }

    /** Whether CellOS 0.5 knows this source (as opposed to a version 1.1 extension). */
    public boolean core() {
        return core;
    }

    byte[] utf8() {
        return utf8;
    }

    /** The source with this wire name, or {@code null} if there is none. */
    public static ProbeSource fromWireName(String name) {
        for (ProbeSource s : ALL) {
            if (s.wireName.equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The source whose wire name is the {@code len} bytes at {@code off}, or {@code null}. */
    static ProbeSource fromUtf8(byte[] src, int off, int len) {
        for (ProbeSource s : ALL) {
            if (Utf8.equalsBytes(s.utf8, src, off, len)) {
                return s;
            }
        }
        return null;
    }
}
