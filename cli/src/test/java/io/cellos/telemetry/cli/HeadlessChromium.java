package io.cellos.telemetry.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A summary page loaded in a real headless browser (Debian's {@code chromium}, which
 * scripts/install-test-deps installs), and read back from the DOM its script built.
 */
final class HeadlessChromium {
    private HeadlessChromium() {
    }

    /**
     * The DOM of {@code page} once its script ran, checked to have loaded without a word on the
     * console (a script error, a resource the Content-Security-Policy refused, any
     * {@code console.*}) and without an error in its {@code #errors}.
     *
     * @param work a directory for the browser's profile and log
     */
    static String render(Path page, Path work) throws IOException, InterruptedException {
        Path log = work.resolve("chromium.err");
        Process chromium = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--user-data-dir=" + work.resolve("profile"), "--enable-logging=stderr",
                "--v=0", "--virtual-time-budget=10000", "--dump-dom", page.toUri().toString())
                .redirectError(log.toFile()).start();
        String dom = new String(chromium.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(chromium.waitFor(120, TimeUnit.SECONDS), "chromium ended");
        assertEquals(0, chromium.exitValue(), Files.readString(log));
        List<String> console = Files.readAllLines(log).stream().filter(l -> l.contains(":CONSOLE")).toList();
        assertEquals(List.of(), console, "the page said nothing on the console");
        assertTrue(dom.contains("<div id=\"errors\"></div>"), "no script error: " + errors(dom));
        assertFalse(dom.isBlank(), "a DOM was dumped");
        return dom;
    }

    /** The text of the element with id {@code id}, which holds only text. */
    static String text(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\">([^<]*)<").matcher(dom);
        assertTrue(m.find(), id + " in the rendered page");
        return m.group(1);
    }

    private static String errors(String dom) {
        Matcher m = Pattern.compile("id=\"errors\">(.*?)</div>").matcher(dom);
        return m.find() ? m.group(1) : "(no errors element)";
    }
}
