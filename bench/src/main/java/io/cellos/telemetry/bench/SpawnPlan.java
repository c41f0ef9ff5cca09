package io.cellos.telemetry.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A workload of short-lived processes for the guest-agent harnesses: the command of one
 * {@code perl} process that forks {@code generators} workers, which between them start
 * {@code count} children, each of which exits at once ({@code fork}) or execs {@code /bin/true}
 * ({@code exec}: a spawn, an exec and an exit per child).
 *
 * <p>Each worker keeps at most {@code inFlight} children alive at a time (it reaps the finished
 * ones without waiting, and waits for one only when that many are alive), so that the children
 * of a worker overlap on a machine with more than one CPU; when {@code perSecond} is positive the
 * workers start their children on a fixed schedule summing to that rate (a worker that falls
 * behind starts the next child at once, it does not skip one). Every child's pid is printed on
 * standard output, one per line, as it is started, when {@code printPids} is set. The perl process
 * exits when every child has been reaped.
 *
 * @param count      children in all, at least 1
 * @param exec       whether each child execs {@code /bin/true} rather than exiting at once
 * @param generators worker processes, at least 1; {@code count} is shared out among them
 * @param inFlight   children a worker may have alive at once, at least 1
 * @param perSecond  the total start rate, or 0 for as fast as the workers go
 * @param printPids  print each child's pid
 */
record SpawnPlan(int count, boolean exec, int generators, int inFlight, double perSecond, boolean printPids) {
    /*
     * @ARGV: count, exec (0/1), generators, inFlight, perSecond, printPids (0/1). Worker g of G
     * starts children g, g+G, g+2G, ...; child i is due at t0 + i / perSecond.
     */
    private static final String SCRIPT = """
            use strict; use POSIX (); use Time::HiRes ();
            my ($n, $exec, $g, $w, $rate, $print) = @ARGV; $| = 1;
            my $t0 = Time::HiRes::time();
            for my $k (0 .. $g - 1) {
                my $worker = fork(); die "fork: $!" unless defined $worker;
                next if $worker;
                my $live = 0;
                for (my $i = $k; $i < $n; $i += $g) {
                    if ($rate > 0) { my $d = $t0 + $i / $rate - Time::HiRes::time(); Time::HiRes::sleep($d) if $d > 0; }
                    $live-- while $live > 0 && waitpid(-1, POSIX::WNOHANG()) > 0;
                    if ($live >= $w) { wait(); $live--; }
                    my $p = fork(); die "fork: $!" unless defined $p;
                    if ($p == 0) { if ($exec) { exec("/bin/true"); } POSIX::_exit($exec ? 127 : 0); }
                    $live++;
                    print "$p\\n" if $print;
                }
                1 while wait() > 0;
                POSIX::_exit(0);
            }
            1 while wait() > 0;
            """;

    SpawnPlan {
        if (count < 1 || generators < 1 || inFlight < 1 || perSecond < 0) {
            throw new IllegalArgumentException("a spawn plan needs count, generators and inFlight >= 1 and"
                    + " perSecond >= 0, got " + count + ", " + generators + ", " + inFlight + ", " + perSecond);
        }
    }

    /** {@code fork} or {@code exec}. */
    String mode() {
        return exec ? "exec" : "fork";
    }

    /** The command that runs the plan. */
    List<String> command() {
        List<String> cmd = new ArrayList<>(List.of("perl", "-e", SCRIPT));
        cmd.addAll(List.of(Integer.toString(count), exec ? "1" : "0", Integer.toString(generators),
                Integer.toString(inFlight), String.format(Locale.ROOT, "%.3f", perSecond), printPids ? "1" : "0"));
        return cmd;
    }

    /** Events the agent declares for each child: spawned and exited, and exec in {@code exec} mode. */
    int eventsPerChild() {
        return exec ? 3 : 2;
    }

    /**
     * Process events the agent declares when a shell in its scope runs the plan: the children's;
     * the shell's child that execs perl (spawned, exec, exited); each worker (spawned, exited).
     */
    int eventsInScope() {
        return count * eventsPerChild() + 3 + 2 * generators;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d children (%s), %d generator(s), %d in flight each, %s", count, mode(),
                generators, inFlight, perSecond > 0 ? String.format(Locale.ROOT, "paced at %.0f/s", perSecond)
                        : "unpaced");
    }
}
