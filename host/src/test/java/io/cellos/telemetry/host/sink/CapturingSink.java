package io.cellos.telemetry.host.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.host.event.CellEvent;
import io.cloudevents.jackson.JsonFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A sink that keeps every event as the JSON tree a consumer would parse from the output line,
 * and lets a test wait until the events it expects are there.
 */
public final class CapturingSink implements EventSink {
    private static final JsonFormat FORMAT = new JsonFormat();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<JsonNode> events = new ArrayList<>();
    private int flushes;

    @Override
    public void emit(CellEvent event) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(FORMAT.serialize(event.cloudEvent()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            events.add(tree);
            notifyAll();
        }
    }

    @Override
    public synchronized void flush() {
        flushes++;
    }

    @Override
    public long lost() {
        return 0;
    }

    @Override
    public void close() {
    }

    public synchronized List<JsonNode> events() {
        return List.copyOf(events);
    }

    public synchronized List<JsonNode> ofType(String typeSuffix) {
        return events.stream().filter(e -> e.get("type").asText().endsWith(typeSuffix)).toList();
    }

    /**
     * Waits until {@code count} events match, or fails after {@code patience} with what was seen.
     * Waiting is not a timing assertion: the patience is far beyond what the work needs.
     */
    public synchronized List<JsonNode> await(Predicate<JsonNode> match, int count, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            List<JsonNode> m = events.stream().filter(match).toList();
            if (m.size() >= count) {
                return m;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("waited " + patience + " for " + count + " events, have " + m.size()
                        + "; all events: " + new ArrayList<>(events).subList(0, Math.min(events.size(), 20)));
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    public static Predicate<JsonNode> type(String suffix) {
        return e -> e.get("type").asText().endsWith(suffix);
    }
}
