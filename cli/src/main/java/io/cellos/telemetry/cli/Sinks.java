package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;

import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.host.sink.JsonLinesSink;
import io.cellos.telemetry.host.sink.nats.NatsSink;
import io.cellos.telemetry.host.sink.nats.NatsTarget;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens the sink an {@code --out} value names: standard output ({@code -} or none), a NATS
 * JetStream target ({@code nats://HOST:PORT[/STREAM][?options]}), or a file appended to
 * ({@link EventLogFile}).
 */
final class Sinks {
    /** How {@code --out} is written in usage lines. */
    static final String OUT_FORMS = "FILE|nats://HOST:PORT[/STREAM]";

    private Sinks() {
    }

    /**
     * Checks an {@code --out} value without opening anything, so a command can refuse it before it
     * starts.
     *
     * @throws UsageException if it is a NATS target that cannot be parsed, or a path where no file
     *                        can be written (a directory, say), saying why
     */
    static void check(Args a, String out) throws UsageException {
        if (NatsTarget.names(out)) {
            target(out);
        } else if (out != null && !out.equals("-")) {
            PathArgs.fileToWrite(a, "--out", out);
        }
    }

    /**
     * An open sink, and where its events go in words: {@code standard output}, the NATS target, or
     * the file ({@link EventLogFile#describe}: with what it held before).
     */
    record Opened(EventSink sink, String where) {
    }

    /**
     * @param out    {@code null} or {@code -} for standard output, a {@code nats://} target, else a file
     *               path (appended to, never truncated)
     * @param format the format of the events, which a NATS sink's own drop reports are written in
     * @throws UsageException if the file cannot be opened or NATS cannot be used, saying why
     */
    static Opened open(String out, EventSigner signer, EventFormat format, Io io) throws UsageException {
        if (out == null || out.equals("-")) {
            return new Opened(new JsonLinesSink(io.out(), signer, io.err(), false), "standard output");
        }
        if (NatsTarget.names(out)) {
            NatsTarget target = target(out);
            try {
                return new Opened(NatsSink.open(target, signer, format, io.err()), "NATS " + target);
            } catch (IOException e) {
                throw new UsageException("--out " + out + ": " + e.getMessage());
            }
        }
        try {
            EventLogFile log = EventLogFile.open(Path.of(out));
            return new Opened(new JsonLinesSink(log.stream(), signer, io.err(), true), log.describe());
        } catch (IOException e) {
            throw new UsageException("cannot open --out " + out + " for writing: " + e.getMessage());
        }
    }

    private static NatsTarget target(String out) throws UsageException {
        try {
            return NatsTarget.parse(out);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--out: " + e.getMessage());
        }
    }
}
