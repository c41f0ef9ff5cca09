package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;

import io.cellos.telemetry.host.EventSink;
import io.cellos.telemetry.host.JsonLinesSink;
import io.cellos.telemetry.host.nats.NatsSink;
import io.cellos.telemetry.host.nats.NatsTarget;
import io.cellos.telemetry.host.sign.EventSigner;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the sink an {@code --out} value names: standard output ({@code -} or none), a NATS
 * JetStream target ({@code nats://HOST:PORT[/STREAM][?options]}), or a file appended to.
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
     * @param out {@code null} or {@code -} for standard output, a {@code nats://} target, else a file path (appended to)
     * @throws UsageException if the file cannot be opened or NATS cannot be used, saying why
     */
    static EventSink open(String out, EventSigner signer, Io io) throws UsageException {
        if (out == null || out.equals("-")) {
            return new JsonLinesSink(io.out(), signer, io.err(), false);
        }
        if (NatsTarget.names(out)) {
            try {
                return NatsSink.open(target(out), signer, io.err());
            } catch (IOException e) {
                throw new UsageException("--out " + out + ": " + e.getMessage());
            }
        }
        Path p = Path.of(out);
        try {
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            return new JsonLinesSink(new FileOutputStream(p.toFile(), true), signer, io.err(), true);
        } catch (IOException e) {
            throw new UsageException("cannot open --out " + out + " for writing: " + e.getMessage());
        }
    }

    /** Where events go, in words: {@code standard output}, the NATS target, or the file. */
    static String describe(String out) {
        if (out == null || out.equals("-")) {
            return "standard output";
        }
        return NatsTarget.names(out) ? "NATS " + NatsTarget.parse(out) : out;
    }

    private static NatsTarget target(String out) throws UsageException {
        try {
            return NatsTarget.parse(out);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--out: " + e.getMessage());
        }
    }
}
