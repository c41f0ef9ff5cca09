package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.wire.ExitCode;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code cellos frame send}: play a frame stream into a receiver's socket, as a guest would. */
final class FrameSendCommand implements Command {
    @Override
    public String name() {
        return "frame send";
    }

    @Override
    public String summary() {
        return "send frames from stdin to a receiver's UNIX socket, as a guest would";
    }

    @Override
    public String help() {
        return """
                Usage: cellos frame send --to SOCKET [--binary]

                Connects to SOCKET (a receiver's listener, e.g. BASE_9001, the path Firecracker
                gives a guest's vsock port 9001 on the host) and writes standard input to it
                unchanged, as one connection: the way to replay a capture or to feed hand-made
                frames, valid or not, to a receiver. Nothing is checked: send what you want the
                receiver to judge. A receiver reads the connection only if its first frame carries
                the agent's session, which the cell's first connection pins (docs/protocol.md
                §1.3); any other connection is refused and declared.

                Options:
                  --to SOCKET   the UNIX socket to connect to
                  --binary      standard input is raw bytes, not hex (hex: as 'frame decode' reads it)

                Example:
                  cellos frame encode --source agent.heartbeat --pid 2 --comm agent --mono 5 \\
                      --ext session=0123456789abcdef0123456789abcdef \\
                    | cellos frame send --to /run/cells/c1.vsock_9001
                """;
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("to"), Set.of("binary"));
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        Path to = Path.of(a.required("to"));
        byte[] stream = StreamInput.read(a, io);
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(to));
            } catch (IOException e) {
                throw new UsageException("cannot connect to " + to + ": " + e.getMessage()
                        + " (is a receiver listening there? see 'cellos host listen')");
            }
            ByteBuffer b = ByteBuffer.wrap(stream);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        io.err().println("cellos: sent " + stream.length + " bytes to " + to);
        return ExitCode.OK;
    }
}
