package io.cellos.telemetry.host.sign;

import java.security.InvalidKeyException;

/**
 * One JCA engine ({@code Mac}, {@code Signature}) per thread, all made the same way: JCA engines
 * keep per-operation state and are not thread-safe, and building one per call would repeat the
 * provider lookup and key set-up on every event.
 *
 * <p>The first engine is built in the constructor, so that a key the JDK refuses is reported at
 * configuration time, not on the first event. With virtual threads each thread builds its own
 * engine, which costs the same as building one per call and stays correct.
 *
 * @param <T> the engine, already initialised with its key
 */
final class PerThreadEngine<T> {
    /** Builds and initialises one engine. */
    @FunctionalInterface
    interface Factory<T> {
        T create() throws InvalidKeyException;
    }

    private final ThreadLocal<T> engines;

    /** @throws InvalidKeyException if the JDK refuses the key the factory initialises with */
    PerThreadEngine(Factory<T> factory) throws InvalidKeyException {
        T first = factory.create();
        engines = ThreadLocal.withInitial(() -> {
            try {
                return factory.create();
            } catch (InvalidKeyException e) {
                throw new IllegalStateException("the JDK accepted this key once and refused it later", e);
            }
        });
        engines.set(first);
    }

    /** The calling thread's engine. */
    T get() {
        return engines.get();
    }

    /** Drops the calling thread's engine, after a failure that may have left it mid-operation. */
    void discard() {
        engines.remove();
    }
}
