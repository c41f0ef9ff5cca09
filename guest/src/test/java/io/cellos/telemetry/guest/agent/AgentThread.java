package io.cellos.telemetry.guest.agent;

import java.util.concurrent.CompletableFuture;

/**
 * An agent built, connected and run on a platform thread of its own, as {@link AgentRun} runs it:
 * what it arms and allocates is confined to that thread.
 */
final class AgentThread {
    /** Builds the agent (and arms its probes) on the loop's thread. */
    @FunctionalInterface
    interface Build {
        Agent build() throws Exception;
    }

    final Agent agent;
    final Thread thread;
    private volatile Throwable failure;

    private AgentThread(Build build) throws Exception {
        CompletableFuture<Agent> started = new CompletableFuture<>();
        thread = Thread.ofPlatform().name("agent-loop").start(() -> {
            try {
                Agent a = build.build();
                a.connect(AgentRun.CONNECT_PATIENCE_NANOS);
                started.complete(a);
                try (a) {
                    a.run();
                }
            } catch (Throwable e) {
                started.completeExceptionally(e);
                failure = e;
            }
        });
        agent = started.get();
    }

    /** Starts the agent {@code build} makes; returns once it is connected and running. */
    static AgentThread start(Build build) throws Exception {
        return new AgentThread(build);
    }

    /** What ended the loop other than a stop, or null. */
    Throwable failure() {
        return failure;
    }
}
