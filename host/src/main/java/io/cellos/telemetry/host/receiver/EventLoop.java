package io.cellos.telemetry.host.receiver;

import io.cellos.telemetry.host.Clock;
import io.cellos.telemetry.host.event.CellEvent;
import io.cellos.telemetry.host.sink.EventSink;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * One I/O thread of a {@link Receiver}: a selector over the listeners and connections of the
 * cells assigned to it, plus their timers.
 *
 * <p>Each pass reads what is ready, fires the timers due by the {@link Clock}, runs the tasks
 * submitted from other threads and flushes the sink if anything was emitted. Before each task it
 * fires what has fallen due again, so that a task sees the cells as they are at the clock's time:
 * a caller that moved a test clock on and then asks for a cell's stats sees the keep-alive's
 * verdict, without waiting for the loop to wake by itself.
 *
 * <p>Threading: everything but {@link #submit}, {@link #call} and {@link #shutdown} runs on this
 * loop's own thread, which confines every {@link Cell} it serves.
 */
final class EventLoop implements Runnable {
    private final Selector selector;
    private final EventSink sink;
    private final PrintStream warnings;
    private final Clock clock;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Cell> cells = new ArrayList<>();
    private final List<Watch> watches = new ArrayList<>();
    /** The counts of this loop's cells that were closed, and of every event it emitted. */
    private final Tally retired = new Tally();
    private final Thread thread;
    private volatile boolean running = true;
    private long wakeAt = Long.MAX_VALUE;
    private boolean emitted;

    EventLoop(String name, EventSink sink, PrintStream warnings, Clock clock) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.sink = sink;
        this.warnings = warnings;
        this.clock = clock;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this);
    }

    void start() {
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    /** The clock the loop's cells read and time themselves by. */
    Clock clock() {
        return clock;
    }

    /** Runs {@code task} on the loop thread, soon. */
    void submit(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    /** Runs {@code task} on the loop thread and waits for its result. */
    <T> T call(Supplier<T> task) {
        return submitCall(task).join();
    }

    private <T> CompletableFuture<T> submitCall(Supplier<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        submit(() -> {
            try {
                f.complete(task.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * {@link #call(Supplier)}, waiting at most {@code patience}; once the loop's thread has ended,
     * runs {@code task} on the calling thread, which then sees all the loop left behind.
     *
     * @throws TimeoutException if the loop is alive but did not run the task in time
     */
    <T> T call(Supplier<T> task, Duration patience) throws TimeoutException, InterruptedException {
        if (!thread.isAlive()) {
            return task.get();
        }
        CompletableFuture<T> f = submitCall(task);
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                // in slices: a task submitted as the loop ended is never run by it
                return f.get(Math.min(50_000_000L, Math.max(0, deadline - System.nanoTime())), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (TimeoutException e) {
                if (!thread.isAlive()) {
                    return task.get();
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new TimeoutException(thread.getName() + " did not answer within " + patience);
                }
            }
        }
    }

    void add(Cell cell) {
        try {
            cell.server().register(selector, SelectionKey.OP_ACCEPT, cell);
        } catch (IOException e) {
            throw new UncheckedIOException("registering the listener of cell " + cell.stamp().cellId(), e);
        }
        cells.add(cell);
        wakeAt = clock.nanoTime();
    }

    void remove(Cell cell) {
        cells.remove(cell);
        cell.close();
        cell.addTo(retired);
        flushIfEmitted();
    }

    void emit(CellEvent event) {
        retired.events++;
        sink.emit(event);
        emitted = true;
    }

    void warn(String message) {
        warnings.println("cellos: " + message);
    }

    /** Asks for a timer pass no later than {@code nanos} ({@link Clock#nanoTime()} terms). */
    void wakeAt(long nanos) {
        if (nanos - wakeAt < 0) {
            wakeAt = nanos;
        }
    }

    @Override
    public void run() {
        while (running) {
            if (!select()) {
                continue;
            }
            readSelected();
            fireTimers();
            runTasks();
            checkWatches();
            flushIfEmitted();
        }
        for (Cell cell : cells) {
            cell.close();
            cell.addTo(retired);
        }
        cells.clear();
        flushIfEmitted();
        try {
            selector.close();
        } catch (IOException e) {
            warn("closing the selector: " + e.getMessage());
        }
    }

    /** Waits for input, a task, or the next timer by the clock; {@code false} if the select failed. */
    private boolean select() {
        try {
            if (wakeAt == Long.MAX_VALUE) {
                selector.select();
            } else {
                long millis = Math.ceilDiv(wakeAt - clock.nanoTime(), 1_000_000L);
                if (millis <= 0) {
                    selector.selectNow();
                } else {
                    selector.select(millis);
                }
            }
            return true;
        } catch (IOException e) {
            warn("select failed: " + e.getMessage());
            return false;
        }
    }

    private void readSelected() {
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
    }

    /** Fires what is due by the clock now, and sets when the loop must look again. */
    private void fireTimers() {
        long now = clock.nanoTime();
        if (now - wakeAt >= 0) {
            wakeAt = Long.MAX_VALUE;
            for (Cell cell : cells) {
                wakeAt(cell.onTimer(now));
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            fireTimers(); // a task sees the cells as they are at the clock's time
            task.run();
        }
    }

    /**
     * The loop's counts: of its closed cells and of those bound now, whose stats are added to
     * {@code bound}. On the loop's thread, or after it ended.
     */
    Tally tally(List<ReceiverCounts.BoundCell> bound) {
        Tally t = new Tally();
        t.add(retired);
        for (Cell cell : cells) {
            cell.addTo(t);
            bound.add(new ReceiverCounts.BoundCell(cell.stamp(), cell.stats()));
        }
        return t;
    }

    /** Someone waiting for a cell's stats to meet a condition ({@link CellHandle#awaitStats}). */
    private record Watch(Cell cell, Predicate<CellStats> condition, CompletableFuture<CellStats> result) {
    }

    /**
     * Completes {@code result} with {@code cell}'s stats once they meet {@code condition}, looked at
     * now and after every pass of the loop; a result completed by its waiter (given up) is dropped.
     */
    void watch(Cell cell, Predicate<CellStats> condition, CompletableFuture<CellStats> result) {
        submit(() -> {
            watches.add(new Watch(cell, condition, result));
            checkWatches();
        });
    }

    private void checkWatches() {
        if (watches.isEmpty()) {
            return;
        }
        Iterator<Watch> it = watches.iterator();
        while (it.hasNext()) {
            Watch w = it.next();
            if (w.result().isDone()) {
                it.remove();
                continue;
            }
            CellStats stats = w.cell().stats();
            try {
                if (w.condition().test(stats)) {
                    w.result().complete(stats);
                    it.remove();
                }
            } catch (RuntimeException e) { // the waiter's fault: it is told, the loop goes on
                w.result().completeExceptionally(e);
                it.remove();
            }
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
