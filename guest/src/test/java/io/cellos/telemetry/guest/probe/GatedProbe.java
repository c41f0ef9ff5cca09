package io.cellos.telemetry.guest.probe;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

/**
 * A probe whose loop a test can stall: while the gate is shut, the loop thread waits inside
 * {@link #onReadable} and the probe's kernel queue fills up, as it would behind a stalled agent.
 */
public final class GatedProbe implements Probe {
    private final Probe inner;
    private volatile CountDownLatch gate;

    public GatedProbe(Probe inner) {
        this.inner = inner;
    }

    /** From now on the loop stalls at its next wake-up. */
    public void shut() {
        gate = new CountDownLatch(1);
    }

    public void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public void arm() throws IOException {
        inner.arm();
    }

    @Override
    public int fd() {
        return inner.fd();
    }

    @Override
    public void onReadable(ProbeOutput out) throws IOException {
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stalled", e);
            }
        }
        inner.onReadable(out);
    }

    @Override
    public void close() {
        inner.close();
    }
}
