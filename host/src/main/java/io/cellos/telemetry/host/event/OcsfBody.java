package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.JsonGenerator;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.WaitStatus;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.URI;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * The {@code data} of an event as an OCSF 1.8 event object ({@link EventFormat#OCSF},
 * protocol.md §7.10): the class, activity and severity {@link OcsfActivity} gives, the attributes
 * every OCSF event requires ({@code metadata}, {@code time}, {@code device} for the cell, the
 * uids and names), the class's own objects filled from the event ({@code process}, {@code actor},
 * {@code file}, {@code dst_endpoint}, {@code kernel}, {@code finding_info}), and in
 * {@code unmapped} what OCSF has no attribute for: for a guest event its wire keys without a home
 * and the host's stamp and {@code output}, for a host-made event the receiver's own data
 * ({@link ReceiverJsonBody}). The {@code dataschema} names the class's schema. Immutable.
 */
final class OcsfBody implements EventBody {
    /** {@code connection_info.direction_id}: the guest initiated it. */
    private static final int OUTBOUND = 2;
    private static final String PRODUCT = "cellos-telemetry";
    private static final String VENDOR = "CellOS";
    /** The profile whose {@code device} and {@code actor} every event carries. */
    private static final String HOST_PROFILE = "host";
    private static final int DEVICE_VIRTUAL = 6;
    private static final int FILE_UNKNOWN = 0;
    private static final int FILE_REGULAR = 1;
    private static final int SHA_256 = 3;
    private static final int SYSTEM_CALL = 2;
    private static final int STATUS_FAILURE = 2;
    private static final int FINDING_NEW = 1;
    private static final int LAUNCH_FORK = 2;
    private static final int LAUNCH_EXEC = 3;
    /** The wire keys OCSF has no attribute for, written under {@code unmapped}. */
    private static final Field[] UNMAPPED_KEYS = {Field.DROPPED_TOTAL, Field.EXIT_CODE, Field.CAPABILITY,
            Field.SYSCALL, Field.SOCKET};

    private final CellJson cell;
    private final ReceiverJsonBody receiverData;

    OcsfBody(CellJson cell) {
        this.cell = cell;
        this.receiverData = new ReceiverJsonBody(cell);
    }

    @Override
    public URI dataSchema(EventFacts facts) {
        return OcsfActivity.of(facts).ocsfClass().schema();
    }

    @Override
    public EventData.Members data(EventFacts facts, String id, Instant at, SessionCheck check) {
        OcsfActivity a = OcsfActivity.of(facts);
        if (facts instanceof EventFacts.Guest f) {
            return g -> {
                header(g, a, id, at);
                guest(g, f.probe(), id);
                g.writeObjectFieldStart("unmapped");
                unmappedGuest(g, f.probe());
                cell.writeStamp(g, at, check);
                cell.writeOutput(g, f);
                g.writeEndObject();
            };
        }
        EventData.Members own = receiverData.data(facts, id, at, check);
        return g -> {
            header(g, a, id, at);
            host(g, facts, id);
            g.writeObjectFieldStart("unmapped");
            own.write(g);
            g.writeEndObject();
        };
    }

    /** The attributes every event has: uids and names, severity, time, metadata, the cell as device. */
    private void header(JsonGenerator g, OcsfActivity a, String id, Instant at) throws IOException {
        OcsfClass c = a.ocsfClass();
        g.writeNumberField("activity_id", a.id());
        g.writeStringField("activity_name", a.name());
        g.writeNumberField("category_uid", c.categoryUid());
        g.writeStringField("category_name", c.categoryName());
        g.writeNumberField("class_uid", c.uid());
        g.writeStringField("class_name", c.caption());
        g.writeNumberField("type_uid", a.typeUid());
        g.writeStringField("type_name", a.typeName());
        g.writeNumberField("severity_id", a.severityId());
        g.writeStringField("severity", a.severity());
        g.writeNumberField("time", at.toEpochMilli());
        g.writeObjectFieldStart("metadata");
        g.writeStringField("version", OcsfClass.SCHEMA_VERSION);
        g.writeObjectFieldStart("product");
        g.writeStringField("name", PRODUCT);
        g.writeStringField("vendor_name", VENDOR);
        g.writeEndObject();
        g.writeStringField("uid", id);
        g.writeStringField("correlation_uid", cell.stamp().runId());
        g.writeArrayFieldStart("profiles");
        g.writeString(HOST_PROFILE);
        g.writeEndArray();
        g.writeEndObject();
        g.writeObjectFieldStart("device");
        g.writeNumberField("type_id", DEVICE_VIRTUAL);
        g.writeStringField("type", "Virtual");
        g.writeStringField("name", cell.stamp().cellId());
        g.writeEndObject();
    }

    /** A guest event's own attributes: who did it, and to what. */
    private void guest(JsonGenerator g, ProbeEvent e, String id) throws IOException {
        Extensions x = e.extensions();
        switch (e.source()) {
            case PROCESS_SPAWNED -> {
                launch(g, LAUNCH_FORK, "Fork");
                g.writeObjectFieldStart("actor");
                if (x.parentPid() != null) {
                    g.writeObjectFieldStart("process");
                    g.writeNumberField("pid", x.parentPid());
                    g.writeEndObject();
                } else {
                    process(g, e); // the parent is not known: the process stands for itself
                }
                g.writeEndObject();
                process(g, e);
            }
            case PROCESS_EXEC -> {
                launch(g, LAUNCH_EXEC, "Exec");
                actor(g, e);
                process(g, e);
            }
            case PROCESS_EXITED -> {
                WaitStatus w = x.exitCode() == null ? null : GuestFieldsJson.ended(x.exitCode());
                if (w != null) {
                    g.writeNumberField("exit_code", w.shellStatus());
                    g.writeStringField("status_detail", w.toString());
                }
                actor(g, e);
                process(g, e);
            }
            case NET_CONNECT_ATTEMPTED -> {
                actor(g, e);
                sourceEndpoint(g);
                if (x.peer() != null || x.host() != null) {
                    destination(g, x.peer(), x.host());
                }
                connectionInfo(g, x.protocol());
            }
            case NET_RAW_SOCKET_OPENED -> {
                actor(g, e);
                sourceEndpoint(g);
                if (x.socket() != null) {
                    g.writeStringField("message", "raw socket opened: " + x.socket());
                }
            }
            case FS_INOTIFY_FIRED -> {
                actor(g, e);
                g.writeObjectFieldStart("file");
                file(g, x.path(), FILE_UNKNOWN, "Unknown", null);
                g.writeEndObject();
            }
            case CAPABILITY_DENIED -> {
                actor(g, e);
                g.writeObjectFieldStart("kernel");
                g.writeStringField("name", x.syscall() == null ? "unknown system call" : "syscall " + x.syscall());
                g.writeNumberField("type_id", SYSTEM_CALL);
                g.writeStringField("type", "System Call");
                g.writeEndObject();
                failure(g, "refused" + (x.capability() == null ? "" : " (capability " + x.capability() + ")"));
            }
            case AGENT_TAMPERED -> {
                actor(g, e);
                String what = x.what() == null ? "" : x.what();
                finding(g, id, "The telemetry agent's means of observation were changed", what);
            }
            case TELEMETRY_DROPPED -> {
                actor(g, e);
                if (x.droppedTotal() != null) {
                    g.writeStringField("message", "the agent has dropped " + Long.toUnsignedString(x.droppedTotal())
                            + " events since it started");
                }
            }
            case AGENT_HEARTBEAT -> actor(g, e);
        }
    }

    /** A host-made event's own attributes. */
    private void host(JsonGenerator g, EventFacts facts, String id) throws IOException {
        switch (facts) {
            case EventFacts.AgentSilenced s -> finding(g, id, "The cell's telemetry went silent",
                    "no frame arrived for " + s.keepaliveMillis() + " ms, after " + s.framesReceived() + " frames");
            case EventFacts.ChannelRefused r -> {
                sourceEndpoint(g);
                g.writeObjectFieldStart("dst_endpoint");
                g.writeNumberField("port", r.port());
                g.writeStringField("svc_name", r.port() == 9000 ? "cellos exit code" : "cellos telemetry");
                g.writeEndObject();
                failure(g, r.reason());
                g.writeStringField("message", "connection " + r.connection() + " to port " + r.port() + " refused: "
                        + r.reason());
            }
            case EventFacts.HostDropped d -> g.writeStringField("message", "the host discarded " + d.total()
                    + " frames or connections of the cell: " + d.byCode());
            case EventFacts.RecordClosed c -> g.writeStringField("message", "the receiver closed the cell's record after "
                    + c.framesReceived() + " frames on " + c.connections() + " connections; the host discarded "
                    + c.hostDroppedTotal() + (c.agentDroppedTotal() < 0 ? "" : ", the agent reported "
                    + c.agentDroppedTotal() + " dropped"));
            case EventFacts.SinkDropped d -> g.writeStringField("message", "the " + d.sink() + " sink could not"
                    + " deliver " + d.total() + " events of the cell: " + d.reason());
            case EventFacts.Guest ignored -> throw new IllegalArgumentException("a guest event is not host-made");
        }
    }

    private static void launch(JsonGenerator g, int id, String name) throws IOException {
        g.writeNumberField("launch_type_id", id);
        g.writeStringField("launch_type", name);
    }

    /** {@code actor}: the process the event names. */
    private static void actor(JsonGenerator g, ProbeEvent e) throws IOException {
        g.writeObjectFieldStart("actor");
        process(g, e);
        g.writeEndObject();
    }

    /**
     * {@code process}: pid, name, command line, its executable's file (with its SHA-256) and its
     * parent, as far as the event says them. The executable is {@code path} on an exec, {@code exe}
     * on the other sources.
     */
    private static void process(JsonGenerator g, ProbeEvent e) throws IOException {
        Extensions x = e.extensions();
        g.writeObjectFieldStart("process");
        g.writeNumberField("pid", e.guestPid());
        if (!e.guestComm().isEmpty()) {
            g.writeStringField("name", e.guestComm());
        }
        if (x.cmdline() != null) {
            g.writeStringField("cmd_line", x.cmdline());
        }
        String exe = e.source() == ProbeSource.PROCESS_EXEC ? x.path() : x.exe();
        if (exe != null) {
            g.writeObjectFieldStart("file");
            file(g, exe, FILE_REGULAR, "Regular File", x.sha256());
            g.writeEndObject();
        }
        if (x.parentPid() != null) {
            g.writeObjectFieldStart("parent_process");
            g.writeNumberField("pid", x.parentPid());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /**
     * A file's members: {@code name} (the last part of {@code path}, or {@code (unknown)} without
     * one), {@code path}, its type, and its SHA-256 in {@code hashes} when known.
     */
    private static void file(JsonGenerator g, String path, int typeId, String type, String sha256)
            throws IOException {
        g.writeStringField("name", path == null ? "(unknown)" : path.substring(path.lastIndexOf('/') + 1));
        if (path != null) {
            g.writeStringField("path", path);
        }
        g.writeNumberField("type_id", typeId);
        g.writeStringField("type", type);
        if (sha256 != null) {
            g.writeArrayFieldStart("hashes");
            g.writeStartObject();
            g.writeNumberField("algorithm_id", SHA_256);
            g.writeStringField("algorithm", "SHA-256");
            g.writeStringField("value", sha256);
            g.writeEndObject();
            g.writeEndArray();
        }
    }

    /** {@code src_endpoint}: the cell, where the guest's traffic starts. */
    private void sourceEndpoint(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("src_endpoint");
        g.writeStringField("name", cell.stamp().cellId());
        g.writeEndObject();
    }

    /**
     * {@code connection_info} of an outbound connection whose {@code protocol} (protocol.md §4) is an
     * IP protocol: {@code tcp}, {@code udp} or a number from 0 to 255, as IANA names them. Nothing
     * for {@code unix}, an absent key, or anything else a guest may send.
     */
    private static void connectionInfo(JsonGenerator g, String protocol) throws IOException {
        int number = switch (protocol == null ? "" : protocol) {
            case "tcp" -> 6;
            case "udp" -> 17;
            default -> protocol != null && protocol.matches("[0-9]{1,3}") && Integer.parseInt(protocol) <= 255
                    ? Integer.parseInt(protocol) : -1;
        };
        if (number < 0) {
            return;
        }
        g.writeObjectFieldStart("connection_info");
        g.writeNumberField("direction_id", OUTBOUND);
        g.writeStringField("direction", "Outbound");
        if (number == 6 || number == 17) {
            g.writeStringField("protocol_name", number == 6 ? "tcp" : "udp");
        }
        g.writeNumberField("protocol_num", number);
        g.writeEndObject();
    }

    /**
     * {@code dst_endpoint} of a connect: {@code ip} and {@code port} for an IP peer
     * ({@code a.b.c.d:port}, {@code [v6%scope]:port}), else the peer as the agent wrote it as
     * {@code name} (a UNIX socket's {@code unix:PATH}, or anything a guest made up); {@code hostname}
     * from {@code host}.
     */
    private static void destination(JsonGenerator g, String peer, String host) throws IOException {
        g.writeObjectFieldStart("dst_endpoint");
        IpPort ip = peer == null ? null : IpPort.parse(peer);
        if (ip != null) {
            g.writeStringField("ip", ip.ip());
            g.writeNumberField("port", ip.port());
        } else if (peer != null) {
            g.writeStringField("name", peer);
        }
        if (host != null) {
            g.writeStringField("hostname", host);
        }
        g.writeEndObject();
    }

    /** An address and port as {@code ip:port} or {@code [ip]:port} write them. */
    private record IpPort(String ip, int port) {
        private static final Pattern IPV4 =
                Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
        /** The longest {@code ip_t} OCSF takes. */
        private static final int MAX_IP = 40;

        /** {@code peer} read as an IP literal and a port, or {@code null} if it is not one. */
        static IpPort parse(String peer) {
            int colon = peer.lastIndexOf(':');
            if (colon <= 0 || colon == peer.length() - 1 || peer.length() - colon > 6) {
                return null;
            }
            String host = peer.substring(0, colon);
            boolean bracketed = host.startsWith("[") && host.endsWith("]");
            if (bracketed) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(peer.substring(colon + 1));
            } catch (NumberFormatException e) {
                return null;
            }
            int scope = host.indexOf('%');
            String address = scope < 0 ? host : host.substring(0, scope);
            if (port < 0 || port > 65535 || host.length() > MAX_IP || bracketed != address.contains(":")
                    || !isIpLiteral(address)) {
                return null;
            }
            return new IpPort(host, port);
        }

        /**
         * Whether {@code address} is an IPv4 address in dotted-quad form, or an IPv6 address: the
         * forms OCSF's {@code ip_t} takes (not the short IPv4 forms such as {@code 127.1} the JDK
         * also reads).
         */
        private static boolean isIpLiteral(String address) {
            if (!address.contains(":")) {
                return IPV4.matcher(address).matches();
            }
            try {
                Inet6Address.ofLiteral(address);
                return true;
            } catch (IllegalArgumentException e) {
                return false; // not an address: the peer goes out as a name
            }
        }
    }

    /** {@code status_id} Failure, and why. */
    private static void failure(JsonGenerator g, String detail) throws IOException {
        g.writeNumberField("status_id", STATUS_FAILURE);
        g.writeStringField("status", "Failure");
        g.writeStringField("status_detail", detail);
    }

    /** A Detection Finding's own attributes: a new alert, titled, described, with the event's id as its uid. */
    private static void finding(JsonGenerator g, String id, String title, String desc) throws IOException {
        g.writeObjectFieldStart("finding_info");
        g.writeStringField("uid", id);
        g.writeStringField("title", title);
        g.writeStringField("desc", desc);
        g.writeEndObject();
        g.writeBooleanField("is_alert", true);
        g.writeNumberField("status_id", FINDING_NEW);
        g.writeStringField("status", "New");
        g.writeStringField("message", desc);
    }

    /** A guest event's wire keys that have no OCSF attribute. */
    private static void unmappedGuest(JsonGenerator g, ProbeEvent e) throws IOException {
        g.writeStringField("probe_source", e.source().wireName());
        g.writeNumberField("content_version", e.contentVersion());
        GuestFieldsJson.writeU64(g, "guest_monotonic_ns", e.guestMonotonicNs());
        for (Field f : UNMAPPED_KEYS) {
            GuestFieldsJson.writeKey(g, e.extensions(), f);
        }
    }
}
