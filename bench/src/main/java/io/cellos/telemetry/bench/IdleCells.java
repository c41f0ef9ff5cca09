package io.cellos.telemetry.bench;

import io.cellos.telemetry.wire.Wire;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A receiver's resident memory with many idle cells: an {@link IdleReceiver} in a JVM of its own
 * binds the cells; one guest per cell connects over a real UNIX socket and sends the first frame an
 * agent sends (its session, so that the connection is pinned, as an idle agent's is), then nothing;
 * after a settling time the receiver's {@code VmRSS} is read from {@code /proc}.
 */
final class IdleCells {
    private IdleCells() {
    }

    /**
     * Measures a receiver with {@code cells} idle cells.
     *
     * @param settleMillis how long the cells stay idle before the reading
     * @param report       where progress and the receiver's own output go
     * @return the receiver's {@code /proc} sample after the settling time
     * @throws IOException if the receiver does not come up or a guest cannot connect
     */
    static ProcSample measure(int cells, long settleMillis, PrintStream report) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("cellos-idle-cells-");
        String java = ProcessHandle.current().info().command().orElseThrow(
                () -> new IOException("cannot tell which java runs this harness"));
        Process receiver = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                IdleReceiver.class.getName(), Integer.toString(cells), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<SocketChannel> guests = new ArrayList<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.equals(IdleReceiver.BOUND + cells)) {
                throw new IOException("the idle receiver did not bind its cells (said: " + line + ")");
            }
            for (int i = 0; i < cells; i++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                guests.add(ch);
                ch.connect(UnixDomainSocketAddress.of(dir.resolve("cell-" + i + "_9001")));
                ByteBuffer first = ByteBuffer.wrap(new GuestTraffic(i, 1, 2 * Wire.MAX_FRAME_BYTES).block());
                while (first.hasRemaining()) {
                    ch.write(first);
                }
            }
            report.println("idle cells: " + cells + " bound, a guest connected to each; settling " + settleMillis + " ms");
            Thread.sleep(settleMillis);
            ProcSample s = ProcSample.take(receiver.pid());
            report.println("idle cells: " + cells + ": receiver " + s.memoryReport());
            return s;
        } finally {
            for (SocketChannel ch : guests) {
                ch.close();
            }
            receiver.getOutputStream().close();
            if (!receiver.waitFor(30, TimeUnit.SECONDS)) {
                receiver.destroyForcibly();
            }
            TempTree.delete(dir);
        }
    }
}
