package io.cellos.telemetry.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one {@code cellos bench} run does.
 *
 * @param quick whether to make the short smoke run: fewer repeats, shorter phases, figures labelled
 * @param only  the figures to run, by name, in the suite's order; every figure if none was named
 * @param out   the Markdown file whose marked section the table replaces
 * @param root  the project directory: its jars are run, its commit is reported
 * @param help  whether only the help was asked for
 */
record BenchOptions(boolean quick, List<String> only, Path out, Path root, boolean help) {
    /**
     * Parses {@code cellos bench}'s arguments.
     *
     * @param root  the project directory
     * @param known the figures' names, in the suite's order
     * @throws IllegalArgumentException naming the argument at fault
     */
    static BenchOptions parse(List<String> args, Path root, List<String> known) {
        boolean quick = false;
        boolean help = false;
        Set<String> only = new LinkedHashSet<>();
        Path out = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--quick" -> quick = true;
                case "--help", "-h" -> help = true;
                case "--only", "--out" -> {
                    if (i + 1 == args.size() || args.get(i + 1).isEmpty() || args.get(i + 1).startsWith("--")) {
                        throw new IllegalArgumentException(a + " needs a value");
                    }
                    String v = args.get(++i);
                    if (a.equals("--out")) {
                        if (out != null) {
                            throw new IllegalArgumentException("--out given twice");
                        }
                        out = Path.of(v);
                    } else {
                        for (String name : v.split(",", -1)) {
                            if (!known.contains(name)) {
                                throw new IllegalArgumentException("--only: no figure '" + name + "'; known: "
                                        + String.join(", ", known));
                            }
                            only.add(name);
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        List<String> chosen = new ArrayList<>();
        for (String k : known) {
            if (only.isEmpty() || only.contains(k)) {
                chosen.add(k);
            }
        }
        return new BenchOptions(quick, List.copyOf(chosen), out != null ? out : root.resolve("BENCHMARKS.md"), root, help);
    }
}
