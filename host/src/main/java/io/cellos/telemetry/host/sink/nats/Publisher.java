package io.cellos.telemetry.host.sink.nats;

import io.cellos.telemetry.host.Clock;
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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Moves events from an {@link Outbox} into JetStream, in order, each acknowledged before it is let
 * go, with at most {@code in-flight} awaiting their ack.
 *
 * <p>An event whose ack does not come (NATS down, slow, restarting) is sent again after a pause
 * ({@link Outage}), on a new connection ({@link NatsLink}), with every later one still
 * unacknowledged, in the same order; JetStream stores a re-sent event once ({@code Nats-Msg-Id},
 * within the stream's de-duplication window). An event JetStream refuses for good (an API error in
 * its ack: stream full, message too large) or the client refuses (larger than the server takes) is
 * lost and counted. Each cell that lost events gets a host-made {@code telemetry.dropped}, made by
 * {@code reports} (which returns {@code null} when it cannot make one) and published ahead of
 * waiting events, once the outbox is no longer overflowing (checked every second, and whenever it
 * is empty).
 *
 * <p>Every wait — for an ack, through a pause, for the drain — is on the outbox's monitor, timed by
 * the sink's {@link Clock}: an ack's arrival wakes it ({@link Outbox#wake}), and so does a test
 * clock moved on.
 *
 * <p>Runs on one thread of its own; it owns the window of events in flight. If it fails, what it
 * held is counted as lost, the outbox refuses further events (counted too), and it says so.
 */
final class Publisher implements Runnable {
    private static final long REPORT_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long the publisher waits for an event when it has none, before it looks at its reports again. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";

    private final NatsLink link;
    private final Outbox outbox;
    private final NatsTarget target;
    private final PrintStream warnings;
    private final Clock clock;
    private final Function<Outbox.Loss, Outbox.Message> reports;
    private final Acknowledgements acks;
    private final Outage outage;
    private final ArrayDeque<Sent> window = new ArrayDeque<>();
    private volatile long deadlineNanos;
    private volatile boolean closing;
    private volatile boolean finished;
    private long refused;
    private long lastReportCheck;

    /** An event sent and the ack it awaits. */
    private static final class Sent {
        final Outbox.Message message;
        CompletableFuture<PublishAck> ack;
        long sentAt;
        int sends;

        Sent(Outbox.Message message) {
            this.message = message;
        }

        boolean acknowledged() {
            return ack.isDone() && !ack.isCompletedExceptionally();
        }
    }

    /** @param link the connection to publish on; the publisher owns it from now and closes it at the end */
    Publisher(NatsLink link, Outbox outbox, NatsTarget target, PrintStream warnings, Clock clock,
              Function<Outbox.Loss, Outbox.Message> reports) {
        this.link = link;
        this.outbox = outbox;
        this.target = target;
        this.warnings = warnings;
        this.clock = clock;
        this.reports = reports;
        this.acks = new Acknowledgements(warnings);
        this.outage = new Outage(clock, target, warnings);
        this.lastReportCheck = clock.nanoTime();
    }

    /** What JetStream acknowledged so far. */
    Acknowledgements acks() {
        return acks;
    }

    /** Whether the publisher has stopped, having settled or counted everything it held. */
    boolean finished() {
        return finished;
    }

    /** From now, gives up on what is held once {@code drain} has passed on the clock; called by the closing sink. */
    void closing(Duration drain) {
        deadlineNanos = clock.nanoTime() + drain.toNanos();
        closing = true;
        outbox.wake(); // a wait already under way ends at the deadline now
    }

    @Override
    public void run() {
        try {
            while (true) {
                long now = clock.nanoTime();
                if (now - lastReportCheck >= REPORT_CHECK_NANOS) {
                    lastReportCheck = now;
                    queueReports();
                }
                fill();
                if (window.isEmpty()) {
                    queueReports();
                    if (outbox.closed() && outbox.empty()) {
                        return;
                    }
                    Outbox.Message m = outbox.take(clock.nanoTime() + IDLE_NANOS);
                    if (m != null) {
                        window.addLast(send(new Sent(m)));
                    }
                    continue;
                }
                if (pastDeadline()) {
                    abandon();
                    return;
                }
                awaitHead();
            }
        } catch (InterruptedException e) {
            abandon();
        } catch (RuntimeException | Error e) {
            warnings.println("cellos: the NATS publisher for " + target + " failed (" + Outage.describe(e)
                    + "); what it held, and every later event, is counted as lost");
            outbox.close();
            abandon();
        } finally {
            link.close();
            finished = true;
            outbox.wake();
        }
    }

    private boolean pastDeadline() {
        return closing && clock.nanoTime() - deadlineNanos >= 0;
    }

    /** {@code at}, or the drain deadline if the sink is closing and that comes first. */
    private long capped(long at) {
        return closing && deadlineNanos - at < 0 ? deadlineNanos : at;
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

    /** Queues a report for each cell that lost events since its last one, unless the outbox is overflowing. */
    private void queueReports() {
        if (outbox.overflowing()) {
            return;
        }
        for (Outbox.Loss loss : outbox.unreported()) {
            Outbox.Message report = reports.apply(loss);
            if (report != null) {
                outbox.offerReport(report);
            }
        }
    }

    private Sent send(Sent s) {
        s.sentAt = clock.nanoTime();
        s.sends++;
        Headers headers = new Headers().put("Content-Type", CONTENT_TYPE);
        JetStream js = link.jetStreamIfConnected();
        if (js == null) {
            s.ack = CompletableFuture.failedFuture(new IOException("not connected to NATS " + target.serverUrl()));
            return s;
        }
        try {
            s.ack = js.publishAsync(s.message.subject(), headers, s.message.body(),
                    PublishOptions.builder().messageId(s.message.id()).build());
            s.ack.whenComplete((ack, failure) -> outbox.wake()); // the publisher may be waiting for it
        } catch (RuntimeException e) {
            // the client refuses at once: it has just lost the connection (it keeps no buffer), or
            // the message is larger than the server takes (an IllegalArgumentException, for good)
            s.ack = CompletableFuture.failedFuture(e);
        }
        return s;
    }

    /**
     * Waits for the head of the window to be settled: its ack (let go), JetStream's refusal (lost,
     * counted), or no ack within {@code ack-wait} on the clock (the outage path).
     */
    private void awaitHead() throws InterruptedException {
        Sent head = window.peekFirst();
        long ackDue = head.sentAt + target.ackWait().toNanos();
        outbox.await(head.ack::isDone, () -> capped(ackDue));
        if (!head.ack.isDone()) {
            if (!pastDeadline()) {
                unavailable(new TimeoutException("no ack within " + target.ackWait().toMillis() + " ms"));
            }
            return; // past the deadline, the loop abandons what is left
        }
        Throwable failure = failureOf(head.ack);
        if (failure == null) {
            window.removeFirst();
            outbox.settled();
            acks.count(head.message.id(), head.ack.join().isDuplicate(), head.sends > 1);
            outage.recovered();
            return;
        }
        Throwable refusal = refusal(failure);
        if (refusal != null) {
            window.removeFirst();
            outbox.settled();
            refused(head, refusal);
            return;
        }
        unavailable(failure);
    }

    /** Why a completed ack failed, or {@code null} if it did not. */
    private static Throwable failureOf(CompletableFuture<PublishAck> ack) {
        try {
            ack.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (CancellationException e) {
            return e; // the client cancels what it awaits when its connection closes
        }
    }

    /** JetStream's or the client's refusal of this very event, for good; {@code null} for anything else. */
    private static Throwable refusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JetStreamApiException || t instanceof IllegalArgumentException) {
                return t;
            }
        }
        return null;
    }

    private void refused(Sent s, Throwable why) {
        if (!s.message.report()) {
            outbox.lose(s.message.stamp(), s.message.chain(), Outbox.REJECTED, 1);
        }
        refused++;
        String reason = why instanceof JetStreamApiException api ? api.getErrorDescription() : why.getMessage();
        if (refused == 1 || refused % 1000 == 0) {
            warnings.println("cellos: JetStream refused " + (s.message.report() ? "drop report " : "event ")
                    + s.message.id() + " on " + s.message.subject() + ": " + reason + " (lost and counted; "
                    + refused + " refused so far; told for the first and every 1000th)");
        }
    }

    /**
     * No ack: throw the connection away (so nothing it still holds is sent later), pause, then send
     * again, on a new connection, everything in the window not yet acknowledged, in order.
     */
    private void unavailable(Throwable why) throws InterruptedException {
        link.drop();
        long resumeAt = outage.failed(why);
        outbox.await(() -> false, () -> capped(resumeAt));
        if (pastDeadline()) {
            return;
        }
        try {
            link.connection();
        } catch (IOException stillDown) {
            return; // the head stays unacknowledged: the loop comes back here after the next pause
        }
        for (Sent s : window) {
            if (!s.acknowledged()) {
                send(s);
            }
        }
    }

    /**
     * Gives up on everything still held: what JetStream had acknowledged counts as delivered, the
     * rest as undelivered, and it says so.
     */
    private void abandon() {
        List<Outbox.Message> held = new ArrayList<>();
        for (Sent s : window) {
            outbox.settled();
            if (s.acknowledged()) {
                acks.count(s.message.id(), s.ack.join().isDuplicate(), s.sends > 1);
            } else {
                held.add(s.message);
            }
        }
        window.clear();
        held.addAll(outbox.drainWaiting());
        int events = 0;
        int reportsLost = 0;
        for (Outbox.Message m : held) {
            if (m.report()) {
                reportsLost++;
            } else {
                outbox.lose(m.stamp(), m.chain(), Outbox.UNDELIVERED, 1);
                events++;
            }
        }
        if (events + reportsLost > 0) {
            warnings.println("cellos: NATS " + target + ": " + events + " events and " + reportsLost
                    + " drop reports still held when the publisher stopped were not delivered (lost and counted)");
        }
    }
}
