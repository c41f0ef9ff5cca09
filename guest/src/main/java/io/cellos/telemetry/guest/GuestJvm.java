package io.cellos.telemetry.guest;

import java.util.List;

/**
 * The JVM flags both guest roles, init and the agent, run with to stay small: each lives in every
 * microVM, mostly waiting. The serial collector with a small young generation, thread stacks,
 * code cache and metaspace bounded, C1 alone with one compiler thread, the native heap given back
 * after the start-up's peak, and the JIT's counts scaled {@value #THRESHOLD_SCALING}-fold, so that
 * code run once or now and then stays interpreted and takes no code cache or compiler memory. Each
 * role adds its own (its heap's bound; the agent compiles its event path at the default counts).
 * Measured in BENCHMARKS.md ("Guest agent", and for init "Init's resident memory").
 */
public final class GuestJvm {
    /** How many times later than by default C1 compiles a method (a role may compile some sooner). */
    public static final int THRESHOLD_SCALING = 100;
    /**
     * The JVM's own messages (unified logging's warnings and errors: an AOT cache it cannot map, a
     * flag it ignores) on standard error, not on standard output, where a JVM writes them by
     * default: the agent's first line there is its readiness ({@code StartingAgent}), and init's
     * standard output is the workload's.
     */
    public static final List<String> MESSAGES_TO_STDERR = List.of("-Xlog:disable", "-Xlog:all=warning:stderr");
    public static final List<String> SMALL = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmn1m", "-Xss512k",
            "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:ReservedCodeCacheSize=16m",
            "-XX:MaxMetaspaceSize=48m", "-XX:TrimNativeHeapInterval=60000",
            "-XX:CompileThresholdScaling=" + THRESHOLD_SCALING);

    private GuestJvm() {
    }
}
