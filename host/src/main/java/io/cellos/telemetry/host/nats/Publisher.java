package io.cellos.telemetry.host.nats;

import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Moves events from an {@link Outbox} into JetStream, in order, each acknowledged before it is let
 * go, with at most {@code in-flight} awaiting their ack.
 *
 * <p>An event whose ack does not come (NATS down, slow, restarting) is sent again after a pause, on
 * a new connection ({@link NatsLink}), with every later one still unacknowledged, in the same
 * order; JetStream stores a re-sent event
 * once ({@code Nats-Msg-Id}, within the stream's de-duplication window). An event JetStream refuses
 * for good (an API error in its ack) is lost and counted. Once the outbox is empty, each cell that
 * lost events since its last report gets a host-made {@code telemetry.dropped}, made by
 * {@code reports} and published like any event.
 *
 * <p>Runs on one thread of its own; it owns the window of events in flight.
 */
final class Publisher implements Runnable {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(2);
    private static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";

    private final NatsLink link;
    private final Outbox outbox;
    private final NatsTarget target;
    private final PrintStream warnings;
    private final Function<Outbox.Loss, Outbox.Message> reports;
    private final ArrayDeque<Sent> window = new ArrayDeque<>();
    private volatile long acknowledged;
    private volatile long duplicates;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private long outageSince = -1;
    private Duration pause = FIRST_PAUSE;

    /** An event sent and the ack it awaits. */
    private static final class Sent {
        final Outbox.Message message;
        CompletableFuture<PublishAck> ack;
        long sentAt;

        Sent(Outbox.Message message) {
            this.message = message;
        }
    }

    /** @param link the connection to publish on; the publisher owns it from now and closes it at the end */
    Publisher(NatsLink link, Outbox outbox, NatsTarget target, PrintStream warnings,
              Function<Outbox.Loss, Outbox.Message> reports) {
        this.link = link;
        this.outbox = outbox;
        this.target = target;
        this.warnings = warnings;
        this.reports = reports;
    }

    /** Events JetStream acknowledged, duplicates included. */
    long acknowledged() {
        return acknowledged;
    }

    /** Acknowledged events JetStream had already stored (re-sends). */
    long duplicates() {
        return duplicates;
    }

    /** From now, gives up on what is held once {@code drain} has passed; called by the closing sink. */
    void closing(Duration drain) {
        deadlineNanos = System.nanoTime() + drain.toNanos();
    }

    @Override
    public void run() {
        try {
            while (true) {
                fill();
                if (window.isEmpty()) {
                    queueReports();
                    if (outbox.closed() && outbox.empty()) {
                        return;
                    }
                    Outbox.Message m = outbox.take(100);
                    if (m != null) {
                        window.addLast(send(new Sent(m)));
                    }
                    continue;
                }
                if (System.nanoTime() - deadlineNanos > 0) {
                    abandon();
                    return;
                }
                awaitHead();
            }
        } catch (InterruptedException e) {
            abandon();
        } finally {
            link.close();
        }
    }

    private void fill() {
        while (window.size() < target.inFlight()) {
            Outbox.Message m = outbox.poll();
            if (m == null) {
                return;
            }
            window.addLast(send(new Sent(m)));
        }
    }

    private void queueReports() {
        if (!outbox.empty()) {
            return;
        }
        for (Outbox.Loss loss : outbox.unreported()) {
            outbox.offerReport(reports.apply(loss));
        }
    }

    private Sent send(Sent s) {
        s.sentAt = System.nanoTime();
        Headers headers = new Headers().put("Content-Type", CONTENT_TYPE);
        JetStream js = link.jetStreamIfConnected();
        if (js == null) {
            s.ack = CompletableFuture.failedFuture(new IOException("not connected to NATS " + target.serverUrl()));
            return s;
        }
        try {
            s.ack = js.publishAsync(s.message.subject(), headers, s.message.body(),
                    PublishOptions.builder().messageId(s.message.id()).build());
        } catch (RuntimeException e) {
            // the client refuses at once when it has just lost the connection (it keeps no buffer)
            s.ack = CompletableFuture.failedFuture(e);
        }
        return s;
    }

    private void awaitHead() throws InterruptedException {
        Sent head = window.peekFirst();
        long waitNanos = head.sentAt + target.ackWait().toNanos() - System.nanoTime();
        Throwable failure;
        try {
            PublishAck ack = head.ack.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
            window.removeFirst();
            acknowledged++;
            if (ack.isDuplicate()) {
                duplicates++;
            }
            outbox.settled();
            recovered();
            return;
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (TimeoutException e) {
            failure = new TimeoutException("no ack within " + target.ackWait().toMillis() + " ms");
        }
        if (failure instanceof JetStreamApiException refused) {
            window.removeFirst();
            outbox.lose(head.message.cell(), null, Outbox.REJECTED, 1);
            outbox.settled();
            warnings.println("cellos: JetStream refused event " + head.message.id() + " on " + head.message.subject()
                    + ": " + refused.getErrorDescription() + " (lost and counted)");
            return;
        }
        unavailable(failure);
    }

    /**
     * No ack: throw the connection away (so nothing it still holds is sent later), pause, then send
     * again, on a new connection, everything in the window not yet acknowledged, in order.
     */
    private void unavailable(Throwable why) throws InterruptedException {
        link.drop();
        if (outageSince < 0) {
            outageSince = System.nanoTime();
            warnings.println("cellos: NATS " + target + " is not acknowledging events (" + describe(why)
                    + "); holding up to " + target.buffer() + " and sending again until it does");
        }
        Thread.sleep(pause);
        pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause.multipliedBy(2);
        try {
            link.connection();
        } catch (IOException stillDown) {
            return; // the head stays unacknowledged: the loop comes back here after the next pause
        }
        for (Sent s : window) {
            if (!s.ack.isDone() || s.ack.isCompletedExceptionally()) {
                send(s);
            }
        }
    }

    private void recovered() {
        if (outageSince >= 0) {
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageSince);
            warnings.println("cellos: NATS " + target + " acknowledges again after " + seconds
                    + " s; held events go out in order");
            outageSince = -1;
        }
        pause = FIRST_PAUSE;
    }

    /** Counts everything still held as undelivered and says so. */
    private void abandon() {
        int events = 0;
        int reportsLost = 0;
        List<Outbox.Message> held = new ArrayList<>();
        for (Sent s : window) {
            held.add(s.message);
            outbox.settled();
        }
        window.clear();
        held.addAll(outbox.drainWaiting());
        for (Outbox.Message m : held) {
            if (m.report()) {
                reportsLost++;
            } else {
                outbox.lose(m.cell(), null, Outbox.UNDELIVERED, 1);
                events++;
            }
        }
        if (events + reportsLost > 0) {
            warnings.println("cellos: NATS " + target + ": " + events + " events and " + reportsLost
                    + " drop reports still held when the sink closed were not delivered (lost and counted)");
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
