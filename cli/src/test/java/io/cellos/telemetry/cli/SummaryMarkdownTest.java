package io.cellos.telemetry.cli;

import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TableBlock;
import org.commonmark.ext.gfm.tables.TableBody;
import org.commonmark.ext.gfm.tables.TableCell;
import org.commonmark.ext.gfm.tables.TableHead;
import org.commonmark.ext.gfm.tables.TableRow;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Code;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Node;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SummaryMarkdown}'s output read by a CommonMark parser with GitHub's table extension
 * (commonmark-java), as a CI page would read it: every table has the rows and columns the run
 * gives, no table row falls out of its table, and the guest's text, full of Markdown's and HTML's
 * metacharacters, comes out as the very text it was, with no element of its own.
 */
class SummaryMarkdownTest {
    private static final List<Extension> GFM = List.of(TablesExtension.create());
    private static final Parser PARSER = Parser.builder().extensions(GFM).build();

    @Test
    void everyListIsATableOfTheRunsRowsAndTheGuestsTextStaysText() {
        Node doc = PARSER.parse(markdown(SampleRuns.everything()));
        List<TableBlock> tables = tables(doc);
        // the run; processes: init, sh, cc ×4 (indented by &nbsp;), sh; connections, raw sockets, files, denials, tampering, channels refused
        assertEquals(List.of(6, 4, 2, 1, 1, 2, 1, 1), tables.stream().map(t -> rows(t).size()).toList());
        assertEquals(List.of(2, 4, 2, 2, 2, 2, 2, 2), tables.stream().map(SummaryMarkdownTest::columns).toList());
        for (TableBlock t : tables) {
            for (List<String> row : rows(t)) {
                assertEquals(columns(t), row.size(), "row " + row);
            }
        }
        assertEquals(List.of("agent", SampleRuns.FACTS.agent()), rows(tables.get(0)).get(3));
        assertEquals("sh -c make | tee 'log' " + SampleRuns.HOSTILE.replace('`', '\''), rows(tables.get(0)).get(0).get(1));
        assertEquals("└─ sh|*x* (/usr/bin/<b>dash</b>)", rows(tables.get(1)).get(1).get(0));
        assertEquals("\u00a0".repeat(3) + "└─ cc (/usr/bin/cc) ×4", rows(tables.get(1)).get(2).get(0));
        assertEquals(List.of("sh (pid 5) -> unix:/run/x|y.sock", "1"), rows(tables.get(2)).get(1));
        assertEquals(List.of("/srv/" + SampleRuns.HOSTILE + " by sh (pid 5)", "1"), rows(tables.get(4)).get(0));
        assertEquals(List.of(SampleRuns.HOSTILE, "1"), rows(tables.get(6)).get(0));

        List<String> outside = new ArrayList<>();
        collectOutsideTables(doc, outside);
        assertFalse(String.join("\n", outside).contains("|"), "a table row left its table: " + outside);
        assertNoHtml(doc);
        String html = HtmlRenderer.builder().extensions(GFM).build().render(doc);
        assertFalse(html.contains("<img") || html.contains("<b>"), html);
    }

    @Test
    void everyWayARunEndsRendersWithoutStrayRowsOrHtml() {
        for (CellReport r : SampleRuns.all()) {
            String md = markdown(r);
            Node doc = PARSER.parse(md);
            assertNoHtml(doc);
            List<String> outside = new ArrayList<>();
            collectOutsideTables(doc, outside);
            assertFalse(String.join("\n", outside).contains("|"), md);
            assertTrue(tables(doc).size() >= 2, md);
        }
    }

    private static String markdown(CellReport r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SummaryMarkdown.write(new PrintStream(out, true, StandardCharsets.UTF_8), r, SampleRuns.FACTS);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<TableBlock> tables(Node doc) {
        List<TableBlock> tables = new ArrayList<>();
        for (Node n = doc.getFirstChild(); n != null; n = n.getNext()) {
            if (n instanceof TableBlock t) {
                tables.add(t);
            }
        }
        return tables;
    }

    private static int columns(TableBlock t) {
        return cells(children(t, TableHead.class).getFirst().getFirstChild()).size();
    }

    /** The body's rows, each as the text of its cells. */
    private static List<List<String>> rows(TableBlock t) {
        List<TableBody> body = children(t, TableBody.class);
        List<List<String>> rows = new ArrayList<>();
        if (!body.isEmpty()) {
            for (TableRow row : children(body.getFirst(), TableRow.class)) {
                rows.add(cells(row));
            }
        }
        return rows;
    }

    private static List<String> cells(Node row) {
        return children(row, TableCell.class).stream().map(c -> {
            StringBuilder b = new StringBuilder();
            text(c, b);
            return b.toString().strip();
        }).toList();
    }

    private static <T extends Node> List<T> children(Node parent, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
            if (type.isInstance(n)) {
                out.add(type.cast(n));
            }
        }
        return out;
    }

    /** The text a person sees: literal text and code, line breaks as spaces. */
    private static void text(Node n, StringBuilder b) {
        switch (n) {
            case Text t -> b.append(t.getLiteral());
            case Code c -> b.append(c.getLiteral());
            case SoftLineBreak s -> b.append(' ');
            case HardLineBreak h -> b.append(' ');
            default -> {
                for (Node c = n.getFirstChild(); c != null; c = c.getNext()) {
                    text(c, b);
                }
            }
        }
    }

    private static void collectOutsideTables(Node n, List<String> out) {
        for (Node c = n.getFirstChild(); c != null; c = c.getNext()) {
            if (!(c instanceof TableBlock)) {
                StringBuilder b = new StringBuilder();
                text(c, b);
                out.add(b.toString());
            }
        }
    }

    private static void assertNoHtml(Node n) {
        assertFalse(n instanceof HtmlInline || n instanceof HtmlBlock, "HTML the guest named became an element: " + n);
        for (Node c = n.getFirstChild(); c != null; c = c.getNext()) {
            assertNoHtml(c);
        }
    }
}
