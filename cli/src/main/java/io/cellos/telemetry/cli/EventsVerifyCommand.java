package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;

import io.cellos.telemetry.host.sign.EventVerifier;
import io.cellos.telemetry.host.sign.KeyFormatException;
import io.cellos.telemetry.host.sign.SignAlgorithm;
import io.cellos.telemetry.host.sign.SigningEnvironment;
import io.cellos.telemetry.host.sign.StreamVerification;
import io.cellos.telemetry.wire.ExitCode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code cellos events verify}: check a signed CloudEvents stream, line by line. */
final class EventsVerifyCommand implements Command {
    /** Where the verifying side finds an Ed25519 public key when none is given on the command line. */
    static final String ED25519_PUBLIC_KEY = "CELLOS_HOST_TELEMETRY_VERIFY_ED25519_PUBLIC_KEY";

    @Override
    public String name() {
        return "events verify";
    }

    @Override
    public String summary() {
        return "check a signed CloudEvents stream; name the first line that fails";
    }

    @Override
    public String help() {
        return """
                Usage: cellos events verify [FILE] [--alg ALG] [--key-file F | --public-key K] [--kid KID]

                Reads CloudEvents, one JSON object per line, from FILE or standard input, and checks
                the signature of each (docs/protocol.md §7 in the source tree: sigalg, sigkid and
                sig attributes over the RFC 8785 canonical JSON of the event without sig). Stops at
                the first line that fails and names it and why. Blank lines are skipped; a stream
                with no event fails.

                Options:
                  --alg ALG         hmac-sha256 or ed25519 (default: $%s)
                  --key-file F      a file holding the key, base64url: the HMAC secret, or the
                                    Ed25519 public key (raw 32 bytes or X.509 DER)
                  --public-key K    the Ed25519 public key itself (it is not secret)
                  --kid KID         also require this key id
                Without --key-file or --public-key the key comes from the environment:
                  $%s (hmac-sha256), $%s (ed25519).

                Exit status: 0 every event verified, 1 a line failed, 2 bad usage or key.
                """.formatted(SigningEnvironment.ALG, SigningEnvironment.HMAC_KEY, ED25519_PUBLIC_KEY);
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("alg", "key-file", "public-key", "kid"), Set.of());
        if (a.positional().size() > 1) {
            throw a.usage("give at most one FILE");
        }
        EventVerifier verifier = verifier(a, System.getenv());
        String file = a.positional().isEmpty() ? null : a.positional().get(0);
        StreamVerification result;
        try (Reader in = open(a, file, io)) {
            result = verifier.verifyStream(in);
        }
        String where = file == null ? "standard input" : file;
        return switch (result) {
            case StreamVerification.Verified v when v.linesVerified() == 0 -> {
                io.err().println("cellos events verify: " + where + " holds no event to verify");
                yield ExitCode.FAILED;
            }
            case StreamVerification.Verified v -> {
                io.out().println("verified " + v.linesVerified() + (v.linesVerified() == 1 ? " event" : " events") + " in " + where);
                yield ExitCode.OK;
            }
            case StreamVerification.Failed f -> {
                io.out().println(where + ":" + f.lineNumber() + ": " + f.failure().message() + " ("
                        + f.linesVerified() + " events before it verified)");
                yield ExitCode.FAILED;
            }
        };
    }

    private static Reader open(Args a, String file, Io io) throws UsageException, IOException {
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
