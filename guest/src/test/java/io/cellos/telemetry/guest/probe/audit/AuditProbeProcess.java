package io.cellos.telemetry.guest.probe.audit;

import io.cellos.telemetry.guest.probe.ProbeHarness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Another agent's audit probe, in a JVM of its own (agents on one machine are separate processes,
 * and the rules name their owner by pid): arms, prints {@code armed daemon} or
 * {@code armed multicast}, reads on until a line {@code close} or the end of its input, then closes
 * and prints {@code closed lost=N}.
 */
public final class AuditProbeProcess {
    private AuditProbeProcess() {
    }

    public static void main(String[] args) throws Exception {
        AuditProbe probe = new AuditProbe();
        ProbeHarness h = ProbeHarness.start(probe);
        System.out.println("armed " + (probe.isAuditDaemon() ? "daemon" : "multicast"));
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        do {
            line = in.readLine();
        } while (line != null && !line.equals("close"));
        h.close();
        System.out.println("closed lost=" + h.lost());
    }
}
