package io.cellos.telemetry.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A {@code bash} that reads commands from the harness: the root of the agent's declared process
 * tree ({@code --scope-root}), so that what it runs, and only that, is the agent's workload.
 *
 * <p>{@link #run} sends one command line and waits until the shell has finished it; the command's
 * standard output goes to the harness's standard error (it is progress, not a figure), its errors
 * likewise. The shell itself starts nothing while it waits for a command.
 *
 * <p>Not thread-safe: one caller at a time. Owns the shell process; {@link #close} ends it.
 */
final class ScopedShell implements AutoCloseable {
    private static final String DONE = "__scoped_shell_done__";

    private final Process shell;
    private final Writer in;
    private final BufferedReader out;

    ScopedShell() throws IOException {
        shell = new ProcessBuilder("bash", "--norc", "--noprofile").redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        in = new OutputStreamWriter(shell.getOutputStream(), StandardCharsets.UTF_8);
        out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The shell's pid: the scope root to give the agent. */
    long pid() {
        return shell.pid();
    }

    /**
     * Runs {@code argv} in the shell (each word {@linkplain #quote quoted}, so that nothing in it is expanded) and waits
     * for it to end.
     *
     * @return the command's exit status
     * @throws IOException if the shell is gone
     */
    int run(List<String> argv) throws IOException {
        String line = argv.stream().map(ScopedShell::quote).collect(Collectors.joining(" "));
        in.write(line + " >&2; echo " + DONE + " $?\n");
        in.flush();
        String reply;
        while ((reply = out.readLine()) != null) {
            if (reply.startsWith(DONE + " ")) {
                return Integer.parseInt(reply.substring(DONE.length() + 1).strip());
            }
        }
        throw new IOException("the scoped shell (pid " + shell.pid() + ") ended while running: " + line);
    }

    /**
     * {@code word} as the shell reads it literally: as it is if it holds only characters the shell
     * takes literally in any place (not {@code =}, which makes a first word an assignment, nor
     * {@code %}, which makes it a job), else single-quoted.
     */
    static String quote(String word) {
        return word.matches("[A-Za-z0-9_./:,+@-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * Ends the shell (end of input) and waits for it.
     *
     * @throws InterruptedIOException if interrupted while waiting (the interrupt is kept)
     */
    @Override
    public void close() throws IOException {
        in.close();
        try {
            shell.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the scoped shell (pid " + shell.pid() + ") ended");
        } finally {
            out.close();
        }
    }
}
