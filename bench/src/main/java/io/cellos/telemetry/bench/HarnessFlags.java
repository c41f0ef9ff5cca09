package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.ExitCode;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code --name value} arguments of a harness's {@code main}, over its defaults: every name
 * must be one the harness knows, that is, one with a default.
 */
final class HarnessFlags {
    private final Map<String, String> values;

    private HarnessFlags(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param defaults every flag the harness knows (without {@code --}), with its default value
     * @throws IllegalArgumentException on an unknown flag or one without a value, saying which
     */
    static HarnessFlags parse(String[] args, Map<String, String> defaults) {
        Map<String, String> v = new LinkedHashMap<>(defaults);
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!defaults.containsKey(name)) {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --"
                        + String.join(", --", defaults.keySet()));
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            v.put(name, args[i + 1]);
        }
        return new HarnessFlags(v);
    }

    /** Whether {@code args} ask for the usage: {@code --help} or {@code -h}. */
    static boolean wantsHelp(String[] args) {
        return Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h");
    }

    /**
     * For a harness's {@code main}, before it runs: with {@code --help} or {@code -h}, prints {@code
     * usage} on standard output and exits 0; with arguments {@link #parse} refuses, prints what is
     * wrong and the usage on standard error and exits with {@link ExitCode#USAGE}; else returns.
     */
    static void checkForMain(String name, String usage, String[] args, Map<String, String> defaults) {
        if (wantsHelp(args)) {
            System.out.println(usage);
            System.exit(ExitCode.OK);
        }
        try {
            parse(args, defaults);
        } catch (IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.err.println(usage);
            System.exit(ExitCode.USAGE);
        }
    }

    String string(String name) {
        return values.get(name);
    }

    int integer(String name) {
        try {
            return Integer.parseInt(values.get(name));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " takes a whole number, not '" + values.get(name) + "'", e);
        }
    }

    /** All flags with the values in effect, for the record of a run. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        values.forEach((k, x) -> b.append(b.isEmpty() ? "" : " ").append("--").append(k).append(' ').append(x));
        return b.toString();
    }
}
