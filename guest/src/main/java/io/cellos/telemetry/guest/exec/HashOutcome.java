package io.cellos.telemetry.guest.exec;

/** How a request for an executable's hash was answered; {@link HashCounters} counts each. */
public enum HashOutcome {
    /** The file was read and hashed for this request. */
    HASHED("hashed"),
    /** Answered without reading the file again: it was hashed before, or for another request at the same time. */
    CACHED("from cache"),
    /** Not hashed: too many files or requests were in flight (queued, being hashed, or not yet drained). */
    BUSY("busy"),
    /** Not hashed: the file is larger than the most the hasher reads. */
    TOO_LARGE("too large"),
    /** Not hashed: the process had ended (or exec'd nothing the kernel still shows) when the request came. */
    PROCESS_GONE("process gone"),
    /** Not hashed: a call failed, or the file changed while it was read; the reason says which. */
    FAILED("failed");

    private final String label;

    HashOutcome(String label) {
        this.label = label;
    }

    /** Whether an answer with this outcome carries a hash. */
    public boolean hashed() {
        return this == HASHED || this == CACHED;
    }

    /** Its name in a summary ({@code "from cache"}). */
    public String label() {
        return label;
    }
}
