package io.cellos.telemetry.host.sink.nats;

import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.nats.client.StreamContext;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.OrderedConsumerConfiguration;
import io.nats.client.api.StreamInfoOptions;
import io.nats.client.api.Subject;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Reads events back from a stream a {@link NatsSink} fills, oldest first, each as the JSON its
 * message carries.
 *
 * <p>Without a durable name the reader is an ordered consumer that starts at the first event
 * matching the filter and leaves no state on the server. With one, it binds (or creates) a durable
 * consumer of that name and acknowledges each event once it is handed on, so a later read with the
 * same name carries on where this one stopped.
 */
public final class NatsTail {
    /** A read without {@code follow} stops after this long without an event. */
    static final int IDLE_SECONDS = 2;

    /**
     * Where each event goes. Returns normally only once the event has been handed on (written and
     * flushed): with a durable consumer, the event is acknowledged right after, so an output that
     * failed must throw.
     */
    @FunctionalInterface
    public interface Output {
        void event(byte[] json) throws IOException;
    }

    private NatsTail() {
    }

    /**
     * Reads the events matching {@code filter} ({@link Subjects#filter}).
     *
     * @param durable a durable consumer's name, or {@code null} for an ordered one
     * @param follow  keep waiting for new events until {@code stop} says so; otherwise return once
     *                every event the stream held at the start was read (later ones are left), or
     *                once none comes for {@value #IDLE_SECONDS} s (events removed meanwhile, by a
     *                limit or another reader of the same durable consumer)
     * @return how many events were read
     * @throws IOException if NATS cannot be reached or the stream does not exist, saying so
     */
    public static long read(NatsTarget target, String filter, String durable, boolean follow,
                            BooleanSupplier stop, Output out) throws IOException, InterruptedException {
        try (NatsLink link = new NatsLink(target, "cellos-events-tail")) {
            Connection connection = link.connection();
            try {
                StreamContext stream = connection.getStreamContext(target.stream());
                io.nats.client.BaseConsumerContext consumer;
                long pending;
                long last = stream.getStreamInfo().getStreamState().getLastSequence();
                if (durable == null) {
                    pending = 0;
                    for (Subject s : stream.getStreamInfo(StreamInfoOptions.filterSubjects(filter)).getStreamState().getSubjects()) {
                        pending += s.getCount();
                    }
                    consumer = stream.createOrderedConsumer(new OrderedConsumerConfiguration().filterSubject(filter));
                } else {
                    ConsumerContext c = stream.createOrUpdateConsumer(ConsumerConfiguration.builder()
                            .durable(durable).filterSubject(filter).ackPolicy(AckPolicy.Explicit).build());
                    pending = c.getConsumerInfo().getNumPending();
                    consumer = c;
                }
                if (pending == 0 && !follow) {
                    return 0;
                }
                return drain(consumer, durable != null, follow ? Long.MAX_VALUE : last, stop, out);
            } catch (JetStreamApiException | JetStreamStatusCheckedException e) {
                throw new IOException("cannot read stream " + target.stream() + " at " + target.serverUrl() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /**
     * Hands on events until {@code stop}, or (when {@code last} is not {@code Long.MAX_VALUE}) until
     * the event at stream sequence {@code last} or beyond, the last one pending, or
     * {@value #IDLE_SECONDS} s without an event.
     */
    private static long drain(io.nats.client.BaseConsumerContext consumer, boolean ack, long last,
                              BooleanSupplier stop, Output out)
            throws IOException, JetStreamApiException, JetStreamStatusCheckedException, InterruptedException {
        boolean follow = last == Long.MAX_VALUE;
        IterableConsumer messages = consumer.iterate();
        try {
            long read = 0;
            // the machine's clock, not a Clock: the idle time is the client library's own real-time
            // waits (nextMessage) added up, which no test clock could move
            long idleSince = System.nanoTime();
            while (!stop.getAsBoolean()) {
                Message m = messages.nextMessage(Duration.ofMillis(500));
                if (m == null) {
                    if (!follow && System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(IDLE_SECONDS)) {
                        break;
                    }
                    continue;
                }
                idleSince = System.nanoTime();
                out.event(m.getData());
                if (ack) {
                    try {
                        m.ackSync(Duration.ofSeconds(5));
                    } catch (java.util.concurrent.TimeoutException e) {
                        throw new IOException("JetStream did not confirm the ack of event " + read
                                + " within 5 s; a later read may print it again", e);
                    }
                }
                read++;
                if (!follow && (m.metaData().pendingCount() == 0 || m.metaData().streamSequence() >= last)) {
                    break;
                }
            }
            return read;
        } finally {
            messages.stop();
        }
    }
}
