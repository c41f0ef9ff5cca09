package io.cellos.telemetry.guest.probe.process;

import io.cellos.telemetry.guest.probe.OtherJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessProbeTest {
    @Test
    void theBestIsTheConnectorWhereItCanBeArmed() throws IOException {
        try (ProcessProbe p = ProcessProbe.best()) {
            p.arm();
            assertInstanceOf(ProcConnectorProbe.class, p.armed());
            assertEquals(List.of(), p.passedOver());
            assertEquals("processes (netlink proc connector)", p.description());
            assertEquals(p.armed().fd(), p.fd());
        }
    }

    @Test
    void theWalkWhenAskedFor() throws IOException {
        try (ProcessProbe p = new ProcessProbe(ProcessProbe.Mechanism.WALK)) {
            p.arm();
            assertInstanceOf(ProcWalkProbe.class, p.armed());
            assertEquals("processes (/proc walk every 100 ms)", p.description());
        }
    }

    /*
     * How the connector refuses a process outside its namespaces differs between kernel builds (one
     * never answers the subscription, another refuses the bind with EPERM, a third answers
     * ECONNREFUSED), so these tests assert the outcome — the walk is chosen, and the reason names
     * the connector and what went wrong — not one build's words.
     */

    @Test
    void outsideTheInitialPidNamespaceTheConnectorFailsAndTheBestIsTheWalk() throws Exception {
        assertTheBestIsTheWalk(List.of("--pid", "--fork"));
    }

    @Test
    void outsideTheInitialUserNamespaceTheConnectorFailsAndTheBestIsTheWalk() throws Exception {
        assertTheBestIsTheWalk(List.of("--user", "--map-root-user"));
    }

    @Test
    void outsideTheInitialNetworkNamespaceTheConnectorFailsAndTheBestIsTheWalk() throws Exception {
        assertTheBestIsTheWalk(List.of("--net"));
    }

    /**
     * A reason a person can act on: it names the connector, and either the call and its errno
     * ({@code bind(netlink proc connector): errno 1 (EPERM: …)}, {@code … (ECONNREFUSED)}) or that
     * the kernel never answered.
     */
    private static final Pattern REASON = Pattern.compile(
            ".*proc connector.*(\\(E[A-Z]+[:)]|never acknowledged).*");

    /** Runs {@link ArmProcessProbes} under {@code unshare} with {@code namespaces}. */
    private static void assertTheBestIsTheWalk(List<String> namespaces) throws Exception {
        List<String> command = new ArrayList<>(List.of("unshare"));
        command.addAll(namespaces);
        command.addAll(OtherJvm.command(ArmProcessProbes.class));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), "the child JVM: " + lines);

        assertEquals(2, lines.size(), "two outcomes: " + lines);
        String why = lines.get(0).substring("connector: ".length());
        assertTrue(lines.get(0).startsWith("connector: ") && REASON.matcher(why).matches(),
                "the connector failed, and says how: " + lines.get(0));
        assertEquals("best: processes (/proc walk every 100 ms); passed over: processes (netlink proc connector): " + why,
                lines.get(1), "the walk is chosen, and the connector's reason given");
    }
}
