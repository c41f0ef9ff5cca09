package io.cellos.telemetry.cli;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.DropCause;
import io.cellos.telemetry.host.event.SessionCheck;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.WaitStatus;

import java.util.List;
import java.util.Optional;

/**
 * Summaries of runs that end in each of the ways a summary tells apart, made as a cell's are: guest
 * frames projected by the receiver's {@link io.cellos.telemetry.host.event.EventProjector} into a
 * {@link CellSummary} ({@link SummaryFeed}). The guest's text is hostile where it can be: Markdown
 * and HTML metacharacters in names, paths, hosts and what a tamper event says.
 */
final class SampleRuns {
    /** Guest text with every character that could add structure to Markdown or HTML. */
    static final String HOSTILE = "a|b <img src=x onerror=alert(1)> *c* _d_ `e` [f](g) # ~h~ \\ &amp; </td>";

    /** The facts of every sample run: cell {@code c}, run {@code r}, 1.5 s. */
    static final RunFacts FACTS = new RunFacts("c", "r", "own PID namespace", "mechanism bpf | " + HOSTILE,
            "/c/events.jsonl", SummaryFeed.AT, SummaryFeed.AT.plusMillis(1500));

    private SampleRuns() {
    }

    /** One process of each kind of ending, a collapsed group, an entry in every list, drops; exit 3 reported. */
    static CellReport everything() {
        CellSummary summary = new CellSummary();
        everything(new SummaryFeed(summary));
        return summary.report(List.of("sh", "-c", "make | tee `log` " + HOSTILE), Optional.of(WaitStatus.ofExit(3)), 0);
    }

    /** The events of {@link #everything()}, as the receiver emits them; init's end among them, exit 3. */
    static List<CellEvent> everythingsEvents() {
        SummaryFeed guest = new SummaryFeed(new CellSummary());
        everything(guest);
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 1, "init", 4_000_000)
                .withExtensions(Extensions.NONE.withExitCode(3 << 8)));
        return guest.events();
    }

    private static void everything(SummaryFeed guest) {
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 1, "init", 0));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 5, "init", 1_000_000)
                .withExtensions(Extensions.NONE.withParentPid(1)));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXEC, 5, "sh|*x*", 1_500_000)
                .withExtensions(Extensions.NONE.withPath("/usr/bin/<b>dash</b>")));
        for (int i = 0; i < CellReport.GROUP_AT; i++) {
            guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 10 + i, "sh", 1_600_000 + i)
                    .withExtensions(Extensions.NONE.withParentPid(5)));
            guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXEC, 10 + i, "cc", 1_700_000 + i)
                    .withExtensions(Extensions.NONE.withPath("/usr/bin/cc")));
            guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 10 + i, "cc", 1_800_000 + i)
                    .withExtensions(Extensions.NONE.withExitCode(i == 0 ? 9 | 0x80 : 0)));
        }
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 20, "sh", 1_900_000)
                .withExtensions(Extensions.NONE.withParentPid(5)));
        guest.accept(ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 5, "sh", 2_000_000)
                .withExtensions(Extensions.NONE.withPeer("10.0.0.1:80").withHost(HOSTILE)
                        .withExe("/usr/bin/dash").withSha256("ab".repeat(32))));
        guest.accept(ProbeEvent.of(ProbeSource.NET_CONNECT_ATTEMPTED, 5, "sh", 2_100_000)
                .withExtensions(Extensions.NONE.withPeer("unix:/run/x|y.sock")));
        guest.accept(ProbeEvent.of(ProbeSource.NET_RAW_SOCKET_OPENED, 5, "sh", 2_200_000)
                .withExtensions(Extensions.NONE.withSocket("inet raw 6")));
        guest.accept(ProbeEvent.of(ProbeSource.FS_INOTIFY_FIRED, 5, "sh", 2_300_000)
                .withExtensions(Extensions.NONE.withPath("/srv/" + HOSTILE)));
        guest.accept(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 5, "sh", 2_400_000)
                .withExtensions(Extensions.NONE.withSyscall(170)));
        guest.accept(ProbeEvent.of(ProbeSource.CAPABILITY_DENIED, 5, "sh", 2_500_000)
                .withExtensions(Extensions.NONE.withCapability(21)));
        guest.accept(ProbeEvent.of(ProbeSource.AGENT_TAMPERED, 2, "cellos-agent", 2_600_000)
                .withExtensions(Extensions.NONE.withWhat(HOSTILE)));
        guest.accept(ProbeEvent.of(ProbeSource.TELEMETRY_DROPPED, 2, "cellos-agent", 2_700_000)
                .withExtensions(Extensions.NONE.withDroppedTotal(7)));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 5, "sh", 3_000_000)
                .withExtensions(Extensions.NONE.withExitCode(3 << 8)));
        long[] drops = new long[DropCause.values().length];
        drops[DropCause.NOT_A_MAP.ordinal()] = 2;
        guest.host(guest.projector().hostDropped(1, SummaryFeed.AT, drops, 7, "bad", SessionCheck.PINNED));
        guest.host(guest.projector().channelRefused(1, SummaryFeed.AT, 9000, 2, "not init's", SessionCheck.PINNED));
        guest.host(guest.projector().silenced(SummaryFeed.AT, 10_000, SummaryFeed.AT, 11, SessionCheck.PINNED));
    }

    /** A workload a signal ended, dumping core, as init reported it. */
    static CellReport killed() {
        CellSummary summary = new CellSummary();
        SummaryFeed guest = new SummaryFeed(summary);
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 5, "init", 1_000).withExtensions(Extensions.NONE.withParentPid(1)));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 5, "sleep", 9_000).withExtensions(Extensions.NONE.withExitCode(6 | 0x80)));
        return summary.report(List.of("sleep", "9"), Optional.of(new WaitStatus(6 | 0x80)), 0);
    }

    /** No report on the exit channel: init's own status stands, no event at all. */
    static CellReport unreported() {
        return new CellSummary().report(List.of("true"), Optional.empty(), 1);
    }

    /** A workload init could not find: its child never exec'd and ended with 127. */
    static CellReport neverStarted() {
        CellSummary summary = new CellSummary();
        SummaryFeed guest = new SummaryFeed(summary);
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_SPAWNED, 5, "init", 1_000).withExtensions(Extensions.NONE.withParentPid(1)));
        guest.accept(ProbeEvent.of(ProbeSource.PROCESS_EXITED, 5, "init", 2_000).withExtensions(Extensions.NONE.withExitCode(127 << 8)));
        return summary.report(List.of("/no/such"), Optional.of(WaitStatus.ofExit(127)), 0);
    }

    /** Each sample. */
    static List<CellReport> all() {
        return List.of(everything(), killed(), unreported(), neverStarted());
    }
}
