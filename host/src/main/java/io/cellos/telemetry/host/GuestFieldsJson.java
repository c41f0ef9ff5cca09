package io.cellos.telemetry.host;

import com.fasterxml.jackson.core.JsonGenerator;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;

import java.io.IOException;

/**
 * Writes a frame's fields as JSON members, under their wire names: the form they take in a
 * CloudEvent's {@code data} and in {@code cellos frame decode}.
 *
 * <p>Unsigned 64-bit values above 2^53-1 are written as decimal strings (I-JSON, RFC 7493 §2.2), so
 * that no consumer that reads numbers as doubles, and no canonical-JSON signature, loses a digit.
 */
public final class GuestFieldsJson {
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private GuestFieldsJson() {
    }

    /** Writes every field of {@code e} into the object {@code g} is in. */
    public static void write(JsonGenerator g, ProbeEvent e) throws IOException {
        g.writeNumberField("content_version", e.contentVersion());
        g.writeStringField("probe_source", e.source().wireName());
        g.writeNumberField("guest_pid", e.guestPid());
        g.writeStringField("guest_comm", e.guestComm());
        writeU64(g, "guest_monotonic_ns", e.guestMonotonicNs());
        Extensions x = e.extensions();
        if (x.droppedTotal() != null) {
            writeU64(g, "dropped_total", x.droppedTotal());
        }
        if (x.parentPid() != null) {
            g.writeNumberField("parent_pid", x.parentPid());
        }
        if (x.exitCode() != null) {
            g.writeNumberField("exit_code", x.exitCode());
        }
        if (x.path() != null) {
            g.writeStringField("path", x.path());
        }
        if (x.peer() != null) {
            g.writeStringField("peer", x.peer());
        }
        if (x.capability() != null) {
            g.writeNumberField("capability", x.capability());
        }
        if (x.syscall() != null) {
            g.writeNumberField("syscall", x.syscall());
        }
    }

    /** Writes an unsigned 64-bit value: a number while exact in a double, else a decimal string. */
    public static void writeU64(JsonGenerator g, String name, long v) throws IOException {
        if (v >= 0 && v <= MAX_SAFE_INTEGER) {
            g.writeNumberField(name, v);
        } else {
            g.writeStringField(name, Long.toUnsignedString(v));
        }
    }
}
