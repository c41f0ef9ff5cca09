package io.cellos.telemetry.host.sign;

/**
 * How a stream of signed events breaks a cell's hash chain (protocol.md §7.9). Each kind has a
 * stable {@code snake_case} code for scripts and counters.
 */
public enum ChainError {
    /**
     * The event carries no {@code cellosprev} of the form {@code sha256:<64 hex>}, or no string
     * {@code data.cell_id} and {@code data.run_id} to tell which chain it belongs to.
     */
    UNLINKED("unlinked"),
    /** The same event (the same signed bytes) comes twice: a copied line. */
    DUPLICATE("duplicate"),
    /** Two different events link to the same predecessor, or both claim to be the cell's first. */
    FORK("fork"),
    /** No event of the cell carries the first link: the head of its chain is not in the stream. */
    MISSING_FIRST("missing_first"),
    /** An event links to one that is not in the stream: something between them was removed. */
    MISSING_PREDECESSOR("missing_predecessor");

    private final String code;

    ChainError(String code) {
        this.code = code;
    }

    /** The stable {@code snake_case} name of this break. */
    public String code() {
        return code;
    }
}
