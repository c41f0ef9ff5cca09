package io.cellos.telemetry.guest.probe.process;

import java.io.IOException;

/**
 * Run by {@link ProcessProbeTest} in a JVM of its own, in namespaces of its own: arms the connector
 * probe, then the best process probe, and prints what became of each.
 */
public final class ArmProcessProbes {
    private ArmProcessProbes() {
    }

    public static void main(String[] args) {
        try (ProcConnectorProbe connector = new ProcConnectorProbe()) {
            connector.arm();
            System.out.println("connector: armed");
        } catch (IOException e) {
            System.out.println("connector: " + e.getMessage());
        }
        try (ProcessProbe best = ProcessProbe.best()) {
            best.arm();
            System.out.println("best: " + best.description());
        } catch (IOException e) {
            System.out.println("best failed: " + e.getMessage());
        }
    }
}
