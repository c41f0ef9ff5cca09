package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cellos.telemetry.host.event.GuestFieldsJson;
import io.cellos.telemetry.wire.ExitCode;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.FrameException;
import io.cellos.telemetry.wire.FrameScanner;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.Wire;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/** {@code cellos frame decode}: frames from standard input, one JSON object each. */
final class FrameDecodeCommand implements Command {
    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String name() {
        return "frame decode";
    }

    @Override
    public String summary() {
        return "read frames (hex, or a raw capture) from stdin and print them as JSON";
    }

    @Override
    public String help() {
        return """
                Usage: cellos frame decode [--binary]

                Reads a stream of frames from standard input and checks each against every rule of
                the wire contract, exactly as the host receiver does. Prints one JSON object per
                accepted frame on standard output ("frame" is its number, "offset" where its
                length prefix starts, "session" the agent's session when the frame carries one:
                shown here for debugging, never written into the host's events). For each refused
                frame prints one line on standard error
                naming the frame, the cause, the field and the byte offset.
                A length prefix of 0 or over 4096 loses the framing: decoding stops there.
                A stream that ends inside a frame is reported too.

                Input is hex by default: all hex digits of the input, in order (white space and
                line breaks are ignored, so the output of 'frame encode' can be pasted as is).

                Options:
                  --binary   the input is a raw capture of the stream, not hex

                Exit status: 0 if every frame was accepted, 1 if any was refused, 2 on bad input.
                """;
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of(), Set.of("binary"));
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        byte[] stream = StreamInput.read(a, io);
        Report report = new Report(io);
        int used = FrameScanner.scan(stream, 0, stream.length, report);
        if (used != FrameScanner.FRAMING_LOST && used < stream.length) {
            report.refused++;
            io.err().println("frame " + (report.frames + 1) + " at byte " + used + ": the input ends "
                    + (stream.length - used) + " bytes into a frame"
                    + (stream.length - used < Wire.HEADER_BYTES ? " (short_header)" : " (truncated)"));
        }
        io.out().flush();
        return report.refused == 0 ? ExitCode.OK : ExitCode.FAILED;
    }

    /** Prints each frame as the scan reports it. */
    private static final class Report implements FrameScanner.Handler {
        private final Io io;
        long frames;
        long refused;

        Report(Io io) {
            this.io = io;
        }

        @Override
        public void onFrame(ProbeEvent event, int offset) {
            frames++;
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            try (JsonGenerator g = JSON.createGenerator(bytes)) {
                g.writeStartObject();
                g.writeNumberField("frame", frames);
                g.writeNumberField("offset", offset);
                GuestFieldsJson.write(g, event);
                if (event.extensions().session() != null) { // a debugging tool's output, not an event
                    g.writeStringField(Field.SESSION.wireName(), event.extensions().session());
                }
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            io.out().println(bytes.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void onRejected(FrameException e, int offset) {
            frames++;
            refused++;
            io.err().println("frame " + frames + " at byte " + offset + ": " + e.getMessage()
                    + (e.error().losesFraming() ? " (framing lost: decoding stops)" : ""));
        }
    }
}
