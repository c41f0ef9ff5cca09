package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link CommandLine} on chosen argument areas: quoting, replacement of bad bytes, cutting. */
class CommandLineTest {

    /** Arguments each followed by a NUL, as the kernel keeps them. */
    static byte[] area(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String a : args) {
            out.writeBytes(a.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    static String format(byte[] area, boolean truncated) {
        byte[] dst = new byte[Wire.MAX_CMDLINE_BYTES];
        int n = CommandLine.format(area, 0, area.length, truncated, dst, 0);
        return new String(dst, 0, n, StandardCharsets.UTF_8);
    }

    static Stream<Arguments> examples() {
        return Stream.of(
                Arguments.of(List.of("/bin/ls", "-la", "/tmp"), "/bin/ls -la /tmp"),
                Arguments.of(List.of("sh", "-c", "echo 'hi' $HOME"), "sh -c 'echo '\\''hi'\\'' $HOME'"),
                Arguments.of(List.of("printf", ""), "printf ''"),
                Arguments.of(List.of(""), "''"),
                Arguments.of(List.of(), ""),
                Arguments.of(List.of("env", "A=b", "x@y%z+1:2,3./_-"), "env A=b x@y%z+1:2,3./_-"),
                Arguments.of(List.of("A=b", "c=d"), "'A=b' c=d"),
                Arguments.of(List.of("a b", "tab\there", "new\nline"), "'a b' 'tab\there' 'new\nline'"),
                Arguments.of(List.of("~", "#x", "*", "ünï😀"), "'~' '#x' '*' 'ünï😀'"),
                Arguments.of(List.of("'"), "''\\'''"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("examples")
    void argumentsAreQuotedAsAShellNeedsThem(List<String> args, String expected) {
        assertEquals(expected, format(area(args), false));
        assertEquals(args, ShellWords.split(expected));
    }

    /** A reader that cut the area mid-argument leaves no NUL at the end; it says so by the flag. */
    @Test
    void anAreaTheReaderCutEndsInTheMark() {
        byte[] area = "cat\0/etc/pas".getBytes(StandardCharsets.US_ASCII);
        assertEquals("cat /etc/pas…", format(area, true));
        assertEquals("cat /etc/pas", format(area, false), "without the flag the last argument stands as it is");
        assertEquals("…", format(new byte[0], true));
    }

    @Test
    void badUtf8IsReplacedOncePerMaximalSubpart() {
        byte[] area = HexFormat.of().parseHex("6166ff00e282410080c000f09f9800");
        assertEquals("'af\uFFFD' '\uFFFDA' '\uFFFD\uFFFD' '\uFFFD'", format(area, false));
    }

    @Test
    void aCommandLineOfExactly1024BytesIsWhole() {
        String arg = "x".repeat(1024 - 3);
        String out = format(area(List.of("ls", arg)), false);
        assertEquals("ls " + arg, out);
    }

    @Test
    void oneByteMoreIsCutTo1021BytesAndTheMark() {
        String arg = "x".repeat(1024 - 2);
        String out = format(area(List.of("ls", arg)), false);
        assertEquals("ls " + arg.substring(0, 1021 - 3) + "…", out);
        assertEquals(1024, out.getBytes(StandardCharsets.UTF_8).length);
    }

    /** The cut falls before a character that would straddle it, never inside it. */
    @Test
    void aCutNeverSplitsACharacter() {
        for (int pad = 0; pad < 4; pad++) {
            String out = format(area(List.of("x".repeat(pad) + "😀".repeat(300))), false);
            byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
            assertEquals(-1, Utf8.firstInvalid(bytes, 0, bytes.length), out);
            assertEquals(true, out.endsWith("😀…"), out);
            assertEquals(true, bytes.length > 1024 - 3 - 4 && bytes.length <= 1024, bytes.length + " bytes");
        }
    }

    @Test
    void theOutputStaysInsideItsPlaceInTheBuffer() {
        byte[] area = area(List.of("x".repeat(2000)));
        byte[] dst = new byte[Wire.MAX_CMDLINE_BYTES + 20];
        int n = CommandLine.format(area, 0, area.length, false, dst, 10);
        assertEquals(1024, n);
        assertEquals(0, dst[9]);
        assertEquals(0, dst[10 + n]);
        assertThrows(IndexOutOfBoundsException.class,
                () -> CommandLine.format(area, 0, area.length, false, new byte[100], 0));
    }
}
