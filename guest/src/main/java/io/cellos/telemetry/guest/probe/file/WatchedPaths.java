package io.cellos.telemetry.guest.probe.file;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the file-watch probes mark for the declared paths, and what they say when a declared path
 * stops naming what they watch.
 *
 * <p>A mark is on an object, not a name. The declared object can be deleted or moved away, and so
 * can any directory above it (rename {@code /data} to {@code /data.old}, make a new {@code /data}):
 * either way the declared path then names something no mark is on, and changes there would go
 * unseen. So beside each declared path, every directory above it (but {@code /}) is a
 * {@link Target} too, watched only for being deleted or moved itself; when that happens the probe
 * declares it ({@code agent.tampered}, {@link #unobservable}).
 *
 * <p>Immutable.
 */
final class WatchedPaths {
    /**
     * One object to mark.
     *
     * @param path     the path it is marked by
     * @param declared whether it is a declared path (watched for every change), or only above some
     * @param below    the declared paths it is, or is above, in declaration order
     */
    record Target(String path, boolean declared, List<String> below) {
    }

    private final List<Target> targets;

    /** @param declared the declared paths; they are the first targets, in the same order */
    WatchedPaths(List<String> declared) {
        Map<String, List<String>> above = new LinkedHashMap<>();
        for (String d : declared) {
            for (Path p = Path.of(d).toAbsolutePath().normalize().getParent(); p != null && p.getParent() != null;
                    p = p.getParent()) {
                above.computeIfAbsent(p.toString(), k -> new ArrayList<>()).add(d);
            }
        }
        List<Target> t = new ArrayList<>();
        for (String d : declared) {
            t.add(new Target(d, true, List.of(d)));
            above.remove(Path.of(d).toAbsolutePath().normalize().toString()); // declared already: marked for everything
        }
        above.forEach((path, below) -> t.add(new Target(path, false, List.copyOf(below))));
        this.targets = List.copyOf(t);
    }

    /** The declared paths first, in order, then the directories above them. */
    List<Target> targets() {
        return targets;
    }

    /** The paths of {@link #targets}, in order. */
    List<String> paths() {
        return targets.stream().map(Target::path).toList();
    }

    /**
     * What {@code agent.tampered} says when {@code t} is deleted ({@code deleted}) or moved:
     * {@code "watched path /srv/in moved away: it is watched under its new name, what takes its
     * place is not"}; {@code "/srv, above watched path /srv/in, deleted: ..."}.
     */
    static String unobservable(Target t, boolean deleted) {
        if (t.declared()) {
            return "watched path " + t.path() + (deleted ? " deleted: what is made there again is not watched"
                    : " moved away: it is watched under its new name, what takes its place is not");
        }
        return t.path() + ", above " + named(t) + ", " + (deleted ? "deleted" : "moved") + ": "
                + (t.below().size() == 1 ? "the watched path no longer names" : "they no longer name") + " what is watched";
    }

    /** What {@code agent.tampered} says when the filesystem of {@code t} is unmounted. */
    static String unmounted(Target t) {
        return "the filesystem of " + (t.declared() ? "watched path " + t.path() : t.path() + ", above " + named(t) + ",")
                + " unmounted: nothing there is watched any more";
    }

    private static String named(Target t) {
        return (t.below().size() == 1 ? "watched path " : "watched paths ") + String.join(", ", t.below());
    }
}
