package io.cellos.telemetry.guest.probe.file;

import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;

/**
 * What a declared file watch declares, whichever mechanism saw it: {@code fs.inotify_fired} (the
 * protocol keeps the inotify name for fanotify too), who touched the file as far as the mechanism
 * knows, and which file.
 */
final class FileWatchEvent {
    private FileWatchEvent() {
    }

    /**
     * An event stamped now.
     *
     * @param path the file, or {@code null} when the mechanism could not say (then the frame is a
     *             bare "a declared watch fired", as the reference agent sent)
     */
    static ProbeEvent of(int pid, String comm, String path) {
        ProbeEvent event = ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, pid, comm, System.nanoTime());
        return path == null ? event : event.withExtensions(Extensions.NONE.withPath(path));
    }

    /**
     * The path of entry {@code name} of the watched directory {@code watched}; {@code watched} itself
     * when there is no name (an event on the watched object) or the name is {@code "."} (fanotify's
     * name for a directory's event on itself).
     */
    static String join(String watched, String name) {
        if (name == null || name.isEmpty() || name.equals(".")) {
            return watched;
        }
        return watched.endsWith("/") ? watched + name : watched + "/" + name;
    }
}
