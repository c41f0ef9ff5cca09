package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Btf;

import java.io.IOException;

/**
 * The running kernel's BTF ({@link Btf#vmlinux}) for probes armed one after another: read at the
 * first {@link #get}, then the same to every later one, so that {@code /sys/kernel/btf/vmlinux}
 * (tens of milliseconds and megabytes of heap per parse) is parsed once per arming.
 *
 * <p>A probe holds the one it was made with only until its {@code arm} ends; whoever made it drops
 * it when the arming is done, and the BTF goes with it. Confined to the arming thread.
 */
public final class KernelBtf {
    private Btf btf;

    /** The BTF, read now if it was not yet. */
    Btf get() throws IOException {
        if (btf == null) {
            btf = Btf.vmlinux();
        }
        return btf;
    }
}
