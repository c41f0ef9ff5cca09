package io.cellos.telemetry.host.sink.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.wire.Durations;
import io.cloudevents.CloudEvent;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Publishes each CloudEvent to NATS JetStream.
 *
 * <p>The message is the event in the CloudEvents NATS binding's <em>structured</em> mode: the body
 * is the event's JSON, exactly the line {@link io.cellos.telemetry.host.sink.JsonLinesSink} would write
 * (signed when signing is on), with {@code Content-Type: application/cloudevents+json}. Its subject
 * is {@code cellos.events.<cell_id>.<type suffix>} ({@link Subjects}) and its {@code Nats-Msg-Id}
 * the cell and the event's id ({@link #messageId}), so JetStream stores a re-sent event once.
 *
 * <p>{@link #emit} never waits for NATS: it serializes the event on the calling thread and hands it
 * to an {@link Outbox} bounded by the target's {@code buffer}; a {@link Publisher} thread publishes
 * in order and waits for each ack, with at most {@code in-flight} outstanding. While NATS is slow or
 * gone, events wait in the outbox; beyond its bound they are dropped and counted per cell, said on
 * the warning stream, and reported downstream as a host-made {@code telemetry.dropped} (cause
 * {@code sink_overflow}) once NATS takes events again. Nothing is lost without being counted in
 * {@link #lost()}.
 *
 * <p>Thread-safe.
 */
public final class NatsSink implements EventSink {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NatsTarget target;
    private final Outbox outbox;
    private final Publisher publisher;
    private final Thread thread;
    private final EventEncoder encoder;
    private final PrintStream warnings;
    private final Object warnedLock = new Object();
    private boolean warnedUnsendable;
    private long unattributable;
    private boolean closed;

    private NatsSink(NatsTarget target, NatsLink link, EventSigner signer, PrintStream warnings) {
        this.target = target;
        this.warnings = warnings;
        this.encoder = new EventEncoder(signer);
        this.outbox = new Outbox(target.buffer());
        this.publisher = new Publisher(link, outbox, target, warnings, this::report);
        this.thread = Thread.ofPlatform().name("cellos-nats-publisher").daemon().unstarted(publisher);
    }

    /**
     * Connects to {@code target}, creates its stream if it is missing ({@link StreamSetup}) and
     * starts publishing.
     *
     * @param signer   signs each event, or {@code null}
     * @param warnings where outages, drops and refusals are told
     * @throws IOException if NATS cannot be reached, has no JetStream, or the stream cannot take the
     *                     events; the message says what to do
     */
    public static NatsSink open(NatsTarget target, EventSigner signer, PrintStream warnings) throws IOException {
        NatsLink link = new NatsLink(target, "cellos-host");
        try {
            boolean created = StreamSetup.ensure(link.connection().jetStreamManagement(), target, warnings);
            if (created) {
                warnings.println("cellos: created JetStream stream " + target.stream() + " (subjects "
                        + Subjects.ALL + ", retention " + target.retention() + ", max-age " + Durations.format(target.maxAge())
                        + ", max-bytes " + target.maxBytes() + ", replicas " + target.replicas() + ")");
            }
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
        NatsSink sink = new NatsSink(target, link, signer, warnings);
        sink.thread.start();
        return sink;
    }

    /** The target this sink publishes to. */
    public NatsTarget target() {
        return target;
    }

    @Override
    public void emit(CloudEvent event) {
        Outbox.Message m;
        try {
            m = message(event, false);
        } catch (IOException | IllegalArgumentException e) {
            boolean first;
            synchronized (warnedLock) {
                first = !warnedUnsendable;
                warnedUnsendable = true;
                if (e instanceof IllegalArgumentException) {
                    unattributable++; // not a cell's event: no cell to report it to
                }
            }
            if (e instanceof IOException) {
                // serializing or signing failed: the cell is known, so its report says so too
                outbox.lose(Subjects.cellOf(Subjects.of(event)), event, Outbox.UNENCODABLE, 1);
            }
            if (first) {
                warnings.println("cellos: " + e.getMessage() + "; such events are lost and counted (told once)");
            }
            return;
        }
        if (outbox.offer(m, event) == Outbox.Offer.FIRST_DROP) {
            warnings.println("cellos: NATS " + target + ": " + target.buffer() + " events held and not yet"
                    + " acknowledged; dropping and counting new ones until it takes them again (each cell that"
                    + " loses events gets a telemetry.dropped report)");
        }
    }

    private Outbox.Message message(CloudEvent event, boolean report) throws IOException {
        String subject = Subjects.of(event);
        String cell = Subjects.cellOf(subject);
        return new Outbox.Message(subject, messageId(cell, event), encoder.encode(event), cell, report);
    }

    /**
     * The {@code Nats-Msg-Id} of an event: {@code <cell_id>:<event id>}. A CloudEvents id is unique
     * within its source (the cell), but JetStream de-duplicates across the whole stream, so the id
     * alone would let two cells that share a run id discard each other's events as duplicates.
     */
    static String messageId(String cell, CloudEvent event) {
        return cell + ":" + event.getId();
    }

    /** The drop report for a cell's losses so far, or {@code null} if it cannot be made. */
    private Outbox.Message report(Outbox.Loss loss) {
        CloudEvent e = new EventProjector(stampOf(loss), null).sinkDropped("nats", loss.reports, Instant.now(),
                loss.counts, "events the host could not deliver to NATS " + target
                        + " (its buffer of " + target.buffer() + " was full, JetStream refused them, or they could"
                        + " not be serialized or signed)");
        try {
            return message(e, true);
        } catch (IOException ex) {
            // signing that fails for events fails for their report too; the losses stay counted and
            // are told per cell on stderr when the sink closes
            boolean first;
            synchronized (warnedLock) {
                first = !warnedUnsendable;
                warnedUnsendable = true;
            }
            if (first) {
                warnings.println("cellos: " + ex.getMessage() + "; drop reports that cannot be made are told on"
                        + " stderr when the sink closes (told once)");
            }
            return null;
        }
    }

    /** The cell's stamp, as its events carry it; the cell id alone when none can be read. */
    private static CellStamp stampOf(Outbox.Loss loss) {
        if (loss.sample != null && loss.sample.getData() != null) {
            try {
                JsonNode data = JSON.readTree(loss.sample.getData().toBytes());
                JsonNode hash = data.get("spec_signature_hash");
                return new CellStamp(data.get("cell_id").asText(), data.get("run_id").asText(),
                        hash == null || hash.isNull() ? null : hash.asText());
            } catch (IOException | RuntimeException e) {
                // fall through: the report still names the cell
            }
        }
        return new CellStamp(loss.cell, "unknown", null);
    }

    /** Pushes nothing: the publisher sends as soon as it can. */
    @Override
    public void flush() {
    }

    @Override
    public long lost() {
        synchronized (warnedLock) {
            return outbox.lostTotal() + unattributable;
        }
    }

    /** Events JetStream acknowledged (drop reports included), re-sends it had already stored included. */
    public long acknowledged() {
        return publisher.acknowledged();
    }

    /** Acknowledged events that JetStream had already stored: re-sends after a lost ack, or re-emits. */
    public long duplicates() {
        return publisher.duplicates();
    }

    /**
     * Events JetStream did not store because it already held a message with their id that this sink
     * never sent: told on the warning stream; not counted in {@link #lost()}, since the event may be
     * the very one stored (emitted twice), or another receiver's under the same run id.
     */
    public long unexpectedDuplicates() {
        return publisher.unexpectedDuplicates();
    }

    /**
     * Waits up to the target's {@code drain} for held events to be acknowledged, counts what is left
     * as lost and says so, then disconnects.
     */
    @Override
    public void close() {
        synchronized (warnedLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        outbox.close();
        publisher.closing(target.drain());
        try {
            thread.join(target.drain().plus(target.ackWait()).plusSeconds(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            warnings.println("cellos: the NATS publisher for " + target + " did not stop; the " + outbox.abandonAll()
                    + " events it still held are counted as lost");
        }
        for (Outbox.Loss loss : outbox.losses()) {
            warnings.println("cellos: cell " + loss.cell + ": " + loss.total + " events not delivered to NATS "
                    + target + ", by cause " + loss.counts);
        }
    }
}
