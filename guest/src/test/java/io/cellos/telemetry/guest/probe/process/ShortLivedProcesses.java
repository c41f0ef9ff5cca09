package io.cellos.telemetry.guest.probe.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a shell loop that starts short-lived processes one after another, each of which prints its
 * pid first; no C needed.
 *
 * @param driver the loop shell's pid: every process's parent
 * @param pids   the processes' pids, in the order they ran
 */
record ShortLivedProcesses(int driver, List<Integer> pids) {
    /** {@code count} processes that print their pid and exec {@code /bin/true}. */
    static ShortLivedProcesses execTrue(int count) throws IOException, InterruptedException {
        return run("for i in $(seq " + count + "); do /bin/sh -c 'echo $$; exec /bin/true'; done");
    }

    /** {@code count} processes that print their pid and exit with {@link #exitStatus}. */
    static ShortLivedProcesses exitWithDistinctStatus(int count) throws IOException, InterruptedException {
        return run("for i in $(seq " + count + "); do /bin/sh -c 'echo $$; exit $1' sh $(( i % 255 + 1 )); done");
    }

    /** The status the {@code i}th (from 0) process of {@link #exitWithDistinctStatus} exits with. */
    static int exitStatus(int i) {
        return (i + 1) % 255 + 1;
    }

    private static ShortLivedProcesses run(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", script + "; exit 0").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Integer> pids = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                pids.add(Integer.parseInt(line.trim()));
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the driver loop failed: " + p.exitValue());
        }
        return new ShortLivedProcesses((int) p.pid(), List.copyOf(pids));
    }
}
