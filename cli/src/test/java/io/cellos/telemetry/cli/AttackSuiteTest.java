package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workload's attack suite ({@code vm_attacks.py}, docs/attack-suite.md) run as a root
 * workload in a local cell, in both worlds: every vector is refused, has no effect, or is what a
 * root workload keeps to itself ({@code standing}); every refusal is declared; the forgery the
 * kernel delivers is dropped and declared; the agent is alive at the end.
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.cellos.telemetry.cli.CellMode#all")
class AttackSuiteTest {
    private static final Path SUITE = Path.of("../guest/src/test/resources/vm_attacks.py").toAbsolutePath().normalize();
    private static final Pattern SUMMARY = Pattern.compile(
            "^SUMMARY refused=(\\d+) effect=(\\d+) blocked=(\\d+) standing=(\\d+) declared=(\\d+)$", Pattern.MULTILINE);

    /** Both worlds (the cell's own PID namespace, and the agent's, as in a microVM), with each mechanism. */
    @Parameter
    CellMode mode;

    @TempDir
    Path tmp;

    @Test
    void everyVectorIsRefusedOrHasNoEffectEachRefusalIsDeclaredAndTheAgentLives() throws Exception {
        Path dir = tmp.resolve("cell");
        String jar = Arrays.stream(System.getProperty("java.class.path").split(":")).filter(e -> e.endsWith(".jar"))
                .findFirst().orElseThrow();
        String code = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so") + ","
                + Path.of(System.getProperty("java.home"), "lib", "modules") + "," + jar;
        CellProcess c = CellProcess.cell(mode, dir, "/usr/bin/env", "CELLOS_ATTACK_LINGER=3",
                "CELLOS_ATTACK_CODE=" + code, "/usr/bin/python3", SUITE.toString());

        assertEquals(0, c.status(), c.toString());
        Matcher m = SUMMARY.matcher(c.out());
        assertTrue(m.find(), "the suite ran to its summary: " + c);
        assertEquals("0", m.group(2), "nothing got through: " + lines(c.out(), "EFFECT:"));
        int refused = Integer.parseInt(m.group(1));
        assertTrue(refused >= 30, "the refusals the suite is known to meet: " + refused);
        for (String file : code.split(",")) {
            assertTrue(c.out().contains("code_write:" + file + " refused:EROFS"), file + " is read-only to the workload");
        }

        // each refusal declared: one capability.denied at least per refused vector (a vector may try twice);
        // under eBPF a refusal that involves no capability check and is not the gate's (a read-only
        // file system's EROFS) is not seen: README, "Mechanisms"
        List<JsonNode> denied = c.ofType("capability.denied");
        long unseen = mode.bpf() ? c.out().lines().filter(l -> l.contains(" refused:EROFS")).count() : 0;
        assertTrue(denied.size() >= refused - unseen, denied.size() + " denials declared for " + refused
                + " refusals (" + unseen + " not seen by this mechanism):\n" + lines(c.out(), " refused:"));
        JsonNode auditSocket = denied.stream().filter(e -> e.path("data").path("syscall").asInt() == 41).findFirst()
                .orElseThrow(() -> new AssertionError("the audit socket's refusal (socket, 41) is declared"));
        assertTrue(c.events().indexOf(auditSocket) < c.events().size() - 5, "and events after it still come");

        if (mode.bpf()) {
            // no process connector socket to forge into: the forgery finds no listener
            assertTrue(c.out().contains("forge_connector_by_sock_diag blocked:no-connector-listener-listed"),
                    "nothing to forge into under eBPF: " + lines(c.out(), "forge"));
            assertTrue(c.events().stream().noneMatch(e -> e.path("data").path("guest_comm").asText()
                    .equals("forged-by-wkld")), "no forged record became evidence");
        } else {
            theConnectorForgeryIsRefused(c);
        }
        // alive to the end: a heartbeat after the last attack's event, nobody silenced
        int lastAttack = Math.max(c.events().indexOf(denied.getLast()),
                c.ofType("agent.tampered").stream().mapToInt(e -> c.events().indexOf(e)).max().orElse(-1));
        assertTrue(c.ofType("agent.heartbeat").stream().anyMatch(e -> c.events().indexOf(e) > lastAttack),
                "a heartbeat follows the attack");
        assertTrue(c.events().stream().noneMatch(e -> e.path("type").asText().endsWith("agent_silenced")));
        assertFalse(c.out().contains("the agent went silent"), c.out());
    }

    /**
     * A declared directory the workload tries to make unobservable: mounting over it is refused (no
     * CAP_SYS_ADMIN) and declared; moving it away is declared as tampering, naming the program.
     */
    @Test
    void aWatchedPathMadeUnobservableIsRefusedOrDeclared() throws Exception {
        Path dir = tmp.resolve("cell");
        Path watched = java.nio.file.Files.createDirectories(tmp.resolve("data/in")).toRealPath();
        CellProcess c = CellProcess.run(mode, dir, p -> { }, "cell", "run", "--dir", dir.toString(), "--watch",
                watched.toString(), "--", "/bin/sh", "-c", "mount -t tmpfs none " + watched + "; mv " + watched + " "
                        + watched + ".moved; echo written > " + watched + ".moved/after; sleep 1");

        assertEquals(0, c.status(), c.toString());
        assertTrue(c.ofType("capability.denied").stream().anyMatch(e -> e.path("data").path("syscall").asInt() == 165
                && e.path("data").path("guest_comm").asText().equals("mount")), "the mount refused and declared: " + c);
        List<JsonNode> tampered = c.ofType("agent.tampered");
        assertTrue(tampered.stream().anyMatch(e -> e.path("data").path("what").asText().equals("watched path " + watched
                + " moved away: it is watched under its new name, what takes its place is not")
                && e.path("data").path("guest_comm").asText().equals("mv")), "the move declared, naming mv: " + tampered);
        assertTrue(c.out().contains("moved away"), "the summary shows it: " + c.out());
    }

    /**
     * The forgery through sock_diag: the agent's connector socket is connected to the kernel, which
     * refuses the workload's unicast to it (a multicast forgery is dropped and declared by the agent:
     * {@code ProcConnectorProbeTest}).
     */
    private static void theConnectorForgeryIsRefused(CellProcess c) {
        assertTrue(c.out().contains("forge_connector_by_sock_diag blocked:the-socket-is-connected-to-the-kernel"),
                "the forgery refused by the kernel: " + lines(c.out(), "forge"));
        assertTrue(c.events().stream().noneMatch(e -> e.path("data").path("syscall").asInt() == 4095
                || e.path("data").path("guest_comm").asText().equals("forged-by-wkld")), "no forged record became evidence");
    }

    private static String lines(String text, String containing) {
        return String.join("\n", text.lines().filter(l -> l.contains(containing)).toList());
    }
}
