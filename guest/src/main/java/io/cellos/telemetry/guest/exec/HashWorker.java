package io.cellos.telemetry.guest.exec;

import io.cellos.telemetry.guest.linux.EventFd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The one thread that reads and hashes files, off the loop: it takes {@link HashJob}s from a
 * bounded queue, hashes each, closes its descriptor, puts it on the done queue and signals
 * {@code done}'s eventfd.
 *
 * <p>{@link #submit}, {@link #poll} and {@link #stop} are for the loop thread; the worker thread
 * is internal. Both queues hold at most {@code capacity} jobs; the caller keeps the jobs in
 * flight (submitted, not yet polled) within it, so {@link #submit} never waits and the worker
 * never waits to hand a job back.
 */
final class HashWorker {
    private final BlockingQueue<HashJob> jobs;
    private final BlockingQueue<HashJob> done;
    private final EventFd doneSignal;
    private final long maxFileBytes;
    private final Thread thread;

    HashWorker(int capacity, long maxFileBytes, EventFd doneSignal) {
        this.jobs = new ArrayBlockingQueue<>(capacity);
        this.done = new ArrayBlockingQueue<>(capacity);
        this.doneSignal = doneSignal;
        this.maxFileBytes = maxFileBytes;
        this.thread = Thread.ofPlatform().name("cellos-exec-hasher").daemon().unstarted(this::run);
        thread.start();
    }

    /** Hands {@code job} to the worker, with its descriptor; false (the job still the caller's) if the queue is full. */
    boolean submit(HashJob job) {
        return jobs.offer(job);
    }

    /** A job the worker has finished, its descriptor closed; null if none. */
    HashJob poll() {
        return done.poll();
    }

    /**
     * Stops the worker: interrupts it, waits for it up to {@code millis}, and closes the
     * descriptors of the jobs it had not taken. A worker still in a read when the wait ends closes
     * its file itself when the read returns, then ends.
     *
     * @return whether the worker thread has ended
     */
    boolean stop(long millis) {
        thread.interrupt();
        boolean interrupted = false;
        try {
            thread.join(millis);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        List<HashJob> untaken = new ArrayList<>();
        jobs.drainTo(untaken);
        for (HashJob job : untaken) {
            job.closeFile();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /** The worker thread, for tests that check it ended. */
    Thread thread() {
        return thread;
    }

    private void run() {
        try (FileDigest digest = new FileDigest(maxFileBytes)) {
            while (true) {
                HashJob job = jobs.take();
                try {
                    digest.hash(job);
                } catch (RuntimeException e) {
                    // a fault in the hashing must not leave the requests waiting for an answer that never comes
                    job.refused(HashOutcome.FAILED, "hashing " + job.name() + " failed: " + e);
                } finally {
                    job.closeFile();
                }
                done.add(job);
                doneSignal.signal();
            }
        } catch (InterruptedException e) {
            // stop() asked it to end; the job it was hashing has been closed
        }
    }
}
