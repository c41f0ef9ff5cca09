package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sign.Ed25519Keys;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sink.JsonLinesSink;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cellos events verify} on standard input: two cells' chains interleaved, whole or broken. */
class EventsVerifyTest {
    private final Ed25519Keys.KeyPairText keys = Ed25519Keys.generate(new SecureRandom());

    /** Two cells' signed events, emitted alternately: three guest events and a channel_refused each. */
    private List<String> twoCells() throws Exception {
        EventProjector c1 = new EventProjector(new CellStamp("c1", "r1", null), "/cells/c1.vsock_9001");
        EventProjector c2 = new EventProjector(new CellStamp("c2", "r1", null), "/cells/c2.vsock_9001");
        Instant at = Instant.parse("2026-11-21T12:00:00Z");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonLinesSink sink = new JsonLinesSink(out, EventSigner.create(SignAlgorithm.ED25519, "k1",
                keys.privateKey()), System.err, false)) {
            for (int f = 1; f <= 3; f++) {
                for (EventProjector p : List.of(c1, c2)) {
                    sink.emit(p.guest(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 10 + f, "sh", f), 1, f, at,
                            SessionCheck.PINNED));
                }
            }
            for (EventProjector p : List.of(c1, c2)) {
                sink.emit(p.channelRefused(1, at, 9001, 2, "no session on its first frame", SessionCheck.PINNED));
            }
            sink.emit(c1.closed(at, 3, 1, 1, -1, SessionCheck.PINNED)); // c1 was let go; c2 still runs
        }
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private Run verify(List<String> lines, String... extra) {
        List<String> args = new ArrayList<>(List.of("events", "verify", "--alg", "ed25519", "--public-key",
                keys.publicKey()));
        args.addAll(List.of(extra));
        return Run.of(String.join("\n", lines) + "\n", args.toArray(String[]::new));
    }

    private Run verifyWithout(List<String> lines, int index) {
        List<String> thinned = new ArrayList<>(lines);
        thinned.remove(index);
        return verify(thinned);
    }

    @Test
    void interleavedCellsVerifyEachByItsOwnChainInAnyOrder() throws Exception {
        List<String> lines = new ArrayList<>(twoCells());
        Run ok = verify(lines);
        assertEquals(0, ok.status(), ok.out() + ok.err());
        assertEquals("""
                verified 9 events in standard input; 2 cell chains whole from the first event:
                  cell c1 run r1: 5 events, the last r1/closed, closed by the receiver
                  cell c2 run r1: 4 events, the last r1/refused/1, open: no record_closed at its end (the cell was still running, or its end was cut)
                """, ok.out());
        Run required = verify(lines, "--require-closed");
        assertEquals(1, required.status(), required.out());
        assertTrue(required.out().endsWith("--require-closed: 1 chain is open\n"), required.out());
        Run both = verify(lines, "--require-closed", "--signatures-only");
        assertEquals(2, both.status(), both.err());
        Collections.reverse(lines);
        Run reversed = verify(lines, "-");
        assertEquals(0, reversed.status(), reversed.out());
        assertTrue(reversed.out().contains("cell c2 run r1: 4 events"), reversed.out());
    }

    @Test
    void theFirstBreakIsNamedWithItsCellEventAndLine() throws Exception {
        List<String> lines = twoCells();

        List<String> copied = new ArrayList<>(lines);
        copied.add(lines.get(2));
        Run duplicate = verify(copied);
        assertEquals(1, duplicate.status());
        assertEquals("standard input:10: duplicate: cell c1 run r1, event r1/c1/f2: the very event of line 3 again: "
                + "an event was copied in (10 events' signatures verified)\n", duplicate.out());

        Run missingFirst = verifyWithout(lines, 1); // c2's first event
        assertEquals(1, missingFirst.status());
        assertTrue(missingFirst.out().startsWith("standard input:3: missing_first: cell c2 run r1, event r1/c1/f2: "),
                missingFirst.out());

        Run missing = verifyWithout(lines, 4); // c1's third event
        assertEquals(1, missing.status());
        assertTrue(missing.out().startsWith("standard input:6: missing_predecessor: cell c1 run r1, event r1/refused/1: "),
                missing.out());
        assertTrue(missing.out().contains("ends at event r1/c1/f2 (line 3), its event 2"), missing.out());
    }
}
