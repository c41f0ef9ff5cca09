package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.CapturingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static io.cellos.telemetry.cli.ScopedWorkload.PATIENCE;
import static io.cellos.telemetry.cli.ScopedWorkload.pid;
import static io.cellos.telemetry.cli.ScopedWorkload.sha256sum;
import static io.cellos.telemetry.cli.ScopedWorkload.type;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sha256} on {@code process.exec} with the real agent, under each mechanism: a renamed copy
 * of a binary and a memfd filled from it are declared with the original's hash as coreutils'
 * {@code sha256sum} computes it, each exec before its exit; a binary run 1,000 times is declared
 * 1,000 times and read once (the agent's last line); under {@code bpf}, which reads the executed
 * inode at the exec, every exec after the first one hashed carries the hash, even of the
 * processes that ended before the agent asked.
 */
@ParameterizedClass(name = "--probe-mechanism {0}")
@ValueSource(strings = {"bpf", "audit"})
class ExecDigestEndToEndTest {
    @Parameter
    String mechanism;
    static final int LOOP = 1000;
    private static final Pattern STOPPED = Pattern.compile("cellos-telemetry: stopped: .*exec sha256: "
            + "hashed (?<hashed>\\d+), from cache (?<cached>\\d+) \\(by the exec's inode (?<inode>\\d+)\\), "
            + "busy (?<busy>\\d+), too large (?<large>\\d+), process gone (?<gone>\\d+), failed (?<failed>\\d+); "
            + "held \\d+, late \\d+, hold full (?<full>\\d+), superseded \\d+");

    @TempDir
    Path dir;

    /** Lives long enough to be hashed: 0.3 s. */
    static final String WORKLOAD = """
            read go
            "$DIR/renamed" 0.3 & echo "renamed $!"; wait
            /usr/bin/python3 -c '
            import os, sys
            print("memfd", os.getpid(), flush=True)
            fd = os.memfd_create("payload", 0)
            with open(sys.argv[1], "rb") as f:
                os.write(fd, f.read())
            os.execv("/proc/self/fd/" + str(fd), ["payload", "0.3"])' /usr/bin/sleep
            i=0
            while [ $i -lt %d ]; do "$DIR/loopy"; i=$((i+1)); done
            echo "loop-done 0"
            """.formatted(LOOP);

    @Test
    void execsCarryTheSha256OfWhatTheyRanAndABinaryRunAThousandTimesIsReadOnce() throws Exception {
        Files.copy(Path.of("/usr/bin/sleep"), dir.resolve("renamed")).toFile().setExecutable(true);
        Files.copy(Path.of("/usr/bin/true"), dir.resolve("loopy")).toFile().setExecutable(true);
        String sleepSha = sha256sum(Path.of("/usr/bin/sleep"));
        String trueSha = sha256sum(Path.of("/usr/bin/true"));
        Path log = dir.resolve("agent.log");
        try (ScopedWorkload run = ScopedWorkload.start(dir, WORKLOAD, mechanism, log)) {
            CapturingSink sink = run.sink;
            run.go();
            Map<String, Long> said = run.readUntil("loop-done");

            JsonNode renamed = execOf(sink, said.get("renamed"));
            assertEquals(sleepSha, renamed.at("/data/sha256").asText(), renamed.toString());
            assertExecBeforeExit(sink, said.get("renamed"));

            long memfdPid = said.get("memfd");
            JsonNode memfd = sink.await(e -> type(e, "process.exec") && pid(e) == memfdPid
                    && e.at("/data/guest_comm").asText().length() > 0
                    && !e.at("/data/guest_comm").asText().startsWith("python"), 1, PATIENCE).get(0);
            assertEquals(sleepSha, memfd.at("/data/sha256").asText(), "the memfd filled from sleep: " + memfd);
            // what a consumer sees of a memfd: its path as the probe knew it, kept
            String memfdPath = memfd.at("/data/path").asText();
            assertTrue(mechanism.equals("bpf") ? memfdPath.startsWith("/proc/self/fd/")
                    : memfdPath.equals("/memfd:payload (deleted)"), memfd.toString());
            assertExecBeforeExit(sink, memfdPid);

            List<JsonNode> loops = sink.await(e -> type(e, "process.exec")
                    && e.at("/data/guest_comm").asText().equals("loopy"), LOOP, PATIENCE);
            assertEquals(LOOP, loops.size(), "every exec is declared, hashed or not");
            long withSha = loops.stream().filter(e -> e.at("/data/sha256").isTextual()).count();
            for (JsonNode e : loops) {
                if (e.at("/data/sha256").isTextual()) {
                    assertEquals(trueSha, e.at("/data/sha256").asText(), e.toString());
                }
            }
            List<JsonNode> inOrder = loops.stream()
                    .sorted(Comparator.comparingLong(e -> e.at("/data/guest_monotonic_ns").asLong())).toList();
            int firstHashed = IntStream.range(0, LOOP).filter(i -> inOrder.get(i).at("/data/sha256").isTextual())
                    .findFirst().orElse(LOOP);
            System.err.printf("exec digests (%s): %d of %d execs of a copy of /bin/true carry sha256; "
                    + "%d gone before the request; the first with it: #%d%n", mechanism, withSha, LOOP, LOOP - withSha,
                    firstHashed + 1);
            assertTrue(firstHashed < LOOP, "the copy was hashed at least once");
            if (mechanism.equals("bpf")) {
                // the exec record names the inode the kernel ran: once the file is known, every exec of
                // it is answered from the cache, even of a process gone before its request
                assertEquals(LOOP - firstHashed, withSha, "every exec after the first hashed carries sha256");
            }

            run.finish();
        }
        // the agent stops when its scope root has ended; close() waited for it either way
        String last = Files.readAllLines(log).stream().filter(l -> l.contains("cellos-telemetry: stopped: "))
                .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no last line in " + readOrEmpty(log)));
        System.err.println("exec digests (" + mechanism + "): " + last);
        Matcher m = STOPPED.matcher(last);
        assertTrue(m.find(), last);
        long hashed = Long.parseLong(m.group("hashed"));
        long answered = 0;
        for (String g : List.of("hashed", "cached", "busy", "large", "gone", "failed")) {
            answered += Long.parseLong(m.group(g));
        }
        // read at most once each: the renamed sleep, python3, the memfd, the copy of true
        assertTrue(hashed <= 4, "each file read once: " + last);
        assertTrue(answered >= LOOP + 2, "every exec was asked for: " + last);
        assertEquals(0, Long.parseLong(m.group("full")), "the hold never filled: " + last);
        long byInode = Long.parseLong(m.group("inode"));
        if (mechanism.equals("bpf")) {
            assertTrue(byInode >= LOOP / 2, "the loop's execs were answered by their inode's key, no system call: " + last);
        } else {
            assertEquals(0, byInode, "audit's records carry no inode: " + last);
        }
    }

    private static JsonNode execOf(CapturingSink sink, long pid) {
        return sink.await(e -> type(e, "process.exec") && pid(e) == pid, 1, PATIENCE).get(0);
    }

    /** The process's exec was sent before its exit, though held for its hash. */
    private static void assertExecBeforeExit(CapturingSink sink, long pid) {
        sink.await(e -> type(e, "process.exited") && pid(e) == pid, 1, PATIENCE);
        List<String> order = sink.events().stream().filter(e -> pid(e) == pid)
                .map(e -> e.get("type").asText().replace("cell.observability.guest.", "")).toList();
        int exec = order.lastIndexOf("process.exec");
        int exit = order.indexOf("process.exited");
        assertTrue(exec >= 0 && exec < exit, "exec before exit for " + pid + ": " + order);
    }

    private static String readOrEmpty(Path f) {
        try {
            return Files.readString(f);
        } catch (Exception e) {
            return "";
        }
    }
}
