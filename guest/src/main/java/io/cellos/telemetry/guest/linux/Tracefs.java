package io.cellos.telemetry.guest.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads tracepoints' ids and record layouts ({@link TraceEvent}) from tracefs: where it is mounted
 * ({@code /sys/kernel/tracing}, else {@code /sys/kernel/debug/tracing}), or, when it is mounted
 * nowhere (a minimal guest), from an instance mounted for the purpose in a mount namespace of a
 * thread's own, which ends with the thread: nothing is left mounted.
 */
public final class Tracefs {
    private static final List<Path> MOUNTED = List.of(Path.of("/sys/kernel/tracing"), Path.of("/sys/kernel/debug/tracing"));
    private static final Path PRIVATE_MOUNT = Path.of("/sys/kernel/tracing");
    private static final Pattern FIELD = Pattern.compile("field:[^;]*?([A-Za-z_0-9]+)(\\[\\d*])?;\\s*offset:(\\d+);\\s*size:(\\d+);");

    private Tracefs() {
    }

    /**
     * The tracepoints {@code names} ({@code "sched/sched_process_exec"}), in order.
     *
     * @throws IOException if tracefs cannot be read or mounted, or names no such tracepoint
     */
    public static List<TraceEvent> events(String... names) throws IOException {
        for (Path root : MOUNTED) {
            if (Files.isDirectory(root.resolve("events"))) {
                return read(root, names);
            }
        }
        return readPrivately(names);
    }

    private static List<TraceEvent> readPrivately(String[] names) throws IOException {
        List<TraceEvent> out = new ArrayList<>();
        IOException[] failure = new IOException[1];
        Thread t = Thread.ofPlatform().name("tracefs-reader").start(() -> {
            try {
                Mounts.unshareNamespace();
                Mounts.mountTracefs(PRIVATE_MOUNT.toString());
                out.addAll(read(PRIVATE_MOUNT, names));
            } catch (IOException e) {
                failure[0] = e;
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading tracefs", e);
        }
        if (failure[0] != null) {
            throw new IOException("tracefs is not mounted, and mounting it in a namespace of its own failed", failure[0]);
        }
        return out;
    }

    private static List<TraceEvent> read(Path root, String[] names) throws IOException {
        List<TraceEvent> out = new ArrayList<>();
        for (String name : names) {
            Path dir = root.resolve("events").resolve(name);
            int id = Integer.parseInt(Files.readString(dir.resolve("id")).strip());
            out.add(new TraceEvent(name, id, fields(Files.readString(dir.resolve("format")))));
        }
        return out;
    }

    /** The fields of a {@code format} file: {@code field:pid_t pid;	offset:12;	size:4;	signed:1;}. */
    static Map<String, TraceEvent.Field> fields(String format) {
        Map<String, TraceEvent.Field> fields = new HashMap<>();
        Matcher m = FIELD.matcher(format);
        while (m.find()) {
            fields.put(m.group(1), new TraceEvent.Field(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))));
        }
        return fields;
    }
}
