package io.cellos.telemetry.host.event;

import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The receiver's own format is byte for byte what it was before the event body became a choice:
 * {@code golden/receiver-own-format.jsonl} was written by the projector of commit {@code ab08d15}
 * (before {@link EventFormat}) for these very events — every probe source bare and with every
 * extension key, exit statuses of each kind, every host-made event, u64 values past 2^53, text
 * that needs escaping.
 */
class DefaultFormatGoldenTest {
    @Test
    void theDefaultBytesAreUnchanged() throws IOException {
        StringBuilder now = new StringBuilder();
        EventEncoder encoder = new EventEncoder(null);
        for (CellEvent e : events()) {
            now.append(new String(encoder.encode(e), StandardCharsets.UTF_8)).append('\n');
        }
        try (InputStream golden = getClass().getResourceAsStream("/golden/receiver-own-format.jsonl")) {
            assertEquals(new String(golden.readAllBytes(), StandardCharsets.UTF_8), now.toString());
        }
    }

    private static List<CellEvent> events() {
        EventProjector p = new EventProjector(new CellStamp("cell-1", "run:1", "sha256:ab/+="),
                "/run/c \"x\"/\ud83d\ude00.sock_9001");
        EventProjector sinks = new EventProjector(new CellStamp("c", "r", null), null);
        Instant at = Instant.parse("2026-11-21T15:04:05.120Z");
        List<CellEvent> es = new ArrayList<>();
        String sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        Extensions all = Extensions.NONE.withDroppedTotal(1L << 60).withParentPid(1).withExitCode(0x8b).withPath("/p")
                .withPeer("1.2.3.4:5").withCapability(21).withSyscall(165).withSession("0123456789abcdef0123456789abcdef")
                .withWhat("w").withCmdline("c 'd'").withSha256(sha).withHost("h").withExe("/e").withSocket("inet raw 1");
        int i = 0;
        for (ProbeSource s : ProbeSource.values()) {
            es.add(p.guest(ProbeEvent.of(s, 42, "caf\u00e9", -1L), 1, ++i, at.plusNanos(i), SessionCheck.PINNED));
            es.add(p.guest(ProbeEvent.of(s, 42, "", 5).withExtensions(all), 1, ++i, at.plusNanos(i * 1000),
                    SessionCheck.NONE_COMPATIBILITY_MODE));
        }
        for (long code : new long[]{0x300, 9, 0x7f, 0x10000}) {
            es.add(p.guest(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 1, "x", 1)
                    .withExtensions(Extensions.NONE.withExitCode(code)), 2, ++i, at, SessionCheck.PINNED));
        }
        long[] drops = new long[DropCause.values().length];
        drops[0] = 3;
        drops[drops.length - 1] = 2;
        es.add(p.silenced(at, 10_000, null, 0, SessionCheck.NOT_PINNED_YET));
        es.add(p.silenced(at, 10_000, at.minusNanos(1_000), 17, SessionCheck.PINNED));
        es.add(p.hostDropped(1, at, drops, -1, null, SessionCheck.PINNED));
        es.add(p.hostDropped(2, at, drops, 1L << 60, "bad \"key\"", SessionCheck.PINNED));
        es.add(p.channelRefused(1, at, 9000, 3, "no", SessionCheck.PINNED));
        es.add(sinks.sinkDropped("nats", 1, at, Map.of("sink_overflow", 3L, "a", 1L), "full"));
        return es;
    }
}
