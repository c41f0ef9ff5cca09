package io.cellos.telemetry.host.sign;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.GuestClient;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.JsonLinesSink;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cells' hash chains (protocol.md §7.9) through a real receiver: frames sent over UNIX sockets
 * to two cells, signed JSON lines out, then verified whole, reordered, and with one line taken out,
 * copied in, or its link changed.
 */
class HashChainTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SignAlgorithm ALG = SignAlgorithm.ED25519;

    @TempDir
    Path dir;
    EventVerifier verifier;

    @BeforeEach
    void keys() throws Exception {
        verifier = TestKeys.verifier(ALG).expectingKid(TestKeys.KID);
    }

    /** Binds {@code stamp}'s cell to {@code base} and sends it {@code frames} process.spawned frames on one connection. */
    private static CellHandle sendSpawns(Receiver r, Path base, CellStamp stamp, int frames) throws Exception {
        CellHandle cell = r.bind(base, stamp);
        try (GuestClient g = new GuestClient(cell.socketPath())) {
            for (int i = 1; i <= frames; i++) {
                g.send(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 100 + i, "w" + i, i));
            }
        }
        cell.awaitStats(s -> s.framesEmitted() == frames, PATIENCE);
        return cell;
    }

    /**
     * The signed output of a receiver with two I/O threads: cell-a gets 6 frames and a connection it
     * refuses (so a channel_refused and a host drop report join its chain), cell-b 6 frames; each
     * chain ends with the record_closed the receiver makes as it closes.
     */
    private List<String> twoCells() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonLinesSink sink = new JsonLinesSink(out, TestKeys.signer(ALG), System.err, false);
        try (Receiver r = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5)).withLoops(2),
                sink, System.err)) {
            CellHandle a = sendSpawns(r, dir.resolve("a.vsock"), new CellStamp("cell-a", "run-1", null), 6);
            sendSpawns(r, dir.resolve("b.vsock"), new CellStamp("cell-b", "run-1", null), 6);
            try (GuestClient stranger = new GuestClient(a.socketPath(), null)) {
                stranger.send(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 666, "x", 1));
            }
            a.awaitStats(s -> s.droppedTotal() == 1, PATIENCE);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(16, lines.size(), String.join("\n", lines));
        return lines;
    }

    private StreamVerification verify(List<String> lines) throws Exception {
        return verifier.verifyStream(new StringReader(String.join("\n", lines) + "\n"), true);
    }

    private static ObjectNode parse(String line) throws Exception {
        return (ObjectNode) JSON.readTree(line);
    }

    private static String field(String line, String pointer) throws Exception {
        return parse(line).at(pointer).asText();
    }

    /** The link to {@code line}, computed here from the contract: SHA-256 of its canonical form without sig. */
    private static String linkTo(String line) throws Exception {
        ObjectNode event = parse(line);
        event.remove("sig");
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(CanonicalJson.canonicalize(event).getBytes(StandardCharsets.UTF_8)));
    }

    /** The index of the line that links to {@code lines.get(i)}, or -1 if none does. */
    private static int successor(List<String> lines, int i) throws Exception {
        String link = linkTo(lines.get(i));
        for (int j = 0; j < lines.size(); j++) {
            if (field(lines.get(j), "/cellosprev").equals(link)) {
                return j;
            }
        }
        return -1;
    }

    private static Map<String, Long> eventsByCell(StreamVerification result) {
        StreamVerification.Verified v = assertInstanceOf(StreamVerification.Verified.class, result);
        return v.chains().stream().collect(Collectors.toMap(StreamVerification.Chain::cellId,
                StreamVerification.Chain::events));
    }

    @Test
    void aReceiversSignedOutputFollowsEachCellsChainInAnyLineOrder() throws Exception {
        List<String> lines = twoCells();
        StreamVerification.Verified v = assertInstanceOf(StreamVerification.Verified.class, verify(lines));
        assertEquals(16, v.linesVerified());
        assertEquals(Set.of(new StreamVerification.Chain("cell-a", "run-1", 9, "run-1/closed", true),
                new StreamVerification.Chain("cell-b", "run-1", 7, "run-1/closed", true)), Set.copyOf(v.chains()));
        assertEquals(EventProjector.TYPE_CLOSED, ChainLinks.CLOSING_TYPE, "the verifier knows the receiver's closing event");
        for (String l : lines) {
            if (field(l, "/type").equals(EventProjector.TYPE_CLOSED)) {
                assertEquals("6", field(l, "/data/frames_received"), l);
            }
        }

        // each cell's chain, followed by the links as the contract defines them, starts at the
        // first link and reaches every one of its events, the host-made ones too
        for (String cell : List.of("cell-a", "cell-b")) {
            List<String> own = new ArrayList<>();
            for (String l : lines) {
                if (field(l, "/data/cell_id").equals(cell)) {
                    own.add(l);
                }
            }
            int at = -1;
            for (int i = 0; i < own.size(); i++) {
                if (field(own.get(i), "/cellosprev").equals(ChainLinks.FIRST)) {
                    at = i;
                }
            }
            int reached = 0;
            for (; at >= 0; at = successor(own, at)) {
                reached++;
            }
            assertEquals(own.size(), reached, cell + ": " + String.join("\n", own));
        }

        List<String> reversed = new ArrayList<>(lines);
        Collections.reverse(reversed);
        assertEquals(Set.copyOf(v.chains()), Set.copyOf(assertInstanceOf(StreamVerification.Verified.class,
                verify(reversed)).chains()));
        List<String> shuffled = new ArrayList<>(lines);
        Collections.shuffle(shuffled, new Random(16));
        assertEquals(Set.copyOf(v.chains()), Set.copyOf(assertInstanceOf(StreamVerification.Verified.class,
                verify(shuffled)).chains()));
    }

    @Test
    void removingAnyOneLineIsNamedAtTheEventAfterIt() throws Exception {
        List<String> lines = twoCells();
        for (int i = 0; i < lines.size(); i++) {
            List<String> thinned = new ArrayList<>(lines);
            String removed = thinned.remove(i);
            String cell = field(removed, "/data/cell_id");
            StreamVerification result = verify(thinned);
            int next = successor(lines, i);
            String what = "without line " + (i + 1) + ": " + result;
            if (next < 0) {
                // the chain's last event, the receiver's record_closed: the chain is one shorter and open
                assertEquals(cell.equals("cell-a") ? 8 : 6, eventsByCell(result).get(cell), what);
                assertTrue(assertInstanceOf(StreamVerification.Verified.class, result).chains().stream()
                        .anyMatch(c -> c.cellId().equals(cell) && !c.closed()), what);
                continue;
            }
            ChainBreak b = assertInstanceOf(StreamVerification.Broken.class, result, what).chainBreak();
            assertEquals(cell, b.cellId(), what);
            assertEquals("run-1", b.runId(), what);
            if (field(removed, "/cellosprev").equals(ChainLinks.FIRST)) {
                assertEquals(ChainError.MISSING_FIRST, b.error(), what);
            } else {
                assertEquals(ChainError.MISSING_PREDECESSOR, b.error(), what);
                assertEquals(field(lines.get(next), "/id"), b.eventId(), what);
                assertEquals(next < i ? next + 1 : next, b.lineNumber(), what);
                assertTrue(b.message().contains("which no event of the cell in the stream is"), b.message());
            }
        }
    }

    @Test
    void aCopiedLineIsNamedAsADuplicate() throws Exception {
        List<String> lines = twoCells();
        for (int i = 0; i < lines.size(); i++) {
            for (int to : new int[] {i + 1, lines.size()}) {
                List<String> padded = new ArrayList<>(lines);
                padded.add(to, lines.get(i));
                String what = "line " + (i + 1) + " copied to line " + (to + 1);
                ChainBreak b = assertInstanceOf(StreamVerification.Broken.class, verify(padded), what).chainBreak();
                assertEquals(ChainError.DUPLICATE, b.error(), what);
                assertEquals(to + 1, b.lineNumber(), what);
                assertEquals(field(lines.get(i), "/id"), b.eventId(), what);
                assertTrue(b.detail().contains("line " + (i + 1)), b.detail());
            }
        }
    }

    @Test
    void linksAreSignedSoSwappingTwoFailsTheFirstSignature() throws Exception {
        List<String> lines = twoCells();
        List<String> swapped = new ArrayList<>(lines);
        ObjectNode second = parse(lines.get(1));
        ObjectNode fifth = parse(lines.get(4));
        String link = second.get("cellosprev").textValue();
        second.put("cellosprev", fifth.get("cellosprev").textValue());
        fifth.put("cellosprev", link);
        swapped.set(1, second.toString());
        swapped.set(4, fifth.toString());
        StreamVerification.Failed f = assertInstanceOf(StreamVerification.Failed.class, verify(swapped));
        assertEquals(2, f.lineNumber());
        assertEquals(VerificationError.BAD_SIGNATURE, f.failure().error());
    }

    @Test
    void aCellBoundTwiceUnderOneRunIdStartsTwoChainsAndForks() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CellStamp stamp = new CellStamp("cell-a", "run-1", null);
        try (Receiver r = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofMinutes(5)),
                new JsonLinesSink(out, TestKeys.signer(ALG), System.err, false), System.err)) {
            sendSpawns(r, dir.resolve("a.vsock"), stamp, 2).close();
            sendSpawns(r, dir.resolve("a.vsock"), stamp, 2).close();
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        ChainBreak b = assertInstanceOf(StreamVerification.Broken.class, verify(lines)).chainBreak();
        assertEquals(ChainError.FORK, b.error());
        assertEquals(4, b.lineNumber(), "the first bind's two events and its record_closed before it");
        assertTrue(b.detail().contains("both claim to be the cell's first event"), b.detail());
    }

    @Test
    void anEventSignedOutsideAnyChainIsUnlinked() throws Exception {
        List<String> lines = new ArrayList<>(twoCells());
        lines.add(TestKeys.signer(ALG).sign(SampleEvents.line(1)));
        ChainBreak b = assertInstanceOf(StreamVerification.Broken.class, verify(lines)).chainBreak();
        assertEquals(ChainError.UNLINKED, b.error());
        assertEquals(17, b.lineNumber());
        assertEquals("unlinked: cell cell-7f3a run run-01JX4Q2Z, event run-01JX4Q2Z/1/1: no string cellosprev "
                + "attribute: it was signed outside any chain (by hand, or by a receiver from before chains)", b.message());
    }

    @Test
    void aFileCutInTheMiddleOfItsLastLineFailsThatLine() throws Exception {
        List<String> lines = new ArrayList<>(twoCells());
        String last = lines.removeLast();
        lines.add(last.substring(0, last.length() / 2));
        StreamVerification.Failed f = assertInstanceOf(StreamVerification.Failed.class, verify(lines));
        assertEquals(16, f.lineNumber());
        assertEquals(VerificationError.NOT_JSON, f.failure().error());
    }

    @Test
    void signaturesAloneVerifyAnExtract() throws Exception {
        List<String> lines = new ArrayList<>(twoCells());
        lines.remove(3);
        assertEquals(new StreamVerification.Verified(15, List.of()),
                verifier.verifyStream(new StringReader(String.join("\n", lines)), false));
    }

    /**
     * Events cut from the end of a chain, however many, leave a chain that is whole from its first
     * event but open: its last event is not the receiver's record_closed.
     */
    @Test
    void aChainCutAtItsEndIsWholeButOpen() throws Exception {
        List<String> lines = twoCells();
        List<String> cellB = new ArrayList<>();
        for (int at = first(lines, "cell-b"); at >= 0; at = successor(lines, at)) {
            cellB.add(lines.get(at)); // in chain order
        }
        assertEquals(7, cellB.size());
        for (int cut = 1; cut < cellB.size(); cut++) {
            List<String> kept = new ArrayList<>(lines);
            kept.removeAll(cellB.subList(cellB.size() - cut, cellB.size()));
            StreamVerification.Verified v = assertInstanceOf(StreamVerification.Verified.class, verify(kept), "cut " + cut);
            StreamVerification.Chain b = v.chains().stream().filter(c -> c.cellId().equals("cell-b")).findFirst()
                    .orElseThrow();
            assertEquals(new StreamVerification.Chain("cell-b", "run-1", 7 - cut, field(cellB.get(6 - cut), "/id"), false),
                    b, "cut " + cut);
            assertTrue(v.chains().stream().anyMatch(c -> c.cellId().equals("cell-a") && c.closed()), "cell-a untouched");
        }
    }

    /** The index of {@code cell}'s first event in {@code lines}. */
    private static int first(List<String> lines, String cell) throws Exception {
        for (int i = 0; i < lines.size(); i++) {
            if (field(lines.get(i), "/data/cell_id").equals(cell) && field(lines.get(i), "/cellosprev").equals(ChainLinks.FIRST)) {
                return i;
            }
        }
        throw new AssertionError("no first event of " + cell);
    }
}
