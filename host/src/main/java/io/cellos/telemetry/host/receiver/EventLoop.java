package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.sink.EventSink;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * One I/O thread of a {@link Receiver}: a selector over the listeners and connections of the
 * cells assigned to it, plus their timers.
 *
 * <p>Threading: everything but {@link #submit}, {@link #call} and {@link #shutdown} runs on this
 * loop's own thread, which confines every {@link Cell} it serves.
 */
final class EventLoop implements Runnable {
    private final Selector selector;
    private final EventSink sink;
    private final PrintStream warnings;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Cell> cells = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private long wakeAt = Long.MAX_VALUE;
    private boolean emitted;

    EventLoop(String name, EventSink sink, PrintStream warnings) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.sink = sink;
        this.warnings = warnings;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
    }

    void start() {
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    /** Runs {@code task} on the loop thread, soon. */
    void submit(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Runs {@code task} on the loop thread and waits for its result. */
    <T> T call(Supplier<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        submit(() -> {
            try {
                f.complete(task.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f.join();
    }

    void add(Cell cell) {
        try {
            cell.server().register(selector, SelectionKey.OP_ACCEPT, cell);
        } catch (IOException e) {
            throw new UncheckedIOException("registering the listener of cell " + cell.stamp().cellId(), e);
        }
        cells.add(cell);
        wakeAt = System.nanoTime();
    }

    void remove(Cell cell) {
        cells.remove(cell);
        cell.close();
        flushIfEmitted();
    }

    void emit(CellEvent event) {
        sink.emit(event);
        emitted = true;
    }

    void warn(String message) {
        warnings.println("cellos: " + message);
    }

    /** Asks for a timer pass no later than {@code nanos} ({@link System#nanoTime()} terms). */
    void wakeAt(long nanos) {
        if (nanos - wakeAt < 0) {
            wakeAt = nanos;
        }
    }

    @Override
    public void run() {
        while (running) {
            try {
                if (wakeAt == Long.MAX_VALUE) {
                    selector.select();
                } else {
                    long millis = Math.ceilDiv(wakeAt - System.nanoTime(), 1_000_000L);
                    if (millis <= 0) {
                        selector.selectNow();
                    } else {
                        selector.select(millis);
                    }
                }
            } catch (IOException e) {
                warn("select failed: " + e.getMessage());
                continue;
            }
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                if (!key.isValid()) {
                    continue;
                }
                if (key.attachment() instanceof Cell cell) {
                    cell.onAcceptable();
                } else if (key.attachment() instanceof Connection c) {
                    c.onReadable();
                }
            }
            long now = System.nanoTime();
            if (now - wakeAt >= 0) {
                wakeAt = Long.MAX_VALUE;
                for (Cell cell : cells) {
                    wakeAt(cell.onTimer(now));
                }
            }
            flushIfEmitted();
        }
        for (Cell cell : cells) {
            cell.close();
        }
        cells.clear();
        flushIfEmitted();
        try {
            selector.close();
        } catch (IOException e) {
            warn("closing the selector: " + e.getMessage());
        }
    }

    private void flushIfEmitted() {
        if (emitted) {
            emitted = false;
            sink.flush();
        }
    }

    /** Stops the loop after it closes its cells, and waits for that. */
    void shutdown() {
        running = false;
        selector.wakeup();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
