package io.cellos.telemetry.wire;

import java.util.Objects;

/**
 * One observation, as a frame carries it (protocol.md §3–§4).
 *
 * <p>Values are checked on construction: {@code content_version} must be of major 1 and fit 16
 * bits, {@code guest_pid} must fit 32 bits unsigned. {@code guest_comm} may be longer than 16
 * bytes here; the encoder truncates it at a character boundary, and the decoder never produces
 * a longer one. {@code guestMonotonicNs} is an unsigned 64-bit value held in a {@code long}.
 *
 * @param contentVersion   the {@code content_version} (high byte major, low byte minor)
 * @param source           what the event is about
 * @param guestPid         the pid in the guest's root PID namespace
 * @param guestComm        the process name
 * @param guestMonotonicNs guest {@code CLOCK_MONOTONIC} when the probe fired
 * @param extensions       the version 1.1 keys, {@link Extensions#NONE} for none
 */
public record ProbeEvent(int contentVersion, ProbeSource source, long guestPid, String guestComm,
                         long guestMonotonicNs, Extensions extensions) {

    public ProbeEvent {
        if (contentVersion < 0 || contentVersion > 0xffff || Wire.major(contentVersion) != Wire.SUPPORTED_MAJOR) {
            throw new IllegalArgumentException("content_version must be 0x01xx, got 0x" + Integer.toHexString(contentVersion));
        }
        Objects.requireNonNull(source, "source");
        if (guestPid < 0 || guestPid > Field.GUEST_PID.max()) {
            throw new IllegalArgumentException("guest_pid out of u32 range: " + guestPid);
        }
        Objects.requireNonNull(guestComm, "guestComm");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** An event with only the core keys, at version 1.0. */
    public static ProbeEvent of(ProbeSource source, long guestPid, String guestComm, long guestMonotonicNs) {
        return new ProbeEvent(Wire.VERSION_1_0, source, guestPid, guestComm, guestMonotonicNs, Extensions.NONE);
    }

    /**
     * This event with the given extension keys, at the version they call for: 1.1 when any key is
     * present, 1.0 when none is.
     */
    public ProbeEvent withExtensions(Extensions ext) {
        return new ProbeEvent(ext.isEmpty() ? Wire.VERSION_1_0 : Wire.VERSION_1_1, source, guestPid, guestComm,
                guestMonotonicNs, ext);
    }
}
