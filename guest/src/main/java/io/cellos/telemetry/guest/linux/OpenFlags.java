package io.cellos.telemetry.guest.linux;

/** The {@code O_*} flags of {@code open(2)} and {@code pipe2(2)} on x86-64 Linux. */
public final class OpenFlags {
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 0x2;
    public static final int O_CREAT = 0x40;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_LARGEFILE = 0x8000;
    public static final int O_DIRECTORY = 0x10000;
    public static final int O_CLOEXEC = 0x80000;
    /** {@code O_PATH}: a handle on the file for *at calls, which opens nothing. */
    public static final int O_PATH = 0x200000;

    private OpenFlags() {
    }
}
