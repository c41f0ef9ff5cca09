package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;

import io.cellos.telemetry.wire.ExitCode;
import io.cellos.telemetry.wire.Extensions;
import io.cellos.telemetry.wire.Field;
import io.cellos.telemetry.wire.FrameEncoder;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import io.cellos.telemetry.wire.Wire;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code cellos frame encode}: one frame, built from fields given on the command line. */
final class FrameEncodeCommand implements Command {
    private static final String SOURCES = Arrays.stream(ProbeSource.values()).map(ProbeSource::wireName)
            .collect(Collectors.joining(", "));
    private static final String EXT_KEYS = Arrays.stream(Field.values()).filter(f -> !f.core()).map(Field::wireName)
            .collect(Collectors.joining(", "));

    @Override
    public String name() {
        return "frame encode";
    }

    @Override
    public String summary() {
        return "print one frame, as hex, built from the fields you give";
    }

    @Override
    public String help() {
        return """
                Usage: cellos frame encode --source S --pid N --comm C --mono NS [--ext KEY=VALUE]... [--binary]

                Builds one frame of the guest-to-host channel (docs/protocol.md §2-§4 in the
                source tree) and prints it as one line of hex: the 4-byte little-endian length,
                then the CBOR body.
                A frame with any --ext key says content_version 0x0101, else 0x0100.

                Options:
                  --source S     probe source: %s
                  --pid N        guest_pid, 0..4294967295
                  --comm C       guest_comm; cut at a character boundary to 16 bytes of UTF-8
                  --mono NS      guest_monotonic_ns, 0..18446744073709551615
                  --ext KEY=V    an extension key (repeatable): %s
                  --binary       write the raw frame to standard output instead of hex

                A receiver reads a connection only if its first frame carries the agent's session
                (docs/protocol.md §1.3): 32 lowercase hex digits, pinned by the cell's first
                connection and the same on every later one. Give it to the first frame of a
                connection with --ext session=HEX; other values are encoded as given, for the
                receiver to refuse.

                Examples:
                  cellos frame encode --source process.spawned --pid 42 --comm sh --mono 1000000000
                  cellos frame encode --source agent.heartbeat --pid 2 --comm agent --mono 5 \\
                    --ext session=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \\n')
                """.formatted(SOURCES, EXT_KEYS);
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("source", "pid", "comm", "mono", "ext"), Set.of("binary"),
                Set.of("comm"));
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        String sourceName = a.required("source");
        ProbeSource source = ProbeSource.fromWireName(sourceName);
        if (source == null) {
            throw a.usage("unknown --source '" + sourceName + "'; use one of " + SOURCES);
        }
        long pid = a.unsigned("--pid", a.required("pid"), Field.GUEST_PID.max());
        String comm = a.required("comm");
        long mono = a.unsigned("--mono", a.required("mono"), -1L);
        Extensions ext = Extensions.NONE;
        for (String kv : a.values("ext")) {
            ext = withExtension(a, ext, kv);
        }
        ProbeEvent event = ProbeEvent.of(source, pid, comm, mono).withExtensions(ext);
        byte[] frame = new byte[Wire.MAX_FRAME_BYTES];
        int n = new FrameEncoder().encode(event, frame, 0);
        if (a.has("binary")) {
            io.out().write(frame, 0, n);
        } else {
            io.out().println(HexFormat.of().formatHex(frame, 0, n));
        }
        io.out().flush();
        return ExitCode.OK;
    }

    private static Extensions withExtension(Args a, Extensions ext, String kv) throws UsageException {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw a.usage("--ext takes KEY=VALUE, got '" + kv + "'");
        }
        String key = kv.substring(0, eq);
        String value = kv.substring(eq + 1);
        Field f = Arrays.stream(Field.values()).filter(x -> !x.core() && x.wireName().equals(key)).findFirst()
                .orElseThrow(() -> a.usage("unknown extension key '" + key + "'; use one of " + EXT_KEYS));
        if (!f.isUnsigned()) {
            try {
                return ext.withText(f, value);
            } catch (IllegalArgumentException e) {
                throw a.usage("--ext " + key + ": " + e.getMessage());
            }
        }
        return ext.withUnsigned(f, a.unsigned(key, value, f.max()));
    }
}
