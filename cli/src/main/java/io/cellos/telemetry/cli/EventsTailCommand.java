package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.host.event.EventFormat;

import io.cellos.telemetry.host.sink.nats.NatsTail;
import io.cellos.telemetry.host.sink.nats.NatsTarget;
import io.cellos.telemetry.host.sink.nats.Subjects;
import io.cellos.telemetry.wire.ExitCode;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code cellos events tail}: read events back from NATS JetStream as JSON lines. */
final class EventsTailCommand implements Command {
    @Override
    public String name() {
        return "events tail";
    }

    @Override
    public String summary() {
        return "print the events a receiver published to NATS JetStream, as JSON lines";
    }

    @Override
    public String help() {
        return """
                Usage: cellos events tail --from nats://HOST:PORT[/STREAM] [--cell ID] [--type T]
                                          [--durable NAME] [--follow] [--format cloudevents|ocsf]

                Reads the events that 'cellos host listen' or 'cellos cell run' published with
                --out nats://..., oldest first, and prints each on standard output as one line of
                CloudEvents JSON: the very bytes the file sink writes, so 'cellos events verify'
                checks a signed stream read this way. Without --follow it stops after the last
                event the stream holds.

                Options:
                  --from URL       the NATS server and stream (CELLOS_EVENTS unless named)
                  --cell ID        only this cell's events (subject cellos.events.ID.>)
                  --type T         only this type: process.spawned, or the whole type
                                   cell.observability.guest.process.spawned
                  --durable NAME   read through the durable consumer NAME (made if missing) and
                                   acknowledge each event once printed: the next run with the same
                                   NAME starts after it. Without it nothing is left on the server.
                  --follow         keep printing new events as they come, until Ctrl-C
                  --format F       cloudevents (default): every event as it is stored. ocsf:
                                   an event published with --format ocsf as it is stored; one
                                   in the receiver's own format read back and written as
                                   OCSF 1.8 (docs/protocol.md §7.10), exactly as
                                   'host listen --format ocsf' writes it, signed with the key
                                   the environment sets as for 'host listen', else unsigned;
                                   one that cannot be read so is not printed, and standard
                                   error says which and why

                Exit status: 0 done, 1 NATS unreachable, no such stream, or an event that could
                not be converted, 2 bad usage.
                """;
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("from", "cell", "type", "durable", "format"), Set.of("follow"));
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        NatsTarget target;
        String filter;
        try {
            target = NatsTarget.parse(a.required("from"));
            filter = Subjects.filter(a.value("cell"), a.value("type"));
        } catch (IllegalArgumentException e) {
            throw a.usage(e.getMessage());
        }
        String durable = a.value("durable");
        if (durable != null && !NatsTarget.isName(durable)) {
            throw a.usage("--durable " + durable + " is not [A-Za-z0-9_-]{1,64}");
        }
        EventFormat format = FormatOption.parse(a);
        TailFormat lines = new TailFormat(format, format == EventFormat.CLOUDEVENTS ? null
                : EnvironmentSigner.of(System.getenv()));
        boolean follow = a.has("follow");
        long[] unconverted = {0};
        AtomicBoolean stop = new AtomicBoolean();
        if (follow) {
            for (String signal : List.of("INT", "TERM")) {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.set(true));
            }
        }
        try {
            NatsTail.read(target, filter, durable, follow, stop::get, json -> {
                byte[] line;
                try {
                    line = lines.apply(json);
                } catch (IllegalArgumentException e) {
                    unconverted[0]++;
                    io.err().println("cellos events tail: an event not written as " + format.text() + ": "
                            + e.getMessage());
                    return;
                }
                io.out().write(line);
                io.out().write('\n');
                if (follow || durable != null) {
                    // a durable consumer acknowledges the event next: it must be out first
                    io.out().flush();
                    if (io.out().checkError()) {
                        throw new IOException("standard output is closed; stopping (the events not printed stay"
                                + " unacknowledged)");
                    }
                }
            });
        } catch (IOException e) {
            io.err().println("cellos events tail: " + e.getMessage());
            return ExitCode.FAILED;
        } finally {
            io.out().flush();
        }
        if (unconverted[0] > 0) {
            io.err().println("cellos events tail: " + unconverted[0] + " events could not be written as "
                    + format.text());
            return ExitCode.FAILED;
        }
        return ExitCode.OK;
    }
}
