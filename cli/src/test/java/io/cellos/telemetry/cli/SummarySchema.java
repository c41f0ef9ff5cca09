package io.cellos.telemetry.cli;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The summary's published schema, {@code docs/cell-summary.schema.json} (JSON Schema draft
 * 2020-12), applied by an implementation of JSON Schema that is not ours (networknt's), with
 * {@code format} asserted.
 */
final class SummarySchema {
    static final Path FILE = Path.of("..", "docs", "cell-summary.schema.json").toAbsolutePath().normalize();
    private static final Schema SCHEMA = load();

    private SummarySchema() {
    }

    private static Schema load() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        try (InputStream in = Files.newInputStream(FILE)) {
            return registry.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What is wrong with {@code json} by the schema, one line per error; empty when it conforms. */
    static List<String> errors(String json) {
        return SCHEMA.validate(json, InputFormat.JSON, c -> c.executionConfig(x -> x.formatAssertionsEnabled(true)))
                .stream().map(Error::toString).toList();
    }
}
