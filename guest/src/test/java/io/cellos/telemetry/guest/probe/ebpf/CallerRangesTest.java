package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.linux.Kallsyms;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CallerRanges}: what its thread read is what a read on the caller's thread finds (root: real addresses). */
class CallerRangesTest {
    @Test
    void readsInTheBackgroundWhatTheCapabilityProgramNeeds() throws Exception {
        CallerRanges r = CallerRanges.startReading();
        List<Kallsyms.Range> here = Kallsyms.functions(Stream.concat(CapabilityPrograms.SILENT_CALLERS.stream(),
                CapabilityPrograms.SOCKET_CREATORS.stream()).toList());
        List<Kallsyms.Range> there = r.get();
        assertEquals(here, there);
        assertTrue(there.stream().anyMatch(x -> x.name().equals("inet_create")), there.toString());
        assertSame(there, r.get(), "read once; asked again, the same answer");
    }
}
