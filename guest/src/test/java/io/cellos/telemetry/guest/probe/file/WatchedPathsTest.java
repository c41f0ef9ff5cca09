package io.cellos.telemetry.guest.probe.file;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WatchedPathsTest {
    @Test
    void theDeclaredPathsComeFirstThenEachDirectoryAboveThemOnceButTheRoot() {
        WatchedPaths w = new WatchedPaths(List.of("/srv/in", "/srv/in/deep/file", "/etc/app.conf"));
        assertEquals(List.of("/srv/in", "/srv/in/deep/file", "/etc/app.conf", "/srv", "/srv/in/deep", "/etc"), w.paths());
        WatchedPaths.Target srv = w.targets().get(3);
        assertEquals(new WatchedPaths.Target("/srv", false, List.of("/srv/in", "/srv/in/deep/file")), srv);
        assertEquals(new WatchedPaths.Target("/srv/in", true, List.of("/srv/in")), w.targets().getFirst(),
                "a declared directory above another declared path is marked once, for everything");
        assertEquals("/srv, above watched paths /srv/in, /srv/in/deep/file, moved: they no longer name what is watched",
                WatchedPaths.unobservable(srv, false));
        assertEquals("the filesystem of watched path /srv/in unmounted: nothing there is watched any more",
                WatchedPaths.unmounted(w.targets().getFirst()));
    }
}
