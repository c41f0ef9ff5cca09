package io.cellos.telemetry.guest.probe.file;

import io.cellos.telemetry.guest.probe.FallbackProbe;
import java.io.IOException;
import java.util.List;

/**
 * The agent's declared file watches: on {@link #arm} it arms the best mechanism this kernel offers
 * for the declared paths and from then on is that mechanism. In order of preference:
 * <ol>
 * <li>{@link FanotifyWatchProbe} reporting file ids (Linux 5.9, root): who made the change, and
 *     every kind of change;</li>
 * <li>{@link FanotifyWatchProbe} reporting file descriptors (root): who made the change, but
 *     content changes only;</li>
 * <li>{@link InotifyWatchProbe}: every kind of change, but not who (the agent names itself).</li>
 * </ol>
 * A mechanism is passed over when the kernel refuses it (no fanotify in the kernel, no
 * {@code CAP_SYS_ADMIN}, a filesystem without file ids); once armed, {@link #description()} says
 * which was armed and why the others were not ({@link FallbackProbe}). A declared path that does
 * not resolve fails {@link #arm} at once with a {@link WatchPathException}: no mechanism could
 * watch it.
 */
public final class FileWatchProbe extends FallbackProbe {
    /**
     * @param paths    the declared paths ({@code --watch}), files or directories
     * @param selfComm the agent's comm, for the inotify fallback's events
     */
    public FileWatchProbe(List<String> paths, String selfComm) {
        super("declared files on " + nonEmpty(paths).size() + " path(s)", List.of(
                () -> new FanotifyWatchProbe(paths, FanotifyWatchProbe.Reporting.FILE_IDS),
                () -> new FanotifyWatchProbe(paths, FanotifyWatchProbe.Reporting.FILE_DESCRIPTORS),
                () -> new InotifyWatchProbe(paths, selfComm)));
    }

    private static List<String> nonEmpty(List<String> paths) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no paths to watch");
        }
        return paths;
    }

    /** A declared path that does not resolve: no mechanism could watch it. */
    @Override
    protected boolean endsTheSearch(IOException e) {
        return e instanceof WatchPathException;
    }
}
