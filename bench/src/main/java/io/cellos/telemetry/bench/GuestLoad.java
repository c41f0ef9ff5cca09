package io.cellos.telemetry.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load generator of an ingest run: a few threads that stand in for every guest, each writing
 * the streams of its share of the cells (round-robin) as fast as the receiver takes them.
 *
 * <p>Each thread selects for {@code OP_WRITE} over its connections and gives every writable one a
 * single {@code write(2)} of up to one block, so that no cell starves another. A thread records
 * its own CPU time when it finishes (a finished thread's CPU time cannot be read afterwards).
 *
 * <p>{@link #start} and {@link #await} are called once, from one thread. Owns the streams.
 */
final class GuestLoad implements AutoCloseable {
    private final List<GuestStream> streams;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong cpuNanos = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /**
     * @param streams the connected guests; closed by {@link #close}
     * @param threads how many threads share them
     */
    GuestLoad(List<GuestStream> streams, int threads) {
        this.streams = List.copyOf(streams);
        for (int t = 0; t < threads; t++) {
            List<GuestStream> mine = new ArrayList<>();
            for (int i = t; i < streams.size(); i += threads) {
                mine.add(streams.get(i));
            }
            this.threads.add(Thread.ofPlatform().name("ingest-guest-" + t).unstarted(() -> run(mine)));
        }
    }

    /** Starts writing. */
    void start() {
        threads.forEach(Thread::start);
    }

    /** Waits until every stream was written whole. */
    void await() throws InterruptedException, IOException {
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IOException("a guest failed: " + failure.get().getMessage(), failure.get());
        }
    }

    /** Bytes written by all guests so far. */
    long bytesSent() {
        return streams.stream().mapToLong(GuestStream::sent).sum();
    }

    /** CPU time of the threads that have finished. */
    long cpuNanos() {
        return cpuNanos.get();
    }

    private void run(List<GuestStream> mine) {
        try (Selector selector = Selector.open()) {
            for (GuestStream s : mine) {
                s.channel().register(selector, SelectionKey.OP_WRITE, s);
            }
            int unfinished = mine.size();
            while (unfinished > 0) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    if (((GuestStream) key.attachment()).writeSome()) {
                        key.cancel();
                        unfinished--;
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            cpuNanos.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
        }
    }

    @Override
    public void close() throws IOException {
        for (GuestStream s : streams) {
            s.close();
        }
    }
}
