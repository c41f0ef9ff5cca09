package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.UsageException;

import io.cellos.telemetry.host.EventSink;
import io.cellos.telemetry.host.JsonLinesSink;
import io.cellos.telemetry.host.sign.EventSigner;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens the sink an {@code --out} value names. */
final class Sinks {
    private Sinks() {
    }

    /**
     * @param out {@code null} or {@code -} for standard output, else a file path (appended to)
     * @throws UsageException if the file cannot be opened, saying why
     */
    static EventSink open(String out, EventSigner signer, Io io) throws UsageException {
        if (out == null || out.equals("-")) {
            return new JsonLinesSink(io.out(), signer, io.err(), false);
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
}
