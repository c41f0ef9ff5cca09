package io.cellos.telemetry.host.metrics;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Parses where the metrics endpoint listens: {@code HOST:PORT}, {@code [IPV6]:PORT}. PORT 0 asks the
 * system for a free port.
 */
public final class MetricsAddress {
    private MetricsAddress() {
    }

    /**
     * @throws IllegalArgumentException with a message that says what is wrong with {@code text}
     */
    public static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (for example 127.0.0.1:9464 or [::1]:9464)");
        }
        String host = text.substring(0, colon);
        String portText = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': an IPv6 address goes in brackets, as in [::1]:9464");
        }
        if (host.isEmpty() || !portText.chars().allMatch(c -> c >= '0' && c <= '9') || portText.length() > 5) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (for example 127.0.0.1:9464 or [::1]:9464)");
        }
        int port = Integer.parseInt(portText);
        if (port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " is beyond 65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "': unknown host " + host, e);
        }
    }
}
