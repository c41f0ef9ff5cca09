package io.cellos.telemetry.wire;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/protocol.md}, the project's public reference, held to the codec: the golden vector
 * is what the encoder writes, and the tables of keys, sources and refusal causes name exactly what
 * {@link Field}, {@link ProbeSource} and {@link FrameError} define, with the types and ranges the
 * code enforces. A change to either side that the other does not follow fails the build.
 *
 * <p>The document is read as Markdown sections ({@code ## N. Title}) holding pipe tables, each
 * table found by the text of its header's first cell.
 */
class ProtocolDocTest {
    /** Surefire runs a module's tests in the module's directory; the document is the repository's. */
    private static final Path DOC = Path.of("..", "docs", "protocol.md");
    private static final Pattern SECTION = Pattern.compile("^## (\\d+)\\. .*$");
    private static final Pattern CODE_SPAN = Pattern.compile("^`([^`]+)`$");

    private static List<String> lines;

    @BeforeAll
    static void readTheDocument() throws IOException {
        assertTrue(Files.isRegularFile(DOC), DOC.toAbsolutePath().normalize() + " is missing");
        lines = Files.readAllLines(DOC, StandardCharsets.UTF_8);
    }

    @Test
    void theGoldenVectorIsWhatTheEncoderWrites() {
        byte[] expected = Codec.encode(Events.GOLDEN);
        String block = String.join("", fencedBlock(6)).replaceAll("\\s", "");
        assertEquals(HexFormat.of().formatHex(expected), block, "the hex block of §6");
    }

    /** The item-by-item table of §6: its bytes, in order, are the vector, at the offsets it says. */
    @Test
    void theGoldenVectorTableIsTheVectorByteForByte() {
        byte[] expected = Codec.encode(Events.GOLDEN);
        ByteArrayOutputStream listed = new ByteArrayOutputStream();
        for (List<String> row : table(6, "offset")) {
            assertEquals(Integer.toString(listed.size()), row.get(0), "§6 row " + row + ": its offset");
            listed.writeBytes(HexFormat.of().parseHex(codeSpan(6, row.get(1)).replace(" ", "")));
        }
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(listed.toByteArray()),
                "the bytes of §6's table");
    }

    @Test
    void section3ListsTheCoreKeysInEncoderOrderWithTheirTypes() {
        List<Field> core = Arrays.stream(Field.values()).filter(Field::core).toList();
        assertKeyTable(3, core);
    }

    @Test
    void section4ListsTheExtensionKeysInEncoderOrderWithTheirTypes() {
        List<Field> extensions = Arrays.stream(Field.values()).filter(f -> !f.core()).toList();
        assertKeyTable(4, extensions);
    }

    @Test
    void section5ListsEverySourceInCodeOrderAndWhetherCellOs05KnowsIt() {
        List<ProbeSource> sources = List.of(ProbeSource.values());
        List<List<String>> rows = rowsNaming(5, "source", sources.stream().map(ProbeSource::wireName).toList());
        assertAll(IntStream.range(0, sources.size()).mapToObj(i -> () -> assertEquals(sources.get(i).core() ? "yes" : "no",
                rows.get(i).get(1), "§5: is `" + sources.get(i).wireName() + "` CellOS 0.5's")));
    }

    /**
     * A key or source the code implements must leave its reserved table for the real one; every
     * key and source planned is implemented, so §4 and §5 keep no reserved table at all.
     */
    @Test
    void noReservedKeyOrSourceIsLeft() {
        assertFalse(section(4).stream().anyMatch(l -> l.startsWith("| reserved key")),
                "§4 still has a table of reserved keys");
        assertFalse(section(5).stream().anyMatch(l -> l.startsWith("| reserved source")),
                "§5 still has a table of reserved sources");
    }

    /** Every cause the codec gives, none it does not, and which of them end a connection. */
    @Test
    void section3ListsEveryRefusalCauseAndWhichCloseTheConnection() {
        List<FrameError> errors = List.of(FrameError.values());
        List<List<String>> rows = rowsNaming(3, "cause", errors.stream().map(FrameError::code).toList());
        assertAll(IntStream.range(0, errors.size()).mapToObj(i -> () -> assertEquals(errors.get(i).losesFraming(),
                rows.get(i).get(2).equals("closed"), "§3: does `" + errors.get(i).code()
                        + "` close the connection (the column says '" + rows.get(i).get(2) + "')")));
    }

    /**
     * Rows of key | CBOR | range | ...: the keys in order, "uint" or "text", uN for integers, and
     * the limit of a text key that has one ({@link Field#maxBytes()}).
     */
    private static void assertKeyTable(int number, List<Field> fields) {
        List<List<String>> rows = rowsNaming(number, "key", fields.stream().map(Field::wireName).toList());
        assertAll(IntStream.range(0, fields.size()).mapToObj(i -> () -> {
            Field f = fields.get(i);
            assertEquals(f.isUnsigned() ? "uint" : "text", rows.get(i).get(1), "§" + number + ": the CBOR type of "
                    + f.wireName());
            if (f.isUnsigned()) {
                assertEquals(unsignedRange(f), rows.get(i).get(2), "§" + number + ": the range of " + f.wireName());
            } else if (f.maxBytes() != Integer.MAX_VALUE) {
                assertTrue(rows.get(i).get(2).startsWith(textRange(f)), "§" + number + ": the range of "
                        + f.wireName() + " must start '" + textRange(f) + "', is '" + rows.get(i).get(2) + "'");
            }
        }));
    }

    /** The rows of a table whose first column must name exactly {@code names}, in that order. */
    private static List<List<String>> rowsNaming(int number, String firstHeader, List<String> names) {
        List<List<String>> rows = table(number, firstHeader);
        assertEquals(names, firstColumn(number, rows), "§" + number + ": the '" + firstHeader + "' column");
        return rows;
    }

    private static List<String> firstColumn(int number, List<List<String>> rows) {
        return rows.stream().map(r -> codeSpan(number, r.getFirst())).toList();
    }

    /** {@code at most 1,024 bytes} for a text field of bounded length; a {@code sha256} has its own words. */
    private static String textRange(Field f) {
        return f == Field.SHA256 ? f.maxBytes() + " lowercase hex digits" : String.format("at most %,d bytes", f.maxBytes());
    }

    /** {@code u8}, {@code u16}, {@code u32} or {@code u64}: the width whose largest value is the field's maximum. */
    private static String unsignedRange(Field f) {
        int bits = 64 - Long.numberOfLeadingZeros(f.max());
        assertEquals(f.max(), bits == 64 ? -1L : (1L << bits) - 1, f.wireName() + "'s maximum is not 2^n-1");
        return "u" + bits;
    }

    /** The lines of {@code ## number. ...} up to the next such heading. */
    private static List<String> section(int number) {
        int start = -1;
        int end = lines.size();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = SECTION.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            if (start >= 0) {
                end = i;
                break;
            }
            if (Integer.parseInt(m.group(1)) == number) {
                start = i + 1;
            }
        }
        if (start < 0) {
            fail(DOC + " has no section '## " + number + ". ...'");
        }
        return lines.subList(start, end);
    }

    /** The lines inside the first fenced code block of a section. */
    private static List<String> fencedBlock(int number) {
        List<String> section = section(number);
        int open = -1;
        for (int i = 0; i < section.size(); i++) {
            if (section.get(i).startsWith("```")) {
                if (open >= 0) {
                    return section.subList(open + 1, i);
                }
                open = i;
            }
        }
        return fail("§" + number + " has no fenced code block");
    }

    /**
     * The body rows, cells trimmed, of the first table in section {@code number} whose header's
     * first cell is {@code firstHeader}.
     */
    private static List<List<String>> table(int number, String firstHeader) {
        List<String> section = section(number);
        for (int i = 0; i + 1 < section.size(); i++) {
            boolean startsTable = section.get(i).startsWith("|") && (i == 0 || !section.get(i - 1).startsWith("|"));
            if (!startsTable || !cells(section.get(i)).getFirst().equals(firstHeader)) {
                continue;
            }
            assertTrue(section.get(i + 1).startsWith("|---"), "§" + number + ": the '" + firstHeader
                    + "' table has no separator row");
            List<List<String>> rows = new ArrayList<>();
            for (int j = i + 2; j < section.size() && section.get(j).startsWith("|"); j++) {
                rows.add(cells(section.get(j)));
            }
            assertFalse(rows.isEmpty(), "§" + number + ": the '" + firstHeader + "' table is empty");
            return rows;
        }
        return fail("§" + number + " has no table whose first column is '" + firstHeader + "'");
    }

    /** The cells of one table row; no cell of the checked columns holds a pipe. */
    private static List<String> cells(String row) {
        String inner = row.strip();
        inner = inner.substring(1, inner.endsWith("|") ? inner.length() - 1 : inner.length());
        return Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList();
    }

    /** The text of a cell that must be exactly one code span. */
    private static String codeSpan(int number, String cell) {
        Matcher m = CODE_SPAN.matcher(cell);
        if (!m.matches()) {
            fail("§" + number + ": expected a cell holding one `code span`, found '" + cell + "'");
        }
        return m.group(1);
    }
}
