package io.cellos.telemetry.host.sign;

import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * How a signed event names the one before it in its cell's hash chain (protocol.md §7.9): the
 * extension attribute {@link #ATTRIBUTE cellosprev}, whose value is {@code sha256:} and the
 * lower-case hex of the SHA-256 of the bytes the previous event's signature covers (its RFC 8785
 * canonical form with {@code sigalg}, {@code sigkid} and its own {@code cellosprev}, without
 * {@code sig}); {@link #FIRST} for a cell's first event. Stateless.
 */
public final class ChainLinks {
    /** The attribute that carries the link, at the top level of the event, beside the signature's. */
    public static final String ATTRIBUTE = "cellosprev";
    /**
     * The type of the event that closes a cell's chain: the receiver's {@code record_closed}
     * (protocol.md §7.11; {@code EventProjector.TYPE_CLOSED}), made when it lets the cell go. A chain
     * that ends with it was not cut short.
     */
    public static final String CLOSING_TYPE = "cell.observability.guest.record_closed";
    /** The link of a cell's first event: {@code sha256:} and 64 zeros, the digest of nothing. */
    public static final String FIRST = "sha256:" + "0".repeat(64);

    private static final Pattern LINK = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private ChainLinks() {
    }

    /** The link to an event whose signature covers {@code signedBytes}. */
    static String to(byte[] signedBytes) {
        return "sha256:" + HEX.formatHex(JdkAlgorithms.sha256().digest(signedBytes));
    }

    /** Whether {@code text} has the form of a link: {@code sha256:} and 64 lower-case hex digits. */
    static boolean isLink(String text) {
        return LINK.matcher(text).matches();
    }
}
