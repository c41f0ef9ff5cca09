package io.cellos.telemetry.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits of the tests on what another process does, woken by the thing itself rather than by
 * asking again after a sleep: a file written (inotify, through the JDK's {@link WatchService}),
 * lines a process prints, processes ending. Each fails the test with what it saw once its
 * patience is spent.
 */
final class Await {
    private Await() {
    }

    /**
     * Returns the text of {@code file} once {@code done} holds for it (a file not there yet reads
     * as empty), woken by each change in its directory.
     */
    static String fileText(Path file, Predicate<String> done, Duration patience, String what)
            throws IOException, InterruptedException {
        Path absolute = file.toAbsolutePath();
        long deadline = System.nanoTime() + patience.toNanos();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            absolute.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
            while (true) {
                // read after registering, and again after every change: no write goes unseen
                String text = Files.exists(absolute)
                        ? new String(Files.readAllBytes(absolute), StandardCharsets.UTF_8) : "";
                if (done.test(text)) {
                    return text;
                }
                WatchKey key = watch.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (key == null) {
                    throw new AssertionError("waited " + patience + " for " + what + " in " + file + "; it holds:\n" + text);
                }
                key.pollEvents();
                key.reset();
            }
        }
    }

    /** Returns once {@code file} holds the line {@code line}. */
    static void line(Path file, String line, Duration patience) throws IOException, InterruptedException {
        fileText(file, t -> t.lines().anyMatch(line::equals), patience, "the line '" + line + "'");
    }

    /** The first {@code n} lines {@code p} prints on its standard output. */
    static List<String> lines(Process p, int n, Duration patience, String what)
            throws InterruptedException, ExecutionException {
        List<String> lines = new ArrayList<>();
        CompletableFuture<List<String>> read = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
                for (String l; lines.size() < n && (l = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(l);
                    }
                }
                return lines;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            return read.get(patience.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            p.destroyForcibly(); // its output closes: the reader ends
            synchronized (lines) {
                throw new AssertionError("waited " + patience + " for " + what + "; read " + lines);
            }
        }
    }

    /** Returns once every one of {@code processes} has ended; {@code after} says what they followed, if they did not. */
    static void exits(List<ProcessHandle> processes, Duration patience, Supplier<String> after)
            throws InterruptedException, ExecutionException {
        try {
            CompletableFuture.allOf(processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(patience.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("still running " + patience + " after " + after.get() + ": "
                    + processes.stream().filter(ProcessHandle::isAlive)
                    .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList());
        }
    }
}
