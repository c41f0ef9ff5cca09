package io.cellos.telemetry.host.sink.nats;

import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.io.IOException;
import java.time.Duration;

/**
 * A connection to a target's NATS server that is thrown away at its first failure and made anew.
 *
 * <p>The client library's own reconnection is off, and so is its buffer for messages published
 * while disconnected: a message the old connection still held must never reach the server after
 * the re-sends made on the new one, or events would be stored out of order. On one connection the
 * server takes messages in the order they were written, so what an outage leaves stored is a prefix
 * of what was sent, and sending the rest again in order keeps the stream in order.
 *
 * <p>Not thread-safe: used by the publisher's thread (and by whoever opens it, before that).
 */
final class NatsLink implements AutoCloseable {
    private final NatsTarget target;
    private final String name;
    private Connection connection;
    private JetStream jetStream;

    NatsLink(NatsTarget target, String name) {
        this.target = target;
        this.name = name;
    }

    /** Client options for {@code target}: one server, no client-side reconnection or buffering. */
    static Options options(NatsTarget target, String name) {
        return new Options.Builder()
                .server(target.serverUrl())
                .connectionName(name)
                .connectionTimeout(Duration.ofSeconds(2))
                .maxReconnects(0)
                .reconnectBufferSize(0)
                .errorListener(new ErrorListener() {
                    // failures are told by the callers, once per outage, not by the client per attempt
                })
                .build();
    }

    /**
     * The live connection, connecting first if there is none.
     *
     * @throws IOException if the server cannot be reached, saying what to do
     */
    Connection connection() throws IOException {
        if (connection == null || connection.getStatus() != Connection.Status.CONNECTED) {
            drop();
            try {
                connection = Nats.connect(options(target, name));
            } catch (IOException e) {
                throw new IOException("cannot reach NATS at " + target.serverUrl() + " (" + e.getMessage()
                        + "); start nats-server with JetStream (nats-server -js) or fix the address", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while connecting to NATS at " + target.serverUrl(), e);
            }
            jetStream = connection.jetStream();
        }
        return connection;
    }

    /**
     * The JetStream context of the live connection, without connecting: {@code null} when there is
     * none, so that a caller sending many messages during an outage does not try to connect for
     * each (only {@link #connection} connects).
     */
    JetStream jetStreamIfConnected() {
        return connection != null && connection.getStatus() == Connection.Status.CONNECTED ? jetStream : null;
    }

    /** Throws the connection away, with whatever it still holds; the next use connects anew. */
    void drop() {
        if (connection != null) {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connection = null;
            jetStream = null;
        }
    }

    @Override
    public void close() {
        drop();
    }
}
