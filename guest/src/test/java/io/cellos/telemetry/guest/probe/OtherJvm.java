package io.cellos.telemetry.guest.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * The command that runs a test class's {@code main} in a JVM of its own — another process, with
 * this JVM's {@code java} and class path and native access — as another agent or a tamperer would
 * be.
 */
public final class OtherJvm {
    private OtherJvm() {
    }

    /** {@code java … main args…}. */
    public static List<String> command(Class<?> main, String... args) {
        List<String> c = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), main.getName()));
        c.addAll(List.of(args));
        return c;
    }
}
