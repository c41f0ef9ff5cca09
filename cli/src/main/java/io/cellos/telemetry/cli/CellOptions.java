package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.agent.FailureMode;
import io.cellos.telemetry.guest.agent.Observation;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.guest.image.GuestImage;
import io.cellos.telemetry.host.event.CellStamp;
import io.cellos.telemetry.host.event.EventFormat;
import io.cellos.telemetry.host.receiver.ReceiverOptions;
import io.cellos.telemetry.host.sign.EventSigner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A local cell's options, as {@code cell run} and {@code demo} take them, every one checked before
 * anything starts; the cell's directory is made last.
 *
 * @param watches     the declared paths, absolute and normalised ({@link PathArgs#absolute})
 * @param out         the {@code --out} value, or {@code null} for the event log in the directory
 * @param format      what the events' data holds ({@code --format})
 * @param keepalive   the receiver's keep-alive window
 * @param failureMode what an agent that cannot become ready means
 * @param observation how the agent observes processes, execs and connects
 * @param stamp       the cell's attribution
 * @param signer      the signer the environment sets up, or {@code null}
 * @param dir         the cell's directory
 * @param isolation   its PID namespace, and the capabilities the workload keeps
 * @param summaries   where the summary goes beside the terminal
 * @param attest      the signed runtime trace to write at the end, or null
 * @param image       the guest image init and the agent run from ({@code --guest-image}), or {@code null}
 *                    for this JVM and its class path
 */
record CellOptions(List<String> watches, String out, EventFormat format, Duration keepalive, FailureMode failureMode,
                   Observation observation, CellStamp stamp,
                   EventSigner signer, CellDirectory dir, CellIsolation isolation, SummaryFiles summaries,
                   CellAttestation attest, GuestImage image) {
    /**
     * @param prefix the name of a directory this command makes when {@code --dir} is not given
     * @throws UsageException naming the option, the value and the fix
     */
    static CellOptions parse(Args a, String prefix) throws UsageException, IOException {
        String now = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Duration keepalive = a.positiveDuration("keepalive", ReceiverOptions.DEFAULT_KEEPALIVE);
        try {
            FailureMode mode = a.value("on-agent-failure") == null ? FailureMode.FAIL_CELL
                    : FailureMode.parse(a.value("on-agent-failure"));
            Observation observation = Observation.parse(a);
            String cellId = a.value("cell-id") == null ? "local-" + now : a.value("cell-id");
            CellStamp stamp = new CellStamp(cellId, now + "-" + ProcessHandle.current().pid(), null);
            List<String> watches = PathArgs.absolute(a.values("watch"));
            LocalCell.check(watches);
            Sinks.check(a, a.value("out"));
            EventFormat format = FormatOption.parse(a);
            EventSigner signer = EnvironmentSigner.of(System.getenv());
            CellIsolation isolation = CellIsolation.parse(a);
            SummaryFiles summaries = SummaryFiles.parse(a, System.getenv());
            if (a.has("attest") && format != EventFormat.CLOUDEVENTS) {
                throw a.usage("--attest reads the receiver's own event data back from the event log: it cannot be"
                        + " combined with --format " + format.text());
            }
            CellAttestation attest = CellAttestation.parse(a, a.value("out"), signer);
            GuestImage image = guestImage(a);
            return new CellOptions(watches, a.value("out"), format, keepalive, mode, observation, stamp, signer, CellDirectory.of(a, prefix),
                    isolation, summaries, attest, image);
        } catch (IllegalArgumentException e) {
            throw a.usage(e.getMessage());
        }
    }

    /** {@code --guest-image DIR}: an image {@code cellos package guest} made, or {@code null} without the option. */
    private static GuestImage guestImage(Args a) throws UsageException {
        String dir = a.value("guest-image");
        if (dir == null) {
            return null;
        }
        GuestImage image = new GuestImage(PathArgs.absolute(dir), false);
        if (!Files.isDirectory(image.dir())) {
            throw a.usage("--guest-image " + dir + ": no such directory (make one with: cellos package guest --out " + dir + ")");
        }
        Optional<String> missing = image.missing();
        if (missing.isPresent()) {
            throw a.usage("--guest-image " + dir + ": not a guest image: " + missing.get()
                    + " (make one with: cellos package guest --out DIR)");
        }
        return image;
    }

    /**
     * These options for a training run of {@code cellos package guest}: the roles run from
     * {@code other}, and no summary file, step summary or attestation is written (the run is the
     * image builder's, not the user's).
     */
    CellOptions forTraining(GuestImage other) {
        return new CellOptions(watches, out, format, keepalive, failureMode, observation, stamp, signer, dir, isolation,
                SummaryFiles.NONE, null, other);
    }

    /** These options with one more declared path. */
    CellOptions withWatch(Path path) {
        List<String> more = new ArrayList<>(watches);
        more.add(PathArgs.absolute(path.toString()).toString());
        return new CellOptions(more, out, format, keepalive, failureMode, observation, stamp, signer, dir, isolation, summaries, attest,
                image);
    }

    /** Runs {@code workload} in a local cell with these options ({@link LocalCell#run}). */
    int run(List<String> workload, Io io) throws IOException, InterruptedException, UsageException {
        return new LocalCell(workload, watches, dir.path(), out, format, keepalive, failureMode, observation, stamp, isolation,
                summaries, attest, image)
                .run(io, signer);
    }
}
