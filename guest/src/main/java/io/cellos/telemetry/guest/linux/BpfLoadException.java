package io.cellos.telemetry.guest.linux;

import java.io.IOException;

/**
 * A program the kernel refused to load ({@code bpf(BPF_PROG_LOAD)}): which program, the errno, and
 * what the verifier said. The verifier writes its whole walk of the program before the reason it
 * stopped, so the message keeps the log's last {@value #MESSAGE_LOG_LINES} lines (the reason and the
 * instructions that led to it); {@link #verifierLog} has all of it.
 */
public final class BpfLoadException extends IOException {
    private static final long serialVersionUID = 1L;
    static final int MESSAGE_LOG_LINES = 12;

    private final String call;
    private final int errno;
    private final String verifierLog;

    /**
     * @param call        the call and the program's name ({@code "bpf(BPF_PROG_LOAD, process_exec)"})
     * @param errno       the error number
     * @param verifierLog the verifier's log, empty if it wrote none
     */
    BpfLoadException(String call, int errno, String verifierLog) {
        super(call + ": " + Errno.describe(errno) + tail(verifierLog));
        this.call = call;
        this.errno = errno;
        this.verifierLog = verifierLog;
    }

    /** The call that failed. */
    public String call() {
        return call;
    }

    /** The error number. */
    public int errno() {
        return errno;
    }

    /** The verifier's whole log, empty if it wrote none. */
    public String verifierLog() {
        return verifierLog;
    }

    private static String tail(String log) {
        String[] lines = log.strip().split("\n");
        if (lines.length == 1 && lines[0].isEmpty()) {
            return "; the verifier wrote no log";
        }
        int from = Math.max(0, lines.length - MESSAGE_LOG_LINES);
        return "; the verifier says" + (from > 0 ? " (last " + MESSAGE_LOG_LINES + " lines of " + lines.length + ")" : "")
                + ":\n  " + String.join("\n  ", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
