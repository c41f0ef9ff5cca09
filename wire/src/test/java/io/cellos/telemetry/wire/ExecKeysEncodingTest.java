package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The encoder never writes a {@code cmdline} or {@code sha256} the decoder would refuse. */
class ExecKeysEncodingTest {
    private static ProbeEvent exec(Extensions x) {
        return ProbeEvent.of(ProbeSource.PROCESS_EXEC, 1, "sh", 1).withExtensions(x);
    }

    /** Up to 1,024 bytes a command line goes whole; past that it is cut to fit with its mark. */
    @ParameterizedTest(name = "\"{0}\" x 1025")
    @ValueSource(strings = {"x", "é", "€", "😀", "x\uD800", "'"})
    void aCmdlineIsKeptWholeUpTo1024BytesThenCutWithTheMark(String unit) throws FrameException {
        for (int n = 0; n <= 1025; n++) {
            String cmdline = unit.repeat(n);
            String decoded = Codec.decodeFrame(Codec.encode(exec(Extensions.NONE.withCmdline(cmdline)))).extensions()
                    .cmdline();
            assertEquals(Expected.cmdline(cmdline), decoded, n + " units");
            int bytes = decoded.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes <= Wire.MAX_CMDLINE_BYTES, bytes + " bytes");
            boolean fits = Expected.sanitized(cmdline).getBytes(StandardCharsets.UTF_8).length <= 1024;
            assertEquals(!fits, decoded.endsWith(CommandLine.CUT_MARK), "cut iff over the limit, at " + n + " units");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"})
    void theFlyweightPathRefusesAMalformedDigest(String digest) throws FrameException {
        FrameEncoder enc = new FrameEncoder();
        enc.begin(new byte[Wire.MAX_FRAME_BYTES], 0, Wire.VERSION_1_0, ProbeSource.PROCESS_EXEC, 1, "sh", 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> enc.text(Field.SHA256, new StringBuilder(digest)));
        assertTrue(e.getMessage().startsWith("sha256"), e.getMessage());
    }
}
