package io.cellos.telemetry.host.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.WaitStatus;

import java.io.IOException;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Writes a frame's fields as JSON members, under their wire names — the form they take in a
 * CloudEvent's {@code data} and in {@code cellos frame decode} — with, beside {@code exit_code},
 * the exit status or signal it encodes.
 *
 * <p>Unsigned 64-bit values above 2^53-1 are written as decimal strings (I-JSON, RFC 7493 §2.2), so
 * that no consumer that reads numbers as doubles, and no canonical-JSON signature, loses a digit.
 *
 * <p>Key names and source names are written from their pre-encoded JSON form
 * ({@link SerializedString}), which the generator copies instead of encoding them again per event.
 */
public final class GuestFieldsJson {
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
    private static final SerializableString[] KEYS = preEncoded(Field.values(), Field::wireName);
    private static final SerializableString[] SOURCES = preEncoded(ProbeSource.values(), ProbeSource::wireName);

    /** The extension keys written out, in §4's order: all but the session. */
    private static final Field[] EXTENSION_KEYS = Arrays.stream(Field.values())
            .filter(f -> !f.core() && f != Field.SESSION).toArray(Field[]::new);

    private GuestFieldsJson() {
    }

    /** Writes every field of {@code e} into the object {@code g} is in. */
    public static void write(JsonGenerator g, ProbeEvent e) throws IOException {
        uint(g, Field.CONTENT_VERSION, e.contentVersion());
        g.writeFieldName(KEYS[Field.PROBE_SOURCE.ordinal()]);
        g.writeString(SOURCES[e.source().ordinal()]);
        uint(g, Field.GUEST_PID, e.guestPid());
        text(g, Field.GUEST_COMM, e.guestComm());
        uint(g, Field.GUEST_MONOTONIC_NS, e.guestMonotonicNs());
        Extensions x = e.extensions();
        for (Field f : EXTENSION_KEYS) {
            if (writeKey(g, x, f) && f == Field.EXIT_CODE) {
                termination(g, x.exitCode());
            }
        }
        // never the session: it is the agent's proof of its channel, and an event log can be read by others
    }

    /**
     * Beside the raw wait status, what a person reads at a glance, derived by the host:
     * {@code exit_status} (the code given to {@code exit}), or {@code exit_signal},
     * {@code exit_signal_name} and, when set, {@code core_dumped}. Nothing for a value that is not
     * the status of an ended process (a guest may send any 32-bit value).
     */
    private static void termination(JsonGenerator g, long raw) throws IOException {
        WaitStatus w = ended(raw);
        if (w == null) {
            return;
        }
        if (w.exited()) {
            g.writeNumberField("exit_status", w.code());
            return;
        }
        g.writeNumberField("exit_signal", w.signal());
        String name = WaitStatus.signalName(w.signal());
        if (name != null) {
            g.writeStringField("exit_signal_name", name);
        }
        if (w.coreDumped()) {
            g.writeBooleanField("core_dumped", true);
        }
    }

    /**
     * The wait status {@code raw} (an {@code exit_code}) as the status of a process that ended, or
     * {@code null} when it is not one (more than 16 bits, or a stopped process's): a guest may send
     * any 32-bit value.
     */
    static WaitStatus ended(long raw) {
        WaitStatus w = new WaitStatus((int) raw);
        return raw > 0xffff || !w.isTermination() ? null : w;
    }

    /**
     * Writes extension key {@code f} of {@code x} under its wire name, if {@code x} has it: an
     * unsigned key by the rule of {@link #writeU64}, a text key as a string.
     *
     * @return whether the key was present, and so written
     */
    static boolean writeKey(JsonGenerator g, Extensions x, Field f) throws IOException {
        Object v = x.value(f);
        if (v == null) {
            return false;
        }
        g.writeFieldName(KEYS[f.ordinal()]);
        if (v instanceof Number n) {
            u64(g, n.longValue());
        } else {
            g.writeString((String) v);
        }
        return true;
    }

    /** Writes an unsigned 64-bit value: a number while exact in a double, else a decimal string. */
    public static void writeU64(JsonGenerator g, String name, long v) throws IOException {
        g.writeFieldName(name);
        u64(g, v);
    }

    /** An unsigned key, by the rule of {@link #writeU64} (only the u64 keys can pass 2^53-1). */
    private static void uint(JsonGenerator g, Field field, long v) throws IOException {
        g.writeFieldName(KEYS[field.ordinal()]);
        u64(g, v);
    }

    private static void text(JsonGenerator g, Field field, String v) throws IOException {
        g.writeFieldName(KEYS[field.ordinal()]);
        g.writeString(v);
    }

    private static void u64(JsonGenerator g, long v) throws IOException {
        if (v >= 0 && v <= MAX_SAFE_INTEGER) {
            g.writeNumber(v);
        } else {
            g.writeString(Long.toUnsignedString(v));
        }
    }

    /** The names of {@code constants}, pre-encoded, indexed by ordinal. */
    private static <T extends Enum<T>> SerializableString[] preEncoded(T[] constants, Function<T, String> name) {
        SerializableString[] out = new SerializableString[constants.length];
        for (T c : constants) {
            out[c.ordinal()] = new SerializedString(name.apply(c));
        }
        return out;
    }
}
