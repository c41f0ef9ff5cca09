package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code guest_comm} comes back as the longest prefix of what was given, cut between code points,
 * whose UTF-8 fits 16 bytes, with unpaired surrogates as {@code ?} (protocol.md §3).
 */
class CommTruncationTest {

    @Property
    void theDecodedCommIsTheLongestPrefixThatFits(@ForAll("comms") String comm) throws FrameException {
        assertEquals(Expected.comm(comm), decodedComm(comm));
    }

    @Example
    void asciiIsCutAt16Bytes() throws FrameException {
        assertEquals("abcdefghijklmnop", decodedComm("abcdefghijklmnopq"));
        assertEquals("abcdefghijklmnop", decodedComm("abcdefghijklmnop"));
    }

    @Example
    void aThreeByteCharacterThatWouldCross16BytesIsDropped() throws FrameException {
        assertEquals("€€€€€", decodedComm("€€€€€€")); // 15 bytes; a sixth € would make 18
        assertEquals("a€€€€€", decodedComm("a€€€€€€")); // exactly 16
    }

    @Example
    void aSurrogatePairIsNeverSplit() throws FrameException {
        assertEquals("😀😀😀😀", decodedComm("😀😀😀😀😀")); // 4 × 4 bytes
        assertEquals("abcdefghijklm", decodedComm("abcdefghijklm😀")); // 13 + 4 > 16
    }

    @Example
    void unpairedSurrogatesBecomeQuestionMarks() throws FrameException {
        assertEquals("a?b", decodedComm("a\uD800b"));
        assertEquals("?x", decodedComm("\uDC00x"));
        assertEquals("abcdefghijklmno?", decodedComm("abcdefghijklmno\uD83D")); // 15 + one '?' fits
    }

    @Example
    void theOracleAgreesWithTheExamples() {
        assertEquals("€€€€€", Expected.comm("€€€€€€"));
        assertEquals("abcdefghijklmno?", Expected.comm("abcdefghijklmno\uD83D"));
    }

    private static String decodedComm(String comm) throws FrameException {
        return Codec.decodeFrame(Codec.encode(ProbeEvent.of(ProbeSource.PROCESS_EXEC, 1, comm, 1))).guestComm();
    }

    @Provide
    Arbitrary<String> comms() {
        return WireArbitraries.comms();
    }
}
