package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.cellos.telemetry.guest.image.GuestImage;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.ExitChannel;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.CapturingSink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cellos package guest} and {@code cell run --guest-image}, as root, with real processes: one
 * image is built for the class (jlink, the guest jar, the AOT cache trained on a real local cell),
 * its layout and runtime are checked, and local cells run init and the agent from it.
 */
class GuestImageTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path shared;
    static Path image;
    static CellProcess packaged;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildTheImage() throws Exception {
        image = shared.resolve("image");
        packaged = CellProcess.run(shared.resolve("package"), p -> { }, "package", "guest", "--out", image.toString());
        assertEquals(0, packaged.status(), packaged.toString());
    }

    @Test
    void theImageHoldsTheRuntimeTheJarTheCacheAndTheExecutablesAndSaysItsSize() throws IOException {
        for (String exe : List.of("bin/cellos-init", "bin/cellos-telemetry", "runtime/bin/java")) {
            assertTrue(Files.isExecutable(image.resolve(exe)), exe);
        }
        for (String file : List.of("lib/cellos-telemetry.jar", "lib/cellos.aot")) {
            assertTrue(Files.isRegularFile(image.resolve(file)) && Files.size(image.resolve(file)) > 0, file);
        }
        try (Stream<Path> top = Files.list(image)) {
            assertEquals(List.of("bin", "lib", "runtime"), top.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(Files.exists(image.resolve("runtime/include")), "no header files");
        assertFalse(Files.exists(image.resolve("runtime/man")), "no man pages");
        for (String part : List.of("runtime (jlink: java.base)", "guest jar", "AOT cache", "executables", "total")) {
            assertTrue(packaged.out().lines().anyMatch(l -> l.strip().startsWith(part) && l.contains(" MiB")),
                    part + "\n" + packaged);
        }
        for (String script : List.of("bin/cellos-init", "bin/cellos-telemetry")) {
            String text = Files.readString(image.resolve(script));
            assertTrue(text.startsWith("#!/bin/sh\n"), text);
            assertTrue(text.contains("'-XX:AOTCache='\"$img\"'/lib/cellos.aot'"), text);
            assertFalse(text.contains(image.toString()), "the script finds the image from its own path: " + text);
        }
    }

    @Test
    void theRuntimeHoldsOnlyTheModulesTheGuestNeeds() throws Exception {
        String modules = output(image.resolve("runtime/bin/java").toString(), "--list-modules");
        assertEquals(List.of("java.base"), modules.lines().map(l -> l.replaceAll("@.*", "")).toList(), modules);
    }

    @Test
    void theExecutablesRunTheRolesFromTheImageWhereverItIs() throws Exception {
        Path moved = tmp.resolve("elsewhere");
        assertEquals(0, new ProcessBuilder("cp", "-a", image.toString(), moved.toString()).inheritIO().start().waitFor());
        assertTrue(output(moved.resolve("bin/cellos-init").toString(), "--help").contains("init"));
        assertTrue(output(moved.resolve("bin/cellos-telemetry").toString(), "--help").contains("--transport"));
    }

    /**
     * In each PID-namespace setting and mechanism: the usual events, the agent ready, both roles on the
     * image, and the image's files they run read-only to the workload.
     */
    @Test
    void aLocalCellRunsInitAndTheAgentFromTheImage() throws Exception {
        for (CellMode mode : CellMode.all()) {
            Path dir = tmp.resolve(mode.pidNamespace() + "-" + mode.mechanism());
            List<String> agentCommand = new ArrayList<>();
            String tryToWrite = "for f in " + image.resolve("lib/cellos.aot") + " " + image.resolve("lib/cellos-telemetry.jar")
                    + " " + image.resolve("runtime/lib/modules") + "; do (true >> $f) 2>/dev/null && echo writable $f; done; ";
            CellProcess c = CellProcess.run(mode, dir, p -> agentCommand.addAll(agentCommandOnceStarted(dir)), "cell", "run",
                    "--dir", dir.toString(), "--guest-image", image.toString(), "--", "/bin/sh", "-c",
                    tryToWrite + "getent hosts localhost >/dev/null; echo started; sleep 0.5; exit 3");
            assertEquals(3, c.status(), mode + ": " + c);
            assertFalse(c.out().lines().anyMatch(l -> l.startsWith("writable ")),
                    "the image's cache, jar and modules are read-only to the workload: " + c);
            assertTrue(c.out().contains("guest image: " + image + " (init and the agent ran from its runtime and jar, with its "
                    + "AOT cache)"), c.toString());
            assertTrue(c.out().contains("-> exit 3"), c.toString());
            assertTrue(c.err().contains("cellos-telemetry: ready: "), c.toString());
            assertTrue(c.ofType("process.exec").stream().anyMatch(e -> e.path("data").path("guest_comm").asText().equals("sh")),
                    "the workload's exec was seen: " + c);
            assertTrue(c.ofType("process.exited").stream().anyMatch(e -> e.path("data").path("exit_code").asInt(-1) == 3 << 8),
                    "the workload's exit (a wait status) was seen: " + c);
            String agent = String.join(" ", agentCommand);
            assertTrue(agent.startsWith(image.resolve("runtime/bin/java").toString()), agent);
            assertTrue(agent.contains("-XX:AOTCache=" + image.resolve("lib/cellos.aot")), agent);
            assertTrue(agent.contains("-cp " + image.resolve("lib/cellos-telemetry.jar")), agent);
            assertFalse(agent.contains("-Xshare"), "a JVM refuses -Xshare beside an AOT cache: " + agent);
            if (mode.bpf()) { // UNIX connects are seen under eBPF only: getent asks nscd over one first
                // (init's own, to the exit channel, is made as it starts, before the agent may be ready)
                // (init's JVM may ask nscd too, once the agent is ready: the workload's connect is getent's)
                List<JsonNode> getent = c.ofType("net.connect_attempted").stream()
                        .filter(e -> e.path("data").path("peer").asText().equals("unix:/var/run/nscd/socket"))
                        .filter(e -> e.path("data").path("guest_comm").asText().equals("getent")).toList();
                assertFalse(getent.isEmpty(), c.toString());
                assertEquals("/usr/bin/getent", getent.get(0).path("data").path("exe").asText(), c.toString());
            }
        }
    }

    /**
     * The microVM's path, minus the VM: {@code bin/cellos-init} as root, in no namespace of its own,
     * launches the agent itself (to a real receiver over UNIX sockets), and the agent it launches runs
     * from the image: the launcher takes the image's runtime, jar and flags from the JVM it runs in.
     */
    /**
     * As a microVM starts it (no namespace, init launching the agent), traced by {@code strace}:
     * init's JVM is executed once where the guest's {@code env} can block its signals, and where it
     * cannot (an {@code env} first on the PATH that refuses {@code --block-signal}) init blocks them
     * and executes itself again, and runs the cell all the same.
     */
    @ParameterizedTest(name = "env blocks signals: {0}")
    @ValueSource(booleans = {true, false})
    void initFromTheImageLaunchesTheAgentFromTheImage(boolean envBlocks) throws Exception {
        CapturingSink sink = new CapturingSink();
        try (Receiver receiver = Receiver.start(ReceiverOptions.defaults(), sink, System.err);
             CellHandle cell = receiver.bind(tmp.resolve("vm.vsock"), new CellStamp("vm", "run-1", null));
             ExitChannel exits = cell.bindExitChannel()) {
            Path out = tmp.resolve("stdout.txt");
            Path trace = tmp.resolve("execs.strace");
            ProcessBuilder pb = new ProcessBuilder("strace", "--seccomp-bpf", "-f", "-qq", "-v", "-s", "256",
                    "-e", "trace=execve", "-o", trace.toString(), "setsid", image.resolve("bin/cellos-init").toString(),
                    "--agent-transport", "unix:" + cell.socketPath(), "--exit-to", "unix:" + exits.socketPath(), "--",
                    "/bin/sh", "-c", "echo started; sleep 0.5; exit 3").redirectOutput(out.toFile())
                    .redirectError(tmp.resolve("stderr.txt").toFile());
            if (!envBlocks) {
                Path bin = Files.createDirectories(tmp.resolve("old-env"));
                Files.writeString(bin.resolve("env"), "#!/bin/sh\necho \"env: unrecognized option '$1'\" >&2\nexit 125\n");
                assertTrue(bin.resolve("env").toFile().setExecutable(true));
                pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
            }
            Process init = pb.start();
            List<String> agent = agentCommandOnceStarted(tmp);
            assertTrue(init.waitFor(60, TimeUnit.SECONDS));
            String err = Files.readString(tmp.resolve("stderr.txt"));
            assertEquals(3, init.exitValue(), err);
            assertTrue(err.contains("cellos-telemetry: ready: "), err);
            assertEquals(3 << 8, exits.await(PATIENCE).orElseThrow().raw());
            assertEquals(image.resolve("runtime/bin/java").toString(), agent.get(0));
            assertTrue(agent.contains("-XX:AOTCache=" + image.resolve("lib/cellos.aot")), agent.toString());
            assertTrue(agent.contains(image.resolve("lib/cellos-telemetry.jar").toString()), agent.toString());
            assertFalse(agent.stream().anyMatch(a -> a.startsWith("-Xshare")), agent.toString());
            sink.await(e -> e.path("type").asText().endsWith("process.exec") && e.path("data").path("guest_comm").asText()
                    .equals("sh"), 1, PATIENCE);
            List<String> initExecs = Files.readAllLines(trace).stream().filter(l -> l.contains("execve(\""
                    + image.resolve("runtime/bin/java") + "\"") && l.contains("\"" + GuestImage.MAIN_CLASS + "\", \"init\"")
                    && !l.contains(" = -1 E")).toList(); // done: "= 0", or from another thread "<pid changed to …>"
            assertEquals(envBlocks ? 1 : 2, initExecs.size(), String.join("\n", initExecs));
        }
    }

    @Test
    void aDirectoryThatIsNoImageAndAnOutThatIsNotEmptyAreRefused() throws IOException {
        Run missing = Run.of("", "cell", "run", "--guest-image", tmp.resolve("none").toString(), "--", "true");
        assertEquals(2, missing.status(), missing.err());
        assertTrue(missing.err().contains("no such directory (make one with: cellos package guest --out"), missing.err());
        Run notImage = Run.of("", "cell", "run", "--guest-image", tmp.toString(), "--", "true");
        assertEquals(2, notImage.status(), notImage.err());
        assertTrue(notImage.err().contains("not a guest image: " + tmp.resolve("runtime/bin/java")), notImage.err());
        Files.writeString(tmp.resolve("something"), "x");
        Run full = Run.of("", "package", "guest", "--out", tmp.toString(), "--no-aot-cache");
        assertEquals(2, full.status(), full.err());
        assertTrue(full.err().contains("not empty"), full.err());
    }

    /** Once the workload said it started (the agent was ready before), the agent's command line, found by the image's path. */
    private static List<String> agentCommandOnceStarted(Path dir) {
        try {
            Await.line(dir.resolve("stdout.txt"), "started", PATIENCE);
            for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
                Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
                String text;
                try {
                    text = Files.readString(cmdline, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue; // ended meanwhile
                }
                List<String> argv = List.of(text.split("\0"));
                if (argv.contains("--launched") && text.contains(image.toString())) {
                    return argv;
                }
            }
            throw new AssertionError("no agent launched from " + image + " while the workload ran");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static String output(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
