package io.cellos.telemetry.guest.linux;

/**
 * The calls that make the kernel signal a process of the caller's choosing when a file is ready
 * ({@code SIGIO}, or any signal set with {@code F_SETSIG}): a file's owner. The seccomp gate keeps
 * them from naming init or the agent.
 */
public final class SignalRoutes {
    /** {@code fcntl(fd, F_SETOWN, pid)}; a negative pid names a process group. */
    public static final int F_SETOWN = 8;
    /** {@code fcntl(fd, F_SETOWN_EX, &owner)}: the owner behind a pointer. */
    public static final int F_SETOWN_EX = 15;
    /** {@code ioctl(fd, FIOSETOWN, &pid)}. */
    public static final int FIOSETOWN = 0x8901;
    /** {@code ioctl(fd, SIOCSPGRP, &pgrp)} on a socket. */
    public static final int SIOCSPGRP = 0x8902;

    private SignalRoutes() {
    }
}
