package io.cellos.telemetry.bench;

import java.util.List;

/**
 * One part of {@code cellos bench}: runs its harness, once or over repeats, with its baselines in
 * the same run, and returns its rows of the table as values. A figure that cannot be measured on
 * this machine returns a row that says why ({@link Row#failed}) rather than throwing, where it can
 * tell; an exception is turned into such a row by the runner.
 */
abstract class Figure {
    private final String name;
    private final String about;
    private final boolean needsRoot;

    /**
     * @param name      the name {@code --only} takes
     * @param about     one line for {@code --help}: what the figure measures
     * @param needsRoot whether it arms probes, starts agents or cells
     */
    Figure(String name, String about, boolean needsRoot) {
        this.name = name;
        this.about = about;
        this.needsRoot = needsRoot;
    }

    final String name() {
        return name;
    }

    final String about() {
        return about;
    }

    final boolean needsRoot() {
        return needsRoot;
    }

    /** Measures; harness output goes to {@code ctx.log()}. */
    abstract List<Row> run(BenchContext ctx) throws Exception;
}
