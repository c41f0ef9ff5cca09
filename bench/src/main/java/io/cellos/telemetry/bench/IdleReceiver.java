package io.cellos.telemetry.bench;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sink.JsonLinesSink;
import io.cellos.telemetry.wire.ExitCode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A receiver with many cells bound and nothing else, in a JVM of its own so that its resident
 * memory is the receiver's: {@link IdleCells} runs it, connects a guest to each cell and reads its
 * memory. Binds {@code CELLS} cells at {@code DIR/cell-<i>} (keep-alive one hour, events
 * serialized and dropped), prints {@code bound CELLS} on standard output, and runs until its
 * standard input ends.
 *
 * <p>Usage: {@code IdleReceiver CELLS DIR}.
 */
public final class IdleReceiver {
    /** The line that says every cell is bound. */
    static final String BOUND = "bound ";

    private IdleReceiver() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: IdleReceiver CELLS DIR");
            System.exit(ExitCode.USAGE);
        }
        int cells = Integer.parseInt(args[0]);
        Path dir = Files.createDirectories(Path.of(args[1]));
        try (JsonLinesSink sink = new JsonLinesSink(new DiscardStream(), null, System.err, true);
             Receiver receiver = Receiver.start(ReceiverOptions.defaults().withKeepalive(Duration.ofHours(1)), sink,
                     System.err)) {
            for (int i = 0; i < cells; i++) {
                receiver.bind(dir.resolve("cell-" + i), new CellStamp("cell-" + i, "idle", "sha256:idle-cells"));
            }
            System.out.println(BOUND + cells);
            System.out.flush();
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
