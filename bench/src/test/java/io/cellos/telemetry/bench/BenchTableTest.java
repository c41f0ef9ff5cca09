package io.cellos.telemetry.bench;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchTableTest {
    private static final Machine MACHINE = new Machine("Test CPU 3000", 2, 23.5, "6.18.0-test", "JDK 25", "abc1234");
    private static final Load QUIET = new Load(0.2, 0.9, 60, 1.0, 0.0);
    private static final Load BUSY = new Load(4.0, 5.0, 60, 87.0, 0.0);
    private static final Instant T0 = Instant.parse("2026-12-05T01:00:00Z");
    private static final Instant T1 = Instant.parse("2026-12-05T01:30:00Z");

    private static String render(boolean quick, Row... rows) {
        return BenchTable.render(MACHINE, List.of(rows), "./cellos bench", quick, T0, T1);
    }

    /** The table line of the row whose figure cell starts with {@code figure}. */
    private static String line(String table, String figure) {
        return table.lines().filter(l -> l.startsWith("| " + figure)).findFirst().orElseThrow(
                () -> new AssertionError("no row " + figure + " in\n" + table));
    }

    @Test
    void statesTheMachineTheRunAndTheColumns() {
        String t = render(false);
        assertTrue(t.contains("| CPU | Test CPU 3000, 2 CPUs |"), t);
        assertTrue(t.contains("| memory | 23.5 GiB |"), t);
        assertTrue(t.contains("| kernel | `6.18.0-test` |"), t);
        assertTrue(t.contains("| JDK | JDK 25 |"), t);
        assertTrue(t.contains("| commit | `abc1234` |"), t);
        assertTrue(t.contains("2026-12-05 01:00:00 UTC to 2026-12-05 01:30:00 UTC"), t);
        assertTrue(t.contains("| figure | goal | measured | baseline, same run | ratio | load | command |"), t);
        assertFalse(t.contains("quick"), t);
    }

    @Test
    void aMeasuredRowHasItsSpreadBaselineRatioGoalAndLoad() {
        Row r = Row.of("agent CPU per 1,000 events (bpf)", "ms", Goal.atMost(20, "≤ 20 ms"),
                Spread.of(List.of(100.0, 110.0, 130.0)), List.of(Baseline.measured("audit", Spread.of(List.of(200.0,
                        220.0, 250.0)))), "java … AgentCost", "").withLoad(QUIET);
        String l = line(render(false, r), "agent CPU");
        assertEquals("| agent CPU per 1,000 events (bpf) | ≤ 20 ms: **not met** | 100 / **110** / 130 ms (3)"
                + " | audit: 200 / **220** / 250 ms (3) | 0.50× audit | 0.20 → 0.90; others 1 % | `java … AgentCost` |", l);
    }

    @Test
    void aGoalOnTheRatioIsJudgedOnTheRatioToTheFirstBaseline() {
        Row met = Row.of("tax dd (bpf)", "s", Goal.ratioAtMost(1.10, "≤ 1.10×"), Spread.of(List.of(5.2, 5.3)),
                List.of(Baseline.measured("no agent", Spread.of(List.of(5.0, 5.0)))), "c", "");
        Row missed = Row.of("tax dd (audit)", "s", Goal.ratioAtMost(1.10, "≤ 1.10×"), Spread.of(List.of(6.0, 6.0)),
                List.of(Baseline.measured("no agent", Spread.of(List.of(5.0, 5.0)))), "c", "");
        String t = render(false, met, missed);
        assertTrue(line(t, "tax dd (bpf)").contains("≤ 1.10×: met |"), t);
        assertTrue(line(t, "tax dd (bpf)").contains("| 1.05× no agent |"), t);
        assertTrue(line(t, "tax dd (audit)").contains("≤ 1.10×: **not met**"), t);
        assertTrue(line(t, "tax dd (audit)").contains("| 1.20× no agent |"), t);
    }

    @Test
    void aBaselineNotMeasuredSaysWhyAndGetsNoRatio() {
        Row r = Row.of("processes seen", "%", Goal.atLeast(100, "100 %"), Spread.of(100.0),
                List.of(Baseline.measured("walk", Spread.of(1.0)), Baseline.notMeasured("forkstat", "not installed")),
                "c", "forkstat is not installed: apt-get install forkstat");
        String t = render(false, r);
        String l = line(t, "processes seen");
        assertTrue(l.contains("| processes seen (note 1) | 100 %: met | 100 % (1 run) |"), l);
        assertTrue(l.contains("walk: 1.00 % (1 run)<br>forkstat: not measured (not installed)"), l);
        assertTrue(l.contains("| 100× walk |"), l);
        assertTrue(t.contains("\n1. forkstat is not installed: apt-get install forkstat\n"), t);
    }

    @Test
    void aFailedFigureSaysSoAndABusyOneIsFlagged() {
        Row failed = Row.failed("guest", "./cellos bench --only guest", "Not measured: IOException: no root.")
                .withLoad(BUSY);
        String t = render(true, failed);
        String l = line(t, "guest");
        assertTrue(l.contains("| guest (note 1) | — | not measured | — | — |"), l);
        assertTrue(l.contains("others 87 %; **busy: unreliable**"), l);
        assertTrue(t.contains("1. Not measured: IOException: no root."), t);
        assertTrue(t.contains("A quick smoke run (`--quick`)"), t);
    }

    @Test
    void quickFiguresAreLabelledAndPipesDoNotBreakTheTable() {
        Row r = Row.of("a | b", "ns/op", Goal.NONE, Spread.of(List.of(1.0, 2.0)), List.of(),
                "java -jar x 'A|B'", "").withLoad(QUIET);
        String l = line(render(true, r), "a \\| b");
        assertTrue(l.contains("1.00 / **1.50** / 2.00 ns/op (2), quick"), l);
        assertTrue(l.endsWith("`java -jar x 'A\\|B'` |"), l);
        assertEquals(9, l.split("(?<!\\\\)\\|", -1).length, l); // seven cells between eight bars, no more
    }

    @Test
    void numbersKeepThreeSignificantDigitsAtLeast() {
        assertEquals("456,123", BenchTable.number(456_123.4));
        assertEquals("572", BenchTable.number(571.9));
        assertEquals("56.2", BenchTable.number(56.21));
        assertEquals("1.55", BenchTable.number(1.553));
        assertEquals("0.155", BenchTable.number(0.1549));
        assertEquals("0.00", BenchTable.number(0));
    }
}
