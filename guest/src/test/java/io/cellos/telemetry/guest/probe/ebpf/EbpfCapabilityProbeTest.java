package io.cellos.telemetry.guest.probe.ebpf;

import io.cellos.telemetry.guest.init.WorkloadIsolation;
import io.cellos.telemetry.guest.linux.Capabilities;
import io.cellos.telemetry.guest.linux.SyscallTable;
import io.cellos.telemetry.guest.probe.Connects;
import io.cellos.telemetry.guest.probe.ProbeHarness;
import io.cellos.telemetry.guest.probe.RecordingOutput;
import io.cellos.telemetry.wire.ProbeEvent;
import io.cellos.telemetry.wire.ProbeSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The eBPF capability probe against real processes and the real kernel (root). */
class EbpfCapabilityProbeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final int CAP_CHOWN = 0;
    private static final int CAP_SYS_ADMIN = 21;

    /** {@code command} run with the workload's dropped capabilities (and {@code more}) gone from every set. */
    private static Process withoutCapabilities(List<String> more, String... command) throws Exception {
        List<String> drop = new ArrayList<>();
        for (int c : WorkloadIsolation.DROPPED) {
            drop.add("-" + Capabilities.name(c).substring(4).toLowerCase(java.util.Locale.ROOT));
        }
        more.forEach(c -> drop.add("-" + c));
        List<String> argv = new ArrayList<>(List.of("setpriv", "--inh-caps=-all", "--bounding-set=" + String.join(",", drop), "--"));
        argv.addAll(List.of(command));
        return new ProcessBuilder(argv).redirectErrorStream(true).start();
    }

    private static String output(Process p) throws Exception {
        String s = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return s;
    }

    @Test
    void aRefusedSethostnameIsDeclaredWithCapSysAdminItsCallAndTheProcess() throws Exception {
        try (ProbeHarness h = ProbeHarness.start(new EbpfCapabilityProbe())) {
            // the name it already has: harmless should the refusal not happen
            Process p = withoutCapabilities(List.of(), "python3", "-c",
                    "import socket\ntry:\n socket.sethostname(socket.gethostname())\nexcept PermissionError:\n print('refused')");
            assertEquals("refused", output(p).strip());
            List<ProbeEvent> all = h.await(ev -> ev.source() == ProbeSource.CAPABILITY_DENIED && ev.guestPid() == p.pid(), 1,
                    PATIENCE);
            assertEquals(1, all.size(), "the refusal's check, none before it: " + all);
            ProbeEvent e = all.getFirst();
            assertEquals(CAP_SYS_ADMIN, e.extensions().capability());
            assertEquals(SyscallTable.number("sethostname"), e.extensions().syscall(), "syscall: sethostname");
            assertEquals("python3", e.guestComm());
        }
    }

    /**
     * Sockets made by io_uring's {@code IORING_OP_SOCKET}: no {@code socket(2)}, so no arguments to
     * read; the creator the kernel stack shows gives the family.
     */
    @Test
    void rawSocketsMadeThroughIoUringAreDeclaredWithWhatTheirCreatorImplies() throws Exception {
        try (ProbeHarness h = ProbeHarness.start(new EbpfCapabilityProbe())) {
            for (String[] socket : new String[][] {{"2", "3", "6", "inet raw"}, {"17", "3", "768", "packet"}}) {
                Process p = new ProcessBuilder(Connects.PYTHON, Connects.IO_URING.toString(), "socket", socket[0], socket[1],
                        socket[2]).redirectErrorStream(true).start();
                String result = output(p).strip();
                assertTrue(Integer.parseInt(result) >= 0, "IORING_OP_SOCKET made a socket: " + result);
                ProbeEvent e = h.await(ev -> ev.source() == ProbeSource.NET_RAW_SOCKET_OPENED && ev.guestPid() == p.pid(),
                        1, PATIENCE).getFirst();
                assertEquals(socket[3], e.extensions().socket(), e.toString());
            }
        }
    }

    @Test
    void aRefusedChownIsDeclaredWithCapChown() throws Exception {
        Path file = Files.createTempFile("ecap-chown", ".txt");
        try (ProbeHarness h = ProbeHarness.start(new EbpfCapabilityProbe())) {
            Process p = withoutCapabilities(List.of("chown"), "python3", "-c",
                    "import os, sys\ntry:\n os.chown(sys.argv[1], 4242, 4242)\nexcept PermissionError:\n print('refused')",
                    file.toString());
            assertEquals("refused", output(p).strip());
            ProbeEvent e = h.await(ev -> ev.source() == ProbeSource.CAPABILITY_DENIED && ev.guestPid() == p.pid()
                    && ev.extensions().capability() == CAP_CHOWN, 1, PATIENCE).getFirst();
            assertTrue(Set.of(92, 94, 260).contains(e.extensions().syscall()), "chown, lchown or fchownat: " + e);
            assertEquals("python3", e.guestComm());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void ordinaryWorkloadsWithoutTheirCapabilitiesAreNotDeclared() throws Exception {
        EbpfCapabilityProbe probe = new EbpfCapabilityProbe();
        try (ProbeHarness h = ProbeHarness.start(probe)) {
            long silentBefore = probe.silent();
            List<Long> pids = new ArrayList<>();
            for (String[] cmd : List.of(new String[]{"/bin/sh", "-c", "echo hi; ls / > /dev/null"},
                    new String[]{"python3", "-c", "import json, subprocess; json.dumps({'a': [1, 2]})"},
                    new String[]{"find", "/usr/share/doc", "-maxdepth", "2", "-name", "*.gz"})) {
                Process p = withoutCapabilities(List.of(), cmd);
                output(p);
                assertEquals(0, p.exitValue(), String.join(" ", cmd));
                pids.add(p.pid());
            }
            // a refusal afterwards marks the point by which their checks were read
            Process marker = withoutCapabilities(List.of(), "python3", "-c",
                    "import socket\ntry:\n socket.sethostname(socket.gethostname())\nexcept PermissionError:\n pass");
            output(marker);
            h.await(ev -> ev.guestPid() == marker.pid(), 1, PATIENCE);
            assertEquals(List.of(), h.events().stream().filter(ev -> pids.contains(ev.guestPid())).toList(),
                    "no declaration for ordinary work");
            assertTrue(probe.silent() > silentBefore, "their silent checks were counted: " + probe.silent());
        }
    }

    @Test
    void aFullRingIsCountedInTheKernelSoThatDeclaredPlusLostIsEverythingSeen() throws Exception {
        int refusals = 500;
        EbpfCapabilityProbe probe = new EbpfCapabilityProbe(4096);
        try (probe) {
            probe.arm();
            // not read while it runs: a page holds 73 records
            Process p = withoutCapabilities(List.of(), "python3", "-c",
                    "import socket\nn = socket.gethostname()\nfor i in range(" + refusals + "):\n try:\n  socket.sethostname(n)\n except PermissionError:\n  pass");
            output(p);
            assertEquals(0, p.exitValue());
            RecordingOutput out = new RecordingOutput();
            probe.finish(out, System.nanoTime() + PATIENCE.toNanos());
            long seen = probe.seen();
            assertTrue(out.lost > 0, "the ring overflowed: " + out.events.size() + " declared of " + seen);
            assertEquals(seen, out.events.size() + out.lost, "declared + lost == seen, exactly");
            assertTrue(seen >= refusals, "at least our " + refusals + " refusals were seen: " + seen);
            long ours = out.events.stream().filter(e -> e.guestPid() == p.pid()).count();
            assertTrue(ours > 0 && ours <= refusals, "ours read, none twice: " + ours);
        }
    }

    @Test
    void everyProgramItLoadedIsGoneAfterClose() throws Exception {
        LoadedPrograms.assertCloseUnloadsWhatArmLoaded(new EbpfCapabilityProbe(), 1, 0, PATIENCE);
    }
}
