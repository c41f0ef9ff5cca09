package io.cellos.telemetry.host.sign;

/**
 * A signing configuration that cannot be used, naming the environment variable at fault. The
 * message says what is wrong and what to set instead, and never contains key material.
 */
public final class SigningConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String variable;

    SigningConfigException(String variable, String problem) {
        super(variable + ": " + problem);
        this.variable = variable;
    }

    SigningConfigException(String variable, KeyFormatException cause) {
        super(variable + ": " + cause.getMessage(), cause);
        this.variable = variable;
    }

    /** The environment variable at fault. */
    public String variable() {
        return variable;
    }
}
