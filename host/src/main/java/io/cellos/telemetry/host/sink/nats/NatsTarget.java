package io.cellos.telemetry.host.sink.nats;

import io.cellos.telemetry.wire.Durations;
import io.nats.client.api.RetentionPolicy;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where and how a {@link NatsSink} publishes, as written on a command line:
 * {@code nats://HOST[:PORT][/STREAM][?option=value&...]}.
 *
 * <p>Options (all optional):
 * <ul>
 *   <li>{@code retention} ({@code limits}): the stream's retention policy, when the sink creates it:
 *       {@code limits} keeps events until a limit below removes them, {@code interest} while a
 *       consumer has yet to acknowledge them, {@code workqueue} until one consumer acknowledges them;</li>
 *   <li>{@code max-age} ({@code 7d}): how long the stream keeps an event, when the sink creates it;
 *       {@code 0s} keeps events until another limit removes them;</li>
 *   <li>{@code max-bytes} ({@code -1}, no limit): the stream's size limit, when the sink creates it,
 *       in bytes or with a suffix {@code KiB}, {@code MiB}, {@code GiB};</li>
 *   <li>{@code replicas} ({@code 1}): copies of the stream in a JetStream cluster (1 to 5), when the
 *       sink creates it;</li>
 *   <li>{@code buffer} ({@code 100000}): events the sink holds, waiting for JetStream's ack, before it
 *       drops and counts;</li>
 *   <li>{@code in-flight} ({@code 256}): events published and not yet acknowledged, at most;</li>
 *   <li>{@code ack-wait} ({@code 5s}): how long an ack may take before the event is sent again;</li>
 *   <li>{@code drain} ({@code 10s}): how long closing the sink waits for held events to be acknowledged.</li>
 * </ul>
 *
 * @param host     the server's host name or address
 * @param port     its client port
 * @param stream   the JetStream stream, {@code [A-Za-z0-9_-]{1,64}}
 * @param retention the stream's retention policy when created
 * @param maxAge   the stream's age limit when created ({@link Duration#ZERO}: none)
 * @param maxBytes the stream's size limit when created (-1: none)
 * @param replicas the stream's replicas when created
 * @param buffer   events held before dropping
 * @param inFlight events awaiting their ack, at most
 * @param ackWait  how long an ack may take
 * @param drain    how long {@link NatsSink#close} waits
 */
public record NatsTarget(String host, int port, String stream, RetentionPolicy retention, Duration maxAge,
                         long maxBytes, int replicas,
                         int buffer, int inFlight, Duration ackWait, Duration drain) {
    public static final int DEFAULT_PORT = 4222;
    public static final String DEFAULT_STREAM = "CELLOS_EVENTS";
    private static final Pattern STREAM_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern BYTES = Pattern.compile("(\\d{1,15})(|KiB|MiB|GiB)");

    public NatsTarget {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("a NATS target needs a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("NATS port " + port + " is not in 1..65535");
        }
        if (!isName(stream)) {
            throw new IllegalArgumentException("stream name '" + stream + "' is not [A-Za-z0-9_-]{1,64}");
        }
        if (retention == null) {
            throw new IllegalArgumentException("a NATS target needs a retention policy");
        }
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("max-age cannot be negative");
        }
        if (maxBytes < -1 || maxBytes == 0) {
            throw new IllegalArgumentException("max-bytes is a positive size, or -1 for no limit");
        }
        if (replicas < 1 || replicas > 5) {
            throw new IllegalArgumentException("replicas is 1 to 5 (JetStream's limit), not " + replicas);
        }
        if (buffer < 1 || inFlight < 1 || inFlight > buffer) {
            throw new IllegalArgumentException("buffer and in-flight are positive and in-flight <= buffer (buffer "
                    + buffer + ", in-flight " + inFlight + ")");
        }
        if (ackWait.isNegative() || ackWait.isZero() || drain.isNegative()) {
            throw new IllegalArgumentException("ack-wait is positive and drain is not negative");
        }
    }

    /** The defaults for {@code host:port} and {@code stream}. */
    public static NatsTarget of(String host, int port, String stream) {
        return new NatsTarget(host, port, stream, RetentionPolicy.Limits, Duration.ofDays(7), -1, 1, 100_000, 256,
                Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    /** Whether {@code name} is a name JetStream takes for a stream or a durable consumer here: {@code [A-Za-z0-9_-]{1,64}}. */
    public static boolean isName(String name) {
        return name != null && STREAM_NAME.matcher(name).matches();
    }

    /** Whether {@code text} names a NATS target (by its scheme), so a caller can tell it from a file path. */
    public static boolean names(String text) {
        return text != null && text.regionMatches(true, 0, "nats://", 0, 7);
    }

    /**
     * Parses {@code nats://HOST[:PORT][/STREAM][?option=value&...]}.
     *
     * @throws IllegalArgumentException saying what is wrong and what is accepted
     */
    public static NatsTarget parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getMessage() + "; write "
                    + "nats://HOST:PORT[/STREAM]");
        }
        if (!"nats".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("'" + text + "' is not nats://HOST:PORT[/STREAM]");
        }
        if (uri.getUserInfo() != null || uri.getFragment() != null) {
            throw new IllegalArgumentException("'" + text + "': credentials and fragments are not supported");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        String stream = path.isEmpty() || path.equals("/") ? DEFAULT_STREAM : path.substring(1);
        NatsTarget t = of(uri.getHost(), uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort(), stream);
        Map<String, String> options = options(uri.getRawQuery(), text);
        String retention = options.remove("retention");
        String maxAge = options.remove("max-age");
        String maxBytes = options.remove("max-bytes");
        String replicas = options.remove("replicas");
        String buffer = options.remove("buffer");
        String inFlight = options.remove("in-flight");
        String ackWait = options.remove("ack-wait");
        String drain = options.remove("drain");
        if (!options.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + options.keySet() + " in '" + text
                    + "'; known: retention, max-age, max-bytes, replicas, buffer, in-flight, ack-wait, drain");
        }
        return new NatsTarget(t.host, t.port, t.stream,
                retention != null ? retention(retention) : t.retention,
                maxAge != null ? Durations.parse(maxAge) : t.maxAge,
                maxBytes != null ? bytes(maxBytes) : t.maxBytes,
                replicas != null ? number("replicas", replicas) : t.replicas,
                buffer != null ? number("buffer", buffer) : t.buffer,
                inFlight != null ? number("in-flight", inFlight)
                        : Math.min(t.inFlight, buffer != null ? number("buffer", buffer) : t.buffer),
                ackWait != null ? Durations.parse(ackWait) : t.ackWait,
                drain != null ? Durations.parse(drain) : t.drain);
    }

    /** The server's URL for the client library: {@code nats://host:port}. */
    public String serverUrl() {
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        return "nats://" + h + ":" + port;
    }

    /** How the target reads in messages: {@code nats://host:port/STREAM}. */
    @Override
    public String toString() {
        return serverUrl() + "/" + stream;
    }

    private static Map<String, String> options(String query, String text) {
        Map<String, String> options = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return options;
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException("'" + pair + "' in '" + text + "' is not option=value");
            }
            if (options.put(pair.substring(0, eq).toLowerCase(Locale.ROOT), pair.substring(eq + 1)) != null) {
                throw new IllegalArgumentException("option '" + pair.substring(0, eq) + "' given twice in '" + text + "'");
            }
        }
        return options;
    }

    private static RetentionPolicy retention(String value) {
        return switch (value) {
            case "limits" -> RetentionPolicy.Limits;
            case "interest" -> RetentionPolicy.Interest;
            case "workqueue" -> RetentionPolicy.WorkQueue;
            default -> throw new IllegalArgumentException("retention=" + value + " is not limits, interest or workqueue");
        };
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a whole number");
        }
    }

    private static long bytes(String value) {
        if (value.equals("-1")) {
            return -1;
        }
        var m = BYTES.matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("max-bytes=" + value + " is not a size; write e.g. 1073741824, 512MiB or 10GiB");
        }
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("max-bytes=" + value + " is too large");
        }
        return n << shift;
    }
}
