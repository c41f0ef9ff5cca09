package io.cellos.telemetry.host.sink.nats;

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
 * order; JetStream stores a re-sent event once ({@code Nats-Msg-Id}, within the stream's
 * de-duplication window). An event JetStream refuses for good (an API error in its ack: stream
 * full, message too large) or the client refuses (larger than the server takes) is lost and
 * counted. Each cell that lost events gets a host-made {@code telemetry.dropped}, made by
 * {@code reports} (which returns {@code null} when it cannot make one) and published ahead of
 * waiting events, once the outbox is no longer overflowing
 * (checked every second, and whenever it is empty).
 *
 * <p>Runs on one thread of its own; it owns the window of events in flight. If it fails, what it
 * held is counted as lost, the outbox refuses further events (counted too), and it says so.
 */
final class Publisher implements Runnable {
    private static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(2);
    private static final long REPORT_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";

    private final NatsLink link;
    private final Outbox outbox;
    private final NatsTarget target;
    private final PrintStream warnings;
    private final Function<Outbox.Loss, Outbox.Message> reports;
    private final ArrayDeque<Sent> window = new ArrayDeque<>();
    private volatile long acknowledged;
    private volatile long duplicates;
    private volatile long unexpectedDuplicates;
    private volatile long deadlineNanos;
    private volatile boolean closing;
    private long outageSince = -1;
    private long refused;
    private long lastReportCheck = System.nanoTime();
    private Duration pause = FIRST_PAUSE;

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

    /** Acknowledged events that JetStream had already stored: re-sends after a lost ack. */
    long duplicates() {
        return duplicates;
    }

    /**
     * Events JetStream called duplicates on their first send: it already held another message with
     * the same id, which this sink did not send (another receiver with the same run id?).
     */
    long unexpectedDuplicates() {
        return unexpectedDuplicates;
    }

    /** From now, gives up on what is held once {@code drain} has passed; called by the closing sink. */
    void closing(Duration drain) {
        deadlineNanos = System.nanoTime() + drain.toNanos();
        closing = true;
    }

    @Override
    public void run() {
        try {
            while (true) {
                long now = System.nanoTime();
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
                    Outbox.Message m = outbox.take(100);
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
            warnings.println("cellos: the NATS publisher for " + target + " failed (" + describe(e)
                    + "); what it held, and every later event, is counted as lost");
            outbox.close();
            abandon();
        } finally {
            link.close();
        }
    }

    private boolean pastDeadline() {
        return closing && System.nanoTime() - deadlineNanos > 0;
    }

    /** Nanoseconds left before the drain deadline; unbounded until the sink closes. */
    private long untilDeadline() {
        return closing ? deadlineNanos - System.nanoTime() : Long.MAX_VALUE;
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
        s.sentAt = System.nanoTime();
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
        } catch (RuntimeException e) {
            // the client refuses at once: it has just lost the connection (it keeps no buffer), or
            // the message is larger than the server takes (an IllegalArgumentException, for good)
            s.ack = CompletableFuture.failedFuture(e);
        }
        return s;
    }

    private void awaitHead() throws InterruptedException {
        Sent head = window.peekFirst();
        long waitNanos = Math.min(head.sentAt + target.ackWait().toNanos() - System.nanoTime(), untilDeadline());
        Throwable failure;
        try {
            PublishAck ack = head.ack.get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
            window.removeFirst();
            outbox.settled();
            acknowledged(head, ack);
            recovered();
            return;
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (TimeoutException e) {
            if (pastDeadline()) {
                return; // the loop abandons what is left
            }
            failure = new TimeoutException("no ack within " + target.ackWait().toMillis() + " ms");
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

    private void acknowledged(Sent s, PublishAck ack) {
        acknowledged++;
        if (!ack.isDuplicate()) {
            return;
        }
        duplicates++;
        if (s.sends == 1) {
            if (unexpectedDuplicates++ == 0) {
                warnings.println("cellos: JetStream already held a message with id " + s.message.id() + " (within its"
                        + " de-duplication window) that this receiver never sent, and did not store this one: another"
                        + " receiver may be using the same run id; give each receiver process a run id of its own"
                        + " (told once; counted)");
            }
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
            outbox.lose(s.message.stamp(), Outbox.REJECTED, 1);
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
        if (outageSince < 0) {
            outageSince = System.nanoTime();
            warnings.println("cellos: NATS " + target + " is not acknowledging events (" + describe(why)
                    + "); holding up to " + target.buffer() + " and sending again until it does");
        }
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(Math.min(pause.toNanos(), untilDeadline()))));
        pause = longer(pause);
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

    private static Duration longer(Duration pause) {
        Duration doubled = pause.multipliedBy(2);
        return doubled.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : doubled;
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

    /**
     * Gives up on everything still held: what JetStream had acknowledged counts as delivered, the
     * rest as undelivered, and it says so.
     */
    private void abandon() {
        List<Outbox.Message> held = new ArrayList<>();
        for (Sent s : window) {
            outbox.settled();
            if (s.acknowledged()) {
                acknowledged(s, s.ack.join());
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
                outbox.lose(m.stamp(), Outbox.UNDELIVERED, 1);
                events++;
            }
        }
        if (events + reportsLost > 0) {
            warnings.println("cellos: NATS " + target + ": " + events + " events and " + reportsLost
                    + " drop reports still held when the publisher stopped were not delivered (lost and counted)");
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
