package io.cellos.telemetry.guest.init;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The ids the gate protects of a process: its threads' ids, from {@code /proc/<pid>/task}, and its
 * process group's, as this process's PID namespace numbers them.
 */
final class ThreadIds {
    private ThreadIds() {
    }

    /**
     * @param pid a process, or {@code "self"}
     * @return its threads' ids; empty if the process is gone
     */
    static List<Integer> of(String pid) throws IOException {
        List<Integer> ids = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
            for (Path t : tasks) {
                ids.add(Integer.parseInt(t.getFileName().toString()));
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return ids;
    }

    /**
     * The process group of {@code pid} (or {@code "self"}), the fifth field of
     * {@code /proc/<pid>/stat} after the parenthesised name; -1 if the process is gone.
     */
    static int processGroup(String pid) throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", pid, "stat"));
        } catch (NoSuchFileException e) {
            return -1;
        }
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(after[2]); // state, ppid, pgrp
    }

    /** The calling thread's id ({@code /proc/thread-self} is {@code <pid>/task/<tid>}). */
    static int current() throws IOException {
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }
}
