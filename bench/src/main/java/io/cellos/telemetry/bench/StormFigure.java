package io.cellos.telemetry.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Processes seen in a storm of short-lived processes (20,000; 2,000 quick): the agent's eBPF
 * probes against the reference agent's 100 ms {@code /proc} walk and Debian's {@code forkstat}, all
 * watching the same storm ({@link SpawnStorm}).
 */
final class StormFigure extends Figure {
    private static final String AGENT = "bpf";
    private static final String WALK = "walk";

    StormFigure() {
        super("storm", "processes seen in a storm of 20,000: agent (eBPF) vs a 100 ms /proc walk vs forkstat", true);
    }

    @Override
    List<Row> run(BenchContext ctx) throws Exception {
        int n = ctx.pick(20_000, 2_000);
        boolean forkstat = onPath("forkstat");
        List<String> observers = new ArrayList<>(List.of(AGENT, WALK));
        if (forkstat) {
            observers.add(SpawnStorm.FORKSTAT);
        }
        List<Double> agent = new ArrayList<>();
        List<Double> walk = new ArrayList<>();
        List<Double> fs = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        long lost = 0;
        for (int r = 0; r < ctx.pick(3, 1); r++) {
            SpawnStorm.Result res = SpawnStorm.run(new SpawnPlan(n, false, 2, 2, 0, true), observers, ctx.log());
            agent.add(res.percentSeen(AGENT));
            walk.add(res.percentSeen(WALK));
            if (forkstat) {
                fs.add(res.percentSeen(SpawnStorm.FORKSTAT));
            }
            rates.add(res.started() / res.seconds());
            lost += res.observers().get(AGENT).lost();
        }
        Spread rate = Spread.of(rates);
        String note = String.format(Locale.ROOT, "The storm forks %,d children (2 perl workers, 2 in flight each) at"
                        + " %s processes/s (min–max %s–%s); the agent's probes (`bpf`, on their own loop as in the agent)"
                        + " reported %d lost.%s", n, BenchTable.number(rate.median()), BenchTable.number(rate.min()),
                BenchTable.number(rate.max()), lost, forkstat ? "" : " forkstat is not installed, so its baseline"
                        + " was not measured: `apt-get install forkstat` and run again.");
        return List.of(Row.of(String.format(Locale.ROOT, "processes seen in a storm of %,d", n), "%",
                Goal.atLeast(100, "100 %"), Spread.of(agent),
                List.of(Baseline.measured("/proc walk, 100 ms", Spread.of(walk)), forkstat
                        ? Baseline.measured("forkstat", Spread.of(fs))
                        : Baseline.notMeasured("forkstat", "not installed")),
                BenchContext.harness("SpawnStorm " + n + " fork 2 2 bpf,walk,forkstat"), note));
    }

    /** Whether an executable {@code name} is on the {@code PATH}. */
    static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }
}
