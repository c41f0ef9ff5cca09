package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.wire.ExitCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code cellos events report}: the page {@code cell run --report} draws, made from an event log ({@link LoggedRun}). */
final class EventsReportCommand implements Command {
    @Override
    public String name() {
        return "events report";
    }

    @Override
    public String summary() {
        return "draw one cell's run from its event log as one self-contained HTML page";
    }

    @Override
    public String help() {
        return """
                Usage: cellos events report [EVENTS.jsonl|-] [--cell ID] [--run ID] --out FILE.html

                Reads a cell's CloudEvents (the event log of 'cell run' or 'host listen', one JSON
                object per line) from EVENTS.jsonl, or standard input when it is - or not given, and
                writes the page 'cellos cell run --report' writes (docs/summary.md): one
                self-contained file, nothing fetched when it is viewed, with the drops at the top,
                the process tree as a timeline (each process a bar from spawn to exit, coloured by
                how it ended, its connections, raw sockets, declared files and denials marked on it)
                and the lists.

                One page is one run of one cell. A log that holds several cells needs --cell (without
                it the command lists them and exits 2); so does a cell with several runs in the log
                (a log appended to by runs with one --cell-id) need --run.

                What the log does not hold, the page says is not there: the cell's isolation, the
                agent's ready line, and init's report of the workload's status on the exit channel.
                The status shown is init's own, from its process.exited event; the tree's root is
                init, the parent of the first process seen spawned whose parent was not; the
                workload is init's first child, named by the command line its exec gave (eBPF), or
                its path. An event that cannot be read back (a line changed by hand, or of a newer
                receiver) is left out, and the page and standard error say how many and why.

                Options:
                  --out FILE.html  where the page goes (replaced); its directory must exist
                  --cell ID        the cell to draw, when the log holds several
                  --run ID         the run to draw, when the cell's events belong to several

                Exit status: 0 written, 1 no event of the run could be read or the page could not be
                written, 2 bad usage (an input that is not JSON lines; several cells or runs and no
                choice; a --cell or --run the log does not hold).
                """;
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("cell", "run", "out"), Set.of());
        Path out = SummaryFiles.file(a, "out");
        if (out == null) {
            throw a.usage("give --out FILE.html, where the page goes");
        }
        EventLogInput input = EventLogInput.read(a, io);
        String cell = input.choose(a, "cell", "cell_id");
        EventLogInput cellEvents = input.only("cell_id", cell);
        String run = cellEvents.choose(a, "run", "run_id");
        LoggedRun logged;
        try {
            logged = LoggedRun.of(cellEvents.only("run_id", run).events(), cell, run, input.name());
        } catch (IllegalArgumentException e) {
            io.err().println("cellos events report: " + e.getMessage());
            return ExitCode.FAILED;
        }
        logged.unread().forEach(u -> io.err().println("cellos events report: left out: " + u));
        if (!new SummaryFiles(null, null, out, null).write(logged.report(), logged.facts(), io.err())) {
            return ExitCode.FAILED;
        }
        io.err().println("report of cell " + cell + ", run " + run + ": " + out + " (" + logged.report().events()
                + " events" + (logged.unread().isEmpty() ? "" : ", " + logged.unread().size() + " left out") + ")");
        return ExitCode.OK;
    }
}
