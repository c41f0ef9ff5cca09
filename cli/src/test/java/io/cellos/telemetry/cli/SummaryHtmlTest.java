package io.cellos.telemetry.cli;

import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.WaitStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run's picture, loaded in a real headless browser (Debian's {@code chromium}, which
 * scripts/install-test-deps installs): the page renders without an error, and the counts it shows
 * are the events'; a build of 10,000 processes stays a page of a few rows.
 */
class SummaryHtmlTest {
    private static final int CHILDREN = 10_000;

    @TempDir
    Path dir;

    @Test
    void aBuildOfTenThousandProcessesRendersInABrowserWithTheEventsCounts() throws Exception {
        CellSummary summary = new CellSummary();
        SummaryFeed guest = new SummaryFeed(summary);
        Instant at = SummaryFeed.AT;
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 1, "init", 0));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 5, "init", 1_000).withExtensions(Extensions.NONE.withParentPid(1)));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXEC, 5, "make", 2_000).withExtensions(Extensions.NONE.withPath("/usr/bin/make")));
        for (int i = 0; i < CHILDREN; i++) {
            long pid = 100 + i;
            long t = 10_000 + i * 1_000L;
            guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, pid, "make", t).withExtensions(Extensions.NONE.withParentPid(5)));
            guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXEC, pid, "cc", t + 100).withExtensions(Extensions.NONE.withPath("/usr/bin/cc")));
            guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXITED, pid, "cc", t + 900)
                    .withExtensions(Extensions.NONE.withExitCode(i % 1000 == 0 ? 1 << 8 : 0)));
        }
        guest.accept(ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 5, "make", 5_000_000)
                .withExtensions(Extensions.NONE.withPeer("10.0.0.1:443").withHost("</script><script>alert(1)</script>")));
        guest.accept(ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 150, "cc", 5_100_000)
                .withExtensions(Extensions.NONE.withPeer("unix:/run/docker.sock")));
        guest.accept(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 5, "make", 6_000_000).withExtensions(Extensions.NONE.withSyscall(170)));
        guest.accept(ProbeEvent.of(ProbeSource.NET_RAW_SOCKET_OPENED, 5, "make", 6_500_000)
                .withExtensions(Extensions.NONE.withSocket("packet raw 0x0003")));
        guest.accept(ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "cellos-agent", 7_000_000)
                .withExtensions(Extensions.NONE.withDroppedTotal(4)));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 5, "make", 20_000_000).withExtensions(Extensions.NONE.withExitCode(0)));
        CellReport report = summary.report(List.of("make", "-j2"), Optional.of(WaitStatus.ofExit(0)), 0);
        Path page = dir.resolve("run.html");
        try (OutputStream out = Files.newOutputStream(page)) {
            SummaryHtml.write(out, report, new RunFacts("c1", "r1", "own PID namespace", "mechanism bpf",
                    "/c/events.jsonl", at, at.plusSeconds(20)));
        }
        String html = Files.readString(page);
        assertFalse(Pattern.compile("(?i)<(script|link|img|iframe)[^>]*(src|href)=").matcher(html).find(),
                "nothing is fetched when the page is viewed");
        assertFalse(html.contains("</script><script>alert"), "the guest's text cannot close the data's script element");

        String dom = HeadlessChromium.render(page, dir);
        assertEquals(String.valueOf(CHILDREN + 2), HeadlessChromium.text(dom, "count-processes"));
        assertEquals("3", HeadlessChromium.text(dom, "count-rows"), "init, make, and the 10,000 cc in one row");
        assertEquals("2", HeadlessChromium.text(dom, "count-connections"));
        assertEquals("1", HeadlessChromium.text(dom, "count-denials"));
        assertEquals("1", HeadlessChromium.text(dom, "count-raw-sockets"));
        assertTrue(dom.contains("cc (/usr/bin/cc) ×" + CHILDREN + " {exit 0=" + (CHILDREN - 10) + ", exit 1=10}"), dom.length() + "");
        assertTrue(dom.contains("4 events dropped in the guest"), "drops stated");
        assertTrue(dom.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), "the guest's text shown as text");
    }
}
