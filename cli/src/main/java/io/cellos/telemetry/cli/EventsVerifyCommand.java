package io.cellos.telemetry.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.host.attest.Dsse;
import io.cellos.telemetry.host.attest.RuntimeTrace;
import io.cellos.telemetry.host.sign.EventVerifier;
import io.cellos.telemetry.host.sign.KeyFormatException;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sign.SigningEnvironment;
import io.cellos.telemetry.host.sign.StreamVerification;
import io.cellos.telemetry.wire.ExitCode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code cellos events verify}: check a signed CloudEvents stream, line by line, and each cell's
 * hash chain through it; or a DSSE envelope.
 */
final class EventsVerifyCommand implements Command {
    /** Where the verifying side finds an Ed25519 public key when none is given on the command line. */
    static final String ED25519_PUBLIC_KEY = "CELLOS_HOST_TELEMETRY_VERIFY_ED25519_PUBLIC_KEY";
    /** How much of the input is looked at to tell a DSSE envelope from a stream of events. */
    private static final int PEEK = 256;

    @Override
    public String name() {
        return "events verify";
    }

    @Override
    public String summary() {
        return "check a signed CloudEvents stream and its cells' hash chains; name the first break";
    }

    @Override
    public String help() {
        return """
                Usage: cellos events verify [FILE] [--alg ALG] [--key-file F | --public-key K] [--kid KID]
                                            [--signatures-only | --require-closed]

                Reads CloudEvents, one JSON object per line, from FILE or standard input (- too), and
                checks the signature of each (docs/protocol.md §7.7 in the source tree: sigalg, sigkid
                and sig attributes over the RFC 8785 canonical JSON of the event without sig). Stops
                at the first line that fails and names it and why. Blank lines are skipped; a stream
                with no event fails.

                Then it follows each cell's hash chain (§7.9: every signed event carries in cellosprev
                the SHA-256 of the cell's event before it), by the links, not by the order of the
                lines, and names the first break: which cell, which event and line, and what is
                wrong: unlinked (no cellosprev), duplicate (an event copied in), fork (two events
                after one, or two first events), missing_first (the head of the chain is gone) or
                missing_predecessor (an event was removed). Each chain's length and last event are
                printed, and whether it is closed: the receiver ends a cell's chain with a
                record_closed event (§7.11) when it lets the cell go, so a chain that ends with it
                lost nothing at its end; one that does not is open (the cell was still running when
                the stream was read, or its end was cut).

                A DSSE envelope instead (what 'cellos events attest' writes: a JSON object whose
                first member is payload, payloadType or signatures) is checked as one: a
                signature of the Ed25519 key over its pre-authentication encoding; for an in-toto
                statement, its predicate type and subjects are printed.

                Options:
                  --alg ALG         hmac-sha256 or ed25519 (default: $%s)
                  --key-file F      a file holding the key, base64url: the HMAC secret, or the
                                    Ed25519 public key (raw 32 bytes or X.509 DER)
                  --public-key K    the Ed25519 public key itself (it is not secret)
                  --kid KID         also require this key id
                  --signatures-only check each event's signature, not the chains: for an extract of
                                    a stream (events tail --type, a stream with a retention limit)
                  --require-closed  also fail on an open chain: for the record of cells that ended
                Without --key-file or --public-key the key comes from the environment:
                  $%s (hmac-sha256), $%s (ed25519).

                Exit status: 0 every event verified (and every chain is whole from its first event,
                and closed with --require-closed), 1 a line failed or a chain breaks (or is open with
                --require-closed), 2 bad usage or key.
                """.formatted(SigningEnvironment.ALG, SigningEnvironment.HMAC_KEY, ED25519_PUBLIC_KEY);
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("alg", "key-file", "public-key", "kid"), Set.of("signatures-only", "require-closed"));
        if (a.has("signatures-only") && a.has("require-closed")) {
            throw a.usage("--require-closed checks the chains, which --signatures-only leaves out: give one");
        }
        if (a.positional().size() > 1) {
            throw a.usage("give at most one FILE");
        }
        EventVerifier verifier = verifier(a, System.getenv());
        String file = a.positional().isEmpty() ? null : a.positional().get(0);
        StreamVerification result;
        String where = file == null ? "standard input" : file;
        try (BufferedReader in = open(a, file, io)) {
            if (startsAnEnvelope(in)) {
                return envelope(in, verifier, where, io);
            }
            result = verifier.verifyStream(in, !a.has("signatures-only"));
        }
        return switch (result) {
            case StreamVerification.Verified v when v.linesVerified() == 0 -> {
                io.err().println("cellos events verify: " + where + " holds no event to verify");
                yield ExitCode.FAILED;
            }
            case StreamVerification.Verified v -> {
                io.out().println("verified " + count(v.linesVerified()) + " in " + where + (a.has("signatures-only")
                        ? " (signatures only, chains not checked)"
                        : "; " + v.chains().size() + (v.chains().size() == 1 ? " cell chain" : " cell chains")
                        + " whole from the first event:"));
                v.chains().forEach(c -> io.out().println("  cell " + c.cellId() + " run " + c.runId() + ": "
                        + count(c.events()) + ", the last " + c.lastEventId() + (c.closed() ? ", closed by the receiver"
                        : ", open: no record_closed at its end (the cell was still running, or its end was cut)")));
                long open = v.chains().stream().filter(c -> !c.closed()).count();
                if (a.has("require-closed") && open > 0) {
                    io.out().println("--require-closed: " + open + (open == 1 ? " chain is" : " chains are") + " open");
                    yield ExitCode.FAILED;
                }
                yield ExitCode.OK;
            }
            case StreamVerification.Failed f -> {
                io.out().println(where + ":" + f.lineNumber() + ": " + f.failure().message() + " ("
                        + f.linesVerified() + " events before it verified)");
                yield ExitCode.FAILED;
            }
            case StreamVerification.Broken b -> {
                io.out().println(where + ":" + b.chainBreak().lineNumber() + ": " + b.chainBreak().message() + " ("
                        + b.linesVerified() + " events' signatures verified)");
                yield ExitCode.FAILED;
            }
        };
    }

    private static String count(long events) {
        return events + (events == 1 ? " event" : " events");
    }

    /** Whether the text ahead opens a JSON object whose first member is a DSSE envelope's; the reader is left where it was. */
    private static boolean startsAnEnvelope(BufferedReader in) throws IOException {
        char[] head = new char[PEEK];
        in.mark(PEEK);
        int n = in.read(head, 0, PEEK);
        in.reset();
        String start = n <= 0 ? "" : new String(head, 0, n).replaceAll("\\s", "");
        return start.startsWith("{\"payload") || start.startsWith("{\"signatures");
    }

    /** Checks a DSSE envelope (an attestation of {@code cellos events attest}); says what it holds. */
    private static int envelope(BufferedReader in, EventVerifier verifier, String where, Io io) throws IOException {
        StringBuilder text = new StringBuilder();
        char[] buf = new char[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
            text.append(buf, 0, n);
        }
        try {
            Dsse.Opened opened = Dsse.open(text.toString(), verifier);
            io.out().println("verified the DSSE envelope in " + where + " (payloadType " + opened.payloadType()
                    + (opened.keyid() != null ? ", keyid " + opened.keyid() : "") + ")");
            if (Dsse.IN_TOTO.equals(opened.payloadType())) {
                JsonNode statement = new ObjectMapper().readTree(opened.payload());
                io.out().println("in-toto statement, predicate " + statement.path("predicateType").asText() + "; subjects:");
                RuntimeTrace.describeSubjects(statement).forEach(s -> io.out().println("  " + s));
            }
            return ExitCode.OK;
        } catch (Dsse.EnvelopeException e) {
            io.out().println(where + ": the DSSE envelope does not verify: " + e.getMessage());
            return ExitCode.FAILED;
        }
    }

    private static BufferedReader open(Args a, String file, Io io) throws UsageException, IOException {
        if (file == null || file.equals("-")) {
            return new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
        }
        return Files.newBufferedReader(PathArgs.fileToRead(a, "FILE", file), StandardCharsets.UTF_8);
    }

    private static EventVerifier verifier(Args a, Map<String, String> env) throws UsageException, IOException {
        String algText = a.value("alg") != null ? a.value("alg") : env.get(SigningEnvironment.ALG);
        if (algText == null) {
            throw a.usage("say which algorithm: --alg hmac-sha256 or --alg ed25519");
        }
        SignAlgorithm alg = SignAlgorithm.fromId(algText)
                .orElseThrow(() -> a.usage("--alg must be hmac-sha256 or ed25519, got '" + algText + "'"));
        String key;
        if (a.value("key-file") != null) {
            key = Files.readString(PathArgs.fileToRead(a, "--key-file", a.value("key-file"))).strip();
        } else if (a.value("public-key") != null) {
            if (alg != SignAlgorithm.ED25519) {
                throw a.usage("--public-key is for ed25519; an HMAC key is secret: use --key-file");
            }
            key = a.value("public-key");
        } else {
            String var = alg == SignAlgorithm.ED25519 ? ED25519_PUBLIC_KEY : SigningEnvironment.HMAC_KEY;
            key = env.get(var);
            if (key == null || key.isBlank()) {
                throw a.usage("no key: give --key-file" + (alg == SignAlgorithm.ED25519 ? " or --public-key" : "")
                        + ", or set " + var);
            }
        }
        EventVerifier v;
        try {
            v = EventVerifier.create(alg, key);
        } catch (KeyFormatException e) {
            throw a.usage(e.getMessage());
        }
        return a.value("kid") == null ? v : v.expectingKid(a.value("kid"));
    }
}
