package io.cellos.telemetry.guest.init;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.TreeSet;

/**
 * The files whose contents init and the agent run: every regular file mapped into them (the JVM,
 * its libraries, libc, the JDK's module image) and the entries of init's class path (the jar both
 * load classes from on first use, or a directory of classes).
 *
 * <p>A process sees a change to such a file: a library's pages are the page cache's until the
 * process writes to them, so writing into {@code libjvm.so} or {@code libc.so.6} in place rewrites
 * the code of every process that maps it, and a class loaded late comes from the jar as it is then.
 * A root workload could write them; {@link WorkloadIsolation} makes each one read-only in the
 * workload's mount namespace. (Replacing a file by renaming another over it leaves running
 * processes with the old one, and the bind mount refuses that too.)
 */
final class ProtectedCode {
    private ProtectedCode() {
    }

    /**
     * The files (and class directories), absolute and sorted, for init (this process) and {@code others} (pids as this
     * process sees them; one that has ended or cannot be read is skipped: init protects what it can
     * name).
     */
    static TreeSet<String> of(Collection<Integer> others) throws IOException {
        TreeSet<String> files = new TreeSet<>();
        mappedFiles("self", files);
        for (int pid : others) {
            try {
                mappedFiles(Integer.toString(pid), files);
            } catch (IOException e) {
                // gone, or outside this PID namespace: nothing to protect there
            }
        }
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Path p = Path.of(entry).toAbsolutePath().normalize();
                if (Files.isDirectory(p)) {
                    files.add(p.toString());
                } else {
                    addIfRegular(p.toString(), files);
                }
            }
        }
        return files;
    }

    /** Adds the regular files {@code /proc/<pid>/maps} names (not those deleted since they were mapped). */
    private static void mappedFiles(String pid, TreeSet<String> files) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", pid, "maps"), StandardCharsets.UTF_8)) {
            int slash = line.indexOf(" /");
            if (slash >= 0 && !line.endsWith(" (deleted)")) {
                addIfRegular(line.substring(slash + 1), files);
            }
        }
    }

    private static void addIfRegular(String path, TreeSet<String> files) {
        if (!files.contains(path) && Files.isRegularFile(Path.of(path))) {
            files.add(path);
        }
    }
}
