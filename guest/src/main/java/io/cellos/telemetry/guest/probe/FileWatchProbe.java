package io.cellos.telemetry.guest.probe;

import java.io.IOException;
import java.util.ArrayList;
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
 * which was armed and why the others were not. A declared path that does not resolve fails
 * {@link #arm} at once with a {@link WatchPathException}: no mechanism could watch it.
 *
 * <p>Threading and ownership are those of the armed mechanism: loop thread only; owns its fds.
 */
public final class FileWatchProbe implements Probe {
    private final List<String> paths;
    private final String selfComm;
    private final List<String> passedOver = new ArrayList<>();
    private Probe armed;

    /**
     * @param paths    the declared paths ({@code --watch}), files or directories
     * @param selfComm the agent's comm, for the inotify fallback's events
     */
    public FileWatchProbe(List<String> paths, String selfComm) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no paths to watch");
        }
        this.paths = List.copyOf(paths);
        this.selfComm = selfComm;
    }

    /**
     * Before {@link #arm}, what is declared; after, which mechanism is armed and why the preferred
     * ones are not: {@code "declared files (inotify) on 1 path(s); passed over: declared files
     * (fanotify reporting file ids) on 1 path(s): fanotify_init(FAN_CLASS_NOTIF|FAN_REPORT_DFID_NAME|
     * FAN_REPORT_FID): errno 1 (EPERM: Operation not permitted); ..."}.
     */
    @Override
    public String description() {
        if (armed == null) {
            return "declared files on " + paths.size() + " path(s)";
        }
        return passedOver.isEmpty() ? armed.description()
                : armed.description() + "; passed over: " + String.join("; ", passedOver);
    }

    /**
     * Arms the first mechanism the kernel accepts.
     *
     * @throws WatchPathException when a declared path cannot be resolved
     * @throws IOException        saying why each mechanism was refused, when none could be armed
     */
    @Override
    public void arm() throws IOException {
        List<Probe> candidates = List.of(
                new FanotifyWatchProbe(paths, FanotifyWatchProbe.Reporting.FILE_IDS),
                new FanotifyWatchProbe(paths, FanotifyWatchProbe.Reporting.FILE_DESCRIPTORS),
                new InotifyWatchProbe(paths, selfComm));
        for (Probe candidate : candidates) {
            try {
                candidate.arm();
                armed = candidate;
                return;
            } catch (WatchPathException e) {
                throw e;
            } catch (IOException e) {
                passedOver.add(candidate.description() + ": " + e.getMessage());
            }
        }
        throw new IOException("no file watch mechanism could be armed: " + String.join("; ", passedOver));
    }

    @Override
    public int fd() {
        return armed.fd();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        armed.onReadable(out);
    }

    @Override
    public void close() {
        if (armed != null) {
            armed.close();
        }
    }
}
