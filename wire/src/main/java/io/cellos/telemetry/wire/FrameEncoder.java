package io.cellos.telemetry.wire;

/**
 * Writes frames (protocol.md §2–§4) into a buffer the caller owns, allocating nothing.
 *
 * <p>Two ways in: {@link #encode(ProbeEvent, byte[], int)} for a whole event, or the flyweight
 * sequence {@link #begin begin}, any number of {@link #uint}/{@link #text} extension keys in
 * {@link Field} order, then {@link #finish} — the form the agent uses on its hot path, where no
 * {@link ProbeEvent} is ever built.
 *
 * <p>Integers are written in their shortest form. The map header and the minor version are
 * patched by {@link #finish}: {@code 0x0100} becomes {@code 0x0101} when an extension key was
 * written, as §4 requires.
 *
 * <p>Not thread-safe: one instance per thread. An instance holds no buffer of its own.
 */
public final class FrameEncoder {
    private static final int MAJOR_UINT = 0;
    private static final int MAJOR_TEXT = 3;
    private static final int MAJOR_MAP = 5;

    private byte[] buf;
    private int frameOff;
    private int pos;
    private int limit;
    private int entries;
    private int lastField;
    private int versionMinorPos;
    private boolean extended;

    /**
     * Encodes {@code event} as one frame at {@code off} and returns the frame's length, prefix
     * included.
     *
     * @throws FrameException with {@link FrameError#FRAME_TOO_LARGE} if the body would pass
     *                        {@link Wire#MAX_BODY_BYTES} (a very long path or peer), or
     *                        {@link FrameError#TOO_MANY_ENTRIES} if the event has more than
     *                        {@link Wire#MAX_ENTRIES} keys (more than 11 extension keys);
     *                        nothing usable is left in {@code dst}
     * @throws IndexOutOfBoundsException if {@code dst} has no room for the frame
     */
    public int encode(ProbeEvent event, byte[] dst, int off) throws FrameException {
        begin(dst, off, event.contentVersion(), event.source(), event.guestPid(), event.guestComm(),
                event.guestMonotonicNs());
        Extensions x = event.extensions();
        if (x.droppedTotal() != null) {
            uint(Field.DROPPED_TOTAL, x.droppedTotal());
        }
        if (x.parentPid() != null) {
            uint(Field.PARENT_PID, x.parentPid());
        }
        if (x.exitCode() != null) {
            uint(Field.EXIT_CODE, x.exitCode());
        }
        if (x.path() != null) {
            text(Field.PATH, x.path());
        }
        if (x.peer() != null) {
            text(Field.PEER, x.peer());
        }
        if (x.capability() != null) {
            uint(Field.CAPABILITY, x.capability());
        }
        if (x.syscall() != null) {
            uint(Field.SYSCALL, x.syscall());
        }
        if (x.session() != null) {
            text(Field.SESSION, x.session());
        }
        if (x.what() != null) {
            text(Field.WHAT, x.what());
        }
        if (x.cmdline() != null) {
            text(Field.CMDLINE, x.cmdline());
        }
        if (x.sha256() != null) {
            text(Field.SHA256, x.sha256());
        }
        if (x.host() != null) {
            text(Field.HOST, x.host());
        }
        if (x.exe() != null) {
            text(Field.EXE, x.exe());
        }
        if (x.socket() != null) {
            text(Field.SOCKET, x.socket());
        }
        if (x.protocol() != null) {
            text(Field.PROTOCOL, x.protocol());
        }
        return finish();
    }

    /**
     * Starts a frame at {@code off} with the five core keys. {@code comm} is cut at a character
     * boundary to {@link Wire#MAX_COMM_BYTES} bytes of UTF-8.
     *
     * @param contentVersion a version of major 1; its minor is raised to 1 by {@link #finish} if
     *                       an extension key follows
     * @return this encoder
     */
    public FrameEncoder begin(byte[] dst, int off, int contentVersion, ProbeSource source, long pid,
                              CharSequence comm, long monotonicNs) throws FrameException {
        if (contentVersion < 0 || contentVersion > 0xffff || Wire.major(contentVersion) != Wire.SUPPORTED_MAJOR) {
            throw new IllegalArgumentException("content_version must be 0x01xx");
        }
        checkUnsigned(Field.GUEST_PID, pid);
        this.buf = dst;
        this.frameOff = off;
        this.limit = Math.min(dst.length, off + Wire.MAX_FRAME_BYTES);
        this.pos = off + Wire.HEADER_BYTES + 1; // map header patched by finish()
        this.entries = 0;
        this.extended = false;
        writeKey(Field.CONTENT_VERSION);
        require(3);
        buf[pos++] = 0x19; // always 16 bits wide, so finish() can patch the minor in place
        buf[pos++] = (byte) (contentVersion >>> 8);
        versionMinorPos = pos;
        buf[pos++] = (byte) contentVersion;
        writeKey(Field.PROBE_SOURCE);
        byte[] name = source.utf8();
        writeHead(MAJOR_TEXT, name.length);
        require(name.length);
        System.arraycopy(name, 0, buf, pos, name.length);
        pos += name.length;
        writeKey(Field.GUEST_PID);
        writeHead(MAJOR_UINT, pid);
        writeKey(Field.GUEST_COMM);
        writeText(comm, Utf8.measure(comm, Wire.MAX_COMM_BYTES), false);
        writeKey(Field.GUEST_MONOTONIC_NS);
        writeHead(MAJOR_UINT, monotonicNs);
        lastField = Field.GUEST_MONOTONIC_NS.ordinal();
        return this;
    }

    /**
     * Adds an unsigned extension key. Keys must come in {@link Field} order, each at most once.
     *
     * @throws IllegalArgumentException if the field is not an unsigned extension field or the
     *                                  value is out of its range
     */
    public FrameEncoder uint(Field field, long value) throws FrameException {
        checkUnsigned(field, value);
        checkExtension(field, true);
        writeKey(field);
        writeHead(MAJOR_UINT, value);
        return this;
    }

    /**
     * Adds a text extension key, written whole unless it passes its field's
     * {@link Field#maxBytes()}: a longer {@code cmdline} is cut at a character boundary and ends
     * in {@link CommandLine#CUT_MARK}, within the limit, as protocol.md §4 says.
     *
     * @throws IllegalArgumentException if the field is not a text extension field, or the value
     *                                  is not of the field's form (a {@code sha256} that is not 64
     *                                  lowercase hex digits)
     * @throws FrameException with {@link FrameError#FRAME_TOO_LARGE} if it does not fit the body,
     *                        {@link FrameError#TOO_MANY_ENTRIES} if the map already has
     *                        {@link Wire#MAX_ENTRIES} keys
     */
    public FrameEncoder text(Field field, CharSequence value) throws FrameException {
        if (!field.isWellFormed(value)) {
            throw new IllegalArgumentException(field.wireName() + " is not well-formed: '" + value + "'");
        }
        checkExtension(field, false);
        writeKey(field);
        long whole = Utf8.measure(value, field.maxBytes());
        if ((int) (whole >>> 32) == value.length()) {
            writeText(value, whole, false);
        } else {
            writeText(value, Utf8.measure(value, field.maxBytes() - CommandLine.CUT_MARK_UTF8.length), true);
        }
        return this;
    }

    /** Completes the frame: patches the map header, version and prefix; returns the frame's length. */
    public int finish() {
        if (buf == null) {
            throw new IllegalStateException("begin() first");
        }
        int bodyOff = frameOff + Wire.HEADER_BYTES;
        buf[bodyOff] = (byte) (MAJOR_MAP << 5 | entries); // entries <= MAX_ENTRIES (16) < 24: one byte
        if (extended && buf[versionMinorPos] == 0) {
            buf[versionMinorPos] = 1;
        }
        int bodyLength = pos - bodyOff;
        Wire.writeLength(buf, frameOff, bodyLength);
        buf = null;
        return bodyLength + Wire.HEADER_BYTES;
    }

    private void checkExtension(Field field, boolean unsigned) {
        if (buf == null) {
            throw new IllegalStateException("begin() first");
        }
        if (field.core() || field.isUnsigned() != unsigned) {
            throw new IllegalArgumentException(field.wireName() + " is not an " + (unsigned ? "unsigned" : "text")
                    + " extension key");
        }
        if (field.ordinal() <= lastField) {
            throw new IllegalStateException(field.wireName() + " written out of order or twice");
        }
        lastField = field.ordinal();
        extended = true;
    }

    private static void checkUnsigned(Field field, long value) {
        if (Long.compareUnsigned(value, field.max()) > 0) {
            throw new IllegalArgumentException(field.wireName() + " out of range: " + Long.toUnsignedString(value));
        }
    }

    private void writeKey(Field field) throws FrameException {
        if (entries == Wire.MAX_ENTRIES) {
            buf = null;
            throw new FrameException(FrameError.TOO_MANY_ENTRIES, field.wireName(), -1,
                    "the map would have more than " + Wire.MAX_ENTRIES + " entries");
        }
        byte[] name = field.utf8();
        require(1 + name.length);
        buf[pos++] = (byte) (MAJOR_TEXT << 5 | name.length); // every key name is under 24 bytes
        System.arraycopy(name, 0, buf, pos, name.length);
        pos += name.length;
        entries++;
    }

    /**
     * Writes the prefix of {@code s} that {@code measure} describes ({@link Utf8#measure}), then
     * the cut mark if {@code cut}.
     */
    private void writeText(CharSequence s, long measure, boolean cut) throws FrameException {
        int bytes = (int) measure + (cut ? CommandLine.CUT_MARK_UTF8.length : 0);
        writeHead(MAJOR_TEXT, bytes);
        require(bytes);
        pos = Utf8.encode(s, (int) (measure >>> 32), buf, pos);
        if (cut) {
            System.arraycopy(CommandLine.CUT_MARK_UTF8, 0, buf, pos, CommandLine.CUT_MARK_UTF8.length);
            pos += CommandLine.CUT_MARK_UTF8.length;
        }
    }

    private void writeHead(int major, long value) throws FrameException {
        int m = major << 5;
        if (Long.compareUnsigned(value, 24) < 0) {
            require(1);
            buf[pos++] = (byte) (m | (int) value);
        } else if (Long.compareUnsigned(value, 0xffL) <= 0) {
            require(2);
            buf[pos++] = (byte) (m | 24);
            buf[pos++] = (byte) value;
        } else if (Long.compareUnsigned(value, 0xffffL) <= 0) {
            require(3);
            buf[pos++] = (byte) (m | 25);
            buf[pos++] = (byte) (value >>> 8);
            buf[pos++] = (byte) value;
        } else if (Long.compareUnsigned(value, 0xffff_ffffL) <= 0) {
            require(5);
            buf[pos++] = (byte) (m | 26);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (value >>> shift);
            }
        } else {
            require(9);
            buf[pos++] = (byte) (m | 27);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[pos++] = (byte) (value >>> shift);
            }
        }
    }

    private void require(int n) throws FrameException {
        if ((long) pos + n > limit) {
            if (limit == frameOff + Wire.MAX_FRAME_BYTES) {
                throw tooLarge();
            }
            throw new IndexOutOfBoundsException("no room for the frame in the buffer at offset " + pos);
        }
    }

    private FrameException tooLarge() {
        buf = null;
        return new FrameException(FrameError.FRAME_TOO_LARGE, null, -1,
                "the body would exceed " + Wire.MAX_BODY_BYTES + " bytes");
    }
}
