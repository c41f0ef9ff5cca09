package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code events report}: the page made from an event log shows what the run's own page shows of the
 * same events, renders in a real browser with the log's counts, and every log it cannot draw one
 * run from is refused with what to do.
 */
class EventsReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aLogsPageShowsWhatTheRunsOwnShowsAndRendersWithTheLogsCounts() throws Exception {
        List<CellEvent> events = SampleRuns.everythingsEvents();
        Path log = write("events.jsonl", events);
        Path page = dir.resolve("run.html");
        Run r = Run.of("", "events", "report", log.toString(), "--out", page.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.err().contains("report of cell c, run r: " + page + " (" + events.size() + " events)"), r.err());

        CellSummary live = new CellSummary();
        live.root(1);
        events.forEach(live::accept);
        ByteArrayOutputStream liveJson = new ByteArrayOutputStream();
        SummaryJson.write(liveJson, live.report(List.of(), Optional.empty(), 3), SampleRuns.FACTS);
        JsonNode expected = JSON.readTree(liveJson.toByteArray());
        JsonNode shown = data(page);
        for (String member : List.of("processes", "connections", "raw_sockets", "files", "denials", "tampering",
                "channels_refused", "drops", "events")) {
            assertEquals(expected.get(member), shown.get(member), member);
        }
        assertEquals("status 3 (no report on the exit channel)", shown.at("/workload/status").asText());
        assertEquals("/usr/bin/<b>dash</b>", shown.at("/workload/argv/0").asText(), "init's first child, by its exec");
        assertEquals(List.of(), SummarySchema.errors(shown.toString()), "the page's data is a summary too");

        String dom = HeadlessChromium.render(page, dir);
        List<JsonNode> lines = lines(log);
        assertEquals(String.valueOf(lines.stream().filter(e -> e.at("/data/probe_source").asText().startsWith("process."))
                .map(e -> e.at("/data/guest_pid").asLong()).distinct().count()), HeadlessChromium.text(dom, "count-processes"));
        assertEquals(count(lines, "net.connect_attempted"), HeadlessChromium.text(dom, "count-connections"));
        assertEquals(count(lines, "capability.denied"), HeadlessChromium.text(dom, "count-denials"));
        assertEquals(count(lines, "net.raw_socket_opened"), HeadlessChromium.text(dom, "count-raw-sockets"));
        assertTrue(dom.contains("7 events dropped in the guest, 2 frames refused by the host, the agent went silent 1 times"),
                "drops stated");
        assertTrue(dom.contains(LoggedRun.NOT_IN_LOG), "what the log does not hold is said");
    }

    @Test
    void aLogOfSeveralCellsOrRunsNeedsAChoiceAndStandardInputIsReadToo() throws Exception {
        List<CellEvent> events = new ArrayList<>(SampleRuns.everythingsEvents());
        events.add(otherCell("c2", "r2"));
        events.add(otherCell("c", "r-later"));
        Path log = write("mixed.jsonl", events);
        Path page = dir.resolve("c2.html");
        Run cells = Run.of("", "events", "report", log.toString(), "--out", page.toString());
        assertEquals(2, cells.status(), cells.toString());
        assertTrue(cells.err().contains(log + " holds 2 cells (c, c2): choose one with --cell"), cells.err());
        Run runs = Run.of("", "events", "report", log.toString(), "--out", page.toString(), "--cell", "c");
        assertEquals(2, runs.status(), runs.toString());
        assertTrue(runs.err().contains("holds 2 runs (r, r-later): choose one with --run"), runs.err());
        Run unknown = Run.of("", "events", "report", log.toString(), "--out", page.toString(), "--cell", "c3");
        assertEquals(2, unknown.status(), unknown.toString());
        assertTrue(unknown.err().contains("--cell c3: no event of it in " + log + " (it holds c, c2)"), unknown.err());

        Run c2 = Run.of(Files.readAllBytes(log), "events", "report", "-", "--out", page.toString(), "--cell", "c2");
        assertEquals(0, c2.status(), c2.toString());
        JsonNode shown = data(page);
        assertEquals("c2", shown.get("cell_id").asText());
        assertEquals(1, shown.get("events").asInt(), "only the chosen cell's events");
        assertEquals("standard input", shown.get("event_log").asText());
    }

    @Test
    void anEventThatCannotBeReadBackIsLeftOutAndSaidAndInputThatIsNotALogIsRefused() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(write("events.jsonl", SampleRuns.everythingsEvents())));
        lines.set(1, lines.get(1).replace("\"guest_pid\":5", "\"guest_pid\":\"five\""));
        Path edited = Files.write(dir.resolve("edited.jsonl"), lines);
        Path page = dir.resolve("edited.html");
        Run r = Run.of("", "events", "report", edited.toString(), "--out", page.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.err().contains("left out: event r/c1/f2: data: guest_pid is not an unsigned 64-bit value"), r.err());
        assertTrue(data(page).get("agent").asText().contains("1 of its events could not be read"), "said on the page");

        Path notJson = Files.writeString(dir.resolve("not.jsonl"), lines.getFirst() + "\n{oops\n");
        Run bad = Run.of("", "events", "report", notJson.toString(), "--out", page.toString());
        assertEquals(2, bad.status(), bad.toString());
        assertTrue(bad.err().contains(notJson + ":2: not a JSON event"), bad.err());
        Run noOut = Run.of("", "events", "report", edited.toString());
        assertEquals(2, noOut.status(), noOut.toString());
        assertTrue(noOut.err().contains("give --out FILE.html"), noOut.err());
        Run noDir = Run.of("", "events", "report", edited.toString(), "--out", dir.resolve("no/such/x.html").toString());
        assertEquals(2, noDir.status(), noDir.toString());
        Run empty = Run.of("", "events", "report", "--out", page.toString());
        assertEquals(2, empty.status(), empty.toString());
        assertTrue(empty.err().contains("no event with a cell_id in standard input"), empty.err());
        Path foreign = Files.writeString(dir.resolve("foreign.jsonl"), "{\"type\":\"x\",\"data\":{\"cell_id\":\"c\",\"run_id\":\"r\"}}\n");
        Run unreadable = Run.of("", "events", "report", foreign.toString(), "--out", page.toString());
        assertEquals(1, unreadable.status(), unreadable.toString());
        assertTrue(unreadable.err().contains("no event of cell c, run r in " + foreign + " could be read"), unreadable.err());
    }

    /** One event of another cell or run. */
    private static CellEvent otherCell(String cell, String run) {
        return new EventProjector(new CellStamp(cell, run, null), "/" + cell + "_9001").guest(
                ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 7, "sh", 1).withExtensions(Extensions.NONE.withParentPid(6)),
                1, 1, SummaryFeed.AT, SessionCheck.PINNED);
    }

    /** {@code events} as a receiver's JSON lines sink writes them. */
    private Path write(String name, List<CellEvent> events) throws IOException {
        EventEncoder encoder = new EventEncoder(null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (CellEvent e : events) {
            out.write(encoder.encode(e));
            out.write('\n');
        }
        return Files.write(dir.resolve(name), out.toByteArray());
    }

    private static List<JsonNode> lines(Path log) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static String count(List<JsonNode> lines, String source) {
        return String.valueOf(lines.stream().filter(e -> e.at("/data/probe_source").asText().equals(source)).count());
    }

    /** The summary JSON a page embeds. */
    static JsonNode data(Path page) throws IOException {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"data\">(.*?)</script>", Pattern.DOTALL)
                .matcher(Files.readString(page, StandardCharsets.UTF_8));
        assertTrue(m.find(), "the page embeds its data");
        return JSON.readTree(m.group(1));
    }
}
