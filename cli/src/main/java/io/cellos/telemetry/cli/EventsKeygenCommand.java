package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;

import io.cellos.telemetry.host.sign.Ed25519Keys;
import io.cellos.telemetry.host.sign.SigningEnvironment;
import io.cellos.telemetry.wire.ExitCode;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/** {@code cellos events keygen}: keys for signing the receiver's output. */
final class EventsKeygenCommand implements Command {
    @Override
    public String name() {
        return "events keygen";
    }

    @Override
    public String summary() {
        return "make a key for signing events (Ed25519 pair, or an HMAC secret)";
    }

    @Override
    public String help() {
        return """
                Usage: cellos events keygen [--alg ed25519|hmac-sha256]

                Prints a fresh key as environment assignments, ready for 'export' or an env file:
                  ed25519 (default): the private seed for the receiver (%s)
                                     and the public key for verifiers (%s)
                  hmac-sha256:       a 32-byte secret, for both sides (%s)
                Keys are base64url without padding, from the JDK's SecureRandom.
                """.formatted(SigningEnvironment.ED25519_KEY, EventsVerifyCommand.ED25519_PUBLIC_KEY,
                SigningEnvironment.HMAC_KEY);
    }

    @Override
    public int run(List<String> argv, Io io) throws Exception {
        Args a = Args.parse(name(), argv, Set.of("alg"), Set.of());
        if (!a.positional().isEmpty()) {
            throw a.usage("unexpected argument '" + a.positional().get(0) + "'");
        }
        String alg = a.value("alg") == null ? "ed25519" : a.value("alg");
        SecureRandom random = new SecureRandom();
        switch (alg) {
            case "ed25519" -> {
                Ed25519Keys.KeyPairText pair = Ed25519Keys.generate(random);
                io.out().println(SigningEnvironment.ALG + "=ed25519");
                io.out().println(SigningEnvironment.ED25519_KEY + "=" + pair.privateKey());
                io.out().println(EventsVerifyCommand.ED25519_PUBLIC_KEY + "=" + pair.publicKey());
            }
            case "hmac-sha256" -> {
                byte[] key = new byte[32];
                random.nextBytes(key);
                io.out().println(SigningEnvironment.ALG + "=hmac-sha256");
                io.out().println(SigningEnvironment.HMAC_KEY + "=" + Base64.getUrlEncoder().withoutPadding().encodeToString(key));
            }
            default -> throw a.usage("--alg must be ed25519 or hmac-sha256, got '" + alg + "'");
        }
        return ExitCode.OK;
    }
}
