package io.cellos.telemetry.cli;

import io.cellos.telemetry.guest.command.Args;
import io.cellos.telemetry.guest.command.PathArgs;
import io.cellos.telemetry.guest.command.UsageException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Where a cell's summary goes beside the terminal: {@code --summary-json FILE} ({@link SummaryJson}),
 * {@code --summary-markdown FILE} ({@link SummaryMarkdown}), {@code --report FILE.html}
 * ({@link SummaryHtml}), each written whole, replacing what the file held; and the file {@code GITHUB_STEP_SUMMARY} names, when the environment sets it
 * (as GitHub Actions does for each step), to which the Markdown is appended.
 *
 * @param json        the JSON file, or null
 * @param markdown    the Markdown file, or null
 * @param html        the HTML page, or null
 * @param stepSummary the CI step summary to append to, or null
 */
record SummaryFiles(Path json, Path markdown, Path html, Path stepSummary) {
    static final String STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY";
    static final SummaryFiles NONE = new SummaryFiles(null, null, null, null);

    /**
     * Reads the options and the environment; each file's directory must exist.
     *
     * @throws UsageException naming the option and the missing directory
     */
    static SummaryFiles parse(Args a, Map<String, String> env) throws UsageException {
        String step = env.get(STEP_SUMMARY_VARIABLE);
        return new SummaryFiles(file(a, "summary-json"), file(a, "summary-markdown"), file(a, "report"),
                step == null || step.isEmpty() ? null : PathArgs.absolute(step));
    }

    /**
     * The file {@code --option} names, absolute, or null when the option is not given.
     *
     * @throws UsageException when it names a directory, or its directory does not exist
     */
    static Path file(Args a, String option) throws UsageException {
        String value = a.value(option);
        if (value == null) {
            return null;
        }
        Path p = PathArgs.absolute(value);
        if (Files.isDirectory(p)) {
            throw a.usage("--" + option + " " + value + " is a directory; give a file name");
        }
        if (!Files.isDirectory(p.getParent())) {
            throw a.usage("--" + option + " " + value + ": directory " + p.getParent() + " does not exist");
        }
        return p;
    }

    /**
     * Writes each form that was asked for. A file that cannot be written is said on {@code err},
     * and the others are still written: the run's own status is not the summary's.
     *
     * @return whether every one was written
     */
    boolean write(CellReport report, RunFacts facts, PrintStream err) {
        boolean all = true;
        if (json != null) {
            all &= write(json, err, out -> SummaryJson.write(out, report, facts), StandardOpenOption.TRUNCATE_EXISTING);
        }
        if (markdown != null) {
            all &= write(markdown, err, out -> markdown(out, report, facts), StandardOpenOption.TRUNCATE_EXISTING);
        }
        if (html != null) {
            all &= write(html, err, out -> SummaryHtml.write(out, report, facts), StandardOpenOption.TRUNCATE_EXISTING);
        }
        if (stepSummary != null) {
            all &= write(stepSummary, err, out -> markdown(out, report, facts), StandardOpenOption.APPEND);
        }
        return all;
    }

    private static void markdown(OutputStream out, CellReport report, RunFacts facts) {
        PrintStream p = new PrintStream(out, false, StandardCharsets.UTF_8);
        SummaryMarkdown.write(p, report, facts);
        p.flush();
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static boolean write(Path file, PrintStream err, Writer writer, StandardOpenOption mode) {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode)) {
            writer.write(out);
            return true;
        } catch (IOException e) {
            err.println("cellos: could not write the summary to " + file + ": " + e.getMessage());
            return false;
        }
    }
}
