package io.cellos.telemetry.host.sink.nats;

import io.cellos.telemetry.host.Clock;
import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.event.EventProjector;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sink.EventEncoder;
import io.cellos.telemetry.host.sink.EventSink;
import io.cellos.telemetry.wire.Durations;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Publishes each CloudEvent to NATS JetStream.
 *
 * <p>The message is the event in the CloudEvents NATS binding's <em>structured</em> mode: the body
 * is the event's JSON, exactly the line {@link io.cellos.telemetry.host.sink.JsonLinesSink} would write
 * (signed when signing is on), with {@code Content-Type: application/cloudevents+json}. Its subject
 * is {@code cellos.events.<cell_id>.<type suffix>} ({@link Subjects}, from the event's stamp and
 * facts) and its {@code Nats-Msg-Id} the cell and the event's id ({@link #messageId}), so JetStream
 * stores a re-sent event once.
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
    private final NatsTarget target;
    private final Outbox outbox;
    private final Publisher publisher;
    private final Thread thread;
    private final EventEncoder encoder;
    private final PrintStream warnings;
    private final Clock clock;
    private final EventFormat format;
    private final Object warnedLock = new Object();
    private boolean warnedUnsendable;
    private boolean closed;

    private NatsSink(NatsTarget target, NatsLink link, EventSigner signer, EventFormat format, PrintStream warnings,
                     Clock clock) {
        this.target = target;
        this.format = format;
        this.warnings = warnings;
        this.clock = clock;
        this.encoder = new EventEncoder(signer);
        this.outbox = new Outbox(target.buffer(), clock);
        this.publisher = new Publisher(link, outbox, target, warnings, clock, this::report);
        this.thread = Thread.ofPlatform().name("cellos-nats-publisher").daemon().unstarted(publisher);
    }

    /**
     * Connects to {@code target}, creates its stream if it is missing ({@link StreamSetup}) and
     * starts publishing; its own drop reports are written in the receiver's own format.
     *
     * @param signer   signs each event, or {@code null}
     * @param warnings where outages, drops and refusals are told
     * @throws IOException if NATS cannot be reached, has no JetStream, or the stream cannot take the
     *                     events; the message says what to do
     */
    public static NatsSink open(NatsTarget target, EventSigner signer, PrintStream warnings) throws IOException {
        return open(target, signer, EventFormat.CLOUDEVENTS, warnings, Clock.system());
    }

    /**
     * {@link #open(NatsTarget, EventSigner, PrintStream)} for a receiver whose events are written in
     * {@code format}: the sink's own drop reports are written in it too.
     */
    public static NatsSink open(NatsTarget target, EventSigner signer, EventFormat format, PrintStream warnings)
            throws IOException {
        return open(target, signer, format, warnings, Clock.system());
    }

    /**
     * {@link #open(NatsTarget, EventSigner, PrintStream)} with the clock that times the sink's ack
     * waits, pauses and drain and the times of its drop reports (a test's, to move time on without
     * sleeping).
     */
    public static NatsSink open(NatsTarget target, EventSigner signer, PrintStream warnings, Clock clock)
            throws IOException {
        return open(target, signer, EventFormat.CLOUDEVENTS, warnings, clock);
    }

    private static NatsSink open(NatsTarget target, EventSigner signer, EventFormat format, PrintStream warnings,
                                 Clock clock) throws IOException {
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
        NatsSink sink = new NatsSink(target, link, signer, format, warnings, clock);
        sink.thread.start();
        return sink;
    }

    /** The target this sink publishes to. */
    public NatsTarget target() {
        return target;
    }

    @Override
    public void emit(CellEvent event) {
        Outbox.Message m;
        try {
            m = message(event, false);
        } catch (IOException e) {
            // serializing or signing failed: counted against the cell, whose report says so too
            outbox.lose(event.stamp(), event.chain(), Outbox.UNENCODABLE, 1);
            if (firstUnsendable()) {
                warnings.println("cellos: " + e.getMessage() + "; such events are lost and counted (told once)");
            }
            return;
        }
        if (outbox.offer(m) == Outbox.Offer.FIRST_DROP) {
            warnings.println("cellos: NATS " + target + ": " + target.buffer() + " events held and not yet"
                    + " acknowledged; dropping and counting new ones until it takes them again (each cell that"
                    + " loses events gets a telemetry.dropped report)");
        }
    }

    private Outbox.Message message(CellEvent event, boolean report) throws IOException {
        return new Outbox.Message(Subjects.of(event), messageId(event), encoder.encode(event), event.stamp(),
                event.chain(), report);
    }

    /** Whether this is the first event or report that could not be made, which alone is told. */
    private boolean firstUnsendable() {
        synchronized (warnedLock) {
            boolean first = !warnedUnsendable;
            warnedUnsendable = true;
            return first;
        }
    }

    /**
     * The {@code Nats-Msg-Id} of an event: {@code <cell_id>:<event id>}. A CloudEvents id is unique
     * within its source (the cell), but JetStream de-duplicates across the whole stream, so the id
     * alone would let two cells that share a run id discard each other's events as duplicates.
     */
    static String messageId(CellEvent event) {
        return event.stamp().cellId() + ":" + event.cloudEvent().getId();
    }

    /** The drop report for a cell's losses so far, or {@code null} if it cannot be made. */
    private Outbox.Message report(Outbox.Loss loss) {
        CellEvent e = new EventProjector(loss.stamp, loss.chain, null, format).sinkDropped("nats", loss.reports, clock.now(),
                loss.counts, "events the host could not deliver to NATS " + target
                        + " (its buffer of " + target.buffer() + " was full, JetStream refused them, or they could"
                        + " not be serialized or signed)");
        try {
            return message(e, true);
        } catch (IOException ex) {
            // signing that fails for events fails for their report too; the losses stay counted and
            // are told per cell on stderr when the sink closes
            if (firstUnsendable()) {
                warnings.println("cellos: " + ex.getMessage() + "; drop reports that cannot be made are told on"
                        + " stderr when the sink closes (told once)");
            }
            return null;
        }
    }

    /** Pushes nothing: the publisher sends as soon as it can. */
    @Override
    public void flush() {
    }

    @Override
    public long lost() {
        return outbox.lostTotal();
    }

    /** Events in the outbox: waiting for NATS, or sent and not yet acknowledged. */
    @Override
    public long backlog() {
        return outbox.held();
    }

    /** Events JetStream acknowledged (drop reports included), re-sends it had already stored included. */
    public long acknowledged() {
        return publisher.acks().acknowledged();
    }

    /**
     * Waits until JetStream has acknowledged at least {@code n} events (drop reports included), for
     * up to {@code patience} of real time: for a caller that must know its events are stored.
     *
     * @return whether it has
     */
    public boolean awaitAcknowledged(long n, Duration patience) throws InterruptedException {
        return publisher.acks().await(n, patience);
    }

    /** Acknowledged events that JetStream had already stored: re-sends after a lost ack, or re-emits. */
    public long duplicates() {
        return publisher.acks().duplicates();
    }

    /**
     * Events JetStream did not store because it already held a message with their id that this sink
     * never sent: told on the warning stream; not counted in {@link #lost()}, since the event may be
     * the very one stored (emitted twice), or another receiver's under the same run id.
     */
    public long unexpectedDuplicates() {
        return publisher.acks().unexpectedDuplicates();
    }

    /**
     * Waits up to the target's {@code drain}, on the sink's clock, for held events to be
     * acknowledged, counts what is left as lost and says so, then disconnects. A publisher still at
     * work an ack-wait and a second after the drain is interrupted, and one that then does not stop
     * within 2 s of real time (it is not waiting on the clock any more) is left, its events counted.
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
        long giveUpAt = clock.nanoTime() + target.drain().plus(target.ackWait()).plusSeconds(1).toNanos();
        try {
            outbox.await(publisher::finished, () -> giveUpAt);
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
            warnings.println("cellos: cell " + loss.stamp.cellId() + ": " + loss.total + " events not delivered to NATS "
                    + target + ", by cause " + loss.counts);
        }
    }
}
