package io.cellos.telemetry.guest.linux;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The consumer's side of a {@code BPF_MAP_TYPE_RINGBUF} map, mapped into this process as the kernel
 * lays it out ({@code kernel/bpf/ringbuf.c}): one page holding the consumer position, which only the
 * consumer writes (read-write); then, read-only, one page holding the producer position and the
 * data area mapped twice in a row, so that a record that wraps past the end reads as one piece.
 *
 * <p>Each record starts on an 8-byte boundary with an 8-byte header whose first {@code u32} is the
 * length of the data that follows, with {@link #BUSY} set while the producer is still filling it and
 * {@link #DISCARDED} set when it gave it up. The producer publishes a record by clearing
 * {@code BUSY} with release semantics and advances the producer position with release too; the
 * consumer reads both with acquire, and hands space back by storing the consumer position with
 * release once it is done with every record before it. Records are consumed in order: a busy record
 * stops the read (the records after it wait for it), a discarded one is stepped over.
 *
 * <p>The map's fd polls readable while the producer is ahead of the consumer: the agent's loop
 * waits on it. Confined to one thread; owns its mappings (not the map's fd).
 */
public final class BpfRingBuffer implements AutoCloseable {
    /** Set in a record's length while it is being written. */
    public static final int BUSY = 1 << 31;
    /** Set in a record's length when the producer discarded it. */
    public static final int DISCARDED = 1 << 30;
    /** {@code BPF_RINGBUF_HDR_SZ}. */
    public static final int HEADER_BYTES = 8;
    private static final long PAGE = 4096;
    private static final VarHandle LONG = JAVA_LONG.varHandle();
    private static final VarHandle INT = JAVA_INT.varHandle();

    /** Receives each record: its data is {@code length} bytes at {@code offset} of {@code data}, valid during the call. */
    @FunctionalInterface
    public interface Records {
        void onRecord(MemorySegment data, long offset, int length);
    }

    private final MemorySegment consumer;
    private final MemorySegment producer;
    private final MemorySegment data;
    private final long mask;

    /**
     * Maps the ring buffer {@code map}, created with {@code max_entries} {@code bytes}.
     *
     * @throws ErrnoException naming the mapping that failed
     */
    public BpfRingBuffer(Fd map, long bytes) throws ErrnoException {
        if (bytes < PAGE || Long.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("a BPF ring buffer's size is a power of two of at least a page: " + bytes);
        }
        this.mask = bytes - 1;
        this.consumer = Libc.mmap(PAGE, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, map.get(), 0, map.what() + " consumer page");
        try {
            MemorySegment rest = Libc.mmap(PAGE + 2 * bytes, Libc.PROT_READ, Libc.MAP_SHARED, map.get(), PAGE,
                    map.what() + " producer page and data");
            this.producer = rest.asSlice(0, PAGE);
            this.data = rest.asSlice(PAGE);
        } catch (ErrnoException e) {
            Libc.munmap(consumer);
            throw e;
        }
    }

    /**
     * Hands {@code records} the published records in order, at most {@code max}, then gives their
     * space back to the producer; allocates nothing.
     *
     * @return how many were handed over (discarded records are not counted)
     */
    public int read(Records records, int max) {
        long cons = (long) LONG.getAcquire(consumer, 0L);
        long prod = (long) LONG.getAcquire(producer, 0L);
        int n = 0;
        while (cons < prod && n < max) {
            long at = cons & mask;
            int len = (int) INT.getAcquire(data, at);
            if ((len & BUSY) != 0) {
                break;
            }
            int length = len & ~DISCARDED;
            if ((len & DISCARDED) == 0) {
                records.onRecord(data, at + HEADER_BYTES, length);
                n++;
            }
            cons += (HEADER_BYTES + length + 7) & ~7L;
            LONG.setRelease(consumer, 0L, cons);
            if (cons == prod) {
                prod = (long) LONG.getAcquire(producer, 0L);
            }
        }
        return n;
    }

    /** Whether the producer is ahead of the consumer: records are published, or being written. */
    public boolean pending() {
        return (long) LONG.getAcquire(consumer, 0L) < (long) LONG.getAcquire(producer, 0L);
    }

    @Override
    public void close() {
        Libc.munmap(consumer);
        Libc.munmap(MemorySegment.ofAddress(producer.address()).reinterpret(PAGE + data.byteSize()));
    }
}
