package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.wire.Durations;

import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.metrics.CellSeries;
import io.cellos.telemetry.host.metrics.MetricsAddress;
import io.cellos.telemetry.host.metrics.MetricsEndpoint;
import io.cellos.telemetry.host.receiver.CellHandle;
import io.cellos.telemetry.host.receiver.CellStats;
import io.cellos.telemetry.host.receiver.Receiver;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.wire.ExitCode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** {@code cellos host listen}: a receiver for one cell, until interrupted. */
final class HostListenCommand implements Command {
    @Override
    public String name() {
        return "host listen";
    }

    @Override
    public String summary() {
        return "run a host receiver for one cell: frames in, CloudEvents out";
    }

    @Override
    public String help() {
        return """
                Usage: cellos host listen --uds BASE --cell-id ID --run-id ID
                                          [--spec-signature-hash H] [--keepalive 10s]
                                          [--out FILE|nats://HOST:PORT[/STREAM]]
                                          [--accept-sessionless-agents]
                                          [--metrics HOST:PORT] [--format cloudevents|ocsf]

                Binds the cell's telemetry listener at BASE_9001 (the UNIX socket Firecracker
                connects a guest's vsock port 9001 to) and writes one CloudEvent per line
                (docs/protocol.md §7 in the source tree) for every frame the guest sends, stamped
                with the cell id, run id and spec signature hash given here. Refused input is
                counted by cause and reported as host-made telemetry.dropped events; a cell silent
                for the keep-alive window gets one agent_silenced event. Runs until interrupted
                (Ctrl-C, SIGTERM), then closes the cell's record with a record_closed event (the
                last of its hash chain when signing), flushes, prints the cell's counts on
                standard error and exits 0.

                Only the agent speaks for the cell (docs/protocol.md §1.3): its first connection
                pins the session on its first frame, and a later connection is read only if its
                first frame carries the same one. Any other connection (no session, another one,
                a first frame that does not decode) is closed at once, nothing on it becomes an
                event, and a channel_refused event says which connection and why.

                Options:
                  --uds BASE                  the cell's vsock UDS path; the listener is BASE_9001
                  --cell-id ID                the cell, [A-Za-z0-9_-]{1,128}
                  --run-id ID                 this run, [A-Za-z0-9._:-]{1,128}; a new one for every
                                              receiver process: event ids are unique per run
                  --spec-signature-hash H     the hash of the cell's signed spec (optional)
                  --keepalive D               keep-alive window, e.g. 10s (default), 500ms, 1m
                  --out FILE                  append events to FILE instead of standard output; it
                                              is never truncated: the line 'listening on' says how
                                              many lines it already held
                  --out nats://HOST:PORT[/STREAM][?option=value&...]
                                              publish each event to NATS JetStream instead: subject
                                              cellos.events.<cell id>.<type>, stream CELLOS_EVENTS
                                              unless named (created if missing, never changed);
                                              options retention (limits|interest|workqueue),
                                              max-age (7d), max-bytes (-1), replicas (1) for a
                                              stream it creates, buffer (100000) events held
                                              while NATS is slow or down before it drops and counts,
                                              in-flight (256), ack-wait (5s), drain (10s) on exit.
                                              Read them back with 'cellos events tail'.
                  --accept-sessionless-agents compatibility mode for CellOS 0.5 agents, which send
                                              no session: a cell whose first connection carries
                                              none is served without session checks, so any
                                              process in that guest can send frames that pass as
                                              the agent's; its events say so in session_check. An
                                              agent that sends a session is pinned all the same.
                  --metrics HOST:PORT         serve the receiver's metrics for Prometheus at
                                              http://HOST:PORT/metrics (OpenMetrics or Prometheus
                                              text, as the scraper asks); off by default. Keep it
                                              on loopback (127.0.0.1:9464, [::1]:9464) unless the
                                              network is trusted: there is no authentication.
                                              Port 0 takes a free port; the line 'listening on'
                                              gives the URL. Counters (_total): connections
                                              accepted and refused by port and cause, frames
                                              accepted by probe_source, frames refused by cause,
                                              agent_tampered, cells_silenced, events (rate() is
                                              events/s), sink_dropped_events; gauges: cells_bound,
                                              sink_backlog_events; per cell (label cell_id): the
                                              agent's last dropped_total, silenced, tampered,
                                              frames accepted, input dropped. All named
                                              cellos_receiver_*; HELP says what each counts.
                """ + FormatOption.help(30) + """


                Signing (off by default) is set by the environment:
                  CELLOS_HOST_TELEMETRY_SIGN_ALG       off | hmac-sha256 | ed25519
                  CELLOS_HOST_TELEMETRY_SIGN_KID       key id, required when signing
                  CELLOS_HOST_TELEMETRY_SIGN_HMAC_KEY  base64url key (hmac-sha256)
                  CELLOS_HOST_TELEMETRY_SIGN_ED25519_KEY  base64url private key (ed25519)
                Signed events of the cell also form a hash chain (cellosprev: the digest of the
                cell's event before), so that 'cellos events verify' checks the signatures and that
                no event was removed (short of the end), copied in or moved.
                """;
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv,
                Set.of("uds", "cell-id", "run-id", "spec-signature-hash", "keepalive", "out", "metrics", "format"),
                Set.of("accept-sessionless-agents"));
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        Path uds = Path.of(a.required("uds"));
        CellStamp stamp;
        Duration keepalive = a.positiveDuration("keepalive", ReceiverOptions.DEFAULT_KEEPALIVE);
        try {
            stamp = new CellStamp(a.required("cell-id"), a.required("run-id"), a.value("spec-signature-hash"));
        } catch (IllegalArgumentException e) {
            throw a.usage(e.getMessage());
        }
        EventSigner signer = EnvironmentSigner.of(System.getenv());
        InetSocketAddress metricsAddress = null;
        if (a.has("metrics")) {
            try {
                metricsAddress = MetricsAddress.parse(a.value("metrics"));
            } catch (IllegalArgumentException e) {
                throw a.usage("--metrics " + e.getMessage());
            }
        }
        EventFormat format = FormatOption.parse(a);
        Sinks.check(a, a.value("out"));
        Sinks.Opened opened = Sinks.open(a.value("out"), signer, format, io);
        EventSink sink = opened.sink();
        CellStats stats;
        ReceiverOptions options = ReceiverOptions.defaults().withKeepalive(keepalive)
                .withAcceptSessionlessAgents(a.has("accept-sessionless-agents")).withFormat(format);
        try (sink; Receiver receiver = Receiver.start(options, sink, io.err());
             MetricsEndpoint metrics = serveMetrics(a, receiver, metricsAddress)) {
            CellHandle cell;
            try {
                cell = receiver.bind(uds, stamp);
            } catch (IOException e) {
                throw a.usage("--uds " + a.value("uds") + ": " + e.getMessage());
            }
            CountDownLatch stop = onInterrupt(); // before the line that tells a supervisor it may signal
            io.err().println("cellos: listening on " + cell.socketPath() + " for cell " + stamp.cellId() + " run "
                    + stamp.runId() + "; events to " + opened.where()
                    + (signer == null ? "" : " (signed)") + (format == EventFormat.CLOUDEVENTS ? "" : " as "
                    + format.text()) + "; keep-alive " + Durations.format(keepalive)
                    + (metrics == null ? "" : "; metrics at " + metrics.url()) + "; Ctrl-C to stop");
            stop.await();
            stats = cell.stats();
            cell.close();
        }
        // the sink is closed (drained) now, so its count of what it could not deliver is final
        io.err().println("cellos: stopped; " + stats.connections() + " connections, " + stats.framesEmitted()
                + " frames turned into events, " + stats.droppedTotal() + " refused by the host"
                + (stats.dropped().isEmpty() ? "" : " " + stats.dropped())
                + (stats.agentDroppedTotal() >= 0 ? ", agent reported " + stats.agentDroppedTotal() + " dropped" : "")
                + (sink.lost() > 0 ? ", " + sink.lost() + " events could not be delivered to "
                + opened.where() : ""));
        return ExitCode.OK;
    }

    /**
     * The metrics endpoint, or {@code null} without {@code --metrics}: one cell, so its series
     * labelled {@code cell_id} are bounded.
     */
    private static MetricsEndpoint serveMetrics(Args a, Receiver receiver, InetSocketAddress address)
            throws UsageException {
        if (address == null) {
            return null;
        }
        try {
            return MetricsEndpoint.serve(receiver, CellSeries.PER_BOUND_CELL, address);
        } catch (IOException e) {
            throw a.usage("--metrics " + a.value("metrics") + ": " + e.getMessage());
        }
    }

    /** A latch that SIGINT or SIGTERM opens; the process then shuts down in order and exits 0. */
    private static CountDownLatch onInterrupt() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : List.of("INT", "TERM")) {
            sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.countDown());
        }
        return stop;
    }
}
