package io.cellos.telemetry.guest.probe;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one fallback composite: the first mechanism that arms is the probe, in every call. */
class FallbackProbeTest {
    /** A mechanism that records what it is asked, and refuses to arm when given a reason. */
    private static final class Stub implements Probe {
        final String name;
        final String refusal;
        final List<String> calls = new ArrayList<>();

        Stub(String name, String refusal) {
            this.name = name;
            this.refusal = refusal;
        }

        @Override
        public String description() {
            return name;
        }

        @Override
        public void arm() throws IOException {
            calls.add("arm");
            if (refusal != null) {
                throw new IOException(refusal);
            }
        }

        @Override
        public int fd() {
            return 42;
        }

        @Override
        public void onReadable(ProbeOutput out) {
            calls.add("read");
        }

        @Override
        public void finish(ProbeOutput out, long deadlineNanos) {
            calls.add("finish " + deadlineNanos);
        }

        @Override
        public boolean processesBehind() {
            return true;
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    private static final class Composite extends FallbackProbe {
        Composite(Stub... stubs) {
            super("things", List.of(stubs).stream().map(s -> (Candidate) () -> s).toList());
        }
    }

    @Test
    void theFirstThatArmsIsTheProbeInEveryCallAndThePassedOverSayWhy() throws IOException {
        Stub refused = new Stub("fast things", "EPERM");
        Stub fallback = new Stub("slow things", null);
        Stub unused = new Stub("other things", null);
        FallbackProbe p = new Composite(refused, fallback, unused);
        assertEquals("things", p.description());
        p.arm();
        assertSame(fallback, p.armed());
        assertEquals(List.of("arm", "close"), refused.calls, "a refused mechanism holds nothing");
        assertEquals(List.of(), unused.calls);
        assertEquals("slow things; passed over: fast things: EPERM", p.description());
        assertEquals(42, p.fd());
        p.onReadable(null);
        p.finish(null, 7);
        assertTrue(p.processesBehind());
        p.close();
        assertEquals(List.of("arm", "read", "finish 7", "close"), fallback.calls);
    }

    @Test
    void whenNoneArmsTheFailureNamesEachRefusal() {
        FallbackProbe p = new Composite(new Stub("a", "ENOSYS"), new Stub("b", "EPERM"));
        IOException e = assertThrows(IOException.class, p::arm);
        assertEquals("no mechanism for things could be armed: a: ENOSYS; b: EPERM", e.getMessage());
        assertEquals("EPERM", e.getCause().getMessage());
        assertEquals("ENOSYS", e.getSuppressed()[0].getMessage());
    }
}
