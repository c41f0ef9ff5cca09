package io.cellos.telemetry.guest.agent;

import io.cellos.telemetry.guest.GuestJvm;
import io.cellos.telemetry.guest.image.GuestImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The agent's JVM flags: the packages on the event path are compiled at the default counts, which
 * takes the inverse of the global scaling (a per-method scaling multiplies it), and a JVM accepts
 * every flag as written.
 */
class AgentLauncherFlagsTest {
    private static final String SCALING = "-XX:CompileThresholdScaling=";
    private static final String PER_PACKAGE = "-XX:CompileCommand=CompileThresholdScaling,";

    @Test
    void theEventPathPackagesAreCompiledAtTheDefaultCounts() {
        double global = AgentLauncher.JVM_OPTIONS.stream().filter(o -> o.startsWith(SCALING))
                .mapToDouble(o -> Double.parseDouble(o.substring(SCALING.length()))).reduce((a, b) -> b)
                .orElseThrow();
        assertEquals(GuestJvm.THRESHOLD_SCALING, global);
        List<String> scaled = new ArrayList<>();
        for (String o : AgentLauncher.JVM_OPTIONS) {
            if (o.startsWith(PER_PACKAGE)) {
                String[] parts = o.substring(PER_PACKAGE.length()).split(",");
                assertEquals(1.0, global * Double.parseDouble(parts[1]), 1e-9, o);
                scaled.add(parts[0]);
            }
        }
        assertEquals(AgentLauncher.EVENT_PATH_PACKAGES.stream().map(p -> p + ".*::*").toList(), scaled);
        assertTrue(scaled.contains("io.cellos.telemetry.*::*"), "the agent's own code");
    }

    /**
     * The agent's standard output carries its readiness: a JVM with the agent's flags writes
     * nothing there of its own, even when the image's AOT cache is one it cannot use (here: none
     * at all), which a JVM reports on standard output by default.
     */
    @Test
    void theJvmWritesNothingOfItsOwnOnTheAgentsStandardOutput(@TempDir Path image) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.addAll(new GuestImage(image, false).jvmOptions(GuestImage.Role.AGENT, AgentLauncher.JVM_OPTIONS, true));
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java -version ended");
        assertTrue(err.contains("[error][aot]"), "the JVM did report the cache it could not use: " + err);
        assertEquals("", out, "standard output");
    }

    @Test
    void aJvmTakesEveryFlagWithoutComplaint() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java"));
        cmd.addAll(AgentLauncher.JVM_OPTIONS.stream().filter(o -> !o.equals("-XX:CompileCommand=quiet")).toList());
        cmd.add("-version");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java -version ended");
        assertEquals(0, p.exitValue(), said);
        assertFalse(said.contains("rror"), said);
        for (String pkg : AgentLauncher.EVENT_PATH_PACKAGES) {
            // without "quiet", the JVM repeats each compile command it understood
            assertTrue(said.contains(pkg.replace('.', '/') + "/*.*"), pkg + " in: " + said);
        }
    }
}
