package io.cellos.telemetry.wire;

import java.util.List;
import java.util.stream.LongStream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators for the properties: every field over its whole range, with the CBOR width
 * boundaries ({@link Expected#WIDTH_BOUNDARIES}) drawn often rather than left to chance, and
 * text over all of Unicode including unpaired surrogates.
 */
final class WireArbitraries {
    private WireArbitraries() {
    }

    /** Unsigned values up to {@code max} (compared unsigned; {@code -1} is 2^64-1). */
    public static Arbitrary<Long> unsigned(long max) {
        Arbitrary<Long> range = max == -1L ? Arbitraries.longs() : Arbitraries.longs().between(0, max);
        List<Long> boundaries = LongStream.of(Expected.boundariesUpTo(max)).boxed().toList();
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.of(boundaries)), Tuple.of(2, range));
    }

    public static Arbitrary<Long> u64() {
        return unsigned(-1L);
    }

    public static Arbitrary<Long> u32() {
        return unsigned(0xffff_ffffL);
    }

    public static Arbitrary<Integer> u16() {
        return unsigned(0xffffL).map(Long::intValue);
    }

    public static Arbitrary<Integer> u8() {
        return unsigned(0xffL).map(Long::intValue);
    }

    /**
     * Code points of every UTF-8 length, and surrogates on their own; two adjacent surrogate
     * code points may still pair up into one supplementary character, which is wanted.
     */
    public static Arbitrary<Integer> codePoints() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0, 0x7f)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0x7ff)),
                Tuple.of(2, Arbitraries.integers().between(0x800, 0xffff)),
                Tuple.of(2, Arbitraries.integers().between(0x1_0000, Character.MAX_CODE_POINT)),
                Tuple.of(1, Arbitraries.integers().between(Character.MIN_SURROGATE, Character.MAX_SURROGATE)));
    }

    public static Arbitrary<String> text(int maxCodePoints) {
        return codePoints().list().ofMaxSize(maxCodePoints).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }

    /** Process names: often longer than the 16 bytes the encoder keeps. */
    public static Arbitrary<String> comms() {
        return text(24);
    }

    /** Lowercase hex SHA-256 digests: 64 digits from {@code [0-9a-f]}. */
    public static Arbitrary<String> digests() {
        return Arbitraries.strings().withChars("0123456789abcdef").ofLength(64);
    }

    /**
     * Any subset of at most 11 of the 14 extension keys (a map holds 16 keys, 5 of them core:
     * {@code host} and {@code capability} never come together, nor {@code exe} and
     * {@code syscall}, nor {@code socket} and {@code session}); sizes keep the whole body under 4096 bytes. A {@code cmdline} is often
     * longer than the 1,024 bytes the encoder keeps.
     */
    public static Arbitrary<Extensions> extensions() {
        Arbitrary<Extensions> eight = Combinators.combine( // jqwik combines at most eight at once
                u64().injectNull(0.5), u32().injectNull(0.5), u32().injectNull(0.5),
                text(250).injectNull(0.5), text(150).injectNull(0.5),
                u8().injectNull(0.5), u16().injectNull(0.5), text(40).injectNull(0.5))
                .as((d, p, x, path, peer, cap, sys, session) -> new Extensions(d, p, x, path, peer, cap, sys, session,
                        null, null, null, null, null, null, null));
        Arbitrary<Extensions> some = Combinators.combine(eight, text(60).injectNull(0.5), text(300).injectNull(0.5),
                        digests().injectNull(0.5), text(60).injectNull(0.5), text(60).injectNull(0.5),
                        text(40).injectNull(0.5), text(8).injectNull(0.5))
                .as((x, what, cmdline, sha256, host, exe, socket, protocol) -> x.withWhat(what).withCmdline(cmdline)
                        .withSha256(sha256).withHost(x.capability() == null ? host : null)
                        .withExe(x.syscall() == null ? exe : null).withSocket(x.session() == null ? socket : null)
                        .withProtocol(x.parentPid() == null ? protocol : null));
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(Extensions.NONE)), Tuple.of(3, some));
    }

    /** Events as the agent makes them: version 0x0100, or 0x0101 with extension keys. */
    public static Arbitrary<ProbeEvent> events() {
        return Combinators.combine(Arbitraries.of(ProbeSource.class), u32(), comms(), u64(), extensions())
                .as((source, pid, comm, mono, ext) -> ProbeEvent.of(source, pid, comm, mono).withExtensions(ext));
    }

    /** Events of any version of major 1, whatever keys they carry. */
    public static Arbitrary<ProbeEvent> eventsOfAnyMinor() {
        return Combinators.combine(events(), Arbitraries.integers().between(0, 0xff))
                .as((e, minor) -> new ProbeEvent(Wire.VERSION_1_0 | minor, e.source(), e.guestPid(), e.guestComm(),
                        e.guestMonotonicNs(), e.extensions()));
    }
}
