package io.cellos.telemetry.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Fixed events for example-based tests and for the cross-checks with other CBOR decoders. */
final class Events {
    /** The event of the golden vector, protocol.md §6. */
    public static final ProbeEvent GOLDEN = ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 42, "sh", 1_000_000_000L);

    /** Every unsigned field but {@code content_version}, whose encoding is always 16 bits wide. */
    public static final List<Field> INTEGER_FIELDS = Stream.of(Field.values())
            .filter(f -> f.isUnsigned() && f != Field.CONTENT_VERSION).toList();

    /** Names of every UTF-8 length, at, under and over 16 bytes, and with an unpaired surrogate. */
    static final List<String> COMMS = List.of("sh", "", "systemd-journald", "kworker/u16:2-events_unbound",
            "日本語のプロセス名", "😀😀😀😀😀", "a\uD800b", "é");

    static final List<String> TEXTS = List.of("/etc/passwd", "", "/tmp/ünïcödé/😀", "/var/" + "x".repeat(300),
            "10.0.0.1:443", "[2001:db8::1]:8443", "x\uDC00y");

    /** Command lines at, under and over the 1,024 bytes a {@code cmdline} may hold. */
    static final List<String> CMDLINES = List.of("/bin/sh -c 'echo hi'", "", "x".repeat(1024), "x".repeat(1025),
            "é".repeat(512), "😀".repeat(257), "ls '\uD800'");

    /** Digests of a varied form: every hex digit, all zeros, all {@code f}. */
    static final List<String> DIGESTS = List.of("0123456789abcdef".repeat(4), "0".repeat(64), "f".repeat(64));

    private Events() {
    }

    /** The golden event with integer field {@code f} set to {@code v}, at the version that calls for. */
    public static ProbeEvent withValue(Field f, long v) {
        ProbeEvent g = GOLDEN;
        return switch (f) {
            case GUEST_PID -> ProbeEvent.of(g.source(), v, g.guestComm(), g.guestMonotonicNs());
            case GUEST_MONOTONIC_NS -> ProbeEvent.of(g.source(), g.guestPid(), g.guestComm(), v);
            case DROPPED_TOTAL -> g.withExtensions(Extensions.NONE.withDroppedTotal(v));
            case PARENT_PID -> g.withExtensions(Extensions.NONE.withParentPid(v));
            case EXIT_CODE -> g.withExtensions(Extensions.NONE.withExitCode(v));
            case CAPABILITY -> g.withExtensions(Extensions.NONE.withCapability((int) v));
            case SYSCALL -> g.withExtensions(Extensions.NONE.withSyscall((int) v));
            default -> throw new IllegalArgumentException(f + " is not an integer field");
        };
    }

    /**
     * Every source, each with and without extension keys, with every width boundary in every
     * integer field and the {@link #COMMS}, {@link #TEXTS}, {@link #CMDLINES} and {@link #DIGESTS}
     * in turn. The keyed events carry nine extension keys each, the keys of {@code process.exec}
     * and {@code host}, {@code exe}, {@code protocol} or {@code socket} (by turns) in every other one: with the five core keys that
     * leaves room in the map's 16 entries for the two unknown keys the cross-checks add.
     */
    public static List<ProbeEvent> corpus() {
        long[] w = Expected.WIDTH_BOUNDARIES;
        List<ProbeEvent> out = new ArrayList<>();
        for (ProbeSource s : ProbeSource.values()) {
            for (int i = 0; i < w.length; i++) {
                ProbeEvent base = ProbeEvent.of(s, boundary(i, 0xffff_ffffL), COMMS.get(i % COMMS.size()), w[i]);
                out.add(base);
                boolean newKeys = i % 2 == 1;
                out.add(base.withExtensions(new Extensions(w[(i + s.ordinal()) % w.length],
                        boundary(i + 1, 0xffff_ffffL), boundary(i + 2, 0xffff_ffffL),
                        TEXTS.get(i % TEXTS.size()), TEXTS.get((i + 1) % TEXTS.size()),
                        newKeys ? null : (int) boundary(i, 0xff), (int) boundary(i, 0xffff),
                        newKeys ? null : TEXTS.get((i + 2) % TEXTS.size()),
                        newKeys ? null : TEXTS.get((i + 3) % TEXTS.size()),
                        newKeys ? CMDLINES.get((i / 2 + s.ordinal()) % CMDLINES.size()) : null,
                        newKeys ? DIGESTS.get((i / 2 + s.ordinal()) % DIGESTS.size()) : null,
                        newKeys && i % 8 == 1 ? TEXTS.get((i + 4) % TEXTS.size()) : null,
                        newKeys && i % 8 == 3 ? TEXTS.get((i + 5) % TEXTS.size()) : null,
                        newKeys && i % 8 == 7 ? TEXTS.get((i + 6) % TEXTS.size()) : null,
                        newKeys && i % 8 == 5 ? TEXTS.get((i + 7) % TEXTS.size()) : null)));
            }
        }
        return out;
    }

    /** The 24 orders of the four core keys that follow {@code content_version}. */
    public static List<List<String>> coreKeyOrders() {
        return permutations(List.of("probe_source", "guest_pid", "guest_comm", "guest_monotonic_ns"));
    }

    private static List<List<String>> permutations(List<String> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<String>> out = new ArrayList<>();
        for (String first : items) {
            List<String> rest = new ArrayList<>(items);
            rest.remove(first);
            for (List<String> tail : permutations(rest)) {
                List<String> p = new ArrayList<>(List.of(first));
                p.addAll(tail);
                out.add(p);
            }
        }
        return out;
    }

    private static long boundary(int i, long max) {
        long[] b = Expected.boundariesUpTo(max);
        return b[i % b.length];
    }
}
