package io.cellos.telemetry.guest.probe.dns;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests' DNS server and client ({@code dns_fixture.py}, which says its zone): loopback only,
 * nothing leaves the machine. Run from the guest module's directory, as Maven does.
 */
public final class DnsFixture {
    public static final Path SCRIPT = Path.of("src/test/resources/io/cellos/telemetry/guest/probe/dns/dns_fixture.py");
    /** Where the IPv4 server answers, port 53. */
    public static final String SERVER = "127.0.0.77";
    /** Where the IPv6 server answers, port 53. */
    public static final String SERVER6 = "::1";

    private DnsFixture() {
    }

    /** Starts a server on {@code addr} port 53 and waits until it listens; the caller destroys it. */
    public static Process serve(String addr) throws IOException {
        Process p = new ProcessBuilder("python3", SCRIPT.toString(), "serve", addr).redirectErrorStream(true).start();
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (!"READY".equals(line)) {
            p.destroy();
            throw new IOException("the test DNS server on " + addr + " did not start: " + line);
        }
        return p;
    }

    /** Starts the script with {@code args}. */
    public static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("python3", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Runs the script with {@code args} to its end; what it printed. */
    public static String run(String... args) throws IOException, InterruptedException {
        Process p = start(args);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.waitFor() != 0) {
            throw new AssertionError("dns_fixture.py " + List.of(args) + " failed: " + out);
        }
        return out;
    }
}
