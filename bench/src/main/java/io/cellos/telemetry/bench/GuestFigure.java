package io.cellos.telemetry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The guest's footprint, on images made by {@code cellos package guest} in this run (with and
 * without the AOT cache) and on the plain JDK, each in a local cell ({@link CellRun}): the image's
 * size; from init's start to the workload's first instruction; and init + agent resident memory,
 * idle and at the peak of a storm of short-lived processes in the cell.
 *
 * <p>Start: the workload prints its own start time, in the kernel's clock ticks ({@code starttime}
 * of {@code /proc/PID/stat}, 10 ms each), and init's is read from the host meanwhile; the figure is
 * their difference. Memory: {@code VmRSS} of init and the agent summed, once while the
 * workload sleeps, then every 20 ms during the storm, of which the greatest; and, while the
 * workload sleeps, their {@code Pss} summed, which counts the pages they share (the JVM's
 * libraries, the runtime's modules, the AOT cache) once: what the two cost a VM together.
 */
final class GuestFigure extends Figure {
    private static final String IDLE = "cellos-bench-idle";
    private static final String STORM = "cellos-bench-storm";
    private static final String DONE = "cellos-bench-done";
    private static final double MS_PER_TICK = 1000.0 / ProcSample.TICKS_PER_SECOND;

    GuestFigure() {
        super("guest", "guest image size, init start → workload, init + agent memory idle and in a storm", true);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        Path cached = ctx.work().resolve("image");
        Path plain = ctx.work().resolve("image-no-aot");
        build(ctx, cached, List.of());
        build(ctx, plain, List.of("--no-aot-cache"));
        Map<String, Path> variants = new LinkedHashMap<>();
        variants.put("image + AOT cache", cached);
        variants.put("image, no AOT cache", plain);
        variants.put("plain JDK", null);

        Map<String, List<Double>> start = new LinkedHashMap<>();
        variants.keySet().forEach(v -> start.put(v, new ArrayList<>()));
        int cell = 0;
        for (int r = 0; r < ctx.pick(7, 2); r++) {
            for (Map.Entry<String, Path> v : variants.entrySet()) {
                start.get(v.getKey()).add(startMs(ctx, v.getValue(), ctx.work().resolve("cell-" + cell++)));
            }
        }

        int storm = ctx.pick(20_000, 2_000);
        Map<String, List<Double>> idle = new LinkedHashMap<>();
        Map<String, List<Double>> peak = new LinkedHashMap<>();
        Map<String, List<Double>> idlePss = new LinkedHashMap<>();
        for (String v : List.of("image + AOT cache", "plain JDK")) {
            idle.put(v, new ArrayList<>());
            peak.put(v, new ArrayList<>());
            idlePss.put(v, new ArrayList<>());
        }
        for (int r = 0; r < ctx.pick(3, 1); r++) {
            for (String v : idle.keySet()) {
                double[] m = memoryMiB(ctx, variants.get(v), ctx.work().resolve("cell-" + cell++), storm);
                idle.get(v).add(m[0]);
                peak.get(v).add(m[1]);
                idlePss.get(v).add(m[2]);
            }
        }

        String cmd = "./cellos bench --only guest";
        List<Row> rows = new ArrayList<>();
        rows.add(Row.of("guest image size (image + AOT cache)", "MiB", Goal.atMost(64, "< 64 MiB"),
                Spread.of(sizeMiB(cached)), List.of(Baseline.measured("no AOT cache", Spread.of(sizeMiB(plain)))),
                "./cellos package guest --out DIR", ""));
        rows.add(Row.of("init start → workload's first instruction (image + AOT cache)", "ms",
                Goal.atMost(150, "≤ 150 ms"), Spread.of(start.get("image + AOT cache")),
                List.of(Baseline.measured("image, no AOT cache", Spread.of(start.get("image, no AOT cache"))),
                        Baseline.measured("plain JDK", Spread.of(start.get("plain JDK")))), cmd,
                "In the local cell, from PID 1's start to the workload's, by the kernel's starttime (10 ms ticks);"
                        + " the agent starts beside init and is ready in between."));
        rows.add(Row.of("init + agent resident, idle (image + AOT cache)", "MiB", Goal.atMost(32, "≤ 32 MiB"),
                Spread.of(idle.get("image + AOT cache")),
                List.of(Baseline.measured("plain JDK", Spread.of(idle.get("plain JDK")))), cmd, ""));
        rows.add(Row.of(String.format(Locale.ROOT, "init + agent resident, peak in a storm of %,d (image + AOT cache)",
                        storm), "MiB", Goal.atMost(32, "≤ 32 MiB"), Spread.of(peak.get("image + AOT cache")),
                List.of(Baseline.measured("plain JDK", Spread.of(peak.get("plain JDK")))), cmd,
                "VmRSS of init and the agent summed; idle while the workload sleeps, peak the greatest of the sums"
                        + " read every 20 ms while the workload forks its storm."));
        rows.add(Row.of("init + agent proportional set (Pss), idle (image + AOT cache)", "MiB", Goal.atMost(32, "≤ 32 MiB"),
                Spread.of(idlePss.get("image + AOT cache")),
                List.of(Baseline.measured("plain JDK", Spread.of(idlePss.get("plain JDK")))), cmd,
                "Pss of init and the agent summed (/proc/PID/smaps_rollup), read with the idle VmRSS: the pages"
                        + " both map (the JVM's libraries, the runtime's modules, the AOT cache) counted once, as a VM"
                        + " pays for them."));
        return rows;
    }

    /** Runs {@code cellos package guest --out dir} with {@code options}. */
    private static void build(BenchContext ctx, Path dir, List<String> options) throws Exception {
        List<String> args = new ArrayList<>(List.of("package", "guest", "--out", dir.toString()));
        args.addAll(options);
        ctx.log().println("-- " + String.join(" ", args));
        Process p = new ProcessBuilder(ctx.cellos(args)).redirectErrorStream(true).start();
        p.getInputStream().transferTo(ctx.log());
        if (p.waitFor() != 0) {
            throw new IOException("cellos " + String.join(" ", args) + " failed with status " + p.exitValue()
                    + " (its output is in the log)");
        }
    }

    private static double sizeMiB(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            long bytes = 0;
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                bytes += Files.size(p);
            }
            return bytes / 1024.0 / 1024.0;
        }
    }

    /**
     * One cell whose workload prints its own start time and stays a moment, while init's start time
     * is read from the host (the gate keeps init's {@code /proc} entry from the workload); the
     * difference in ms.
     */
    private static double startMs(BenchContext ctx, Path image, Path dir) throws Exception {
        long[] ticks = {-1, -1}; // init, workload
        int status = CellRun.run(ctx, image, dir, List.of("sh", "-c",
                "sed 's/.*) //' /proc/$$/stat | cut -d' ' -f20; sleep 0.5"), line -> {
                    if (ticks[1] < 0 && line.matches("[0-9]+")) {
                        ticks[1] = Long.parseLong(line);
                        long init = CellRun.guestPids(dir)[0];
                        if (init > 0) {
                            ticks[0] = ProcSample.startTicks(init);
                        }
                    }
                });
        if (status != 0 || ticks[0] < 0 || ticks[1] < 0) {
            throw new IOException("the start-time cell exited " + status + (ticks[1] < 0
                    ? " without printing its workload's start time" : ticks[0] < 0 ? " before init was found" : ""));
        }
        return (ticks[1] - ticks[0]) * MS_PER_TICK;
    }

    /**
     * One cell that sleeps, then forks a storm of {@code storm}; init + agent {@code VmRSS} idle and at
     * the peak, and their {@code Pss} idle, MiB.
     */
    private static double[] memoryMiB(BenchContext ctx, Path image, Path dir, int storm) throws Exception {
        List<String> workload = new ArrayList<>(List.of("sh", "-c", "echo " + IDLE + "; sleep " + ctx.pick(6, 3)
                + "; echo " + STORM + "; \"$@\"; echo " + DONE + "; sleep 1", "sh"));
        workload.addAll(new SpawnPlan(storm, false, 2, 2, 0, false).command());
        long idleWaitMillis = ctx.pick(5_000, 2_000);
        double[] mib = {Double.NaN, Double.NaN, Double.NaN};
        AtomicBoolean sampling = new AtomicBoolean();
        AtomicLong peakKiB = new AtomicLong();
        long[][] pids = new long[1][];
        Thread[] sampler = new Thread[1];
        AtomicReference<Exception> samplerFailure = new AtomicReference<>();
        int status = CellRun.run(ctx, image, dir, workload, line -> {
            switch (line) {
                case IDLE -> {
                    Thread.sleep(idleWaitMillis);
                    pids[0] = CellRun.guestPids(dir);
                    if (pids[0][0] < 0 || pids[0][1] < 0) {
                        throw new IOException("init or the agent of " + dir + " not found in /proc");
                    }
                    mib[0] = rssKiB(pids[0]) / 1024.0;
                    mib[2] = (ProcSample.pssKiB(pids[0][0]) + ProcSample.pssKiB(pids[0][1])) / 1024.0;
                }
                case STORM -> {
                    sampling.set(true);
                    sampler[0] = Thread.ofPlatform().name("rss-sampler").start(() -> {
                        while (sampling.get()) {
                            try {
                                peakKiB.accumulateAndGet(rssKiB(pids[0]), Math::max);
                                Thread.sleep(20);
                            } catch (IOException | InterruptedException e) {
                                samplerFailure.set(e); // said at DONE: a peak read partly is no peak
                                return;
                            }
                        }
                    });
                }
                case DONE -> {
                    sampling.set(false);
                    sampler[0].join();
                    if (samplerFailure.get() != null) {
                        throw new IOException("the storm's memory could not be read throughout: "
                                + samplerFailure.get(), samplerFailure.get());
                    }
                    mib[1] = peakKiB.get() / 1024.0;
                }
                default -> {
                }
            }
        });
        if (status != 0 || Double.isNaN(mib[0]) || Double.isNaN(mib[1]) || Double.isNaN(mib[2])) {
            throw new IOException("the memory cell exited " + status + " before its readings were made");
        }
        return mib;
    }

    private static long rssKiB(long[] pids) throws IOException {
        long sum = 0;
        for (long pid : pids) {
            sum += ProcSample.vmRssKiB(pid);
        }
        return sum;
    }
}
