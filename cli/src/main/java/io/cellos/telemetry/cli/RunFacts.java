package io.cellos.telemetry.cli;

import java.time.Duration;
import java.time.Instant;

/**
 * What the summary says of a cell's run beside what its events told ({@link CellReport}).
 *
 * @param cellId    the cell's id in the events
 * @param runId     the run's id in the events
 * @param isolation the cell's isolation, in words
 * @param agent     the agent's readiness line (mechanism, channel, probes), or why it was not ready
 * @param eventLog  where the events went: a file, or a NATS target
 * @param started   when the cell started (the host's clock)
 * @param ended     when the workload's summary was made
 */
record RunFacts(String cellId, String runId, String isolation, String agent, String eventLog, Instant started,
                Instant ended) {
    Duration duration() {
        return Duration.between(started, ended);
    }
}
