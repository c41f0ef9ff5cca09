package io.cellos.telemetry.guest.command;

import io.cellos.telemetry.wire.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: {@code --name value}, {@code --name=value}, flags, repeated options and
 * positional arguments; {@code --} ends the options.
 *
 * <p>Each command states which options take a value and which are flags; anything else is refused
 * with a message naming the command's help, and so is an empty value, unless the command says that
 * an empty value means something for that option, and a flag given twice. An option that takes a
 * value may be given again only if the command reads it with {@link #values}.
 */
public final class Args {
    private final String command;
    private final Map<String, List<String>> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * @param command the command's words, for messages ({@code "frame encode"})
     * @param valued  options that take a value, without the dashes
     * @param flags   options that take none
     */
    public static Args parse(String command, List<String> argv, Set<String> valued, Set<String> flags) throws UsageException {
        return parse(command, argv, valued, flags, Set.of());
    }

    /**
     * As {@link #parse(String, List, Set, Set)}, with the options of {@code valued} that may be given
     * an empty value ({@code --comm ''}); any other option's empty value is refused.
     */
    public static Args parse(String command, List<String> argv, Set<String> valued, Set<String> flags,
                             Set<String> mayBeEmpty) throws UsageException {
        Args a = new Args(command);
        for (int i = 0; i < argv.size(); i++) {
            String s = argv.get(i);
            if (s.equals("--")) {
                a.positional.addAll(argv.subList(i + 1, argv.size()));
                break;
            }
            if (!s.startsWith("--") || s.length() == 2) {
                a.positional.add(s);
                continue;
            }
            String name = s.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name) || name.equals("help")) {
                if (value != null) {
                    throw a.usage("--" + name + " takes no value");
                }
                if (a.has(name)) {
                    throw a.usage("--" + name + " given twice; give it once");
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add("");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.size()) {
                        throw a.usage("--" + name + " needs a value");
                    }
                    value = argv.get(++i);
                }
                if (value.isEmpty() && !mayBeEmpty.contains(name)) {
                    throw a.usage("--" + name + " is given an empty value; give it one, or leave --" + name + " out");
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw a.usage("unknown option --" + name);
            }
        }
        return a;
    }

    public UsageException usage(String message) {
        return new UsageException(message + " (see 'cellos " + command + " --help')");
    }

    public boolean has(String name) {
        return options.containsKey(name);
    }

    /** The value of a single-valued option, or {@code null}; given twice is an error. */
    public String value(String name) throws UsageException {
        List<String> v = options.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw usage("--" + name + " given " + v.size() + " times; give it once");
        }
        return v.get(0);
    }

    public String required(String name) throws UsageException {
        String v = value(name);
        if (v == null) {
            throw usage("--" + name + " is required");
        }
        return v;
    }

    public List<String> values(String name) {
        return options.getOrDefault(name, List.of());
    }

    public List<String> positional() {
        return positional;
    }

    /**
     * The value of the single-valued option {@code name} as a duration longer than zero
     * ({@link Durations}' forms), or {@code otherwise} when it is not given.
     */
    public Duration positiveDuration(String name, Duration otherwise) throws UsageException {
        String text = value(name);
        if (text == null) {
            return otherwise;
        }
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw usage("--" + name + ": " + e.getMessage());
        }
        if (d.isZero()) {
            throw usage("--" + name + " " + text + " is no time at all; give a positive duration, e.g. "
                    + Durations.format(otherwise) + " (the default)");
        }
        return d;
    }

    /** A non-negative decimal integer no larger than {@code max}. */
    public long unsigned(String name, String text, long max) throws UsageException {
        long v;
        try {
            v = Long.parseUnsignedLong(text);
        } catch (NumberFormatException e) {
            throw usage(name + " must be a non-negative integer, got '" + text + "'");
        }
        if (Long.compareUnsigned(v, max) > 0) {
            throw usage(name + " must be at most " + Long.toUnsignedString(max) + ", got " + text);
        }
        return v;
    }
}
