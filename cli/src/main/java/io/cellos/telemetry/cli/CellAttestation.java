package io.cellos.telemetry.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sink.nats.NatsTarget;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cell run --attest FILE [--invocation URI]}: this run's events, read back from the event
 * log once the cell has ended, as a signed in-toto runtime trace ({@link Attestations}); its
 * subjects are the declared files touched, hashed as they are at the end.
 *
 * @param file       where the envelope goes
 * @param invocation the monitored run's id (a CI run's URI), or null
 * @param signer     the host's Ed25519 signer
 */
record CellAttestation(Path file, String invocation, EventSigner signer) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The options, or null when {@code --attest} is not given.
     *
     * @param out    the {@code --out} value, null for the cell's own event log
     * @param signer the signer the environment sets up, or null
     * @throws UsageException when the events will not be in a file or the key is not Ed25519
     */
    static CellAttestation parse(Args a, String out, EventSigner signer) throws UsageException {
        String file = a.value("attest");
        if (file == null) {
            if (a.value("invocation") != null) {
                throw a.usage("--invocation names the run in an attestation: give --attest FILE too");
            }
            return null;
        }
        if (out != null && NatsTarget.names(out)) {
            throw a.usage("--attest reads this run's events back from the event log: it needs --out FILE, not " + out);
        }
        return new CellAttestation(SummaryFiles.file(a, "attest"), a.value("invocation"), Attestations.signer(signer));
    }

    /** Writes the envelope of {@code stamp}'s run from {@code log}; says on {@code out} or {@code err} what came of it. */
    void write(Path log, CellStamp stamp, PrintStream out, PrintStream err) {
        try {
            List<JsonNode> events = new ArrayList<>();
            for (String line : Files.readAllLines(log)) {
                try {
                    JsonNode e = JSON.readTree(line);
                    if (e != null && stamp.runId().equals(e.path("data").path("run_id").asText())) {
                        events.add(e);
                    }
                } catch (JsonProcessingException notAnEvent) {
                    // a line of an earlier run the log was appended to: not this run's
                }
            }
            Attestations.Made made = Attestations.make(events, stamp.cellId(), List.of(), invocation, signer);
            Files.writeString(file, made.envelope() + "\n");
            out.println("attestation: " + file + " (in-toto runtime trace, signed; " + made.describe() + ")");
        } catch (IOException | IllegalArgumentException e) {
            err.println("cellos: no attestation written to " + file + ": " + e.getMessage());
        }
    }
}
