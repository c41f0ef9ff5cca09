package io.cellos.telemetry.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The standard streams a command uses, so that tests can run commands in-process.
 *
 * @param in  standard input
 * @param out standard output
 * @param err standard error
 */
record Io(InputStream in, PrintStream out, PrintStream err) {
    static Io system() {
        return new Io(System.in, System.out, System.err);
    }
}
