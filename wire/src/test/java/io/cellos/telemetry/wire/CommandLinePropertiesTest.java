package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link CommandLine} over arbitrary argument areas: its output is valid UTF-8 within the limit,
 * is exactly what an independent model of §4 writes, and when it is not cut a POSIX shell reads
 * it back as the arguments — {@link ShellWords} on every try, the real {@code /bin/sh} on a sample.
 */
class CommandLinePropertiesTest {

    /** Any bytes, NULs and ill-formed UTF-8 among them, cut by the reader or not. */
    @Property(tries = 2000)
    void theOutputIsValidUtf8WithinTheLimitAndEndsInTheMarkWhenCut(@ForAll("areas") byte[] area,
                                                                  @ForAll boolean truncated) {
        byte[] dst = new byte[Wire.MAX_CMDLINE_BYTES];
        int n = CommandLine.format(area, 0, area.length, truncated, dst, 0);
        assertTrue(n <= Wire.MAX_CMDLINE_BYTES, n + " bytes");
        assertEquals(-1, Utf8.firstInvalid(dst, 0, n), "valid UTF-8");
        String out = new String(dst, 0, n, StandardCharsets.UTF_8);
        String whole = model(arguments(area));
        boolean cut = truncated || whole.getBytes(StandardCharsets.UTF_8).length > Wire.MAX_CMDLINE_BYTES;
        assertEquals(cut ? Expected.truncated(whole, Wire.MAX_CMDLINE_BYTES - 3) + CommandLine.CUT_MARK : whole, out);
    }

    /** Not cut, the text reads back as the arguments, each ill-formed subpart replaced by one U+FFFD. */
    @Property(tries = 2000)
    void aTextNotCutReadsBackAsTheArguments(@ForAll("areas") byte[] area) {
        String out = CommandLineTest.format(area, false);
        if (!out.endsWith(CommandLine.CUT_MARK)) {
            assertEquals(arguments(area), ShellWords.split(out));
        }
    }

    /** The real shell agrees: {@code printf '%s\0'} with the text as its arguments prints them back. */
    @Property(tries = 60)
    void theShellReadsTheArgumentsBack(@ForAll("argumentLists") List<String> args) throws Exception {
        String out = CommandLineTest.format(CommandLineTest.area(args), false);
        if (!out.endsWith(CommandLine.CUT_MARK)) {
            assertEquals(args, viaShell(out));
        }
    }

    /** The arguments of an area as a reader should take them: NUL-ended, the last maybe not; decoded by {@link #replaced}. */
    private static List<String> arguments(byte[] area) {
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= area.length; i++) {
            if (i == area.length ? i > start : area[i] == 0) {
                args.add(replaced(area, start, i));
                start = i + 1;
            }
        }
        return args;
    }

    /**
     * The well-formed byte sequences of UTF-8, Unicode Table 3-7: for each, the range of each of
     * its bytes.
     */
    private static final int[][][] WELL_FORMED = {
            {{0x00, 0x7f}},
            {{0xc2, 0xdf}, {0x80, 0xbf}},
            {{0xe0, 0xe0}, {0xa0, 0xbf}, {0x80, 0xbf}},
            {{0xe1, 0xec}, {0x80, 0xbf}, {0x80, 0xbf}},
            {{0xed, 0xed}, {0x80, 0x9f}, {0x80, 0xbf}},
            {{0xee, 0xef}, {0x80, 0xbf}, {0x80, 0xbf}},
            {{0xf0, 0xf0}, {0x90, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}},
            {{0xf1, 0xf3}, {0x80, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}},
            {{0xf4, 0xf4}, {0x80, 0x8f}, {0x80, 0xbf}, {0x80, 0xbf}}};

    /**
     * Bytes {@code from..to} decoded as Unicode §3.9 recommends: each maximal subpart of an
     * ill-formed sequence (the longest start of a row of {@link #WELL_FORMED}, at least one byte)
     * becomes one U+FFFD. The JDK's decoder differs on encoded surrogates, so it is not the oracle.
     */
    static String replaced(byte[] b, int from, int to) {
        StringBuilder out = new StringBuilder();
        int i = from;
        while (i < to) {
            int longest = 0;
            boolean whole = false;
            for (int[][] row : WELL_FORMED) {
                int m = 0;
                while (m < row.length && i + m < to && (b[i + m] & 0xff) >= row[m][0] && (b[i + m] & 0xff) <= row[m][1]) {
                    m++;
                }
                if (m > longest) {
                    longest = m;
                    whole = m == row.length;
                }
            }
            if (whole) {
                out.append(new String(b, i, longest, StandardCharsets.UTF_8));
            } else {
                out.append('\uFFFD');
            }
            i += Math.max(1, longest);
        }
        return out.toString();
    }

    /** §4's rule, written over strings: shlex.quote's, with {@code =} quoted in the command word. */
    private static String model(List<String> args) {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String safe = i == 0 ? "[A-Za-z0-9@%+:,./_-]+" : "[A-Za-z0-9@%+=:,./_-]+";
            words.add(a.matches(safe) ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return String.join(" ", words);
    }

    /** Runs {@code printf '%s\0' <text>} in {@code /bin/sh} from a script file, so no locale touches the bytes. */
    private static List<String> viaShell(String cmdline) throws IOException, InterruptedException {
        Path script = Files.createTempFile("cmdline", ".sh");
        try {
            Files.write(script, ("printf '%s\\0' " + cmdline + "\n").getBytes(StandardCharsets.UTF_8));
            Process p = new ProcessBuilder("/bin/sh", script.toString()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the shell did not end");
            assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
            return arguments(out);
        } finally {
            Files.delete(script);
        }
    }

    @Provide
    Arbitrary<byte[]> areas() {
        Arbitrary<Byte> bytes = Arbitraries.frequencyOf(
                Tuple.of(3, asciiOf("az09@%+=:,./_- ")),
                Tuple.of(2, asciiOf("'\"\\$`*?[]#~&|;<>(){}!\t\n")),
                Tuple.of(2, Arbitraries.just((byte) 0)),
                Tuple.of(2, Arbitraries.bytes()));
        Arbitrary<byte[]> utf8 = argumentLists().map(CommandLineTest::area);
        Arbitrary<byte[]> raw = bytes.list().ofMaxSize(1200).map(l -> {
            byte[] b = new byte[l.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = l.get(i);
            }
            return b;
        });
        return Arbitraries.oneOf(utf8, raw);
    }

    private static Arbitrary<Byte> asciiOf(String chars) {
        return Arbitraries.of(chars.chars().mapToObj(c -> (byte) c).toList());
    }

    /** Argument lists of shell-significant and safe characters and all of Unicode but NUL and lone surrogates. */
    @Provide
    Arbitrary<List<String>> argumentLists() {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("az09@%+=:,./_-".chars().boxed().toList())),
                Tuple.of(3, Arbitraries.of("'\"\\$`*?[]#~&|;<> \t\n(){}!".chars().boxed().toList())),
                Tuple.of(2, WireArbitraries.codePoints()
                        .filter(cp -> cp != 0 && (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE))));
        Arbitrary<String> arg = codePoints.list().ofMaxSize(40).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
        return Arbitraries.frequencyOf(Tuple.of(5, arg.list().ofMinSize(1).ofMaxSize(8)),
                Tuple.of(1, arg.list().ofMinSize(1).ofMaxSize(60)));
    }
}
