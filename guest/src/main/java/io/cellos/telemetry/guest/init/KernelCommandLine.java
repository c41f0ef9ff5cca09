package io.cellos.telemetry.guest.init;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The workload's argv as a microVM's kernel command line carries it: {@code cellos.argv=} followed
 * by the base64 of a JSON array of strings, e.g. {@code cellos.argv=WyIvYmluL3NoIiwiLWMiLCJ0cnVlIl0=}
 * for {@code ["/bin/sh","-c","true"]}.
 *
 * <p>The command line is input from outside: anything but exactly one well-formed, non-empty
 * array of strings is refused with a message saying what is wrong.
 */
public final class KernelCommandLine {
    static final String KEY = "cellos.argv=";

    private KernelCommandLine() {
    }

    /**
     * @param cmdline the contents of {@code /proc/cmdline}
     * @return the argv, or {@code null} if the command line has no {@code cellos.argv=}
     * @throws IllegalArgumentException if it is there but malformed, or there twice
     */
    public static List<String> argv(String cmdline) {
        String value = null;
        for (String word : cmdline.trim().split("\\s+")) {
            if (word.startsWith(KEY)) {
                if (value != null) {
                    throw new IllegalArgumentException(KEY + " appears twice on the kernel command line");
                }
                value = word.substring(KEY.length());
            }
        }
        if (value == null) {
            return null;
        }
        String json;
        try {
            json = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY + " is not base64: " + e.getMessage());
        }
        List<String> argv = new StringArrayParser(json).parse();
        if (argv.isEmpty() || argv.getFirst().isEmpty()) {
            throw new IllegalArgumentException(KEY + " holds an empty command");
        }
        return argv;
    }

    /** A strict parser of one JSON array of strings (RFC 8259), with nothing after it but whitespace. */
    private static final class StringArrayParser {
        private final String s;
        private int i;

        StringArrayParser(String s) {
            this.s = s;
        }

        List<String> parse() {
            List<String> out = new ArrayList<>();
            skipSpace();
            expect('[');
            skipSpace();
            if (peek() == ']') {
                i++;
            } else {
                while (true) {
                    skipSpace();
                    out.add(string());
                    skipSpace();
                    char c = next();
                    if (c == ']') {
                        break;
                    }
                    if (c != ',') {
                        throw error("expected , or ]");
                    }
                }
            }
            skipSpace();
            if (i != s.length()) {
                throw error("unexpected text after the array");
            }
            return out;
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return sb.toString();
                }
                if (c < 0x20) {
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private void skipSpace() {
            while (i < s.length() && " \t\n\r".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(i);
        }

        private char next() {
            char c = peek();
            i++;
            return c;
        }

        private void expect(char c) {
            if (next() != c) {
                i--;
                throw error("expected " + c);
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(KEY + " is not a JSON array of strings: " + what + " at character " + i);
        }
    }
}
