package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.UsageException;
import io.cellos.telemetry.host.sign.EventSigner;
import io.cellos.telemetry.host.sign.SigningConfigException;
import io.cellos.telemetry.host.sign.SigningEnvironment;

import java.util.Map;

/** The signer a command's environment configures ({@link SigningEnvironment}), as the commands take it. */
final class EnvironmentSigner {
    private EnvironmentSigner() {
    }

    /**
     * @return the signer, or {@code null} when the environment turns signing off
     * @throws UsageException saying what is wrong with the signing variables
     */
    static EventSigner of(Map<String, String> env) throws UsageException {
        try {
            return SigningEnvironment.signer(env).orElse(null);
        } catch (SigningConfigException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
