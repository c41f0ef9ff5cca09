package io.cellos.telemetry.wire;

import static io.cellos.telemetry.wire.CborBytes.cbor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A body's map as an editable, ordered list of encoded entries, so a test can start from a valid
 * body, change one thing, and know the byte offset of every key and value it will ask about.
 */
final class MapBody {
    private final List<byte[]> keys = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();

    private MapBody() {
    }

    public static MapBody empty() {
        return new MapBody();
    }

    /** The body of protocol.md §6 ({@link Events#GOLDEN}), with the encoder's integer widths. */
    public static MapBody core() {
        return empty()
                .add("content_version", cbor().uint(Wire.VERSION_1_0, 2))
                .add("probe_source", cbor().text("process.spawned"))
                .add("guest_pid", cbor().uint(42))
                .add("guest_comm", cbor().text("sh"))
                .add("guest_monotonic_ns", cbor().uint(1_000_000_000L));
    }

    /** Appends an entry, even if the key is already present. */
    public MapBody add(String key, CborBytes value) {
        return add(cbor().text(key), value);
    }

    /** Appends an entry whose key is any CBOR item. */
    public MapBody add(CborBytes key, CborBytes value) {
        keys.add(key.toByteArray());
        values.add(value.toByteArray());
        return this;
    }

    /** Replaces the value of {@code key} in place, or appends the entry if the key is absent. */
    public MapBody put(String key, CborBytes value) {
        int i = indexOf(key);
        if (i < 0) {
            return add(key, value);
        }
        values.set(i, value.toByteArray());
        return this;
    }

    public MapBody remove(String key) {
        int i = requireIndex(key);
        keys.remove(i);
        values.remove(i);
        return this;
    }

    /** Moves {@code key}'s entry to position {@code to}. */
    public MapBody move(String key, int to) {
        return move(requireIndex(key), to);
    }

    /** Moves entry {@code from} to position {@code to}. */
    public MapBody move(int from, int to) {
        keys.add(to, keys.remove(from));
        values.add(to, values.remove(from));
        return this;
    }

    public int entries() {
        return keys.size();
    }

    /** The index of the first entry whose key is the text {@code key}, or -1. */
    public int indexOf(String key) {
        byte[] k = cbor().text(key).toByteArray();
        for (int i = 0; i < keys.size(); i++) {
            if (Arrays.equals(keys.get(i), k)) {
                return i;
            }
        }
        return -1;
    }

    /** Offset in {@link #body()} of entry {@code index}'s key. */
    public int keyOffset(int index) {
        int off = headerBytes();
        for (int i = 0; i < index; i++) {
            off += keys.get(i).length + values.get(i).length;
        }
        return off;
    }

    /** Offset in {@link #body()} of entry {@code index}'s value. */
    public int valueOffset(int index) {
        return keyOffset(index) + keys.get(index).length;
    }

    /** Offset in {@link #body()} of the value of the first entry keyed {@code key}. */
    public int valueOffset(String key) {
        return valueOffset(requireIndex(key));
    }

    /** The map with a header that declares as many entries as there are. */
    public byte[] body() {
        return body(cbor().map(entries()));
    }

    /** The entries behind {@code header}, which may declare anything. */
    public byte[] body(CborBytes header) {
        CborBytes out = cbor().append(header);
        for (int i = 0; i < keys.size(); i++) {
            out.append(keys.get(i)).append(values.get(i));
        }
        return out.toByteArray();
    }

    public byte[] frame() {
        return CborBytes.frame(body());
    }

    private int headerBytes() {
        return cbor().map(entries()).size();
    }

    private int requireIndex(String key) {
        int i = indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("no entry " + key);
        }
        return i;
    }
}
